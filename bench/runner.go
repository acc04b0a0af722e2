// Package bench runs rgflow's benchmark suites: epoch time against the
// reference implementation (seed Fig. 9 generalised), the bias of the
// critical-coupling estimate against the representation's dimension (seed
// Figs. 6, 8), KL against CD (Fig. 10) and hyperparameter sweeps (Figs. 11,
// 12). See README.md in this directory.
//
// A suite writes everything into one results directory: the configuration
// (config.toml), every finished run as it comes (runs.jsonl, one JSON line
// per run, synced), and at the end the tables (CSV and JSON) and figures
// (PNG and SVG). Resuming skips the runs already recorded.
package bench

import (
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"runtime"
	"sort"
	"strings"
	"sync"
	"time"

	"rgflow/engine"
	"rgflow/kernels"
	"rgflow/plugins"
	"rgflow/reps"
)

// Options is one invocation of a suite.
type Options struct {
	Suite  string
	Config Config // nil: Default(Suite)
	// OutDir is the results directory; "" makes results/<suite>-<timestamp>
	// in the working directory.
	OutDir string
	// Resume continues the suite in OutDir, skipping the runs recorded in
	// its runs.jsonl; without it OutDir must not already hold a suite.
	Resume bool
	// RetryFailed, with Resume, runs again the runs recorded with an error.
	RetryFailed bool
	// Parallel is the number of trainings at once (0: GOMAXPROCS). The
	// epoch-time suite always runs one configuration at a time.
	Parallel int
	// Kernels is the kernel path of the trainings (the zero Path is the
	// fastest); the epoch-time suite times the paths its configuration
	// names instead.
	Kernels kernels.Path
	// Resolve finds a representation by name; nil: plugins.Resolve with
	// plugins.Dir(PluginDir).
	Resolve   func(ctx context.Context, name string) (*reps.Rep, error)
	PluginDir string
	// Progress receives the progress bars and a line per finished run
	// (nil: none); Out the tables and the final summary (nil: none).
	Progress io.Writer
	Out      io.Writer
}

// Report is what a suite did.
type Report struct {
	Dir      string
	Planned  int // runs in the plan
	Skipped  int // already recorded (resume)
	Ran      int // run now
	Failed   int // runs of the plan recorded with an error
	Records  []Record
	Files    []string // tables and figures written
	Duration time.Duration
	PeakRSS  int64 // bytes; 0 if unknown
}

// ConfigFile and JournalFile are the names of a suite's configuration and
// run journal inside its results directory.
const (
	ConfigFile  = "config.toml"
	JournalFile = "runs.jsonl"
)

// DefaultOutDir is where a suite writes when no directory is given.
func DefaultOutDir(suite string, now time.Time) string {
	return filepath.Join("results", suite+"-"+now.Format("20060102-150405"))
}

// LatestOutDir is the most recent results/<suite>-* directory under root
// that holds a journal ("" if none).
func LatestOutDir(root, suite string) string {
	m, _ := filepath.Glob(filepath.Join(root, suite+"-*", JournalFile))
	if len(m) == 0 {
		return ""
	}
	sort.Strings(m) // the timestamps sort in time order
	return filepath.Dir(m[len(m)-1])
}

// StoredConfig reads the configuration a results directory was made with
// (nil, nil if it has none).
func StoredConfig(dir, suite string) (Config, error) {
	path := filepath.Join(dir, ConfigFile)
	if _, err := os.Stat(path); errors.Is(err, os.ErrNotExist) {
		return nil, nil
	}
	return Load(suite, path, false)
}

