package engine

import (
	"context"
	"encoding/json"
	"math"
	"math/rand/v2"
	"os"
	"path/filepath"
	"reflect"
	"strings"
	"testing"

	"github.com/rgflow/rgflow/reps"
)

func shortConfig() Config {
	cfg := DefaultConfig()
	cfg.Epochs = 40
	cfg.Workers = 2
	return cfg
}

func train(t *testing.T, cfg Config, opts ...Option) *Trainer {
	t.Helper()
	rep, err := reps.Builtin(cfg.Rep)
	if err != nil {
		t.Fatal(err)
	}
	tr, err := NewTrainer(cfg, rep, opts...)
	if err != nil {
		t.Fatal(err)
	}
	if err := tr.Run(context.Background(), nil, nil); err != nil {
		t.Fatal(err)
	}
	return tr
}

// A short A1 run with a fixed seed: its root must land in a broad interval
// around the critical point. A smoke test, not a benchmark.
func TestTrainA1Smoke(t *testing.T) {
	cfg := DefaultConfig()
	cfg.Epochs = 1200
	tr := train(t, cfg)
	s := tr.Summary()
	if s.Roots == 0 {
		t.Fatalf("no Newton root recorded (%d failures)", s.RootFailures)
	}
	if m := float64(s.JcMedian); !(m > 0.70 && m < 0.95) {
		t.Errorf("J_c median %v outside [0.70, 0.95]", m)
	}
	if len(s.Flow) == 0 || s.Flow[0].Flow[0] != 0 && math.Abs(s.Flow[0].Flow[0]) > 0.5 {
		t.Errorf("flow at J=0 is %v", s.Flow[0].Flow)
	}
}

// The same seed gives the same run, bit for bit, whatever the worker count
// (the divergence's goroutines and HMC's shards, with their snapshots of
// the weights), for both losses and both models.
func TestTrainReproducible(t *testing.T) {
	for _, c := range []struct{ loss, model string }{{"kl", "flow"}, {"cd", "monotone"}} {
		cfg := shortConfig()
		cfg.Rep = "A1+E"
		cfg.Loss, cfg.Model = c.loss, c.model
		cfg.Trajectories = 20
		cfg.Epochs = 12
		cfg.CD = CDConfig{Samples: 40, KFine: 3, KCoarse: 1}
		cfg.Network.Depth, cfg.Network.Width = 2, 12
		a := train(t, cfg)
		for _, w := range []int{1, 3} {
			cfg.Workers = w
			b := train(t, cfg)
			if !reflect.DeepEqual(a.Model.Params(), b.Model.Params()) || !reflect.DeepEqual(a.J, b.J) || !reflect.DeepEqual(a.Roots, b.Roots) {
				t.Fatalf("%s %s: two runs with one seed differ (workers 2 and %d)", c.loss, c.model, w)
			}
		}
		cfg.Seed++
		d := train(t, cfg)
		if reflect.DeepEqual(a.Model.Params(), d.Model.Params()) {
			t.Fatalf("%s %s: a different seed gave the same run", c.loss, c.model)
		}
	}
}

// finishFrom loads the checkpoint at path, resumes it and trains to the end.
func finishFrom(t *testing.T, path string, rep *reps.Rep) *Trainer {
	t.Helper()
	ck, err := LoadCheckpoint(path)
	if err != nil {
		t.Fatal(err)
	}
	res, err := Resume(ck, rep, 0)
	if err != nil {
		t.Fatal(err)
	}
	if err := res.Run(context.Background(), nil, nil); err != nil {
		t.Fatal(err)
	}
	return res
}

// stopAndResume trains cfg for steps epochs, checkpoints, resumes from the
// checkpoint and trains to the end; it returns the resumed trainer and the
// checkpoint's path.
func stopAndResume(t *testing.T, cfg Config, rep *reps.Rep, steps int) (*Trainer, string) {
	t.Helper()
	tr, err := NewTrainer(cfg, rep)
	if err != nil {
		t.Fatal(err)
	}
	for i := 0; i < steps; i++ {
		if _, err := tr.Step(); err != nil {
			t.Fatal(err)
		}
	}
	path := filepath.Join(t.TempDir(), "run.ckpt")
	if err := tr.SaveCheckpoint(path); err != nil {
		t.Fatal(err)
	}
	return finishFrom(t, path, rep), path
}

