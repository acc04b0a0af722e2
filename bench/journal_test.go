package bench

import (
	"context"
	"errors"
	"os"
	"path/filepath"
	"strings"
	"syscall"
	"testing"
)

// fullDisk is a journal file on a disk that fills up: it writes the first
// room bytes of what it is given, then fails as a full disk does.
type fullDisk struct {
	*os.File
	room int
}

func (f *fullDisk) Write(p []byte) (int, error) {
	if len(p) <= f.room {
		f.room -= len(p)
		return f.File.Write(p)
	}
	n, _ := f.File.Write(p[:f.room])
	f.room = 0
	return n, &os.PathError{Op: "write", Path: f.Name(), Err: syscall.ENOSPC}
}

// An append that the disk cuts short leaves the journal as it was before
// it (no torn record), says so, and the next append, once there is room
// again, is whole; a journal that does end in a torn line (written by an
// older rgflow, or cut by a crash) loses that line when it is opened, with
// a warning, and reads back the records before it.
func TestJournalAppendIsAllOrNothing(t *testing.T) {
	path := filepath.Join(t.TempDir(), JournalFile)
	jr, _, _, err := openJournal(path)
	if err != nil {
		t.Fatal(err)
	}
	if err := jr.append(Record{Key: "s/a/1", Label: "a"}); err != nil {
		t.Fatal(err)
	}
	before, _ := os.ReadFile(path)
	disk := &fullDisk{File: jr.f.(*os.File), room: 20}
	jr.f = disk
	err = jr.append(Record{Key: "s/b/1", Label: "b"})
	if !errors.Is(err, syscall.ENOSPC) && (err == nil || !strings.Contains(err.Error(), "no space left")) {
		t.Fatalf("an append on a full disk: %v", err)
	}
	if !strings.Contains(err.Error(), "the journal is as it was before this run") {
		t.Errorf("the message does not say the journal is whole: %v", err)
	}
	if after, _ := os.ReadFile(path); string(after) != string(before) {
		t.Fatalf("a failed append left %q after %q", after[len(before):], before)
	}
	disk.room = 1 << 20
	if err := jr.append(Record{Key: "s/c/1", Label: "c"}); err != nil {
		t.Fatal(err)
	}
	jr.close()
	data, _ := os.ReadFile(path)
	done, warnings := parseJournal(path, data)
	if len(done) != 2 || len(warnings) != 0 {
		t.Errorf("the journal holds %d records and %v", len(done), warnings)
	}
	// a torn last line, as a crash (or an older rgflow on a full disk) left it
	if err := os.WriteFile(path, append(data, `{"key":"s/d/1","lab`...), 0o644); err != nil {
		t.Fatal(err)
	}
	jr, done, warnings, err = openJournal(path)
	if err != nil {
		t.Fatal(err)
	}
	jr.close()
	if len(done) != 2 || len(warnings) != 1 || !strings.Contains(warnings[0], "ended in a torn line (19 bytes") {
		t.Errorf("opening a torn journal: %d records, %q", len(done), warnings)
	}
	if now, _ := os.ReadFile(path); string(now) != string(data) {
		t.Errorf("the torn line stays: %q", now[len(data):])
	}
}

// A plan with a run that cannot fit in memory is refused before anything
// is written, not recorded run by run as failed.
func TestRunRefusesAPlanThatCannotFit(t *testing.T) {
	cfg := quick(t, KLvsCD)
	cfg.(*DistConfig).Epochs = 1e12
	dir := filepath.Join(t.TempDir(), "res")
	_, err := Run(context.Background(), Options{Suite: KLvsCD, Config: cfg, OutDir: dir, Resolve: builtin})
	if err == nil || !strings.Contains(err.Error(), "epochs = 1000000000000: this configuration needs about") {
		t.Fatalf("a plan of 10^12 epochs a run: %v", err)
	}
	if _, err := os.Stat(dir); err == nil {
		t.Error("the refused suite made its results directory")
	}
}
