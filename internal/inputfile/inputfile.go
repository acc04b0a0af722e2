// Package inputfile is the one way rgflow reads a file it is given as
// input (experiment files, checkpoints, bench configurations, journals and
// status files): a regular file no larger than a limit. The type is checked
// with stat before the file is opened, so that a named pipe without a
// writer, a device such as /dev/zero or a directory is a sentence, not a
// read that blocks forever or fills the memory; the file is opened
// without blocking and checked again, in case it was replaced in between.
package inputfile

import (
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"

	"github.com/rgflow/rgflow/internal/humanize"
	"github.com/rgflow/rgflow/internal/sysmem"
)

// Limits of the inputs by kind. Text a person writes is small; state
// files grow with a run's epochs, so their limit is what the memory can
// decode (MemoryLimit).
const (
	// ConfigLimit bounds an experiment or bench configuration (TOML) and
	// the small files of a results directory.
	ConfigLimit = 4 << 20
	// minStateLimit is the smallest limit MemoryLimit gives.
	minStateLimit = 64 << 20
	// maxStateLimit is the largest (a checkpoint of ten million epochs is
	// about a gigabyte).
	maxStateLimit = 16 << 30
)

// MemoryLimit is the limit of a state file (a checkpoint, a journal): a
// quarter of the memory available, since decoding JSON takes a few times
// the file's size, between 64 MiB and 16 GiB.
func MemoryLimit() int64 {
	avail, _, ok := sysmem.Available()
	if !ok {
		return maxStateLimit
	}
	return min(max(int64(avail/4), minStateLimit), maxStateLimit)
}

// Error is a file that cannot be read as an input: Path and why, in a
// sentence that names the path ("x.toml is a named pipe (FIFO), not a
// regular file").
type Error struct {
	Path, Problem string
	Err           error // the underlying error, if any
}

func (e *Error) Error() string { return e.Path + " " + e.Problem }
func (e *Error) Unwrap() error { return e.Err }

// Check says whether path can be read as an input no larger than limit
// bytes, without opening it.
func Check(path string, limit int64) error {
	fi, err := os.Stat(path)
	if err != nil {
		return statError(path, err)
	}
	return checkInfo(path, fi, limit)
}

// Read returns the content of path: a regular file of at most limit
// bytes. Anything else is an *Error that says what the path is instead.
func Read(path string, limit int64) ([]byte, error) {
	f, err := Open(path, limit)
	if err != nil {
		return nil, err
	}
	defer f.Close()
	// the file may have grown since the stat: never read past the limit
	data, err := io.ReadAll(io.LimitReader(f, limit+1))
	if err != nil {
		return nil, &Error{Path: path, Problem: "cannot be read: " + unwrap(err).Error(), Err: err}
	}
	if int64(len(data)) > limit {
		return nil, tooLarge(path, int64(len(data)), limit)
	}
	return data, nil
}

// Open opens path for reading once it is known to be a regular file of
// at most limit bytes (for readers that stop early, such as a scan for
// the first record); the caller closes it and reads no more than limit.
func Open(path string, limit int64) (*os.File, error) {
	if err := Check(path, limit); err != nil {
		return nil, err
	}
	f, err := os.OpenFile(path, os.O_RDONLY|openFlags, 0)
	if err != nil {
		return nil, statError(path, err)
	}
	fi, err := f.Stat()
	if err == nil {
		err = checkInfo(path, fi, limit)
	} else {
		err = &Error{Path: path, Problem: "cannot be read: " + unwrap(err).Error(), Err: err}
	}
	if err != nil {
		f.Close()
		return nil, err
	}
	return f, nil
}

func checkInfo(path string, fi fs.FileInfo, limit int64) error {
	m := fi.Mode()
	switch {
	case m.IsRegular():
	case m.IsDir():
		return &Error{Path: path, Problem: "is a directory, not a file"}
	case m&fs.ModeNamedPipe != 0:
		return &Error{Path: path, Problem: "is a named pipe (FIFO), not a regular file; give a file"}
	case m&fs.ModeSocket != 0:
		return &Error{Path: path, Problem: "is a socket, not a regular file"}
	case m&fs.ModeDevice != 0:
		return &Error{Path: path, Problem: "is a device, not a regular file"}
	default:
		return &Error{Path: path, Problem: "is not a regular file"}
	}
	if fi.Size() > limit {
		return tooLarge(path, fi.Size(), limit)
	}
	return nil
}

func tooLarge(path string, size, limit int64) error {
	return &Error{Path: path, Problem: fmt.Sprintf("is %s, larger than the %s an input of its kind may be", humanize.Bytes(float64(size)), humanize.Bytes(float64(limit)))}
}

func statError(path string, err error) error {
	switch {
	case errors.Is(err, fs.ErrNotExist):
		return &Error{Path: path, Problem: "does not exist", Err: err}
	case errors.Is(err, fs.ErrPermission):
		return &Error{Path: path, Problem: "cannot be read: permission denied", Err: err}
	}
	return &Error{Path: path, Problem: "cannot be read: " + unwrap(err).Error(), Err: err}
}

// unwrap drops the *PathError's operation and path, which the message
// already names.
func unwrap(err error) error {
	var pe *fs.PathError
	if errors.As(err, &pe) {
		return pe.Err
	}
	return err
}
