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
	"bufio"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"runtime"
	"slices"
	"sort"
	"strings"
	"sync"
	"time"

	"github.com/pelletier/go-toml/v2"

	"github.com/rgflow/rgflow/engine"
	"github.com/rgflow/rgflow/engine/oracle"
	"github.com/rgflow/rgflow/internal/atomicfile"
	"github.com/rgflow/rgflow/internal/filelock"
	"github.com/rgflow/rgflow/internal/inputfile"
	"github.com/rgflow/rgflow/internal/quantile"
	"github.com/rgflow/rgflow/kernels"
	"github.com/rgflow/rgflow/plugins"
	"github.com/rgflow/rgflow/reps"
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
	Dir     string
	Planned int // runs in the plan
	Skipped int // already recorded (resume)
	Ran     int // run now
	Failed  int // runs of the plan recorded with an error
	// Untrusted names the configurations (training suites) whose recorded
	// runs all fail their verdict.
	Untrusted []string
	Records   []Record
	Files     []string // tables and figures written
	Duration  time.Duration
	PeakRSS   int64 // bytes; 0 if unknown
}

// ConfigFile and JournalFile are the names of a suite's configuration and
// run journal inside its results directory; LockFile is the lock a local
// suite holds on the directory while it runs (filelock: it names the
// process holding it).
const (
	ConfigFile  = "config.toml"
	JournalFile = "runs.jsonl"
	LockFile    = ".rgflow.lock"
)

// DefaultOutDir is where a suite writes when no directory is given.
func DefaultOutDir(suite string, now time.Time) string {
	return filepath.Join("results", suite+"-"+now.Format("20060102-150405"))
}

// LatestOutDir is the most recent results/<suite>-* directory under root
// that holds a journal or a Slurm array ("" if none).
func LatestOutDir(root, suite string) string {
	m, _ := filepath.Glob(filepath.Join(root, suite+"-*", JournalFile))
	a, _ := filepath.Glob(filepath.Join(root, suite+"-*", ArrayDir, ArrayFile))
	for _, p := range a {
		m = append(m, filepath.Dir(p)) // DIR/slurm: its Dir below is DIR
	}
	if len(m) == 0 {
		return ""
	}
	sort.Strings(m) // the timestamps sort in time order
	return filepath.Dir(m[len(m)-1])
}

// StoredConfig reads the configuration a results directory was made with
// (nil, nil if it has none). A directory that does not exist, holds no
// suite, or holds another suite than this one is an error that says so.
func StoredConfig(dir, suite string) (Config, error) {
	if err := checkResumable(dir, suite); err != nil {
		return nil, err
	}
	path := filepath.Join(dir, ConfigFile)
	if _, err := os.Stat(path); errors.Is(err, os.ErrNotExist) {
		return nil, nil
	}
	return Load(suite, path, false)
}

// checkResumable refuses to resume suite in dir when dir does not exist,
// holds neither a configuration nor a journal, or holds another suite.
func checkResumable(dir, suite string) error {
	fi, err := os.Stat(dir)
	switch {
	case errors.Is(err, os.ErrNotExist):
		return fmt.Errorf("nothing to resume: %s does not exist", dir)
	case err != nil:
		return fmt.Errorf("cannot resume %s: %v", dir, err)
	case !fi.IsDir():
		return fmt.Errorf("nothing to resume: %s is a file, not a results directory", dir)
	}
	held, err := storedSuite(dir)
	if err != nil {
		return err
	}
	switch {
	case held == "":
		return fmt.Errorf("nothing to resume: %s holds no suite (neither %s nor %s)", dir, ConfigFile, JournalFile)
	case held != suite:
		return fmt.Errorf("%s holds a %s suite, not %s; resume it with rgflow bench %s -resume -out %s", dir, held, suite, held, dir)
	}
	return nil
}

