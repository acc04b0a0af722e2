//go:build unix

package filelock

import (
	"errors"
	"os"
	"syscall"
)

var (
	errHeld    = errors.New("held")
	errNoLocks = errors.New("no locks")
)

// lock takes an exclusive flock without waiting.
func lock(f *os.File) error {
	err := syscall.Flock(int(f.Fd()), syscall.LOCK_EX|syscall.LOCK_NB)
	switch {
	case errors.Is(err, syscall.EWOULDBLOCK):
		return errHeld
	case errors.Is(err, syscall.ENOLCK), errors.Is(err, syscall.EOPNOTSUPP):
		return errNoLocks
	}
	return err
}

func isReadOnly(err error) bool { return errors.Is(err, syscall.EROFS) }
