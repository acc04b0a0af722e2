package main

import (
	"context"
	"flag"
	"fmt"
	"io"
	"maps"
	"math"
	"os"
	"slices"
	"strings"
	"time"

	"github.com/schollz/progressbar/v3"

	"rgflow/engine"
	"rgflow/engine/oracle"
	"rgflow/reps"
)

// trainFlags are rgflow train's flags; each set one overrides the config
// file's key.
type trainFlags struct {
	fs                                        *flag.FlagSet
	configPath, preset, rep, loss, model      *string
	mirror                                    *string
	warm                                      *string
	oracle                                    *string
	epochs, traj, workers                     *int
	seed                                      *uint64
	jsonOut, plotOut, ckpt, resume, pluginDir *string
	quiet                                     *bool
	set                                       map[string]bool // the flags given, after parse
}

func newTrainFlags() *trainFlags {
	fs := newFlags("train")
	return &trainFlags{
		fs:         fs,
		configPath: fs.String("config", "", "experiment file (TOML); flags override it"),
		preset:     fs.String("preset", "", "protocol preset, applied over the defaults and overridden by the config file's other keys and the flags: "+engine.Presets.Help()),
		rep:        fs.String("rep", "", repFlagHelp),
		loss:       fs.String("loss", "", "divergence: "+engine.Losses.Help()),
		model:      fs.String("model", "", "RG map: "+engine.Models.Help()),
		mirror:     fs.String("coarse-mirror", "", "the coarse block's mirror: "+engine.Mirrors.Help()),
		warm:       fs.String("warm-start", "", "start the network from the exact variational map: none, exact-step or exact-map"),
		oracle:     fs.String("oracle", "auto", "set the exact variational map's critical values beside the result: on, off, or auto (on for c ≤ 5, where it takes seconds)"),
		epochs:     fs.Int("epochs", 0, "training epochs"),
		traj:       fs.Int("trajectories", 0, "couplings per epoch (0: 8·3^c, capped)"),
		seed:       fs.Uint64("seed", 0, "random seed"),
		workers:    fs.Int("workers", -1, "goroutines (0: one per CPU)"),
		jsonOut:    fs.String("json", "", "write the summary and the learned flow as JSON to this file"),
		plotOut:    fs.String("plot", "", "draw the learned flow to this .png or .svg file"),
		ckpt:       fs.String("checkpoint", "", "save the trained state to this file (atomically)"),
		resume:     fs.String("resume", "", "continue a run from this checkpoint"),
		pluginDir:  fs.String("plugins", "", "directory of representation plugins (default: $RGFLOW_PLUGINS, else next to rgflow)"),
		quiet:      fs.Bool("quiet", false, "no progress bar"),
	}
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
// validated.
func (f *trainFlags) config() (engine.Config, error) {
	cfg := engine.DefaultConfig()
	if *f.configPath != "" {
		var err error
		if cfg, err = engine.LoadConfigPreset(*f.configPath, *f.preset); err != nil {
			return cfg, err
		}
	} else if err := cfg.ApplyPreset(*f.preset); err != nil {
		return cfg, err
	}
	for name, apply := range map[string]func(){
		"rep":           func() { cfg.Rep = *f.rep },
		"loss":          func() { cfg.Loss = *f.loss },
		"model":         func() { cfg.Model = *f.model },
		"coarse-mirror": func() { cfg.CoarseMirror = *f.mirror },
		"warm-start":    func() { cfg.WarmStart = *f.warm },
		"epochs":        func() { cfg.Epochs = *f.epochs },
		"trajectories":  func() { cfg.Trajectories = *f.traj },
		"seed":          func() { cfg.Seed = *f.seed },
		"workers":       func() { cfg.Workers = *f.workers },
		"json":          func() { cfg.Output.JSON = *f.jsonOut },
		"plot":          func() { cfg.Output.Plot = *f.plotOut },
		"checkpoint":    func() { cfg.Output.Checkpoint = *f.ckpt },
	} {
		if f.set[name] {
			apply()
		}
	}
	return cfg, cfg.Validate()
}

// trainer is a fresh trainer for cfg, or with -resume the checkpoint's
// (which keeps its own configuration but for -epochs and the outputs).
func (f *trainFlags) trainer(cfg engine.Config, r *reps.Rep) (*engine.Trainer, error) {
	if *f.resume == "" {
		return engine.NewTrainer(cfg, r, engine.WithKernels(kernelPath), exactMapFor(cfg, r))
	}
	ck, err := engine.LoadCheckpoint(*f.resume)
	if err != nil {
		return nil, err
	}
	total := 0
	if f.set["epochs"] {
		total = cfg.Epochs
	}
	tr, err := engine.Resume(ck, r, total, engine.WithKernels(kernelPath))
	if err != nil {
		return nil, err
	}
	tr.Cfg.Output = cfg.Output
	return tr, nil
}

func runTrain(ctx context.Context, args []string) error {
	f := newTrainFlags()
	if err := f.parse(args); err != nil {
		return err
	}
	cfg, err := f.config()
	if err != nil {
		return err
	}
	r, err := resolveRep(ctx, cfg.Rep, *f.pluginDir)
	if err != nil {
		return err
	}
	tr, err := f.trainer(cfg, r)
	if err != nil {
		return err
	}
	cfg = tr.Cfg
	fmt.Fprintf(os.Stderr, "rgflow: %s (d=%d, c=%d, %s), loss %s, model %s, %d epochs × %d trajectories, seed %d, kernels %s\n",
		r.Name, r.D, r.C(), origin(r, cfg.Rep, *f.pluginDir), cfg.Loss, cfg.Model, cfg.Epochs, tr.M, cfg.Seed, tr.Blocks.Kernels().Name())
	if err := train(ctx, tr, *f.quiet); err != nil {
		return err
	}
	return writeResults(ctx, tr, *f.oracle == "on" || *f.oracle == "auto" && tr.C <= 5, *f.quiet)
}

// train runs the trainer to its last epoch with a progress bar, saving
// checkpoints as configured, and on an interruption the state (if there is
// a checkpoint file to save it to).
func train(ctx context.Context, tr *engine.Trainer, quiet bool) error {
	path := tr.Cfg.Output.Checkpoint
	save := func() error {
		if path == "" {
			return nil
		}
		return tr.SaveCheckpoint(path)
	}
	progress, done := progressReporter(quiet, tr)
	err := tr.Run(ctx, progress, save)
	done()
	switch {
	case err == nil:
		return save()
	case ctx.Err() != nil && path != "" && save() == nil:
		return fmt.Errorf("interrupted at epoch %d; state saved to %s (continue with -resume %s)", tr.Epoch, path, path)
	case ctx.Err() != nil:
		return fmt.Errorf("interrupted at epoch %d; nothing written (set -checkpoint to keep partial runs)", tr.Epoch)
	}
	return err
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
// configured. A run whose verdict finds something wrong ends in
// errUntrusted (exit code 3) once everything is written.
func writeResults(ctx context.Context, tr *engine.Trainer, withOracle, quiet bool) error {
	s := tr.Summary()
	o := oracle.New(tr.Blocks)
	if err := o.FillGaps(&s, tr.Model); err != nil {
		s.OracleNote = "variational gap not computed: " + err.Error()
	}
	if withOracle {
		var progress func(string)
		if !quiet {
			progress = func(m string) { fmt.Fprintln(os.Stderr, "rgflow: exact map:", m) }
		}
		an, err := o.Analyse(oracle.Options{AxisTol: 1e-4, Progress: progress})
		if err != nil {
			s.OracleNote = "exact map not computed: " + err.Error()
		} else {
			oracle.FillLimit(&s, an)
		}
	} else if s.OracleNote == "" {
		s.OracleNote = fmt.Sprintf("exact map not computed (c = %d; rgflow oracle -rep %s, or train -oracle on)", s.C, s.Rep)
	}
	s.Verdict = s.Assess()
	printSummary(os.Stdout, s)
	if path := tr.Cfg.Output.JSON; path != "" {
		if err := writeJSON(path, s); err != nil {
			return err
		}
	}
	if path := tr.Cfg.Output.Plot; path != "" {
		if err := plotFlow(path, s); err != nil {
			return err
		}
	}
	if len(s.Verdict) > 0 {
		return errUntrusted
	}
	return nil
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
		fmt.Fprintf(w, "final network: critical fixed point %s, λ = %.4f, ν = %.4f\n", fmtVec(s.FixedPoint), float64(s.Lambda), float64(s.Nu))
	} else if s.FixedPointStatus != "" && s.Roots > 0 {
		fmt.Fprintf(w, "final network: Newton found no critical fixed point (%s)\n", s.FixedPointStatus)
	}
	if g := float64(s.VariationalGap); !math.IsNaN(g) {
		fmt.Fprintf(w, "variational gap at the fixed point: KL %.5g learned, %.5g exact minimum (%.2f%% lower; J′ %.3g away)\n",
			float64(s.KLLearned), float64(s.KLMin), 100*g, float64(s.GapDistance))
	}
	if jc := float64(s.OracleAxisJc); !math.IsNaN(jc) {
		fmt.Fprintf(w, "exact variational map (%s mirror): physical-axis J_c = %.5f, λ = %s, ν = %s\n", s.CoarseMirror, jc, fmtF(float64(s.OracleLambda), "%.4f"), fmtF(float64(s.OracleNu), "%.4f"))
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

func fmtVec(v []float64) string {
	s := "("
	for i, x := range v {
		if i > 0 {
			s += ", "
		}
		s += fmt.Sprintf("%.5f", x)
	}
	return s + ")"
}

// progressReporter draws a progress bar on stderr with the loss and the
// latest root; done clears it.
func progressReporter(quiet bool, tr *engine.Trainer) (func(engine.EpochStat), func()) {
	if quiet {
		return nil, func() {}
	}
	bar := progressbar.NewOptions(tr.Cfg.Epochs,
		progressbar.OptionSetWriter(os.Stderr),
		progressbar.OptionSetDescription("training"),
		progressbar.OptionShowCount(),
		progressbar.OptionSetPredictTime(true),
		progressbar.OptionThrottle(200*time.Millisecond),
		progressbar.OptionSetWidth(30),
		progressbar.OptionClearOnFinish(),
	)
	_ = bar.Set(tr.Epoch)
	last := time.Now()
	return func(st engine.EpochStat) {
			if time.Since(last) > 200*time.Millisecond || st.Epoch == tr.Cfg.Epochs {
				last = time.Now()
				root := "—"
				if !math.IsNaN(st.Root) {
					root = fmt.Sprintf("%.4f", st.Root)
				}
				bar.Describe(fmt.Sprintf("loss %.3e β %5.2f root %s", st.Loss, st.Beta, root))
			}
			_ = bar.Set(st.Epoch)
		}, func() {
			_ = bar.Finish()
		}
}