// Stopping, checkpointing and resuming gives the run that never stopped.
func TestCheckpointResume(t *testing.T) {
	cfg := shortConfig()
	cfg.Epochs = 30
	cfg.Newton.Every = 1
	full := train(t, cfg)

	rep, _ := reps.Builtin("A1")
	res, path := stopAndResume(t, cfg, rep, 17)
	if !reflect.DeepEqual(full.Model.Params(), res.Model.Params()) || !reflect.DeepEqual(full.Roots, res.Roots) {
		t.Fatal("resumed run differs from the uninterrupted one")
	}
	// a checkpoint written before "activation" was dropped (and before
	// "root_failure_reasons" existed) resumes the same way
	var old map[string]any
	data, _ := os.ReadFile(path)
	if err := json.Unmarshal(data, &old); err != nil {
		t.Fatal(err)
	}
	old["activation"] = "relu"
	old["format"] = 1 // before checksums
	delete(old, "checksum")
	delete(old, "root_failure_reasons")
	data, _ = json.Marshal(old)
	oldPath := filepath.Join(t.TempDir(), "old.ckpt")
	if err := os.WriteFile(oldPath, data, 0o644); err != nil {
		t.Fatal(err)
	}
	if res := finishFrom(t, oldPath, rep); !reflect.DeepEqual(full.Model.Params(), res.Model.Params()) {
		t.Fatal("a run resumed from an old checkpoint differs from the uninterrupted one")
	}
	// a checkpoint for another representation is refused
	ck, err := LoadCheckpoint(path)
	if err != nil {
		t.Fatal(err)
	}
	other, _ := reps.Builtin("B1")
	if _, err := Resume(ck, other, 0); err == nil || !strings.Contains(err.Error(), "A1") {
		t.Errorf("resume on the wrong representation: %v", err)
	}
}

type nanLoss struct{}

func (nanLoss) Eval(J, Jp, loss, grad []float64, _ int) {
	for i := range loss {
		loss[i] = math.NaN()
	}
}

func TestDivergenceToNaNIsAnError(t *testing.T) {
	rep, _ := reps.Builtin("A1")
	tr, err := NewTrainer(shortConfig(), rep)
	if err != nil {
		t.Fatal(err)
	}
	tr.Loss = nanLoss{}
	err = tr.Run(context.Background(), nil, nil)
	if err == nil || !strings.Contains(err.Error(), "diverged at epoch 1") {
		t.Fatalf("err = %v", err)
	}
}

// knownRoot is a flow model whose output bias is shifted so that f(x0) = 0,
// and a start near x0.
func knownRoot(act Activation) (m Model, x0, start []float64) {
	net := NewMLP([]int{4, 10, 10, 4}, act, rand.New(rand.NewPCG(17, 18)))
	x0 = []float64{0.8, -0.2, 0.1, 0.3}
	f0 := net.Eval(x0)
	_, b := net.layer(net.Params, net.Layers()-1)
	for i := range b {
		b[i] -= f0[i]
	}
	return NewFlowModel(net), x0, []float64{0.85, -0.15, 0.12, 0.28}
}

// A network with a root at x0: Newton started nearby must find it, to the
// tolerance.
func TestNewtonFindsKnownRoot(t *testing.T) {
	for _, act := range []Activation{Tanh, SiLU} {
		m, x0, start := knownRoot(act)
		r := Newton(m, start, 1e-12, 50)
		if !r.Converged() {
			t.Fatalf("%v: Newton did not converge: %+v", act, r)
		}
		if d := maxDiffF(r.J, x0); d > 1e-9 {
			t.Errorf("%v: root %v, want %v", act, r.J, x0)
		}
	}
}

// scalarFlow is a one-coupling Model with a given flow and a claimed
// Jacobian (which may be wrong, to defeat the line search); Newton uses
// nothing else.
type scalarFlow struct {
	Model
	f, jac func(x float64) float64
}

func (s scalarFlow) FlowJacobian(J []float64) (f, jac []float64) {
	return []float64{s.f(J[0])}, []float64{s.jac(J[0])}
}
func (s scalarFlow) Flow(J []float64) []float64 { return []float64{s.f(J[0])} }
func (s scalarFlow) FlowBatch(J []float64, n int) []float64 {
	out := make([]float64, n)
	for i := range out {
		out[i] = s.f(J[i])
	}
	return out
}

