package bench

import (
	"bufio"
	"bytes"
	"context"
	"encoding/csv"
	"encoding/json"
	"errors"
	"fmt"
	"math"
	"os"
	"path/filepath"
	"reflect"
	"regexp"
	"slices"
	"strings"
	"testing"

	"github.com/rgflow/rgflow/engine"
	"github.com/rgflow/rgflow/kernels"
	"github.com/rgflow/rgflow/reps"
)

func builtin(_ context.Context, name string) (*reps.Rep, error) { return reps.Builtin(name) }

func quick(t *testing.T, suite string) Config {
	t.Helper()
	cfg, err := Quick(suite)
	if err != nil {
		t.Fatal(err)
	}
	return cfg
}

func run(t *testing.T, opts Options) (*Report, string) {
	t.Helper()
	var out, prog bytes.Buffer
	opts.Out, opts.Progress = &out, &prog
	if opts.Resolve == nil {
		opts.Resolve = builtin
	}
	rep, err := Run(context.Background(), opts)
	if err = smokeUntrusted(opts.Config, rep, err); err != nil {
		t.Fatalf("%s: %v\n%s", opts.Suite, err, out.String())
	}
	return rep, out.String()
}

// smokeUntrusted accepts the *UntrustedError of a smoke test (-quick's runs
// are far too short for any verdict to trust them) when the report names
// the same configurations; any other error stays.
func smokeUntrusted(cfg Config, rep *Report, err error) error {
	var ue *UntrustedError
	if errors.As(err, &ue) && cfg != nil && cfg.smokeTest() && rep != nil && reflect.DeepEqual(ue.Configurations, rep.Untrusted) {
		return nil
	}
	return err
}

func lines(t *testing.T, path string) []string {
	t.Helper()
	data, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	var out []string
	sc := bufio.NewScanner(bytes.NewReader(data))
	sc.Buffer(nil, 1<<24)
	for sc.Scan() {
		if strings.TrimSpace(sc.Text()) != "" {
			out = append(out, sc.Text())
		}
	}
	return out
}

func checkCSV(t *testing.T, path string, header []string, minRows int) [][]string {
	t.Helper()
	f, err := os.Open(path)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	rows, err := csv.NewReader(f).ReadAll()
	if err != nil {
		t.Fatalf("%s does not parse as CSV: %v", path, err)
	}
	// every table ends in the smoke_test column (the tests run -quick's configurations)
	if want := append(slices.Clip(header), "smoke_test"); len(rows) == 0 || !reflect.DeepEqual(rows[0], want) {
		t.Fatalf("%s: header %v, want %v", path, rows[0], want)
	}
	for _, r := range rows[1:] {
		if r[len(r)-1] != "true" {
			t.Fatalf("%s: a row of a smoke test has smoke_test = %q", path, r[len(r)-1])
		}
	}
	if len(rows)-1 < minRows {
		t.Errorf("%s has %d rows, want at least %d", path, len(rows)-1, minRows)
	}
	return rows[1:]
}

func checkJSON(t *testing.T, path string) map[string]any {
	t.Helper()
	data, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	var v map[string]any
	if err := json.Unmarshal(data, &v); err != nil {
		t.Fatalf("%s is not JSON: %v", path, err)
	}
	if rows, _ := v["rows"].([]any); len(rows) == 0 {
		t.Errorf("%s has no rows", path)
	}
	return v
}

func checkFigure(t *testing.T, base string) {
	t.Helper()
	png, err := os.ReadFile(base + ".png")
	if err != nil || len(png) < 1000 || !bytes.HasPrefix(png, []byte("\x89PNG\r\n\x1a\n")) {
		t.Errorf("%s.png is missing or not a PNG (%d bytes, %v)", base, len(png), err)
	}
	svg, err := os.ReadFile(base + ".svg")
	if err != nil || !bytes.Contains(svg, []byte("<svg")) || !bytes.Contains(svg, []byte("</svg>")) {
		t.Errorf("%s.svg is missing or not an SVG (%d bytes, %v)", base, len(svg), err)
	}
}

