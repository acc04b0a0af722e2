//go:build race

package main

// Under -race the binary the tests run is built with the race detector
// too, so that the goroutines of the command itself (parallel instances,
// the read-out beside the signal handler, progress) are checked, not only
// the test's.
func init() { buildFlags = append(buildFlags, "-race") }
