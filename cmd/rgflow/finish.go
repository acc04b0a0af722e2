package main

import (
	"fmt"
	"os"
	"path/filepath"
	"regexp"
	"strings"

	"rgflow/engine"
	"rgflow/internal/atomicfile"
	"rgflow/reps"
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
// finished (why): to the run's checkpoint, or where that cannot be
// written, to a rescue checkpoint beside the outputs or in the temporary
// directory. The error it returns says why, where the state is, and the
// command that writes the results from it.
func keepState(tr *engine.Trainer, why string) error {
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
		name := f.Name()
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

// stateKeptError is keepState's error once the state is in path.
func stateKeptError(why string, tr *engine.Trainer, path string) error {
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

// oracleMode is the -oracle a run uses: a resumed run keeps its
// checkpoint's (auto for checkpoints older than the option's record), and
// a -oracle that contradicts it is refused, as any other setting that
// changes the outputs.
func (f *trainFlags) oracleMode(ck *engine.Checkpoint) (string, error) {
	mode := *f.oracle
	if ck == nil {
		return mode, nil
	}
	stored := ck.Options["oracle"]
	switch {
	case stored == "":
		return mode, nil
	case f.set["oracle"] && mode != stored:
		return "", fmt.Errorf("-resume %s: -oracle %s contradicts the checkpoint (its run has -oracle %s); leave it out (a resumed run keeps its checkpoint's settings)", *f.resume, mode, stored)
	}
	return stored, nil
}