// Run runs a suite.
func Run(ctx context.Context, opts Options) (*Report, error) {
	start := time.Now()
	cfg := opts.Config
	if cfg == nil {
		var err error
		if cfg, err = Default(opts.Suite); err != nil {
			return nil, err
		}
	}
	if opts.Suite == "" {
		opts.Suite = cfg.SuiteName()
	}
	if !contains(Suites(), opts.Suite) {
		return nil, unknownSuite(opts.Suite)
	}
	if cfg.SuiteName() != opts.Suite {
		return nil, fmt.Errorf("the configuration is for suite %q, not %q", cfg.SuiteName(), opts.Suite)
	}
	if err := cfg.Validate(); err != nil {
		return nil, err
	}
	out, progress := opts.Out, opts.Progress
	if out == nil {
		out = io.Discard
	}
	dir := opts.OutDir
	if dir == "" {
		dir = DefaultOutDir(opts.Suite, start)
	}
	encoded, err := Encode(cfg)
	if err != nil {
		return nil, err
	}
	if err := prepareDir(dir, cfg, encoded, opts.Resume); err != nil {
		return nil, err
	}

	// Representations, once each.
	resolve := opts.Resolve
	if resolve == nil {
		pdir := plugins.Dir(opts.PluginDir)
		resolve = func(ctx context.Context, name string) (*reps.Rep, error) {
			return plugins.Resolve(ctx, name, pdir)
		}
	}
	repsByName := map[string]*reps.Rep{}
	for _, n := range repNames(cfg) {
		r, err := resolve(ctx, n)
		if err != nil {
			return nil, fmt.Errorf("representation %q: %v", n, err)
		}
		repsByName[n] = r
	}

	var plan []runSpec
	switch c := cfg.(type) {
	case *EpochTimeConfig:
		plan = planEpochTime(c, repsByName)
	case *SweepsConfig:
		plan = planSweeps(c, repsByName)
	case *DistConfig:
		plan = planDist(c, repsByName)
	}

	jr, done, warnings, err := openJournal(filepath.Join(dir, JournalFile))
	if err != nil {
		return nil, err
	}
	defer jr.close()
	for _, w := range warnings {
		fmt.Fprintln(progressOr(progress), "rgflow bench: warning:", w)
	}
	inPlan := map[string]bool{}
	var todo []runSpec
	rep := &Report{Dir: dir, Planned: len(plan)}
	for _, s := range plan {
		inPlan[s.Key] = true
		if r, ok := done[s.Key]; ok && !(opts.RetryFailed && r.Error != "") {
			rep.Skipped++
			continue
		}
		todo = append(todo, s)
	}
	stale := 0
	for k := range done {
		if !inPlan[k] {
			stale++
		}
	}

	parallel := opts.Parallel
	if parallel <= 0 {
		parallel = runtime.GOMAXPROCS(0)
	}
	if _, ok := cfg.(*EpochTimeConfig); ok {
		parallel = 1
	}
	parallel = min(parallel, max(1, len(todo)))
	fmt.Fprintf(out, "rgflow bench %s: %d runs planned, %d already recorded, %d to run (%d at a time); kernels %s (available: %s); results in %s\n",
		opts.Suite, len(plan), rep.Skipped, len(todo), parallel, opts.Kernels.Name(), strings.Join(kernels.Available(), ", "), dir)
	if stale > 0 {
		fmt.Fprintf(out, "note: %d recorded runs of %s are not in this configuration's plan and are left out of the tables\n", stale, JournalFile)
	}

	tr := newTracker(progress, todo)
	var newRecs []Record
	var mu sync.Mutex
	record := func(r Record) error {
		if err := jr.append(r); err != nil {
			return err
		}
		mu.Lock()
		newRecs = append(newRecs, r)
		mu.Unlock()
		return nil
	}
	var runErr error
	if _, ok := cfg.(*EpochTimeConfig); ok {
		runErr = runEpochTime(ctx, todo, tr, record)
	} else {
		runErr = runTrainings(ctx, todo, parallel, opts.Kernels, tr, record)
	}
	tr.finish()
	rep.Ran = len(newRecs)

	// Tables and figures from every recorded run of the plan, in plan order.
	for _, r := range newRecs {
		done[r.Key] = r
	}
	for _, s := range plan {
		if r, ok := done[s.Key]; ok {
			rep.Records = append(rep.Records, r)
			if r.Error != "" {
				rep.Failed++
			}
		}
	}
	files, werr := writeOutputs(cfg, plan, rep.Records, dir, out)
	rep.Files = files
	rep.Duration = time.Since(start)
	rep.PeakRSS = peakRSS()
	fmt.Fprintf(out, "%d of %d runs recorded (%d now, %d failed); total run time %s, peak memory %s\n",
		len(rep.Records), len(plan), rep.Ran, rep.Failed, rep.Duration.Round(time.Millisecond), fmtBytes(rep.PeakRSS))
	if runErr != nil {
		if ctx.Err() != nil {
			return rep, fmt.Errorf("interrupted after %d of %d runs; what finished is in %s (continue with -resume -out %s)",
				len(rep.Records), len(plan), dir, dir)
		}
		return rep, runErr
	}
	if werr != nil {
		return rep, werr
	}
	return rep, nil
}

