//go:build amd64 && gc && !purego

package dense

// archPaths will hold the assembly paths.
var archPaths []*path
