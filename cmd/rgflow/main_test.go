package main

import (
	"encoding/json"
	"errors"
	"math"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"slices"
	"strings"
	"testing"

	"github.com/rgflow/rgflow/engine"
	"github.com/rgflow/rgflow/engine/oracle"
	"github.com/rgflow/rgflow/internal/runnable"
	"github.com/rgflow/rgflow/kernels"
	"github.com/rgflow/rgflow/plugins"
	"github.com/rgflow/rgflow/reps"
)

var binary string

// execProblem says why the built binary cannot be started here ("" when
// it can): the tests that run it skip with it (needBinary).
var execProblem string

// needBinary skips a test that runs the binary where it cannot start.
func needBinary(t *testing.T) {
	t.Helper()
	if execProblem != "" {
		t.Skip(execProblem)
	}
}

// TestMain builds the rgflow binary once; the tests run it as a user would.
func TestMain(m *testing.M) {
	dir, err := os.MkdirTemp("", "rgflow-cli")
	if err != nil {
		panic(err)
	}
	binary = filepath.Join(dir, "rgflow")
	args := append(append([]string{"build"}, buildFlags...), "-o", binary, ".")
	if out, err := exec.Command("go", args...).CombinedOutput(); err != nil {
		panic(string(out))
	}
	execProblem = runnable.Check(binary, "-h")
	// one kernel calibration for every run of the tests (the first one's,
	// cached), apart from the user's
	os.Setenv("XDG_CACHE_HOME", filepath.Join(dir, "cache"))
	code := m.Run()
	os.RemoveAll(dir)
	os.Exit(code)
}

// run executes rgflow in dir with an empty plugin directory (so the tests
// do not depend on what bin/ holds) and returns stdout, stderr and the
// exit code.
func run(t *testing.T, dir string, args ...string) (string, string, int) {
	t.Helper()
	needBinary(t)
	cmd := exec.Command(binary, args...)
	cmd.Dir = dir
	cmd.Env = append(os.Environ(), "RGFLOW_PLUGINS="+t.TempDir())
	var out, errb strings.Builder
	cmd.Stdout, cmd.Stderr = &out, &errb
	err := cmd.Run()
	code := 0
	if ee, ok := err.(*exec.ExitError); ok {
		code = ee.ExitCode()
	} else if err != nil {
		t.Fatal(err)
	}
	return out.String(), errb.String(), code
}

func TestTrainWritesJSONAndPlot(t *testing.T) {
	dir := t.TempDir()
	out, stderr, code := run(t, dir, "train", "-epochs", "60", "-quiet", "-json", "s.json", "-plot", "f.svg", "-checkpoint", "c.ckpt")
	// 60 epochs complete the run, whatever its verdict (exit 3: not trusted)
	if code != 0 && code != 3 {
		t.Fatalf("exit %d: %s", code, stderr)
	}
	if !strings.Contains(out, "J_c =") || !strings.Contains(out, "exact 0.764285") || !strings.Contains(out, "verdict: ") {
		t.Errorf("summary line missing: %q", out)
	}
	var s map[string]any
	data, err := os.ReadFile(filepath.Join(dir, "s.json"))
	if err != nil {
		t.Fatal(err)
	}
	if err := json.Unmarshal(data, &s); err != nil {
		t.Fatalf("summary is not JSON: %v", err)
	}
	for _, k := range []string{"rep", "loss", "epochs", "trajectories", "seed", "jc_median", "jc_q1", "jc_q3", "jc_exact", "seconds_per_epoch", "flow",
		"coarse_mirror", "variational_gap", "kl_min", "kl_learned", "variational_gap_axis", "oracle_axis_jc", "verdict"} {
		if _, ok := s[k]; !ok {
			t.Errorf("summary lacks %q", k)
		}
	}
	// the scaling dimensions: at the learned fixed point, those of the fine
	// block there; beside them the exact map's
	var dims struct {
		FixedPoint []float64 `json:"fixed_point"`
		Learned    []float64 `json:"scaling_dimensions"`
		Exact      []float64 `json:"oracle_scaling_dimensions"`
	}
	if err := json.Unmarshal(data, &dims); err != nil {
		t.Fatal(err)
	}
	a1, _ := reps.Builtin("A1")
	if dims.FixedPoint != nil {
		want := oracle.ScalingDimensions(engine.NewBlocks(a1), dims.FixedPoint, 4)
		if len(dims.Learned) != len(want) || len(want) == 0 || math.Abs(dims.Learned[0]-want[0]) > 1e-12 {
			t.Errorf("scaling_dimensions %v at %v, want %v", dims.Learned, dims.FixedPoint, want)
		}
	}
	// the exact A1 map's fixed point is J* = 0.8139197 (the closed form's)
	if want := oracle.ScalingDimensions(engine.NewBlocks(a1), []float64{0.8139197}, 4); len(dims.Exact) == 0 || math.Abs(dims.Exact[0]-want[0]) > 1e-5 {
		t.Errorf("oracle_scaling_dimensions %v, want those at J* = 0.8139197: %v", dims.Exact, want)
	}
	if svg, _ := os.ReadFile(filepath.Join(dir, "f.svg")); !strings.Contains(string(svg), "<svg") {
		t.Error("plot is not an SVG")
	}
	// resuming the finished run for 20 more epochs works
	_, stderr, code = run(t, dir, "train", "-resume", "c.ckpt", "-epochs", "80", "-quiet")
	if code != 0 && code != 3 {
		t.Fatalf("resume: exit %d: %s", code, stderr)
	}
}

