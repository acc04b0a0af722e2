package main

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"time"

	"github.com/rgflow/rgflow/engine"
	"github.com/rgflow/rgflow/internal/atomicfile"
	"github.com/rgflow/rgflow/internal/humanize"
	"github.com/rgflow/rgflow/reps"
)

// How a run ends once its last epoch is done: the read-out, then the
// results written all or none, then its checkpoint marked finished. Until
// then the trained state is never lost: a read-out that is interrupted or
// results that cannot be written leave it in the run's checkpoint (or,
// without one, a rescue checkpoint), and the error gives the command that
// writes the results from it (a resumed run whose checkpoint is not
// finished does the read-out again).

// writeAll writes a run's result files all or none (atomicfile.WriteAll);
// tests put a writer that fails as a full disk does in its place.
var writeAll = atomicfile.WriteAll

// keepState saves the trained state after its results could not be
// finished (why): to the run's checkpoint, or where that cannot be written
// or there is none, with rescue, to a rescue checkpoint beside the outputs
// or in the temporary directory. The error it returns says why, where the
// state is, and the command that writes the results from it. Without
// rescue (an interruption, which the user chose) a run without a
// checkpoint writes nothing, as an interrupted training does.
func keepState(tr *engine.Trainer, why string, rescue bool) error {
	ck, err := tr.Checkpoint()
	if err != nil {
		return fmt.Errorf("%s; the trained state could not be taken either (%v)", why, err)
	}
	ck.Finished = false
	var failed []string
	if path := tr.Cfg.Output.Checkpoint; path != "" {
		if err := ck.Save(path); err == nil {
			return stateKeptError(why, tr, path)
		} else {
			failed = append(failed, err.Error())
		}
	}
	if !rescue {
		if len(failed) > 0 {
			return fmt.Errorf("%s; the trained state could not be saved either (%s)", why, failed[0])
		}
		return fmt.Errorf("%s; nothing written (set -checkpoint to keep a run whose read-out is interrupted)", why)
	}
	o := tr.Cfg.Output
	dirs := []string{}
	for _, p := range []string{o.JSON, o.Plot, o.Checkpoint} {
		if p != "" && p != "-" {
			dirs = append(dirs, filepath.Dir(p))
		}
	}
	for _, dir := range append(dirs, ".", os.TempDir()) {
		f, err := os.CreateTemp(dir, "rgflow-rescue-*.ckpt")
		if err != nil {
			continue
		}
		name := filepath.Clean(f.Name())
		f.Close()
		if err := ck.Save(name); err != nil {
			os.Remove(name)
			failed = append(failed, err.Error())
			continue
		}
		return stateKeptError(why, tr, name)
	}
	return fmt.Errorf("%s; the trained state could not be saved anywhere either (%s)", why, strings.Join(failed, "; "))
}

// stateKeptError is keepState's error once the state is in path: the
// command continues the run, or, once its epochs are done, writes its
// results.
func stateKeptError(why string, tr *engine.Trainer, path string) error {
	ck, err := tr.Checkpoint()
	if err == nil && ck.Epoch < ck.Config.Epochs {
		return fmt.Errorf("%s; the state at epoch %d of %d is kept in %s, and %s continues the run", why, ck.Epoch, ck.Config.Epochs, path, resumeCommand(tr, path))
	}
	return fmt.Errorf("%s; the trained state is kept in %s, and %s writes the results", why, path, resumeCommand(tr, path))
}

// resumeCommand is the command line that resumes the run's checkpoint at
// path and writes its results: its plugin by path, and its -json and
// -plot.
func resumeCommand(tr *engine.Trainer, path string) string {
	args := []string{"rgflow", "train", "-resume", path}
	if src := tr.Rep.Source; src != reps.BuiltinSource {
		if abs, err := filepath.Abs(src); err == nil {
			src = abs
		}
		args = append(args, "-rep", "plugin:"+src)
	}
	if o := tr.Cfg.Output; o.JSON != "" {
		args = append(args, "-json", o.JSON)
	}
	if o := tr.Cfg.Output; o.Plot != "" {
		args = append(args, "-plot", o.Plot)
	}
	for i, a := range args {
		args[i] = shellWord(a)
	}
	return strings.Join(args, " ")
}

