package engine

import (
	"fmt"
	"math"
	"math/rand/v2"
	"reflect"
	"testing"

	"github.com/rgflow/rgflow/kernels"
)

// loss L = Σ w ⊙ f(x) for fixed random weights w: its gradients in the
// parameters and in the input are checked against central differences.
func TestMLPGradientsFiniteDifference(t *testing.T) {
	rng := rand.New(rand.NewPCG(11, 12))
	for _, kind := range []struct {
		act  Activation
		norm bool
	}{{ReLU, false}, {SiLU, false}, {Tanh, false}, {ReLU, true}, {Tanh, true}} {
		act := kind.act
		net := NewMLP([]int{3, 7, 5, 2}, act, rng)
		if kind.norm { // layer norm, γ and β away from 1 and 0
			net.AddLayerNorm()
			for i := net.linearParams(); i < len(net.Params); i++ {
				net.Params[i] += 0.3 * rng.NormFloat64()
			}
		}
		batch := 4
		x := randomJ(rng, batch*3, 1)
		w := randomJ(rng, batch*2, 1)
		loss := func() float64 {
			y, _ := net.Forward(x, batch, nil)
			return dot(y, w)
		}
		_, tape := net.Forward(x, batch, nil)
		dp := make([]float64, net.NumParams())
		dx := make([]float64, batch*3)
		net.Backward(tape, w, dp, dx)
		const h = 1e-6
		check := func(what string, v []float64, i int, analytic float64) {
			old := v[i]
			v[i] = old + h
			up := loss()
			v[i] = old - h
			dn := loss()
			v[i] = old
			fd := (up - dn) / (2 * h)
			// ReLU has kinks; a finite difference straddling one is off, so
			// ReLU is held to the same tolerance but kinks are rare at h=1e-6.
			if math.Abs(fd-analytic) > 1e-6*math.Max(1, math.Abs(fd)) {
				t.Errorf("%v (layer norm %v): ∂L/∂%s[%d] = %.10g, finite difference %.10g", act, kind.norm, what, i, analytic, fd)
			}
		}
		for i := range net.Params {
			check("θ", net.Params, i, dp[i])
		}
		for i := range x {
			check("x", x, i, dx[i])
		}
	}
}

// The network's Jacobian against central differences, with and without
// layer normalisation (whose per-row state the batched backward pass must
// carry to every row).
func TestMLPJacobian(t *testing.T) {
	rng := rand.New(rand.NewPCG(13, 14))
	for _, norm := range []bool{false, true} {
		net := NewMLP([]int{4, 9, 7, 4}, SiLU, rng)
		if norm {
			net.AddLayerNorm()
			for i := range net.Params { // γ, β away from 1, 0
				net.Params[i] += 0.3 * rng.NormFloat64()
			}
		}
		x := randomJ(rng, 4, 1)
		f, jac := net.Jacobian(x)
		if maxDiffF(f, net.Eval(x)) != 0 {
			t.Fatalf("norm %v: Jacobian's f differs from Eval", norm)
		}
		const h = 1e-6
		for j := 0; j < 4; j++ {
			xp := append([]float64(nil), x...)
			xm := append([]float64(nil), x...)
			xp[j] += h
			xm[j] -= h
			fp, fm := net.Eval(xp), net.Eval(xm)
			for i := 0; i < 4; i++ {
				fd := (fp[i] - fm[i]) / (2 * h)
				if math.Abs(fd-jac[i*4+j]) > 1e-7 {
					t.Errorf("norm %v: ∂f_%d/∂x_%d = %v, finite difference %v", norm, i, j, jac[i*4+j], fd)
				}
			}
		}
	}
}

func maxDiffF(a, b []float64) float64 {
	m := 0.0
	for i := range a {
		m = math.Max(m, math.Abs(a[i]-b[i]))
	}
	return m
}