// A journal written before the records' configurations took the TOML key
// names (Go field names: "MaxTraj", "HMC": {"BetaT": …}) still reads, and
// its keys still match the plan (the run keys hash the old form), so a
// directory made then resumes without running anything again.
func TestOldJournalResumes(t *testing.T) {
	dir := t.TempDir()
	cfg := quick(t, KLvsCD)
	rep, _ := run(t, Options{Suite: KLvsCD, Config: cfg, OutDir: dir})
	path := filepath.Join(dir, JournalFile)
	var old []string
	for _, l := range lines(t, path) {
		var r Record
		if err := json.Unmarshal([]byte(l), &r); err != nil {
			t.Fatal(err)
		}
		var m map[string]any
		json.Unmarshal([]byte(l), &m)
		m["config"] = engine.GoNamesForm(r.Config) // as rgflow wrote it before
		b, _ := json.Marshal(m)
		old = append(old, string(b))
	}
	if !strings.Contains(old[0], `"MaxTraj":`) {
		t.Fatalf("not the old form: %.200s", old[0])
	}
	os.WriteFile(path, []byte(strings.Join(old, "\n")+"\n"), 0o644)
	rep2, _ := run(t, Options{Suite: KLvsCD, Config: quick(t, KLvsCD), OutDir: dir, Resume: true})
	if rep2.Skipped != rep.Planned || rep2.Ran != 0 {
		t.Errorf("resuming an old journal: skipped %d, ran %d of %d", rep2.Skipped, rep2.Ran, rep.Planned)
	}
	for _, r := range rep2.Records {
		if r.Config.MaxTraj != cfg.(*DistConfig).MaxTraj || r.Config.HMC.BetaT != cfg.(*DistConfig).Train.HMC.BetaT {
			t.Errorf("%s: old config read as %+v", r.Key, r.Config)
		}
	}
}

// TestQuickSuites runs every suite's quick variant end to end, checks its
// outputs, and checks that resuming the finished suite runs nothing.
func TestQuickSuites(t *testing.T) {
	for _, suite := range Suites() {
		t.Run(suite, func(t *testing.T) {
			dir := filepath.Join(t.TempDir(), "out")
			cfg := quick(t, suite)
			rep, out := run(t, Options{Suite: suite, Config: cfg, OutDir: dir})
			if rep.Planned == 0 || rep.Ran != rep.Planned || rep.Skipped != 0 {
				t.Fatalf("planned %d, ran %d, skipped %d", rep.Planned, rep.Ran, rep.Skipped)
			}
			if rep.Failed != 0 {
				t.Errorf("%d runs failed:\n%s", rep.Failed, out)
			}
			if !strings.Contains(out, "total run time") || !strings.Contains(out, "peak memory") {
				t.Errorf("no run time and memory line:\n%s", out)
			}
			if rep.PeakRSS <= 0 {
				t.Errorf("peak RSS %d", rep.PeakRSS)
			}
			// the journal: one line per run, each a record of the plan
			jl := lines(t, filepath.Join(dir, JournalFile))
			if len(jl) != rep.Planned {
				t.Errorf("%s has %d lines, want %d", JournalFile, len(jl), rep.Planned)
			}
			keys := map[string]bool{}
			for _, l := range jl {
				var r Record
				if err := json.Unmarshal([]byte(l), &r); err != nil {
					t.Fatalf("journal line is not a record: %v", err)
				}
				if r.Suite != suite || keys[r.Key] || !strings.HasPrefix(r.Key, suite+"/") || r.Seconds <= 0 || r.Done.IsZero() {
					t.Errorf("bad record %s (suite %s, seconds %v, done %v)", r.Key, r.Suite, r.Seconds, r.Done)
				}
				keys[r.Key] = true
				if suite == EpochTime && (r.Timing == nil || !(r.Timing.Median > 0)) {
					t.Errorf("%s: no timing", r.Key)
				}
				if suite != EpochTime && r.Summary == nil {
					t.Errorf("%s: no summary", r.Key)
				}
				// the configuration under its TOML key names
				if !strings.Contains(l, `"max_trajectories":`) || !strings.Contains(l, `"hmc":{"dt":`) || strings.Contains(l, `"MaxTraj"`) || strings.Contains(l, `"BetaT"`) {
					t.Errorf("%s: the record's config is not keyed by TOML names: %.300s", r.Key, l)
				}
			}
			// the configuration, read back, is the one that ran
			stored, err := StoredConfig(dir, suite)
			if err != nil {
				t.Fatal(err)
			}
			if !reflect.DeepEqual(stored, cfg) {
				t.Errorf("stored config differs:\n%+v\n%+v", stored, cfg)
			}
			// tables and figures
			switch suite {
			case EpochTime:
				rows := checkCSV(t, filepath.Join(dir, suite+".csv"), epochTimeHeader, rep.Planned)
				ref := 0
				for _, r := range rows {
					if r[19] != "" && r[20] != "" {
						ref++
					}
				}
				if ref == 0 { // A1 kl 24 is a reference configuration
					t.Errorf("no row carries a reference time and ratio")
				}
				checkJSON(t, filepath.Join(dir, suite+".json"))
				checkFigure(t, filepath.Join(dir, suite))
			case Sweeps:
				checkCSV(t, filepath.Join(dir, suite+".csv"), sweepHeader, 12)
				checkCSV(t, filepath.Join(dir, suite+"-runs.csv"), runsHeader, rep.Planned)
				checkJSON(t, filepath.Join(dir, suite+".json"))
				for _, p := range sweepParams {
					checkFigure(t, filepath.Join(dir, suite+"-"+p.Name))
				}
			case BiasVsBlock:
				checkBlockOutputs(t, dir, rep.Planned)
			default:
				rows := checkCSV(t, filepath.Join(dir, suite+".csv"), distHeader, 4)
				for _, r := range rows {
					if r[0] == "A1 kl flow" && r[7] == "j0" && r[21] != "0.819" {
						t.Errorf("A1 kl row is not set beside the published 0.819: %v", r)
					}
				}
				checkCSV(t, filepath.Join(dir, suite+"-runs.csv"), runsHeader, rep.Planned)
				checkJSON(t, filepath.Join(dir, suite+".json"))
				checkFigure(t, filepath.Join(dir, suite))
			}
			// resuming a finished suite runs nothing new
			rep2, _ := run(t, Options{Suite: suite, Config: quick(t, suite), OutDir: dir, Resume: true})
			if rep2.Ran != 0 || rep2.Skipped != rep.Planned {
				t.Errorf("resume ran %d and skipped %d, want 0 and %d", rep2.Ran, rep2.Skipped, rep.Planned)
			}
			if n := len(lines(t, filepath.Join(dir, JournalFile))); n != rep.Planned {
				t.Errorf("after resume %s has %d lines, want %d", JournalFile, n, rep.Planned)
			}
		})
	}
}

