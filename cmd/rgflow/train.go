package main

import (
	"context"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"io"
	"maps"
	"math"
	"os"
	"slices"
	"strings"
	"time"

	"github.com/pelletier/go-toml/v2"

	"github.com/rgflow/rgflow/engine"
	"github.com/rgflow/rgflow/engine/oracle"
	"github.com/rgflow/rgflow/internal/atomicfile"
	"github.com/rgflow/rgflow/internal/humanize"
	"github.com/rgflow/rgflow/internal/inputfile"
	"github.com/rgflow/rgflow/internal/nullfloat"
	"github.com/rgflow/rgflow/reps"
)

// trainFlags are rgflow train's flags; each one given overrides the config
// file's key. Their defaults are the configuration's.
type trainFlags struct {
	fs                                        *flag.FlagSet
	configPath, preset, rep, loss, model      *string
	mirror, block                             *string
	shells                                    *int
	warm                                      *string
	oracle                                    *string
	epochs, traj, workers, ckptEvery          *int
	instances                                 *int
	seed                                      *uint64
	jsonOut, plotOut, ckpt, resume, pluginDir *string
	quiet, verbose                            *bool
	set                                       map[string]bool // the flags given, after parse
}

// flagKeys maps the configuration keys that have a flag to the flag.
var flagKeys = map[string]string{
	"rep": "rep", "loss": "loss", "model": "model", "coarse_mirror": "coarse-mirror",
	"epochs": "epochs", "trajectories": "trajectories", "seed": "seed", "workers": "workers",
	"output.json": "json", "output.plot": "plot", "output.checkpoint": "checkpoint", "output.checkpoint_every": "checkpoint-every",
	"warm_start": "warm-start", "preset": "preset", "block": "block", "shells": "shells",
}

func newTrainFlags() *trainFlags {
	fs := newFlags("train")
	d := engine.DefaultConfig()
	f := &trainFlags{
		fs:         fs,
		configPath: fs.String("config", "", "experiment file (TOML; rgflow config prints one with every key); flags override it"),
		preset:     fs.String("preset", d.Preset, "protocol preset, applied over the defaults and overridden by the config file's other keys and the flags: "+engine.Presets.Help()),
		rep:        fs.String("rep", d.Rep, repFlagHelp),
		loss:       fs.String("loss", d.Loss, "divergence: "+engine.Losses.Help()),
		model:      fs.String("model", d.Model, "RG map: "+engine.Models.Help()),
		mirror:     fs.String("coarse-mirror", d.CoarseMirror, "the coarse block's mirror: "+engine.Mirrors.Help()),
		block:      fs.String("block", d.Block, blockFlagHelp),
		shells:     fs.Int("shells", d.Shells, shellsFlagHelp),
		warm:       fs.String("warm-start", d.WarmStart, "start the network from the exact variational map: none, exact-step or exact-map (docs/conventions.md §13)"),
		oracle:     fs.String("oracle", "auto", fmt.Sprintf("set the exact variational map's critical values beside the result: on, off, or auto (on for c ≤ %d, where it takes seconds)", autoOracleMaxC)),
		epochs:     fs.Int("epochs", d.Epochs, "training epochs (with -resume: the new total)"),
		traj:       fs.Int("trajectories", d.Trajectories, fmt.Sprintf("couplings per epoch; 0: 8·3^c capped at max_trajectories = %d (A1: 24)", d.MaxTraj)),
		seed:       fs.Uint64("seed", d.Seed, "random seed (with -instances N: of the first instance)"),
		instances:  fs.Int("instances", 1, "train N independent instances, seeds seed, seed+1, …, in parallel, and give the median over them with a bootstrap standard error (one instance has no error bar; docs/training.md)"),
		workers:    fs.Int("workers", d.Workers, "goroutines for the divergence; 0: one per CPU (the results do not depend on it)"),
		jsonOut:    fs.String("json", "", jsonFlagHelp+": the summary, the configuration and the per-epoch history (docs/formats.md)"),
		plotOut:    fs.String("plot", "", "draw the learned flow and the training history to this .png or .svg file"),
		ckpt:       fs.String("checkpoint", "", "save the trained state to this file periodically, at the end and on an interruption (default with -resume: the file resumed from)"),
		ckptEvery:  fs.Int("checkpoint-every", d.Output.CheckpointEvery, "epochs between checkpoints; 0: every 10 seconds; -1: only at the end and on an interruption"),
		resume:     fs.String("resume", "", "continue the run of this checkpoint (its configuration holds; -epochs sets a new total)"),
		pluginDir:  fs.String("plugins", "", "directory of representation plugins (default: $RGFLOW_PLUGINS, else next to rgflow)"),
		quiet:      fs.Bool("quiet", false, "no progress display"),
		verbose:    fs.Bool("v", false, "also the exact map's progress: its fixed points and the bisection of its physical-axis J_c"),
	}
	fs.Usage = func() {
		fmt.Fprint(fs.Output(), "usage: rgflow train [flags]\n\nTrains the network on the configuration (defaults, then -config FILE, then the flags) and prints\nthe estimate of the critical coupling. Exit codes: 0 trusted, 3 completed but not to be trusted,\n1 failed, 2 bad command line, 130/143 interrupted (README, \"Exit codes\").\n\nflags:\n")
		fs.PrintDefaults()
	}
	return f
}

