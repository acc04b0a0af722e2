package engine

import (
	"math"
	"math/rand/v2"
	"testing"
)

// monoCases are small networks with each smooth activation, c = 1 and 5.
func monoCases(t *testing.T) []*MonotoneModel {
	t.Helper()
	rng := rand.New(rand.NewPCG(41, 42))
	var out []*MonotoneModel
	for _, norm := range []bool{false, true} {
		for _, act := range []Activation{Tanh, SiLU} {
			for _, sizes := range [][]int{{1, 6, 1}, {5, 7, 6, 5}, {3, 4}} {
				n := NewMLP(sizes, act, rng)
				if norm {
					n.AddLayerNorm()
				}
				for i := range n.Params { // larger weights: curvature of order one
					n.Params[i] *= 1.5
					if norm { // and γ, β away from 1, 0
						n.Params[i] += 0.3 * rng.NormFloat64()
					}
				}
				m, err := NewMonotoneModel(n)
				if err != nil {
					t.Fatal(err)
				}
				out = append(out, m)
			}
		}
	}
	return out
}

func closeTo(got, want, tol float64) bool {
	return math.Abs(got-want) <= tol*(1+math.Abs(want))
}

func TestMonotoneShapeAndActivation(t *testing.T) {
	rng := rand.New(rand.NewPCG(43, 44))
	n := NewMLP([]int{5, 80, 80, 5}, ReLU, rng)
	W, b := n.layer(n.Params, 2)
	w0, b0 := append([]float64(nil), W[:80]...), b[0]
	m, err := NewMonotoneModel(n)
	if err != nil {
		t.Fatal(err)
	}
	if n.Out() != 1 || n.Act != Tanh || len(n.Params) != n.NumParams() {
		t.Fatalf("network after NewMonotoneModel: sizes %v, %v, %d params (want %d)", n.Sizes, n.Act, len(n.Params), n.NumParams())
	}
	W, b = n.layer(n.Params, 2)
	for i := range w0 {
		if W[i] != w0[i] {
			t.Fatal("the output layer is not the first unit of the original one")
		}
	}
	if b[0] != b0 || m.Net() != n {
		t.Fatal("the output bias or the network changed")
	}
	// the trainer sizes its optimiser after building the model
	cfg := DefaultConfig()
	cfg.Model, cfg.Epochs = "monotone", 2
	tr, err := NewTrainer(cfg, mustBlocks(t, "A1").Rep)
	if err != nil {
		t.Fatal(err)
	}
	if len(tr.Opt.M) != len(tr.Model.Params()) || tr.Model.Net().Out() != 1 {
		t.Fatalf("trainer: Adam has %d moments for %d parameters", len(tr.Opt.M), len(tr.Model.Params()))
	}
	if _, err := tr.Step(); err != nil {
		t.Fatal(err)
	}
}

// C(0) = 0 exactly, C = net − net(0), and the map is J − ∇C.
func TestMonotoneValueAndGradient(t *testing.T) {
	rng := rand.New(rand.NewPCG(45, 46))
	for _, m := range monoCases(t) {
		c := m.N.In()
		if v := m.Value(make([]float64, c)); v != 0 {
			t.Fatalf("C(0) = %v", v)
		}
		const B = 4
		J := randomJ(rng, B*c, 1)
		Jp := append([]float64(nil), m.Map(J, B)...)
		for r := 0; r < B; r++ {
			x := J[r*c : (r+1)*c]
			if got, want := m.Value(x), m.N.Eval(x)[0]-m.N.Eval(make([]float64, c))[0]; !closeTo(got, want, 1e-14) {
				t.Fatalf("C(J) = %v, net(J) − net(0) = %v", got, want)
			}
			f := m.Flow(x)
			for a := 0; a < c; a++ {
				const h = 1e-5
				p, q := append([]float64(nil), x...), append([]float64(nil), x...)
				p[a] += h
				q[a] -= h
				fd := (m.Value(p) - m.Value(q)) / (2 * h)
				if g := J[r*c+a] - Jp[r*c+a]; !closeTo(g, fd, 1e-8) {
					t.Errorf("%v %v: ∂C/∂J_%d = %v from Map, finite differences %v", m.N.Sizes, m.N.Act, a, g, fd)
				}
				if !closeTo(-f[a], fd, 1e-8) {
					t.Errorf("%v %v: −Flow_%d = %v, finite differences %v", m.N.Sizes, m.N.Act, a, -f[a], fd)
				}
			}
		}
	}
}