// TestResults do not depend on the parallelism: each run is seeded and
// trains on one goroutine.
func TestParallelismDoesNotChangeResults(t *testing.T) {
	summaries := func(parallel int) map[string]engine.Summary {
		cfg := quick(t, BiasVsDimension).(*DistConfig)
		cfg.Instances = 2
		rep, _ := run(t, Options{Suite: BiasVsDimension, Config: cfg, OutDir: t.TempDir(), Parallel: parallel})
		m := map[string]engine.Summary{}
		for _, r := range rep.Records {
			if r.Summary == nil {
				t.Fatalf("%s failed: %s", r.Key, r.Error)
			}
			s := *r.Summary
			s.SecondsPerEpoch = 0
			m[r.Key] = s
		}
		return m
	}
	a, b := summaries(1), summaries(3)
	if len(a) == 0 || !reflect.DeepEqual(fmt.Sprint(a), fmt.Sprint(b)) {
		t.Errorf("results depend on the parallelism:\n%v\n%v", a, b)
	}
}

// An unavailable loss fails its runs, which are recorded with the error;
// the suite goes on and the tables say so.
func TestUnavailableLossIsRecorded(t *testing.T) {
	orig := newTrainer
	defer func() { newTrainer = orig }()
	newTrainer = func(cfg engine.Config, rep *reps.Rep, opts ...engine.Option) (*engine.Trainer, error) {
		if cfg.Loss == "cd" {
			return nil, fmt.Errorf("loss %q is not available", cfg.Loss)
		}
		return orig(cfg, rep, opts...)
	}
	dir := t.TempDir()
	var outb bytes.Buffer
	rep, err := Run(context.Background(), Options{Suite: KLvsCD, Config: quick(t, KLvsCD), OutDir: dir, Resolve: builtin, Out: &outb})
	var failed *FailedRunsError
	if !errors.As(err, &failed) || failed.Failed != rep.Planned/2 || !strings.Contains(err.Error(), "-resume -retry-failed") {
		t.Fatalf("a suite with failed runs ended in %v", err)
	}
	out := outb.String()
	if rep.Failed != rep.Planned/2 || rep.Ran != rep.Planned {
		t.Fatalf("failed %d, ran %d of %d", rep.Failed, rep.Ran, rep.Planned)
	}
	if !strings.Contains(out, `loss "cd" is not available`) {
		t.Errorf("the table does not report the error:\n%s", out)
	}
	rows := checkCSV(t, filepath.Join(dir, KLvsCD+".csv"), distHeader, 4)
	col := func(name string) int { return slices.Index(distHeader, name) }
	for _, r := range rows {
		if r[col("loss")] == "cd" && (r[col("ok")] != "0" || !strings.Contains(r[col("error")], "not available")) {
			t.Errorf("cd row: %v", r)
		}
	}
	checkFigure(t, filepath.Join(dir, KLvsCD))

	// once the loss exists, -resume with RetryFailed runs just those
	newTrainer = orig
	rep2, _ := run(t, Options{Suite: KLvsCD, Config: quick(t, KLvsCD), OutDir: dir, Resume: true, RetryFailed: true})
	if rep2.Ran != rep.Planned/2 || rep2.Failed != 0 {
		t.Errorf("retry ran %d (failed %d), want %d (0)", rep2.Ran, rep2.Failed, rep.Planned/2)
	}
}