func (f *trainFlags) parse(args []string) error {
	if err := parse(f.fs, args); err != nil {
		return err
	}
	switch *f.oracle {
	case "auto", "on", "off":
	default:
		return fmt.Errorf("-oracle must be on, off or auto (got %q)", *f.oracle)
	}
	if *f.instances < 1 || *f.instances > maxInstances {
		return fmt.Errorf("-instances must be between 1 and %d (got %d)", maxInstances, *f.instances)
	}
	f.set = map[string]bool{}
	f.fs.Visit(func(fl *flag.Flag) { f.set[fl.Name] = true })
	return nil
}

// config is the config file (or the defaults) with the flags given on top,
// validated; keys is every key the file or a flag gave explicitly.
func (f *trainFlags) config() (cfg engine.Config, keys map[string]bool, err error) {
	cfg = engine.DefaultConfig()
	keys = map[string]bool{}
	if *f.configPath != "" {
		if cfg, err = engine.LoadConfigPreset(*f.configPath, *f.preset); err != nil {
			return cfg, nil, err
		}
		if keys, err = fileKeys(*f.configPath); err != nil {
			return cfg, nil, err
		}
	} else if err = cfg.ApplyPreset(*f.preset); err != nil {
		return cfg, nil, f.named(err)
	}
	if f.set["preset"] {
		keys["preset"] = true
	}
	for key, apply := range map[string]func(){
		"rep":                     func() { cfg.Rep = *f.rep },
		"loss":                    func() { cfg.Loss = *f.loss },
		"model":                   func() { cfg.Model = *f.model },
		"coarse_mirror":           func() { cfg.CoarseMirror = *f.mirror },
		"block":                   func() { cfg.Block = *f.block },
		"shells":                  func() { cfg.Shells = *f.shells },
		"epochs":                  func() { cfg.Epochs = *f.epochs },
		"trajectories":            func() { cfg.Trajectories = *f.traj },
		"seed":                    func() { cfg.Seed = *f.seed },
		"workers":                 func() { cfg.Workers = *f.workers },
		"output.json":             func() { cfg.Output.JSON = *f.jsonOut },
		"output.plot":             func() { cfg.Output.Plot = *f.plotOut },
		"output.checkpoint":       func() { cfg.Output.Checkpoint = *f.ckpt },
		"output.checkpoint_every": func() { cfg.Output.CheckpointEvery = *f.ckptEvery },
		"warm_start":              func() { cfg.WarmStart = *f.warm },
	} {
		if f.set[flagKeys[key]] {
			apply()
			keys[key] = true
		}
	}
	return cfg, keys, f.named(cfg.Validate())
}