// storedSuite is the suite a results directory holds: its config.toml's
// "suite" key, else the suite of its journal's first record ("" if it has
// neither).
func storedSuite(dir string) (string, error) {
	if data, err := inputfile.Read(filepath.Join(dir, ConfigFile), inputfile.ConfigLimit); err == nil {
		var head struct {
			Suite string `toml:"suite"`
		}
		if err := toml.Unmarshal(data, &head); err != nil {
			return "", fmt.Errorf("%s: %v", filepath.Join(dir, ConfigFile), engine.TOMLError(data, &head, err))
		}
		if head.Suite != "" {
			return head.Suite, nil
		}
	}
	f, err := inputfile.Open(filepath.Join(dir, JournalFile), inputfile.MemoryLimit())
	if err != nil {
		return "", nil
	}
	defer f.Close()
	sc := bufio.NewScanner(f)
	sc.Buffer(make([]byte, 1<<20), 64<<20)
	for sc.Scan() {
		var r struct {
			Suite string `json:"suite"`
		}
		if json.Unmarshal(sc.Bytes(), &r) == nil && r.Suite != "" {
			return r.Suite, nil
		}
	}
	return "", nil
}

// Run runs a suite: it checks the options, prepares the results
// directory, resolves the representations, plans the runs, skips those the
// journal already holds, runs the rest (recording each as it finishes) and
// writes the tables and figures of every recorded run of the plan.
func Run(ctx context.Context, opts Options) (*Report, error) {
	start := time.Now()
	cfg, err := suiteConfig(&opts)
	if err != nil {
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
	repsByName, err := resolveReps(ctx, opts, repNames(cfg))
	if err != nil {
		return nil, err
	}
	if err := checkTrainable(cfg, repsByName); err != nil {
		return nil, err
	}
	plan := planSuite(cfg, repsByName)
	if err := checkResources(plan); err != nil {
		return nil, err
	}
	release, err := prepareDir(dir, cfg, opts.Resume)
	if err != nil {
		return nil, err
	}
	defer release()

	jr, done, warnings, err := openJournal(filepath.Join(dir, JournalFile))
	if err != nil {
		return nil, err
	}
	defer jr.close()
	warnings = append(warnings, mergeTaskJournals(dir, done)...) // the runs of Slurm array tasks (array.go)
	for _, w := range warnings {
		fmt.Fprintln(progressOr(progress), "rgflow bench: warning:", w)
	}
	todo, skipped, stale := pending(plan, done, opts.RetryFailed)
	// room for the records to come (a few kilobytes each) and the tables
	// and figures, before the first run rather than after the last
	if err := atomicfile.Probe([]atomicfile.Room{{Path: jr.path, Size: int64(len(todo))*recordBytes + tablesBytes}}); err != nil {
		return nil, err
	}
	parallel := parallelism(cfg, opts.Parallel, len(todo))
	fmt.Fprintf(out, "rgflow bench %s: %d runs planned, %d already recorded, %d to run (%d at a time); kernels %s (available: %s); results in %s\n",
		opts.Suite, len(plan), skipped, len(todo), parallel, opts.Kernels.Name(), strings.Join(kernels.Available(), ", "), dir)
	if stale > 0 {
		fmt.Fprintf(out, "note: %d recorded runs of %s are not in this configuration's plan and are left out of the tables\n", stale, JournalFile)
	}

	// the exact maps first, so that every run is judged against its own
	// as it is recorded
	ans := oracles(ctx, cfg, plan, dir, progressOr(progress))
	newRecs, runErr := execute(ctx, cfg, todo, parallel, opts.Kernels, newTracker(progress, todo), jr, ans)
	rep := &Report{Dir: dir, Planned: len(plan), Skipped: skipped, Ran: len(newRecs)}
	for _, r := range newRecs {
		done[r.Key] = r
	}
	werr := tabulate(ctx, rep, cfg, plan, done, out)
	rep.Duration = time.Since(start)
	rep.PeakRSS = peakRSS()
	fmt.Fprintf(out, "%d of %d runs recorded (%d now, %d failed); total run time %s, peak memory %s\n",
		len(rep.Records), len(plan), rep.Ran, rep.Failed, rep.Duration.Round(time.Millisecond), fmtBytes(rep.PeakRSS))
	switch {
	case runErr != nil && ctx.Err() != nil:
		return rep, fmt.Errorf("interrupted after %d of %d runs; what finished is in %s (continue with -resume -out %s)",
			len(rep.Records), len(plan), dir, dir)
	case runErr != nil:
		return rep, runErr
	case werr != nil:
		return rep, werr
	case rep.Failed > 0:
		return rep, &FailedRunsError{Suite: opts.Suite, Dir: dir, Failed: rep.Failed, Recorded: len(rep.Records)}
	case len(rep.Untrusted) > 0:
		return rep, &UntrustedError{Configurations: rep.Untrusted}
	}
	return rep, nil
}

// recordBytes and tablesBytes are about the room a run's record and a
// suite's tables and figures take (measured: 2–6 kB a record, 1–3 MB of
// tables and figures).
const (
	recordBytes = 8 << 10
	tablesBytes = 4 << 20
)

// checkResources refuses, before the directory is made and the first run
// starts, a plan with a run that cannot fit in the memory available
// (engine.Resources.Check): every such run would only be recorded as
// failed.
func checkResources(plan []runSpec) error {
	seen := map[string]bool{}
	for i := range plan {
		s := &plan[i]
		if seen[s.Label] {
			continue // another seed of a configuration checked
		}
		seen[s.Label] = true
		epochs := s.Cfg.Epochs
		if s.timing != nil { // epoch-time: a few epochs of a long schedule
			epochs = s.timing.Warmup + s.timing.Epochs*s.timing.Repeats
		}
		if err := engine.EstimateResources(s.Cfg, s.Rep.D, s.Cfg.CouplingsFor(s.Rep.C()), epochs).Check(); err != nil {
			return fmt.Errorf("run %s: %v", s.Label, err)
		}
	}
	return nil
}

// UntrustedError is the error of a suite that ran to its end with every
// run of some configuration failing its verdict (the tables give the
// counts and the reasons): the command exits with code 3.
type UntrustedError struct {
	Configurations []string // their labels (and swept values)
}

func (e *UntrustedError) Error() string {
	return fmt.Sprintf("every run of %d configuration(s) is not to be trusted (their verdicts are in the tables): %s",
		len(e.Configurations), strings.Join(e.Configurations, "; "))
}

// FailedRunsError is the error of a suite that ran to its end with some
// runs recorded as failed: the tables and figures are written, and the
// command exits non-zero.
type FailedRunsError struct {
	Suite, Dir       string
	Failed, Recorded int
}

func (e *FailedRunsError) Error() string {
	return fmt.Sprintf("%d of %d recorded runs failed (the tables give their errors); rgflow bench %s -resume -retry-failed -out %s runs them again",
		e.Failed, e.Recorded, e.Suite, e.Dir)
}

// suiteConfig is the configuration the options ask for (the suite's
// default if they give none), checked against the suite and validated. It
// fills in opts.Suite if it was empty.
func suiteConfig(opts *Options) (Config, error) {
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
	return cfg, nil
}

// resolveReps resolves every representation the suite names, once each,
// with opts.Resolve (default: plugins.Resolve in opts.PluginDir).
func resolveReps(ctx context.Context, opts Options, names []string) (map[string]*reps.Rep, error) {
	resolve := opts.Resolve
	if resolve == nil {
		pdir := plugins.Dir(opts.PluginDir)
		resolve = func(ctx context.Context, name string) (*reps.Rep, error) {
			return plugins.Resolve(ctx, name, pdir)
		}
	}
	out := map[string]*reps.Rep{}
	for _, n := range names {
		r, err := resolve(ctx, n)
		if err != nil {
			return nil, fmt.Errorf("representation %q: %v", n, err)
		}
		out[n] = r
	}
	return out, nil
}

// checkTrainable refuses a training suite with a representation beyond
// the exact KL's d ≤ reps.MaxExactDim and no contrastive divergence among
// its losses to train it with (the exact loss skips such representations).
func checkTrainable(cfg Config, repsByName map[string]*reps.Rep) error {
	var c *DistConfig
	switch x := cfg.(type) {
	case *DistConfig:
		c = x
	case *SweepsConfig:
		c = &x.DistConfig
	default:
		return nil
	}
	cd := slices.ContainsFunc(c.Losses, usesCD)
	for _, n := range c.Reps {
		if r := repsByName[n]; r != nil && r.D > reps.MaxExactDim && !cd {
			return fmt.Errorf("reps: %s has d = %d spins per site, beyond the exact KL's d ≤ %d, and losses names no contrastive divergence (%s, %s) to train it with", n, r.D, reps.MaxExactDim, engine.LossCD, engine.LossCDEnergy)
		}
	}
	return nil
}

// planSuite lists the runs of the suite's configuration.
func planSuite(cfg Config, repsByName map[string]*reps.Rep) []runSpec {
	switch c := cfg.(type) {
	case *EpochTimeConfig:
		return planEpochTime(c, repsByName)
	case *SweepsConfig:
		return planSweeps(c, repsByName)
	case *DistConfig:
		return planDist(c, repsByName)
	case *BlockConfig:
		return planBlocks(c, repsByName)
	}
	return nil
}

// pending lists the runs of the plan still to do: those the journal does
// not hold (or holds with an error, if retryFailed). skipped counts the
// others, stale the journal's records that are not in the plan.
func pending(plan []runSpec, done map[string]Record, retryFailed bool) (todo []runSpec, skipped, stale int) {
	inPlan := map[string]bool{}
	for _, s := range plan {
		inPlan[s.Key] = true
		if r, ok := done[s.Key]; ok && !(retryFailed && r.Error != "") {
			skipped++
			continue
		}
		todo = append(todo, s)
	}
	for k := range done {
		if !inPlan[k] {
			stale++
		}
	}
	return todo, skipped, stale
}

// parallelism is the number of runs at once: the option (0: GOMAXPROCS),
// one for epoch-time, and never more than there are runs.
func parallelism(cfg Config, opt, runs int) int {
	parallel := opt
	if parallel <= 0 {
		parallel = runtime.GOMAXPROCS(0)
	}
	if _, ok := cfg.(*EpochTimeConfig); ok {
		parallel = 1
	}
	return min(parallel, max(1, runs))
}

// execute runs todo, appending each record to the journal as it finishes,
// and returns the new records. Each training is judged against the exact
// map of its representation and mirror in ans, where there is one.
func execute(ctx context.Context, cfg Config, todo []runSpec, parallel int, kern kernels.Path, tr *tracker, jr *journal, ans map[string]oracle.Analysis) ([]Record, error) {
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
	var err error
	if _, ok := cfg.(*EpochTimeConfig); ok {
		err = runEpochTime(ctx, todo, tr, record)
	} else {
		err = runTrainings(ctx, todo, parallel, kern, tr, record, ans)
	}
	tr.finish()
	return newRecs, err
}

// tabulate fills rep's records (every recorded run of the plan, in plan
// order), judges each training against the exact map of its
// representation and mirror (judgeRecord: a run recorded before the map
// was known, in an array task, gets its distances here) and writes the
// tables and figures from them. Once ctx is done no exact map is computed
// (an interrupted suite writes the tables of what finished).
func tabulate(ctx context.Context, rep *Report, cfg Config, plan []runSpec, done map[string]Record, out io.Writer) error {
	ans := oracles(ctx, cfg, plan, rep.Dir, out)
	for i := range plan {
		s := &plan[i]
		if r, ok := done[s.Key]; ok {
			judgeRecord(&r, s, ans)
			rep.Records = append(rep.Records, r)
			if r.Error != "" {
				rep.Failed++
			}
		}
	}
	rep.Untrusted = untrusted(plan, rep.Records)
	files, err := writeOutputs(cfg, plan, rep.Records, ans, rep.Dir, out)
	rep.Files = files
	return err
}

// judgeRecord sets a recorded training's summary (a copy) beside the exact
// map in ans, if there is one for it, and gives it its verdict again: the
// same as at the end of the run when the map was known then.
func judgeRecord(r *Record, s *runSpec, ans map[string]oracle.Analysis) {
	if r.Summary == nil {
		return
	}
	sum := *r.Summary
	if an, ok := ans[runOracleKey(s)]; ok {
		oracle.FillLimit(&sum, an, oracle.NewShellGauge(s.Rep, s.Cfg.Shells))
	}
	sum.Verdict = sum.Assess()
	r.Summary = &sum
}

// untrusted lists the configurations whose recorded trainings all fail
// their verdict (those that failed outright are counted apart).
func untrusted(plan []runSpec, recs []Record) []string {
	var out []string
	for _, g := range groupRuns(plan, recs) {
		n, bad := 0, 0
		for _, r := range g.recs {
			if r.Summary != nil {
				n++
				if len(r.Summary.Verdict) > 0 {
					bad++
				}
			}
		}
		if n > 0 && bad == n {
			out = append(out, g.name())
		}
	}
	return out
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
// as a difference). It takes the directory's lock first (LockFile), and
// hands it on until release: a second suite in the same directory is
// refused with a sentence naming the first.
func prepareDir(dir string, cfg Config, resume bool) (release func(), err error) {
	encoded, err := Encode(cfg)
	if err != nil {
		return nil, err
	}
	if resume {
		if err := checkResumable(dir, cfg.SuiteName()); err != nil {
			return nil, err
		}
	} else if fi, err := os.Stat(dir); err == nil && !fi.IsDir() {
		return nil, fmt.Errorf("-out %s is a file, not a directory", dir)
	}
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return nil, fmt.Errorf("cannot create the results directory: %v", err)
	}
	lock, err := filelock.Acquire(filepath.Join(dir, LockFile), "the results directory "+dir)
	if err != nil {
		return nil, err
	}
	if err := writeDirConfig(dir, cfg, encoded, resume); err != nil {
		lock.Release()
		return nil, err
	}
	return lock.Release, nil
}

// writeDirConfig writes config.toml into a new results directory, or
// checks a resumed one's against cfg (encoded).
func writeDirConfig(dir string, cfg Config, encoded []byte, resume bool) error {
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
	return atomicfile.Write(cpath, encoded)
}

// runTrainings trains the runs on kernel path kern with a pool of parallel
// workers, one goroutine each (cfg.Workers = 1), and records each as it
// finishes.
func runTrainings(ctx context.Context, todo []runSpec, parallel int, kern kernels.Path, tr *tracker, record func(Record) error, ans map[string]oracle.Analysis) error {
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
				r, ok := trainOne(ctx, &todo[i], kern, tr, ans)
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
		Suite: suite, Key: s.Key, Label: s.Label, Rep: s.Cfg.Rep, Loss: s.Cfg.Loss, Model: s.Cfg.Model, CoarseMirror: s.Cfg.CoarseMirror,
		Param: s.Param, Value: s.Value, Seed: s.Cfg.Seed, Trajectories: s.Cfg.TrajectoriesFor(s.Cfg.CouplingsFor(s.Rep.C())),
		Epochs: s.Cfg.Epochs, Kernels: kern, Config: s.Cfg,
	}
}

