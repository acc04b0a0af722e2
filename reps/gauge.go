package reps

import (
	"fmt"
	"math"

	"gonum.org/v1/gonum/mat"
)

// A Lieb-lattice model is unchanged, up to a relabelling of spins, when the
// spins of every site of one kind are transformed by a signed permutation P
// that commutes with R and σ: every bond matrix of that kind of site is then
// still mirror-invariant and still rotates with the bond. On a bond matrix
// (rows: the source site, columns: the target site) the relabelling acts
// from the left on the source side and from the right on the target side,
//
//	K ↦ P_src K P_tgtᵀ,
//
// and in the coupling basis it is a c×c matrix (CouplingAction). Which
// relabellings leave what unchanged is set out in docs/conventions.md
// ("Gauge"): relabelling the coarse block's hidden centre (the target side
// of J′) leaves every KL(J, ·) value unchanged, so the argmin of the KL is
// never unique; relabelling the visible corners transforms J (target side)
// and J′ (source side) together.

// GaugeGroup returns every d×d signed permutation matrix P (row-major) with
// P R = R P and P σ = σ P, the identity first. For A1 it has 2 elements
// (±1), for A1+E 4 (±1 on the A1 spin times ±1 on the E pair), for 2A1+E 16
// (the 8 signed permutations of the two A1 spins times ±1 on E).
func (r *Rep) GaugeGroup() [][]float64 {
	d := r.D
	var out [][]float64
	perm := make([]int, d)
	for i := range perm {
		perm[i] = i
	}
	P := make([]float64, d*d)
	// permutations in lexicographic order (identity first), signs as the
	// bits of a counter (all +1 first)
	for {
		for signs := 0; signs < 1<<d; signs++ {
			clear(P)
			for i, j := range perm {
				P[i*d+j] = 1 - 2*float64((signs>>i)&1)
			}
			if maxDiff(mul(d, P, r.R), mul(d, r.R, P)) < 1e-9 && maxDiff(mul(d, P, r.Sigma), mul(d, r.Sigma, P)) < 1e-9 {
				out = append(out, clone(P))
			}
		}
		if !nextPermutation(perm) {
			break
		}
	}
	return out
}

// nextPermutation advances p to the next permutation in lexicographic
// order and reports whether there was one.
func nextPermutation(p []int) bool {
	i := len(p) - 2
	for i >= 0 && p[i] >= p[i+1] {
		i--
	}
	if i < 0 {
		return false
	}
	j := len(p) - 1
	for p[j] <= p[i] {
		j--
	}
	p[i], p[j] = p[j], p[i]
	for a, b := i+1, len(p)-1; a < b; a, b = a+1, b-1 {
		p[a], p[b] = p[b], p[a]
	}
	return true
}

// Coefficients returns the coupling vector J with K(J) = K for a matrix K in
// the span of the basis (least squares; the basis need not be orthogonal).
// It panics if K is not in the span.
func (r *Rep) Coefficients(K []float64) []float64 {
	return r.Coefficienter()(K)
}

// Coefficienter returns Coefficients with the basis factorised once, for
// many matrices.
func (r *Rep) Coefficienter() func(K []float64) []float64 {
	d2, c := r.D*r.D, r.C()
	B := mat.NewDense(d2, c, nil)
	for a, Ba := range r.Basis {
		for i, v := range Ba {
			B.Set(i, a, v)
		}
	}
	var qr mat.QR
	qr.Factorize(B)
	return func(K []float64) []float64 {
		var x mat.Dense
		if err := qr.SolveTo(&x, false, mat.NewDense(d2, 1, clone(K))); err != nil {
			panic(fmt.Sprintf("reps: coupling basis of %s is singular: %v", r.Name, err))
		}
		J := mat.Col(nil, 0, &x)
		if back := r.K(J); maxDiff(back, K) > 1e-9*math.Max(1, maxAbsSlice(K)) {
			panic(fmt.Sprintf("reps: matrix is not in the coupling space of %s", r.Name))
		}
		return J
	}
}

