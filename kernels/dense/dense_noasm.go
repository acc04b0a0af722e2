//go:build !amd64 || !gc || purego

package dense

// archPaths is empty where this package has no assembly: only the generic
// path exists.
var archPaths []*path
