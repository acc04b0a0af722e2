package main

import (
	"encoding/json"
	"os"
	"os/exec"
	"path/filepath"
	"reflect"
	"regexp"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/rgflow/rgflow/engine"
)

// Every command's -h is help, on standard output, with exit code 0; so is
// rgflow help COMMAND. A bad flag is one line and exit code 2.
func TestHelpExitsZero(t *testing.T) {
	dir := t.TempDir()
	for _, c := range commands {
		for _, args := range [][]string{{c.name, "-h"}, {"help", c.name}} {
			out, stderr, code := run(t, dir, args...)
			if code != 0 || !strings.Contains(out, "usage: rgflow "+c.name) {
				t.Errorf("rgflow %v: exit %d, stdout %.80q, stderr %.80q", args, code, out, stderr)
			}
		}
		if c.name == "bench" {
			continue
		}
		_, stderr, code := run(t, dir, c.name, "-no-such-flag")
		if code != 2 || strings.Count(strings.TrimSpace(stderr), "\n") != 0 || !strings.Contains(stderr, "-no-such-flag") {
			t.Errorf("rgflow %s -no-such-flag: exit %d, stderr %q", c.name, code, stderr)
		}
	}
	// train's help shows the real defaults
	out, _, _ := run(t, dir, "train", "-h")
	for _, want := range []string{"(default 3000)", `(default "kl")`, `(default "A1")`, "0: one per CPU"} {
		if !strings.Contains(out, want) {
			t.Errorf("train -h lacks %q", want)
		}
	}
	if strings.Contains(out, "-1") && strings.Contains(out, "(default -1)") {
		t.Error("train -h shows a default of -1")
	}
}

// rgflow config prints every key with a comment, as TOML that reads back
// to the defaults; -rep names the representation, -preset goes through
// the registry.
func TestConfigCommand(t *testing.T) {
	dir := t.TempDir()
	out, stderr, code := run(t, dir, "config")
	if code != 0 {
		t.Fatalf("exit %d: %s", code, stderr)
	}
	cfg := engine.DefaultConfig()
	if err := engine.DecodeConfig([]byte(out), &cfg); err != nil || !reflect.DeepEqual(cfg, engine.DefaultConfig()) {
		t.Errorf("rgflow config does not read back to the defaults: %v", err)
	}
	for _, key := range []string{"max_trajectories", "[hmc]", "anneal_center", "[cd]", "checkpoint_every", "[newton]"} {
		if !strings.Contains(out, key) {
			t.Errorf("rgflow config lacks %s", key)
		}
	}
	if n := strings.Count(out, "\n# "); n < 30 {
		t.Errorf("only %d comment lines", n)
	}
	out, _, code = run(t, dir, "config", "-rep", "A1+E")
	if code != 0 || !strings.Contains(out, "rep = 'A1+E'") || !strings.Contains(out, "trajectories = 1024, network depth 5 and width 80") {
		t.Errorf("config -rep A1+E: exit %d\n%s", code, out)
	}
	_, stderr, code = run(t, dir, "config", "-preset", "nonesuch")
	if code != 1 || !strings.Contains(stderr, "-preset") || !strings.Contains(stderr, "nonesuch") {
		t.Errorf("config -preset nonesuch: exit %d, %q", code, stderr)
	}
}

// withoutTiming drops the timing fields from a training summary.
func withoutTiming(t *testing.T, path string) string {
	t.Helper()
	data, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	return regexp.MustCompile(`"seconds_per_epoch": [^,\n]*`).ReplaceAllString(string(data), `"seconds_per_epoch": 0`)
}