var plainWord = regexp.MustCompile(`^[A-Za-z0-9_./:+=,@%-]+$`)

// shellWord quotes a word for a POSIX shell where it needs it.
func shellWord(s string) string {
	if plainWord.MatchString(s) {
		return s
	}
	return "'" + strings.ReplaceAll(s, "'", `'\''`) + "'"
}

// markFinished records in the run's checkpoint that its results are
// written, so that resuming it is refused as a finished run; where that
// fails the results stand, and a resume would only do the read-out again.
func markFinished(tr *engine.Trainer) {
	path := tr.Cfg.Output.Checkpoint
	if path == "" {
		return
	}
	ck, err := tr.Checkpoint()
	if err == nil {
		ck.Finished = true
		err = ck.Save(path)
	}
	if err != nil {
		fmt.Fprintf(os.Stderr, "rgflow: note: the results are written, but the checkpoint could not be marked finished (%v); resuming it would do the read-out again\n", err)
	}
}

// exactFor is the -oracle and -v a run uses: a resumed run keeps its
// checkpoint's -oracle (the flag's for checkpoints older than its
// record), and a -oracle that contradicts it is refused, as any other
// setting that changes the outputs.
func (f *trainFlags) exactFor(ck *engine.Checkpoint) (exactOptions, error) {
	ex := f.exact()
	if ck == nil {
		return ex, nil
	}
	stored := ck.Options["oracle"]
	switch {
	case stored == "":
		return ex, nil
	case f.set["oracle"] && ex.mode != stored:
		return ex, fmt.Errorf("-resume %s: -oracle %s contradicts the checkpoint (its run has -oracle %s); leave it out (a resumed run keeps its checkpoint's settings)", *f.resume, ex.mode, stored)
	}
	ex.mode = stored
	return ex, nil
}

// noteWarmStart says, before it starts, that a warm start will take a
// while (more than a minute by the estimate), and that a signal stops it.
func noteWarmStart(cfg engine.Config, r *reps.Rep, resuming bool) {
	est := engine.EstimateResources(cfg, r.D, cfg.CouplingsFor(r.C()), 0)
	if resuming || est.WarmStartSeconds < 60 {
		return
	}
	fmt.Fprintf(os.Stderr, "rgflow: note: the warm start (warm_start = %q, %d points, %d steps of the fit) may take roughly %s before the first epoch (a rough estimate; Ctrl-C stops it)\n",
		cfg.WarmStart, cfg.WarmStartPoints, cfg.WarmStartEpochs, humanize.Duration(est.WarmStartSeconds))
}

// noteDuration says that a run will take more than ten minutes by the
// estimate: its epochs, its final read-out and, withOracle, the exact
// map's analysis.
func noteDuration(est engine.Resources, epochs int, withOracle bool, r *reps.Rep) {
	train := est.EpochSeconds * float64(epochs)
	after := est.ReadOutSeconds
	if withOracle {
		after += engine.OracleSeconds(r.D, r.C())
	}
	if train+after <= 600 {
		return
	}
	fmt.Fprintf(os.Stderr, "rgflow: note: this run may take roughly %s: %s of training (about %s an epoch) and %s of read-out%s (a rough estimate; the progress display measures the epochs)\n",
		humanize.Duration(train+after), humanize.Duration(train), humanize.Duration(est.EpochSeconds), humanize.Duration(after),
		map[bool]string{true: " with the exact map", false: ""}[withOracle])
}

// setUp makes a trainer apart (its warm start can take minutes, and one
// step of a large fit seconds), so that a signal ends the command within
// grace (at once on a second signal) even in the middle of such a step;
// the set-up itself stops soon after, at its next check of ctx.
func setUp(ctx context.Context, newTrainer func() (*engine.Trainer, error)) (*engine.Trainer, error) {
	type made struct {
		tr  *engine.Trainer
		err error
	}
	done := make(chan made, 1)
	go func() {
		tr, err := newTrainer()
		done <- made{tr, err}
	}()
	select {
	case m := <-done:
		return m.tr, m.err
	case <-ctx.Done():
	}
	select {
	case m := <-done:
		return m.tr, m.err
	case <-time.After(grace):
	case <-interrupt.hurry:
	}
	return nil, ctx.Err()
}
