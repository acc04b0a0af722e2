package atomicfile

import (
	"os"
	"path/filepath"
	"strconv"
	"testing"
)

func TestWriteLeavesNoTemp(t *testing.T) {
	dir := t.TempDir()
	path := filepath.Join(dir, "out.json")
	if err := Write(path, []byte("one")); err != nil {
		t.Fatal(err)
	}
	if err := Write(path, []byte("two")); err != nil {
		t.Fatal(err)
	}
	entries, _ := os.ReadDir(dir)
	if len(entries) != 1 {
		t.Fatalf("directory holds %d files, want 1", len(entries))
	}
	if b, _ := os.ReadFile(path); string(b) != "two" {
		t.Fatalf("content %q", b)
	}
	if fi, _ := os.Stat(path); fi.Mode().Perm() != 0o644 {
		t.Errorf("mode %v, want 0644", fi.Mode().Perm())
	}
	if err := Write(filepath.Join(dir, "missing", "x"), nil); err == nil {
		t.Fatal("writing into a missing directory succeeded")
	}
}

// The temporary files of killed writes are removed by the next write to
// the same target; those of a live process and of other targets stay.
func TestStaleTempsAreCleanedUp(t *testing.T) {
	dir := t.TempDir()
	path := filepath.Join(dir, "run.ckpt")
	dead := filepath.Join(dir, ".run.ckpt.tmp-999999999-123")  // no such process
	live := filepath.Join(dir, ".run.ckpt.tmp-1-456")          // init runs
	other := filepath.Join(dir, ".other.json.tmp-999999999-7") // another target
	for _, p := range []string{dead, live, other} {
		if err := os.WriteFile(p, []byte("half"), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	if err := Write(path, []byte("state")); err != nil {
		t.Fatal(err)
	}
	if _, err := os.Stat(dead); err == nil {
		t.Error("the temporary file of a dead process is still there")
	}
	for _, p := range []string{live, other} {
		if _, err := os.Stat(p); err != nil {
			t.Errorf("%s was removed", filepath.Base(p))
		}
	}
}

// WriteAll writes nothing when one of its files cannot be written.
func TestWriteAllIsAllOrNone(t *testing.T) {
	dir := t.TempDir()
	good := filepath.Join(dir, "summary.json")
	err := WriteAll([]File{{good, []byte("{}")}, {filepath.Join(dir, "missing", "flow.png"), []byte("png")}})
	if err == nil {
		t.Fatal("no error")
	}
	if _, err := os.Stat(good); err == nil {
		t.Error("the first file was written although the second failed")
	}
	if entries, _ := os.ReadDir(dir); len(entries) != 0 {
		t.Errorf("left behind: %v", entries)
	}
}

// A write through a symbolic link replaces the file the link leads to and
// leaves the link a link; a link to something that is not a file in a
// writable directory (a pipe, as /dev/stdout can be) is an error, and the
// link stays as it was.
func TestWriteThroughSymlink(t *testing.T) {
	dir := t.TempDir()
	real, link := filepath.Join(dir, "real.json"), filepath.Join(dir, "link.json")
	if err := os.WriteFile(real, []byte("old"), 0o644); err != nil {
		t.Fatal(err)
	}
	if err := os.Symlink("real.json", link); err != nil {
		t.Fatal(err)
	}
	if err := Write(link, []byte("new")); err != nil {
		t.Fatal(err)
	}
	if fi, err := os.Lstat(link); err != nil || fi.Mode()&os.ModeSymlink == 0 {
		t.Errorf("the link was replaced (%v)", err)
	}
	if b, _ := os.ReadFile(real); string(b) != "new" {
		t.Errorf("the link's file holds %q", b)
	}
	r, w, err := os.Pipe()
	if err != nil {
		t.Fatal(err)
	}
	defer r.Close()
	defer w.Close()
	pipe := filepath.Join(dir, "pipe.json")
	if err := os.Symlink("/proc/self/fd/"+strconv.Itoa(int(w.Fd())), pipe); err != nil {
		t.Fatal(err)
	}
	if _, err := os.Stat("/proc/self/fd"); err != nil {
		t.Skip("no /proc/self/fd here")
	}
	if err := Write(pipe, []byte("x")); err == nil {
		t.Error("a write through a link to a pipe succeeded")
	}
	if fi, err := os.Lstat(pipe); err != nil || fi.Mode()&os.ModeSymlink == 0 {
		t.Errorf("the link to the pipe was replaced (%v)", err)
	}
}
