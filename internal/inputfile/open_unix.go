//go:build unix

package inputfile

import "syscall"

// openFlags opens without blocking: a file replaced by a named pipe
// between the stat and the open is then refused by the check after it,
// instead of waiting for a writer.
const openFlags = syscall.O_NONBLOCK
