// Package runnable tells a test whether a program it built can be started
// on this machine. A test binary cross-compiled for another architecture
// and run under qemu-user (make test-arm64) builds the programs it starts
// for that architecture too; without a binfmt_misc handler for it the
// kernel refuses them (ENOEXEC), and such a test skips, saying why,
// rather than fail.
package runnable

import (
	"errors"
	"fmt"
	"os/exec"
	"runtime"
	"syscall"
)

// Check starts path with args and waits for it: "" if it could be started
// (whatever it then did), else the sentence a test that needs it skips
// with.
func Check(path string, args ...string) string {
	err := exec.Command(path, args...).Run()
	if !errors.Is(err, syscall.ENOEXEC) {
		return ""
	}
	return fmt.Sprintf("SKIPPED: %s cannot be started here (%v): this %s test binary runs under an emulator without a binfmt_misc handler for the %s programs it builds (on Debian: apt-get install qemu-user-binfmt)",
		path, err, runtime.GOARCH, runtime.GOARCH)
}
