package oracle

import (
	"math"
	"testing"

	"rgflow/engine"
	"rgflow/engine/divergence"
	"rgflow/engine/geometry"
)

// The fixed-point search alone finds Analyse's critical fixed point, λ
// and, for one coupling, the axis J_c (the fixed point itself): on the
// plaquette and on free:2x2, with a fraction of the evaluations.
func TestCriticalFixedPointIsAnalyses(t *testing.T) {
	plaq := blocks(t, "A1", "axis")
	g, err := geometry.Parse("free:2x2", 1)
	if err != nil {
		t.Fatal(err)
	}
	p, err := divergence.New(g, plaq.Rep, "axis")
	if err != nil {
		t.Fatal(err)
	}
	patch, err := engine.OnGeometry(p, plaq)
	if err != nil {
		t.Fatal(err)
	}
	for _, b := range []Divergence{plaq, patch} {
		full, err := New(b).Analyse(Options{AxisTol: 1e-7})
		if err != nil {
			t.Fatal(err)
		}
		quick, err := New(b).CriticalFixedPoint(0.76)
		if err != nil {
			t.Fatal(err)
		}
		i, k := full.Critical(), quick.Critical()
		if i < 0 || k != 0 {
			t.Fatalf("%s: critical fixed points %d (Analyse) and %d (CriticalFixedPoint)", b.BlockName(), i, k)
		}
		f, q := full.FixedPoints[i], quick.FixedPoints[k]
		if math.Abs(f.J[0]-q.J[0]) > 1e-9 || math.Abs(float64(f.Lambda-q.Lambda)) > 1e-6 || math.Abs(float64(quick.AxisJc-full.AxisJc)) > 1e-6 {
			t.Errorf("%s: CriticalFixedPoint J* %v λ %v axis %v, Analyse %v %v %v", b.BlockName(), q.J, q.Lambda, quick.AxisJc, f.J, f.Lambda, full.AxisJc)
		}
		if quick.Block != b.BlockName() || quick.CoarseSites != b.CoarseSites() || quick.Evaluations*10 > full.Evaluations {
			t.Errorf("%s: block %s, %d coarse sites, %d evaluations (Analyse %d)", b.BlockName(), quick.Block, quick.CoarseSites, quick.Evaluations, full.Evaluations)
		}
	}
}