// Bad input ends in one sentence naming the problem, a non-zero exit, and
// no output file.
func TestBadInputIsAClearError(t *testing.T) {
	dir := t.TempDir()
	write := func(name, content string) string {
		p := filepath.Join(dir, name)
		if err := os.WriteFile(p, []byte(content), 0o644); err != nil {
			t.Fatal(err)
		}
		return p
	}
	mkdir := func(name string) string {
		p := filepath.Join(dir, name)
		if err := os.Mkdir(p, 0o755); err != nil {
			t.Fatal(err)
		}
		return p
	}
	cases := []struct {
		args []string
		want string
	}{
		{[]string{"train", "-config", write("bad.toml", "epochs = [1,\n")}, "bad.toml"},
		{[]string{"train", "-config", write("unk.toml", "epoch = 3\n")}, `unknown key "epoch"`},
		{[]string{"train", "-config", write("neg.toml", "[hmc]\ndt = -1\n")}, "hmc.dt"},
		{[]string{"train", "-config", filepath.Join(dir, "missing.toml")}, "cannot read config"},
		{[]string{"train", "-rep", "A7"}, `unknown representation "A7"`},
		{[]string{"train", "-loss", "mse"}, "loss"},
		{[]string{"eval", "-rep", "A1+E", "-J", "1,2", "-Jp", "1,2,3,4,5"}, "-J has 2 values but A1+E has c = 5"},
		{[]string{"eval", "-rep", "A1", "-J", "x", "-Jp", "1"}, "not a number"},
		{[]string{"eval", "-rep", "B1+E", "-coarse-mirror", "diagonal", "-J", "1,2,3,4,5", "-Jp", "1,2,3,4,5"}, "45°"},
		{[]string{"eval", "-rep", "A1+E", "-bonds", "twisted", "-J", "1,2,3,4,5", "-Jp", "1,2,3,4,5"}, "-bonds"},
		{[]string{"eval", "-rep", "A1+E", "-bonds", "unrotated", "-coarse-mirror", "diagonal", "-J", "1,2,3,4,5", "-Jp", "1,2,3,4,5"}, "unrotated bonds have no mirror convention"},
		{[]string{"train", "-config", write("conv.toml", "bonds = \"unrotated\"\ncoarse_mirror = \"diagonal\"\nrep = \"A1+E\"\n")}, "unrotated bonds have no mirror convention"},
		{[]string{"oracle", "-rep", "B1+E", "-coarse-mirror", "diagonal"}, "45°"},
		{[]string{"oracle", "-rep", "A1", "-coarse-mirror", "slanted"}, `coarse_mirror must be "axis" or "diagonal"`},
		{[]string{"train", "-coarse-mirror", "diagonal", "-rep", "B2"}, "45°"},
		{[]string{"frobnicate"}, "unknown command"},
		// numbers that are not couplings, keys out of range, types in the file's terms
		{[]string{"eval", "-J", "NaN", "-Jp", "0.5"}, "-J value 1 (NaN) must be a finite coupling"},
		{[]string{"eval", "-J", "0.5", "-Jp", "Inf"}, "-Jp value 1 (Inf) must be a finite coupling"},
		{[]string{"eval", "-J", "1e308", "-Jp", "0.5"}, "must be a finite coupling of magnitude at most"},
		{[]string{"oracle", "-start", "NaN"}, "-start value 1 (NaN)"},
		{[]string{"train", "-config", write("tol.toml", "[newton]\ntol = inf\n")}, "newton.tol must be a positive number below 1 (got +Inf)"},
		{[]string{"train", "-config", write("scale.toml", "init_scale = 1e300\n")}, "init_scale must be a positive number no larger than 100"},
		{[]string{"train", "-config", write("ten.toml", "epochs = \"ten\"\n")}, `epochs: expected an integer, got "ten"`},
		{[]string{"train", "-config", write("typo.toml", "[hmc]\nbetta = 2\n")}, `unknown key "hmc.betta" (did you mean "hmc.beta"?)`},
		{[]string{"train", "-epochs", "0"}, "-epochs must be at least 1 (got 0)"},
		{[]string{"train", "-workers", "-1"}, "-workers must be 0"},
		{[]string{"train", "-checkpoint-every", "-5"}, "-checkpoint-every must be"},
		// what cannot fit in memory
		{[]string{"train", "-trajectories", "2000000000"}, "-trajectories 2000000000: this configuration needs about"},
		{[]string{"train", "-config", write("width.toml", "[network]\nwidth = 100000000\n")}, "network.width = 100000000: this configuration needs about"},
		{[]string{"train", "-loss", "cd", "-config", write("cd.toml", "[cd]\nsamples = 1000000000\n")}, "cd.samples = 1000000000: this configuration needs about"},
		{[]string{"train", "-config", write("traj.toml", "trajectories = 3000000000\n")}, "trajectories = 3000000000: this configuration needs about"},
		// outputs that cannot be written, checked before the first epoch
		{[]string{"train", "-json", "/proc/x.json"}, "-json /proc/x.json cannot be written"},
		{[]string{"train", "-json", "nodir/x.json"}, "-json nodir/x.json cannot be written: directory nodir does not exist"},
		{[]string{"train", "-checkpoint", "/proc/c"}, "-checkpoint /proc/c cannot be written"},
		{[]string{"train", "-plot", mkdir("d.png")}, "d.png is a directory, not a file"},
		{[]string{"train", "-plot", "same.png", "-checkpoint", "./same.png"}, "-plot and -checkpoint name the same file"},
		{[]string{"train", "-plot", "flow.pdf"}, "-plot must end in .png or .svg"},
		// plugin directories that do not exist
		{[]string{"reps", "-plugins", filepath.Join(dir, "none")}, "no such directory"},
		{[]string{"train", "-plugins", filepath.Join(dir, "none")}, "no such directory"},
		// checkpoints
		{[]string{"train", "-resume", write("summary.json", `{"rep": "A1", "flow": []}`)}, "is not an rgflow checkpoint"},
	}
	for _, tc := range cases {
		args := append(tc.args, "-json", "out.json")
		if tc.args[0] != "train" || slices.Contains(tc.args, "-json") {
			args = tc.args
		}
		_, stderr, code := run(t, dir, args...)
		if code == 0 {
			t.Errorf("%v: exit 0", tc.args)
		}
		if !strings.Contains(stderr, tc.want) {
			t.Errorf("%v: stderr %q does not contain %q", tc.args, stderr, tc.want)
		}
		if lines := strings.Count(strings.TrimSpace(stderr), "\n"); lines > 0 {
			t.Errorf("%v: error is %d lines, want one: %q", tc.args, lines+1, stderr)
		}
		if _, err := os.Stat(filepath.Join(dir, "out.json")); err == nil {
			t.Fatalf("%v: an output file was written despite the error", tc.args)
		}
	}
}

