// Command rgflow learns renormalization-group flows of Lieb-lattice Ising
// models with the Machine-Learning Renormalization Group algorithm.
//
//	rgflow train   [-config FILE] [-rep NAME] [-loss kl|cd] [-model flow|monotone] …
//	rgflow eval    -rep NAME -J "j1,…" -Jp "j1,…" [-json FILE|-]
//	rgflow oracle  -rep NAME [-json FILE|-]
//	rgflow flow    -checkpoint CK (-J "j1,…" | -axis) [-exact] [-json FILE|-]
//	rgflow config  [-rep NAME] [-preset P]
//	rgflow reps    [-plugins DIR]
//	rgflow bench   SUITE [flags]
//	rgflow version (or rgflow --version)
//
// RGFLOW_KERNELS pins the kernel paths: generic|avx2|avx512 runs every
// hot loop on that path (where it has one; generic otherwise), and
// ",KERNEL=PATH" entries pin single kernels ("avx2,catPair=generic",
// "catPair=generic"); unset, each kernel is chosen on its own
// (kernels/README.md, "Choosing the kernels"). rgflow version prints the
// choice.
//
// Every failure ends in one plain sentence on stderr and a non-zero exit
// code (README, "Exit codes"): 1 failure, 2 usage, 3 a completed run whose
// estimate is not to be trusted, 130 (143) interrupted by SIGINT (SIGTERM).
package main

import (
	"bytes"
	"context"
	"errors"
	"flag"
	"fmt"
	"os"
	"os/signal"
	"strings"
	"sync"
	"syscall"

	"github.com/rgflow/rgflow/internal/quote"
	"github.com/rgflow/rgflow/internal/suggest"
	"github.com/rgflow/rgflow/kernels"
)

type command struct {
	name, usage string
	run         func(ctx context.Context, args []string) error
}

var commands = []command{
	{"train", "learn the RG flow and estimate the critical point", runTrain},
	{"eval", "print KL(J, J′) and its gradient in J′", runEval},
	{"oracle", "fixed points of the exact variational map J ↦ argmin KL(J, ·)", runOracle},
	{"flow", "the trained map of a checkpoint at given couplings: J′, its Jacobian and eigenvalues", runFlow},
	{"config", "print the full default configuration as commented TOML", runConfig},
	{"reps", "list the representations rgflow knows", runReps},
	{"bench", "run a benchmark suite (epoch-time, bias-vs-dimension, kl-vs-cd, sweeps)", runBench},
	{"version", "print rgflow's version, the kernel path and the CPU features seen", runVersion},
}

func usage(w *os.File) {
	fmt.Fprintln(w, "usage: rgflow COMMAND [flags]\n\ncommands:")
	for _, c := range commands {
		fmt.Fprintf(w, "  %-8s %s\n", c.name, c.usage)
	}
	fmt.Fprintln(w, "\n'rgflow COMMAND -h' lists a command's flags; README.md lists the exit codes.")
}

// Exit codes (README, "Exit codes").
const (
	exitFailure   = 1
	exitUsage     = 2
	exitUntrusted = 3
)

// errHelp marks a -h that has printed the command's help (exit 0).
var errHelp = errors.New("help")

// usageError is a command line that cannot be parsed (exit 2).
type usageError struct{ msg string }

func (e *usageError) Error() string { return e.msg }

// errUntrusted marks a run that completed and wrote its results but whose
// verdict found its estimate not to be trusted (no critical fixed point, a
// large variational gap, a wide spread); the summary has said why. It
// exits with code 3 (README, "Exit codes").
var errUntrusted = errors.New("the estimate is not to be trusted")

// kernelPath is the kernel choice every command runs on, which main reads
// from RGFLOW_KERNELS before it runs one (unset: each kernel chosen on its
// own, calibrated where that cannot change a bit); the commands hand it
// to the engine and the bench suites as a value.
var kernelPath kernels.Path

// kernelsFromEnv is the choice RGFLOW_KERNELS pins, the kernels it leaves
// free calibrated (kernels.Calibrate).
func kernelsFromEnv() (kernels.Path, error) {
	p, err := kernels.Calibrate(os.Getenv("RGFLOW_KERNELS"))
	if err != nil {
		return p, fmt.Errorf("RGFLOW_KERNELS: %v", err)
	}
	return p, nil
}

// newFlags makes a command's flag set; parse reports its errors.
func newFlags(name string) *flag.FlagSet {
	fs := flag.NewFlagSet("rgflow "+name, flag.ContinueOnError)
	fs.Usage = func() {
		fmt.Fprintf(fs.Output(), "usage: rgflow %s [flags]\n\nflags:\n", name)
		fs.PrintDefaults()
	}
	return fs
}

