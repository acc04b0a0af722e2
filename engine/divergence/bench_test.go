package divergence_test

import (
	"testing"

	"github.com/rgflow/rgflow/engine/divergence"
)

// BenchmarkKLSecondOrder: one exact evaluation with the Hessian and the
// mixed derivative (what one Newton step of the oracle needs), by each
// method where it runs.
func BenchmarkKLSecondOrder(b *testing.B) {
	for _, tc := range []struct {
		block, rep string
		method     divergence.Method
	}{
		{"free:3x3", "A1", divergence.Enumerate},
		{"free:3x3", "A1", divergence.Transfer},
		{"torus:3x3", "A1", divergence.Enumerate},
		{"torus:3x3", "A1", divergence.Transfer},
		{"free:6x6", "A1", divergence.Transfer},
		{"free:8x8", "A1", divergence.Transfer},
		{"torus:4x4", "A1", divergence.Transfer},
		{"torus:5x5", "A1", divergence.Transfer},
		{"torus:6x6", "A1", divergence.Transfer},
		{"free:2x2", "A1+E", divergence.Transfer},
	} {
		name := tc.block + "/" + tc.rep + "/" + map[divergence.Method]string{divergence.Enumerate: "enumerate", divergence.Transfer: "transfer"}[tc.method]
		b.Run(name, func(b *testing.B) {
			p := pair(b, tc.block, 1, tc.rep, "axis")
			p.Method = tc.method
			J, Jp := make([]float64, p.C), make([]float64, p.C)
			J[0], Jp[0] = 0.8, 0.78
			for b.Loop() {
				p.KLSecondOrder(J, Jp, true)
			}
		})
	}
}
