package main

// The cases of the second reliability round (docs: README, "Checkpoints,
// interruption and resuming"): inputs that are not files, outputs that
// name inputs, damaged checkpoints, signals at awkward moments, two
// processes at once. Each ends in one sentence, a non-zero exit, promptly,
// with nothing half-written and nothing good overwritten.

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/rgflow/rgflow/bench"
	"github.com/rgflow/rgflow/engine"
	"github.com/rgflow/rgflow/internal/atomicfile"
	"github.com/rgflow/rgflow/internal/filelock"
	"github.com/rgflow/rgflow/reps"
)

// runFor is run with a time limit: a command still running after limit
// is killed and reported as exit code -1, so that a hang fails the test
// instead of stalling it.
func runFor(t *testing.T, limit time.Duration, dir string, args ...string) (string, string, int) {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), limit)
	defer cancel()
	cmd := exec.CommandContext(ctx, binary, args...)
	cmd.Dir = dir
	cmd.Env = append(os.Environ(), "RGFLOW_PLUGINS="+t.TempDir())
	var out, errb strings.Builder
	cmd.Stdout, cmd.Stderr = &out, &errb
	err := cmd.Run()
	if ctx.Err() != nil {
		return out.String(), errb.String() + "(killed after " + limit.String() + ")", -1
	}
	if ee, ok := err.(*exec.ExitError); ok {
		return out.String(), errb.String(), ee.ExitCode()
	} else if err != nil {
		t.Fatal(err)
	}
	return out.String(), errb.String(), 0
}

// oneSentence fails unless stderr is one line that contains want.
func oneSentence(t *testing.T, what, stderr, want string) {
	t.Helper()
	if !strings.Contains(stderr, want) {
		t.Errorf("%s: stderr %q does not contain %q", what, stderr, want)
	}
	if n := strings.Count(strings.TrimSpace(stderr), "\n"); n > 0 {
		t.Errorf("%s: %d lines on stderr, want one: %q", what, n+1, stderr)
	}
}

// An input that is a named pipe without a writer, a device that never
// ends or a directory is refused at once with a sentence, never read.
func TestInputsThatAreNotFiles(t *testing.T) {
	dir := t.TempDir()
	fifo := filepath.Join(dir, "fifo")
	if err := syscall.Mkfifo(fifo, 0o644); err != nil {
		t.Skipf("no named pipes here: %v", err)
	}
	for _, tc := range []struct {
		args []string
		want string
	}{
		{[]string{"train", "-config", "/dev/zero"}, "cannot read config: /dev/zero is a device, not a regular file"},
		{[]string{"train", "-resume", "/dev/zero"}, "cannot read checkpoint: /dev/zero is a device, not a regular file"},
		{[]string{"train", "-config", fifo}, "fifo is a named pipe (FIFO), not a regular file"},
		{[]string{"train", "-resume", fifo}, "fifo is a named pipe (FIFO), not a regular file"},
		{[]string{"train", "-resume", dir}, "is a directory, not a file"},
		{[]string{"bench", "kl-vs-cd", "-quick", "-config", fifo, "-out", filepath.Join(dir, "b")}, "fifo is a named pipe (FIFO), not a regular file"},
	} {
		_, stderr, code := runFor(t, 5*time.Second, dir, tc.args...)
		if code != 1 {
			t.Errorf("%v: exit %d, want 1", tc.args, code)
		}
		oneSentence(t, strings.Join(tc.args, " "), stderr, tc.want)
	}
	if _, err := os.Stat(filepath.Join(dir, "b")); err == nil {
		t.Error("bench made its results directory for a configuration it could not read")
	}
}

