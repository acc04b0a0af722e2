package atomicfile

import (
	"os"
	"path/filepath"
	"runtime"
	"strings"
	"syscall"
	"testing"
)

// Probe passes for files that fit and fails, naming the file, for one
// larger than its file system's free space or in a directory that does
// not exist; it leaves nothing behind.
func TestProbe(t *testing.T) {
	dir := t.TempDir()
	out := filepath.Join(dir, "s.json")
	if err := Probe([]Room{{out, 1 << 20}, {filepath.Join(dir, "f.png"), 4096}}); err != nil {
		t.Fatalf("1 MiB and 4 KiB: %v", err)
	}
	if err := Probe([]Room{{filepath.Join(dir, "none", "s.json"), 10}}); err == nil || !strings.Contains(err.Error(), "no file can be created in") {
		t.Errorf("a missing directory: %v", err)
	}
	if runtime.GOOS == "linux" {
		var st syscall.Statfs_t
		if err := syscall.Statfs(dir, &st); err != nil {
			t.Fatal(err)
		}
		free := int64(st.Bavail) * int64(st.Bsize)
		err := Probe([]Room{{out, free + 1<<30}})
		if err == nil || !strings.Contains(err.Error(), out+" cannot be written: "+dir+" lacks room for its") {
			t.Errorf("%d bytes more than the free space: %v", free+1<<30, err)
		}
	}
	if entries, _ := os.ReadDir(dir); len(entries) != 0 {
		t.Errorf("Probe left %d files behind", len(entries))
	}
}