// named rewrites a configuration error about a key that was given as a
// flag in the flag's terms ("-epochs must be at least 1").
func (f *trainFlags) named(err error) error {
	var ce *engine.ConfigError
	var re *engine.ResourceError
	switch {
	case errors.As(err, &ce):
		if fl, ok := flagKeys[ce.Key]; ok && f.set[fl] {
			c := *ce
			c.Key = "-" + fl
			return &c
		}
	case errors.As(err, &re):
		if fl, ok := flagKeys[re.Key]; ok && f.set[fl] {
			r := *re
			r.Key = "-" + fl
			return &r
		}
	}
	return err
}

// fileKeys lists the keys a TOML file sets ("hmc.beta").
func fileKeys(path string) (map[string]bool, error) {
	data, err := inputfile.Read(path, inputfile.ConfigLimit)
	if err != nil {
		return nil, fmt.Errorf("cannot read config: %v", err)
	}
	var m map[string]any
	if err := toml.Unmarshal(data, &m); err != nil {
		return nil, fmt.Errorf("config %s: %v", path, engine.TOMLError(data, nil, err))
	}
	keys := map[string]bool{}
	flatten("", m, func(k string, _ any) { keys[k] = true })
	return keys, nil
}

// flatten calls leaf for every non-table value of a nested map, with its
// dotted key.
func flatten(prefix string, m map[string]any, leaf func(string, any)) {
	for k, v := range m {
		if sub, ok := v.(map[string]any); ok {
			flatten(prefix+k+".", sub, leaf)
			continue
		}
		leaf(prefix+k, v)
	}
}

// configValues is every key of cfg with its value, by its TOML name.
func configValues(cfg engine.Config) map[string]any {
	data, _ := json.Marshal(cfg)
	var m map[string]any
	_ = json.Unmarshal(data, &m)
	out := map[string]any{}
	flatten("", m, func(k string, v any) { out[k] = v })
	return out
}

// resumeConfig is the configuration a resumed run continues with: the
// checkpoint's (read from path), with a new total of epochs, the workers
// and the outputs of this command line. Any other key given that differs
// from the checkpoint's is refused: a resumed run is the run it continues.
func (f *trainFlags) resumeConfig(path string, ck *engine.Checkpoint, cfg engine.Config, keys map[string]bool) (engine.Config, error) {
	old, now := configValues(ck.Config), configValues(cfg)
	var clash []string
	for _, k := range slices.Sorted(maps.Keys(keys)) {
		if k == "epochs" || k == "workers" || k == "rep" || strings.HasPrefix(k, "output.") {
			continue
		}
		if fmt.Sprint(old[k]) != fmt.Sprint(now[k]) {
			clash = append(clash, fmt.Sprintf("%s %v (the checkpoint has %v)", f.keyName(k), now[k], old[k]))
		}
	}
	if len(clash) > 0 {
		return cfg, fmt.Errorf("-resume %s: %s contradict%s the checkpoint; leave %s out (a resumed run keeps its checkpoint's configuration; -epochs, -workers and the outputs may change)",
			path, strings.Join(clash, ", "), map[bool]string{true: "", false: "s"}[len(clash) > 1], map[bool]string{true: "them", false: "it"}[len(clash) > 1])
	}
	rc := ck.Config
	if keys["epochs"] {
		if cfg.Epochs <= ck.Epoch {
			return cfg, fmt.Errorf("-resume %s: %s %d is not more than the %d epochs the checkpoint has done; give more to train on", path, f.keyName("epochs"), cfg.Epochs, ck.Epoch)
		}
		rc.Epochs = cfg.Epochs
	} else if ck.Epoch >= rc.Epochs && ck.Finished {
		return cfg, fmt.Errorf("-resume %s: the checkpoint's run is finished (%d of %d epochs); give -epochs N with N > %d to train on", path, ck.Epoch, rc.Epochs, ck.Epoch)
	}
	if keys["workers"] {
		rc.Workers = cfg.Workers
	}
	out := cfg.Output
	if !keys["output.checkpoint"] {
		out.Checkpoint = path // keep saving where it came from
	}
	// the outputs the run was started with, unless this command line names others
	if !keys["output.json"] {
		out.JSON = ck.Config.Output.JSON
	}
	if !keys["output.plot"] {
		out.Plot = ck.Config.Output.Plot
	}
	if !keys["output.checkpoint_every"] {
		out.CheckpointEvery = ck.Config.Output.CheckpointEvery
	}
	rc.Output = out
	return rc, f.named(rc.Validate())
}