// A checkpoint whose saved root has the wrong length (resealed, as a bug
// or a careful edit would leave it), with a negative elapsed time, or with
// one changed digit is refused in one sentence naming what is wrong,
// before any epoch; none of them panics or resumes.
func TestDamagedCheckpointIsOneSentence(t *testing.T) {
	dir := t.TempDir()
	ck := filepath.Join(dir, "run.ckpt")
	if _, stderr, code := run(t, dir, "train", "-epochs", "40", "-quiet", "-oracle", "off", "-checkpoint", ck); code != 0 && code != 3 {
		t.Fatalf("exit %d: %s", code, stderr)
	}
	good, err := engine.LoadCheckpoint(ck)
	if err != nil {
		t.Fatal(err)
	}
	data, err := os.ReadFile(ck)
	if err != nil {
		t.Fatal(err)
	}
	write := func(name string, damage func(*engine.Checkpoint)) string {
		c := *good
		damage(&c)
		p := filepath.Join(dir, name)
		if err := c.Save(p); err != nil {
			t.Fatal(err)
		}
		return p
	}
	digit := filepath.Join(dir, "digit.ckpt")
	i := strings.Index(string(data), `"params":[`) + len(`"params":[`)
	for data[i] < '0' || data[i] > '9' {
		i++
	}
	changed := []byte(string(data))
	changed[i] = '0' + (changed[i]-'0'+1)%10
	if err := os.WriteFile(digit, changed, 0o644); err != nil {
		t.Fatal(err)
	}
	for _, tc := range []struct {
		path, want string
	}{
		{write("empty-root.ckpt", func(c *engine.Checkpoint) { c.LastRoot = []float64{} }), `the checkpoint's "last_root" has 0 numbers`},
		{write("two-roots.ckpt", func(c *engine.Checkpoint) { c.LastRoot = []float64{0.8, 0.1} }), `the checkpoint's "last_root" has 2 numbers`},
		{write("elapsed.ckpt", func(c *engine.Checkpoint) { c.ElapsedNs = -1e9 }), `the checkpoint's "elapsed_ns" is -1000000000, a negative time`},
		{digit, "checksum does not match"},
	} {
		_, stderr, code := runFor(t, 30*time.Second, dir, "train", "-resume", tc.path, "-epochs", "60", "-quiet", "-oracle", "off", "-json", "out.json")
		if code != 1 {
			t.Errorf("%s: exit %d, want 1", filepath.Base(tc.path), code)
		}
		oneSentence(t, filepath.Base(tc.path), stderr, tc.want)
		if _, err := os.Stat(filepath.Join(dir, "out.json")); err == nil {
			t.Fatalf("%s: a result was written", filepath.Base(tc.path))
		}
	}
}

// An output never names an input, under any spelling (./, a hard or a
// symbolic link), in any command; an output that exists as a device or a
// named pipe is refused rather than replaced. The inputs stay as they
// were.
func TestOutputNeverNamesAnInput(t *testing.T) {
	dir := t.TempDir()
	const exp = "epochs = 5\n"
	write := func(name, content string) string {
		p := filepath.Join(dir, name)
		if err := os.WriteFile(p, []byte(content), 0o644); err != nil {
			t.Fatal(err)
		}
		return p
	}
	write("exp.toml", exp)
	if err := os.Link(filepath.Join(dir, "exp.toml"), filepath.Join(dir, "hard.toml")); err != nil {
		t.Fatal(err)
	}
	if err := os.Symlink("exp.toml", filepath.Join(dir, "sym.toml")); err != nil {
		t.Fatal(err)
	}
	if err := os.Mkdir(filepath.Join(dir, "res"), 0o755); err != nil {
		t.Fatal(err)
	}
	write("res/bench.toml", "")
	if _, stderr, code := run(t, dir, "train", "-epochs", "20", "-quiet", "-oracle", "off", "-checkpoint", "run.ckpt"); code != 0 && code != 3 {
		t.Fatalf("exit %d: %s", code, stderr)
	}
	ckpt, _ := os.ReadFile(filepath.Join(dir, "run.ckpt"))
	fifo := filepath.Join(dir, "fifo.json")
	if err := syscall.Mkfifo(fifo, 0o644); err != nil {
		t.Fatal(err)
	}
	quick := []string{"-quiet", "-oracle", "off"}
	for _, tc := range []struct {
		args []string
		want string
	}{
		{append([]string{"train", "-config", "exp.toml", "-json", "exp.toml"}, quick...), "-json exp.toml names the input -config exp.toml"},
		{append([]string{"train", "-config", "exp.toml", "-checkpoint", "./exp.toml"}, quick...), "-checkpoint ./exp.toml names the input -config exp.toml"},
		{append([]string{"train", "-config", "exp.toml", "-json", "hard.toml"}, quick...), "-json hard.toml names the input -config exp.toml"},
		{append([]string{"train", "-config", "sym.toml", "-json", "exp.toml"}, quick...), "-json exp.toml names the input -config sym.toml"},
		{append([]string{"train", "-config", write("out.toml", "[output]\njson = \"out.toml\"\n")}, quick...), "-json out.toml names the input -config"},
		{append([]string{"train", "-resume", "run.ckpt", "-epochs", "40", "-json", "run.ckpt"}, quick...), "-json run.ckpt names the input -resume run.ckpt"},
		{append([]string{"train", "-epochs", "5", "-json", "/dev/null"}, quick...), "-json /dev/null is a device, not a file"},
		{append([]string{"train", "-epochs", "5", "-json", fifo}, quick...), "fifo.json is a named pipe, not a file"},
		{[]string{"bench", "kl-vs-cd", "-quick", "-config", "res/bench.toml", "-out", "res"}, "-config res/bench.toml lies in the results directory -out res"},
	} {
		_, stderr, code := runFor(t, 30*time.Second, dir, tc.args...)
		if code != 1 {
			t.Errorf("%v: exit %d, want 1", tc.args, code)
		}
		oneSentence(t, strings.Join(tc.args, " "), stderr, tc.want)
	}
	if got, _ := os.ReadFile(filepath.Join(dir, "exp.toml")); string(got) != exp {
		t.Errorf("the experiment file now holds %.80q", got)
	}
	if got, _ := os.ReadFile(filepath.Join(dir, "run.ckpt")); string(got) != string(ckpt) {
		t.Error("the checkpoint resumed from was overwritten")
	}
	if fi, err := os.Lstat(filepath.Join(dir, "sym.toml")); err != nil || fi.Mode()&os.ModeSymlink == 0 {
		t.Error("the symbolic link is no longer one")
	}
}

