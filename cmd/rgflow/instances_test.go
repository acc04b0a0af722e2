package main

import (
	"encoding/json"
	"fmt"
	"math"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"syscall"
	"testing"

	"github.com/rgflow/rgflow/engine"
	"github.com/rgflow/rgflow/internal/ensemble"
)

// ensembleJSON is the part of an ensemble summary the tests read; the
// instances stay raw, to be compared with single runs' files.
type ensembleJSON struct {
	Seeds     []uint64          `json:"seeds"`
	Ensemble  engine.Ensemble   `json:"ensemble"`
	Verdict   []string          `json:"verdict"`
	Instances []json.RawMessage `json:"instances"`
}

func readEnsemble(t *testing.T, path string) ensembleJSON {
	t.Helper()
	data, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	var e ensembleJSON
	if err := json.Unmarshal(data, &e); err != nil {
		t.Fatalf("%s: %v", path, err)
	}
	return e
}

// untimed is a summary's JSON without its one timing field.
func untimed(t *testing.T, raw []byte) string {
	t.Helper()
	var m map[string]any
	if err := json.Unmarshal(raw, &m); err != nil {
		t.Fatal(err)
	}
	delete(m, "seconds_per_epoch")
	b, _ := json.Marshal(m)
	return string(b)
}

// -instances N trains seeds s, s+1, …: each instance's summary is the one
// its single run writes, bit for bit but the timing, and the ensemble's
// statistics are internal/ensemble's over them.
func TestInstancesAreTheirSingleRuns(t *testing.T) {
	dir := t.TempDir()
	args := []string{"-epochs", "200", "-quiet"}
	if _, stderr, code := run(t, dir, append([]string{"train", "-instances", "3", "-seed", "4", "-json", "e.json"}, args...)...); code != 0 && code != 3 {
		t.Fatalf("exit %d: %s", code, stderr)
	}
	e := readEnsemble(t, filepath.Join(dir, "e.json"))
	if !slices.Equal(e.Seeds, []uint64{4, 5, 6}) || len(e.Instances) != 3 || e.Ensemble.N != 3 || e.Verdict == nil {
		t.Fatalf("seeds %v, %d instances, n %d, verdict %v", e.Seeds, len(e.Instances), e.Ensemble.N, e.Verdict)
	}
	var jc []float64
	for i, seed := range e.Seeds {
		name := fmt.Sprintf("s%d.json", seed)
		if _, stderr, code := run(t, dir, append([]string{"train", "-seed", fmt.Sprint(seed), "-json", name}, args...)...); code != 0 && code != 3 {
			t.Fatalf("seed %d: exit %d: %s", seed, code, stderr)
		}
		single, _ := os.ReadFile(filepath.Join(dir, name))
		if untimed(t, e.Instances[i]) != untimed(t, single) {
			t.Errorf("instance %d (seed %d) differs from its single run", i, seed)
		}
		var s engine.Summary
		if err := json.Unmarshal(single, &s); err != nil {
			t.Fatal(err)
		}
		jc = append(jc, float64(s.JcMedian))
	}
	st := ensemble.Of(jc)
	en := e.Ensemble
	if float64(en.JcMedian) != st.Median || float64(en.JcQ1) != st.Q1 || float64(en.JcQ3) != st.Q3 || float64(en.JcStdErr) != st.StdErr {
		t.Errorf("ensemble J_c %v %v %v ± %v; internal/ensemble gives %+v", en.JcMedian, en.JcQ1, en.JcQ3, en.JcStdErr, st)
	}
}

// An ensemble interrupted (SIGINT: exit 130, every instance's state
// saved, their list at -checkpoint) resumes with -resume LIST alone to the
// numbers of the ensemble never interrupted, and writes the -json it was
// started with; one instance's checkpoint resumes alone as its single run.
func TestInstancesInterruptAndResume(t *testing.T) {
	dir := t.TempDir()
	args := []string{"-epochs", "2000", "-trajectories", "96", "-instances", "2", "-quiet", "-oracle", "off"}
	if _, stderr, code := run(t, dir, append([]string{"train", "-json", "ref.json"}, args...)...); code != 0 && code != 3 {
		t.Fatalf("reference run: exit %d: %s", code, stderr)
	}
	list := filepath.Join(dir, "run.json")
	cmd, errPath := start(t, dir, append([]string{"train", "-checkpoint", list, "-checkpoint-every", "100", "-json", "out.json"}, args...)...)
	waitForEpoch(t, filepath.Join(dir, "run.seed2.json"), 200)
	cmd.Process.Signal(os.Interrupt)
	if code := exitCode(t, cmd); code != 130 {
		msg, _ := os.ReadFile(errPath)
		t.Fatalf("SIGINT: exit %d, want 130: %s", code, msg)
	}
	if msg, _ := os.ReadFile(errPath); !strings.Contains(string(msg), "listed in "+list+" (continue with -resume "+list+")") {
		t.Errorf("SIGINT message: %q", msg)
	}
	if _, err := os.Stat(filepath.Join(dir, "out.json")); err == nil {
		t.Fatal("the interrupted ensemble wrote its results")
	}
	// one instance alone: its single run's checkpoint
	if _, stderr, code := run(t, dir, "train", "-resume", filepath.Join(dir, "run.seed2.json"), "-quiet", "-oracle", "off", "-json", "one.json"); code != 0 && code != 3 {
		t.Fatalf("resuming one instance: exit %d: %s", code, stderr)
	}
	if _, stderr, code := run(t, dir, "train", "-resume", list, "-quiet", "-oracle", "off"); code != 0 && code != 3 {
		t.Fatalf("resume: exit %d: %s", code, stderr)
	}
	ref, got := readEnsemble(t, filepath.Join(dir, "ref.json")), readEnsemble(t, filepath.Join(dir, "out.json"))
	for i := range ref.Instances {
		if untimed(t, ref.Instances[i]) != untimed(t, got.Instances[i]) {
			t.Errorf("instance %d of the resumed ensemble differs from the one never interrupted", i)
		}
	}
	if a, b := fmt.Sprint(ref.Ensemble), fmt.Sprint(got.Ensemble); a != b { // NaN ≠ NaN: compare as text
		t.Errorf("ensemble %+v, never interrupted %+v", got.Ensemble, ref.Ensemble)
	}
	one, _ := os.ReadFile(filepath.Join(dir, "one.json"))
	if untimed(t, one) != untimed(t, ref.Instances[1]) {
		t.Error("the second instance resumed alone differs from its part of the ensemble")
	}
	if _, stderr, code := run(t, dir, "train", "-resume", list, "-instances", "3", "-quiet"); code != 1 || !strings.Contains(stderr, "holds 2 instances, not 3") {
		t.Errorf("-instances 3 with a list of 2: exit %d, %s", code, stderr)
	}
	if _, stderr, code := run(t, dir, "train", "-resume", filepath.Join(dir, "run.seed1.json"), "-instances", "2", "-quiet"); code != 1 || !strings.Contains(stderr, "is one run's checkpoint") {
		t.Errorf("-instances 2 with one run's checkpoint: exit %d, %s", code, stderr)
	}
	if _, stderr, code := run(t, dir, "train", "-instances", "0"); code != 1 || !strings.Contains(stderr, "-instances must be between 1 and") {
		t.Errorf("-instances 0: exit %d, %s", code, stderr)
	}
}