// Two runs with one seed write the same training JSON, byte for byte, but
// for the timing field; it holds the configuration by TOML names, the
// version, the kernel path and the per-epoch history.
func TestTrainingJSONIsReproducible(t *testing.T) {
	dir := t.TempDir()
	for _, name := range []string{"a.json", "b.json"} {
		if _, stderr, code := run(t, dir, "train", "-epochs", "40", "-quiet", "-json", name); code != 0 && code != 3 {
			t.Fatalf("exit %d: %s", code, stderr)
		}
	}
	a, b := withoutTiming(t, filepath.Join(dir, "a.json")), withoutTiming(t, filepath.Join(dir, "b.json"))
	if a != b {
		t.Error("two runs with one seed wrote different JSON (timing aside)")
	}
	var s struct {
		Version string                     `json:"rgflow_version"`
		Commit  string                     `json:"rgflow_commit"`
		Kernels string                     `json:"kernels"`
		Config  map[string]json.RawMessage `json:"config"`
		History struct {
			Epoch []int      `json:"epoch"`
			Loss  []float64  `json:"loss"`
			Beta  []float64  `json:"beta"`
			Acc   []float64  `json:"acceptance"`
			Root  []*float64 `json:"root"`
		} `json:"history"`
	}
	if err := json.Unmarshal([]byte(a), &s); err != nil {
		t.Fatal(err)
	}
	h := s.History
	if s.Version == "" || s.Commit == "" || s.Kernels == "" || s.Config["max_trajectories"] == nil || s.Config["hmc"] == nil || s.Config["output"] != nil {
		t.Errorf("version %q, commit %q, kernels %q, config keys %v", s.Version, s.Commit, s.Kernels, s.Config)
	}
	if len(h.Epoch) != 40 || len(h.Loss) != 40 || len(h.Beta) != 40 || len(h.Acc) != 40 || len(h.Root) != 40 || h.Root[0] != nil {
		t.Errorf("history: %d epochs, %d losses, first root %v", len(h.Epoch), len(h.Loss), h.Root[0])
	}
}

// start runs rgflow in the background, its stderr in a file.
func start(t *testing.T, dir string, args ...string) (*exec.Cmd, string) {
	t.Helper()
	needBinary(t)
	cmd := exec.Command(binary, args...)
	cmd.Dir = dir
	cmd.Env = append(os.Environ(), "RGFLOW_PLUGINS="+t.TempDir())
	errPath := filepath.Join(dir, "stderr-"+strings.ReplaceAll(time.Now().Format("150405.000000"), ".", ""))
	f, err := os.Create(errPath)
	if err != nil {
		t.Fatal(err)
	}
	cmd.Stderr, cmd.Stdout = f, f
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { f.Close() })
	return cmd, errPath
}

// waitForEpoch waits until the checkpoint at path has done at least n
// epochs.
func waitForEpoch(t *testing.T, path string, n int) {
	t.Helper()
	deadline := time.Now().Add(60 * time.Second)
	for time.Now().Before(deadline) {
		if ck, err := engine.LoadCheckpoint(path); err == nil && ck.Epoch >= n {
			return
		}
		time.Sleep(20 * time.Millisecond)
	}
	t.Fatalf("%s never reached epoch %d", path, n)
}

func exitCode(t *testing.T, cmd *exec.Cmd) int {
	t.Helper()
	err := cmd.Wait()
	if ee, ok := err.(*exec.ExitError); ok {
		return ee.ExitCode()
	} else if err != nil {
		t.Fatal(err)
	}
	return 0
}