// The flow's Jacobian −H_C against differences of the flow, and its
// symmetry.
func TestMonotoneFlowJacobian(t *testing.T) {
	rng := rand.New(rand.NewPCG(47, 48))
	for _, m := range monoCases(t) {
		c := m.N.In()
		J := randomJ(rng, c, 1)
		f, jac := m.FlowJacobian(J)
		f0 := m.Flow(J)
		for i := range f {
			if !closeTo(f[i], f0[i], 1e-14) {
				t.Fatalf("FlowJacobian's f = %v, Flow = %v", f, f0)
			}
		}
		const h = 1e-5
		for j := 0; j < c; j++ {
			p, q := append([]float64(nil), J...), append([]float64(nil), J...)
			p[j] += h
			q[j] -= h
			fp, fq := m.Flow(p), m.Flow(q)
			for i := 0; i < c; i++ {
				fd := (fp[i] - fq[i]) / (2 * h)
				if !closeTo(jac[i*c+j], fd, 1e-7) {
					t.Errorf("%v %v: ∂f_%d/∂J_%d = %v, finite differences %v", m.N.Sizes, m.N.Act, i, j, jac[i*c+j], fd)
				}
				if !closeTo(jac[i*c+j], jac[j*c+i], 1e-12) {
					t.Errorf("%v: the Hessian is not symmetric: %v vs %v", m.N.Sizes, jac[i*c+j], jac[j*c+i])
				}
			}
		}
	}
}

// HMC's potential U = β‖∇C‖² and its gradient 2β H ∇C.
func TestMonotonePotential(t *testing.T) {
	rng := rand.New(rand.NewPCG(49, 50))
	for _, m := range monoCases(t) {
		c := m.N.In()
		const B, beta = 3, 1.7
		J := randomJ(rng, B*c, 1)
		U, grad := make([]float64, B), make([]float64, B*c)
		m.Potential(J, B, beta, U, grad)
		U1, g1 := make([]float64, B), make([]float64, B*c)
		for r := 0; r < B; r++ {
			f := m.Flow(J[r*c : (r+1)*c])
			if want := beta * sqNorm(f); !closeTo(U[r], want, 1e-13) {
				t.Fatalf("U = %v, β‖f‖² = %v", U[r], want)
			}
		}
		const h = 1e-5
		for i := range J {
			p, q := append([]float64(nil), J...), append([]float64(nil), J...)
			p[i] += h
			q[i] -= h
			m.Potential(p, B, beta, U1, g1)
			up := U1[i/c]
			m.Potential(q, B, beta, U1, g1)
			fd := (up - U1[i/c]) / (2 * h)
			if !closeTo(grad[i], fd, 1e-7) {
				t.Errorf("%v %v: ∂U/∂J[%d] = %v, finite differences %v", m.N.Sizes, m.N.Act, i, grad[i], fd)
			}
		}
	}
}

// Backward: ∂/∂θ of L = Σ dJp·J′(J; θ), the mixed second derivative,
// against central differences in every parameter.
func TestMonotoneBackward(t *testing.T) {
	rng := rand.New(rand.NewPCG(51, 52))
	for _, m := range monoCases(t) {
		c := m.N.In()
		const B = 5
		J, dJp := randomJ(rng, B*c, 1), randomJ(rng, B*c, 1)
		m.Map(J, B)
		dParams := make([]float64, len(m.Params()))
		m.Backward(dJp, dParams)
		loss := func() float64 {
			Jp := m.Map(J, B)
			s := 0.0
			for i := range Jp {
				s += dJp[i] * Jp[i]
			}
			return s
		}
		const h = 1e-5
		P := m.Params()
		bad := 0
		for i := range P {
			old := P[i]
			P[i] = old + h
			lp := loss()
			P[i] = old - h
			lm := loss()
			P[i] = old
			fd := (lp - lm) / (2 * h)
			if !closeTo(dParams[i], fd, 1e-7) {
				bad++
				if bad <= 5 {
					t.Errorf("%v %v: ∂L/∂θ_%d = %v, finite differences %v", m.N.Sizes, m.N.Act, i, dParams[i], fd)
				}
			}
		}
		// accumulating: a second Backward adds the same again
		m.Map(J, B)
		m.Backward(dJp, dParams)
		m.Map(J, B)
		again := make([]float64, len(P))
		m.Backward(dJp, again)
		for i := range again {
			if !closeTo(dParams[i], 2*again[i], 1e-12) {
				t.Fatalf("Backward does not accumulate: %v vs 2·%v", dParams[i], again[i])
			}
		}
	}
}

// Newton's method finds the fixed point of a monotone map through its
// Hessian: for C(J) = net(J) − net(0), a root of ∇C.
func TestMonotoneNewton(t *testing.T) {
	for _, m := range monoCases(t) {
		c := m.N.In()
		r := Newton(m, make([]float64, c), 1e-12, 100)
		if !r.Converged() {
			continue // not every random network has a root near 0
		}
		if f := m.Flow(r.J); math.Sqrt(sqNorm(f)) > 1e-9 {
			t.Errorf("%v: Newton's root has |f| = %v", m.N.Sizes, math.Sqrt(sqNorm(f)))
		}
	}
}