// A kernel name that is no kernel path is refused before any run; every
// path of the build is a name the configuration may list.
func TestEpochTimeUnknownKernel(t *testing.T) {
	cfg := quick(t, EpochTime).(*EpochTimeConfig)
	cfg.Kernels = []string{"generic", "avx1024"}
	err := cfg.Validate()
	if err == nil || !strings.Contains(err.Error(), `kernels: "avx1024" is not one of available, fastest, generic`) {
		t.Errorf("kernels = [generic, avx1024]: %v", err)
	}
	for _, k := range kernels.Available() {
		if !slices.Contains(KernelNames, k) {
			t.Errorf("kernel path %s is missing from KernelNames", k)
		}
	}
}

// Each epoch-time configuration runs on its own kernel path, handed to its
// trainer, and is recorded under that path's name.
func TestEpochTimeRunsEachPath(t *testing.T) {
	orig := newTrainer
	defer func() { newTrainer = orig }()
	var ran []string
	newTrainer = func(cfg engine.Config, rep *reps.Rep, opts ...engine.Option) (*engine.Trainer, error) {
		tr, err := orig(cfg, rep, opts...)
		if err == nil {
			ran = append(ran, tr.Blocks.Kernels().Name()+"/"+tr.Model.Net().Kernels().Dense().Name())
		}
		return tr, err
	}
	cfg := quick(t, EpochTime).(*EpochTimeConfig)
	cfg.Losses, cfg.Models, cfg.Reference = []string{"kl"}, []string{"flow"}, false
	cfg.Kernels = []string{"available", "fastest"}
	dir := t.TempDir()
	rep, out := run(t, Options{Suite: EpochTime, Config: cfg, OutDir: dir})
	// every path, and rgflow's choice where it differs from every path's
	names := kernels.Available()
	chosen, _ := kernels.Calibrate("")
	if !slices.Contains(names, chosen.Name()) {
		names = append(names, chosen.Name())
	}
	if rep.Planned != len(names) || rep.Failed != 0 {
		t.Fatalf("planned %d, failed %d; want %d paths %v, none failed", rep.Planned, rep.Failed, len(names), names)
	}
	var want []string
	for _, name := range names {
		p, _ := kernels.Lookup(name)
		want = append(want, name+"/"+p.Dense().Name())
	}
	if !reflect.DeepEqual(ran, want) {
		t.Errorf("trainers ran on %v (kernels/products), want %v", ran, want)
	}
	rows := checkCSV(t, filepath.Join(dir, EpochTime+".csv"), epochTimeHeader, len(names))
	col := slices.Index(epochTimeHeader, "ratio_to_generic")
	for i, r := range rows {
		if r[12] != names[i] {
			t.Errorf("row %d: kernels column %q, want %q", i, r[12], names[i])
		}
		if r[col] == "" || (names[i] == "generic" && r[col] != "1") {
			t.Errorf("row %d (%s): ratio_to_generic %q", i, names[i], r[col])
		}
	}
	if !strings.Contains(out, "slower than generic") && !strings.Contains(out, "SLOWER THAN GENERIC") {
		t.Errorf("the summary has no line on the paths slower than generic:\n%s", out)
	}
}