// A run resumed with -resume alone writes the -json and -plot it was
// started with (the checkpoint names them), or those its flags name.
func TestResumeWritesItsOutputs(t *testing.T) {
	dir := t.TempDir()
	ck := filepath.Join(dir, "run.ckpt")
	cmd, _ := start(t, dir, "train", "-epochs", "3000", "-trajectories", "96", "-quiet", "-oracle", "off",
		"-checkpoint", ck, "-checkpoint-every", "100", "-json", "r.json", "-plot", "r.svg")
	waitForEpoch(t, ck, 200)
	cmd.Process.Signal(syscall.SIGTERM)
	if code := exitCode(t, cmd); code != 143 {
		t.Fatalf("SIGTERM: exit %d, want 143", code)
	}
	if _, stderr, code := run(t, dir, "train", "-resume", ck, "-quiet", "-oracle", "off"); code != 0 && code != 3 {
		t.Fatalf("resume: exit %d: %s", code, stderr)
	}
	for _, f := range []string{"r.json", "r.svg"} {
		if fi, err := os.Stat(filepath.Join(dir, f)); err != nil || fi.Size() == 0 {
			t.Errorf("the resumed run did not write %s (%v)", f, err)
		}
	}
	if _, stderr, code := run(t, dir, "train", "-resume", ck, "-epochs", "3100", "-quiet", "-oracle", "off", "-json", "other.json"); code != 0 && code != 3 {
		t.Fatalf("resume with -json: exit %d: %s", code, stderr)
	}
	if _, err := os.Stat(filepath.Join(dir, "other.json")); err != nil {
		t.Errorf("-json given on resume not written: %v", err)
	}
}

// An under-trained A1 run (300 epochs) lands far from the exact map's
// fixed point: it exits 3, and the verdict names the distance, the one
// the JSON's numbers give. The exact map's trace is printed only with -v;
// -oracle off says so.
func TestVerdictInCouplingUnits(t *testing.T) {
	dir := t.TempDir()
	out, stderr, code := run(t, dir, "train", "-epochs", "300", "-seed", "1", "-json", "s.json")
	if code != 3 {
		t.Fatalf("exit %d, want 3: %s", code, out)
	}
	var s engine.Summary
	data, _ := os.ReadFile(filepath.Join(dir, "s.json"))
	if err := json.Unmarshal(data, &s); err != nil {
		t.Fatal(err)
	}
	d := math.Abs(float64(s.JcMedian) - s.OracleFixedPoint[0])
	want := fmt.Sprintf("not converged to the variational map: J_c %.5f lies %.4f below the exact map's %.5f", float64(s.JcMedian), d, s.OracleFixedPoint[0])
	if d < 0.05 || !strings.Contains(out, want) || len(s.Verdict) != 1 || !strings.Contains(s.Verdict[0], want) {
		t.Errorf("distance %.4f; verdict %q, want it to say %q", d, s.Verdict, want)
	}
	if !strings.Contains(out, "note: one instance has no error bar") {
		t.Errorf("the summary does not say that one instance has no error bar:\n%s", out)
	}
	if strings.Contains(stderr, "exact map:") {
		t.Errorf("the exact map's trace without -v:\n%s", stderr)
	}
	if _, stderr, _ := run(t, dir, "train", "-epochs", "30", "-v"); !strings.Contains(stderr, "rgflow: exact map: axis J_0 =") {
		t.Errorf("no exact map's trace with -v:\n%s", stderr)
	}
	if out, _, _ := run(t, dir, "train", "-epochs", "30", "-oracle", "off"); !strings.Contains(out, "exact variational map: exact map not computed (-oracle off)") {
		t.Errorf("-oracle off does not say why the exact map is missing:\n%s", out)
	}
}