// Adam's first step moves every parameter by lr against its gradient sign.
func TestAdamFirstStep(t *testing.T) {
	a := NewAdam(3, 0.01, 0.9, 0.999, 1e-8)
	p := []float64{1, 1, 1}
	a.Step(p, []float64{2, -0.5, 0})
	want := []float64{0.99, 1.01, 1}
	for i := range p {
		if math.Abs(p[i]-want[i]) > 1e-9 {
			t.Fatalf("after one step %v, want %v", p, want)
		}
	}
}

// quadratic is an HMCTarget with f(J) = J, so U = β‖J‖² and exp(−U) is a Gaussian
// of variance 1/(2β) per component.
type quadratic struct{}

func (quadratic) Potential(J []float64, batch int, beta float64, U, grad []float64) {
	c := len(J) / batch
	for m := 0; m < batch; m++ {
		U[m] = beta * sqNorm(J[m*c:(m+1)*c])
		for a := 0; a < c; a++ {
			grad[m*c+a] = 2 * beta * J[m*c+a]
		}
	}
}

// The sampler's chains must settle into exp(−U): here a Gaussian of known
// variance. Large steps make the Metropolis test matter.
func TestHMCSamplesTarget(t *testing.T) {
	rng := rand.New(rand.NewPCG(15, 16))
	const batch, c, beta = 400, 2, 2.0
	J := make([]float64, batch*c)
	for i := range J {
		J[i] = 3 * rng.NormFloat64()
	}
	h := &HMC{Dt: 0.4, SolveSteps: 5, SampleSteps: 1}
	acc, n := 0, 0
	var sum2 float64
	count := 0
	for it := 0; it < 300; it++ {
		acc += h.Sample(quadratic{}, J, batch, c, beta, rng)
		n += batch
		if it >= 100 {
			for _, v := range J {
				sum2 += v * v
				count++
			}
		}
	}
	variance := sum2 / float64(count)
	if want := 1 / (2 * beta); math.Abs(variance-want) > 0.05*want {
		t.Errorf("sample variance %.4f, want %.4f", variance, want)
	}
	if rate := float64(acc) / float64(n); rate < 0.3 || rate > 0.999 {
		t.Errorf("acceptance %.3f: the Metropolis test looks inactive or broken", rate)
	}
}

func TestBetaSchedule(t *testing.T) {
	if b := Beta(250, 1000, 16, 0.25, 16); b != 8 {
		t.Errorf("β at e_a = %v, want β_T/2 = 8", b)
	}
	if b := Beta(0, 1000, 16, 0.25, 16); math.Abs(b-16/(1+math.Exp(4))) > 1e-12 {
		t.Errorf("β(0) = %v", b)
	}
}

// A point evaluated alone and inside Jacobian's batch gives the same bits,
// on the reference sizes (the products take the SIMD path there).
func TestEvalMatchesBatchBitForBit(t *testing.T) {
	rng := rand.New(rand.NewPCG(21, 22))
	for _, sizes := range [][]int{{5, 80, 80, 80, 5}, {10, 160, 160, 10}, {1, 16, 1}} {
		net := NewMLP(sizes, SiLU, rng)
		x := randomJ(rng, sizes[0], 1)
		f, _ := net.Jacobian(x)
		if e := net.Eval(x); maxDiffF(e, f) != 0 {
			t.Errorf("%v: Eval %v and Jacobian's f %v differ", sizes, e, f)
		}
	}
}

// The branch-free ReLU derivative keeps g exactly where z > 0: not at ±0,
// and it does keep tiny positive (subnormal) and infinite z.
func TestReluDerivativeEdgeCases(t *testing.T) {
	z := []float64{1, -1, 0, math.Copysign(0, -1), 1e-310, -1e-310, math.Inf(1), math.Inf(-1), 5e300}
	want := []float64{2, 0, 0, 0, 2, 0, 2, 0, 2}
	for _, name := range kernels.Available() {
		p, _ := kernels.Lookup(name)
		n := NewMLP([]int{1, 1}, ReLU, rand.New(rand.NewPCG(1, 2)), WithKernels(p))
		g := []float64{2, 2, 2, 2, 2, 2, 2, 2, 2}
		n.derivMul(g, z)
		for i := range g {
			if g[i] != want[i] {
				t.Errorf("%s: z = %v: g = %v, want %v", name, z[i], g[i], want[i])
			}
		}
	}
}