// Rows on another path get their ratio to the generic row of the same
// configuration, and the slower ones are marked and listed.
func TestSlowerThanGeneric(t *testing.T) {
	rs := map[string]*reps.Rep{}
	rs["A1"], _ = reps.Builtin("A1")
	cfg := quick(t, EpochTime).(*EpochTimeConfig)
	cfg.Losses, cfg.Models = []string{"kl"}, []string{"flow", "monotone"}
	cfg.Kernels = []string{"generic", "avx2", "avx512"}
	plan := planEpochTime(cfg, rs)
	if len(plan) != 6 {
		t.Fatalf("%d runs planned, want 2 models × 3 paths", len(plan))
	}
	median := map[string]float64{"generic": 1, "avx2": 1.5, "avx512": 0.5}
	var recs []Record
	for i, s := range plan {
		if i == 5 {
			break // the last one (monotone, avx512) not run
		}
		m := median[s.Kernel]
		recs = append(recs, Record{Key: s.Key, Timing: &Timing{Median: m, Q1: m, Q3: m, Min: m, Max: m, PerRepeat: []float64{m}}})
	}
	rows := epochTimeRows(plan, recs)
	for i, r := range rows {
		want, slower := median[plan[i].Kernel], plan[i].Kernel == "avx2"
		if i == 5 {
			want, slower = math.NaN(), false
		}
		if got := float64(r.VsGeneric); !(got == want || math.IsNaN(got) && math.IsNaN(want)) || r.SlowerThanGeneric != slower {
			t.Errorf("%s: ratio %v, slower %v; want %v, %v", r.Label, got, r.SlowerThanGeneric, want, slower)
		}
	}
	line := slowerSummary(plan, rows, false)
	if !strings.Contains(line, "SLOWER THAN GENERIC: 2 of the 3 rows on other paths") || !strings.Contains(line, "avx2 (1.5×)") {
		t.Errorf("summary: %q", line)
	}
}

// An interrupted suite keeps its finished runs; resuming runs the rest,
// and a torn last line is ignored.
func TestResumeAfterInterruption(t *testing.T) {
	dir := t.TempDir()
	cfg := quick(t, BiasVsDimension)
	rep, _ := run(t, Options{Suite: BiasVsDimension, Config: cfg, OutDir: dir, Parallel: 1})
	path := filepath.Join(dir, JournalFile)
	jl := lines(t, path)
	torn := jl[2][:len(jl[2])/2]
	if err := os.WriteFile(path, []byte(jl[0]+"\n"+jl[1]+"\n"+torn), 0o644); err != nil {
		t.Fatal(err)
	}
	var out, prog bytes.Buffer
	cfg2 := quick(t, BiasVsDimension)
	rep2, err := Run(context.Background(), Options{Suite: BiasVsDimension, Config: cfg2, OutDir: dir,
		Resume: true, Resolve: builtin, Out: &out, Progress: &prog})
	if err = smokeUntrusted(cfg2, rep2, err); err != nil {
		t.Fatal(err)
	}
	if rep2.Skipped != 2 || rep2.Ran != rep.Planned-2 {
		t.Errorf("skipped %d, ran %d; want 2, %d", rep2.Skipped, rep2.Ran, rep.Planned-2)
	}
	if !strings.Contains(prog.String(), "ended in a torn line") {
		t.Errorf("no warning about the torn line: %q", prog.String())
	}
	var n int
	for _, l := range lines(t, path) {
		var r Record
		if json.Unmarshal([]byte(l), &r) == nil {
			n++
		}
	}
	if n != rep.Planned {
		t.Errorf("%d complete records, want %d", n, rep.Planned)
	}
}

