package main

import (
	"encoding/json"
	"math"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
)

// summaryOf reads a training summary.
func summaryOf(t *testing.T, path string) map[string]any {
	t.Helper()
	data, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	var s map[string]any
	if err := json.Unmarshal(data, &s); err != nil {
		t.Fatalf("%s: %v", path, err)
	}
	return s
}

// rgflow train -block trains on the block (the exact KL and CD), says so,
// and writes it into the summary and the checkpoint; a resume with
// another block is refused naming the flag, and with the same one goes on.
func TestTrainOnBlock(t *testing.T) {
	dir := t.TempDir()
	out, stderr, code := run(t, dir, "train", "-block", "free:2x2", "-epochs", "30", "-quiet", "-json", "s.json", "-checkpoint", "ck.json")
	if code != 0 && code != 3 {
		t.Fatalf("exit %d: %s", code, stderr)
	}
	if !strings.Contains(stderr, "block free:2x2 (4 coarse sites") || !strings.Contains(out, "on block free:2x2") {
		t.Errorf("the run does not say its block:\n%s\n%s", stderr, out)
	}
	s := summaryOf(t, filepath.Join(dir, "s.json"))
	cfg := s["config"].(map[string]any)
	if s["block"] != "free:2x2" || s["coarse_sites"] != 4.0 || s["shells"] != 1.0 || cfg["block"] != "free:2x2" || cfg["shells"] != 1.0 {
		t.Errorf("summary block %v, coarse sites %v, shells %v, config %v %v", s["block"], s["coarse_sites"], s["shells"], cfg["block"], cfg["shells"])
	}
	// the exact map beside it is the block's (0.77877, or its gauge image
	// −0.77877), not the plaquette's
	if fp, ok := s["oracle_fixed_point"].([]any); !ok || math.Abs(math.Abs(fp[0].(float64))-0.778771) > 1e-4 {
		t.Errorf("the exact map's fixed point set beside the run: %v (free:2x2's is 0.778771)", s["oracle_fixed_point"])
	}
	_, stderr, code = run(t, dir, "train", "-resume", "ck.json", "-epochs", "40", "-block", "plaquette", "-quiet")
	if code != 1 || !strings.Contains(stderr, "-block plaquette (the checkpoint has free:2x2)") {
		t.Errorf("resume with another block: exit %d, %s", code, stderr)
	}
	_, stderr, code = run(t, dir, "train", "-resume", "ck.json", "-epochs", "40", "-block", "free:2x2", "-quiet", "-json", "s2.json")
	if code != 0 && code != 3 {
		t.Errorf("resume with the same block: exit %d, %s", code, stderr)
	}
	// CD on a block
	_, stderr, code = run(t, dir, "train", "-block", "torus:2x2", "-loss", "cd", "-epochs", "6", "-quiet", "-oracle", "off", "-json", "cd.json")
	if code != 0 && code != 3 {
		t.Fatalf("cd on torus:2x2: exit %d: %s", code, stderr)
	}
	if s := summaryOf(t, filepath.Join(dir, "cd.json")); s["block"] != "torus:2x2" || s["loss"] != "cd" {
		t.Errorf("cd summary block %v loss %v", s["block"], s["loss"])
	}
	// bad values are refused before any work, naming the flag
	for _, bad := range [][]string{
		{"-block", "free:0x2"},
		{"-block", "free:2x2", "-shells", "3"},
		{"-block", "free:2x2", "-loss", "cd-energy"},
		{"-block", "plugin:nosuch"},
	} {
		_, stderr, code := run(t, t.TempDir(), append([]string{"train", "-quiet", "-epochs", "2"}, bad...)...)
		if code != 1 || strings.Count(strings.TrimSpace(stderr), "\n") > 1 || !strings.Contains(stderr, "block") && !strings.Contains(stderr, "shells") {
			t.Errorf("%v: exit %d, stderr %q", bad, code, stderr)
		}
	}
}

// rgflow eval -block: a tree of plaquettes (free:2x1) has the plaquette's
// KL per coarse site; two shells take two couplings each.
func TestEvalOnBlock(t *testing.T) {
	kl := func(args ...string) (float64, map[string]any) {
		t.Helper()
		out, stderr, code := run(t, t.TempDir(), append([]string{"eval", "-json", "-"}, args...)...)
		if code != 0 {
			t.Fatalf("%v: exit %d: %s", args, code, stderr)
		}
		var v map[string]any
		if err := json.Unmarshal([]byte(out), &v); err != nil {
			t.Fatal(err)
		}
		return v["kl"].(float64), v
	}
	plaq, _ := kl("-J", "0.8", "-Jp", "0.7")
	tree, v := kl("-J", "0.8", "-Jp", "0.7", "-block", "free:2x1")
	if math.Abs(plaq-tree) > 1e-13 || v["block"] != "free:2x1" || v["coarse_sites"] != 2.0 || !strings.HasPrefix(v["kernels"].(string), "go ") {
		t.Errorf("free:2x1: KL %v (plaquette %v), %v", tree, plaq, v)
	}
	if _, v := kl("-J", "0.8,0.1", "-Jp", "0.7,0", "-block", "free:2x2", "-shells", "2"); v["shells"] != 2.0 || len(v["grad"].([]any)) != 2 {
		t.Errorf("two shells: %v", v)
	}
	_, stderr, code := run(t, t.TempDir(), "eval", "-J", "0.8", "-Jp", "0.7", "-block", "free:2x2", "-shells", "2")
	if code != 1 || !strings.Contains(stderr, "-J has 1 values but A1 with 2 shells has c = 2") {
		t.Errorf("one coupling for two shells: exit %d, %s", code, stderr)
	}
}

