package oracle

import (
	"math"
	"testing"

	"github.com/rgflow/rgflow/engine"
	"github.com/rgflow/rgflow/engine/divergence"
	"github.com/rgflow/rgflow/engine/geometry"
	"github.com/rgflow/rgflow/reps"
)

func onBlock(t testing.TB, block string, shells int, rep string, method divergence.Method) *Oracle {
	t.Helper()
	g, err := geometry.Parse(block, shells)
	if err != nil {
		t.Fatal(err)
	}
	r, err := reps.Builtin(rep)
	if err != nil {
		t.Fatal(err)
	}
	p, err := divergence.New(g, r, "axis")
	if err != nil {
		t.Fatal(err)
	}
	p.Method = method
	b, err := OnGeometry(p, engine.NewBlocks(r))
	if err != nil {
		t.Fatal(err)
	}
	return New(b)
}

// On a patch the A1 fixed point and λ are the independent bisection's (by
// either method of the divergence); trees of plaquettes give the
// plaquette's fixed point.
func TestFixedPointOnBlocks(t *testing.T) {
	for _, tc := range []struct {
		block  string
		method divergence.Method
	}{
		{"free:2x2", divergence.Enumerate},
		{"free:2x2", divergence.Transfer},
		{"torus:2x3", divergence.Transfer},
		{"free:2x1", divergence.Transfer},
	} {
		o := onBlock(t, tc.block, 1, "A1", tc.method)
		p, err := o.MapFrom([]float64{0.8}, nil)
		if err != nil {
			t.Fatal(err)
		}
		fp, err := o.SolveFixedPoint(p, true)
		if err != nil {
			t.Fatalf("%s: %v", tc.block, err)
		}
		want := bisectA1(o.B)
		const h = 1e-4
		lambda := (bisectMapA1(o.B, want+h) - bisectMapA1(o.B, want-h)) / (2 * h)
		if math.Abs(fp.J[0]-want) > 1e-9 || math.Abs(fp.Lambda-lambda) > 1e-6 {
			t.Errorf("%s: J* = %.10f, λ = %.8f; bisection %.10f, %.8f", tc.block, fp.J[0], fp.Lambda, want, lambda)
		}
		if tc.block == "free:2x1" && (math.Abs(fp.J[0]-0.8139197) > 5e-8 || math.Abs(fp.Lambda-1.3567966) > 5e-8) {
			t.Errorf("the tree free:2x1: J* = %.8f, λ = %.8f; the plaquette's are 0.8139197, 1.3567966", fp.J[0], fp.Lambda)
		}
	}
}

// The analysis names its block and reports per coarse site; a tree's is
// the plaquette's.
func TestAnalyseOnBlock(t *testing.T) {
	o := onBlock(t, "free:2x1", 1, "A1", divergence.Auto)
	an, err := o.Analyse(Options{AxisTol: 1e-4})
	if err != nil {
		t.Fatal(err)
	}
	if an.Block != "free:2x1" || an.CoarseSites != 2 || an.Shells != 1 || an.C != 1 || len(an.FixedPoints) != 1 {
		t.Fatalf("analysis %+v", an)
	}
	plaq := engine.NewBlocks(o.B.Plaquette().Rep)
	kl, _ := plaq.KL(an.FixedPoints[0].J, an.FixedPoints[0].J)
	if math.Abs(an.FixedPoints[0].KL-kl) > 1e-6 || math.Abs(float64(an.AxisJc)-0.81392) > 2e-4 {
		t.Errorf("free:2x1: KL %v per coarse site (the plaquette's %v), axis J_c %v", an.FixedPoints[0].KL, kl, an.AxisJc)
	}
}

// With two shells the gauge acts on both blocks of couplings alike: the
// centre's flip negates J′ (every shell), and KL(J, ·) does not see it;
// the fixed point from the A1 one on the physical axis is a minimum.
func TestShellsGauge(t *testing.T) {
	o := onBlock(t, "free:2x2", 2, "A1", divergence.Transfer)
	if len(o.G.Centre) != 2 || len(o.G.Orbit) != 2 {
		t.Fatalf("gauge of order %d, %d orbit actions", len(o.G.Centre), len(o.G.Orbit))
	}
	J, Jp := []float64{0.7, 0.1}, []float64{0.6, -0.05}
	flip := o.G.Apply(o.G.Centre[1], Jp)
	if flip[0] != -0.6 || flip[1] != 0.05 {
		t.Fatalf("the centre's flip takes %v to %v", Jp, flip)
	}
	a, _ := o.B.KL(J, Jp)
	b, _ := o.B.KL(J, flip)
	if math.Abs(a-b) > 1e-13 {
		t.Errorf("KL %v, after the centre's flip %v", a, b)
	}
	p, err := o.MapFrom([]float64{0.8, 0}, nil)
	if err != nil {
		t.Fatal(err)
	}
	fp, err := o.SolveFixedPoint(p, true)
	if err != nil {
		t.Fatal(err)
	}
	if fp.Saddle || len(fp.J) != 2 || math.IsNaN(fp.Lambda) {
		t.Errorf("shell-2 fixed point %+v", fp)
	}
}