func suiteOf(key string) string { return key[:strings.IndexByte(key, '/')] }

// trainOne trains one instance on kernel path kern and judges it against
// its exact map in ans (oracle.Judge). ok is false if it was interrupted.
func trainOne(ctx context.Context, s *runSpec, kern kernels.Path, tk *tracker, ans map[string]oracle.Analysis) (r Record, ok bool) {
	begin := time.Now()
	r = newRecord(s, suiteOf(s.Key), kern.Name())
	r.KernelChoice = kern.ChoiceMap()
	defer func() { r.Seconds, r.Done = time.Since(begin).Seconds(), time.Now().UTC() }()
	tk.start(s)
	defer tk.stop(s)
	ref := make([]float64, s.Rep.C())
	ref[0] = s.Cfg.Newton.Start
	t, err := newTrainer(s.Cfg, s.Rep, engine.WithKernels(kern), engine.WithExactMap(oracle.ExactMap(ref)), engine.WithContext(ctx))
	if err != nil && ctx.Err() != nil {
		return r, false // interrupted in the warm start: not a result
	}
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
	var an *oracle.Analysis
	if a, ok := ans[runOracleKey(s)]; ok {
		an = &a
	}
	sum := oracle.Finish(ctx, t, an, "exact map not computed here (the suite's oracle key, or an array task: the tables set it beside the run)")
	// the record has the configuration; the curves stay out of the journal
	sum.Flow, sum.History, sum.Config = nil, nil, nil
	if ctx.Err() != nil {
		return r, false // interrupted in the read-out: not a result
	}
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
	r.KernelChoice = s.kernelPath.ChoiceMap()
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
	tm.Median, tm.Q1, tm.Q3 = quantile.Quartiles(tm.PerRepeat)
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
