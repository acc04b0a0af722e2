package engine

import (
	"math"
	"math/rand/v2"
	"testing"
)

// scaledCases are monotone and flow models, with and without layer norm,
// wrapped in Hou & You's units (s = 2) and in an odd scale.
func scaledCases(t *testing.T) []*scaledModel {
	t.Helper()
	rng := rand.New(rand.NewPCG(71, 72))
	var out []*scaledModel
	for _, s := range []float64{2, 0.7} {
		for _, norm := range []bool{false, true} {
			n := NewMLP([]int{5, 6, 7, 5}, Tanh, rng)
			if norm {
				n.AddLayerNorm()
			}
			mono, err := NewMonotoneModel(n)
			if err != nil {
				t.Fatal(err)
			}
			out = append(out, newScaledModel(mono, s).(*scaledModel))
			out = append(out, newScaledModel(NewFlowModel(NewMLP([]int{5, 8, 5}, SiLU, rng)), s).(*scaledModel))
		}
	}
	return out
}

// In units of scale s the map is J′ = x′(sJ)/s, the flow f_x(sJ)/s (one
// point or a batch), its Jacobian the inner one at sJ; Backward,
// FlowJacobian and Potential agree with central differences.
func TestScaledModel(t *testing.T) {
	rng := rand.New(rand.NewPCG(73, 74))
	if m := NewFlowModel(NewMLP([]int{2, 3, 2}, Tanh, rng)); newScaledModel(m, 1) != Model(m) {
		t.Fatal("scale 1 wraps the model")
	}
	const h = 1e-5
	for _, m := range scaledCases(t) {
		c, s := m.Net().In(), m.s
		const B = 3
		J, dJp := randomJ(rng, B*c, 0.6), randomJ(rng, B*c, 1)
		Jp := append([]float64(nil), m.Map(J, B)...)
		x := make([]float64, len(J))
		for i := range J {
			x[i] = s * J[i]
		}
		inner := m.Model.Map(x, B)
		for i := range Jp {
			if !closeTo(Jp[i], inner[i]/s, 1e-14) {
				t.Fatalf("J′ = %v, x′/s = %v", Jp[i], inner[i]/s)
			}
		}
		// Backward: ∂(dJp·J′)/∂θ
		m.Map(J, B)
		dp := make([]float64, len(m.Params()))
		m.Backward(dJp, dp)
		P := m.Params()
		for i := range P {
			old := P[i]
			P[i] = old + h
			up := dot(dJp, m.Map(J, B))
			P[i] = old - h
			dn := dot(dJp, m.Map(J, B))
			P[i] = old
			if fd := (up - dn) / (2 * h); !closeTo(dp[i], fd, 1e-6) {
				t.Fatalf("s = %v: ∂L/∂θ_%d = %v, finite differences %v", s, i, dp[i], fd)
			}
		}
		// FlowJacobian and Flow
		J1 := J[:c]
		f, jac := m.FlowJacobian(J1)
		f0 := m.Flow(J1)
		for a := 0; a < c; a++ {
			if !closeTo(f[a], Jp[a]-J1[a], 1e-12) || !closeTo(f0[a], f[a], 1e-14) {
				t.Fatalf("f = %v, Flow %v, J′ − J %v", f[a], f0[a], Jp[a]-J1[a])
			}
			p, q := append([]float64(nil), J1...), append([]float64(nil), J1...)
			p[a] += h
			q[a] -= h
			fp, fq := m.Flow(p), m.Flow(q)
			for i := 0; i < c; i++ {
				if fd := (fp[i] - fq[i]) / (2 * h); !closeTo(jac[i*c+a], fd, 1e-7) {
					t.Fatalf("s = %v: ∂f_%d/∂J_%d = %v, finite differences %v", s, i, a, jac[i*c+a], fd)
				}
			}
		}
		// FlowBatch: each row is Flow's (in these units), and so is the
		// Frozen view's
		fb := append([]float64(nil), m.FlowBatch(J, B)...)
		fz := append([]float64(nil), m.Frozen().FlowBatch(J, B)...)
		for r := 0; r < B; r++ {
			fr := m.Flow(J[r*c : (r+1)*c])
			for a := 0; a < c; a++ {
				if math.Float64bits(fb[r*c+a]) != math.Float64bits(fr[a]) || math.Float64bits(fz[r*c+a]) != math.Float64bits(fr[a]) {
					t.Fatalf("s = %v: FlowBatch row %d = %v, Frozen's %v, Flow %v", s, r, fb[r*c+a], fz[r*c+a], fr[a])
				}
			}
		}
		// Potential: U(J) = U_x(sJ), and its gradient
		U, g := make([]float64, B), make([]float64, B*c)
		m.Potential(J, B, 1.3, U, g)
		Ux, gx := make([]float64, B), make([]float64, B*c)
		m.Model.Potential(x, B, 1.3, Ux, gx)
		U1, g1 := make([]float64, B), make([]float64, B*c)
		for r := 0; r < B; r++ {
			if !closeTo(U[r], Ux[r], 1e-14) {
				t.Fatalf("U = %v, inner U at sJ = %v", U[r], Ux[r])
			}
		}
		for i := range J {
			p, q := append([]float64(nil), J...), append([]float64(nil), J...)
			p[i] += h
			q[i] -= h
			m.Potential(p, B, 1.3, U1, g1)
			up := U1[i/c]
			m.Potential(q, B, 1.3, U1, g1)
			if fd := (up - U1[i/c]) / (2 * h); !closeTo(g[i], fd, 1e-6) {
				t.Fatalf("s = %v: ∂U/∂J_%d = %v, finite differences %v", s, i, g[i], fd)
			}
		}
	}
}