// A cancelled suite stops, says how to continue, and keeps what finished.
func TestCancelledSuite(t *testing.T) {
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	dir := t.TempDir()
	var out bytes.Buffer
	_, err := Run(ctx, Options{Suite: KLvsCD, Config: quick(t, KLvsCD), OutDir: dir, Resolve: builtin, Out: &out})
	if err == nil || !strings.Contains(err.Error(), "-resume") {
		t.Fatalf("err = %v", err)
	}
	rep, _ := run(t, Options{Suite: KLvsCD, Config: quick(t, KLvsCD), OutDir: dir, Resume: true})
	if rep.Ran+rep.Skipped != rep.Planned {
		t.Errorf("ran %d + skipped %d != %d", rep.Ran, rep.Skipped, rep.Planned)
	}
}

func TestResultsDirectoryIsNotClobbered(t *testing.T) {
	dir := t.TempDir()
	run(t, Options{Suite: KLvsCD, Config: quick(t, KLvsCD), OutDir: dir})
	_, err := Run(context.Background(), Options{Suite: KLvsCD, Config: quick(t, KLvsCD), OutDir: dir, Resolve: builtin})
	if err == nil || !strings.Contains(err.Error(), "-resume") {
		t.Errorf("second run into the same directory: %v", err)
	}
	other := quick(t, KLvsCD).(*DistConfig)
	other.Epochs++
	_, err = Run(context.Background(), Options{Suite: KLvsCD, Config: other, OutDir: dir, Resume: true, Resolve: builtin})
	if err == nil || !strings.Contains(err.Error(), "different configuration") {
		t.Errorf("resume with another configuration: %v", err)
	}
}

func TestConfigRoundTrip(t *testing.T) {
	for _, suite := range Suites() {
		for _, mk := range []func(string) (Config, error){Default, Quick} {
			cfg, err := mk(suite)
			if err != nil {
				t.Fatal(err)
			}
			if err := cfg.Validate(); err != nil {
				t.Errorf("%s: default does not validate: %v", suite, err)
			}
			data, err := Encode(cfg)
			if err != nil {
				t.Fatal(err)
			}
			back, _ := Default(suite)
			if err := Decode(data, back); err != nil {
				t.Fatalf("%s: encoded config does not decode: %v\n%s", suite, err, data)
			}
			if !reflect.DeepEqual(back, cfg) {
				t.Errorf("%s: round trip changed the config:\n%+v\n%+v", suite, back, cfg)
			}
		}
	}
}

func TestConfigErrors(t *testing.T) {
	cases := []struct {
		suite, toml, want string
	}{
		{BiasVsDimension, "repz = ['A1']", `unknown key "repz"`},
		{BiasVsDimension, "[train]\nepochs = 5", `"train.epochs" is set by the suite; use the top-level key "epochs"`},
		{BiasVsDimension, "[train.output]\njson = 'x'", `"train.output" is set by the suite`},
		{BiasVsDimension, "[train.hmc]\nsolve_stepz = 3", `unknown key "train.hmc.solve_stepz"`},
		{BiasVsDimension, "[train.hmc]\nsolve_steps = 0", "hmc.solve_steps"},
		{BiasVsDimension, "losses = ['kl', 'xx']", `losses: "xx" is not one of kl, cd, cd-energy`},
		{BiasVsDimension, "reps = ['A1', 'a1']", `reps lists "a1" twice`},
		{BiasVsDimension, "instances = 0", "instances must be at least 1"},
		{BiasVsDimension, "epochs = 'ten'", `epochs: expected an integer, got 'ten'`},
		{BiasVsDimension, "suite = 'sweeps'", "this is the bias-vs-dimension suite"},
		{KLvsCD, "[large_network]\nmin_c = -1", "large_network"},
		{Sweeps, "[sweep]\nk_fine = [0]", "sweep.k_fine: 0 is less than 1"},
		{Sweeps, "[sweep]\nbogus = [1]", `unknown key "sweep.bogus"`},
		{EpochTime, "kernels = []", "kernels must list at least one value"},
		{EpochTime, "trajectories = [24, 24]", "trajectories lists 24 twice"},
		{EpochTime, "[train.network]\nactivation = 'sigmoid'", "network.activation"},
	}
	for _, c := range cases {
		cfg, _ := Default(c.suite)
		err := Decode([]byte(c.toml), cfg)
		if err == nil || !strings.Contains(err.Error(), c.want) {
			t.Errorf("%s %q: err = %v, want %q", c.suite, c.toml, err, c.want)
		}
	}
	// lists replace the defaults; [train] overrides the base
	cfg, _ := Default(BiasVsDimension)
	if err := Decode([]byte("reps = ['A1+E']\n[train.hmc]\nsolve_steps = 7"), cfg); err != nil {
		t.Fatal(err)
	}
	c := cfg.(*DistConfig)
	if !reflect.DeepEqual(c.Reps, []string{"A1+E"}) || c.Train.HMC.SolveSteps != 7 || c.Train.HMC.Dt != 0.001 {
		t.Errorf("decoded %+v", c)
	}
	if _, err := Default("nope"); err == nil || !strings.Contains(err.Error(), "epoch-time") {
		t.Errorf("unknown suite: %v", err)
	}
}

