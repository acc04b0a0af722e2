package engine

import (
	"context"
	"encoding/json"
	"errors"
	"math"
	"os"
	"path/filepath"
	"reflect"
	"strings"
	"testing"
	"time"

	"github.com/rgflow/rgflow/kernels"
	"github.com/rgflow/rgflow/reps"
)

// A checkpoint written before the configuration's JSON took the TOML key
// names (testdata/checkpoint-go-names.json: rgflow at commit 99ba1d4, A1
// with CD and non-default keys in every table, stopped after 6 of 6
// epochs) still loads: every key is read from its Go field name, today's
// code reproduces its state bit for bit, and it resumes to the numbers of
// a run that never stopped.
func TestCheckpointWithGoFieldNamesLoads(t *testing.T) {
	ck, err := LoadCheckpoint(filepath.Join("testdata", "checkpoint-go-names.json"))
	if err != nil {
		t.Fatal(err)
	}
	c := ck.Config
	if c.Loss != "cd" || c.Epochs != 6 || c.Trajectories != 3 || c.MaxTraj != 100 || c.InitScale != 0.5 ||
		c.HMC.BetaT != 8 || c.HMC.SolveSteps != 4 || c.HMC.Center != 0.3 || c.CD.Samples != 64 || c.CD.KFine != 4 ||
		c.Newton.MaxIter != 40 || c.Network.Width != 4 || c.Output.CheckpointEvery != 2 || c.CoarseMirror != "axis" {
		t.Fatalf("the old checkpoint's configuration read as %+v", c)
	}
	rep, _ := reps.Builtin("A1")
	// the kernel paths agree to rounding, not bit for bit: the state can
	// be reproduced only on the path the checkpoint was written on
	if avx512, err := kernels.Lookup("avx512"); err != nil {
		t.Logf("not reproducing the old checkpoint's state: it was written on avx512 (%v)", err)
	} else {
		now, err := NewTrainer(c, rep, WithKernels(avx512))
		if err != nil {
			t.Fatal(err)
		}
		for now.Epoch < 6 {
			if _, err := now.Step(); err != nil {
				t.Fatal(err)
			}
		}
		// roots are recorded as |J_0| today (J and −J are one fixed
		// point); the old code kept the sign
		oldRoots := make([]float64, len(ck.Roots))
		for i, r := range ck.Roots {
			oldRoots[i] = math.Abs(r)
		}
		if !reflect.DeepEqual(now.Model.Params(), ck.Params) || !reflect.DeepEqual(now.Roots, oldRoots) || !reflect.DeepEqual(now.J, ck.J) {
			t.Fatal("today's code does not reproduce the old checkpoint's state")
		}
	}
	resume := func(ck *Checkpoint) *Trainer {
		t.Helper()
		res, err := Resume(ck, rep, 8)
		if err != nil {
			t.Fatal(err)
		}
		if err := res.Run(context.Background(), nil, nil); err != nil {
			t.Fatal(err)
		}
		return res
	}
	// today's checkpoint of the same state, written in today's form
	same, err := Resume(ck, rep, 0)
	if err != nil {
		t.Fatal(err)
	}
	path := filepath.Join(t.TempDir(), "now.ckpt")
	if err := same.SaveCheckpoint(path); err != nil {
		t.Fatal(err)
	}
	if data, _ := os.ReadFile(path); !strings.Contains(string(data), `"max_trajectories":100`) {
		t.Fatalf("today's checkpoint is not in today's form: %.200s", data)
	}
	nowCk, err := LoadCheckpoint(path)
	if err != nil {
		t.Fatal(err)
	}
	res := resume(ck)
	// the old checkpoint has no history: it starts where the run resumed
	if h := res.History; h.Len() != 2 || h.Epoch[0] != 7 {
		t.Errorf("history of the resumed run: epochs %v", h.Epoch)
	}
	if ref := resume(nowCk); !reflect.DeepEqual(ref.Model.Params(), res.Model.Params()) || !reflect.DeepEqual(ref.Roots, res.Roots) {
		t.Fatal("the old checkpoint resumes to other numbers than today's checkpoint of the same state")
	}
}

