package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"os"
	"path/filepath"
	"strings"

	"github.com/rgflow/rgflow/bench"
	"github.com/rgflow/rgflow/engine"
	"github.com/rgflow/rgflow/engine/geometry"
	"github.com/rgflow/rgflow/internal/quote"
	"github.com/rgflow/rgflow/reps"
)

// runBench runs a benchmark suite: rgflow bench SUITE [flags].
func runBench(ctx context.Context, args []string) error {
	suites := strings.Join(bench.Suites(), ", ")
	fs := newFlags("bench")
	quick := fs.Bool("quick", false, "the suite's quick variant: a smoke test of every code path in seconds, its numbers meaningless (tables and figures say so)")
	out := fs.String("out", "", "results directory (default: results/SUITE-TIMESTAMP; with -resume, the latest of them)")
	configPath := fs.String("config", "", "suite configuration (TOML) over the defaults (or over -quick's)")
	preset := fs.String("preset", "", "protocol preset, applied over the suite's defaults and under -config's keys: "+engine.Presets.Help())
	resume := fs.Bool("resume", false, "continue the suite in -out, skipping the runs already recorded there")
	retry := fs.Bool("retry-failed", false, "with -resume, run again the runs recorded with an error")
	parallel := fs.Int("parallel", 0, "trainings at once (0: one per CPU; epoch-time always runs one at a time)")
	pluginDir := fs.String("plugins", "", "directory of representation plugins (default: $RGFLOW_PLUGINS, else next to rgflow)")
	block := fs.String("block", engine.DefaultConfig().Block, "the block every run trains on ([train] block; the built-in blocks: "+geometry.Names+"; not bias-vs-block, which sets its own)")
	shells := fs.Int("shells", 1, "coupling shells of -block ([train] shells; docs/conventions.md §14)")
	quiet := fs.Bool("quiet", false, "no progress bars")
	slurm := addSlurmFlags(fs) // bench_slurm.go
	fs.Usage = func() {
		fmt.Fprintf(fs.Output(), "usage: rgflow bench SUITE [flags]\n\nsuites: %s (bench/README.md describes them)\nExit codes: 0 every run succeeded, 1 a run failed or the suite could not run, 2 bad command line,\n3 every run of some configuration is not to be trusted (its verdicts are in the tables), 130/143 interrupted (finished runs stay recorded; continue with -resume).\n\nflags:\n", suites)
		fs.PrintDefaults()
	}
	if len(args) == 0 || strings.HasPrefix(args[0], "-") {
		if len(args) > 0 && (args[0] == "-h" || args[0] == "-help" || args[0] == "--help") {
			fs.SetOutput(os.Stdout)
			fs.Usage()
			return errHelp
		}
		return &usageError{fmt.Sprintf("name a suite first: rgflow bench SUITE [flags] (suites: %s)", suites)}
	}
	suite := args[0]
	if err := parse(fs, args[1:]); err != nil {
		return err
	}
	if _, err := bench.Default(suite); err != nil {
		return &usageError{err.Error()}
	}
	if err := slurm.check(fs, resume, *quick, *configPath, *out); err != nil {
		return err
	}
	switch {
	case *retry && !*resume:
		return fmt.Errorf("-retry-failed needs -resume")
	case *parallel < 0:
		return fmt.Errorf("-parallel must be 0 (one per CPU) or more (got %d)", *parallel)
	}
	if err := checkPluginDir(*pluginDir); err != nil {
		return err
	}

	dir := *out
	if *resume && dir == "" {
		if dir = bench.LatestOutDir("results", suite); dir == "" {
			return fmt.Errorf("nothing to resume: no results/%s-* directory with a %s here; name it with -out DIR", suite, bench.JournalFile)
		}
	}
	if err := checkBenchFiles(*configPath, dir); err != nil {
		return err
	}
	var cfg bench.Config
	var err error
	switch {
	case *configPath != "":
		cfg, err = bench.Configure(suite, *configPath, *quick, *preset)
	case *resume && *preset != "":
		err = fmt.Errorf("-preset with -resume needs -config (the results directory's %s names its preset)", bench.ConfigFile)
	case *resume && !*quick:
		// continue with the configuration the directory was made with
		if cfg, err = bench.StoredConfig(dir, suite); err == nil && cfg == nil {
			cfg, err = bench.Default(suite)
		}
	case *quick || *preset != "":
		cfg, err = bench.Configure(suite, "", *quick, *preset)
	default:
		cfg, err = bench.Default(suite)
	}
	if err != nil {
		return err
	}
	if setBlock, setShells := flagGiven(fs, "block"), flagGiven(fs, "shells"); setBlock || setShells {
		b, sh := *block, *shells
		if !setBlock {
			b = ""
		}
		if !setShells {
			sh = 0
		}
		if err := bench.SetBlock(cfg, b, sh); err != nil {
			return err
		}
	}

	opts := bench.Options{
		Suite: suite, Config: cfg, OutDir: dir, Resume: *resume, RetryFailed: *retry, Parallel: *parallel, Kernels: kernelPath,
		Resolve: func(ctx context.Context, name string) (*reps.Rep, error) { return resolveRep(ctx, name, *pluginDir) },
		Out:     stdout,
	}
	if !*quiet {
		opts.Progress = os.Stderr
	}
	if slurm.active() {
		return untrustedExit(slurm.run(ctx, opts))
	}
	rep, err := bench.Run(ctx, opts)
	if rep != nil && len(rep.Files) > 0 {
		fmt.Fprintf(os.Stdout, "wrote %d tables and figures, %s and %s in %s\n", len(rep.Files), bench.ConfigFile, bench.JournalFile, rep.Dir)
	}
	return untrustedExit(err)
}

// untrustedExit turns a suite whose configurations' runs all fail their
// verdict into exit code 3, after saying which.
func untrustedExit(err error) error {
	var ue *bench.UntrustedError
	if errors.As(err, &ue) {
		fmt.Fprintln(os.Stderr, "rgflow bench:", err)
		return errUntrusted
	}
	return err
}

// checkBenchFiles refuses a -config inside the results directory, whose
// files the suite writes (its tables and figures replace what is there),
// unless it is the directory's own config.toml, which bench only reads.
func checkBenchFiles(configPath, dir string) error {
	if configPath == "" || dir == "" || sameFile(configPath, filepath.Join(dir, bench.ConfigFile)) {
		return nil
	}
	in, d := canonicalPath(configPath), canonicalPath(dir)
	if in == d || strings.HasPrefix(in, d+string(filepath.Separator)) {
		return fmt.Errorf("-config %s lies in the results directory -out %s, whose files the suite writes; keep the experiment file outside it", quote.Cut(configPath), quote.Cut(dir))
	}
	return nil
}

// flagGiven reports whether the command line set the flag name.
func flagGiven(fs *flag.FlagSet, name string) bool {
	set := false
	fs.Visit(func(f *flag.Flag) { set = set || f.Name == name })
	return set
}