// parse parses a command's flags. -h prints the help to standard output
// and ends in errHelp (exit 0); a bad flag is one line, a usageError
// (exit 2).
func parse(fs *flag.FlagSet, args []string) error {
	var buf bytes.Buffer
	fs.SetOutput(&buf)
	err := fs.Parse(args)
	fs.SetOutput(os.Stderr)
	switch {
	case errors.Is(err, flag.ErrHelp):
		fs.SetOutput(os.Stdout)
		fs.Usage()
		return errHelp
	case err != nil:
		return &usageError{fmt.Sprintf("%v%s ('%s -h' lists the flags)", err, flagHint(fs, err), fs.Name())}
	case fs.NArg() > 0:
		return &usageError{fmt.Sprintf("unexpected argument %s ('%s -h' lists the flags)", quote.Short(fs.Arg(0)), fs.Name())}
	}
	return nil
}

// flagHint is " (did you mean -NAME?)" for an unknown flag within two
// edits of one the command has, else "".
func flagHint(fs *flag.FlagSet, err error) string {
	name, ok := strings.CutPrefix(err.Error(), "flag provided but not defined: -")
	if !ok {
		return ""
	}
	var names []string
	fs.VisitAll(func(f *flag.Flag) { names = append(names, f.Name) })
	if s := suggest.Closest(strings.TrimLeft(name, "-"), names); s != "" {
		return fmt.Sprintf(" (did you mean -%s?)", s)
	}
	return ""
}

// interruption is how main hands signals to the commands: the first
// SIGINT or SIGTERM cancels the command's context (a command saves what
// it can and returns), a second one closes hurry (a command that is
// still waiting for a long computation stops waiting).
type interruption struct {
	mu    sync.Mutex
	sig   os.Signal
	hurry chan struct{}
	// waits says a command listens to hurry (train, to save the state at
	// the start of a long epoch); any other command exits at once on a
	// second signal.
	waits bool
}

// wait says that the command will act on hurry itself.
func (in *interruption) wait() {
	in.mu.Lock()
	defer in.mu.Unlock()
	in.waits = true
}

var interrupt = &interruption{hurry: make(chan struct{})}

// signal is the first signal received (nil if none).
func (in *interruption) signal() os.Signal {
	in.mu.Lock()
	defer in.mu.Unlock()
	return in.sig
}

// exitCode is 128 + the signal's number: 130 for SIGINT, 143 for SIGTERM.
func (in *interruption) exitCode() int {
	if s, ok := in.signal().(syscall.Signal); ok {
		return 128 + int(s)
	}
	return exitFailure
}

// listen cancels the context on the first signal and closes hurry on the
// second.
func (in *interruption) listen(cancel context.CancelFunc) {
	sigc := make(chan os.Signal, 2)
	signal.Notify(sigc, os.Interrupt, syscall.SIGTERM)
	go func() {
		s := <-sigc
		in.mu.Lock()
		in.sig = s
		in.mu.Unlock()
		cancel()
		<-sigc
		close(in.hurry)
		in.mu.Lock()
		waits := in.waits
		in.mu.Unlock()
		if !waits {
			fmt.Fprintf(os.Stderr, "rgflow: a second %v: stopped at once\n", s)
			os.Exit(in.exitCode())
		}
	}()
}

func main() {
	if len(os.Args) < 2 {
		usage(os.Stderr)
		os.Exit(exitUsage)
	}
	name, args := os.Args[1], os.Args[2:]
	switch name {
	case "-h", "-help", "--help":
		usage(os.Stdout)
		return
	case "-version", "--version":
		name = "version"
	case "help": // rgflow help [COMMAND]
		if len(args) == 0 {
			usage(os.Stdout)
			return
		}
		name, args = args[0], []string{"-h"}
	}
	var cmd *command
	for i := range commands {
		if commands[i].name == name {
			cmd = &commands[i]
		}
	}
	if cmd == nil {
		var names []string
		for _, c := range commands {
			names = append(names, c.name)
		}
		hint := ""
		if s := suggest.Closest(name, names); s != "" {
			hint = fmt.Sprintf(" (did you mean %s?)", s)
		}
		fmt.Fprintf(os.Stderr, "rgflow: unknown command %s%s ('rgflow -h' lists the commands)\n", quote.Short(name), hint)
		os.Exit(exitUsage)
	}
	var err error
	if kernelPath, err = kernelsFromEnv(); err != nil {
		fmt.Fprintln(os.Stderr, "rgflow:", err)
		os.Exit(exitUsage)
	}
	ctx, cancel := context.WithCancel(context.Background())
	interrupt.listen(cancel)
	err = cmd.run(ctx, args)
	cancel()
	if werr := stdout.failed(); werr != nil && (err == nil || errors.Is(err, errUntrusted)) {
		err = fmt.Errorf("cannot write the results to standard output: %v", werr)
	}
	var ue *usageError
	switch {
	case err == nil, errors.Is(err, errHelp):
		return
	case errors.Is(err, errUntrusted):
		os.Exit(exitUntrusted)
	case errors.As(err, &ue):
		fmt.Fprintf(os.Stderr, "rgflow %s: %s\n", cmd.name, quote.Message(err.Error()))
		os.Exit(exitUsage)
	}
	fmt.Fprintf(os.Stderr, "rgflow %s: %s\n", cmd.name, quote.Message(err.Error()))
	if interrupt.signal() != nil {
		os.Exit(interrupt.exitCode())
	}
	os.Exit(exitFailure)
}
