package oracle

import (
	"math"
	"math/rand/v2"
	"testing"

	"github.com/rgflow/rgflow/engine"
	"github.com/rgflow/rgflow/reps"
)

func blocks(t testing.TB, name, mirror string) *engine.Blocks {
	t.Helper()
	r, err := reps.Builtin(name)
	if err != nil {
		t.Fatal(err)
	}
	m, err := engine.ResolveCoarseMirror(r, mirror)
	if err != nil {
		t.Fatal(err)
	}
	return engine.NewBlocks(r, engine.WithCoarseMirror(m))
}

func axisJ(c int, x float64) []float64 {
	J := make([]float64, c)
	J[0] = x
	return J
}

// bisectMapA1 is an independent A1 map: the minimiser of KL(J, ·) by
// bisection on the sign of the analytic gradient.
func bisectMapA1(b Divergence, J float64) float64 {
	lo, hi := 0.0, 3.0
	for i := 0; i < 200; i++ {
		mid := 0.5 * (lo + hi)
		if _, g := b.KL([]float64{J}, []float64{mid}); g[0] < 0 {
			lo = mid
		} else {
			hi = mid
		}
	}
	return 0.5 * (lo + hi)
}

// bisectA1 is an independent A1 oracle: the fixed point by bisection on
// M(J) − J, with M from bisectMapA1.
func bisectA1(b Divergence) float64 {
	mapA1 := func(J float64) float64 { return bisectMapA1(b, J) }
	lo, hi := 0.5, 1.2
	for i := 0; i < 60; i++ {
		mid := 0.5 * (lo + hi)
		if mapA1(mid) > mid {
			hi = mid
		} else {
			lo = mid
		}
	}
	return 0.5 * (lo + hi)
}

// A1 through the general code: the fixed point and slope of the exact map
// (0.8139197, λ = 1.3567966), the same fixed point as the independent
// bisection, and the physical-axis critical coupling at the fixed point.
func TestA1ThroughGeneralCode(t *testing.T) {
	b := blocks(t, "A1", "axis")
	o := New(b)
	an, err := o.Analyse(Options{})
	if err != nil {
		t.Fatal(err)
	}
	if len(an.FixedPoints) != 1 {
		t.Fatalf("%d fixed points, want 1: %+v", len(an.FixedPoints), an.FixedPoints)
	}
	fp := an.FixedPoints[0]
	if math.Abs(fp.J[0]-0.8139197) > 5e-8 || math.Abs(float64(fp.Lambda)-1.3567966) > 5e-8 {
		t.Errorf("J* = %.8f, λ = %.8f; want 0.8139197, 1.3567966", fp.J[0], fp.Lambda)
	}
	if want := bisectA1(b); math.Abs(fp.J[0]-want) > 1e-9 {
		t.Errorf("J* = %.10f, bisection gives %.10f", fp.J[0], want)
	}
	if fp.Saddle || fp.Relevant != 1 {
		t.Errorf("saddle %v, relevant %d", fp.Saddle, fp.Relevant)
	}
	if math.Abs(float64(an.AxisJc)-fp.J[0]) > 2e-5 || an.AxisFixedPoint != 0 {
		t.Errorf("axis J_c = %v (fixed point %d), want the fixed point %v", an.AxisJc, an.AxisFixedPoint, fp.J[0])
	}
}

// Gauge images of J′ (relabelling the coarse centre) have the same KL, and
// so do the joint relabellings of the visible corners (J from the target
// side, J′ from the source side) and of the fine hidden edges (J from the
// source side).
func TestGaugeImagesHaveEqualKL(t *testing.T) {
	rng := rand.New(rand.NewPCG(11, 12))
	for _, tc := range []struct {
		rep   string
		order int
	}{{"A1", 2}, {"A1+E", 4}, {"2A1+E", 16}} {
		for _, mirror := range []string{"axis", "diagonal"} {
			b := blocks(t, tc.rep, mirror)
			o := New(b)
			if len(o.G.Centre) != tc.order {
				t.Fatalf("%s: gauge group of order %d, want %d", tc.rep, len(o.G.Centre), tc.order)
			}
			J, Jp := make([]float64, b.C), make([]float64, b.C)
			for i := range J {
				J[i], Jp[i] = 0.6*rng.NormFloat64(), 0.6*rng.NormFloat64()
			}
			kl0, _ := b.KL(J, Jp)
			for g, P := range o.G.Elements {
				checks := map[string][2][]float64{
					"centre":  {J, o.G.Apply(o.G.Centre[g], Jp)},
					"corners": {o.G.Apply(b.Rep.CouplingAction(nil, P), J), o.G.Apply(b.Rep.CouplingAction(P, nil), Jp)},
					"edges":   {o.G.Apply(b.Rep.CouplingAction(P, nil), J), Jp},
				}
				for what, pair := range checks {
					kl, _ := b.KL(pair[0], pair[1])
					if math.Abs(kl-kl0) > 1e-12*math.Max(1, kl0) {
						t.Errorf("%s/%s element %d (%s): KL %.16g, original %.16g", tc.rep, mirror, g, what, kl, kl0)
					}
				}
			}
		}
	}
}

