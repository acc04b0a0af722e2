package atomicfile

import (
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"

	"github.com/rgflow/rgflow/internal/humanize"
)

// Room is a file about to be written and about how many bytes it will
// hold.
type Room struct {
	Path string
	Size int64
}

// Probe checks, before the work that produces them, that the files can be
// written: in each file's directory it creates a temporary file (so the
// directory exists and may be written) and reserves the file's size in it
// where the system allows (fallocate on Linux, else the free space the
// file system reports), keeping every reservation until all are made, so
// that files on one file system must fit together. Everything it creates
// is removed before it returns. The error names the file and the problem.
func Probe(files []Room) error {
	var made []string
	defer func() {
		for _, p := range made {
			os.Remove(p)
		}
	}()
	for _, f := range files {
		dir := filepath.Dir(target(f.Path))
		tmp, err := os.CreateTemp(dir, ".rgflow-probe-*")
		if err != nil {
			var pe *fs.PathError
			if errors.As(err, &pe) {
				err = pe.Err // not the probe's own name
			}
			return fmt.Errorf("%s cannot be written: no file can be created in %s (%v)", f.Path, dir, err)
		}
		made = append(made, tmp.Name())
		err = reserve(tmp, f.Size)
		tmp.Close()
		if err != nil {
			return fmt.Errorf("%s cannot be written: %s lacks room for its %s (%v)", f.Path, dir, humanize.Bytes(float64(f.Size)), err)
		}
	}
	return nil
}
