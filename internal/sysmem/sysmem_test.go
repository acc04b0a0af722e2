package sysmem

import (
	"os"
	"path/filepath"
	"runtime"
	"testing"
)

func TestMemAvailable(t *testing.T) {
	p := filepath.Join(t.TempDir(), "meminfo")
	os.WriteFile(p, []byte("MemTotal:       24000000 kB\nMemFree:        1000 kB\nMemAvailable:   2048 kB\n"), 0o644)
	if v, ok := memAvailable(p); !ok || v != 2048*1024 {
		t.Errorf("memAvailable = %d, %v; want 2 MiB", v, ok)
	}
	if _, ok := memAvailable(filepath.Join(t.TempDir(), "none")); ok {
		t.Error("a missing file gave a figure")
	}
}

func TestAvailableOnLinux(t *testing.T) {
	if runtime.GOOS != "linux" {
		t.Skip("reads /proc/meminfo, which only Linux has")
	}
	v, src, ok := Available()
	if !ok || v == 0 || src == "" {
		t.Fatalf("Available() = %d, %q, %v", v, src, ok)
	}
}
