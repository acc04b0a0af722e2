package oracle

import (
	"fmt"
	"math"

	"gonum.org/v1/gonum/mat"
)

// Shift is how far a learned fixed point lies from the exact map's, to
// first order, from the exact map's error at the learned one alone
// (docs/training.md, "The verdict in coupling units"). With the exact map
// M, its Jacobian A, the learned fixed point J* and δ = M(J*) − J*:
// M(J*) ≈ J*_exact + A(J* − J*_exact), so
//
//	J* − J*_exact ≈ (A − I)⁻¹ δ,
//
// and with A's relevant eigenvalue λ, right eigenvector v and left
// eigenvector u (uᵀA = λuᵀ, uᵀv = 1) the relevant component is
// uᵀ(J* − J*_exact) ≈ uᵀδ/(λ − 1), along v: the errors of the map are
// amplified by 1/(λ − 1) in the one direction that decides the critical
// coupling.
type Shift struct {
	Delta  []float64 // δ = M(J*) − J*
	Vector []float64 // (A − I)⁻¹ δ; nil when A − I is singular
	// Relevant is uᵀδ/(λ − 1) with v scaled to unit length (and its
	// largest component positive): the signed distance, in coupling
	// units, of J* from J*_exact along the relevant direction. NaN when A
	// has no real eigenvalue above 1.
	Relevant  float64
	Lambda    float64   // A's largest real eigenvalue above 1 (NaN if none)
	Direction []float64 // v, unit length; nil if there is no λ
}

// PredictShift is the Shift of a fixed point whose map error is delta,
// for the exact map's Jacobian A (c×c, row-major) there. A is evaluated
// at the learned fixed point rather than at the exact one: the two differ
// by O(|J* − J*_exact|), which changes the shift only at second order.
func PredictShift(A, delta []float64) (Shift, error) {
	c := len(delta)
	if len(A) != c*c {
		return Shift{}, fmt.Errorf("the Jacobian has %d entries for %d couplings", len(A), c)
	}
	sh := Shift{Delta: append([]float64(nil), delta...), Relevant: math.NaN(), Lambda: math.NaN()}
	AmI := mat.NewDense(c, c, append([]float64(nil), A...))
	for i := 0; i < c; i++ {
		AmI.Set(i, i, AmI.At(i, i)-1)
	}
	var x mat.VecDense
	if err := x.SolveVec(AmI, mat.NewVecDense(c, append([]float64(nil), delta...))); err == nil {
		sh.Vector = append([]float64(nil), x.RawVector().Data...)
	}
	sp, err := spectrumOf(A, c)
	if err != nil {
		return sh, err
	}
	if math.IsNaN(sp.lambda) {
		return sh, nil
	}
	// v → v/|v|, u → u·|v| keeps uᵀv = 1
	norm := math.Sqrt(dot(sp.right, sp.right))
	big := 0
	for i, x := range sp.right {
		if math.Abs(x) > math.Abs(sp.right[big]) {
			big = i
		}
	}
	s := math.Copysign(norm, sp.right[big])
	v, u := make([]float64, c), make([]float64, c)
	for i := range v {
		v[i] = sp.right[i] / s
		u[i] = sp.left[i] * s
	}
	sh.Lambda, sh.Direction = sp.lambda, v
	sh.Relevant = dot(u, delta) / (sp.lambda - 1)
	return sh, nil
}