// The plans: every combination, reference configurations in epoch-time,
// CD parameters swept only for CD, large networks for c ≥ min_c.
func TestPlans(t *testing.T) {
	rs := map[string]*reps.Rep{}
	for _, n := range []string{"A1", "A1+E", "2A1+E", "A1+2E", "2A1+2E", "3A1+2E", "A1+3E", "2A1+3E"} {
		rs[n], _ = reps.Builtin(n)
	}
	et, _ := Default(EpochTime)
	plan := planEpochTime(et.(*EpochTimeConfig), rs)
	refs := map[*SpeedAnchor]int{}
	large := 0
	for _, s := range plan {
		if s.Ref != nil {
			refs[s.Ref]++
			if s.Cfg.Model != s.Ref.Model || (s.Ref.Source == SourceHouYou && s.Cfg.Layers(s.Rep.C())[1] != 8*s.Rep.C()) {
				t.Errorf("%s: model %s, network %v for the reference %+v", s.Key, s.Cfg.Model, s.Cfg.Layers(s.Rep.C()), *s.Ref)
			}
		}
		if s.Cfg.Workers != 0 {
			t.Errorf("%s: workers %d", s.Key, s.Cfg.Workers)
		}
		if s.Cfg.HMC.AxisFraction != 0 || s.Cfg.LogLoss() || s.Cfg.Optimizer.Schedule != "constant" {
			t.Errorf("%s: not the reference loop (axis_fraction %g, log loss %v, schedule %s)", s.Key, s.Cfg.HMC.AxisFraction, s.Cfg.LogLoss(), s.Cfg.Optimizer.Schedule)
		}
		if s.Rep.D >= 5 {
			large++
			if s.Kernel == "generic" || s.Cfg.Loss != "kl" || s.Cfg.Trajectories != 64 {
				t.Errorf("%s: a large exact-KL row on %s, loss %s, %d trajectories", s.Key, s.Kernel, s.Cfg.Loss, s.Cfg.Trajectories)
			}
		}
	}
	if len(refs) != len(allSpeed) {
		t.Errorf("%d of %d reference configurations planned", len(refs), len(allSpeed))
	}
	asm := len(kernels.Available()) - 1 // assembly paths among the configured ones (available, fastest)
	if p, _ := kernels.Calibrate(""); !slices.Contains(kernels.Available(), p.Name()) {
		asm++
	}
	if large != 2*asm {
		t.Errorf("%d large exact-KL rows planned, want %d (on each assembly path)", large, 2*asm)
	}
	bias, _ := Default(BiasVsDimension)
	bp := planDist(bias.(*DistConfig), rs)
	// A1 under the axis mirror only (the diagonal one is the same for it),
	// the others under both; to d = 6 with both losses, beyond it (3A1+2E,
	// A1+3E, 2A1+3E) with the contrastive divergence only
	if len(bp) != (2+4*4+3*2)*10 {
		t.Errorf("bias plan has %d runs", len(bp))
	}
	mirrors := map[string]int{}
	for _, s := range bp {
		mirrors[s.Rep.Name+" "+s.Cfg.Loss+" "+s.Cfg.CoarseMirror]++
	}
	for _, k := range []string{"A1 kl axis", "A1 cd axis", "A1+E kl axis", "A1+E cd diagonal", "2A1+E kl diagonal", "A1+2E kl axis", "2A1+2E kl diagonal", "3A1+2E cd axis", "2A1+3E cd diagonal"} {
		if mirrors[k] != 10 {
			t.Errorf("%s: %d runs, want 10 (%v)", k, mirrors[k], mirrors)
		}
	}
	for _, k := range []string{"3A1+2E kl axis", "2A1+3E kl diagonal", "A1 kl diagonal"} {
		if mirrors[k] != 0 {
			t.Errorf("%s: %d runs planned, want none", k, mirrors[k])
		}
	}
	for _, s := range bp {
		layers := s.Cfg.Layers(s.Rep.C())
		if s.Rep.C() >= 5 && (len(layers) != 5 || layers[1] != 64) {
			t.Errorf("%s: network %v", s.Key, layers)
		}
		if s.Rep.C() == 1 && (len(layers) != 3 || layers[1] != 16) {
			t.Errorf("%s: network %v", s.Key, layers)
		}
		if s.Cfg.Workers != 1 {
			t.Errorf("%s: workers %d", s.Key, s.Cfg.Workers)
		}
	}
	sw, _ := Default(Sweeps)
	swc := sw.(*SweepsConfig)
	swc.Losses = []string{"kl", "cd"}
	n := map[string]int{}
	for _, s := range planSweeps(swc, rs) {
		n[s.Cfg.Loss+"/"+s.Param]++
	}
	if n["kl/k_fine"] != 0 || n["cd/k_fine"] != 7*8 || n["kl/solve_steps"] != 7*8 {
		t.Errorf("sweep plan: %v", n)
	}
}