// keyName is how a message names a key: as the flag if one was given.
func (f *trainFlags) keyName(key string) string {
	if fl, ok := flagKeys[key]; ok && f.set[fl] {
		return "-" + fl
	}
	return key
}

func runTrain(ctx context.Context, args []string) error {
	f := newTrainFlags()
	if err := f.parse(args); err != nil {
		return err
	}
	cfg, keys, err := f.config()
	if err != nil {
		return err
	}
	var ck *engine.Checkpoint
	if *f.resume != "" {
		if man, err := readManifest(*f.resume); err != nil || man != nil {
			if err != nil {
				return err
			}
			return runInstances(ctx, f, cfg, keys, man)
		}
		if f.set["instances"] && *f.instances > 1 {
			return fmt.Errorf("-resume %s is one run's checkpoint; -instances resumes only what a run with -instances saved (leave -instances out)", *f.resume)
		}
		release, err := lockCheckpoint(*f.resume)
		if err != nil {
			return err
		}
		defer release()
		if ck, err = engine.LoadCheckpoint(*f.resume); err != nil {
			return err
		}
		if cfg, err = f.resumeConfig(*f.resume, ck, cfg, keys); err != nil {
			return err
		}
	}
	if ck == nil && *f.instances > 1 {
		return runInstances(ctx, f, cfg, keys, nil)
	}
	if err := checkPluginDir(*f.pluginDir); err != nil {
		return err
	}
	repName := cfg.Rep
	switch {
	case f.set["rep"]:
		repName = *f.rep
	case ck != nil:
		repName = ck.Rep
	}
	r, err := resolveRep(ctx, repName, *f.pluginDir)
	if err != nil {
		return err
	}
	geom, blockFile, err := loadBlock(ctx, cfg.Block, *f.pluginDir)
	if err != nil {
		return err
	}
	if err := checkOutputs(cfg, r, *f.configPath, *f.resume, blockFile); err != nil {
		return err
	}
	release, err := lockCheckpoint(cfg.Output.Checkpoint)
	if err != nil {
		return err
	}
	defer release()
	noteWarmStart(cfg, r, ck != nil)
	var tr *engine.Trainer
	if ck != nil {
		if ck.Rep != r.Name {
			return fmt.Errorf("-resume %s: the checkpoint is for representation %s, not %s; leave -rep out", *f.resume, ck.Rep, r.Name)
		}
		ck.Config = cfg
		if tr, err = engine.Resume(ck, r, 0, engine.WithKernels(kernelPath), engine.WithGeometry(geom)); err != nil {
			if ce := (*engine.CheckpointError)(nil); errors.As(err, &ce) {
				return fmt.Errorf("-resume %s: %v", *f.resume, err)
			}
		}
	} else {
		tr, err = setUp(ctx, func() (*engine.Trainer, error) {
			return engine.NewTrainer(cfg, r, engine.WithKernels(kernelPath), exactMapFor(cfg, r), engine.WithContext(ctx), engine.WithGeometry(geom))
		})
	}
	if err != nil && ctx.Err() != nil {
		return fmt.Errorf("interrupted during the warm start (warm_start = %q); nothing written", cfg.WarmStart)
	}
	if err != nil {
		return f.named(err)
	}
	ex, err := f.exactFor(ck)
	if err != nil {
		return err
	}
	tr.Options = map[string]string{"oracle": ex.mode}
	cfg = tr.Cfg
	resumed := ""
	if ck != nil {
		resumed = fmt.Sprintf(", resumed at epoch %d", ck.Epoch)
	}
	fmt.Fprintf(os.Stderr, "rgflow: %s (d=%d, c=%d, %s)%s, loss %s, model %s, %d epochs × %d trajectories, seed %d, kernels %s%s\n",
		r.Name, r.D, tr.C, origin(r, repName, *f.pluginDir), blockNote(tr.Pair), cfg.Loss, cfg.Model, cfg.Epochs, tr.M, cfg.Seed, tr.Blocks.Kernels().Name(), resumed)
	if ck != nil {
		if w := engine.KernelsChanged(ck, kernelPath); w != "" {
			fmt.Fprintf(os.Stderr, "rgflow: warning: %s\n", w)
		}
	}
	est := engine.EstimateResources(cfg, r.D, tr.C, cfg.Epochs-tr.Epoch)
	if err := est.Check(); err != nil {
		return f.named(err)
	}
	noteDuration(est, cfg.Epochs-tr.Epoch, ex.on(tr.C), r)
	if ck == nil && cfg.Output.Checkpoint != "" {
		if prev, err := engine.LoadCheckpoint(cfg.Output.Checkpoint); err == nil {
			fmt.Fprintf(os.Stderr, "rgflow: note: -checkpoint %s held the checkpoint of a run at epoch %d of %d; this run replaces it\n", cfg.Output.Checkpoint, prev.Epoch, prev.Config.Epochs)
		}
		// the first checkpoint at once: a SIGKILL from now on loses at most an interval
		if err := tr.SaveCheckpoint(cfg.Output.Checkpoint); err != nil {
			return err
		}
	}
	if err := train(ctx, tr, *f.quiet); err != nil {
		return err
	}
	return writeResults(ctx, tr, ex)
}

