// Package atomicfile writes files so that a crash leaves either the old
// content or the new, never half of one. rgflow writes every result,
// checkpoint, table and figure through it.
//
// A write goes to a temporary file beside its target (the file a symbolic
// link leads to, for a link), named
// .<target>.tmp-<pid>-<random>, which is synced and renamed over the
// target. A process killed in between leaves its temporary file behind;
// the next write to the same target removes every such file whose process
// is gone.
package atomicfile

import (
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"syscall"
	"time"
)

// File is one file of WriteAll.
type File struct {
	Path string
	Data []byte
}

// Write writes data to a temporary file beside path, syncs it and renames
// it over path. The file gets mode 0644. Errors name path.
func Write(path string, data []byte) error {
	return WriteAll([]File{{path, data}})
}

// WriteAll writes several files all or none, as far as a file system
// allows: every file is first written in full to its temporary file, and
// only when all of them are written are they renamed over their targets,
// so a failure (a full disk, a directory that cannot be written) leaves
// every target as it was.
func WriteAll(files []File) error {
	tmps := make([]string, 0, len(files))
	cleanup := func() {
		for _, t := range tmps {
			os.Remove(t)
		}
	}
	targets := make([]string, len(files))
	for i, f := range files {
		targets[i] = target(f.Path)
		CleanStale(targets[i])
		tmp, err := writeTemp(targets[i], f.Data)
		if err != nil {
			cleanup()
			return fmt.Errorf("cannot write %s: %v", f.Path, err)
		}
		tmps = append(tmps, tmp)
	}
	for i, f := range files {
		if err := os.Rename(tmps[i], targets[i]); err != nil {
			cleanup()
			return fmt.Errorf("cannot write %s: %v", f.Path, err)
		}
	}
	return nil
}

// target is the file a write to path replaces: path itself, or the file
// its symbolic links lead to, so that a link stays a link (and a link into
// /proc, such as /dev/stdout, is never replaced by a file).
func target(path string) string {
	for range 40 { // as many links as the kernel follows
		fi, err := os.Lstat(path)
		if err != nil || fi.Mode()&fs.ModeSymlink == 0 {
			return path
		}
		dest, err := os.Readlink(path)
		if err != nil {
			return path
		}
		if !filepath.IsAbs(dest) {
			dest = filepath.Join(filepath.Dir(path), dest)
		}
		path = dest
	}
	return path
}

// tempPrefix is the start of the temporary files of path's writes.
func tempPrefix(path string) string { return "." + filepath.Base(path) + ".tmp" }

func writeTemp(path string, data []byte) (string, error) {
	f, err := os.CreateTemp(filepath.Dir(path), tempPrefix(path)+"-"+strconv.Itoa(os.Getpid())+"-*")
	if err != nil {
		return "", err
	}
	tmp := f.Name()
	_, werr := f.Write(data)
	if werr == nil {
		werr = f.Sync()
	}
	if cerr := f.Close(); werr == nil {
		werr = cerr
	}
	if werr == nil {
		werr = os.Chmod(tmp, 0o644)
	}
	if werr != nil {
		os.Remove(tmp)
		return "", werr
	}
	return tmp, nil
}

// CleanStale removes the temporary files that killed writes to path left
// behind: those whose process no longer runs, and those of an unknown
// process (the older naming, without a pid) more than an hour old.
func CleanStale(path string) {
	prefix := tempPrefix(path)
	entries, err := os.ReadDir(filepath.Dir(path))
	if err != nil {
		return
	}
	for _, e := range entries {
		name := e.Name()
		rest, ok := strings.CutPrefix(name, prefix)
		if !ok || e.IsDir() {
			continue
		}
		full := filepath.Join(filepath.Dir(path), name)
		if pid, ok := tempPID(rest); ok {
			if pid != os.Getpid() && !alive(pid) {
				os.Remove(full)
			}
			continue
		}
		if fi, err := e.Info(); err == nil && time.Since(fi.ModTime()) > time.Hour {
			os.Remove(full)
		}
	}
}

// tempPID reads the pid of a temporary file's name after its prefix
// ("-1234-5678").
func tempPID(rest string) (int, bool) {
	rest, ok := strings.CutPrefix(rest, "-")
	if !ok {
		return 0, false
	}
	p, _, ok := strings.Cut(rest, "-")
	if !ok {
		return 0, false
	}
	pid, err := strconv.Atoi(p)
	return pid, err == nil && pid > 0
}

// alive reports whether a process with this pid exists (signal 0; a
// process of another user counts as alive).
func alive(pid int) bool {
	p, err := os.FindProcess(pid)
	if err != nil {
		return false
	}
	err = p.Signal(syscall.Signal(0))
	return err == nil || errors.Is(err, syscall.EPERM)
}
