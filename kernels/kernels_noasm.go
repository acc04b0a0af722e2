//go:build !amd64 || !gc || purego

package kernels

// archPaths is empty where this package has no assembly: only the generic
// path exists.
var archPaths []path