func TestEvalPrintsFullPrecision(t *testing.T) {
	out, stderr, code := run(t, t.TempDir(), "eval", "-rep", "A1", "-J", "0.8", "-Jp", "0.9", "-json", "-")
	if code != 0 {
		t.Fatalf("exit %d: %s", code, stderr)
	}
	var r struct {
		KL   float64
		Grad []float64
	}
	if err := json.Unmarshal([]byte(out), &r); err != nil || len(r.Grad) != 1 || !(r.KL > 0) {
		t.Fatalf("eval -json gave %q (%v)", out, err)
	}
}

// eval computes the KL of the blocks training uses under each coarse
// mirror and bond convention: its numbers are the engine's for the same
// options, and the conventions give different KLs where they should.
func TestEvalConventions(t *testing.T) {
	r, err := reps.Builtin("A1+E")
	if err != nil {
		t.Fatal(err)
	}
	J, Jp := []float64{0.5, 0.4, 0.3, 0.3, -0.1}, []float64{0.45, 0.3, 0.2, 0.35, 0}
	diag, err := engine.ResolveCoarseMirror(r, "diagonal")
	if err != nil {
		t.Fatal(err)
	}
	seen := map[float64]bool{}
	for _, tc := range []struct {
		args []string
		opts []engine.Option
	}{
		{nil, nil},
		{[]string{"-coarse-mirror", "diagonal"}, []engine.Option{engine.WithCoarseMirror(diag)}},
		{[]string{"-bonds", "unrotated"}, []engine.Option{engine.WithBonds(engine.BondsUnrotated)}},
	} {
		args := append([]string{"eval", "-rep", "A1+E", "-J", "0.5,0.4,0.3,0.3,-0.1", "-Jp", "0.45,0.3,0.2,0.35,0", "-json", "-"}, tc.args...)
		out, stderr, code := run(t, t.TempDir(), args...)
		if code != 0 {
			t.Fatalf("%v: exit %d: %s", tc.args, code, stderr)
		}
		var got struct{ KL float64 }
		if err := json.Unmarshal([]byte(out), &got); err != nil {
			t.Fatal(err)
		}
		want, _ := engine.NewBlocks(r, tc.opts...).KL(J, Jp)
		if math.Abs(got.KL-want) > 1e-12*want {
			t.Errorf("eval %v: KL %v, the engine's %v", tc.args, got.KL, want)
		}
		if seen[got.KL] {
			t.Errorf("eval %v: the same KL as another convention (%v)", tc.args, got.KL)
		}
		seen[got.KL] = true
	}
}