// HMC's chains do not depend on how many goroutines share the leapfrog,
// for both models: the same seed gives the same couplings bit for bit.
func TestHMCShardsSameChains(t *testing.T) {
	for _, model := range []string{"flow", "monotone", "monotone-norm"} {
		var ref []float64
		refAcc := 0
		for _, workers := range []int{1, 2, 3, 8, 40} {
			rng := rand.New(rand.NewPCG(51, 52))
			net := NewMLP([]int{5, 24, 24, 5}, SiLU, rng)
			var m HMCTarget = NewFlowModel(net)
			beta := 300.0
			if model != "flow" {
				m, _ = NewMonotoneModel(net)
			}
			if model == "monotone-norm" { // Hou & You's U = β‖f‖, sharded through its model
				form, _ := Potentials.Lookup("norm")
				m, beta = form(m), 30
			}
			J := randomJ(rng, 13*5, 1)
			h := HMC{Dt: 0.3, SolveSteps: 6, SampleSteps: 3, Workers: workers}
			acc := 0
			for e := 0; e < 3; e++ {
				acc += h.Sample(m, J, 13, 5, beta, rng)
			}
			if ref == nil {
				ref, refAcc = J, acc
				if acc == 0 || acc == 3*3*13 {
					t.Fatalf("%s: %d of %d proposals accepted: the test would not see a wrong Metropolis step", model, acc, 3*3*13)
				}
				continue
			}
			if acc != refAcc {
				t.Fatalf("%s: %d workers accept %d proposals, 1 worker %d", model, workers, acc, refAcc)
			}
			for i := range J {
				if math.Float64bits(J[i]) != math.Float64bits(ref[i]) {
					t.Fatalf("%s: %d workers: J[%d] = %v, 1 worker %v", model, workers, i, J[i], ref[i])
				}
			}
		}
	}
}

// A model's Frozen view gives the model's bits (its products read the
// transposed snapshot instead of the weights), for the flow model on the
// reference network and for monotone models, and a view taken after the
// parameters change follows them; the flow model's Map, which also reads
// a snapshot, gives the network's Forward bits.
func TestFrozenViewsSameBits(t *testing.T) {
	rng := rand.New(rand.NewPCG(61, 62))
	x := randomJ(rng, 11*5, 1)
	same := func(what string, got, want []float64) {
		t.Helper()
		if len(got) != len(want) {
			t.Fatalf("%s: %d values, want %d", what, len(got), len(want))
		}
		for i := range want {
			if math.Float64bits(got[i]) != math.Float64bits(want[i]) {
				t.Fatalf("%s: [%d] = %v, want %v", what, i, got[i], want[i])
			}
		}
	}
	check := func(name string, m Freezer, c int) {
		for round := 0; round < 2; round++ {
			fwant, jwant := m.FlowJacobian(x[:c])
			want := m.Flow(x[:c])
			bwant := append([]float64(nil), m.FlowBatch(x[:11*c], 11)...)
			v := m.Frozen()
			if fz, ok := v.(Freezer); !ok || fz.Frozen() != v {
				t.Fatalf("%s: a frozen view's own view is another one (a second snapshot)", name)
			}
			f, jac := v.FlowJacobian(x[:c])
			same(name+" FlowJacobian f", f, fwant)
			same(name+" FlowJacobian", jac, jwant)
			same(name+" Flow", v.Flow(x[:c]), want)
			same(name+" FlowBatch", v.FlowBatch(x[:11*c], 11), bwant)
			for i := range m.Params() { // the next round sees other weights
				m.Params()[i] *= 1.1
			}
		}
	}
	net := NewMLP([]int{5, 80, 80, 80, 80, 80, 5}, ReLU, rng)
	fm := NewFlowModel(net)
	check("flow", fm, 5)
	y, _ := net.Forward(x, 11, nil)
	want := make([]float64, len(y))
	for i := range y {
		want[i] = x[i] + y[i]
	}
	same("flow Map", fm.Map(x, 11), want)
	// Map shares a large batch's rows between goroutines: with layer
	// normalisation too
	ln := NewMLP([]int{5, 80, 80, 5}, Tanh, rng)
	ln.AddLayerNorm()
	lm := NewFlowModel(ln)
	y, _ = ln.Forward(x, 11, nil)
	for i := range y {
		want[i] = x[i] + y[i]
	}
	same("flow Map with layer norm", lm.Map(x, 11), want)
	for i, m := range monoCases(t) {
		check(fmt.Sprintf("monotone %d", i), m, m.N.In())
	}
}

