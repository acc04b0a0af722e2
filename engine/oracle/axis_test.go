package oracle

import (
	"math"
	"testing"
)

// a1eCritical returns the A1+E oracle (axis mirror), its minimiser at the
// A1 fixed point on the axis and its critical fixed point.
func a1eCritical(t *testing.T) (*Oracle, Point, FixedPoint) {
	t.Helper()
	o := New(blocks(t, "A1+E", "axis"))
	an, err := o.Analyse(Options{AxisTol: 1e-3, ValleySamples: -1})
	if err != nil {
		t.Fatal(err)
	}
	ref, err := o.MapFrom(axisJ(o.B.Couplings(), 0.8139196790953895), nil)
	if err != nil {
		t.Fatal(err)
	}
	for _, fj := range an.FixedPoints {
		if fj.Saddle || fj.Relevant != 1 {
			continue
		}
		p, err := o.Continue(ref, fj.J)
		if err != nil {
			t.Fatal(err)
		}
		fp, err := o.SolveFixedPoint(p, true)
		if err != nil {
			t.Fatal(err)
		}
		return o, ref, fp
	}
	t.Fatalf("no critical fixed point among %+v", an.FixedPoints)
	return nil, Point{}, FixedPoint{}
}

// A trajectory continued from its neighbour's iterates is the same
// trajectory (the map off the axis does not depend on where its minimiser
// starts), for fewer evaluations.
func TestGuidedIterateIsTheMap(t *testing.T) {
	if testing.Short() {
		t.Skip("a second of oracle work")
	}
	o, ref, fp := a1eCritical(t)
	fps := []FixedPoint{fp}
	bounds := DefaultBounds(fps)
	c := o.B.Couplings()
	p1, err := o.Continue(ref, axisJ(c, 0.4))
	if err != nil {
		t.Fatal(err)
	}
	p2, err := o.Continue(p1, axisJ(c, 0.4001))
	if err != nil {
		t.Fatal(err)
	}
	guide, err := o.Iterate(p1, fps, bounds)
	if err != nil {
		t.Fatal(err)
	}
	e0 := o.Evals
	plain, err := o.Iterate(p2, fps, bounds)
	if err != nil {
		t.Fatal(err)
	}
	e1 := o.Evals
	guided, err := o.iterateGuided(p2, fps, bounds, guide.path)
	if err != nil {
		t.Fatal(err)
	}
	e2 := o.Evals
	if plain.Fate != guided.Fate || plain.Steps != guided.Steps {
		t.Fatalf("guided: %v after %d steps, plain: %v after %d", guided.Fate, guided.Steps, plain.Fate, plain.Steps)
	}
	worst := 0.0
	for n := range plain.path {
		worst = math.Max(worst, o.OrbitDistance(plain.path[n].J, guided.path[n].J))
	}
	if worst > 1e-7 {
		t.Errorf("the guided trajectory is %.3g from the plain one", worst)
	}
	if e2-e1 >= e1-e0 {
		t.Errorf("guided: %d evaluations, plain: %d", e2-e1, e1-e0)
	}
	t.Logf("%s after %d steps; %d evaluations guided, %d plain; iterates agree to %.2g", plain.Fate, plain.Steps, e2-e1, e1-e0, worst)
}

// The secant proposals give the bisection's critical coupling, in a
// bracket whose ends' fates are computed to the end and differ.
func TestAxisSecantIsBisection(t *testing.T) {
	if testing.Short() {
		t.Skip("a few seconds of oracle work")
	}
	o, ref, fp := a1eCritical(t)
	fps := []FixedPoint{fp}
	bounds := DefaultBounds(fps)
	const tol = 1e-6
	e0 := o.Evals
	fast := o.AxisCritical(ref, fps, bounds, tol, nil)
	e1 := o.Evals
	o.bisectOnly = true
	slow := o.AxisCritical(ref, fps, bounds, tol, nil)
	e2 := o.Evals
	o.bisectOnly = false
	if fast.Note != "" || slow.Note != "" {
		t.Fatalf("notes: %q, %q", fast.Note, slow.Note)
	}
	if fast.Hi-fast.Lo > tol || math.Abs(fast.Jc-slow.Jc) > tol {
		t.Errorf("with secant: J_c %.8f in [%.8f, %.8f]; bisection: %.8f", fast.Jc, fast.Lo, fast.Hi, slow.Jc)
	}
	s := o.newAxisSearch(ref, fps, bounds, &AxisResult{}, nil)
	if f, _, err := s.fate(fast.Lo); err != nil || f != Disordered {
		t.Errorf("fate at the bracket's lower end %.8f: %v %v", fast.Lo, f, err)
	}
	if f, _, err := s.fate(fast.Hi); err != nil || f != Ordered {
		t.Errorf("fate at the bracket's upper end %.8f: %v %v", fast.Hi, f, err)
	}
	t.Logf("J_c %.8f (secant, %d trajectories to the end, %d evaluations), %.8f (bisection, %d, %d)", fast.Jc, fast.Fates, e1-e0, slow.Jc, slow.Fates, e2-e1)
}