// RGFLOW_KERNELS picks the kernel path of every command; a name this CPU or
// build lacks is one plain sentence and exit 2, for any command.
func TestKernelsFromEnvironment(t *testing.T) {
	needBinary(t)
	runEnv := func(env string, args ...string) (string, string, int) {
		t.Helper()
		cmd := exec.Command(binary, args...)
		cmd.Dir = t.TempDir()
		cmd.Env = append(os.Environ(), "RGFLOW_PLUGINS="+t.TempDir(), env)
		var out, errb strings.Builder
		cmd.Stdout, cmd.Stderr = &out, &errb
		err := cmd.Run()
		if ee, ok := err.(*exec.ExitError); ok {
			return out.String(), errb.String(), ee.ExitCode()
		} else if err != nil {
			t.Fatal(err)
		}
		return out.String(), errb.String(), 0
	}
	out, stderr, code := runEnv("RGFLOW_KERNELS=generic", "version")
	if code != 0 || !strings.Contains(out, "kernels: generic (") || !regexp.MustCompile(`(?m)^  catPair +generic +pinned `).MatchString(out) ||
		!strings.Contains(out, "calibration: none") {
		t.Errorf("RGFLOW_KERNELS=generic rgflow version: exit %d, %q %q", code, out, stderr)
	}
	out, stderr, code = runEnv("RGFLOW_KERNELS=generic,catPair=generic", "version")
	if code != 0 || !strings.Contains(out, "kernels: generic (") {
		t.Errorf("RGFLOW_KERNELS=generic,catPair=generic rgflow version: exit %d, %q %q", code, out, stderr)
	}
	// unset: every kernel has a row, the calibrated ones their timings
	out, stderr, code = runEnv("XDG_CACHE_HOME="+t.TempDir(), "version")
	if code != 0 || !regexp.MustCompile(`(?m)^  enumerate +\S+ +(flags|pathology)`).MatchString(out) || !regexp.MustCompile(`(?m)^  prodPair `).MatchString(out) {
		t.Errorf("rgflow version: exit %d, %q %q", code, out, stderr)
	}
	out, stderr, code = runEnv("RGFLOW_KERNELS=generic", "eval", "-rep", "A1", "-J", "0.8", "-Jp", "0.9", "-json", "-")
	if code != 0 || !strings.Contains(out, `"kernels": "generic"`) {
		t.Errorf("RGFLOW_KERNELS=generic rgflow eval: exit %d, %q %q", code, out, stderr)
	}
	// a run resumed on a choice with other bits continues, and says so
	ck := filepath.Join(t.TempDir(), "c.ckpt")
	if _, stderr, code := runEnv("RGFLOW_KERNELS=generic", "train", "-epochs", "2", "-oracle", "off", "-quiet", "-checkpoint", ck); code != 0 && code != 3 {
		t.Fatalf("train on generic: exit %d: %s", code, stderr)
	}
	_, stderr, code = runEnv("RGFLOW_KERNELS=", "train", "-resume", ck, "-epochs", "3", "-oracle", "off", "-quiet")
	warned := strings.Contains(stderr, "warning: the checkpoint's run was on kernels generic") && strings.Contains(stderr, "RGFLOW_KERNELS=generic repeats them")
	if (code != 0 && code != 3) || warned != (kernels.Fastest().ChoiceMap()["enumerate"] != "generic") {
		t.Errorf("resumed on the default choice: exit %d, stderr %q", code, stderr)
	}
	for _, args := range [][]string{{"version"}, {"reps"}} {
		for env, want := range map[string]string{
			"sse9":                    `RGFLOW_KERNELS: unknown kernel path "sse9"`,
			"generic,catPiar=generic": `RGFLOW_KERNELS: unknown kernel "catPiar"`,
			"generic,catPair=sse9":    `RGFLOW_KERNELS: catPair: unknown kernel path "sse9"`,
		} {
			_, stderr, code = runEnv("RGFLOW_KERNELS="+env, args...)
			if code != 2 || !strings.Contains(stderr, want) || strings.Count(strings.TrimSpace(stderr), "\n") > 0 {
				t.Errorf("RGFLOW_KERNELS=%s rgflow %v: exit %d, stderr %q; want 2 and one sentence", env, args, code, stderr)
			}
		}
	}
}