// checkOutputs fails, before any work, when an output cannot be written
// or its file system lacks room for it, when two of them name one file,
// or when one names an input: the config file, a plugin, or the
// checkpoint resumed from (which -checkpoint may name: a resumed run
// keeps saving there) or a block plugin (block).
func checkOutputs(cfg engine.Config, r *reps.Rep, configPath, resume string, block file) error {
	est := engine.EstimateResources(cfg, r.D, cfg.CouplingsFor(r.C()), cfg.Epochs)
	o := cfg.Output
	return checkFiles(
		[]file{{"config", configPath, 0}, {"resume", resume, 0}, pluginFile(r), block},
		[]file{{"json", o.JSON, int64(est.SummaryBytes)}, {"plot", o.Plot, plotBytes(cfg.Epochs)}, {"checkpoint", o.Checkpoint, int64(est.CheckpointBytes)}},
		func(in, out file) bool { return in.flag == "resume" && out.flag == "checkpoint" })
}

// grace is how long an interrupted run waits for its epoch to stop by
// itself before it saves the state at the epoch's start and exits.
const grace = 3 * time.Second

// train runs the trainer to its last epoch with a progress display,
// saving checkpoints as configured, and on an interruption the state (if
// there is a checkpoint file to save it to). An epoch that does not stop
// within grace of the signal (or at once on a second signal) is left
// running and the state at its start is saved instead.
func train(ctx context.Context, tr *engine.Trainer, quiet bool) error {
	path := tr.Cfg.Output.Checkpoint
	save := func() error {
		if path == "" {
			return nil
		}
		if err := tr.SaveCheckpoint(path); err != nil {
			return keepState(tr, err.Error(), true) // a full disk: keep the state elsewhere
		}
		return nil
	}
	progress, done := progressReporter(quiet, tr)
	interrupt.wait()
	result := make(chan error, 1)
	go func() { result <- tr.Run(ctx, progress, save) }()
	var err error
	finished := false
	select {
	case err = <-result:
		finished = true
	case <-ctx.Done():
		select {
		case err = <-result:
			finished = true
		case <-time.After(grace):
		case <-interrupt.hurry:
		}
	}
	done()
	if finished && !errors.Is(err, context.Canceled) {
		if err != nil {
			return err // a failure, not an interruption
		}
		return save()
	}
	ck, cerr := tr.Checkpoint() // the state at the end of the last whole epoch
	if cerr != nil {
		return cerr
	}
	if path == "" {
		return fmt.Errorf("interrupted at epoch %d of %d; nothing written (set -checkpoint to keep partial runs)", ck.Epoch, ck.Config.Epochs)
	}
	if err := ck.Save(path); err != nil {
		return keepState(tr, "interrupted, and "+err.Error(), true)
	}
	return fmt.Errorf("interrupted at epoch %d of %d; state saved to %s (continue with -resume %s)", ck.Epoch, ck.Config.Epochs, path, path)
}

