//go:build !linux

package dispatch

import "time"

// Clock names what the calibration measures: wall time here (this build
// reads no per-thread CPU clock), so a busy machine adds noise, which the
// decision's margin and repeated trials absorb.
const Clock = "wall time"

var epoch = time.Now()

// threadTime is the time since the program started.
func threadTime() time.Duration { return time.Since(epoch) }