// The configuration's JSON uses the TOML key names, and reads back.
func TestConfigJSONUsesTOMLNames(t *testing.T) {
	cfg := DefaultConfig()
	cfg.HMC.BetaT, cfg.MaxTraj = 4.5, 77
	data, err := json.Marshal(cfg)
	if err != nil {
		t.Fatal(err)
	}
	var m map[string]any
	json.Unmarshal(data, &m)
	if m["max_trajectories"] != 77.0 || m["hmc"].(map[string]any)["beta"] != 4.5 || m["MaxTraj"] != nil {
		t.Errorf("JSON %s", data)
	}
	var back Config
	if err := json.Unmarshal(data, &back); err != nil || !reflect.DeepEqual(back, cfg) {
		t.Errorf("round trip: %+v, %v", back, err)
	}
	// a key left out keeps the value the target holds
	back = DefaultConfig()
	if err := json.Unmarshal([]byte(`{"epochs": 9, "hmc": {"beta": 2}}`), &back); err != nil || back.Epochs != 9 || back.HMC.BetaT != 2 || back.HMC.Dt != 0.001 {
		t.Errorf("partial JSON: %+v, %v", back, err)
	}
	// and the old form, by Go field names
	old, _ := json.Marshal(GoNamesForm(cfg))
	if !strings.Contains(string(old), `"MaxTraj":77`) {
		t.Fatalf("legacy form %s", old)
	}
	back = Config{}
	if err := json.Unmarshal(old, &back); err != nil || !reflect.DeepEqual(back, cfg) {
		t.Errorf("old form: %+v, %v", back, err)
	}
}

// blockingLoss holds its trainer inside the divergence of epoch `at`
// until release is closed, after reporting on inside.
type blockingLoss struct {
	Divergence
	at              int
	inside, release chan struct{}
}

func (b *blockingLoss) EvalContext(ctx context.Context, J, Jp, loss, grad []float64, epoch int) error {
	if epoch == b.at {
		close(b.inside)
		select {
		case <-b.release:
		case <-ctx.Done():
			return ctx.Err()
		}
	}
	b.Eval(J, Jp, loss, grad, epoch)
	return nil
}

// An epoch interrupted inside its divergence is undone: a checkpoint taken
// then, from another goroutine while the epoch still runs, or after Run
// returned, resumes to the numbers of the run that was never interrupted.
func TestInterruptedEpochResumesExactly(t *testing.T) {
	cfg := shortConfig()
	cfg.Epochs = 24
	full := train(t, cfg)
	rep, _ := reps.Builtin("A1")
	resumeFrom := func(ck *Checkpoint) *Trainer {
		t.Helper()
		data, _ := json.Marshal(ck)
		var back Checkpoint
		if err := json.Unmarshal(data, &back); err != nil {
			t.Fatal(err)
		}
		res, err := Resume(&back, rep, 0)
		if err != nil {
			t.Fatal(err)
		}
		if err := res.Run(context.Background(), nil, nil); err != nil {
			t.Fatal(err)
		}
		return res
	}
	same := func(what string, res *Trainer) {
		t.Helper()
		h1, _ := json.Marshal(full.History) // NaN roots are null: DeepEqual would call them unequal
		h2, _ := json.Marshal(res.History)
		if !reflect.DeepEqual(full.Model.Params(), res.Model.Params()) || !reflect.DeepEqual(full.Roots, res.Roots) || string(h1) != string(h2) {
			t.Errorf("%s: the resumed run differs from the uninterrupted one", what)
		}
	}
	for _, concurrent := range []bool{false, true} {
		tr, err := NewTrainer(cfg, rep)
		if err != nil {
			t.Fatal(err)
		}
		bl := &blockingLoss{Divergence: tr.Loss, at: 15, inside: make(chan struct{}), release: make(chan struct{})}
		tr.Loss = bl
		ctx, cancel := context.WithCancel(context.Background())
		done := make(chan error, 1)
		go func() { done <- tr.Run(ctx, nil, nil) }()
		<-bl.inside
		var ck *Checkpoint
		if concurrent { // the epoch still runs
			if ck, err = tr.Checkpoint(); err != nil {
				t.Fatal(err)
			}
		}
		cancel()
		if err := <-done; !errors.Is(err, context.Canceled) {
			t.Fatalf("Run returned %v", err)
		}
		if !concurrent {
			if ck, err = tr.Checkpoint(); err != nil {
				t.Fatal(err)
			}
		}
		if ck.Epoch != 15 || ck.History.Len() != 15 {
			t.Fatalf("checkpoint at epoch %d with %d history entries, want 15", ck.Epoch, ck.History.Len())
		}
		same(map[bool]string{true: "checkpoint during the epoch", false: "checkpoint after Run"}[concurrent], resumeFrom(ck))
	}
}

