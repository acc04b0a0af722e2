package main

import (
	"encoding/json"
	"fmt"
	"io"
	"io/fs"
	"os"
	"path/filepath"
	"strings"
	"sync"

	"github.com/rgflow/rgflow/internal/atomicfile"
	"github.com/rgflow/rgflow/internal/filelock"
	"github.com/rgflow/rgflow/internal/quote"
)

// stdout is the commands' standard output for their results; it keeps
// its first write error, so that a result written to a full disk or a
// closed descriptor does not end in exit code 0 (main checks it).
var stdout = &checkedWriter{w: os.Stdout}

type checkedWriter struct {
	w   io.Writer
	mu  sync.Mutex
	err error
}

func (c *checkedWriter) Write(p []byte) (int, error) {
	n, err := c.w.Write(p)
	if err != nil {
		c.mu.Lock()
		if c.err == nil {
			c.err = err
		}
		c.mu.Unlock()
	}
	return n, err
}

// failed is the first write error (nil if none).
func (c *checkedWriter) failed() error {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.err
}

// jsonFlagHelp is the help of every command's -json flag: a file path, or
// "-" for standard output.
const jsonFlagHelp = `write the result as JSON to this file ("-": standard output)`

// legacyJSON rewrites a bare -json (the old switch of eval and oracle,
// followed by nothing or by another flag) into -json=- and says so once:
// -json now takes a file name in every command, "-" meaning standard
// output. The old form keeps working for this release.
func legacyJSON(cmd string, args []string) []string {
	out := append([]string(nil), args...)
	for i, a := range out {
		if a != "-json" && a != "--json" {
			continue
		}
		if i+1 == len(out) || strings.HasPrefix(out[i+1], "-") && out[i+1] != "-" {
			out[i] = "-json=-"
			fmt.Fprintf(os.Stderr, "rgflow %s: note: a bare -json is deprecated; write -json - for standard output or -json FILE\n", cmd)
		}
	}
	return out
}

// writeJSON writes v as indented JSON to path ("-": standard output),
// atomically when it is a file.
func writeJSON(path string, v any) error {
	data, err := json.MarshalIndent(v, "", "  ")
	if err != nil {
		return err
	}
	data = append(data, '\n')
	if path == "-" {
		if _, err := stdout.Write(data); err != nil {
			return fmt.Errorf("cannot write the results to standard output: %v", err)
		}
		return nil
	}
	return atomicfile.Write(path, data)
}

// file is a file a command reads or writes, as its command line (or
// configuration) names it; size is about how many bytes an output will
// hold (0: a few kilobytes).
type file struct {
	flag, path string
	size       int64
}

// checkFiles fails, before any work starts, when an output could not be
// written — its directory is missing or not writable, it exists as
// something other than a regular file (a directory, a device such as
// /dev/null, a named pipe), its file system lacks the room for it and the
// other outputs (atomicfile.Probe) — when two outputs name one file, or
// when an output names an input: an input is never overwritten. mayReplace,
// if not nil, says which input an output may be (train's -checkpoint is the
// file -resume reads, by design). "" and "-" (standard output) are no file.
func checkFiles(inputs, outputs []file, mayReplace func(in, out file) bool) error {
	var rooms []atomicfile.Room
	for i, out := range outputs {
		if out.path == "" || out.path == "-" {
			continue
		}
		for _, in := range inputs {
			if in.path != "" && in.path != "-" && sameFile(in.path, out.path) && (mayReplace == nil || !mayReplace(in, out)) {
				return fmt.Errorf("-%s %s names the input -%s %s, which rgflow never overwrites; give the output another name", out.flag, quote.Cut(out.path), in.flag, quote.Cut(in.path))
			}
		}
		for _, prev := range outputs[:i] {
			if prev.path != "" && prev.path != "-" && sameFile(prev.path, out.path) {
				return fmt.Errorf("-%s and -%s name the same file %s; give each its own", prev.flag, out.flag, quote.Cut(out.path))
			}
		}
		if err := checkWritable(out.flag, out.path); err != nil {
			return err
		}
		rooms = append(rooms, atomicfile.Room{Path: out.path, Size: max(out.size, 64<<10)})
	}
	if err := atomicfile.Probe(rooms); err != nil {
		for _, out := range outputs {
			if strings.HasPrefix(err.Error(), out.path+" ") {
				return fmt.Errorf("-%s %v", out.flag, err)
			}
		}
		return err
	}
	return nil
}

