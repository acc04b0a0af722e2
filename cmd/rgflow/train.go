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

	"rgflow/engine"
	"rgflow/engine/oracle"
	"rgflow/internal/atomicfile"
	"rgflow/internal/buildinfo"
	"rgflow/reps"
)

// trainFlags are rgflow train's flags; each one given overrides the config
// file's key. Their defaults are the configuration's.
type trainFlags struct {
	fs                                        *flag.FlagSet
	configPath, preset, rep, loss, model      *string
	mirror                                    *string
	warm                                      *string
	oracle                                    *string
	epochs, traj, workers, ckptEvery          *int
	seed                                      *uint64
	jsonOut, plotOut, ckpt, resume, pluginDir *string
	quiet                                     *bool
	set                                       map[string]bool // the flags given, after parse
}

// flagKeys maps the configuration keys that have a flag to the flag.
var flagKeys = map[string]string{
	"rep": "rep", "loss": "loss", "model": "model", "coarse_mirror": "coarse-mirror",
	"epochs": "epochs", "trajectories": "trajectories", "seed": "seed", "workers": "workers",
	"output.json": "json", "output.plot": "plot", "output.checkpoint": "checkpoint", "output.checkpoint_every": "checkpoint-every",
	"warm_start": "warm-start", "preset": "preset",
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
		warm:       fs.String("warm-start", d.WarmStart, "start the network from the exact variational map: none, exact-step or exact-map (docs/conventions.md §13)"),
		oracle:     fs.String("oracle", "auto", "set the exact variational map's critical values beside the result: on, off, or auto (on for c ≤ 5, where it takes seconds)"),
		epochs:     fs.Int("epochs", d.Epochs, "training epochs (with -resume: the new total)"),
		traj:       fs.Int("trajectories", d.Trajectories, fmt.Sprintf("couplings per epoch; 0: 8·3^c capped at max_trajectories = %d (A1: 24)", d.MaxTraj)),
		seed:       fs.Uint64("seed", d.Seed, "random seed"),
		workers:    fs.Int("workers", d.Workers, "goroutines for the divergence; 0: one per CPU (the results do not depend on it)"),
		jsonOut:    fs.String("json", "", jsonFlagHelp+": the summary, the configuration and the per-epoch history (docs/formats.md)"),
		plotOut:    fs.String("plot", "", "draw the learned flow and the training history to this .png or .svg file"),
		ckpt:       fs.String("checkpoint", "", "save the trained state to this file periodically, at the end and on an interruption (default with -resume: the file resumed from)"),
		ckptEvery:  fs.Int("checkpoint-every", d.Output.CheckpointEvery, "epochs between checkpoints; 0: every 10 seconds; -1: only at the end and on an interruption"),
		resume:     fs.String("resume", "", "continue the run of this checkpoint (its configuration holds; -epochs sets a new total)"),
		pluginDir:  fs.String("plugins", "", "directory of representation plugins (default: $RGFLOW_PLUGINS, else next to rgflow)"),
		quiet:      fs.Bool("quiet", false, "no progress display"),
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
	data, err := os.ReadFile(path)
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
// checkpoint's, with a new total of epochs, the workers and the outputs
// of this command line. Any other key given that differs from the
// checkpoint's is refused: a resumed run is the run it continues.
func (f *trainFlags) resumeConfig(ck *engine.Checkpoint, cfg engine.Config, keys map[string]bool) (engine.Config, error) {
	path := *f.resume
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
	} else if ck.Epoch >= rc.Epochs {
		return cfg, fmt.Errorf("-resume %s: the checkpoint's run is finished (%d of %d epochs); give -epochs N with N > %d to train on", path, ck.Epoch, rc.Epochs, ck.Epoch)
	}
	if keys["workers"] {
		rc.Workers = cfg.Workers
	}
	out := cfg.Output
	if !keys["output.checkpoint"] {
		out.Checkpoint = path // keep saving where it came from
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
		if ck, err = engine.LoadCheckpoint(*f.resume); err != nil {
			return err
		}
		if cfg, err = f.resumeConfig(ck, cfg, keys); err != nil {
			return err
		}
	}
	if err := checkOutputs(cfg.Output, *f.resume); err != nil {
		return err
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
	var tr *engine.Trainer
	if ck != nil {
		if ck.Rep != r.Name {
			return fmt.Errorf("-resume %s: the checkpoint is for representation %s, not %s; leave -rep out", *f.resume, ck.Rep, r.Name)
		}
		ck.Config = cfg
		tr, err = engine.Resume(ck, r, 0, engine.WithKernels(kernelPath))
	} else {
		tr, err = engine.NewTrainer(cfg, r, engine.WithKernels(kernelPath), exactMapFor(cfg, r))
	}
	if err != nil {
		return f.named(err)
	}
	cfg = tr.Cfg
	resumed := ""
	if ck != nil {
		resumed = fmt.Sprintf(", resumed at epoch %d", ck.Epoch)
	}
	fmt.Fprintf(os.Stderr, "rgflow: %s (d=%d, c=%d, %s), loss %s, model %s, %d epochs × %d trajectories, seed %d, kernels %s%s\n",
		r.Name, r.D, r.C(), origin(r, repName, *f.pluginDir), cfg.Loss, cfg.Model, cfg.Epochs, tr.M, cfg.Seed, tr.Blocks.Kernels().Name(), resumed)
	est := engine.EstimateResources(cfg, r.D, r.C(), cfg.Epochs-tr.Epoch)
	if err := est.Check(); err != nil {
		return f.named(err)
	}
	if est.EpochSeconds*float64(cfg.Epochs-tr.Epoch) > 600 {
		fmt.Fprintf(os.Stderr, "rgflow: note: this run may take roughly %s (about %s an epoch, a rough estimate; the progress display measures it)\n",
			engine.FormatDuration(est.EpochSeconds*float64(cfg.Epochs-tr.Epoch)), engine.FormatDuration(est.EpochSeconds))
	}
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
	return writeResults(ctx, tr, *f.oracle == "on" || *f.oracle == "auto" && tr.C <= 5, *f.quiet)
}

// checkOutputs fails, before any work, when an output cannot be written
// or two of them (or an output and the checkpoint resumed from) name one
// file.
func checkOutputs(o engine.OutputConfig, resume string) error {
	seen := map[string]string{}
	for _, out := range []struct{ flag, path string }{{"json", o.JSON}, {"plot", o.Plot}, {"checkpoint", o.Checkpoint}, {"resume", resume}} {
		if out.path == "" || out.path == "-" {
			continue
		}
		if out.flag != "resume" {
			if err := checkWritable(out.flag, out.path); err != nil {
				return err
			}
		}
		key := canonicalPath(out.path)
		if prev, ok := seen[key]; ok && !(prev == "checkpoint" && out.flag == "resume") {
			return fmt.Errorf("-%s and -%s name the same file %s; give each its own", prev, out.flag, out.path)
		}
		seen[key] = out.flag
	}
	return nil
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
		return tr.SaveCheckpoint(path)
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
	if err := saveCheckpoint(path, ck); err != nil {
		return err
	}
	return fmt.Errorf("interrupted at epoch %d of %d; state saved to %s (continue with -resume %s)", ck.Epoch, ck.Config.Epochs, path, path)
}

func saveCheckpoint(path string, ck *engine.Checkpoint) error {
	data, err := json.Marshal(ck)
	if err != nil {
		return err
	}
	return atomicfile.Write(path, data)
}

// exactMapFor gives the trainer the exact variational map for its warm
// start, continued from the axis point (newton.start, 0, …, 0).
func exactMapFor(cfg engine.Config, r *reps.Rep) engine.Option {
	ref := make([]float64, r.C())
	ref[0] = cfg.Newton.Start
	return engine.WithExactMap(oracle.ExactMap(ref))
}

// writeResults sets the run beside the exact variational map (its gap,
// and with withOracle the exact map's critical values), prints the summary
// and its verdict, and writes the JSON summary and the figure, if
// configured, all or none. A run whose verdict finds something wrong ends
// in errUntrusted (exit code 3) once everything is written.
func writeResults(ctx context.Context, tr *engine.Trainer, withOracle, quiet bool) error {
	s := tr.Summary()
	bi := buildinfo.Read()
	s.Version, s.Commit = bi.Version, bi.CommitString()
	// the exact map's side, which may take a while: a signal skips it and
	// the results are written without it
	done := make(chan engine.Variational, 1)
	go func() {
		s := s
		exactMap(&s, tr, withOracle, quiet)
		done <- s.Variational
	}()
	interrupted := false
	select {
	case v := <-done:
		s.Variational = v
	case <-ctx.Done():
		interrupted = true
		s.OracleNote = "variational gap and exact map not computed: interrupted"
	}
	s.Verdict = s.Assess()
	// everything is rendered before anything is written
	var files []atomicfile.File
	var stdoutJSON []byte
	if path := tr.Cfg.Output.JSON; path != "" {
		data, err := json.MarshalIndent(s, "", "  ")
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
	if path := tr.Cfg.Output.Plot; path != "" {
		data, err := renderFigure(path, s, tr.Model.Flow)
		if err != nil {
			return err
		}
		files = append(files, atomicfile.File{Path: path, Data: data})
	}
	text := io.Writer(os.Stdout)
	if stdoutJSON != nil {
		text = os.Stderr // standard output is the JSON
	}
	printSummary(text, s)
	if err := atomicfile.WriteAll(files); err != nil {
		return err
	}
	if stdoutJSON != nil {
		if _, err := os.Stdout.Write(stdoutJSON); err != nil {
			return err
		}
	}
	if interrupted {
		return fmt.Errorf("interrupted while setting the run beside the exact map; the results are written without it")
	}
	if len(s.Verdict) > 0 {
		return errUntrusted
	}
	return nil
}

// exactMap sets the run beside the exact variational map: the gap at its
// fixed point and on the axis, and with withOracle the exact map's
// critical values.
func exactMap(s *engine.Summary, tr *engine.Trainer, withOracle, quiet bool) {
	if err := reps.ExactLimit("the exact map (and the variational gap)", tr.Rep.Name, tr.Rep.D); err != nil {
		s.OracleNote = "not computed: " + err.Error()
		return
	}
	o := oracle.New(tr.Blocks)
	if err := o.FillGaps(s, tr.Model); err != nil {
		s.OracleNote = "variational gap not computed: " + err.Error()
	}
	if !withOracle {
		if s.OracleNote == "" {
			s.OracleNote = fmt.Sprintf("exact map not computed (c = %d; rgflow oracle -rep %s, or train -oracle on)", s.C, s.Rep)
		}
		return
	}
	var progress func(string)
	if !quiet {
		progress = func(m string) { fmt.Fprintln(os.Stderr, "rgflow: exact map:", m) }
	}
	an, err := o.Analyse(oracle.Options{AxisTol: 1e-4, Progress: progress})
	if err != nil {
		s.OracleNote = "exact map not computed: " + err.Error()
		return
	}
	oracle.FillLimit(s, an)
	if s.OracleFixedPoint != nil && s.FixedPoint != nil {
		_, s.OracleFixedPoint, _ = oracle.NewGauge(tr.Rep).Nearest(s.OracleFixedPoint, s.FixedPoint)
	}
}

// printSummary writes the result: the headline estimate (for c > 1 the
// physical-axis critical coupling, with the J_0 of the roots second), the
// final network's fixed point, the variational gap and the exact map's
// value beside it, and the verdict.
func printSummary(w io.Writer, s engine.Summary) {
	med := float64(s.JcMedian)
	head := fmt.Sprintf("%s %s %s", s.Rep, s.Loss, s.Model)
	if s.CoarseMirror != "" && s.CoarseMirror != "axis" {
		head += " (coarse mirror " + s.CoarseMirror + ")"
	}
	bias := func(x float64) string { return fmt.Sprintf("bias %+.2f%%", 100*(x-s.JcExact)/s.JcExact) }
	roots := "no Newton root of the learned flow in the recorded epochs" + reasons(s.RootFailureReasons)
	if s.Roots > 0 {
		roots = fmt.Sprintf("%.5f (IQR %.5f–%.5f, %d roots)", med, float64(s.JcQ1), float64(s.JcQ3), s.Roots)
	}
	switch {
	case s.C == 1 && s.Roots > 0:
		fmt.Fprintf(w, "%s: J_c = %s exact %.6f (%s), %.3g s/epoch\n", head, roots, s.JcExact, bias(med), s.SecondsPerEpoch)
	case s.C == 1:
		fmt.Fprintf(w, "%s: no J_c estimate: %s (exact %.6f); try more epochs or another newton.start, %.3g s/epoch\n", head, roots, s.JcExact, s.SecondsPerEpoch)
	case !math.IsNaN(float64(s.AxisJc)):
		fmt.Fprintf(w, "%s: physical-axis J_c = %.5f exact %.6f (%s); root J_0 = %s, %.3g s/epoch\n", head, float64(s.AxisJc), s.JcExact, bias(float64(s.AxisJc)), roots, s.SecondsPerEpoch)
	default:
		fmt.Fprintf(w, "%s: no physical-axis J_c estimate (exact %.6f); root J_0 = %s, %.3g s/epoch\n", head, s.JcExact, roots, s.SecondsPerEpoch)
	}
	if s.FixedPoint != nil {
		dims := ""
		if len(s.ScalingDimensions) > 0 {
			dims = fmt.Sprintf(", leading scaling dimension %.4f (exact 1/8)", s.ScalingDimensions[0])
		}
		fmt.Fprintf(w, "final network: critical fixed point %s, λ = %.4f, ν = %.4f%s\n", oracle.FormatVector(s.FixedPoint), float64(s.Lambda), float64(s.Nu), dims)
	} else if s.FixedPointStatus != "" && s.Roots > 0 {
		fmt.Fprintf(w, "final network: Newton found no critical fixed point (%s)\n", s.FixedPointStatus)
	}
	if g := float64(s.VariationalGap); !math.IsNaN(g) {
		fmt.Fprintf(w, "variational gap at the fixed point: KL %.5g learned, %.5g exact minimum (%.2f%% lower; J′ %.3g away)\n",
			float64(s.KLLearned), float64(s.KLMin), 100*g, float64(s.GapDistance))
	}
	if jc := float64(s.OracleAxisJc); !math.IsNaN(jc) {
		dims := ""
		if len(s.OracleScalingDimensions) > 0 {
			dims = fmt.Sprintf(", Δ_1 = %.4f", s.OracleScalingDimensions[0])
		}
		fmt.Fprintf(w, "exact variational map (%s mirror): physical-axis J_c = %.5f, λ = %s, ν = %s%s\n", s.CoarseMirror, jc, fmtF(float64(s.OracleLambda), "%.4f"), fmtF(float64(s.OracleNu), "%.4f"), dims)
	} else if s.OracleNote != "" {
		fmt.Fprintf(w, "exact variational map: %s\n", s.OracleNote)
	}
	if s.RootFailures > 0 && s.Roots > 0 {
		fmt.Fprintf(w, "note: Newton did not converge in %d of %d recorded epochs%s\n", s.RootFailures, s.RootFailures+s.Roots, reasons(s.RootFailureReasons))
	}
	if len(s.Verdict) == 0 {
		fmt.Fprintln(w, "verdict: nothing found wrong")
	}
	for _, v := range s.Verdict {
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
