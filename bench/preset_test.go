package bench

import (
	"encoding/json"
	"os"
	"path/filepath"
	"reflect"
	"strings"
	"testing"

	"github.com/rgflow/rgflow/engine"
)

// A preset sets [train] and the suite's own keys that would override it;
// the file's keys override the preset; -preset replaces the file's preset;
// the quick cuts come after the preset; [train].preset is refused.
func TestSuitePreset(t *testing.T) {
	cfg, err := Configure(BiasVsDimension, "", false, engine.PresetHouYou)
	if err != nil {
		t.Fatal(err)
	}
	c := cfg.(*DistConfig)
	if c.Preset != engine.PresetHouYou || c.Train.Preset != engine.PresetHouYou ||
		!reflect.DeepEqual(c.Models, []string{engine.ModelMonotone}) || !reflect.DeepEqual(c.Losses, []string{engine.LossCDEnergy}) ||
		c.Epochs != 200 || c.Trajectories != 200 || c.LargeNetwork != (LargeNetwork{}) || c.Train.CD.Samples != 1000 || !c.Train.Network.LayerNorm {
		t.Fatalf("hou-you suite: %+v", c)
	}
	dir := t.TempDir()
	path := filepath.Join(dir, "bench.toml")
	if err := os.WriteFile(path, []byte("preset = \"hou-you\"\ninstances = 2\nepochs = 5\n[train.cd]\nsamples = 40\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	cfg, err = Load(BiasVsDimension, path, false)
	if err != nil {
		t.Fatal(err)
	}
	c = cfg.(*DistConfig)
	if c.Epochs != 5 || c.Instances != 2 || c.Train.CD.Samples != 40 || c.Train.CD.KFine != 20 || c.Models[0] != engine.ModelMonotone {
		t.Fatalf("file over the preset: %+v", c)
	}
	cfg, err = Configure(BiasVsDimension, path, false, engine.PresetDLRG)
	if err != nil {
		t.Fatal(err)
	}
	if c := cfg.(*DistConfig); c.Preset != engine.PresetDLRG || c.Train.Preset != engine.PresetDLRG || c.Models[0] != engine.ModelFlow || c.Epochs != 5 || c.Train.CD.Samples != 40 {
		t.Fatalf("-preset over the file's: %+v", c)
	}
	cfg, err = Configure(BiasVsDimension, "", true, engine.PresetHouYou)
	if err != nil {
		t.Fatal(err)
	}
	if c := cfg.(*DistConfig); c.Epochs != 40 || c.Instances != 3 || c.Models[0] != engine.ModelMonotone {
		t.Fatalf("quick hou-you: %+v", c)
	}
	for _, suite := range Suites() {
		cfg, err := Configure(suite, "", false, engine.PresetHouYou)
		if err != nil {
			t.Fatalf("%s: %v", suite, err)
		}
		data, err := Encode(cfg)
		if err != nil {
			t.Fatal(err)
		}
		back, _ := Default(suite)
		if err := Decode(data, back); err != nil || !reflect.DeepEqual(back, cfg) {
			t.Fatalf("%s: the preset's configuration does not round-trip (%v):\n%s", suite, err, data)
		}
	}
	bad, _ := Default(BiasVsDimension)
	if err := Decode([]byte("[train]\npreset = 'hou-you'"), bad); err == nil || !strings.Contains(err.Error(), `use the top-level key "preset"`) {
		t.Errorf("[train].preset: %v", err)
	}
	if _, err := Configure(BiasVsDimension, "", false, "nope"); err == nil || !strings.Contains(err.Error(), "preset") {
		t.Errorf("unknown preset: %v", err)
	}
}

// A suite under the hou-you preset runs end to end, and its records carry
// the preset's engine configuration and both physical-axis read-outs.
func TestSuitePresetRuns(t *testing.T) {
	cfg, err := Configure(BiasVsDimension, "", true, engine.PresetHouYou)
	if err != nil {
		t.Fatal(err)
	}
	c := cfg.(*DistConfig)
	c.Reps, c.Instances, c.Epochs, c.Trajectories = []string{"A1", "A1+E"}, 1, 6, 8
	c.Oracle = false
	dir := t.TempDir()
	rep, _ := run(t, Options{Suite: BiasVsDimension, Config: cfg, OutDir: dir})
	if rep.Failed > 0 || rep.Ran != 2 {
		t.Fatalf("%d failed of %d", rep.Failed, rep.Ran)
	}
	for _, line := range lines(t, filepath.Join(dir, JournalFile)) {
		var r struct {
			Config  engine.Config   `json:"config"`
			Summary json.RawMessage `json:"summary"`
		}
		if err := json.Unmarshal([]byte(line), &r); err != nil {
			t.Fatal(err)
		}
		if r.Config.Preset != engine.PresetHouYou || r.Config.Model != engine.ModelMonotone || !r.Config.Network.LayerNorm || r.Config.Network.InputScale != 2 {
			t.Fatalf("run config %+v", r.Config)
		}
		if !strings.Contains(string(r.Summary), `"axis_jc_cmax"`) {
			t.Fatalf("summary without Hou & You's read-out: %s", r.Summary)
		}
	}
}

// A published estimate sits beside rows of the same blocks only: the
// seed's A1+E (unrotated bonds) beside the dlrg preset's rows, Hou & You's
// beside rgflow's rotated ones, neither beside the diagonal mirror.
func TestPublishedOnlyForTheSameBlocks(t *testing.T) {
	for _, tc := range []struct {
		mirror, bonds, loss, quantity string
		want                          string // the anchor's Short, "" for none
	}{
		{"axis", "unrotated", "cd", "j0", "seed PyTorch"},
		{"axis", "rotated", "cd", "j0", ""},
		{"axis", "rotated", "cd", "axis", "Hou & You"},
		{"axis", "unrotated", "cd", "axis", ""},
		{"diagonal", "rotated", "cd", "axis", ""},
		{"diagonal", "rotated", "kl", "j0", ""},
	} {
		a, ok := bestPublished("A1+E", 3, tc.mirror, tc.bonds, tc.quantity, tc.loss)
		got := ""
		if ok {
			got = a.Short
		}
		if got != tc.want {
			t.Errorf("A1+E %s mirror, %s bonds, %s %s: %q, want %q", tc.mirror, tc.bonds, tc.loss, tc.quantity, got, tc.want)
		}
	}
	for _, bonds := range []string{"rotated", "unrotated"} { // one block for A1
		if a, ok := bestPublished("A1", 1, "axis", bonds, "j0", "cd"); !ok || a.Short != "seed PyTorch" {
			t.Errorf("A1, %s bonds: %+v, %v", bonds, a, ok)
		}
	}
}