func progressOr(w io.Writer) io.Writer {
	if w == nil {
		return io.Discard
	}
	return w
}

// prepareDir creates the results directory and writes config.toml, or, on
// resume, checks that the stored configuration is the same as cfg (read
// over today's defaults, so a key added to the engine since does not count
// as a difference).
func prepareDir(dir string, cfg Config, encoded []byte, resume bool) error {
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return fmt.Errorf("cannot create the results directory: %v", err)
	}
	cpath := filepath.Join(dir, ConfigFile)
	_, err := os.Stat(cpath)
	switch {
	case err == nil && !resume:
		return fmt.Errorf("%s already holds a suite (%s); use -resume to continue it, or another -out", dir, ConfigFile)
	case err == nil:
		stored, err := StoredConfig(dir, cfg.SuiteName())
		if err != nil {
			return err
		}
		if old, err := Encode(stored); err != nil || string(old) != string(encoded) {
			return fmt.Errorf("%s was made with a different configuration than this one; resume it with the same configuration (leave out -config and -quick to use its %s)", dir, ConfigFile)
		}
		return nil
	case !errors.Is(err, os.ErrNotExist):
		return fmt.Errorf("cannot read %s: %v", cpath, err)
	}
	if _, err := os.Stat(filepath.Join(dir, JournalFile)); err == nil && !resume {
		return fmt.Errorf("%s already holds runs (%s); use -resume to continue them, or another -out", dir, JournalFile)
	}
	return engine.WriteFileAtomic(cpath, encoded)
}

// runTrainings trains the runs on kernel path kern with a pool of parallel
// workers, one goroutine each (cfg.Workers = 1), and records each as it
// finishes.
func runTrainings(ctx context.Context, todo []runSpec, parallel int, kern kernels.Path, tr *tracker, record func(Record) error) error {
	jobs := make(chan int)
	errc := make(chan error, parallel)
	ctx, cancel := context.WithCancel(ctx)
	defer cancel()
	var wg sync.WaitGroup
	for w := 0; w < parallel; w++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for i := range jobs {
				r, ok := trainOne(ctx, &todo[i], kern, tr)
				if !ok {
					continue // interrupted: not recorded
				}
				if err := record(r); err != nil {
					errc <- err
					cancel()
					return
				}
				tr.finished(&todo[i], r)
			}
		}()
	}
feed:
	for i := range todo {
		select {
		case jobs <- i:
		case <-ctx.Done():
			break feed
		}
	}
	close(jobs)
	wg.Wait()
	select {
	case err := <-errc:
		return err
	default:
	}
	return ctx.Err()
}

// newTrainer is engine.NewTrainer (tests replace it to simulate a loss or
// model that is not available yet).
var newTrainer = engine.NewTrainer

// newRecord fills the fields every record has, for a run on kernel path
// kern.
func newRecord(s *runSpec, suite, kern string) Record {
	return Record{
		Suite: suite, Key: s.Key, Label: s.Label, Rep: s.Cfg.Rep, Loss: s.Cfg.Loss, Model: s.Cfg.Model,
		Param: s.Param, Value: s.Value, Seed: s.Cfg.Seed, Trajectories: s.Cfg.TrajectoriesFor(s.Rep.C()),
		Epochs: s.Cfg.Epochs, Kernels: kern, Config: s.Cfg,
	}
}

func suiteOf(key string) string { return key[:strings.IndexByte(key, '/')] }