// SampleAlongside gives Sample's chains, whatever the workers, and runs
// its side computation once.
func TestHMCSampleAlongside(t *testing.T) {
	var ref []float64
	for _, workers := range []int{1, 2, 3, 8} {
		for _, side := range []bool{false, true} {
			rng := rand.New(rand.NewPCG(53, 54))
			net := NewMLP([]int{5, 24, 24, 5}, SiLU, rng)
			m := NewFlowModel(net)
			J := randomJ(rng, 13*5, 1)
			h := HMC{Dt: 0.3, SolveSteps: 6, SampleSteps: 2, Workers: workers}
			calls, acc := 0, 0
			for e := 0; e < 3; e++ {
				if side {
					acc += h.SampleAlongside(m, J, 13, 5, 300, rng, func() { calls++ })
				} else {
					acc += h.Sample(m, J, 13, 5, 300, rng)
				}
			}
			if side && calls != 3 {
				t.Fatalf("%d workers: side ran %d times in 3 calls", workers, calls)
			}
			if ref == nil {
				if acc == 0 || acc == 3*2*13 {
					t.Fatalf("%d of %d proposals accepted: the test would not see a wrong leapfrog", acc, 3*2*13)
				}
				ref = J
				continue
			}
			for i := range J {
				if math.Float64bits(J[i]) != math.Float64bits(ref[i]) {
					t.Fatalf("%d workers, alongside %v: J[%d] = %v, want %v", workers, side, i, J[i], ref[i])
				}
			}
		}
	}
}

// A tape reused for a smaller batch (resliced buffers, old values behind
// them) gives the bits of a fresh one, forward and backward.
func TestTapeReusedForSmallerBatch(t *testing.T) {
	rng := rand.New(rand.NewPCG(83, 84))
	net := NewMLP([]int{5, 24, 24, 5}, ReLU, rng)
	x, dy := randomJ(rng, 12*5, 1), randomJ(rng, 12*5, 1)
	var tp Pass
	for _, batch := range []int{12, 11, 3, 12, 7} {
		_, tp = net.Forward(x, 12, tp) // fill the buffers
		y, t1 := net.Forward(x, batch, tp)
		tp = t1
		dx := make([]float64, batch*5)
		dp := make([]float64, net.NumParams())
		net.Backward(t1, dy, dp, dx)
		yf, tf := net.Forward(x, batch, nil)
		dxf := make([]float64, batch*5)
		dpf := make([]float64, net.NumParams())
		net.Backward(tf, dy, dpf, dxf)
		for i := range yf {
			if math.Float64bits(y[i]) != math.Float64bits(yf[i]) {
				t.Fatalf("batch %d: y[%d] = %v, fresh tape %v", batch, i, y[i], yf[i])
			}
		}
		if len(y) != batch*5 || !reflect.DeepEqual(dx, dxf) || !reflect.DeepEqual(dp, dpf) {
			t.Fatalf("batch %d: the reused tape's backward pass differs from a fresh one's", batch)
		}
	}
}
