// Command rgflow-rep-a1eyx is a representation plugin built outside
// rgflow's module: a module of its own (go.mod) that imports the public
// package rgflow/plugins, as anyone's plugin would. It serves "A1Eyx":
// A1+E with the two E spins in the other order, (A1, E_y, E_x), given by
// its matrices. That is the built-in A1+E with the spins of each site
// relabelled, so rgflow's KL is the built-in's at the relabelled couplings
// (the test checks it), and J_0 is still the A1 (Ising) coupling.
//
// Build it with `go build` here; put the binary in rgflow's plugin
// directory (-plugins DIR, $RGFLOW_PLUGINS, or next to bin/rgflow) and
// train with `rgflow train -rep A1Eyx`. go.mod points at this repository
// with a replace directive; a module elsewhere replaces rgflow with the
// path of its own checkout of it.
package main

import "github.com/rgflow/rgflow/plugins"

func main() {
	plugins.Serve(plugins.Static{
		Name:   "A1Eyx",
		Irreps: "A1+E", // optional; rgflow checks it against the matrices' characters
		D:      3,
		// the rotation C4 (d×d, row-major): A1 fixed, E turned by 90°
		R: []float64{
			1, 0, 0,
			0, 0, 1,
			0, -1, 0,
		},
		// the mirror that fixes a bond: E_y ↦ −E_y
		Sigma: []float64{
			1, 0, 0,
			0, -1, 0,
			0, 0, 1,
		},
		// Basis nil: the canonical basis of mirror-invariant matrices
	})
}
