//go:build !linux

package atomicfile

import "os"

// reserve does nothing where there is no fallocate: the file's creation
// has shown that its directory can be written, and the write itself will
// tell if the disk is full.
func reserve(*os.File, int64) error { return nil }