// exactMapFor gives the trainer the exact variational map for its warm
// start, continued from the axis point (newton.start, 0, …, 0).
func exactMapFor(cfg engine.Config, r *reps.Rep) engine.Option {
	ref := make([]float64, r.C())
	ref[0] = cfg.Newton.Start
	return engine.WithExactMap(oracle.ExactMap(ref))
}

// writeResults reads out the trained network, sets the run beside the
// exact variational map (its gap, and as ex says the exact map's critical
// values), prints the summary and its verdict, and writes the JSON
// summary and the figure, if configured, all or none; then it marks the
// checkpoint finished. A read-out that is interrupted writes nothing, and
// results that cannot be written leave the trained state in a checkpoint
// with the command that writes them (keepState). A run whose verdict finds
// something wrong ends in errUntrusted (exit code 3) once everything is
// written.
func writeResults(ctx context.Context, tr *engine.Trainer, ex exactOptions) error {
	// the read-out may take a while (the exact map's side most): a signal
	// stops it, and a resumed run does it again
	done := make(chan engine.Summary, 1)
	go func() {
		an, note := ex.analysis(ctx, tr)
		done <- oracle.Finish(ctx, tr, an, note)
	}()
	var s engine.Summary
	select {
	case s = <-done:
	case <-ctx.Done():
	}
	if ctx.Err() != nil {
		return keepState(tr, "interrupted during the final read-out", false)
	}
	figure := func(path string) ([]byte, error) { return renderFigure(path, s, tr.Model.Flow) }
	if err := emit(tr.Cfg.Output, s, figure, func(w io.Writer) { printSummary(w, s) }); err != nil {
		return keepState(tr, err.Error(), true)
	}
	markFinished(tr)
	if len(s.Verdict) > 0 {
		return errUntrusted
	}
	return nil
}

// emit prints a result's text and writes the outputs out names, all or
// none, everything rendered before anything is written: v as JSON
// (standard output for "-", the text then going to standard error) and
// the figure that figure renders for a path.
func emit(out engine.OutputConfig, v any, figure func(path string) ([]byte, error), text func(io.Writer)) error {
	var files []atomicfile.File
	var stdoutJSON []byte
	if path := out.JSON; path != "" {
		data, err := json.MarshalIndent(v, "", "  ")
		if err != nil {
			return err
		}
		data = append(data, '\n')
		if path == "-" {
			stdoutJSON = data
		} else {
			files = append(files, atomicfile.File{Path: path, Data: data})
		}
	}
	if path := out.Plot; path != "" {
		data, err := figure(path)
		if err != nil {
			return err
		}
		files = append(files, atomicfile.File{Path: path, Data: data})
	}
	w := io.Writer(stdout)
	if stdoutJSON != nil {
		w = os.Stderr // standard output is the JSON
	}
	text(w)
	if err := writeAll(files); err != nil {
		return err
	}
	if stdoutJSON != nil {
		if _, err := stdout.Write(stdoutJSON); err != nil {
			return fmt.Errorf("cannot write the results to standard output: %v", err)
		}
	}
	return nil
}

// exactOptions says whether and how a run is set beside the exact map's
// fixed points (-oracle, -v); its gaps are computed in every case.
type exactOptions struct {
	mode    string // on, off or auto
	verbose bool   // the analysis' progress lines on stderr
}

// autoOracleMaxC is the largest c for which -oracle auto computes the
// exact map's fixed points (seconds; minutes beyond).
const autoOracleMaxC = 5

func (f *trainFlags) exact() exactOptions { return exactOptions{mode: *f.oracle, verbose: *f.verbose} }

// on reports whether the exact map's fixed points are computed for c
// couplings.
func (ex exactOptions) on(c int) bool {
	return ex.mode == "on" || ex.mode == "auto" && c <= autoOracleMaxC
}

