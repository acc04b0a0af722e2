// Test plugin: valid E matrices, but a coupling basis matrix E_01 that the
// mirror σ = diag(1, −1) flips (σ E_01 σᵀ = −E_01).
package main

import "github.com/rgflow/rgflow/plugins"

func main() {
	plugins.Serve(plugins.Static{
		Name:  "BadBasis",
		D:     2,
		R:     []float64{0, -1, 1, 0},
		Sigma: []float64{1, 0, 0, -1},
		Basis: [][]float64{{0, 1, 0, 0}, {1, 0, 0, 0}},
	})
}