// The slope of the branch, −H⁻¹ ∂²KL/∂J′∂J, against central differences of
// the minimiser itself.
func TestSlopeFiniteDifferences(t *testing.T) {
	for _, tc := range []struct {
		rep string
		J   []float64
	}{
		{"A1", []float64{0.7}},
		{"A1+E", []float64{0.6, 0.3, 0.2, 0.25, -0.1}},
		{"2A1+E", []float64{0.7, 0.1, 0.3, 0.05, 0.2, 0.1, 0.1, -0.1, 0.2, 0.1}},
	} {
		if tc.rep == "2A1+E" && testing.Short() {
			continue
		}
		b := blocks(t, tc.rep, "axis")
		o := New(b)
		p, err := o.MapFrom(tc.J, nil)
		if err != nil {
			t.Fatal(err)
		}
		c := b.C
		const h = 1e-5
		for j := 0; j < c; j++ {
			up, dn := append([]float64(nil), tc.J...), append([]float64(nil), tc.J...)
			up[j] += h
			dn[j] -= h
			pu, err1 := o.Minimize(up, p.Jp)
			pd, err2 := o.Minimize(dn, p.Jp)
			if err1 != nil || err2 != nil {
				t.Fatal(err1, err2)
			}
			for i := 0; i < c; i++ {
				fd := (pu.Jp[i] - pd.Jp[i]) / (2 * h)
				if math.Abs(fd-p.Slope[i*c+j]) > 1e-5*math.Max(1, math.Abs(fd)) {
					t.Errorf("%s: dM_%d/dJ_%d = %.8g, finite difference %.8g", tc.rep, i, j, p.Slope[i*c+j], fd)
				}
			}
		}
	}
}

// Continuation along a path of small steps moves the minimiser by O(step):
// no jump to another branch or gauge image.
func TestContinuationDoesNotJump(t *testing.T) {
	b := blocks(t, "A1+E", "axis")
	o := New(b)
	p, err := o.MapFrom(axisJ(b.C, 0.3), nil)
	if err != nil {
		t.Fatal(err)
	}
	const step = 0.02
	for x := 0.3 + step; x < 1.2; x += step {
		q, err := o.Continue(p, axisJ(b.C, x))
		if err != nil {
			t.Fatal(err)
		}
		// the predicted move is |Slope|·step; allow a generous factor
		if d := maxDist(q.Jp, p.Jp); d > 10*step && q.Escaped == 0 {
			t.Errorf("J_0 %.2f → %.2f: the minimiser jumped by %.3g", x-step, x, d)
		}
		if q.Saddle() {
			t.Errorf("J_0 = %.2f: the continued point is a saddle", x)
		}
		p = q
	}
}

// The A1 fixed point embedded in A1+E, (0.81392, 0, 0, 0, 0), is a
// stationary point of KL(J, ·) with a negative Hessian eigenvalue; the
// minimiser started on it must leave it for a lower KL with positive
// curvature, while the stationary search keeps it.
func TestSaddleStartIsLeft(t *testing.T) {
	b := blocks(t, "A1+E", "axis")
	o := New(b)
	J := axisJ(b.C, 0.8139196791835156)
	s, err := o.Stationary(J, J)
	if err != nil {
		t.Fatal(err)
	}
	if !s.Saddle() || maxDist(s.Jp, J) > 1e-8 {
		t.Fatalf("stationary point %v (min eigenvalue %g), want the saddle at J", s.Jp, s.MinEig)
	}
	m, err := o.Minimize(J, J)
	if err != nil {
		t.Fatal(err)
	}
	if m.Saddle() || m.KL > s.KL*(1-0.1) {
		t.Errorf("minimiser %v: KL %g (saddle %g), min eigenvalue %g", m.Jp, m.KL, s.KL, m.MinEig)
	}
}