// checkWritable fails when path ("-" aside) exists as something rgflow
// cannot replace with a file, or its directory does not exist.
func checkWritable(flagName, path string) error {
	if path == "" || path == "-" {
		return nil
	}
	if fi, err := os.Stat(path); err == nil {
		m := fi.Mode()
		switch {
		case m.IsDir():
			return fmt.Errorf("-%s %s is a directory, not a file", flagName, quote.Cut(path))
		case m&fs.ModeDevice != 0, m&fs.ModeNamedPipe != 0, m&fs.ModeSocket != 0, !m.IsRegular():
			what := map[bool]string{true: "a named pipe", false: "a device"}[m&fs.ModeNamedPipe != 0]
			if m&fs.ModeSocket != 0 {
				what = "a socket"
			}
			return fmt.Errorf("-%s %s is %s, not a file: rgflow writes an output whole and renames it into place (give a file name, or - for standard output)", flagName, quote.Cut(path), what)
		}
	}
	dir := filepath.Dir(path)
	if fi, err := os.Stat(dir); err != nil || !fi.IsDir() {
		return fmt.Errorf("-%s %s cannot be written: directory %s does not exist", flagName, quote.Cut(path), quote.Cut(dir))
	}
	return nil
}

// sameFile reports whether two paths name one file: the same path once
// made absolute and clean (also for a file that does not exist yet), or
// two names (links) of one existing file.
func sameFile(a, b string) bool {
	if canonicalPath(a) == canonicalPath(b) {
		return true
	}
	fa, ea := os.Stat(a)
	fb, eb := os.Stat(b)
	return ea == nil && eb == nil && os.SameFile(fa, fb)
}

// canonicalPath is path made absolute and clean, with symbolic links in
// its directory resolved where they can be, so that two spellings of one
// file compare equal.
func canonicalPath(path string) string {
	abs, err := filepath.Abs(path)
	if err != nil {
		return filepath.Clean(path)
	}
	if dir, err := filepath.EvalSymlinks(filepath.Dir(abs)); err == nil {
		return filepath.Join(dir, filepath.Base(abs))
	}
	return abs
}

// checkPluginDir refuses a plugin directory named explicitly (the -plugins
// flag, else $RGFLOW_PLUGINS) that does not exist or is not a directory.
// The default, the directory of the rgflow binary, always exists.
func checkPluginDir(flagValue string) error {
	name, dir := "-plugins", flagValue
	if dir == "" {
		name, dir = "RGFLOW_PLUGINS", os.Getenv("RGFLOW_PLUGINS")
	}
	if dir == "" {
		return nil
	}
	fi, err := os.Stat(dir)
	switch {
	case err != nil:
		return fmt.Errorf("%s %s: no such directory", name, dir)
	case !fi.IsDir():
		return fmt.Errorf("%s %s is a file, not a directory of plugins", name, dir)
	}
	return nil
}

// lockCheckpoint takes the lock of a checkpoint file (filelock: the file
// path.lock beside it) for as long as the run works on it, so that a
// second run resuming or writing the same checkpoint is refused with a
// sentence naming the first; release gives it up. No path, or one that is
// not a file (which reading or writing it refuses), no lock.
func lockCheckpoint(path string) (release func(), err error) {
	if fi, err := os.Stat(path); path == "" || err == nil && !fi.Mode().IsRegular() {
		return func() {}, nil
	}
	// one lock whatever link names the checkpoint: the file it leads to
	target := path
	if real, err := filepath.EvalSymlinks(path); err == nil {
		target = real
	}
	l, err := filelock.Acquire(target+".lock", "the checkpoint "+quote.Cut(path))
	if err != nil {
		return nil, err
	}
	return l.Release, nil
}
