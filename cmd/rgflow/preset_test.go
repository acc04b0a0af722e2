package main

import (
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// -preset sets the protocol; the config file's keys and the flags override
// it, for train and for bench.
func TestPresetFlag(t *testing.T) {
	dir := t.TempDir()
	if err := os.WriteFile(filepath.Join(dir, "run.toml"), []byte("epochs = 4\ntrajectories = 6\n[cd]\nsamples = 32\nk_fine = 3\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	out, stderr, code := run(t, dir, "train", "-preset", "hou-you", "-config", "run.toml", "-rep", "A1+E", "-seed", "3", "-quiet", "-oracle", "off", "-json", "s.json")
	if code != 0 && code != 3 {
		t.Fatalf("exit %d: %s", code, stderr)
	}
	if !strings.Contains(stderr, "loss cd-energy, model monotone, 4 epochs × 6 trajectories, seed 3") || !strings.Contains(out, "A1+E cd-energy monotone") {
		t.Fatalf("the preset, the file and the flags: %s\n%s", stderr, out)
	}
	var s map[string]any
	data, err := os.ReadFile(filepath.Join(dir, "s.json"))
	if err != nil {
		t.Fatal(err)
	}
	if err := json.Unmarshal(data, &s); err != nil {
		t.Fatal(err)
	}
	if _, ok := s["axis_jc_cmax"]; !ok {
		t.Errorf("summary lacks Hou & You's read-out: %v", s)
	}
	if _, stderr, code := run(t, dir, "train", "-preset", "seed"); code == 0 || !strings.Contains(stderr, `preset must be "dlrg" or "hou-you"`) {
		t.Errorf("an unknown preset: exit %d, %s", code, stderr)
	}
	out, stderr, code = run(t, dir, "bench", "bias-vs-dimension", "-quick", "-preset", "hou-you", "-out", "b", "-quiet")
	if code != 0 && code != 3 { // 3: a smoke test's runs are too short to be trusted
		t.Fatalf("bench -quick -preset hou-you: exit %d: %s\n%s", code, stderr, out)
	}
	cfg, err := os.ReadFile(filepath.Join(dir, "b", "config.toml"))
	if err != nil || !strings.Contains(string(cfg), "preset = 'hou-you'") && !strings.Contains(string(cfg), `preset = "hou-you"`) {
		t.Fatalf("the results' config.toml does not name the preset (%v):\n%s", err, cfg)
	}
}