// Two processes on one checkpoint or one results directory: the second
// is refused at once in a sentence naming the first (pid, host, since
// when), and writes nothing; the first runs on undisturbed, and once it
// has ended the lock is gone.
func TestTwoProcessesAtOnce(t *testing.T) {
	dir := t.TempDir()
	ck := filepath.Join(dir, "run.ckpt")
	first, _ := start(t, dir, "train", "-epochs", "1000000", "-quiet", "-oracle", "off", "-checkpoint", ck, "-checkpoint-every", "100")
	waitForEpoch(t, ck, 100)
	pid := fmt.Sprintf("pid %d on ", first.Process.Pid)
	for _, args := range [][]string{
		{"train", "-resume", ck, "-quiet", "-oracle", "off"},
		{"train", "-resume", ck, "-checkpoint", filepath.Join(dir, "other.ckpt"), "-quiet", "-oracle", "off"},
		{"train", "-epochs", "10", "-checkpoint", ck, "-quiet", "-oracle", "off"},
	} {
		_, stderr, code := runFor(t, 20*time.Second, dir, args...)
		if code != 1 {
			t.Errorf("%v: exit %d, want 1", args, code)
		}
		oneSentence(t, strings.Join(args, " "), stderr, "the checkpoint "+ck+" is in use by another rgflow: "+pid)
	}
	if _, err := os.Stat(filepath.Join(dir, "other.ckpt")); err == nil {
		t.Error("the refused run wrote its checkpoint")
	}
	first.Process.Signal(syscall.SIGTERM)
	if code := exitCode(t, first); code != 143 {
		t.Fatalf("the first run: exit %d after SIGTERM", code)
	}
	if _, err := os.Stat(ck + ".lock"); !errors.Is(err, os.ErrNotExist) {
		t.Errorf("the lock file stays after the run (%v)", err)
	}

	// a results directory held by another process (this test)
	res := filepath.Join(dir, "res")
	if _, stderr, code := run(t, dir, "bench", "kl-vs-cd", "-quick", "-quiet", "-out", res); code != 0 && code != 3 {
		t.Fatalf("bench: exit %d: %s", code, stderr)
	}
	journal, _ := os.ReadFile(filepath.Join(res, bench.JournalFile))
	lock, err := filelock.Acquire(filepath.Join(res, bench.LockFile), "the results directory "+res)
	if err != nil {
		t.Fatal(err)
	}
	defer lock.Release()
	_, stderr, code := runFor(t, 20*time.Second, dir, "bench", "kl-vs-cd", "-quick", "-quiet", "-resume", "-retry-failed", "-out", res)
	if code != 1 {
		t.Errorf("a second bench: exit %d, want 1", code)
	}
	oneSentence(t, "a second bench", stderr, fmt.Sprintf("the results directory %s is in use by another rgflow: pid %d on ", res, os.Getpid()))
	if now, _ := os.ReadFile(filepath.Join(res, bench.JournalFile)); string(now) != string(journal) {
		t.Error("the refused bench changed the journal")
	}
}

