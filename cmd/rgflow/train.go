package main

import (
	"context"
	"encoding/json"
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
	"rgflow/internal/atomicfile"
	"rgflow/kernels"
)

// newFlags makes a flag set that reports errors instead of exiting.
func newFlags(name string) *flag.FlagSet {
	fs := flag.NewFlagSet("rgflow "+name, flag.ContinueOnError)
	fs.SetOutput(os.Stderr)
	return fs
}

// parse parses a command's flags. The flag package has already explained
// a bad flag (or printed the help for -h), so either ends in errUsage.
func parse(fs *flag.FlagSet, args []string) error {
	if err := fs.Parse(args); err != nil {
		return errUsage
	}
	if fs.NArg() > 0 {
		return fmt.Errorf("unexpected argument %q", fs.Arg(0))
	}
	return nil
}

func runTrain(ctx context.Context, args []string) error {
	fs := newFlags("train")
	configPath := fs.String("config", "", "experiment file (TOML); flags override it")
	rep := fs.String("rep", "", repFlagHelp)
	loss := fs.String("loss", "", "divergence: "+engine.Losses.Help())
	model := fs.String("model", "", "RG map: "+engine.Models.Help())
	epochs := fs.Int("epochs", 0, "training epochs")
	traj := fs.Int("trajectories", 0, "couplings per epoch (0: 8·3^c, capped)")
	seed := fs.Uint64("seed", 0, "random seed")
	workers := fs.Int("workers", -1, "goroutines (0: one per CPU)")
	jsonOut := fs.String("json", "", "write the summary and the learned flow as JSON to this file")
	plotOut := fs.String("plot", "", "draw the learned flow to this .png or .svg file")
	ckpt := fs.String("checkpoint", "", "save the trained state to this file (atomically)")
	resume := fs.String("resume", "", "continue a run from this checkpoint")
	pluginDir := fs.String("plugins", "", "directory of representation plugins (default: $RGFLOW_PLUGINS, else next to rgflow)")
	quiet := fs.Bool("quiet", false, "no progress bar")
	if err := parse(fs, args); err != nil {
		return err
	}

	cfg := engine.DefaultConfig()
	if *configPath != "" {
		var err error
		if cfg, err = engine.LoadConfig(*configPath); err != nil {
			return err
		}
	}
	set := map[string]bool{}
	fs.Visit(func(f *flag.Flag) { set[f.Name] = true })
	if set["rep"] {
		cfg.Rep = *rep
	}
	if set["loss"] {
		cfg.Loss = *loss
	}
	if set["model"] {
		cfg.Model = *model
	}
	if set["epochs"] {
		cfg.Epochs = *epochs
	}
	if set["trajectories"] {
		cfg.Trajectories = *traj
	}
	if set["seed"] {
		cfg.Seed = *seed
	}
	if set["workers"] {
		cfg.Workers = *workers
	}
	if set["json"] {
		cfg.Output.JSON = *jsonOut
	}
	if set["plot"] {
		cfg.Output.Plot = *plotOut
	}
	if set["checkpoint"] {
		cfg.Output.Checkpoint = *ckpt
	}
	if err := cfg.Validate(); err != nil {
		return err
	}

	r, err := resolveRep(ctx, cfg.Rep, *pluginDir)
	if err != nil {
		return err
	}
	var tr *engine.Trainer
	if *resume != "" {
		ck, err := engine.LoadCheckpoint(*resume)
		if err != nil {
			return err
		}
		total := 0
		if set["epochs"] {
			total = cfg.Epochs
		}
		if tr, err = engine.Resume(ck, r, total); err != nil {
			return err
		}
		tr.Cfg.Output = cfg.Output
	} else if tr, err = engine.NewTrainer(cfg, r); err != nil {
		return err
	}
	cfg = tr.Cfg

	fmt.Fprintf(os.Stderr, "rgflow: %s (d=%d, c=%d, %s), loss %s, model %s, %d epochs × %d trajectories, seed %d, kernels %s\n",
		r.Name, r.D, r.C(), origin(r, cfg.Rep, *pluginDir), cfg.Loss, cfg.Model, cfg.Epochs, tr.M, cfg.Seed, kernels.Path())

	progress, done := progressReporter(*quiet, tr)
	save := func() error {
		if cfg.Output.Checkpoint == "" {
			return nil
		}
		return tr.SaveCheckpoint(cfg.Output.Checkpoint)
	}
	err = tr.Run(ctx, progress, save)
	done()
	if err != nil {
		if ctx.Err() != nil && cfg.Output.Checkpoint != "" {
			if serr := save(); serr == nil {
				return fmt.Errorf("interrupted at epoch %d; state saved to %s (continue with -resume %s)", tr.Epoch, cfg.Output.Checkpoint, cfg.Output.Checkpoint)
			}
		}
		if ctx.Err() != nil {
			return fmt.Errorf("interrupted at epoch %d; nothing written (set -checkpoint to keep partial runs)", tr.Epoch)
		}
		return err
	}
	if err := save(); err != nil {
		return err
	}

	s := tr.Summary()
	s.Kernels = kernels.Path()
	printSummary(os.Stdout, s)
	if cfg.Output.JSON != "" {
		data, err := json.MarshalIndent(s, "", "  ")
		if err != nil {
			return err
		}
		if err := atomicfile.Write(cfg.Output.JSON, append(data, '\n')); err != nil {
			return err
		}
	}
	if cfg.Output.Plot != "" {
		if err := plotFlow(cfg.Output.Plot, s); err != nil {
			return err
		}
	}
	return nil
}

// printSummary writes the one-line result, plus the fixed-point details.
func printSummary(w io.Writer, s engine.Summary) {
	med := float64(s.JcMedian)
	if s.Roots == 0 {
		fmt.Fprintf(w, "%s %s %s: no J_c estimate: Newton found no root of the learned flow in the %d recorded epochs%s (exact %.6f); try more epochs or another newton.start, %.3g s/epoch\n",
			s.Rep, s.Loss, s.Model, s.RootFailures, reasons(s.RootFailureReasons), s.JcExact, s.SecondsPerEpoch)
	} else {
		bias := 100 * (med - s.JcExact) / s.JcExact
		fmt.Fprintf(w, "%s %s %s: J_c = %.5f (IQR %.5f–%.5f, %d roots) exact %.6f (bias %+.2f%%), %.3g s/epoch\n",
			s.Rep, s.Loss, s.Model, med, float64(s.JcQ1), float64(s.JcQ3), s.Roots, s.JcExact, bias, s.SecondsPerEpoch)
	}
	if s.FixedPoint != nil {
		fmt.Fprintf(w, "final network: critical fixed point %s, λ = %.4f, ν = %.4f", fmtVec(s.FixedPoint), float64(s.Lambda), float64(s.Nu))
		if s.C > 1 {
			fmt.Fprintf(w, ", physical-axis J_c = %.5f", float64(s.AxisJc))
		}
		fmt.Fprintln(w)
	} else if s.FixedPointStatus != "" && s.Roots > 0 {
		fmt.Fprintf(w, "final network: Newton found no critical fixed point (%s)\n", s.FixedPointStatus)
	}
	if s.RootFailures > 0 && s.Roots > 0 {
		fmt.Fprintf(w, "note: Newton did not converge in %d of %d recorded epochs%s\n", s.RootFailures, s.RootFailures+s.Roots, reasons(s.RootFailureReasons))
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
