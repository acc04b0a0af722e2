package runnable

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// A program that starts is runnable whatever its exit status; a file the
// kernel cannot execute is not, and the reason says so.
func TestCheck(t *testing.T) {
	exe, err := os.Executable()
	if err != nil {
		t.Fatal(err)
	}
	if why := Check(exe, "-test.run=^$"); why != "" {
		t.Errorf("the test binary itself: %q", why)
	}
	if why := Check(exe, "-test.run=^$", "-test.bogus"); why != "" {
		t.Errorf("the test binary failing: %q", why)
	}
	junk := filepath.Join(t.TempDir(), "junk")
	if err := os.WriteFile(junk, []byte("\x7fELF\x02\x01\x01 not really a program"), 0o755); err != nil {
		t.Fatal(err)
	}
	if why := Check(junk); !strings.HasPrefix(why, "SKIPPED: "+junk) || !strings.Contains(why, "binfmt_misc") {
		t.Errorf("a file the kernel cannot execute: %q", why)
	}
}