// Run saves a checkpoint every checkpoint_every epochs, or with 0 every
// CheckpointInterval, or with −1 never.
func TestRunCheckpointsPeriodically(t *testing.T) {
	rep, _ := reps.Builtin("A1")
	saves := func(every int) int {
		cfg := shortConfig()
		cfg.Output.CheckpointEvery = every
		tr, err := NewTrainer(cfg, rep)
		if err != nil {
			t.Fatal(err)
		}
		n := 0
		if err := tr.Run(context.Background(), func(EpochStat) { time.Sleep(time.Millisecond) }, func() error { n++; return nil }); err != nil {
			t.Fatal(err)
		}
		return n
	}
	old := CheckpointInterval
	defer func() { CheckpointInterval = old }()
	CheckpointInterval = 5 * time.Millisecond
	if n := saves(10); n != 3 { // epochs 10, 20, 30 of 40 (the end is the caller's)
		t.Errorf("checkpoint_every = 10: %d saves, want 3", n)
	}
	if n := saves(0); n < 3 {
		t.Errorf("checkpoint_every = 0 with a 5 ms interval: %d saves in 40 epochs of ≥ 1 ms", n)
	}
	if n := saves(-1); n != 0 {
		t.Errorf("checkpoint_every = -1: %d saves", n)
	}
}

// Every epoch is in the history; the root column is NaN outside the
// recorded half.
func TestHistory(t *testing.T) {
	cfg := shortConfig()
	tr := train(t, cfg)
	s := tr.Summary()
	h := s.History
	if h == nil || h.Len() != cfg.Epochs || !h.consistent() || h.Epoch[0] != 1 || h.Epoch[cfg.Epochs-1] != cfg.Epochs {
		t.Fatalf("history %+v", h)
	}
	if !math.IsNaN(float64(h.Root[0])) || math.IsNaN(float64(h.Root[cfg.Epochs-1])) && tr.RootFailures == 0 {
		t.Errorf("root column %v", h.Root)
	}
	if s.Config == nil || s.Config.Output != (OutputConfig{}) || s.Config.Epochs != cfg.Epochs {
		t.Errorf("summary config %+v", s.Config)
	}
}

// What is not a checkpoint is refused in one sentence that says so.
func TestLoadCheckpointRefusesOtherFiles(t *testing.T) {
	dir := t.TempDir()
	for name, content := range map[string]string{
		"summary.json": `{"rep": "A1", "trajectories": 24, "flow": []}`,
		"cut.ckpt":     `{"format": 1, "rep": "A1", "params": [0.1, 0.`,
		"typed.ckpt":   `{"format": 1, "rep": "A1", "params": [], "epoch": "ten"}`,
	} {
		p := filepath.Join(dir, name)
		os.WriteFile(p, []byte(content), 0o644)
		_, err := LoadCheckpoint(p)
		if err == nil || !strings.Contains(err.Error(), "checkpoint") || strings.Contains(err.Error(), "Go struct") {
			t.Errorf("%s: %v", name, err)
		}
	}
}
