// Package dispatch picks one implementation of a kernel set by name, for
// the packages under kernels/: each lists its paths fastest first, and
// RGFLOW_KERNELS (or a caller) names one, or none for the fastest this CPU
// and build support.
package dispatch

import "fmt"

// Path is what dispatch needs to know of an implementation.
type Path interface {
	Name() string
	Available() bool // this CPU and build can run it
}

// Choose returns the path called want, or the first available one when want
// is "". Naming a path this CPU or build lacks, or an unknown one, is an
// error that lists the available paths.
func Choose[P Path](paths []P, want string) (P, error) {
	for _, p := range paths {
		if p.Available() && (want == "" || want == p.Name()) {
			return p, nil
		}
		if want == p.Name() {
			var zero P
			return zero, fmt.Errorf("kernel path %q is not supported on this CPU (available: %v)", want, Names(paths))
		}
	}
	var zero P
	return zero, fmt.Errorf("unknown kernel path %q (available: %v)", want, Names(paths))
}

// Names lists the available paths, fastest first.
func Names[P Path](paths []P) []string {
	var out []string
	for _, p := range paths {
		if p.Available() {
			out = append(out, p.Name())
		}
	}
	return out
}