// CouplingAction returns the c×c matrix A (row-major) of the relabelling
// K ↦ P_src K P_tgtᵀ in the coupling basis: K(A J) = P_src K(J) P_tgtᵀ.
// Either P may be nil for the identity.
func (r *Rep) CouplingAction(Psrc, Ptgt []float64) []float64 {
	return r.CouplingActor()(Psrc, Ptgt)
}

// CouplingActor returns CouplingAction with the basis factorised once, for
// many relabellings.
func (r *Rep) CouplingActor() func(Psrc, Ptgt []float64) []float64 {
	coef := r.Coefficienter()
	d, c := r.D, r.C()
	return func(Psrc, Ptgt []float64) []float64 {
		if Psrc == nil {
			Psrc = identity(d)
		}
		if Ptgt == nil {
			Ptgt = identity(d)
		}
		A := make([]float64, c*c)
		for a, Ba := range r.Basis {
			col := coef(mul(d, mul(d, Psrc, Ba), transpose(d, Ptgt)))
			for i, v := range col {
				A[i*c+a] = v
			}
		}
		return A
	}
}

func maxAbsSlice(x []float64) float64 {
	m := 0.0
	for _, v := range x {
		m = math.Max(m, math.Abs(v))
	}
	return m
}

// DiagonalMirror returns the matrix U of the "diagonal" coarse-mirror
// convention (docs/conventions.md): 1 on every A1 and A2 block and the
// counter-clockwise 45° rotation [[c, −s], [s, c]], c = s = 1/√2, on every
// E block, so that U commutes with R and U σ Uᵀ = R σ, the mirror that fixes
// the coarse bond c0 → h. B1 and B2 have no such U (a 45° turn would
// exchange them), and a representation given only by matrices has no
// irreps content to build it from; both are errors.
func (r *Rep) DiagonalMirror() ([]float64, error) {
	if r.Terms == nil {
		return nil, fmt.Errorf("the diagonal coarse mirror needs a representation written as a sum of irreps; %s is given by matrices", r.Name)
	}
	d := r.D
	U := make([]float64, d*d)
	off := 0
	h := 1 / math.Sqrt2
	for _, t := range r.Terms {
		for m := 0; m < t.Mult; m++ {
			switch t.Irrep {
			case "A1", "A2":
				U[off*d+off] = 1
				off++
			case "E":
				U[off*d+off], U[off*d+off+1] = h, -h
				U[(off+1)*d+off], U[(off+1)*d+off+1] = h, h
				off += 2
			default:
				return nil, fmt.Errorf("the diagonal coarse mirror is not defined for %s: it contains %s, which a 45° turn maps onto %s", r.Name, t.Irrep, map[string]string{"B1": "B2", "B2": "B1"}[t.Irrep])
			}
		}
	}
	return U, nil
}

// CoarseRotatedBasis returns ∂K′_r/∂J′_a for the coarse block under a
// coarse-mirror convention: R^r B_a (Rᵀ)^r for "axis" (U = nil), and
// R^r U B_a Uᵀ (Rᵀ)^r for "diagonal" (U from DiagonalMirror).
func (r *Rep) CoarseRotatedBasis(U []float64) [4][][]float64 {
	if U == nil {
		return r.RotatedBasis()
	}
	d := r.D
	var out [4][][]float64
	for n := 0; n < 4; n++ {
		out[n] = make([][]float64, r.C())
		for a, B := range r.Basis {
			out[n][a] = r.Rotate(mul(d, mul(d, U, B), transpose(d, U)), n)
		}
	}
	return out
}

// Multiply is the d×d product ab (row-major), for the packages that build
// on representations (their tests conjugate coupling matrices with it).
func Multiply(d int, a, b []float64) []float64 { return mul(d, a, b) }

// Transpose is the d×d transpose of a (row-major).
func Transpose(d int, a []float64) []float64 { return transpose(d, a) }
