package oracle

import (
	"math"
	"math/cmplx"
	"sort"

	"gonum.org/v1/gonum/mat"

	"github.com/rgflow/rgflow/engine"
)

// ScalingDimensions returns the n leading scaling dimensions read from the
// fine block's visible distribution at J (Hou & You's read-out): with the
// four-corner probability tensor T[s0][s1][s2][s3] = P_f(v), the transfer
// matrix M[a][b] = Σ_c T[a][c][b][c] (corners c1 and c3 traced together,
// which closes the block into a cylinder along the c0–c2 diagonal) has
// eigenvalues λ_0 ≥ |λ_1| ≥ …, and Δ_i = −ln(|λ_i|/λ_0)/(2π). At the
// Ising critical point the leading one estimates Δ_σ = 1/8.
func ScalingDimensions(b *engine.Blocks, J []float64, n int) []float64 {
	S := b.S
	T := b.FineTables(J)
	logZ := b.FineLogZ(T)
	M := mat.NewDense(S, S, nil)
	for a := 0; a < S; a++ {
		for bb := 0; bb < S; bb++ {
			s := 0.0
			for c := 0; c < S; c++ {
				s += math.Exp(T[0][a*S+c] + T[1][c*S+bb] + T[2][bb*S+c] + T[3][a*S+c] - logZ)
			}
			M.Set(a, bb, s)
		}
	}
	var eig mat.Eigen
	if !eig.Factorize(M, mat.EigenNone) {
		return nil
	}
	vals := eig.Values(nil)
	mods := make([]float64, len(vals))
	for i, v := range vals {
		mods[i] = cmplx.Abs(v)
	}
	sort.Sort(sort.Reverse(sort.Float64Slice(mods)))
	var out []float64
	for i := 1; i <= n && i < len(mods); i++ {
		if mods[i] <= 0 {
			out = append(out, math.Inf(1))
			continue
		}
		out = append(out, -math.Log(mods[i]/mods[0])/(2*math.Pi))
	}
	return out
}
