package oracle

import (
	"context"
	"math"
	"testing"

	"github.com/rgflow/rgflow/engine"
	"github.com/rgflow/rgflow/kernels"
)

// plantedValley is F(J, x) = (x0² + x1² − R²)² + (x2 − j2)², R = 0.5 +
// 0.3·j0: its minima form the circle of radius R in (x0, x1) at x2 = j2, a
// valley whose tangent has zero curvature and zero gradient, and whose
// points no relabelling tells apart.
type plantedValley struct{}

func (plantedValley) radius(J []float64) float64 { return 0.5 + 0.3*J[0] }

func (v plantedValley) SecondOrder(J, x []float64, mixed bool) engine.KLDerivatives {
	R := v.radius(J)
	q := x[0]*x[0] + x[1]*x[1] - R*R
	d := engine.KLDerivatives{
		KL:   q*q + (x[2]-J[2])*(x[2]-J[2]),
		Grad: []float64{4 * q * x[0], 4 * q * x[1], 2 * (x[2] - J[2])},
		Hess: []float64{
			4*q + 8*x[0]*x[0], 8 * x[0] * x[1], 0,
			8 * x[0] * x[1], 4*q + 8*x[1]*x[1], 0,
			0, 0, 2,
		},
	}
	if mixed {
		// ∂/∂j0 of ∂F/∂x_a: −8 R R′ x_a (a = 0, 1); ∂/∂j2 of ∂F/∂x2: −2
		d.Mixed = []float64{-8 * R * 0.3 * x[0], 0, 0, -8 * R * 0.3 * x[1], 0, 0, 0, 0, -2}
	}
	return d
}

func (v plantedValley) Batch(J, x, kl, grad []float64) {
	for m := range kl {
		d := v.SecondOrder(J[3*m:3*m+3], x[3*m:3*m+3], false)
		kl[m] = d.KL
		if grad != nil {
			copy(grad[3*m:], d.Grad)
		}
	}
}

func plantedOracle() *Oracle {
	I := []float64{1, 0, 0, 0, 1, 0, 0, 0, 1}
	return &Oracle{G: &Gauge{Elements: [][]float64{{1}}, Centre: [][]float64{I}, Orbit: [][]float64{I}, c: 3},
		Tol: 1e-10, MaxStep: 0.25, MaxIter: 200, obj: plantedValley{}, ctx: context.Background()}
}