// For a symmetric fixed point (2A1+E's weak critical one, whose J is
// fixed by gauge actions other than the identity) the relevant coordinate
// of the secant search is the same on every image of J that the
// stabiliser relates: hᵀ·L̄ = L̄ for every h of it, and L̄ still measures
// the relevant direction (L̄·Right ≠ 0).
func TestInvariantLeftOfSymmetricFixedPoint(t *testing.T) {
	if testing.Short() || underRace {
		t.Skip("a few seconds of oracle work (a minute under -race)")
	}
	o := New(blocks(t, "2A1+E", "axis"))
	an, err := o.Analyse(Options{AxisTol: 1e-3, ValleySamples: -1})
	if err != nil {
		t.Fatal(err)
	}
	k := an.AxisFixedPoint
	if k < 0 || an.FixedPoints[k].Stabiliser <= 1 || an.FixedPoints[k].Relevant != 1 {
		t.Fatalf("the axis fixed point %d is not a symmetric critical one: %+v", k, an.FixedPoints)
	}
	ref, err := o.MapFrom(axisJ(o.B.Couplings(), 0.8139196790953895), nil)
	if err != nil {
		t.Fatal(err)
	}
	p, err := o.Continue(ref, an.FixedPoints[k].J)
	if err != nil {
		t.Fatal(err)
	}
	fp, err := o.SolveFixedPoint(p, true)
	if err != nil {
		t.Fatal(err)
	}
	left := o.invariantLeft(fp)
	if left == nil {
		t.Fatal("the averaged left eigenvector vanishes")
	}
	c := len(left)
	for _, h := range o.G.Stabiliser(fp.J, 1e-7) {
		hl := make([]float64, c)
		for i := 0; i < c; i++ {
			for j := 0; j < c; j++ {
				hl[j] += h[i*c+j] * left[i]
			}
		}
		if d := maxDist(hl, left); d > 1e-12 {
			t.Errorf("hᵀ·L̄ differs from L̄ by %.3g", d)
		}
	}
	if math.Abs(dot(left, fp.Right)) < 1e-3 {
		t.Errorf("L̄·Right = %.3g: the averaged coordinate does not see the relevant direction", dot(left, fp.Right))
	}
}

// Under the diagonal mirror 2A1+E's trivial fixed point is not attractive:
// the flows from J_0 = 0.05 fall below 0.05 and then order. The analysis
// reports no physical-axis critical coupling, as the flows' fates to the
// small bound of 0.02 say, instead of a bracket made by a larger small
// bound that took the dip for disorder.
func TestDiagonal2A1EHasNoAxisCoupling(t *testing.T) {
	if testing.Short() || underRace {
		t.Skip("fifteen seconds of oracle work (minutes under -race)")
	}
	o := New(blocks(t, "2A1+E", "diagonal"))
	an, err := o.Analyse(Options{AxisTol: 1e-3, ValleySamples: -1})
	if err != nil {
		t.Fatal(err)
	}
	if jc := float64(an.AxisJc); !math.IsNaN(jc) {
		t.Errorf("axis J_c %v (approaching fixed point %d at %v), want none: every J_0 ≥ 0.05 orders", jc, an.AxisFixedPoint, an.AxisApproach)
	}
	for _, p := range an.AxisPoints {
		if p.Fate == "disordered" {
			t.Errorf("the flow from J_0 = %v is %s after %d steps", p.J0, p.Fate, p.Steps)
		}
	}
}