// analysis is the exact map's analysis for the trainer's representation
// and mirror, or nil and why it was not computed; it stops once ctx is
// done.
func (ex exactOptions) analysis(ctx context.Context, tr *engine.Trainer) (*oracle.Analysis, string) {
	if err := reps.ExactLimit("the exact map", tr.Rep.Name, tr.Rep.D); err != nil {
		return nil, "exact map not computed: " + err.Error()
	}
	switch {
	case ex.mode == "off":
		return nil, "exact map not computed (-oracle off)"
	case ex.mode == "auto" && tr.C > autoOracleMaxC:
		return nil, fmt.Sprintf("exact map not computed: -oracle auto computes it for c ≤ %d, and %s has c = %d (-oracle on, or rgflow oracle -rep %s; minutes)",
			autoOracleMaxC, tr.Rep.Name, tr.C, tr.Rep.Name)
	}
	var progress func(string)
	if ex.verbose {
		progress = func(m string) { fmt.Fprintln(os.Stderr, "rgflow: exact map:", m) }
	}
	an, err := oracle.NewContext(ctx, tr.Pair).Analyse(oracle.Options{AxisTol: 1e-4, Progress: progress})
	if err != nil {
		return nil, "exact map not computed: " + err.Error()
	}
	return &an, ""
}

// printSummary writes the result: the headline estimate (for c > 1 the
// physical-axis critical coupling, with the J_0 of the roots second), the
// final network's fixed point, the variational gap and the exact map's
// value beside it with the distances from it, that one instance has no
// error bar, and the verdict.
func printSummary(w io.Writer, s engine.Summary) {
	fmt.Fprintln(w, headline(s))
	printDetails(w, s)
	fmt.Fprintln(w, "note: one instance has no error bar (its IQR is the drift of the roots within this run, not the spread between runs); -instances 8 trains 8 seeds and gives their median with a bootstrap standard error")
	printVerdict(w, s.Verdict)
}

// headline is the first line of a run's summary.
func headline(s engine.Summary) string {
	med := float64(s.JcMedian)
	head := fmt.Sprintf("%s %s %s", s.Rep, s.Loss, s.Model)
	if s.CoarseMirror != "" && s.CoarseMirror != "axis" {
		head += " (coarse mirror " + s.CoarseMirror + ")"
	}
	head += blockHead(s.Block, s.Shells)
	roots := "no Newton root of the learned flow in the recorded epochs" + reasons(s.RootFailureReasons)
	if s.Roots > 0 {
		roots = fmt.Sprintf("%.5f (IQR %.5f–%.5f, %d roots)", med, float64(s.JcQ1), float64(s.JcQ3), s.Roots)
	}
	per := humanize.Duration(s.SecondsPerEpoch) + "/epoch"
	switch {
	case s.C == 1 && s.Roots > 0:
		return fmt.Sprintf("%s: J_c = %s exact %.6f (%s), %s", head, roots, s.JcExact, bias(med, s.JcExact), per)
	case s.C == 1:
		return fmt.Sprintf("%s: no J_c estimate: %s (exact %.6f); try more epochs or another newton.start, %s", head, roots, s.JcExact, per)
	case !math.IsNaN(float64(s.AxisJc)):
		return fmt.Sprintf("%s: physical-axis J_c = %.5f exact %.6f (%s); root J_0 = %s, %s", head, float64(s.AxisJc), s.JcExact, bias(float64(s.AxisJc), s.JcExact), roots, per)
	}
	return fmt.Sprintf("%s: no physical-axis J_c estimate (exact %.6f); root J_0 = %s, %s", head, s.JcExact, roots, per)
}

func bias(x, exact float64) string { return fmt.Sprintf("bias %+.2f%%", 100*(x-exact)/exact) }