// The minimiser on a planted valley: it converges (no line-search
// failure) to the valley point nearest its start (the objective is
// rotation invariant, so that is the radial projection), reports one flat
// direction, the circle's tangent, and keeps the point's angle when the
// valley's radius changes under continuation; TraceValley follows the
// circle with equal values.
func TestPlantedValley(t *testing.T) {
	o := plantedOracle()
	J := []float64{0.5, 0, 0.1}
	R := plantedValley{}.radius(J)
	for _, start := range [][]float64{{1, 0.3, 0.2}, {0.2, -0.5, 0}, {-0.3, 0.05, 0.4}, {0.66, 0.0001, 0.1}} {
		p, err := o.Minimize(J, start)
		if err != nil {
			t.Fatalf("from %v: %v", start, err)
		}
		th := math.Atan2(start[1], start[0])
		want := []float64{R * math.Cos(th), R * math.Sin(th), J[2]}
		if maxDist(p.Jp, want) > 1e-8 {
			t.Errorf("from %v: minimum %v, want the nearest valley point %v", start, p.Jp, want)
		}
		if len(p.Flat) != 1 || p.Soft != 0 {
			t.Fatalf("from %v: %d flat and %d soft directions, want 1 and 0", start, len(p.Flat), p.Soft)
		}
		if tangent := []float64{-math.Sin(th), math.Cos(th), 0}; math.Abs(math.Abs(dot(p.Flat[0], tangent))-1) > 1e-8 {
			t.Errorf("from %v: flat direction %v, want ±%v", start, p.Flat[0], tangent)
		}
		if p.Saddle() {
			t.Errorf("from %v: a valley point counted as a saddle (smallest eigenvalue %g)", start, p.MinEig)
		}
		// continuation to a larger radius: the predictor leaves the flat
		// direction out, so the angle stays
		q, err := o.Continue(p, []float64{0.9, 0, 0.1})
		if err != nil {
			t.Fatal(err)
		}
		if a := math.Atan2(q.Jp[1], q.Jp[0]); math.Abs(a-th) > 1e-7 || math.Abs(math.Hypot(q.Jp[0], q.Jp[1])-plantedValley{}.radius(q.J)) > 1e-9 {
			t.Errorf("continued from angle %.6f: %v (angle %.6f)", th, q.Jp, a)
		}
	}
	p, _ := o.Minimize(J, []float64{1, 0.3, 0.2})
	dirs := o.ValleyDirections(p, 0.1)
	if len(dirs) != 1 || math.Abs(math.Abs(dot(dirs[0], p.Flat[0]))-1) > 0.01 {
		t.Fatalf("valley directions %v, want the flat direction %v", dirs, p.Flat[0])
	}
	pts := o.TraceValley(p, dirs[0], 0.1, 5)
	if len(pts) != 11 {
		t.Fatalf("traced %d points, want 5 each side and the start", len(pts))
	}
	for i, q := range pts {
		if r := math.Hypot(q.Jp[0], q.Jp[1]); math.Abs(r-R) > 1e-9 || math.Abs(q.KL-p.KL) > 1e-15 {
			t.Errorf("valley point %d: radius %v (want %v), value %g", i, r, R, q.KL)
		}
		if i > 0 {
			step := math.Hypot(q.Jp[0]-pts[i-1].Jp[0], q.Jp[1]-pts[i-1].Jp[1])
			if step < 0.08 || step > 0.11 {
				t.Errorf("valley points %d and %d are %.3f apart, want about 0.1", i-1, i, step)
			}
		}
	}
	if maxDist(pts[5].Jp, p.Jp) != 0 {
		t.Errorf("the start is not in the middle of the traced points")
	}
}

