package engine

import (
	"context"
	"math"
	"reflect"
	"testing"

	"github.com/rgflow/rgflow/engine/divergence"
	"github.com/rgflow/rgflow/engine/geometry"
	"github.com/rgflow/rgflow/reps"
)

func blockCD(t *testing.T, block string, shells int, rep string, seed uint64, workers int) *BlockCD {
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
	cd, err := NewBlockCD(p, CDConfig{Samples: 64, KFine: 6, KCoarse: 2}, seed, workers)
	if err != nil {
		t.Fatal(err)
	}
	return cd
}

// The contrastive divergence on a block repeats bit for bit by seed and
// epoch, whatever the number of workers, and changes with either; its
// gradient is the derivative of the estimate with the samples held fixed
// (an epoch's J′ moved by a little, the same chains: central differences).
func TestBlockCDReproducible(t *testing.T) {
	for _, c := range []struct {
		block  string
		shells int
		rep    string
	}{{"free:2x2", 1, "A1"}, {"free:3x1", 2, "A1"}, {"torus:2x2", 1, "A1+E"}} {
		eval := func(seed uint64, workers, epoch int) ([]float64, []float64) {
			cd := blockCD(t, c.block, c.shells, c.rep, seed, workers)
			M, n := 5, cd.P.C
			J, Jp := make([]float64, M*n), make([]float64, M*n)
			for i := range J {
				J[i], Jp[i] = 0.1+0.13*float64(i%7), 0.2+0.11*float64(i%5)
			}
			loss, grad := make([]float64, M), make([]float64, M*n)
			if err := cd.EvalContext(context.Background(), J, Jp, loss, grad, epoch); err != nil {
				t.Fatal(err)
			}
			return loss, grad
		}
		l1, g1 := eval(1, 1, 3)
		l3, g3 := eval(1, 3, 3)
		if !reflect.DeepEqual(l1, l3) || !reflect.DeepEqual(g1, g3) {
			t.Errorf("%s %s: 1 and 3 workers differ", c.block, c.rep)
		}
		if l, _ := eval(2, 1, 3); reflect.DeepEqual(l, l1) {
			t.Errorf("%s %s: another seed gave the same estimates", c.block, c.rep)
		}
		if l, _ := eval(1, 1, 4); reflect.DeepEqual(l, l1) {
			t.Errorf("%s %s: another epoch gave the same estimates", c.block, c.rep)
		}
		for _, v := range append(l1, g1...) {
			if math.IsNaN(v) || math.IsInf(v, 0) {
				t.Fatalf("%s %s: estimate %v", c.block, c.rep, l1)
			}
		}
	}
	// the gradient against central differences of one trajectory's
	// estimate: with J′ moved by 1e-9 the coarse steps draw the same
	// samples (a draw changes only where its uniform falls between the old
	// and the new threshold), so the differences hold the samples fixed
	cd := blockCD(t, "free:2x2", 1, "A1", 9, 1)
	g, _ := cd.P.NewGibbs(cd.Samples)
	J, Jp := []float64{0.7}, []float64{0.65}
	grad := []float64{0}
	cd.trajectory(g, J, Jp, grad, 42)
	const h = 1e-9
	up := cd.trajectory(g, J, []float64{Jp[0] + h}, nil, 42)
	dn := cd.trajectory(g, J, []float64{Jp[0] - h}, nil, 42)
	if fd := (up - dn) / (2 * h); math.Abs(fd-grad[0]) > 1e-5*math.Max(1, math.Abs(fd)) {
		t.Errorf("block CD gradient %v, central difference %v", grad[0], fd)
	}
}

// A trainer with the contrastive divergence on a block runs on the block's
// Gibbs chains, and two runs of one seed are the same bit for bit.
func TestTrainCDOnBlock(t *testing.T) {
	cfg := blockConfig("free:2x2", 1)
	cfg.Loss = LossCD
	cfg.CD = CDConfig{Samples: 32, KFine: 4, KCoarse: 1}
	a := train(t, cfg)
	if _, ok := a.Loss.(*BlockCD); !ok {
		t.Fatalf("loss cd on free:2x2 is %T", a.Loss)
	}
	cfg.Workers = 1
	b := train(t, cfg)
	if !reflect.DeepEqual(a.Model.Params(), b.Model.Params()) || !reflect.DeepEqual(a.J, b.J) {
		t.Error("two CD runs on a block with one seed differ")
	}
}
