package inputfile

import (
	"os"
	"path/filepath"
	"strings"
	"syscall"
	"testing"
	"time"
)

// Read gives a regular file's content and refuses, with a sentence naming
// the path and without blocking or reading without end, everything else:
// a named pipe with no writer, a device that never ends, a directory, a
// file over the limit, a missing file.
func TestRead(t *testing.T) {
	dir := t.TempDir()
	ok := filepath.Join(dir, "ok.toml")
	if err := os.WriteFile(ok, []byte("epochs = 5\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	if data, err := Read(ok, 11); err != nil || string(data) != "epochs = 5\n" {
		t.Fatalf("Read(ok) = %q, %v", data, err)
	}
	big := filepath.Join(dir, "big")
	if err := os.WriteFile(big, nil, 0o644); err != nil {
		t.Fatal(err)
	}
	if err := os.Truncate(big, 1<<40); err != nil { // sparse: no disk used
		t.Fatal(err)
	}
	fifo := filepath.Join(dir, "fifo")
	if err := syscall.Mkfifo(fifo, 0o644); err != nil {
		t.Skipf("no named pipes here: %v", err)
	}
	for _, tc := range []struct {
		path  string
		limit int64
		want  string
	}{
		{ok, 10, "ok.toml is 11 bytes, larger than the 10 bytes an input of its kind may be"},
		{big, ConfigLimit, "big is 1 TiB, larger than the 4 MiB"},
		{fifo, ConfigLimit, "fifo is a named pipe (FIFO), not a regular file"},
		{"/dev/zero", ConfigLimit, "/dev/zero is a device, not a regular file"},
		{dir, ConfigLimit, " is a directory, not a file"},
		{filepath.Join(dir, "none"), ConfigLimit, "none does not exist"},
	} {
		begin := time.Now()
		data, err := Read(tc.path, tc.limit)
		if err == nil || !strings.Contains(err.Error(), tc.want) {
			t.Errorf("Read(%s) = %d bytes, %v; want an error with %q", tc.path, len(data), err, tc.want)
		}
		if d := time.Since(begin); d > time.Second {
			t.Errorf("Read(%s) took %v", tc.path, d)
		}
	}
}

// The limit of state files follows the memory, within its bounds.
func TestMemoryLimit(t *testing.T) {
	if l := MemoryLimit(); l < minStateLimit || l > maxStateLimit {
		t.Errorf("MemoryLimit() = %d, outside [%d, %d]", l, minStateLimit, maxStateLimit)
	}
}
