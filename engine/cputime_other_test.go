//go:build !unix

package engine

import "math"

// cpuSeconds is unknown on this system.
func cpuSeconds() float64 { return math.NaN() }