// The summary says why Newton failed, most frequent reason first.
func TestSummaryGivesNewtonReasons(t *testing.T) {
	var b strings.Builder
	printSummary(&b, engine.Summary{Rep: "A1", Loss: "kl", Model: "flow", Roots: 7, RootFailures: 3,
		RootFailureReasons: map[string]int{"iteration limit": 1, "singular Jacobian": 2}, FixedPointStatus: "singular Jacobian"})
	out := b.String()
	for _, want := range []string{
		"final network: Newton found no critical fixed point (singular Jacobian)",
		"Newton did not converge in 3 of 10 recorded epochs (2 singular Jacobian, 1 iteration limit)",
	} {
		if !strings.Contains(out, want) {
			t.Errorf("summary %q lacks %q", out, want)
		}
	}
}

// A built-in name uses the built-in even beside a plugin of that name, and
// says so; plugin:NAME asks for the plugin.
func TestBuiltinWinsUnlessAPluginIsAskedFor(t *testing.T) {
	dir, plugDir := t.TempDir(), t.TempDir()
	marker := filepath.Join(dir, "started")
	script := "#!/bin/sh\ntouch " + marker + "\nexit 3\n"
	if err := os.WriteFile(filepath.Join(plugDir, "rgflow-rep-a1e"), []byte(script), 0o755); err != nil {
		t.Fatal(err)
	}
	_, stderr, code := run(t, dir, "train", "-rep", "A1+E", "-epochs", "2", "-trajectories", "8", "-quiet", "-oracle", "off", "-plugins", plugDir)
	if code != 0 && code != 3 {
		t.Fatalf("exit %d: %s", code, stderr)
	}
	if want := "A1+E (d=3, c=5, built-in; plugin " + filepath.Join(plugDir, "rgflow-rep-a1e") + " not used"; !strings.Contains(stderr, want) {
		t.Errorf("stderr %q does not say %q", stderr, want)
	}
	if _, err := os.Stat(marker); err == nil {
		t.Fatal("the plugin was started for a built-in name")
	}
	_, stderr, code = run(t, dir, "train", "-rep", "plugin:A1+E", "-epochs", "2", "-quiet", "-plugins", plugDir)
	if code == 0 || !strings.Contains(stderr, "rgflow-rep-a1e") {
		t.Errorf("plugin:A1+E with a broken plugin: exit %d, %q", code, stderr)
	}
	if _, err := os.Stat(marker); err != nil {
		t.Error("plugin:A1+E did not start the plugin")
	}
}