// trainOne trains one instance on kernel path kern. ok is false if it was
// interrupted.
func trainOne(ctx context.Context, s *runSpec, kern kernels.Path, tk *tracker) (r Record, ok bool) {
	begin := time.Now()
	r = newRecord(s, suiteOf(s.Key), kern.Name())
	defer func() { r.Seconds, r.Done = time.Since(begin).Seconds(), time.Now().UTC() }()
	tk.start(s)
	defer tk.stop(s)
	t, err := newTrainer(s.Cfg, s.Rep, engine.WithKernels(kern))
	if err != nil {
		r.Error = err.Error()
		return r, true
	}
	err = t.Run(ctx, func(st engine.EpochStat) { tk.epoch(s, st.Epoch) }, nil)
	if err != nil && ctx.Err() != nil {
		return r, false // interrupted: not a result
	}
	if err != nil {
		r.Error = err.Error()
		return r, true
	}
	sum := t.Summary()
	sum.Flow = nil
	r.Summary = &sum
	return r, true
}

// runEpochTime times the configurations one after another, each on its
// kernel path (handed to its trainer, so nothing else depends on it), with
// the engine's own goroutines (cfg.Workers = 0). One at a time because a
// configuration uses every core: side by side they would time each other.
func runEpochTime(ctx context.Context, todo []runSpec, tk *tracker, record func(Record) error) error {
	for i := range todo {
		if err := ctx.Err(); err != nil {
			return err
		}
		s := &todo[i]
		r, ok := timeOne(ctx, s, tk)
		if !ok {
			return ctx.Err()
		}
		if err := record(r); err != nil {
			return err
		}
		tk.finished(s, r)
	}
	return nil
}

// timeOne measures seconds per epoch of one configuration: warm-up epochs,
// then repeats of timed epochs, in the second half of a long schedule.
func timeOne(ctx context.Context, s *runSpec, tk *tracker) (r Record, ok bool) {
	begin := time.Now()
	c := s.timing
	r = newRecord(s, EpochTime, s.Kernel)
	defer func() { r.Seconds, r.Done = time.Since(begin).Seconds(), time.Now().UTC() }()
	if s.KernelErr != nil {
		r.Error = s.KernelErr.Error()
		return r, true
	}
	tk.start(s)
	defer tk.stop(s)
	t, err := newTrainer(s.Cfg, s.Rep, engine.WithKernels(s.kernelPath))
	if err != nil {
		r.Error = err.Error()
		return r, true
	}
	t.Epoch = s.Cfg.Epochs/2 + 1
	n := 0
	step := func() error {
		if err := ctx.Err(); err != nil {
			return err
		}
		if _, err := t.Step(); err != nil {
			return err
		}
		n++
		tk.epoch(s, n)
		return nil
	}
	for i := 0; i < c.Warmup; i++ {
		if err := step(); err != nil {
			if ctx.Err() != nil {
				return r, false
			}
			r.Error = err.Error()
			return r, true
		}
	}
	tm := &Timing{Warmup: c.Warmup, Epochs: c.Epochs}
	var spent time.Duration
	for rep := 0; rep < c.Repeats; rep++ {
		t0 := time.Now()
		for e := 0; e < c.Epochs; e++ {
			if err := step(); err != nil {
				if ctx.Err() != nil {
					return r, false
				}
				r.Error = err.Error()
				return r, true
			}
		}
		d := time.Since(t0)
		spent += d
		tm.PerRepeat = append(tm.PerRepeat, d.Seconds()/float64(c.Epochs))
		if c.MaxSeconds > 0 && spent.Seconds() > c.MaxSeconds && rep >= 1 {
			break
		}
	}
	tm.Median, tm.Q1, tm.Q3 = engine.Quartiles(tm.PerRepeat)
	tm.FMAPeak = fmaPeak()
	tm.Min, tm.Max = tm.PerRepeat[0], tm.PerRepeat[0]
	for _, v := range tm.PerRepeat {
		tm.Min, tm.Max = min(tm.Min, v), max(tm.Max, v)
	}
	r.Timing = tm
	return r, true
}

// fmaPeak is the machine's FMA throughput, measured once (0.3 s, every
// CPU) the first time a suite asks.
var fmaPeak = sync.OnceValue(func() float64 {
	return kernels.FMAPeak(kernels.Fastest(), runtime.GOMAXPROCS(0), 300*time.Millisecond)
})

func fmtBytes(b int64) string {
	if b <= 0 {
		return "unknown"
	}
	return fmt.Sprintf("%.1f MiB", float64(b)/(1<<20))
}