// The published numbers name losses and models the engine has.
func TestAnchorsNameRegisteredChoices(t *testing.T) {
	for _, a := range Published {
		if a.Loss != "" && engine.Losses.Check(a.Loss) != nil || a.Model != "" && engine.Models.Check(a.Model) != nil {
			t.Errorf("published %s %s: loss %q or model %q is not registered", a.Short, a.Rep, a.Loss, a.Model)
		}
	}
	for _, a := range ReferenceSpeed {
		if err := engine.Losses.Check(a.Loss); err != nil {
			t.Errorf("reference speed %s: %v", a.Rep, err)
		}
	}
}

// Whatever bytes a suite's config file holds, decoding it neither panics
// nor speaks of Go types.
func FuzzDecodeSuite(f *testing.F) {
	for _, seed := range []string{
		"", "instances = 3", "reps = [1, 2]", "kernels = 'avx2'", "[train.hmc]\nbeta = 'x'", "[train]\nepochs = 3",
		"suite = 'sweeps'", "[sweep]\nk_fine = [0]", "instances = 1e9", "seeds = [-1]", "[large_network]\nmin_c = 1.5",
	} {
		f.Add([]byte(seed), uint8(0))
	}
	goType := regexp.MustCompile(`engine\.|bench\.|struct field|of type|float64|uint64|\[\]string|Go value`)
	f.Fuzz(func(t *testing.T, data []byte, which uint8) {
		cfg, _ := Default(Suites()[int(which)%len(Suites())])
		if err := Decode(data, cfg); err != nil && goType.MatchString(err.Error()) {
			t.Fatalf("%q: the error speaks of Go: %v", data, err)
		}
	})
}

// A configuration is untrusted when every recorded training of it fails
// its verdict; one trusted run, or only failed runs, do not make it so.
func TestUntrustedConfigurations(t *testing.T) {
	plan := []runSpec{{Key: "a#1", Label: "a"}, {Key: "a#2", Label: "a"}, {Key: "b#1", Label: "b"}, {Key: "b#2", Label: "b"},
		{Key: "c#1", Label: "c"}, {Key: "d#1", Label: "d", Param: "k_fine", Value: 2}}
	bad := &engine.Summary{Variational: engine.Variational{Verdict: []string{"not converged"}}}
	good := &engine.Summary{Variational: engine.Variational{Verdict: []string{}}}
	recs := []Record{{Key: "a#1", Summary: bad}, {Key: "a#2", Summary: bad}, {Key: "b#1", Summary: bad}, {Key: "b#2", Summary: good},
		{Key: "c#1", Error: "diverged"}, {Key: "d#1", Summary: bad}}
	if got := untrusted(plan, recs); !reflect.DeepEqual(got, []string{"a", "d k_fine=2"}) {
		t.Errorf("untrusted configurations %q, want a and d k_fine=2", got)
	}
}
