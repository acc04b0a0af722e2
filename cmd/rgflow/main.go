// Command rgflow learns renormalization-group flows of Lieb-lattice Ising
// models with the Machine-Learning Renormalization Group algorithm.
//
//	rgflow train   [-config FILE] [-rep NAME] [-loss kl|cd] [-model flow|monotone] …
//	rgflow eval    -rep NAME -J "j1,…" -Jp "j1,…" [-json]
//	rgflow oracle  -rep A1 [-json]
//	rgflow reps    [-plugins DIR]
//	rgflow version
//
// RGFLOW_KERNELS=generic|avx2|avx512 runs every hot loop on that kernel
// path instead of the fastest one the CPU supports.
//
// Every failure ends in one plain sentence on stderr and a non-zero exit.
package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"os"
	"os/signal"
	"syscall"

	"rgflow/kernels"
)

type command struct {
	name, usage string
	run         func(ctx context.Context, args []string) error
}

var commands = []command{
	{"train", "learn the RG flow and estimate the critical point", runTrain},
	{"eval", "print KL(J, J′) and its gradient in J′", runEval},
	{"oracle", "fixed point of the exact argmin-KL map (A1)", runOracle},
	{"reps", "list the representations rgflow knows", runReps},
	{"bench", "run a benchmark suite (epoch-time, bias-vs-dimension, kl-vs-cd, sweeps)", runBench},
	{"version", "print the kernel path and the CPU features seen", runVersion},
}

func usage() {
	fmt.Fprintln(os.Stderr, "usage: rgflow COMMAND [flags]\n\ncommands:")
	for _, c := range commands {
		fmt.Fprintf(os.Stderr, "  %-8s %s\n", c.name, c.usage)
	}
	fmt.Fprintln(os.Stderr, "\n'rgflow COMMAND -h' lists a command's flags.")
}

// errUsage marks an error already explained by the flag package.
var errUsage = errors.New("usage")

// errUntrusted marks a run that completed and wrote its results but whose
// verdict found its estimate not to be trusted (no critical fixed point, a
// large variational gap, a wide spread); the summary has said why. It
// exits with code 3 (README, "Exit codes").
var errUntrusted = errors.New("the estimate is not to be trusted")

// kernelPath is the kernel path every command runs on, which main reads
// from RGFLOW_KERNELS before it runs one (the fastest if unset); the
// commands hand it to the engine and the bench suites as a value.
var kernelPath kernels.Path

// kernelsFromEnv is the path RGFLOW_KERNELS names, or the fastest.
func kernelsFromEnv() (kernels.Path, error) {
	name := os.Getenv("RGFLOW_KERNELS")
	if name == "" {
		return kernels.Fastest(), nil
	}
	p, err := kernels.Lookup(name)
	if err != nil {
		return p, fmt.Errorf("RGFLOW_KERNELS: %v", err)
	}
	return p, nil
}

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

func main() {
	if len(os.Args) < 2 || os.Args[1] == "-h" || os.Args[1] == "--help" || os.Args[1] == "help" {
		usage()
		if len(os.Args) < 2 {
			os.Exit(2)
		}
		return
	}
	var err error
	if kernelPath, err = kernelsFromEnv(); err != nil {
		fmt.Fprintln(os.Stderr, "rgflow:", err)
		os.Exit(2)
	}
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	for _, c := range commands {
		if c.name == os.Args[1] {
			err := c.run(ctx, os.Args[2:])
			if errors.Is(err, errUsage) {
				os.Exit(2)
			}
			if errors.Is(err, errUntrusted) {
				stop()
				os.Exit(3)
			}
			if err != nil {
				fmt.Fprintf(os.Stderr, "rgflow %s: %v\n", c.name, err)
				stop()
				os.Exit(1)
			}
			return
		}
	}
	fmt.Fprintf(os.Stderr, "rgflow: unknown command %q\n", os.Args[1])
	usage()
	os.Exit(2)
}