// SIGINT saves the state and exits 130 (SIGTERM 143); the run resumes
// from the file it was checkpointing to, can be interrupted again, and
// ends with the numbers of the run that was never interrupted. SIGKILL
// loses at most the checkpoint interval.
func TestInterruptAndResume(t *testing.T) {
	dir := t.TempDir()
	args := []string{"-epochs", "3000", "-trajectories", "96", "-quiet", "-oracle", "off"}
	if _, stderr, code := run(t, dir, append([]string{"train", "-json", "ref.json"}, args...)...); code != 0 && code != 3 {
		t.Fatalf("reference run: exit %d: %s", code, stderr)
	}
	ck := filepath.Join(dir, "run.ckpt")
	cmd, errPath := start(t, dir, append([]string{"train", "-checkpoint", ck, "-checkpoint-every", "100"}, args...)...)
	waitForEpoch(t, ck, 200)
	cmd.Process.Signal(os.Interrupt)
	if code := exitCode(t, cmd); code != 130 {
		t.Fatalf("SIGINT: exit %d, want 130", code)
	}
	if msg, _ := os.ReadFile(errPath); !strings.Contains(string(msg), "state saved to "+ck) {
		t.Errorf("SIGINT message: %q", msg)
	}
	// the resumed run keeps saving to run.ckpt, and is interrupted in turn
	first, _ := engine.LoadCheckpoint(ck)
	cmd, _ = start(t, dir, "train", "-resume", ck, "-quiet", "-oracle", "off")
	waitForEpoch(t, ck, first.Epoch+300)
	cmd.Process.Signal(syscall.SIGTERM)
	if code := exitCode(t, cmd); code != 143 {
		t.Fatalf("SIGTERM of the resumed run: exit %d, want 143", code)
	}
	// SIGKILL: the checkpoint of the last interval survives, whole
	cmd, _ = start(t, dir, "train", "-resume", ck, "-quiet", "-oracle", "off", "-checkpoint-every", "50")
	second, _ := engine.LoadCheckpoint(ck)
	waitForEpoch(t, ck, second.Epoch+100)
	cmd.Process.Kill()
	cmd.Wait()
	third, err := engine.LoadCheckpoint(ck)
	if err != nil || third.Epoch < second.Epoch+100 {
		t.Fatalf("after SIGKILL: %v, epoch %d", err, third.Epoch)
	}
	if _, stderr, code := run(t, dir, "train", "-resume", ck, "-quiet", "-oracle", "off", "-json", "resumed.json"); code != 0 && code != 3 {
		t.Fatalf("final resume: exit %d: %s", code, stderr)
	}
	if withoutTiming(t, filepath.Join(dir, "ref.json")) != withoutTiming(t, filepath.Join(dir, "resumed.json")) {
		t.Error("the run interrupted three times ends with other numbers than the one never interrupted")
	}
	if m, _ := filepath.Glob(filepath.Join(dir, ".run.ckpt.tmp*")); len(m) > 0 {
		t.Errorf("temporary files left behind: %v", m)
	}
}

// When stderr is not a terminal, progress is plain lines, not redrawn
// frames.
func TestProgressIsPlainWithoutTerminal(t *testing.T) {
	_, stderr, code := run(t, t.TempDir(), "train", "-epochs", "300", "-oracle", "off")
	if code != 0 && code != 3 {
		t.Fatalf("exit %d: %s", code, stderr)
	}
	if strings.Contains(stderr, "\r") || !strings.Contains(stderr, "rgflow: epoch 1/300 (0%): loss ") || !strings.Contains(stderr, "acceptance") {
		t.Errorf("progress on a pipe: %q", stderr)
	}
}

// The training figure of a run with c > 1 has the flow diagram; both
// formats are written.
func TestTrainingFigure(t *testing.T) {
	dir := t.TempDir()
	for _, name := range []string{"f.png", "f.svg"} {
		_, stderr, code := run(t, dir, "train", "-rep", "A1+E", "-epochs", "20", "-trajectories", "8", "-quiet", "-oracle", "off", "-plot", name)
		if code != 0 && code != 3 {
			t.Fatalf("exit %d: %s", code, stderr)
		}
	}
	if png, err := os.ReadFile(filepath.Join(dir, "f.png")); err != nil || len(png) < 20000 || string(png[1:4]) != "PNG" {
		t.Errorf("f.png: %d bytes, %v", len(png), err)
	}
	svg, err := os.ReadFile(filepath.Join(dir, "f.svg"))
	if err != nil || !strings.Contains(string(svg), "flow diagram") || !strings.Contains(string(svg), "training loss") {
		t.Errorf("f.svg lacks the flow diagram or the history panels (%v)", err)
	}
}

// examples/a1-kl.toml lists every key of the configuration with its
// default, and nothing else.
func TestExampleListsEveryKey(t *testing.T) {
	path := filepath.Join("..", "..", "examples", "a1-kl.toml")
	keys, err := fileKeys(path)
	if err != nil {
		t.Fatal(err)
	}
	want := configValues(engine.DefaultConfig())
	for k := range want {
		if !keys[k] {
			t.Errorf("examples/a1-kl.toml lacks %s", k)
		}
	}
	cfg, err := engine.LoadConfig(path)
	if err != nil || !reflect.DeepEqual(cfg, engine.DefaultConfig()) {
		t.Errorf("examples/a1-kl.toml is not the defaults: %v", err)
	}
}
