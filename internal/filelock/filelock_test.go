//go:build unix

package filelock

import (
	"encoding/json"
	"errors"
	"os"
	"path/filepath"
	"strings"
	"syscall"
	"testing"
	"time"
)

// A lock held through another open file (as another process holds it) is
// refused with its holder named; one this process holds is shared and
// released with its last Release; a lock file left by a process that
// ended holds nothing.
func TestAcquire(t *testing.T) {
	dir := t.TempDir()
	path := filepath.Join(dir, "run.ckpt.lock")
	// another process's lock: its own open file, flocked, with its record
	other, err := os.OpenFile(path, os.O_RDWR|os.O_CREATE, 0o644)
	if err != nil {
		t.Fatal(err)
	}
	since := time.Date(2026, 12, 7, 7, 30, 2, 0, time.UTC)
	rec, _ := json.Marshal(Holder{PID: 4242, Host: "node7", Since: since, Command: "rgflow train -resume run.ckpt"})
	other.Write(rec)
	if err := syscall.Flock(int(other.Fd()), syscall.LOCK_EX|syscall.LOCK_NB); err != nil {
		t.Fatal(err)
	}
	_, err = Acquire(path, "the checkpoint run.ckpt")
	var he *HeldError
	if !errors.As(err, &he) || !strings.Contains(err.Error(), `the checkpoint run.ckpt is in use by another rgflow: pid 4242 on node7, "rgflow train -resume run.ckpt", since 2026-12-07`) {
		t.Fatalf("a held lock: %v", err)
	}
	other.Close() // the other process ends: the kernel releases its lock
	l, err := Acquire(path, "the checkpoint run.ckpt")
	if err != nil {
		t.Fatalf("a lock file whose holder ended: %v", err)
	}
	again, err := Acquire(path, "the checkpoint run.ckpt")
	if err != nil || again != l {
		t.Fatalf("a second Acquire in the process that holds it: %v", err)
	}
	data, _ := os.ReadFile(path)
	var h Holder
	if json.Unmarshal(data, &h) != nil || h.PID != os.Getpid() || h.Host == "" || time.Since(h.Since) > time.Minute {
		t.Errorf("the lock file records %q", data)
	}
	// a third party sees it held
	probe, _ := os.Open(path)
	if err := syscall.Flock(int(probe.Fd()), syscall.LOCK_EX|syscall.LOCK_NB); err == nil {
		t.Error("the lock is not held")
	}
	probe.Close()
	l.Release()
	if _, err := os.Stat(path); err != nil {
		t.Error("the lock file went with the first of two Releases")
	}
	again.Release()
	if _, err := os.Stat(path); !errors.Is(err, os.ErrNotExist) {
		t.Errorf("the lock file stays after the last Release (%v)", err)
	}
	// a file written over the lock file's name (an output so named) is
	// not removed with the lock
	l, err = Acquire(path, "x")
	if err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(path+".new", []byte("results"), 0o644); err != nil {
		t.Fatal(err)
	}
	if err := os.Rename(path+".new", path); err != nil {
		t.Fatal(err)
	}
	l.Release()
	if data, _ := os.ReadFile(path); string(data) != "results" {
		t.Errorf("Release removed the file written over its lock file (%q)", data)
	}
	// a directory that may not be written: nothing to lock against
	if os.Getuid() != 0 {
		ro := filepath.Join(dir, "ro")
		os.Mkdir(ro, 0o555)
		if l, err := Acquire(filepath.Join(ro, "x.lock"), "x"); err != nil {
			t.Errorf("in a read-only directory: %v", err)
		} else {
			l.Release()
		}
	}
}