// Bad values get a sentence in the user's terms that names the key that
// is wrong: no Go type (preset = 5), not another key (a tiny
// input_scale was blamed on lr and dt), never hundreds of kilobytes (an
// input 100,000 characters long is shown by its first 60); and a bench
// -task that is no task is refused instead of running the whole suite.
func TestClearMessages(t *testing.T) {
	dir := t.TempDir()
	write := func(name, content string) string {
		p := filepath.Join(dir, name)
		if err := os.WriteFile(p, []byte(content), 0o644); err != nil {
			t.Fatal(err)
		}
		return p
	}
	long := strings.Repeat("x", 100000)
	for _, tc := range []struct {
		args []string
		want string
	}{
		{[]string{"train", "-config", write("p.toml", "preset = 5\n")}, "preset: expected a string, got 5 (line 1, column 10)"},
		{[]string{"bench", "kl-vs-cd", "-quick", "-config", write("p.toml", "preset = 5\n")}, "preset: expected a string, got 5"},
		{[]string{"train", "-config", write("s.toml", "[network]\ninput_scale = 5e-324\n")}, "network.input_scale must be a number from 0.001 to 100 (got 5e-324)"},
		{[]string{"train", "-rep", long}, `unknown representation "` + long[:60] + `"…`},
		{[]string{"train", "-rep", "plugin:" + long}, "no plugin rgflow-rep-"},
		{[]string{"train", "-loss", long}, `(got "` + long[:60] + `"…)`},
		{[]string{"train", "-epochs", long}, `invalid value "` + long[:60] + `"…`},
		{[]string{"train", "-config", write("k.toml", long+" = 1\n")}, `unknown key "` + long[:60] + `"…`},
		{[]string{"bench", "kl-vs-cd", "-quick", "-task", "-5", "-out", filepath.Join(dir, "b")}, "-task must be the index of an array task, 0 or more (got -5)"},
	} {
		_, stderr, code := runFor(t, 20*time.Second, dir, tc.args...)
		what := fmt.Sprintf("%.80v", tc.args)
		if code == 0 {
			t.Errorf("%s: exit 0", what)
		}
		oneSentence(t, what, stderr, tc.want)
		for _, bad := range []string{"struct", "Go value", "optimizer.lr", "panic"} {
			if strings.Contains(stderr, bad) {
				t.Errorf("%s: %q in %q", what, bad, stderr)
			}
		}
		if len(stderr) > 400 {
			t.Errorf("%s: a message of %d bytes", what, len(stderr))
		}
	}
	if _, err := os.Stat(filepath.Join(dir, "b")); err == nil {
		t.Error("bench -task -5 ran the suite")
	}
}

// trained is a short A1 run, trained to its end, writing into dir.
func trained(t *testing.T, dir string, out engine.OutputConfig) *engine.Trainer {
	t.Helper()
	rep, err := reps.Builtin("A1")
	if err != nil {
		t.Fatal(err)
	}
	cfg := engine.DefaultConfig()
	cfg.Epochs, cfg.Output = 30, out
	tr, err := engine.NewTrainer(cfg, rep)
	if err != nil {
		t.Fatal(err)
	}
	if err := tr.Run(context.Background(), nil, nil); err != nil {
		t.Fatal(err)
	}
	tr.Options = map[string]string{"oracle": "off"}
	return tr
}

// A final write that fails (a full disk, as the writer reports it) never
// loses the trained state: it stays in the run's checkpoint, not marked
// finished, or without one in a rescue checkpoint beside the outputs, and
// the message gives the command that writes the results from it, which
// then does the read-out again and writes what the uninterrupted run
// would have.
func TestFinalWriteFailureKeepsTheState(t *testing.T) {
	dir := t.TempDir()
	full := func(files []atomicfile.File) error {
		return fmt.Errorf("cannot write %s: write %s: no space left on device", files[0].Path, files[0].Path)
	}
	defer func(w func([]atomicfile.File) error) { writeAll = w }(writeAll)
	writeAll = full
	ck, js := filepath.Join(dir, "run.ckpt"), filepath.Join(dir, "s.json")
	tr := trained(t, dir, engine.OutputConfig{JSON: js, Checkpoint: ck})
	err := writeResults(context.Background(), tr, exactOptions{mode: "off"})
	want := fmt.Sprintf("no space left on device; the trained state is kept in %s, and rgflow train -resume %s -json %s writes the results", ck, ck, js)
	if err == nil || !strings.HasSuffix(err.Error(), want) {
		t.Fatalf("a full disk: %v\nwant …%s", err, want)
	}
	if _, err := os.Stat(js); err == nil {
		t.Fatal("a result was written")
	}
	kept, err := engine.LoadCheckpoint(ck)
	if err != nil || kept.Epoch != 30 || kept.Finished || kept.Options["oracle"] != "off" {
		t.Fatalf("the checkpoint kept: %v, epoch %d, finished %v, options %v", err, kept.Epoch, kept.Finished, kept.Options)
	}
	// without a checkpoint: a rescue checkpoint beside the outputs
	tr = trained(t, dir, engine.OutputConfig{JSON: js})
	err = writeResults(context.Background(), tr, exactOptions{mode: "off"})
	rescue, _ := filepath.Glob(filepath.Join(dir, "rgflow-rescue-*.ckpt"))
	if len(rescue) != 1 || err == nil || !strings.Contains(err.Error(), "the trained state is kept in "+rescue[0]) {
		t.Fatalf("a full disk without a checkpoint: %v (rescue files %v)", err, rescue)
	}
	// the command the message gives writes the results; they are the
	// uninterrupted run's
	writeAll = atomicfile.WriteAll
	if _, stderr, code := run(t, dir, "train", "-resume", ck, "-json", js, "-quiet"); code != 0 && code != 3 {
		t.Fatalf("the recovery command: exit %d: %s", code, stderr)
	}
	if _, stderr, code := run(t, dir, "train", "-epochs", "30", "-oracle", "off", "-quiet", "-json", "ref.json"); code != 0 && code != 3 {
		t.Fatalf("the reference run: exit %d: %s", code, stderr)
	}
	if withoutTiming(t, js) != withoutTiming(t, filepath.Join(dir, "ref.json")) {
		t.Error("the results written from the kept state differ from the uninterrupted run's")
	}
	if done, _ := engine.LoadCheckpoint(ck); done == nil || !done.Finished {
		t.Error("the checkpoint is not marked finished once its results are written")
	}
	_, stderr, code := run(t, dir, "train", "-resume", ck, "-quiet")
	if code != 1 || !strings.Contains(stderr, "the checkpoint's run is finished") {
		t.Errorf("resuming the finished run: exit %d, %q", code, stderr)
	}
}

