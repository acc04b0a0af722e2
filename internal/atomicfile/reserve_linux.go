package atomicfile

import (
	"errors"
	"os"
	"syscall"
)

// reserve allocates size bytes to f once its file system reports that
// much free space (so a probe never fills a disk), the allocation catching
// what the free space does not show (quotas, reserved blocks); where the
// file system cannot allocate ahead, the free space is all it goes by.
func reserve(f *os.File, size int64) error {
	if size <= 0 {
		return nil
	}
	var st syscall.Statfs_t
	if err := syscall.Fstatfs(int(f.Fd()), &st); err == nil && int64(st.Bavail)*int64(st.Bsize) < size {
		return syscall.ENOSPC
	}
	err := syscall.Fallocate(int(f.Fd()), 0, 0, size)
	if errors.Is(err, syscall.EOPNOTSUPP) || errors.Is(err, syscall.ENOSYS) {
		return nil
	}
	return err
}
