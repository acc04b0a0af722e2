package oracle

import (
	"math"
	"testing"

	"gonum.org/v1/gonum/mat"
)

// The closed forms: for c = 1 the shift is δ/(λ − 1); for a diagonal
// Jacobian each component is δ_i/(λ_i − 1) and the relevant one is the
// component along the expanding axis.
func TestPredictShiftClosedForm(t *testing.T) {
	sh, err := PredictShift([]float64{1.36}, []float64{0.0036})
	if err != nil || math.Abs(sh.Relevant-0.01) > 1e-15 || math.Abs(sh.Vector[0]-0.01) > 1e-15 || sh.Lambda != 1.36 {
		t.Errorf("c = 1: %+v, %v; want a shift of 0.0036/0.36 = 0.01", sh, err)
	}
	sh, err = PredictShift([]float64{0.5, 0, 0, 1.5}, []float64{0.2, -0.1})
	if err != nil || math.Abs(sh.Relevant+0.2) > 1e-15 || math.Abs(sh.Vector[0]+0.4) > 1e-15 || math.Abs(sh.Vector[1]+0.2) > 1e-15 ||
		math.Abs(sh.Direction[1]-1) > 1e-15 {
		t.Errorf("diagonal: %+v, %v; want (−0.4, −0.2), relevant −0.2 along (0, 1)", sh, err)
	}
	if sh, err := PredictShift([]float64{0.5}, []float64{0.1}); err != nil || !math.IsNaN(sh.Relevant) || sh.Direction != nil {
		t.Errorf("no relevant direction: %+v, %v; want NaN", sh, err)
	}
}

// A planted case: a known nonlinear map M with a known fixed point y*,
// non-symmetric Jacobian and one relevant direction, and a learned map
// L = M + εg. The fixed point x* of L must lie where the prediction from
// δ = M(x*) − x* says, to first order: the prediction's error shrinks as
// ε², four times for each halving of ε, in the whole shift and in its
// relevant component.
func TestPredictShiftPlanted(t *testing.T) {
	ystar := []float64{0.5, -0.2, 0.3}
	// B = P diag(1.4, 0.6, 0.3) P⁻¹
	P := mat.NewDense(3, 3, []float64{1, 0.3, -0.2, 0.4, 1, 0.1, -0.3, 0.5, 1})
	var Pinv, B mat.Dense
	if err := Pinv.Inverse(P); err != nil {
		t.Fatal(err)
	}
	B.Mul(P, mat.NewDiagDense(3, []float64{1.4, 0.6, 0.3}))
	B.Mul(&B, &Pinv)
	Bf := mat.DenseCopyOf(&B).RawMatrix().Data
	exact := func(x []float64) (M, A []float64) {
		d := []float64{x[0] - ystar[0], x[1] - ystar[1], x[2] - ystar[2]}
		M, A = make([]float64, 3), append([]float64(nil), Bf...)
		for i := 0; i < 3; i++ {
			M[i] = ystar[i]
			for j := 0; j < 3; j++ {
				M[i] += Bf[i*3+j] * d[j]
			}
		}
		// quadratic terms (0.3 d0 d1, 0.2 d2², −0.4 d0²) and their derivatives
		M[0] += 0.3 * d[0] * d[1]
		M[1] += 0.2 * d[2] * d[2]
		M[2] -= 0.4 * d[0] * d[0]
		A[0*3+0] += 0.3 * d[1]
		A[0*3+1] += 0.3 * d[0]
		A[1*3+2] += 0.4 * d[2]
		A[2*3+0] -= 0.8 * d[0]
		return M, A
	}
	g := func(x []float64) (v, dv []float64) {
		return []float64{math.Sin(x[0]), math.Cos(x[1]) * x[2], x[0] * x[1]},
			[]float64{math.Cos(x[0]), 0, 0, 0, -math.Sin(x[1]) * x[2], math.Cos(x[1]), x[1], x[0], 0}
	}
	// relevant is uᵀd for B's eigenvectors: PredictShift on (B − I)d
	relevant := func(d []float64) float64 {
		bd := make([]float64, 3)
		for i := 0; i < 3; i++ {
			for j := 0; j < 3; j++ {
				bd[i] += Bf[i*3+j] * d[j]
			}
			bd[i] -= d[i]
		}
		sh, err := PredictShift(Bf, bd)
		if err != nil {
			t.Fatal(err)
		}
		return sh.Relevant
	}
	errs := func(eps float64) (whole, rel, size float64) {
		x := append([]float64(nil), ystar...)
		for it := 0; it < 50; it++ { // Newton on L(x) − x
			M, A := exact(x)
			gv, dg := g(x)
			F := make([]float64, 3)
			Jac := mat.NewDense(3, 3, nil)
			for i := 0; i < 3; i++ {
				F[i] = M[i] + eps*gv[i] - x[i]
				for j := 0; j < 3; j++ {
					v := A[i*3+j] + eps*dg[i*3+j]
					if i == j {
						v--
					}
					Jac.Set(i, j, v)
				}
			}
			var dx mat.VecDense
			if err := dx.SolveVec(Jac, mat.NewVecDense(3, F)); err != nil {
				t.Fatal(err)
			}
			for i := range x {
				x[i] -= dx.AtVec(i)
			}
		}
		M, A := exact(x)
		delta := make([]float64, 3)
		actual := make([]float64, 3)
		for i := range delta {
			delta[i] = M[i] - x[i]
			actual[i] = x[i] - ystar[i]
		}
		sh, err := PredictShift(A, delta)
		if err != nil || sh.Vector == nil || math.IsNaN(sh.Relevant) {
			t.Fatalf("ε = %g: %+v, %v", eps, sh, err)
		}
		return maxDist(sh.Vector, actual), math.Abs(sh.Relevant - relevant(actual)), maxAbs(actual)
	}
	w1, r1, s1 := errs(0.02)
	w2, r2, s2 := errs(0.01)
	t.Logf("ε = 0.02: shift %.4g, error %.3g (relevant %.3g); ε = 0.01: shift %.4g, error %.3g (relevant %.3g)", s1, w1, r1, s2, w2, r2)
	if s2 < 0.005 || w2 > 0.05*s2 || r2 > 0.05*s2 {
		t.Errorf("ε = 0.01: the prediction misses the shift %.4g by %.3g (relevant %.3g): not first-order accurate", s2, w2, r2)
	}
	for _, q := range []float64{w1 / w2, r1 / r2} {
		if q < 3 || q > 5.5 {
			t.Errorf("the prediction's error falls by %.2f when ε halves, want about 4 (second order)", q)
		}
	}
}