// waitForText waits until the file at path contains want.
func waitForText(t *testing.T, path, want string, limit time.Duration) {
	t.Helper()
	deadline := time.Now().Add(limit)
	for time.Now().Before(deadline) {
		if data, _ := os.ReadFile(path); strings.Contains(string(data), want) {
			return
		}
		time.Sleep(10 * time.Millisecond)
	}
	data, _ := os.ReadFile(path)
	t.Fatalf("%q never appeared in %s: %q", want, path, data)
}

// signalled sends SIGTERM and returns the exit code and how long the
// process took to end.
func signalled(t *testing.T, cmd *exec.Cmd) (int, time.Duration) {
	t.Helper()
	begin := time.Now()
	cmd.Process.Signal(syscall.SIGTERM)
	return exitCode(t, cmd), time.Since(begin)
}

// A run started with -oracle off and resumed without the flag writes what
// the uninterrupted run wrote (the checkpoint keeps the setting; the
// resumed run added the exact map's values); a contradicting -oracle is
// refused.
func TestResumeKeepsOracleOff(t *testing.T) {
	dir := t.TempDir()
	args := []string{"-epochs", "2000", "-quiet", "-oracle", "off"}
	if _, stderr, code := run(t, dir, append([]string{"train", "-json", "ref.json"}, args...)...); code != 0 && code != 3 {
		t.Fatalf("reference run: exit %d: %s", code, stderr)
	}
	ck := filepath.Join(dir, "run.ckpt")
	cmd, _ := start(t, dir, append([]string{"train", "-checkpoint", ck, "-checkpoint-every", "50"}, args...)...)
	waitForEpoch(t, ck, 100)
	if code, _ := signalled(t, cmd); code != 143 {
		t.Fatalf("SIGTERM: exit %d", code)
	}
	_, stderr, code := run(t, dir, "train", "-resume", ck, "-oracle", "on", "-quiet")
	if code != 1 {
		t.Errorf("-resume with -oracle on: exit %d", code)
	}
	oneSentence(t, "-resume with -oracle on", stderr, "-oracle on contradicts the checkpoint (its run has -oracle off)")
	if _, stderr, code := run(t, dir, "train", "-resume", ck, "-quiet", "-json", "resumed.json"); code != 0 && code != 3 {
		t.Fatalf("resume: exit %d: %s", code, stderr)
	}
	if withoutTiming(t, filepath.Join(dir, "ref.json")) != withoutTiming(t, filepath.Join(dir, "resumed.json")) {
		t.Error("the resumed run without -oracle wrote other results than the uninterrupted run with -oracle off")
	}
}

// SIGTERM during the final read-out (here the exact map's side of it)
// ends the run within 3 seconds, writes no result, and leaves the
// checkpoint at its last epoch but not finished; the command the message
// gives does the read-out again and writes the results of the
// uninterrupted run.
func TestSignalDuringReadOut(t *testing.T) {
	dir := t.TempDir()
	args := []string{"-rep", "A1+E", "-epochs", "20", "-trajectories", "8", "-oracle", "on"}
	if _, stderr, code := run(t, dir, append([]string{"train", "-quiet", "-json", "ref.json"}, args...)...); code != 0 && code != 3 {
		t.Fatalf("reference run: exit %d: %s", code, stderr)
	}
	ck, js := filepath.Join(dir, "run.ckpt"), filepath.Join(dir, "s.json")
	cmd, errPath := start(t, dir, append([]string{"train", "-v", "-checkpoint", ck, "-json", js}, args...)...)
	waitForText(t, errPath, "rgflow: exact map:", 60*time.Second) // -v prints its progress
	code, took := signalled(t, cmd)
	if code != 143 || took > 3*time.Second {
		t.Fatalf("SIGTERM during the read-out: exit %d after %v", code, took)
	}
	msg, _ := os.ReadFile(errPath)
	want := fmt.Sprintf("interrupted during the final read-out; the trained state is kept in %s, and rgflow train -resume %s -json %s writes the results", ck, ck, js)
	if !strings.Contains(string(msg), want) {
		t.Errorf("the message: %q\nwant %q", msg, want)
	}
	if _, err := os.Stat(js); err == nil {
		t.Error("an interrupted read-out wrote results")
	}
	if kept, err := engine.LoadCheckpoint(ck); err != nil || kept.Epoch != 20 || kept.Finished {
		t.Fatalf("the checkpoint: %v, finished %v", err, kept != nil && kept.Finished)
	}
	if _, stderr, code := run(t, dir, "train", "-resume", ck, "-json", js, "-quiet"); code != 0 && code != 3 {
		t.Fatalf("the recovery command: exit %d: %s", code, stderr)
	}
	if withoutTiming(t, js) != withoutTiming(t, filepath.Join(dir, "ref.json")) {
		t.Error("the results of the resumed read-out differ from the uninterrupted run's")
	}
}

