package engine

import (
	"context"
	"errors"
	"math"
	"slices"
	"testing"
	"time"

	"github.com/rgflow/rgflow/reps"
)

// exact-step puts the exact map's step at the axis reference point into
// the output bias: there the untrained network's step is that step plus
// only its random weights' contribution.
func TestWarmStartExactStep(t *testing.T) {
	cfg := shortConfig()
	cfg.Rep, cfg.WarmStart = "A1+E", "exact-step"
	step := []float64{0.3, 0.7, -0.1, 0.05, 0.2}
	calls := 0
	fake := func(BlockPair) ExactMap {
		return func(_ context.Context, Js [][]float64) ([][]float64, error) {
			calls++
			out := make([][]float64, len(Js))
			for k, J := range Js {
				out[k] = make([]float64, len(J))
				for i := range J {
					out[k][i] = J[i] + step[i]
				}
			}
			return out, nil
		}
	}
	tr, err := NewTrainer(cfg, mustRep(t, "A1+E"), WithExactMap(fake))
	if err != nil {
		t.Fatal(err)
	}
	bias := tr.Model.Net().OutputBias()
	for i := range step {
		if math.Abs(bias[i]-step[i]) > 1e-15 {
			t.Fatalf("output bias %v, want the exact step %v", bias, step)
		}
	}
	if calls != 1 {
		t.Errorf("the exact map was asked %d times", calls)
	}
	if _, err := NewTrainer(cfg, mustRep(t, "A1+E")); err == nil {
		t.Error("a warm start without an exact map was accepted")
	}
}

// exact-map fits the network to the map it is given: after the fit the
// network reproduces M(J) = J/2 far better than before.
func TestWarmStartExactMapFits(t *testing.T) {
	cfg := shortConfig()
	cfg.Rep, cfg.WarmStartPoints, cfg.WarmStartEpochs = "A1+E", 64, 400
	half := func(BlockPair) ExactMap {
		return func(_ context.Context, Js [][]float64) ([][]float64, error) {
			out := make([][]float64, len(Js))
			for k, J := range Js {
				out[k] = make([]float64, len(J))
				for i := range J {
					out[k][i] = J[i] / 2
				}
			}
			return out, nil
		}
	}
	misfit := func(tr *Trainer) float64 {
		J := []float64{0.4, -0.2, 0.3, 0.1, -0.5}
		f := tr.Model.Flow(J)
		e := 0.0
		for i := range J {
			e = math.Max(e, math.Abs(J[i]+f[i]-J[i]/2))
		}
		return e
	}
	cfg.WarmStart = "none"
	cold, err := NewTrainer(cfg, mustRep(t, "A1+E"))
	if err != nil {
		t.Fatal(err)
	}
	cfg.WarmStart = "exact-map"
	warm, err := NewTrainer(cfg, mustRep(t, "A1+E"), WithExactMap(half))
	if err != nil {
		t.Fatal(err)
	}
	if a, b := misfit(cold), misfit(warm); !(b < 0.1 && b < a/3) {
		t.Errorf("misfit to M(J) = J/2: %.3g before the warm start, %.3g after", a, b)
	}
}

// axis_fraction replaces that share of the HMC chains by points on the
// learned flow from the physical axis; with axis_steps = 0 they lie on
// the axis itself, J_0 in [0, axis_max].
func TestAxisSamples(t *testing.T) {
	cfg := shortConfig()
	cfg.Rep, cfg.Trajectories = "A1+E", 40
	cfg.HMC.AxisFraction, cfg.HMC.AxisSteps, cfg.HMC.AxisMax = 0.25, 0, 1.2
	tr, err := NewTrainer(cfg, mustRep(t, "A1+E"))
	if err != nil {
		t.Fatal(err)
	}
	if _, err := tr.Step(); err != nil {
		t.Fatal(err)
	}
	c := tr.C
	axis := tr.J[(tr.M-10)*c:]
	for k := 0; k < 10; k++ {
		row := axis[k*c : (k+1)*c]
		if row[0] < 0 || row[0] > 1.2 || maxAbs(row[1:]) != 0 {
			t.Errorf("axis row %d = %v", k, row)
		}
	}
	if maxAbs(tr.J[:c*(tr.M-10)][1:]) == 0 {
		t.Error("the HMC chains are on the axis too")
	}
}

func TestCosineSchedule(t *testing.T) {
	cfg := shortConfig()
	cfg.Optimizer.Schedule, cfg.Optimizer.FinalLRFraction, cfg.Epochs = "cosine", 0.01, 100
	tr := &Trainer{Cfg: cfg}
	if lr := tr.learningRate(0); lr != cfg.Optimizer.LR {
		t.Errorf("first epoch lr %g", lr)
	}
	if lr, want := tr.learningRate(50), cfg.Optimizer.LR*(0.01+0.99*0.5); math.Abs(lr-want) > 1e-15 {
		t.Errorf("half-way lr %g, want %g", lr, want)
	}
	if lr := tr.learningRate(100); math.Abs(lr-0.01*cfg.Optimizer.LR) > 1e-15 {
		t.Errorf("last lr %g", lr)
	}
}

func mustRep(t testing.TB, name string) *reps.Rep {
	t.Helper()
	r, err := reps.Builtin(name)
	if err != nil {
		t.Fatal(err)
	}
	return r
}

// A warm start stops once its context is done, between the exact map's
// points and between the fit's steps, with the context's error: a long
// exact-map fit no longer holds a signal off.
func TestWarmStartStopsWhenCancelled(t *testing.T) {
	cfg := shortConfig()
	cfg.Rep, cfg.WarmStart, cfg.WarmStartPoints, cfg.WarmStartEpochs = "A1+E", "exact-map", 2000, 1000000
	rep, _ := reps.Builtin(cfg.Rep)
	calls := 0
	slow := WithExactMap(func(BlockPair) ExactMap {
		return func(ctx context.Context, Js [][]float64) ([][]float64, error) {
			out := make([][]float64, len(Js))
			for k, J := range Js {
				if calls++; ctx.Err() != nil {
					return nil, ctx.Err()
				}
				out[k] = append([]float64(nil), J...)
			}
			return out, nil
		}
	})
	ctx, cancel := context.WithTimeout(context.Background(), 300*time.Millisecond)
	defer cancel()
	begin := time.Now()
	_, err := NewTrainer(cfg, rep, slow, WithContext(ctx))
	if !errors.Is(err, context.DeadlineExceeded) || time.Since(begin) > 2*time.Second {
		t.Errorf("a warm start cancelled after 0.3 s: %v after %v", err, time.Since(begin))
	}
}

// The second-order KL stops between its parts once its context is done,
// and gives the bits of KLSecondOrder otherwise.
func TestKLSecondOrderContext(t *testing.T) {
	rep, _ := reps.Builtin("2A1+E")
	b := NewBlocks(rep)
	J := make([]float64, rep.C())
	J[0], J[3] = 0.5, 0.2
	want := b.KLSecondOrder(J, J, true)
	got, err := b.KLSecondOrderContext(context.Background(), J, J, true)
	if err != nil || got.KL != want.KL || !slices.Equal(got.Hess, want.Hess) || !slices.Equal(got.Mixed, want.Mixed) {
		t.Errorf("with a context that is never done: %v, KL %v vs %v", err, got.KL, want.KL)
	}
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	if _, err := b.KLSecondOrderContext(ctx, J, J, true); !errors.Is(err, context.Canceled) {
		t.Errorf("with a cancelled context: %v", err)
	}
}