// rgflow reps lists every name once, with where it comes from.
func TestRepRowsListEachNameOnce(t *testing.T) {
	rows, err := repRows([]plugins.Info{
		{Name: "A1+E", Slug: "a1e", Path: "/p/rgflow-rep-a1e", D: 3, C: 5},
		{Name: "A2+E", Slug: "a2e", Path: "/p/rgflow-rep-a2e", D: 3, C: 5},
		{Name: "E45", Slug: "e45", Path: "/p/rgflow-rep-e45", D: 2, C: 2},
		{Slug: "bad", Path: "/p/rgflow-rep-bad", Err: errors.New("R⁴ ≠ I")},
	})
	if err != nil {
		t.Fatal(err)
	}
	got := map[string]string{}
	for _, r := range rows {
		if _, dup := got[r.name]; dup {
			t.Errorf("%s listed twice", r.name)
		}
		got[r.name] = r.source
	}
	for name, want := range map[string]string{
		"A1":   "built-in",
		"A1+E": "built-in; plugin /p/rgflow-rep-a1e only with -rep plugin:A1+E",
		"A2+E": "built-in; plugin /p/rgflow-rep-a2e only with -rep plugin:A2+E",
		"E45":  "plugin /p/rgflow-rep-e45",
		"bad":  "plugin /p/rgflow-rep-bad: BROKEN: R⁴ ≠ I",
	} {
		if got[name] != want {
			t.Errorf("%s: source %q, want %q", name, got[name], want)
		}
	}
}

// A run too short to learn anything completes, says in words that its
// estimate is not to be trusted and why, and exits with code 3.
func TestShortRunVerdict(t *testing.T) {
	dir := t.TempDir()
	out, stderr, code := run(t, dir, "train", "-epochs", "2", "-quiet", "-json", "s.json")
	if code != 3 {
		t.Fatalf("exit %d, want 3: %s %s", code, out, stderr)
	}
	if !strings.Contains(out, "verdict: not to be trusted: no critical fixed point") {
		t.Errorf("summary %q lacks the no-critical-fixed-point verdict", out)
	}
	if strings.Contains(stderr, "rgflow train:") {
		t.Errorf("the verdict is an outcome, not an error: stderr %q", stderr)
	}
	var s struct {
		Verdict []string `json:"verdict"`
	}
	data, err := os.ReadFile(filepath.Join(dir, "s.json"))
	if err != nil {
		t.Fatal(err)
	}
	if err := json.Unmarshal(data, &s); err != nil || len(s.Verdict) == 0 {
		t.Errorf("JSON verdict %v (%v)", s.Verdict, err)
	}
}