// smallFS mounts a tmpfs of the given size for the test, or skips where
// that is not allowed (it needs root; TestFinalWriteFailureKeepsTheState
// covers the same path through the writer).
func smallFS(t *testing.T, size string) string {
	t.Helper()
	dir := t.TempDir()
	if err := syscall.Mount("tmpfs", dir, "tmpfs", 0, "size="+size); err != nil {
		t.Skipf("SKIPPED: cannot mount a small tmpfs here (%v)", err)
	}
	t.Cleanup(func() { syscall.Unmount(dir, syscall.MNT_DETACH) })
	return dir
}

// fill writes a file into dir until its file system is full.
func fill(t *testing.T, dir string) string {
	t.Helper()
	path := filepath.Join(dir, "filler")
	f, err := os.Create(path)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	block := make([]byte, 4096)
	for {
		if _, err := f.Write(block); err != nil {
			return path
		}
	}
}

// On a real file system that is full: a -json there is refused before
// the first epoch; a disk that fills up during training costs nothing of
// the trained state, which the command the message gives turns into the
// results once there is room again.
func TestFullDisk(t *testing.T) {
	dir := t.TempDir()
	mnt := smallFS(t, "8m")
	filler := fill(t, mnt)
	js := filepath.Join(mnt, "s.json")
	_, stderr, code := runFor(t, 20*time.Second, dir, "train", "-epochs", "3000", "-oracle", "off", "-json", js)
	if code != 1 || strings.Contains(stderr, "epoch 1/") {
		t.Errorf("a full disk under -json: exit %d, %q", code, stderr)
	}
	oneSentence(t, "a full disk under -json", stderr, "-json "+js+" cannot be written: "+mnt+" lacks room for its")
	os.Remove(filler)

	ck := filepath.Join(dir, "run.ckpt")
	cmd, errPath := start(t, dir, "train", "-epochs", "20000", "-oracle", "off", "-quiet", "-json", js, "-checkpoint", ck, "-checkpoint-every", "1000")
	waitForEpoch(t, ck, 1000)
	filler = fill(t, mnt)
	if code := exitCode(t, cmd); code != 1 && code != 3 {
		t.Fatalf("exit %d", code)
	}
	msg, _ := os.ReadFile(errPath)
	want := fmt.Sprintf("no space left on device; the trained state is kept in %s, and rgflow train -resume %s -json %s writes the results", ck, ck, js)
	if !strings.Contains(string(msg), want) {
		t.Fatalf("the message: %q\nwant %q", msg, want)
	}
	if entries, _ := os.ReadDir(mnt); len(entries) != 1 {
		t.Errorf("the full disk holds %d files, want the filler alone", len(entries))
	}
	os.Remove(filler)
	if _, stderr, code := run(t, dir, "train", "-resume", ck, "-json", js, "-quiet"); code != 0 && code != 3 {
		t.Fatalf("the recovery command: exit %d: %s", code, stderr)
	}
	if _, err := os.Stat(js); err != nil {
		t.Errorf("the recovery command wrote no results: %v", err)
	}

	// the checkpoint's own disk fills: the state goes to a rescue
	// checkpoint beside the results, and the run continues from there
	ck = filepath.Join(mnt, "run.ckpt")
	cmd, errPath = start(t, dir, "train", "-epochs", "50000", "-oracle", "off", "-quiet", "-json", "s.json", "-checkpoint", ck, "-checkpoint-every", "500")
	waitForEpoch(t, ck, 1000)
	filler = fill(t, mnt)
	if code := exitCode(t, cmd); code != 1 {
		t.Fatalf("a full disk under -checkpoint: exit %d", code)
	}
	msg, _ = os.ReadFile(errPath)
	rescue, _ := filepath.Glob(filepath.Join(dir, "rgflow-rescue-*.ckpt"))
	if len(rescue) != 1 || !strings.Contains(string(msg), "no space left on device; the state at epoch ") ||
		!strings.Contains(string(msg), "is kept in "+filepath.Base(rescue[0])+", and rgflow train -resume "+filepath.Base(rescue[0])+" -json s.json continues the run") {
		t.Fatalf("a full disk under -checkpoint: %q (rescue files %v)", msg, rescue)
	}
	if kept, err := engine.LoadCheckpoint(rescue[0]); err != nil || kept.Epoch < 1000 {
		t.Errorf("the rescue checkpoint: %v", err)
	}
	os.Remove(filler)
}

