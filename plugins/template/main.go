//go:build ignore

// Template for a representation plugin. To make your own:
//
//  1. Pick a name; its slug (plugins.Slug: lower-case, only [a-z0-9]) names
//     the binary. For "MyRep" that is rgflow-rep-myrep.
//  2. Copy this file to cmd/rgflow-rep-<slug>/main.go and delete the
//     //go:build ignore line at the top (it keeps the template out of
//     `go build ./...` and `go vet ./...`).
//  3. Fill in Describe. `make build` then puts the plugin in bin/, next to
//     rgflow, and `rgflow ... -rep MyRep` finds it.
//
// See plugins/README.md for what the host validates.
package main

import (
	"context"

	"github.com/rgflow/rgflow/plugins"
)

// myRep serves the representation. The host calls Describe once, at
// set-up, with a deadline (10 s by default), then stops the process: keep
// it quick and free of side effects.
type myRep struct{}

func (myRep) Describe(ctx context.Context) (*plugins.Description, error) {
	// If the representation is a plain sum of irreps, the one-liner
	//	desc, err := plugins.BuiltinDescription("A2+E")
	// gives exactly the built-in matrices and basis. Otherwise spell the
	// matrices out, as here (this one is A2+E, component order A2, E_x, E_y).
	return &plugins.Description{
		Name: "MyRep",
		// Optional. When set, the host checks that the matrices carry this
		// representation (same d, same characters). Leave it empty for a
		// representation you know only by its matrices.
		Irreps: "A2+E",
		D:      3,
		// Image of the rotation C4, d×d row-major: R⁴ = I, orthogonal.
		R: []float64{
			1, 0, 0,
			0, 0, -1,
			0, 1, 0,
		},
		// Image of the mirror that fixes a bond: σ² = I, orthogonal,
		// σRσ = R⁻¹.
		Sigma: []float64{
			-1, 0, 0,
			0, 1, 0,
			0, 0, -1,
		},
		// Optional coupling basis: each matrix B mirror-invariant
		// (σ B σᵀ = B), all linearly independent. Leave it nil to get the
		// canonical basis of mirror-invariant matrices (for a diagonal σ:
		// the unit matrices E_ij with σ_ii σ_jj = +1, row-major order).
		Basis: nil,
	}, nil
}

func main() { plugins.Serve(myRep{}) }