// The valley of A1+2E under the axis coarse mirror (docs/conventions.md,
// "Flat directions"). With the corner-E → centre-E couplings zero the
// centre's E fields are a·w and b·w, w = (v0 − v2, v1 − v3) ∈ {0, ±2}², so
// the coarse distribution depends on the couplings a (A1 → E1x) and b
// (A1 → E2x) only through lc(2a) + lc(2b); at a physical-axis J the
// minimum of KL(J, ·) lies there, and the minimiser must find it (it
// failed with a line-search error before), report one flat direction
// tangent to the level curve of lc(2a) + lc(2b), and trace a valley of
// equal KL along it.
func TestA1Plus2EAxisValley(t *testing.T) {
	b := blocks(t, "A1+2E", "axis")
	c := b.C
	const ia, ib = 1, 2 // the basis matrices E_{A1,E1x} and E_{A1,E2x}
	lc := func(x float64) float64 { l, _ := kernels.LcTanh(x); return l }
	// the mechanism: two (a, b) with equal lc(2a) + lc(2b) give the same
	// coarse distribution
	Jp := make([]float64, c)
	Jp[0], Jp[ia], Jp[ib] = 0.9, 0.5, -0.2
	a2 := 0.35
	psi := lc(1.0) + lc(-0.4)
	b2 := math.Acosh(math.Exp(psi-lc(2*a2))/2) / 2 // lc(2 b2) = psi − lc(2 a2)
	Jp2 := append([]float64(nil), Jp...)
	Jp2[ia], Jp2[ib] = a2, b2
	w1, w2 := b.CoarseLogWeights(Jp), b.CoarseLogWeights(Jp2)
	z1, z2 := b.CoarseLogZ(Jp, nil), b.CoarseLogZ(Jp2, nil)
	for v := range w1 {
		if math.Abs((w1[v]-z1)-(w2[v]-z2)) > 1e-12 {
			t.Fatalf("configuration %d: log P_c %.15g and %.15g for (a, b) = (%v, %v) and (%v, %v)", v, w1[v]-z1, w2[v]-z2, Jp[ia], Jp[ib], a2, b2)
		}
	}
	if testing.Short() {
		t.Skip("the A1+2E minimiser takes a few CPU seconds")
	}
	o := New(b)
	p, err := o.MapFrom(axisJ(c, 0.8139196790953895), nil)
	if err != nil {
		t.Fatal(err)
	}
	// flat to second order: the valley, and the four corner-E → centre-E
	// couplings, in which the KL rises at fourth order (flat where they
	// are zero, soft where the minimiser left them at ~1e-5)
	if len(p.Flat)+p.Soft != 5 || len(p.Flat) == 0 {
		t.Fatalf("minimum %v: %d flat and %d soft directions, want 5 in all", p.Jp, len(p.Flat), p.Soft)
	}
	dirs := o.ValleyDirections(p, 0.1)
	if len(dirs) != 1 {
		t.Fatalf("minimum %v: a valley of dimension %d, want 1", p.Jp, len(dirs))
	}
	// the valley lies in the (a, b) plane, tangent to the level curve:
	// orthogonal to ∇(lc(2a) + lc(2b)) = 2 (tanh 2a, tanh 2b), to the
	// second order of the step
	v := dirs[0]
	if inPlane := math.Hypot(v[ia], v[ib]); inPlane < 1-1e-3 {
		t.Errorf("valley direction %v has %.3g outside the (a, b) plane", v, 1-inPlane)
	}
	ga, gb := math.Tanh(2*p.Jp[ia]), math.Tanh(2*p.Jp[ib])
	if d := (v[ia]*ga + v[ib]*gb) / math.Hypot(ga, gb); math.Abs(d) > 0.1 {
		t.Errorf("valley direction %v at (a, b) = (%v, %v): %.3g along the gradient of lc(2a) + lc(2b)", v, p.Jp[ia], p.Jp[ib], d)
	}
	pts := o.TraceValley(p, dirs[0], 0.1, 6)
	if len(pts) < 3 {
		t.Fatalf("traced %d points of the valley", len(pts))
	}
	// equal KL and level along the trace, to what the fourth-order
	// directions allow: the corrector leaves the couplings in which the KL
	// rises at fourth order (the corner-E → centre-E ones) at up to ~1e-3
	// where they cost ~e⁴ of KL, and the valley's level lc(2a) + lc(2b)
	// moves by ~e² to balance them; the valley's own KL is the same to
	// rounding
	psi0 := lc(2*p.Jp[ia]) + lc(2*p.Jp[ib])
	for _, q := range pts {
		e := 0.0
		for i, x := range q.Jp {
			if i != 0 && i != ia && i != ib {
				e = math.Max(e, math.Abs(x))
			}
		}
		if math.Abs(q.KL-p.KL) > 1e-11+100*math.Pow(e, 4) || math.Abs(lc(2*q.Jp[ia])+lc(2*q.Jp[ib])-psi0) > 1e-7+4*e*e {
			t.Errorf("valley point %v: KL %.15g (start %.15g), lc(2a)+lc(2b) %.10g (start %.10g)", q.Jp, q.KL, p.KL, lc(2*q.Jp[ia])+lc(2*q.Jp[ib]), psi0)
		}
	}
	// under the diagonal coarse mirror the valley is broken: an isolated
	// minimum with a soft direction
	od := New(blocks(t, "A1+2E", "diagonal"))
	pd, err := od.MapFrom(axisJ(c, 0.8139196790953895), nil)
	if err != nil {
		t.Fatal(err)
	}
	if len(pd.Flat) != 0 || pd.MinEig <= 0 {
		t.Errorf("diagonal mirror: %d flat directions, smallest eigenvalue %g; want an isolated minimum", len(pd.Flat), pd.MinEig)
	}
}
