package atomicfile

import (
	"os"
	"path/filepath"
	"strings"
	"syscall"
	"testing"
)

// smallFS mounts a tmpfs of size bytes for the test, or skips where that
// is not allowed (it needs root).
func smallFS(t *testing.T, size string) string {
	t.Helper()
	dir := t.TempDir()
	if err := syscall.Mount("tmpfs", dir, "tmpfs", 0, "size="+size); err != nil {
		t.Skipf("SKIPPED: cannot mount a small tmpfs here (%v); TestProbe covers the rest", err)
	}
	t.Cleanup(func() { syscall.Unmount(dir, syscall.MNT_DETACH) })
	return dir
}

// On a real small file system files that fit alone but not together are
// refused, and a write that does not fit leaves the target as it was.
func TestProbeOnASmallFileSystem(t *testing.T) {
	dir := smallFS(t, "256k")
	a, b := filepath.Join(dir, "a.json"), filepath.Join(dir, "b.ckpt")
	if err := Probe([]Room{{a, 100 << 10}, {b, 100 << 10}}); err != nil {
		t.Fatalf("200 KiB of 256: %v", err)
	}
	if err := Probe([]Room{{a, 150 << 10}, {b, 150 << 10}}); err == nil || !strings.Contains(err.Error(), "b.ckpt cannot be written") {
		t.Errorf("300 KiB of 256: %v", err)
	}
	if err := Write(a, []byte("old")); err != nil {
		t.Fatal(err)
	}
	if err := Write(a, make([]byte, 300<<10)); err == nil || !strings.Contains(err.Error(), "no space left") {
		t.Errorf("writing 300 KiB into 256: %v", err)
	}
	if got, _ := os.ReadFile(a); string(got) != "old" {
		t.Errorf("a write that did not fit left %d bytes in its target", len(got))
	}
	if entries, _ := os.ReadDir(dir); len(entries) != 1 {
		t.Errorf("%d files left, want the target alone", len(entries))
	}
}