// HMC on the scaled model with step dt/s is HMC on the inner model with
// step dt in its coordinates x = sJ, position for position (bit for bit for
// s = 2), with either potential.
func TestScaledHMCIsTheirs(t *testing.T) {
	for _, m := range scaledCases(t) {
		if m.s != 2 {
			continue
		}
		for _, form := range Potentials.Names() {
			wrap, _ := Potentials.Lookup(form)
			c := m.Net().In()
			const B = 4
			J := randomJ(rand.New(rand.NewPCG(75, 76)), B*c, 0.5)
			x := make([]float64, len(J))
			for i := range J {
				x[i] = 2 * J[i]
			}
			ours := HMC{Dt: 0.005, SolveSteps: 33, SampleSteps: 3}
			theirs := HMC{Dt: 0.01, SolveSteps: 33, SampleSteps: 3}
			a1 := ours.Sample(wrap(m), J, B, c, 5, rand.New(rand.NewPCG(1, 2)))
			a2 := theirs.Sample(wrap(m.Model), x, B, c, 5, rand.New(rand.NewPCG(1, 2)))
			if a1 != a2 {
				t.Fatalf("%s: %d accepted in rgflow's units, %d in theirs", form, a1, a2)
			}
			for i := range J {
				if 2*J[i] != x[i] {
					t.Fatalf("%s: HMC position %v, theirs/2 %v", form, J[i], x[i]/2)
				}
			}
		}
	}
}

// The norm potential is β‖f‖ with gradient β Jᵀf/‖f‖ (finite
// differences), and 0 where f = 0.
func TestNormPotential(t *testing.T) {
	rng := rand.New(rand.NewPCG(77, 78))
	for _, m := range monoCases(t) {
		p := normPotential{m}
		c := m.N.In()
		const B, beta = 3, 2.5
		J := randomJ(rng, B*c, 1)
		U, g := make([]float64, B), make([]float64, B*c)
		p.Potential(J, B, beta, U, g)
		for r := 0; r < B; r++ {
			if want := beta * math.Sqrt(sqNorm(m.Flow(J[r*c:(r+1)*c]))); !closeTo(U[r], want, 1e-13) {
				t.Fatalf("U = %v, β‖f‖ = %v", U[r], want)
			}
		}
		const h = 1e-6
		U1, g1 := make([]float64, B), make([]float64, B*c)
		for i := range J {
			a, b := append([]float64(nil), J...), append([]float64(nil), J...)
			a[i] += h
			b[i] -= h
			p.Potential(a, B, beta, U1, g1)
			up := U1[i/c]
			p.Potential(b, B, beta, U1, g1)
			if fd := (up - U1[i/c]) / (2 * h); !closeTo(g[i], fd, 1e-6) {
				t.Errorf("%v: ∂U/∂J[%d] = %v, finite differences %v", m.N.Sizes, i, g[i], fd)
			}
		}
	}
	zero := normPotential{zeroFlow{}}
	U, g := []float64{1}, []float64{1, 1}
	zero.Potential([]float64{0.3, 0.2}, 1, 2, U, g)
	if U[0] != 0 || g[0] != 0 || g[1] != 0 {
		t.Fatalf("at f = 0: U = %v, ∇U = %v", U, g)
	}
}

// zeroFlow has f ≡ 0.
type zeroFlow struct{}

func (zeroFlow) Potential(J []float64, batch int, beta float64, U, grad []float64) {
	clear(U)
	clear(grad)
}

// Fixed fractional Newton steps reach a known root (a network whose output
// bias is shifted so that f(x0) = 0) in about log(tol/d)/log(1 − step)
// iterations, and say why when they do not.
func TestNewtonFixedStep(t *testing.T) {
	for _, act := range []Activation{Tanh, SiLU} {
		m, x0, start := knownRoot(act)
		r := NewtonStep(m, start, 0.1, 1e-10, 400)
		if !r.Converged() {
			t.Fatalf("%v: fixed steps did not converge: %v", act, r.Status)
		}
		if d := maxDiffF(r.J, x0); d > 1e-9 {
			t.Errorf("%v: root %v, want %v", act, r.J, x0)
		}
		// from 0.05 away to 1e-10: ln(2e-9)/ln(0.9) ≈ 190 steps
		if r.Iter < 150 || r.Iter > 230 {
			t.Errorf("%v: %d fixed steps of 0.1", act, r.Iter)
		}
		if lim := NewtonStep(m, start, 0.1, 1e-10, 10); lim.Status != NewtonIterationLimit {
			t.Errorf("10 steps of 0.1: status %v", lim.Status)
		}
	}
	flat := NewtonStep(scalarFlow{f: func(float64) float64 { return 1 }, jac: func(float64) float64 { return 0 }}, []float64{0}, 0.1, 1e-10, 50)
	if flat.Status != NewtonSingular {
		t.Errorf("flat: status %v", flat.Status)
	}
}
