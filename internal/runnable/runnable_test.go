package runnable

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// A file the kernel cannot execute is not runnable, and the reason says
// so; a program that starts is, whatever its exit status.
func TestCheck(t *testing.T) {
	junk := filepath.Join(t.TempDir(), "junk")
	if err := os.WriteFile(junk, []byte("\x7fELF\x02\x01\x01 not really a program"), 0o755); err != nil {
		t.Fatal(err)
	}
	if why := Check(junk); !strings.HasPrefix(why, "SKIPPED: "+junk) || !strings.Contains(why, "binfmt_misc") {
		t.Errorf("a file the kernel cannot execute: %q", why)
	}
	exe, err := os.Executable()
	if err != nil {
		t.Fatal(err)
	}
	if why := Check(exe, "-test.run=^$"); why != "" {
		// the case Check exists for: this test binary is emulated
		t.Skipf("this test binary cannot start itself here, so the runnable case is not checked: %s", why)
	}
	if why := Check(exe, "-test.run=^$", "-test.bogus"); why != "" {
		t.Errorf("the test binary failing: %q", why)
	}
}