// rgflow oracle -json - prints one object with the documented keys; A1
// gives the closed-form fixed point through the general code.
func TestOracleJSON(t *testing.T) {
	out, stderr, code := run(t, t.TempDir(), "oracle", "-rep", "A1", "-json", "-", "-quiet")
	if code != 0 {
		t.Fatalf("exit %d: %s", code, stderr)
	}
	var an struct {
		Rep          string           `json:"rep"`
		CoarseMirror string           `json:"coarse_mirror"`
		AxisJc       *float64         `json:"axis_jc"`
		FixedPoints  []map[string]any `json:"fixed_points"`
	}
	if err := json.Unmarshal([]byte(out), &an); err != nil {
		t.Fatalf("not one JSON object: %v\n%s", err, out)
	}
	if an.Rep != "A1" || an.CoarseMirror != "axis" || an.AxisJc == nil || len(an.FixedPoints) != 1 {
		t.Fatalf("unexpected analysis: %+v", an)
	}
	for _, k := range []string{"J", "kl", "eigenvalues", "relevant", "lambda", "nu", "axis_jc", "saddle", "flat_directions", "soft_directions", "valley_dimension"} {
		if _, ok := an.FixedPoints[0][k]; !ok {
			t.Errorf("fixed point lacks %q", k)
		}
	}
	var top map[string]any
	if err := json.Unmarshal([]byte(out), &top); err != nil {
		t.Fatal(err)
	}
	for _, k := range []string{"axis_map", "axis_points"} {
		if _, ok := top[k]; !ok {
			t.Errorf("the analysis lacks %q", k)
		}
	}
	if m, _ := top["axis_map"].(map[string]any); m == nil || m["valley_dimension"] != 0.0 {
		t.Errorf("A1's map at the axis point: %v, want no valley", top["axis_map"])
	}
	if l := an.FixedPoints[0]["lambda"].(float64); l < 1.3567 || l > 1.3569 {
		t.Errorf("λ = %v, want 1.3568", l)
	}
	// the old bare -json switch still works, with a note
	out, stderr, code = run(t, t.TempDir(), "oracle", "-rep", "A1", "-quiet", "-json")
	if code != 0 || !strings.Contains(stderr, "deprecated") || !strings.HasPrefix(strings.TrimSpace(out), "{") {
		t.Errorf("bare -json: exit %d, stderr %q, out %.40q", code, stderr, out)
	}
}

// A mistyped flag or command is a usage error that names what was
// probably meant; --version is rgflow version.
func TestDidYouMeanAndVersionFlag(t *testing.T) {
	dir := t.TempDir()
	for _, c := range []struct {
		args []string
		want string
	}{
		{[]string{"train", "-ephocs", "5"}, "(did you mean -epochs?)"},
		{[]string{"oracle", "-rpe", "A1"}, "(did you mean -rep?)"},
		{[]string{"trian"}, "(did you mean train?)"},
	} {
		_, stderr, code := run(t, dir, c.args...)
		if code != 2 || !strings.Contains(stderr, c.want) || strings.Count(strings.TrimSpace(stderr), "\n") != 0 {
			t.Errorf("rgflow %v: exit %d, %q; want exit 2 and one line with %q", c.args, code, stderr, c.want)
		}
	}
	if _, stderr, code := run(t, dir, "train", "-zzz", "1"); code != 2 || strings.Contains(stderr, "did you mean") {
		t.Errorf("a flag like none: exit %d, %q", code, stderr)
	}
	out, _, code := run(t, dir, "--version")
	want, _, _ := run(t, dir, "version")
	if code != 0 || !strings.HasPrefix(out, "rgflow ") || strings.SplitN(out, "\n", 2)[0] != strings.SplitN(want, "\n", 2)[0] {
		t.Errorf("--version: exit %d, %q; rgflow version says %q", code, out, want)
	}
}
