package main

import (
	"context"
	"flag"
	"fmt"
	"os"
	"strconv"

	"github.com/rgflow/rgflow/bench"
)

// slurmFlags are rgflow bench's flags for running a suite as a Slurm job
// array (README.md, "Running on a cluster").
type slurmFlags struct {
	submit, collect, wait *bool
	task                  *int
	sbatch                *string
	chunk, throttle       *int
}

func addSlurmFlags(fs *flag.FlagSet) *slurmFlags {
	return &slurmFlags{
		submit:   fs.Bool("slurm", false, "submit the suite as one Slurm job array into -out and return (with -resume: resubmit the tasks that did not finish)"),
		collect:  fs.Bool("collect", false, "merge the journals of the array tasks in -out and write the tables and figures; list the tasks that did not finish"),
		wait:     fs.Bool("wait", false, "with -slurm, wait for the array (polling squeue), then collect"),
		task:     fs.Int("task", -1, "run array task `I` of the suite in -out (what each Slurm task runs)"),
		sbatch:   fs.String("sbatch", "", "with -slurm, extra sbatch `options` (e.g. \"--partition=short --time=2:00:00\"); they win over rgflow's requests"),
		chunk:    fs.Int("chunk", 0, "with -slurm, `N` runs per array task (default 1)"),
		throttle: fs.Int("throttle", 0, "with -slurm, at most `N` array tasks at once (--array=…%N)"),
	}
}

func (s *slurmFlags) active() bool { return *s.submit || *s.collect || *s.task >= 0 }

// check refuses flag combinations that mean nothing, and a -task that is
// no task's index (a negative one was taken for no -task at all, and the
// whole suite ran). -task and -collect work on a directory's own
// configuration, as -resume does.
func (s *slurmFlags) check(fs *flag.FlagSet, resume *bool, quick bool, configPath, out string) error {
	taskGiven := false
	fs.Visit(func(f *flag.Flag) { taskGiven = taskGiven || f.Name == "task" })
	if taskGiven && *s.task < 0 {
		return fmt.Errorf("-task must be the index of an array task, 0 or more (got %d)", *s.task)
	}
	modes := 0
	for _, on := range []bool{*s.submit, *s.collect, *s.task >= 0} {
		if on {
			modes++
		}
	}
	switch {
	case modes > 1:
		return fmt.Errorf("-slurm, -collect and -task exclude one another")
	case !*s.submit && (*s.wait || *s.sbatch != "" || *s.chunk != 0 || *s.throttle != 0):
		return fmt.Errorf("-wait, -sbatch, -chunk and -throttle go with -slurm")
	case *s.chunk < 0 || *s.throttle < 0:
		return fmt.Errorf("-chunk and -throttle must be positive")
	case *s.task >= 0 && (quick || configPath != ""):
		return fmt.Errorf("-task runs with the configuration of its directory; leave out -quick and -config")
	case *s.task >= 0 && out == "":
		return fmt.Errorf("-task needs the array's directory: -out DIR")
	}
	if *s.collect || *s.task >= 0 {
		*resume = true
	}
	return nil
}

// run runs the Slurm mode the flags ask for.
func (s *slurmFlags) run(ctx context.Context, opts bench.Options) error {
	switch {
	case *s.task >= 0:
		opts.Progress = os.Stderr // the task's log: a line per finished run, no bars
		if n, err := strconv.Atoi(os.Getenv("SLURM_CPUS_PER_TASK")); err == nil && n > 0 && opts.Parallel == 0 {
			opts.Parallel = n
		}
		_, err := bench.RunTask(ctx, opts, *s.task)
		return err
	case *s.collect:
		rep, _, err := bench.Collect(ctx, opts, nil)
		wrote(rep)
		return err
	}
	extra, err := bench.SplitOptions(*s.sbatch)
	if err != nil {
		return fmt.Errorf("-sbatch: %v", err)
	}
	res, err := bench.Submit(ctx, opts, bench.SlurmOptions{Chunk: *s.chunk, Throttle: *s.throttle, Sbatch: extra, Wait: *s.wait})
	if res != nil {
		wrote(res.Report)
	}
	return err
}

func wrote(rep *bench.Report) {
	if rep != nil && len(rep.Files) > 0 {
		fmt.Fprintf(os.Stdout, "wrote %d tables and figures in %s\n", len(rep.Files), rep.Dir)
	}
}