// The same on the exact A1 map through the code training uses: a learned
// map L(J) = M(J) + ε(1 + J²), its fixed point found by Newton, and
// Gap.Shift at it (the exact map's minimiser continued from L's image and
// its slope) against the actual distance from the exact fixed point.
func TestGapShiftA1(t *testing.T) {
	b := blocks(t, "A1", "axis")
	o := New(b)
	ystar := bisectA1(b)
	run := func(eps float64) (predicted, actual float64) {
		x := ystar
		for it := 0; it < 30; it++ {
			p, err := o.Minimize([]float64{x}, []float64{x})
			if err != nil {
				t.Fatal(err)
			}
			F := p.Jp[0] + eps*(1+x*x) - x
			x -= F / (p.Slope[0] + 2*eps*x - 1)
		}
		g, err := o.Gap([]float64{x}, []float64{x})
		if err != nil {
			t.Fatal(err)
		}
		sh, err := g.Shift()
		if err != nil {
			t.Fatal(err)
		}
		if math.Abs(sh.Delta[0]+eps*(1+x*x)) > 1e-8 {
			t.Errorf("δ = %v, want −ε(1 + x²) = %v", sh.Delta[0], -eps*(1+x*x))
		}
		return sh.Relevant, x - ystar
	}
	p1, a1 := run(0.004)
	p2, a2 := run(0.002)
	t.Logf("ε = 0.004: predicted %.5f, actual %.5f; ε = 0.002: predicted %.5f, actual %.5f", p1, a1, p2, a2)
	if math.Abs(p2-a2) > 0.05*math.Abs(a2) {
		t.Errorf("ε = 0.002: predicted shift %.5f, actual %.5f", p2, a2)
	}
	if q := math.Abs(p1-a1) / math.Abs(p2-a2); q < 3 || q > 5.5 {
		t.Errorf("the prediction's error falls by %.2f when ε halves, want about 4", q)
	}
}