// plantedMap is M(J) = J* + L (J − J*) + Q (J − J*)², componentwise, with
// known fixed point J* and linearisation L.
type plantedMap struct {
	star, L, Q []float64
}

func (m plantedMap) at(J []float64) Point {
	c := len(J)
	Jp := make([]float64, c)
	S := make([]float64, c*c)
	for i := 0; i < c; i++ {
		Jp[i] = m.star[i]
		for k := 0; k < c; k++ {
			Jp[i] += m.L[i*c+k] * (J[k] - m.star[k])
		}
		d := J[i] - m.star[i]
		Jp[i] += m.Q[i] * d * d
		copy(S[i*c:], m.L[i*c:(i+1)*c])
		S[i*c+i] += 2 * m.Q[i] * d
	}
	H := make([]float64, c*c)
	for i := 0; i < c; i++ {
		H[i*c+i] = 1
	}
	return Point{J: append([]float64(nil), J...), Jp: Jp, Slope: S, Hess: H, MinEig: 1}
}

func TestPlantedFixedPoint(t *testing.T) {
	rep, _ := reps.Builtin("A1+A2")
	g := NewGauge(rep)
	c := rep.C()
	if c != 2 {
		t.Fatalf("c = %d", c)
	}
	// eigenvalues 1.5 and 0.4 with eigenvectors (1, 1) and (1, −1)
	m := plantedMap{star: []float64{0.7, 0.2}, L: []float64{0.95, 0.55, 0.55, 0.95}, Q: []float64{0.3, -0.2}}
	cont := func(_ Point, J []float64) (Point, error) { return m.at(J), nil }
	fp, err := solveFixedPoint(cont, g, m.at([]float64{0.9, 0.05}))
	if err != nil {
		t.Fatal(err)
	}
	if maxDist(fp.J, m.star) > 1e-9 {
		t.Errorf("fixed point %v, want %v", fp.J, m.star)
	}
	if math.Abs(fp.Lambda-1.5) > 1e-9 || fp.Relevant != 1 || math.Abs(real(fp.Eigenvalues[1])-0.4) > 1e-9 {
		t.Errorf("λ = %v, relevant %d, eigenvalues %v; want 1.5, 1, (1.5, 0.4)", fp.Lambda, fp.Relevant, fp.Eigenvalues)
	}
	if math.Abs(fp.Nu-math.Log(math.Sqrt2)/math.Log(1.5)) > 1e-12 {
		t.Errorf("ν = %v", fp.Nu)
	}
	// the left eigenvector of 1.5 is (1, 1)/√2·…: normalised against the right one
	if d := math.Abs(fp.Left[0] - fp.Left[1]); d > 1e-9 || math.Abs(dot(fp.Left, fp.Right)-1) > 1e-9 {
		t.Errorf("left %v, right %v", fp.Left, fp.Right)
	}
}

// The A1+E critical fixed point under the published convention has one
// relevant eigenvalue ≈ 1.21 and its physical-axis critical coupling is
// ≈ 0.40 (independent computations agree); the embedded A1 fixed point is
// reported as a saddle.
func TestA1EAxisMirror(t *testing.T) {
	if testing.Short() {
		t.Skip("a few seconds of oracle work")
	}
	o := New(blocks(t, "A1+E", "axis"))
	an, err := o.Analyse(Options{AxisTol: 1e-4})
	if err != nil {
		t.Fatal(err)
	}
	var crit, saddle *FixedPointJSON
	for i := range an.FixedPoints {
		fp := &an.FixedPoints[i]
		switch {
		case fp.Saddle:
			saddle = fp
		case fp.Relevant == 1:
			crit = fp
		}
	}
	if crit == nil || saddle == nil {
		t.Fatalf("fixed points %+v: want a critical minimum and the embedded saddle", an.FixedPoints)
	}
	if math.Abs(float64(crit.Lambda)-1.21) > 0.01 {
		t.Errorf("λ = %v, want ≈ 1.21", crit.Lambda)
	}
	if math.Abs(saddle.J[0]-0.8139197) > 1e-6 || saddle.MinHessEig >= 0 {
		t.Errorf("saddle %v with min Hessian eigenvalue %v", saddle.J, saddle.MinHessEig)
	}
	if math.Abs(float64(an.AxisJc)-0.40) > 0.01 || an.AxisFixedPoint < 0 || an.FixedPoints[an.AxisFixedPoint].Saddle {
		t.Errorf("axis J_c = %v approaching fixed point %d, want ≈ 0.40 and the critical one", an.AxisJc, an.AxisFixedPoint)
	}
}

