//go:build !amd64 || !gc || purego

package kernels

// archImpls is empty where this package has no assembly: only the generic
// path exists.
var archImpls []*impl