// Every long phase stops within 3 seconds of SIGTERM, with exit code 143,
// a sentence, and nothing written: the warm start (a huge exact-map fit,
// and the default fit for A1+E), the exact map's gauge group and analysis
// for large representations, a plugin that never answers (and the child
// it started).
func TestSignalStopsEveryLongPhase(t *testing.T) {
	dir := t.TempDir()
	write := func(name, content string) string {
		p := filepath.Join(dir, name)
		if err := os.WriteFile(p, []byte(content), 0o755); err != nil {
			t.Fatal(err)
		}
		return p
	}
	huge := write("warm.toml", "warm_start = \"exact-map\"\nwarm_start_points = 100000\nwarm_start_epochs = 1000000\n")
	pidFile := filepath.Join(dir, "child.pid")
	hang := write("rgflow-rep-hang", "#!/bin/sh\nsleep 600 &\necho $! > "+pidFile+"\nexec sleep 600\n")
	for _, tc := range []struct {
		args []string
		want string
	}{
		{[]string{"train", "-config", huge, "-epochs", "10", "-json", "out.json"}, "interrupted during the warm start"},
		{[]string{"train", "-rep", "A1+E", "-warm-start", "exact-map", "-epochs", "10", "-json", "out.json"}, "interrupted during the warm start"},
		{[]string{"oracle", "-rep", "4A1", "-json", "out.json"}, "interrupted after"},
		{[]string{"oracle", "-rep", "3A1+E", "-json", "out.json"}, "interrupted after"},
		{[]string{"train", "-rep", "plugin:" + hang, "-epochs", "10", "-json", "out.json"}, "was killed because loading it was cancelled"},
	} {
		cmd, errPath := start(t, dir, tc.args...)
		time.Sleep(time.Second)
		code, took := signalled(t, cmd)
		msg, _ := os.ReadFile(errPath)
		lines := strings.Split(strings.TrimSpace(string(msg)), "\n")
		if code != 143 || took > 3*time.Second || !strings.Contains(lines[len(lines)-1], tc.want) {
			t.Errorf("%.80v: exit %d %v after SIGTERM, last line %q; want 143 within 3 s and %q", tc.args, code, took.Round(time.Millisecond), lines[len(lines)-1], tc.want)
		}
		if _, err := os.Stat(filepath.Join(dir, "out.json")); err == nil {
			t.Fatalf("%.80v: a result was written", tc.args)
		}
	}
	if data, err := os.ReadFile(pidFile); err == nil {
		pid, _ := strconv.Atoi(strings.TrimSpace(string(data)))
		time.Sleep(100 * time.Millisecond)
		if stat, err := os.ReadFile(fmt.Sprintf("/proc/%d/stat", pid)); err == nil && !strings.Contains(string(stat), ") Z ") {
			t.Errorf("the child the plugin started (%d) outlived rgflow", pid)
			syscall.Kill(pid, syscall.SIGKILL)
		}
	}
}

// eval's KL is never negative, inside the documented limits of the
// couplings: where the blocks nearly agree at |J| between 10³ and 10⁶ it
// is zero to the resolution of float64 at the couplings' scale (it printed
// −7e-10 at 10³ and −2e-4 at 10⁶); TestKLPreciseAgainstHighPrecision
// (engine) checks its digits against a 256-bit brute force.
func TestEvalKLIsNeverNegative(t *testing.T) {
	for _, tc := range []struct{ rep, J, Jp string }{
		{"A1", "1000", "1000"}, {"A1", "1e6", "1e6"}, {"A1", "-1e5", "-1e5"}, {"A1", "1000", "999.9"},
		{"A1+E", "1e6,0,0,0,0", "1e6,0,0,0,0"}, {"A1+E", "1000,0,0,0,0", "1000,0,0,0,0"},
	} {
		out, stderr, code := run(t, t.TempDir(), "eval", "-rep", tc.rep, "-J", tc.J, "-Jp", tc.Jp, "-json", "-")
		var r struct{ KL float64 }
		if code != 0 || json.Unmarshal([]byte(out), &r) != nil {
			t.Fatalf("eval %s %s %s: exit %d, %s", tc.rep, tc.J, tc.Jp, code, stderr)
		}
		if !(r.KL >= 0 && r.KL < 1e-8) {
			t.Errorf("eval -rep %s -J %s -Jp %s: KL %v, want 0 to the couplings' resolution", tc.rep, tc.J, tc.Jp, r.KL)
		}
	}
}