// A block plugin serves a geometry to train, eval and oracle
// (-block plugin:NAME from the plugin directory, plugin:PATH as named);
// a malformed one is refused in one line naming what is wrong.
func TestBlockPlugin(t *testing.T) {
	pdir := t.TempDir()
	for _, p := range []string{"free2x1", "badbond"} {
		build := exec.Command("go", "build", "-o", filepath.Join(pdir, "rgflow-block-"+p), "./testdata/rgflow-block-"+p)
		build.Dir = filepath.Join("..", "..", "plugins")
		if out, err := build.CombinedOutput(); err != nil {
			t.Fatalf("building the test block plugin %s: %v\n%s", p, err, out)
		}
	}
	dir := t.TempDir()
	out, stderr, code := run(t, dir, "train", "-block", "plugin:free2x1", "-plugins", pdir, "-epochs", "20", "-quiet", "-json", "-", "-checkpoint", "ck.json")
	if code != 0 && code != 3 {
		t.Fatalf("train on the plugin's block: exit %d: %s", code, stderr)
	}
	var s map[string]any
	if err := json.Unmarshal([]byte(out), &s); err != nil {
		t.Fatal(err)
	}
	// free:2x1 is a tree of plaquettes: the exact map is the plaquette's
	if s["block"] != "free2x1" || s["coarse_sites"] != 2.0 || s["config"].(map[string]any)["block"] != "plugin:free2x1" {
		t.Errorf("summary block %v, coarse sites %v, config %v", s["block"], s["coarse_sites"], s["config"].(map[string]any)["block"])
	}
	if fp := s["oracle_fixed_point"].([]any)[0].(float64); math.Abs(math.Abs(fp)-0.81392) > 1e-4 {
		t.Errorf("the exact map on the plugin's free:2x1 has its fixed point at %v, the plaquette's is 0.81392", fp)
	}
	ck := summaryOf(t, filepath.Join(dir, "ck.json"))
	if d, _ := ck["block_digest"].(string); !strings.HasPrefix(d, "sha256:") {
		t.Errorf("the checkpoint's block_digest is %q", d)
	}
	// resumed with the plugin: it goes on
	if _, stderr, code := run(t, dir, "train", "-resume", "ck.json", "-plugins", pdir, "-epochs", "24", "-quiet"); code != 0 && code != 3 {
		t.Errorf("resume on the plugin's block: exit %d: %s", code, stderr)
	}
	path := filepath.Join(pdir, "rgflow-block-free2x1")
	plaq, _, _ := run(t, dir, "eval", "-J", "0.8", "-Jp", "0.7")
	viaPath, stderr, code := run(t, dir, "eval", "-J", "0.8", "-Jp", "0.7", "-block", "plugin:"+path)
	if code != 0 {
		t.Fatalf("eval -block plugin:PATH: exit %d: %s", code, stderr)
	}
	if a, b := klLine(t, plaq), klLine(t, viaPath); math.Abs(a-b) > 1e-13 {
		t.Errorf("eval on the plugin's free:2x1: KL %v, the plaquette's %v", b, a)
	}
	for _, cmd := range []string{"train", "eval", "oracle"} {
		args := []string{cmd, "-block", "plugin:badbond", "-plugins", pdir}
		if cmd == "eval" {
			args = append(args, "-J", "0.8", "-Jp", "0.7")
		}
		_, stderr, code := run(t, dir, args...)
		msg := strings.TrimSpace(stderr)
		if code != 1 || strings.Contains(msg, "\n") || !strings.Contains(msg, "invalid block") || !strings.Contains(msg, "direction") {
			t.Errorf("%s on the malformed block: exit %d, %q", cmd, code, msg)
		}
	}
}

// klLine reads eval's "KL = …" line.
func klLine(t *testing.T, out string) float64 {
	t.Helper()
	line, _, _ := strings.Cut(out, "\n")
	v, err := strconv.ParseFloat(strings.TrimPrefix(line, "KL = "), 64)
	if err != nil {
		t.Fatalf("eval printed %q", out)
	}
	return v
}