// The gap of the exact map is zero, that of the identity map J′ = J at the
// embedded A1 saddle of A1+E is the 33 % the saddle lies above the minimum.
func TestGap(t *testing.T) {
	b := blocks(t, "A1+E", "axis")
	o := New(b)
	exact := func(J []float64) []float64 {
		p, err := o.MapFrom(J, nil)
		if err != nil {
			t.Fatal(err)
		}
		return p.Jp
	}
	J := axisJ(b.C, 0.8139196791835156)
	gs, err := o.ModelGaps(exact, J)
	if err != nil {
		t.Fatal(err)
	}
	if g := gs.AtFixedPoint; g.Gap > 1e-9 || g.Distance > 1e-6 {
		t.Errorf("exact map: gap %g, distance %g", g.Gap, g.Distance)
	}
	if len(gs.Axis) != 15 || math.Abs(gs.Axis[14].J[0]-1.5) > 1e-12 {
		t.Fatalf("axis gaps: %d points, last at %v", len(gs.Axis), gs.Axis[len(gs.Axis)-1].J)
	}
	id, err := o.Gap(J, J)
	if err != nil {
		t.Fatal(err)
	}
	kl, _ := b.KL(J, J)
	if id.KLLearned != kl || !(id.Gap > 0.3 && id.Gap < 0.4) || id.KLMin >= kl {
		t.Errorf("identity map at the saddle: KL %g → min %g, gap %g", id.KLLearned, id.KLMin, id.Gap)
	}
}

// MapAsymmetry is 0 for a symmetric Jacobian, 1 for an antisymmetric one
// and in between otherwise, whatever its scale; it takes the best centre
// image. The exact map of A1+E is not a gradient map: at a generic point
// its Jacobian (checked against finite differences above) is far from
// symmetric on every image, while a monotone model's is symmetric.
func TestMapAsymmetry(t *testing.T) {
	r, err := reps.Builtin("A1+E")
	if err != nil {
		t.Fatal(err)
	}
	g := NewGauge(r)
	c := r.C()
	rng := rand.New(rand.NewPCG(3, 4))
	sym, anti, mixed := make([]float64, c*c), make([]float64, c*c), make([]float64, c*c)
	for i := 0; i < c; i++ {
		for j := 0; j <= i; j++ {
			x, y := rng.NormFloat64(), rng.NormFloat64()
			sym[i*c+j], sym[j*c+i] = x, x
			if i != j {
				anti[i*c+j], anti[j*c+i] = y, -y
			}
		}
	}
	for i := range mixed {
		mixed[i] = sym[i] + anti[i]
	}
	if a := MapAsymmetry(g, sym); a > 1e-15 {
		t.Errorf("symmetric: %v", a)
	}
	// the identity is among the images, so the best image is at most as
	// asymmetric as the matrix itself
	if a := MapAsymmetry(g, anti); a > 1+1e-12 || a <= 0 {
		t.Errorf("antisymmetric: %v", a)
	}
	if a := MapAsymmetry(g, mixed); !(a > 0 && a < 1) {
		t.Errorf("mixed: %v", a)
	}
	scaled := make([]float64, c*c)
	for i, v := range anti {
		scaled[i] = -7 * v
	}
	if a, b := MapAsymmetry(g, scaled), MapAsymmetry(g, anti); math.Abs(a-b) > 1e-12 {
		t.Errorf("scaled by −7: %v, unscaled %v", a, b)
	}
	o := New(engine.NewBlocks(r))
	J := []float64{0.3, 0.1, 0.05, 0.1, -0.05}
	p, err := o.Minimize(J, J)
	if err != nil {
		t.Fatal(err)
	}
	if a := MapAsymmetry(g, p.Slope); a < 0.3 {
		t.Errorf("A1+E's exact map at %v: asymmetry %v, a nearly symmetric Jacobian", J, a)
	}
	m, err := engine.NewMonotoneModel(engine.NewMLP([]int{c, 8, 1}, engine.Tanh, rng))
	if err != nil {
		t.Fatal(err)
	}
	_, jac := m.FlowJacobian(J)
	for i := 0; i < c; i++ {
		jac[i*c+i]++ // ∂J′/∂J = 1 + ∂f/∂J
	}
	if a := MapAsymmetry(g, jac); a > 1e-12 {
		t.Errorf("a monotone model's Jacobian: asymmetry %v", a)
	}
}