// A result printed to a standard output that cannot take it (/dev/full)
// is an error, not exit code 0 with the result lost.
func TestResultsToAFullStdout(t *testing.T) {
	full, err := os.OpenFile("/dev/full", os.O_WRONLY, 0)
	if err != nil {
		t.Skipf("no /dev/full here: %v", err)
	}
	defer full.Close()
	for _, args := range [][]string{
		{"eval", "-J", "0.8", "-Jp", "0.9"},
		{"eval", "-J", "0.8", "-Jp", "0.9", "-json", "-"},
		{"oracle", "-rep", "A1", "-quiet"},
		{"train", "-epochs", "20", "-quiet", "-oracle", "off"},
	} {
		cmd := exec.Command(binary, args...)
		cmd.Dir, cmd.Stdout = t.TempDir(), full
		cmd.Env = append(os.Environ(), "RGFLOW_PLUGINS="+t.TempDir())
		var errb strings.Builder
		cmd.Stderr = &errb
		err := cmd.Run()
		ee, ok := err.(*exec.ExitError)
		if !ok || ee.ExitCode() != 1 {
			t.Errorf("%v > /dev/full: %v", args, err)
		}
		lines := strings.Split(strings.TrimSpace(errb.String()), "\n")
		if last := lines[len(lines)-1]; !strings.Contains(last, "cannot write the results to standard output") {
			t.Errorf("%v > /dev/full: %q", args, last)
		}
	}
}

// The same guarantees with -instances: a second process on the ensemble's
// manifest or on one instance's checkpoint is refused while the first
// runs; SIGTERM during the ensemble's read-out writes nothing and ends
// within 3 seconds, and resuming the manifest writes the results of the
// ensemble that was never interrupted.
func TestInstancesReliability(t *testing.T) {
	dir := t.TempDir()
	long := filepath.Join(dir, "long.json")
	cmd, _ := start(t, dir, "train", "-instances", "2", "-epochs", "1000000", "-quiet", "-oracle", "off", "-checkpoint", long, "-checkpoint-every", "100")
	waitForEpoch(t, filepath.Join(dir, "long.seed1.json"), 100)
	for _, other := range [][]string{{"train", "-resume", long, "-quiet"}, {"train", "-resume", filepath.Join(dir, "long.seed2.json"), "-quiet"}} {
		_, stderr, code := runFor(t, 20*time.Second, dir, other...)
		if code != 1 || !strings.Contains(stderr, "is in use by another rgflow: pid "+strconv.Itoa(cmd.Process.Pid)) {
			t.Errorf("%v while the ensemble trains: exit %d, %q", other, code, stderr)
		}
	}
	if code, _ := signalled(t, cmd); code != 143 {
		t.Fatalf("SIGTERM of the ensemble: exit %d", code)
	}

	args := []string{"-rep", "A1+E", "-trajectories", "8", "-instances", "2", "-epochs", "20", "-oracle", "on"}
	if _, stderr, code := run(t, dir, append([]string{"train", "-quiet", "-json", "ref.json"}, args...)...); code != 0 && code != 3 {
		t.Fatalf("reference ensemble: exit %d: %s", code, stderr)
	}
	man, js := filepath.Join(dir, "ens.json"), filepath.Join(dir, "out.json")
	cmd, errPath := start(t, dir, append([]string{"train", "-v", "-checkpoint", man, "-json", js}, args...)...)
	waitForText(t, errPath, "rgflow: exact map:", 60*time.Second)
	code, took := signalled(t, cmd)
	msg, _ := os.ReadFile(errPath)
	want := fmt.Sprintf("interrupted during the final read-out; the instances' states are listed in %s, and rgflow train -resume %s -json %s writes the results", man, man, js)
	if code != 143 || took > 3*time.Second || !strings.Contains(string(msg), want) {
		t.Fatalf("SIGTERM during the ensemble's read-out: exit %d after %v, %q", code, took, msg)
	}
	if _, err := os.Stat(js); err == nil {
		t.Fatal("an interrupted read-out wrote results")
	}
	if _, stderr, code := run(t, dir, "train", "-resume", man, "-quiet"); code != 0 && code != 3 {
		t.Fatalf("resuming the manifest: exit %d: %s", code, stderr)
	}
	if withoutTiming(t, js) != withoutTiming(t, filepath.Join(dir, "ref.json")) {
		t.Error("the resumed ensemble's results differ from the uninterrupted ensemble's")
	}
}
