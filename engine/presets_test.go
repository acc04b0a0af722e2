package engine

import (
	"context"
	"math"
	"os"
	"path/filepath"
	"reflect"
	"strings"
	"testing"

	"github.com/rgflow/rgflow/reps"
)

// A preset is applied over the defaults and under every key the file sets.
func TestPresetOrder(t *testing.T) {
	cfg := DefaultConfig()
	if err := DecodeConfig([]byte("preset = \"hou-you\"\nepochs = 7\n[cd]\nsamples = 64\n[network]\nlayer_norm = false\n"), &cfg); err != nil {
		t.Fatal(err)
	}
	if cfg.Preset != PresetHouYou || cfg.Epochs != 7 || cfg.CD.Samples != 64 || cfg.Network.LayerNorm {
		t.Fatalf("explicit keys did not override the preset: %+v", cfg)
	}
	if cfg.CD.KFine != 20 || cfg.Optimizer.LR != 0.01 || cfg.Model != ModelMonotone || cfg.Loss != LossCDEnergy || cfg.Network.InputScale != 2 {
		t.Fatalf("the preset's other keys are missing: %+v", cfg)
	}
	// a -preset replaces the file's key; the file's other keys still win
	path := filepath.Join(t.TempDir(), "run.toml")
	if err := os.WriteFile(path, []byte("preset = \"dlrg\"\nepochs = 9\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	if c, err := LoadConfigPreset(path, PresetHouYou); err != nil || c.Preset != PresetHouYou || c.Model != ModelMonotone || c.Epochs != 9 {
		t.Fatalf("-preset over a file naming another: %+v, %v", c, err)
	}
	if c, err := LoadConfig(path); err != nil || c.Preset != PresetDLRG || c.Model != ModelFlow || c.Epochs != 9 || c.HMC.SolveSteps != 33 {
		t.Fatalf("the file's preset: %+v, %v", c, err)
	}
	for _, src := range []string{`preset = "seed"`, "preset = 3"} {
		c := DefaultConfig()
		if err := DecodeConfig([]byte(src), &c); err == nil || !strings.Contains(err.Error(), "preset") {
			t.Errorf("%s: %v", src, err)
		}
	}
	// neither published loop has rgflow's training aids, whatever the defaults
	for _, name := range []string{PresetDLRG, PresetHouYou} {
		c := DefaultConfig()
		c.LossScale, c.HMC.AxisFraction, c.Optimizer.Schedule, c.WarmStart = "log", 0.5, "cosine", "exact-map"
		if err := c.ApplyPreset(name); err != nil {
			t.Fatal(err)
		}
		if c.LossScale != "linear" || c.HMC.AxisFraction != 0 || c.Optimizer.Schedule != "constant" || c.WarmStart != "none" {
			t.Errorf("%s keeps a training aid: loss_scale %s, axis_fraction %g, schedule %s, warm_start %s", name, c.LossScale, c.HMC.AxisFraction, c.Optimizer.Schedule, c.WarmStart)
		}
	}
	if c := DefaultConfig(); c.ApplyPreset("") != nil || !reflect.DeepEqual(c, DefaultConfig()) {
		t.Error(`ApplyPreset("") changed the configuration`)
	}
}

// hidden_by_c shapes the network for its c when depth and width are left
// automatic; an explicit depth or width takes over. start_by_c gives
// Newton's whole start for its c.
func TestHiddenByC(t *testing.T) {
	cfg := DefaultConfig()
	cfg.Network.HiddenByC = map[string][]int{"1": {6, 12, 8}, "5": {12, 24, 6}}
	if got := cfg.Layers(1); !reflect.DeepEqual(got, []int{1, 6, 12, 8, 1}) {
		t.Errorf("c = 1: %v", got)
	}
	if got := cfg.Layers(5); !reflect.DeepEqual(got, []int{5, 12, 24, 6, 5}) {
		t.Errorf("c = 5: %v", got)
	}
	def := DefaultConfig()
	if got := cfg.Layers(10); !reflect.DeepEqual(got, def.Layers(10)) {
		t.Errorf("c = 10 (not listed): %v", got)
	}
	cfg.Network.Width = 9
	if got := cfg.Layers(1); !reflect.DeepEqual(got, []int{1, 9, 1}) {
		t.Errorf("explicit width: %v", got)
	}
	cfg.Newton.StartByC = map[string][]float64{"5": {0.8, 0, 0, 0.8, 0.8}}
	if got := cfg.NewtonStart(5); !reflect.DeepEqual(got, []float64{0.8, 0, 0, 0.8, 0.8}) {
		t.Errorf("start for c = 5: %v", got)
	}
	if got := cfg.NewtonStart(2); !reflect.DeepEqual(got, []float64{cfg.Newton.Start, 0}) {
		t.Errorf("start for c = 2: %v", got)
	}
	for _, bad := range []map[string][]float64{{"2": {1}}, {"y": {1}}, {"1": {math.NaN()}}} {
		c := DefaultConfig()
		c.Newton.StartByC = bad
		if err := c.Validate(); err == nil || !strings.Contains(err.Error(), "start_by_c") {
			t.Errorf("%v: %v", bad, err)
		}
	}
	for _, bad := range []map[string][]int{{"x": {3}}, {"01": {3}}, {"0": {3}}, {"2": {}}, {"2": {4, 0}}} {
		c := DefaultConfig()
		c.Network.HiddenByC = bad
		if err := c.Validate(); err == nil || !strings.Contains(err.Error(), "hidden_by_c") {
			t.Errorf("%v: %v", bad, err)
		}
	}
}

// tinyPreset is a preset's configuration cut to a few seconds of training.
func tinyPreset(t *testing.T, preset, rep string) Config {
	t.Helper()
	cfg := DefaultConfig()
	if err := cfg.ApplyPreset(preset); err != nil {
		t.Fatal(err)
	}
	cfg.Rep, cfg.Epochs, cfg.Trajectories, cfg.Workers = rep, 4, 6, 2
	cfg.CD.Samples, cfg.CD.KFine = 32, 3
	cfg.Newton.MaxIter = 40
	return cfg
}

// Each preset trains every representation it lists, with the options it
// sets honoured by the trainer: the network's shape and normalisation, the
// units, the HMC energy, the redrawn couplings.
func TestPresetsTrain(t *testing.T) {
	for _, preset := range Presets.Names() {
		for _, rep := range []string{"A1", "A1+E"} {
			cfg := tinyPreset(t, preset, rep)
			tr := train(t, cfg)
			c := tr.C
			n := tr.Model.Net().Describe()
			want := cfg.Layers(c)
			if cfg.Model == ModelMonotone {
				want[len(want)-1] = 1
			}
			if !reflect.DeepEqual(n.Sizes, want) || n.LayerNorm != cfg.Network.LayerNorm {
				t.Errorf("%s %s: network %v (layer norm %v), want %v (%v)", preset, rep, n.Sizes, n.LayerNorm, want, cfg.Network.LayerNorm)
			}
			if _, scaled := tr.Model.(*scaledModel); scaled != (cfg.Network.InputScale != 1) {
				t.Errorf("%s %s: the model is scaled: %v", preset, rep, scaled)
			}
			if _, norm := tr.pot.(normPotential); norm != (cfg.HMC.Potential == "norm") {
				t.Errorf("%s %s: the norm potential is used: %v", preset, rep, norm)
			}
			if s := tr.Summary(); len(s.Flow) == 0 {
				t.Errorf("%s %s: no summary", preset, rep)
			}
		}
	}
	cfg := tinyPreset(t, PresetHouYou, "A1+E")
	if got := cfg.Layers(5); !reflect.DeepEqual(got, []int{5, 12, 24, 6, 5}) {
		t.Errorf("hou-you A1+E network %v", got)
	}
	dlrg := DefaultConfig()
	if err := dlrg.ApplyPreset(PresetDLRG); err != nil {
		t.Fatal(err)
	}
	if got := dlrg; got.TrajectoriesFor(5) != 1944 || !reflect.DeepEqual(got.Layers(1), []int{1, 16, 16, 1}) {
		t.Errorf("dlrg: %d trajectories for A1+E, A1 network %v", got.TrajectoriesFor(5), got.Layers(1))
	}
}

// hmc.redraw draws the couplings afresh from N(0, init_scale²) every epoch
// (no proposals with sample_steps = 0), reproducibly.
func TestRedraw(t *testing.T) {
	cfg := tinyPreset(t, PresetHouYou, "A1")
	cfg.Trajectories = 400
	rep, _ := reps.Builtin("A1")
	tr, err := NewTrainer(cfg, rep)
	if err != nil {
		t.Fatal(err)
	}
	prev := append([]float64(nil), tr.J...)
	for e := 0; e < 3; e++ {
		st, err := tr.Step()
		if err != nil {
			t.Fatal(err)
		}
		if st.Accept != 0 || reflect.DeepEqual(prev, tr.J) {
			t.Fatalf("epoch %d: the couplings were not redrawn (acceptance %v)", e, st.Accept)
		}
		s2 := 0.0
		for _, v := range tr.J {
			s2 += v * v
		}
		if sd := math.Sqrt(s2 / float64(len(tr.J))); math.Abs(sd-cfg.InitScale) > 0.1 {
			t.Fatalf("epoch %d: the couplings' spread is %v, want init_scale %v", e, sd, cfg.InitScale)
		}
		prev = append(prev[:0], tr.J...)
	}
	again := train(t, cfg)
	if once := train(t, cfg); !reflect.DeepEqual(once.J, again.J) || !reflect.DeepEqual(once.Model.Params(), again.Model.Params()) {
		t.Fatal("two redrawn runs with one seed differ")
	}
}

// A run under a preset (scaled monotone network with layer norm, redrawn
// couplings, cd-energy) resumes from a checkpoint exactly.
func TestPresetCheckpointResume(t *testing.T) {
	cfg := tinyPreset(t, PresetHouYou, "A1+E")
	cfg.Epochs = 6
	cfg.HMC.SampleSteps, cfg.HMC.SolveSteps = 1, 4 // the HMC path too
	full := train(t, cfg)
	rep, _ := reps.Builtin(cfg.Rep)
	res, _ := stopAndResume(t, cfg, rep, 4)
	if !reflect.DeepEqual(full.Model.Params(), res.Model.Params()) || !reflect.DeepEqual(full.J, res.J) {
		t.Fatal("resumed run differs from the uninterrupted one")
	}
	if err := res.Run(context.Background(), nil, nil); err != nil {
		t.Fatal(err)
	}
}
