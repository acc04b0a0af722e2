//go:build linux

package dispatch

import (
	"time"

	"golang.org/x/sys/unix"
)

// Clock names what the calibration measures: the CPU time of the calling
// thread, which excludes the time other processes of a busy machine run
// while it waits (the caller locks its goroutine to the thread).
const Clock = "thread CPU time"

// threadTime is the calling thread's CPU time so far.
func threadTime() time.Duration {
	var ts unix.Timespec
	if err := unix.ClockGettime(unix.CLOCK_THREAD_CPUTIME_ID, &ts); err != nil {
		return time.Duration(time.Now().UnixNano())
	}
	return time.Duration(ts.Nano())
}
