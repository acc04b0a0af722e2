// Command rgflow-rep-e45 serves the representation "E45": the irrep E
// written in a basis turned by 45°. With Q the rotation by π/4 it serves
// R' = Q R Qᵀ and σ' = Q σ Qᵀ, where R and σ are E's matrices. R' = R up to
// rounding (plane rotations commute); σ' is the swap [[0,1],[1,0]] rather
// than diagonal, so the coupling basis is not
// the unit-matrix one: the host computes it from σ' (c = 2: the identity and
// the swap). It gives no irreps label on purpose, so it exercises the path
// that knows a representation only by its matrices.
package main

import (
	"math"

	"github.com/rgflow/rgflow/plugins"
)

func main() {
	c, s := math.Cos(math.Pi/4), math.Sin(math.Pi/4)
	Q := []float64{c, -s, s, c}
	R := []float64{0, -1, 1, 0}     // E: rotation by 90°
	sigma := []float64{1, 0, 0, -1} // E: mirror x → x, y → −y
	plugins.Serve(plugins.Static{
		Name:  "E45",
		D:     2,
		R:     conjugate(Q, R),
		Sigma: conjugate(Q, sigma),
	})
}

// conjugate returns Q A Qᵀ for 2×2 row-major matrices.
func conjugate(Q, A []float64) []float64 {
	out := make([]float64, 4)
	for i := 0; i < 2; i++ {
		for j := 0; j < 2; j++ {
			for k := 0; k < 2; k++ {
				for l := 0; l < 2; l++ {
					out[i*2+j] += Q[i*2+k] * A[k*2+l] * Q[j*2+l]
				}
			}
		}
	}
	return out
}