// printDetails writes the lines of a run's summary between the headline
// and the verdict.
func printDetails(w io.Writer, s engine.Summary) {
	if s.FixedPoint != nil {
		dims := ""
		if len(s.ScalingDimensions) > 0 {
			dims = fmt.Sprintf(", leading scaling dimension %.4f (exact 1/8)", s.ScalingDimensions[0])
		}
		fmt.Fprintf(w, "final network: critical fixed point %s, λ = %.4f, ν = %.4f (exact 1)%s\n", oracle.FormatVector(s.FixedPoint), float64(s.Lambda), float64(s.Nu), dims)
	} else if s.FixedPointStatus != "" && s.Roots > 0 {
		fmt.Fprintf(w, "final network: Newton found no critical fixed point (%s)\n", s.FixedPointStatus)
	}
	if g := float64(s.VariationalGap); !math.IsNaN(g) {
		fmt.Fprintf(w, "variational gap at the fixed point: KL %.5g learned, %.5g exact minimum (%.2f%% lower; J′ %.3g away)\n",
			float64(s.KLLearned), float64(s.KLMin), 100*g, float64(s.GapDistance))
	}
	printExactMap(w, s.CoarseMirror, s.OracleAxisJc, s.OracleLambda, s.OracleNu, s.OracleFixedPoint, s.OracleScalingDimensions, s.OracleNote)
	if line := distances(s); line != "" {
		fmt.Fprintln(w, line)
	}
	if s.RootFailures > 0 && s.Roots > 0 {
		fmt.Fprintf(w, "note: Newton did not converge in %d of %d recorded epochs%s\n", s.RootFailures, s.RootFailures+s.Roots, reasons(s.RootFailureReasons))
	}
}

// printExactMap writes the exact map's values for the representation and
// mirror, or why they are missing.
func printExactMap(w io.Writer, mirror string, axisJc, lambda, nu nullfloat.Float, fp, dims []float64, note string) {
	jc := float64(axisJc)
	if math.IsNaN(jc) {
		if note != "" {
			fmt.Fprintf(w, "exact variational map: %s\n", note)
		}
		return
	}
	extra := ""
	if len(fp) > 0 {
		extra = ", critical fixed point " + oracle.FormatVector(fp)
	}
	if len(dims) > 0 {
		extra += fmt.Sprintf(", Δ_1 = %.4f", dims[0])
	}
	fmt.Fprintf(w, "exact variational map (%s mirror): physical-axis J_c = %.5f, λ = %s, ν = %s (exact 1)%s\n", mirror, jc, fmtF(float64(lambda), "%.4f"), fmtF(float64(nu), "%.4f"), extra)
}

// distances is the line that sets the run beside the exact map in
// coupling units: the estimate's distance from the exact map's value, the
// fixed point's, and the shift of the fixed point that the exact map's
// error at it implies ("" if there is none of them).
func distances(s engine.Summary) string {
	var parts []string
	est, exact, what := s.Estimate()
	if !math.IsNaN(est) && !math.IsNaN(exact) {
		parts = append(parts, fmt.Sprintf("%s %+.4f (%.5f against %.5f)", what, est-exact, est, exact))
	}
	if d := float64(s.FixedPointDistance); !math.IsNaN(d) && s.C > 1 {
		parts = append(parts, fmt.Sprintf("critical fixed point %.4f away (max norm, nearest gauge image)", d))
	}
	if sh := float64(s.FixedPointShift); !math.IsNaN(sh) {
		parts = append(parts, fmt.Sprintf("the exact map's error at the learned fixed point implies a shift of %+.4f along its relevant direction (fixed_point_shift, first order)", sh))
	}
	if len(parts) == 0 {
		return ""
	}
	line := "in coupling units: " + strings.Join(parts, "; ")
	if s.Loss != engine.LossKL {
		line += fmt.Sprintf(" (information: a %s run's fixed point need not be the exact KL map's; docs/training.md)", s.Loss)
	}
	return line
}

// printVerdict writes a verdict's lines.
func printVerdict(w io.Writer, verdict []string) {
	if len(verdict) == 0 {
		fmt.Fprintln(w, "verdict: nothing found wrong")
	}
	for _, v := range verdict {
		fmt.Fprintln(w, "verdict: not to be trusted: "+v)
	}
}

// reasons lists why Newton stopped, most frequent first: " (12 singular
// Jacobian, 3 iteration limit)"; "" if there is nothing to say.
func reasons(by map[string]int) string {
	if len(by) == 0 {
		return ""
	}
	names := slices.Collect(maps.Keys(by))
	slices.SortFunc(names, func(a, b string) int {
		if by[a] != by[b] {
			return by[b] - by[a]
		}
		return strings.Compare(a, b)
	})
	parts := make([]string, len(names))
	for i, n := range names {
		parts[i] = fmt.Sprintf("%d %s", by[n], n)
	}
	return " (" + strings.Join(parts, ", ") + ")"
}