// Newton says why it stopped.
func TestNewtonStatus(t *testing.T) {
	for _, tc := range []struct {
		name    string
		f, jac  func(float64) float64
		maxIter int
		want    NewtonStatus
	}{
		{"root", func(x float64) float64 { return x - 0.5 }, func(float64) float64 { return 1 }, 50, NewtonConverged},
		{"flat", func(float64) float64 { return 1 }, func(float64) float64 { return 0 }, 50, NewtonSingular},
		{"not finite", func(float64) float64 { return math.NaN() }, func(float64) float64 { return 1 }, 50, NewtonDiverged},
		// the claimed slope has the wrong sign, so no step decreases |f|
		{"uphill, tiny step", func(x float64) float64 { return x + 1e-9 }, func(float64) float64 { return -1 }, 50, NewtonLineSearchFailed},
		{"uphill", func(x float64) float64 { return x + 1 }, func(float64) float64 { return -1 }, 3, NewtonIterationLimit},
	} {
		r := Newton(scalarFlow{f: tc.f, jac: tc.jac}, []float64{0}, 1e-12, tc.maxIter)
		if r.Status != tc.want || r.Converged() != (tc.want == NewtonConverged) {
			t.Errorf("%s: status %v (converged %v), want %v", tc.name, r.Status, r.Converged(), tc.want)
		}
	}
	if s := NewtonSingular.String(); s != "singular Jacobian" {
		t.Errorf("NewtonSingular.String() = %q", s)
	}
}

// The Newton read-out overlaps the next epoch's HMC (rootAndRunAhead): the
// run is the one of the read-out and HMC one after the other, bit for bit,
// for the flow and the monotone model and a CD run whose HMC is sharded.
func TestRunAheadSameBits(t *testing.T) {
	for _, tc := range []struct{ rep, loss, model string }{{"A1", "kl", "flow"}, {"A1+E", "cd", "flow"}, {"A1", "kl", "monotone"}} {
		cfg := shortConfig()
		cfg.Rep, cfg.Loss, cfg.Model = tc.rep, tc.loss, tc.model
		cfg.Epochs, cfg.Trajectories, cfg.Newton.Every = 12, 6, 1
		cfg.CD = CDConfig{Samples: 64, KFine: 3, KCoarse: 1}
		rep, _ := reps.Builtin(tc.rep)
		run := func(noAhead bool) *Trainer {
			tr, err := NewTrainer(cfg, rep)
			if err != nil {
				t.Fatal(err)
			}
			tr.noAhead = noAhead
			ahead := 0
			for tr.Epoch < cfg.Epochs {
				if _, err := tr.Step(); err != nil {
					t.Fatal(err)
				}
				if tr.ahead {
					ahead++
				}
			}
			if !noAhead && ahead != cfg.Epochs/2-1 {
				t.Fatalf("%v: %d epochs ran the next one's HMC ahead, want %d", tc, ahead, cfg.Epochs/2-1)
			}
			return tr
		}
		a, b := run(false), run(true)
		ha, _ := json.Marshal(a.History)
		hb, _ := json.Marshal(b.History)
		if !reflect.DeepEqual(a.Model.Params(), b.Model.Params()) || !reflect.DeepEqual(a.J, b.J) || !reflect.DeepEqual(a.Roots, b.Roots) ||
			a.RootFailures != b.RootFailures || string(ha) != string(hb) {
			t.Errorf("%v: running the HMC ahead changes the run", tc)
		}
	}
}

// Beyond d = 6 the exact KL (and a warm start from the exact map) is
// refused in one sentence before anything is allocated, and the
// contrastive divergence trains: two epochs of 3A1+2E (d = 7) and
// 2A1+3E (d = 8) on a small network.
func TestBeyondExactDimension(t *testing.T) {
	for _, name := range []string{"3A1+2E", "2A1+3E"} {
		rep, err := reps.Builtin(name)
		if err != nil {
			t.Fatal(err)
		}
		cfg := shortConfig()
		cfg.Rep, cfg.Epochs, cfg.Trajectories = name, 2, 4
		cfg.Network.Depth, cfg.Network.Width = 1, 8
		cfg.CD.Samples, cfg.CD.KFine = 16, 2
		if _, err := NewTrainer(cfg, rep); err == nil || !strings.Contains(err.Error(), "stops at d = 6") || !strings.Contains(err.Error(), `loss = "cd"`) {
			t.Errorf("%s with the exact KL: %v", name, err)
		}
		cfg.Loss, cfg.WarmStart = LossCD, "exact-step"
		if _, err := NewTrainer(cfg, rep); err == nil || !strings.Contains(err.Error(), "warm_start") {
			t.Errorf("%s with a warm start from the exact map: %v", name, err)
		}
		cfg.WarmStart = "none"
		tr := train(t, cfg)
		if h := tr.Summary().History; h == nil || len(h.Loss) != 2 || math.IsNaN(h.Loss[1]) {
			t.Errorf("%s: history %+v, want two finite losses", name, h)
		}
	}
}
