package engine

import (
	"math"
	"math/rand/v2"
	"testing"

	"gonum.org/v1/gonum/mat"

	"github.com/rgflow/rgflow/kernels"
)

// newtonSequential is Newton with the line search written out one trial
// at a time, as it was before the trials were batched: the definition the
// batched search must reproduce bit for bit.
func newtonSequential(m Model, start []float64, tol float64, maxIter int) Root {
	c := len(start)
	x := append([]float64(nil), start...)
	trial := make([]float64, c)
	f, jac := m.FlowJacobian(x)
	norm := sqNorm(f)
	for it := 1; it <= maxIter; it++ {
		A := mat.NewDense(c, c, jac)
		var dx mat.VecDense
		if err := dx.SolveVec(A, mat.NewVecDense(c, f)); err != nil {
			if cond, ok := err.(mat.Condition); !ok || math.IsInf(float64(cond), 0) {
				return Root{J: x, Iter: it}
			}
		}
		if full := maxAbs(dx.RawVector().Data); full <= tol {
			for i := range x {
				x[i] -= dx.AtVec(i)
			}
			return Root{J: x, Status: NewtonConverged, Iter: it}
		}
		t := 1.0
		var fn []float64
		nn := math.Inf(1)
		decreased := false
		for halving := 0; halving < 12; halving++ {
			for i := range trial {
				trial[i] = x[i] - t*dx.AtVec(i)
			}
			fn = m.Flow(trial)
			if nn = sqNorm(fn); nn < norm || nn == 0 {
				decreased = true
				break
			}
			t /= 2
		}
		step := t * maxAbs(dx.RawVector().Data)
		copy(x, trial)
		f, norm = fn, nn
		if step > tol || !decreased {
			_, jac = m.FlowJacobian(x)
		}
		if math.IsNaN(step) || math.IsInf(step, 0) || maxAbs(x) > 1e6 {
			return Root{J: x, Iter: it}
		}
		if step <= tol && (decreased || math.Sqrt(norm) < 1e-12) {
			return Root{J: x, Status: NewtonConverged, Iter: it}
		}
		if !decreased && step <= tol {
			return Root{J: x, Iter: it}
		}
	}
	return Root{J: x, Iter: maxIter}
}

// FlowBatch gives every point the bits of Flow, for both models and every
// kernel path; and Newton with the batched line search finds what the
// sequential one finds, bit for bit, on networks that converge and ones
// that make the line search fail (untrained, as the epoch-time suite's).
func TestNewtonBatchedLineSearch(t *testing.T) {
	rng := rand.New(rand.NewPCG(41, 42))
	for _, name := range kernels.Available() {
		p, _ := kernels.Lookup(name)
		for _, c := range []int{1, 5, 10} {
			for _, model := range []string{"flow", "monotone"} {
				for _, act := range []Activation{ReLU, SiLU} {
					net := NewMLP([]int{c, 24, 24, c}, act, rng, WithKernels(p))
					var m Model = NewFlowModel(net)
					if model == "monotone" {
						var err error
						if m, err = NewMonotoneModel(net); err != nil {
							t.Fatal(err)
						}
					}
					pts := randomJ(rng, 7*c, 1)
					fb := append([]float64(nil), m.FlowBatch(pts, 7)...)
					for r := 0; r < 7; r++ {
						f := m.Flow(pts[r*c : (r+1)*c])
						for i := range f {
							if math.Float64bits(f[i]) != math.Float64bits(fb[r*c+i]) {
								t.Fatalf("%s %s c=%d: FlowBatch row %d differs from Flow: %v vs %v", name, model, c, r, fb[r*c:(r+1)*c], f)
							}
						}
					}
					for trial := 0; trial < 4; trial++ {
						start := randomJ(rng, c, 0.8)
						want := newtonSequential(m, start, 1e-10, 50)
						got := Newton(m, start, 1e-10, 50)
						if got.Converged() != want.Converged() || got.Iter != want.Iter {
							t.Fatalf("%s %s c=%d: Newton converged %v in %d, sequential %v in %d", name, model, c, got.Converged(), got.Iter, want.Converged(), want.Iter)
						}
						for i := range got.J {
							if math.Float64bits(got.J[i]) != math.Float64bits(want.J[i]) {
								t.Fatalf("%s %s c=%d: Newton root %v, sequential %v", name, model, c, got.J, want.J)
							}
						}
					}
				}
			}
		}
	}
}

// FlowJacobian runs the primal pass once and copies it: its f and
// Jacobian are those of the pass over c copies of the point, bit for bit.
func TestFlowJacobianOnePrimalPass(t *testing.T) {
	rng := rand.New(rand.NewPCG(43, 44))
	for _, name := range kernels.Available() {
		p, _ := kernels.Lookup(name)
		for _, c := range []int{1, 5, 10} {
			for _, act := range []Activation{ReLU, SiLU, Tanh} {
				net := NewMLP([]int{c, 24, 17, c}, act, rng, WithKernels(p))
				x := randomJ(rng, c, 0.9)
				xs := make([]float64, c*c)
				for r := 0; r < c; r++ {
					copy(xs[r*c:(r+1)*c], x)
				}
				same := func(what string, got, want []float64) {
					t.Helper()
					for i := range want {
						if math.Float64bits(got[i]) != math.Float64bits(want[i]) {
							t.Fatalf("%s c=%d %v: %s differs: %v vs %v", name, c, act, what, got, want)
						}
					}
				}
				// flow: Forward over c copies and Backward with the identity
				y, tp := net.Forward(xs, c, nil)
				dy := make([]float64, c*c)
				for i := 0; i < c; i++ {
					dy[i*c+i] = 1
				}
				want := make([]float64, c*c)
				net.Backward(tp, dy, nil, want)
				f, jac := NewFlowModel(net).FlowJacobian(x)
				same("flow f", f, y[:c])
				same("flow Jacobian", jac, want)
				if act == ReLU {
					continue
				}
				// monotone: forward over c copies and the tangents in the unit directions
				mono, err := NewMonotoneModel(NewMLP([]int{c, 24, 17, 1}, act, rng, WithKernels(p)))
				if err != nil {
					t.Fatal(err)
				}
				var pass monoPass
				mono.forward(&pass, xs, c)
				eye := make([]float64, c*c)
				for i := 0; i < c; i++ {
					eye[i*c+i] = 1
				}
				wantF := make([]float64, c)
				for i := range wantF {
					wantF[i] = -pass.P[0][i]
				}
				mono.tangent(&pass, eye)
				wantJ := make([]float64, c*c)
				for i, v := range pass.Pd[0][:c*c] {
					wantJ[i] = -v
				}
				mf, mj := mono.FlowJacobian(x)
				same("monotone f", mf, wantF)
				same("monotone Jacobian", mj, wantJ)
			}
		}
	}
}
