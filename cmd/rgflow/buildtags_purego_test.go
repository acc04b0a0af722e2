//go:build purego

package main

// buildFlags build the binary the tests run as the test binary itself was
// built, so that an in-process run and the binary's share a kernel path.
var buildFlags = []string{"-tags", "purego"}
