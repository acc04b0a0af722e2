package oracle

import (
	"context"
	"errors"
	"math"
	"testing"

	"github.com/rgflow/rgflow/engine"
	"github.com/rgflow/rgflow/engine/divergence"
	"github.com/rgflow/rgflow/engine/geometry"
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

// cancelling is a block pair whose context is cancelled by its after-th
// second-order evaluation, and which records every evaluation that could
// not have seen the cancel (KL, KLBatch: no context) after it.
type cancelling struct {
	Divergence
	after, n  int
	cancelled bool
	cancel    func()
	late      []string
}

func (c *cancelling) KLSecondOrderContext(ctx context.Context, J, Jp []float64, mixed bool) (engine.KLDerivatives, error) {
	d, err := c.Divergence.KLSecondOrderContext(ctx, J, Jp, mixed)
	if c.n++; c.n == c.after {
		c.cancel()
		c.cancelled = true
	}
	return d, err
}

func (c *cancelling) KLBatch(J, Jp, kl, grad []float64, workers int) {
	if c.cancelled {
		c.late = append(c.late, "KLBatch")
	}
	c.Divergence.KLBatch(J, Jp, kl, grad, workers)
}

func (c *cancelling) KL(J, Jp []float64) (float64, []float64) {
	if c.cancelled {
		c.late = append(c.late, "KL")
	}
	return c.Divergence.KL(J, Jp)
}

// The fixed-point search stops with its context: once it is done, no
// evaluation runs without one (the line search's batches ran on, which
// kept a cancelled bench suite computing a large patch's map for minutes).
func TestCriticalFixedPointStopsWithItsContext(t *testing.T) {
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
		// the map from the axis point, then the fixed-point Newton
		for _, after := range []int{1, 10, 25} {
			ctx, cancel := context.WithCancel(context.Background())
			c := &cancelling{Divergence: b, after: after, cancel: cancel}
			_, err := NewContext(ctx, c).CriticalFixedPoint(0.8)
			if !errors.Is(err, context.Canceled) || len(c.late) > 0 {
				t.Errorf("%s, cancelled at evaluation %d: %v; evaluations without the context after it: %v", b.BlockName(), after, err, c.late)
			}
		}
	}
}
