//go:build !unix

package filelock

import (
	"errors"
	"os"
)

var (
	errHeld    = errors.New("held")
	errNoLocks = errors.New("no locks")
)

// lock: this system has no flock; the lock holds nothing.
func lock(*os.File) error { return errNoLocks }

func isReadOnly(error) bool { return false }
