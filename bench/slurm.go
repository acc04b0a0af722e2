package bench

// Submitting a suite as a Slurm job array and waiting for it (array.go
// describes the layout). Slurm is reached only through its commands —
// sbatch, squeue and, where accounting exists, sacct — run through a
// Commander, so the tests can stand in for them.

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"math"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"time"

	"github.com/rgflow/rgflow/internal/inputfile"
)

// A Commander runs a Slurm command and returns its standard output; its
// error carries the standard error.
type Commander func(ctx context.Context, name string, args ...string) ([]byte, error)

// runCommand is the Commander of the programs on PATH.
func runCommand(ctx context.Context, name string, args ...string) ([]byte, error) {
	var stderr bytes.Buffer
	c := exec.CommandContext(ctx, name, args...)
	c.Stderr = &stderr
	out, err := c.Output()
	if err != nil {
		msg := strings.TrimSpace(stderr.String())
		if msg == "" {
			msg = err.Error()
		}
		return out, fmt.Errorf("%s: %s", name, msg)
	}
	return out, nil
}

// SlurmOptions says how Submit submits a suite's array.
type SlurmOptions struct {
	// Chunk is the number of runs per task (< 1: one run per task).
	Chunk int
	// Throttle runs at most this many tasks at once (--array=…%N; 0: no
	// limit).
	Throttle int
	// Sbatch are extra sbatch options (a partition, an account, a --time
	// of one's own …). They follow rgflow's own requests on sbatch's
	// command line, so they win over them.
	Sbatch []string
	// Wait waits for the array to finish, then collects.
	Wait bool
	// Poll is the first interval between polls while waiting (0: 2 s);
	// it doubles up to 30 s while nothing changes.
	Poll time.Duration
	// Binary is the rgflow executable the tasks run (default: this
	// process's own); it must be at that path on the compute nodes.
	Binary string
	// Command runs sbatch, squeue and sacct (nil: the programs on PATH).
	Command Commander
}

func (so *SlurmOptions) command() Commander {
	if so.Command == nil {
		return runCommand
	}
	return so.Command
}

// ArrayResult is what Submit did.
type ArrayResult struct {
	Dir   string
	Array *Array
	// JobID is the job submitted now ("" if nothing needed submitting) and
	// Submitted its tasks.
	JobID     string
	Submitted []int
	// Status is the tasks' states: before submitting on resume, after the
	// wait with Wait.
	Status *ArrayStatus
	// Report is the collected suite (with Wait).
	Report *Report
}

// Submit writes the suite's configuration and plan into opts.OutDir and
// submits its runs as one Slurm job array (one task per chunk of runs),
// each task running `rgflow bench SUITE -task I -out DIR`. With
// opts.Resume it resubmits only the tasks that did not finish and are not
// still queued (with RetryFailed, also those with runs recorded with an
// error); a directory of a local run gets an array of the runs it lacks.
// With so.Wait it waits for the array and collects it.
func Submit(ctx context.Context, opts Options, so SlurmOptions) (*ArrayResult, error) {
	cfg, err := suiteConfig(&opts)
	if err != nil {
		return nil, err
	}
	out, progress := writers(opts)
	if err := checkSbatch(so.Sbatch); err != nil {
		return nil, err
	}
	if opts.OutDir == "" {
		opts.OutDir = DefaultOutDir(opts.Suite, time.Now())
	}
	dir, err := filepath.Abs(opts.OutDir)
	if err != nil {
		return nil, err
	}
	opts.OutDir = dir
	plan, done, arr, err := openArrayDir(ctx, opts, cfg, progress)
	if err != nil {
		return nil, err
	}
	cmd := so.command()
	res := &ArrayResult{Dir: dir, Array: arr}
	var todo []int
	if arr == nil {
		runs, _, _ := pending(plan, done, opts.RetryFailed)
		arr = newArray(opts.Suite, runs, so.Chunk)
		res.Array = arr
		for _, t := range arr.Tasks {
			todo = append(todo, t.Index)
		}
	} else {
		if todo, res.Status, err = resubmission(ctx, dir, arr, plan, done, opts, so, cmd, out); err != nil {
			return res, err
		}
	}
	if len(todo) > 0 {
		sub, err := submitTasks(ctx, dir, opts, so, cmd, arr, plan, todo)
		if err != nil {
			return res, err
		}
		res.JobID, res.Submitted = sub.JobID, sub.Tasks
		runs := 0
		for _, i := range todo {
			runs += len(arr.Tasks[i].Keys)
		}
		at := "all at once"
		if so.Throttle > 0 {
			at = fmt.Sprintf("at most %d at a time", so.Throttle)
		}
		fmt.Fprintf(out, "rgflow bench %s: submitted job %s: array tasks %s (%d of %d tasks, %s; %d of the plan's %d runs; %s); --time=%s --mem=%s --cpus-per-task=%d%s\n",
			opts.Suite, sub.JobID, sub.Array, len(todo), len(arr.Tasks), perTask(arr.Chunk), runs, len(plan), at, sub.Time, sub.Mem, sub.CPUs, extraNote(so.Sbatch))
		fmt.Fprintf(out, "results in %s; task logs %s\n", dir, filepath.Join(dir, ArrayDir, "task-<I>.log"))
		if !so.Wait {
			fmt.Fprintf(out, "watch: squeue -j %s · collect: rgflow bench %s -collect -out %s\n", sub.JobID, opts.Suite, dir)
		}
	} else if res.Status == nil || res.Status.active() == 0 {
		fmt.Fprintf(out, "rgflow bench %s: nothing to submit: every task of the array in %s has finished its runs\n", opts.Suite, dir)
	}
	if !so.Wait {
		return res, nil
	}
	// The exact maps the tables set the runs beside are the collector's
	// to compute (oracle.go); they are computed here while the array
	// runs, so the collection after it only reads them.
	maps := make(chan struct{})
	go func() {
		defer close(maps)
		oracles(ctx, cfg, plan, dir, progress)
	}()
	if err := waitArray(ctx, dir, arr, so, cmd, progress); err != nil {
		return res, err // not waiting for the maps either (they are saved atomically, or not at all)
	}
	<-maps
	opts.Resume = true
	res.Report, res.Status, err = Collect(ctx, opts, cmd)
	return res, err
}

// resubmission lists the tasks of an existing array to submit again: those
// that did not record all their runs (with RetryFailed: without error) and
// are not pending or running. It refuses if squeue cannot say which are.
func resubmission(ctx context.Context, dir string, arr *Array, plan []runSpec, done map[string]Record, opts Options, so SlurmOptions, cmd Commander, out io.Writer) ([]int, *ArrayStatus, error) {
	if !opts.Resume {
		return nil, nil, fmt.Errorf("%s already holds a Slurm array; use -resume to resubmit its unfinished tasks", dir)
	}
	if so.Chunk > 0 && so.Chunk != arr.Chunk {
		return nil, nil, fmt.Errorf("the array in %s has %d runs per task; resubmit it without -chunk (or with -chunk %d)", dir, arr.Chunk, arr.Chunk)
	}
	for _, t := range arr.Tasks {
		if _, err := taskRuns(plan, t); err != nil {
			return nil, nil, err
		}
	}
	st := arrayState(ctx, dir, arr, done, cmd)
	if st.QueueErr != nil {
		return nil, st, fmt.Errorf("cannot tell which tasks are still queued (%v); nothing resubmitted", st.QueueErr)
	}
	var todo []int
	active := 0
	for _, t := range st.Tasks {
		switch {
		case t.Active:
			active++
		case !t.Complete(opts.RetryFailed):
			todo = append(todo, t.Index)
			fmt.Fprintf(out, "resubmitting %s\n", t.describe())
		}
	}
	if active > 0 {
		fmt.Fprintf(out, "%d tasks are still pending or running (job %s); left alone\n", active, strings.Join(st.jobs(true), ", "))
	}
	return todo, st, nil
}

// submitTasks writes the batch script and submits the tasks todo of arr
// as one array job, and records the submission in the manifest.
func submitTasks(ctx context.Context, dir string, opts Options, so SlurmOptions, cmd Commander, arr *Array, plan []runSpec, todo []int) (*Submission, error) {
	bin := so.Binary
	if bin == "" {
		var err error
		if bin, err = os.Executable(); err != nil {
			return nil, fmt.Errorf("cannot find the rgflow executable for the tasks: %v", err)
		}
	}
	cpus := sbatchCPUs(so.Sbatch, defaultCPUs(plan))
	var specs [][]runSpec
	for _, i := range todo {
		rs, err := taskRuns(plan, arr.Tasks[i])
		if err != nil {
			return nil, err
		}
		specs = append(specs, rs)
	}
	limit, mem := taskResources(specs, cpus)
	sub := &Submission{Tasks: todo, Array: taskRange(todo), Time: limit, Mem: mem, CPUs: cpus, Sbatch: so.Sbatch}
	spec := sub.Array
	if so.Throttle > 0 {
		spec += "%" + strconv.Itoa(so.Throttle)
	}
	// the manifest first: a task must find it when it starts
	if err := writeArray(dir, arr); err != nil {
		return nil, err
	}
	script := filepath.Join(dir, ArrayDir, "job.sh")
	if err := os.WriteFile(script, jobScript(bin, opts, dir), 0o755); err != nil {
		return nil, fmt.Errorf("cannot write the batch script: %v", err)
	}
	args := []string{"--parsable", "--array=" + spec, "--job-name=rgflow-" + opts.Suite,
		"--output=" + filepath.Join(dir, ArrayDir, "task-%a.log"), "--open-mode=append",
		"--time=" + limit, "--mem=" + mem, "--cpus-per-task=" + strconv.Itoa(cpus)}
	args = append(append(args, so.Sbatch...), script)
	o, err := cmd(ctx, "sbatch", args...)
	if err != nil {
		return nil, fmt.Errorf("%v; nothing was submitted (once sbatch works: rgflow bench %s -slurm -resume -out %s)", err, opts.Suite, dir)
	}
	id := strings.TrimSpace(string(o))
	if i := strings.IndexByte(id, ';'); i >= 0 {
		id = id[:i] // --parsable prints jobid[;cluster]
	}
	if _, err := strconv.ParseUint(id, 10, 64); err != nil {
		return nil, fmt.Errorf("sbatch printed %q, not a job id", strings.TrimSpace(string(o)))
	}
	sub.JobID, sub.Submitted = id, time.Now().UTC()
	arr.Submissions = append(arr.Submissions, *sub)
	if err := writeArray(dir, arr); err != nil {
		return nil, fmt.Errorf("job %s is submitted, but %v", id, err)
	}
	return sub, nil
}

// jobScript is the array's batch script: it marks the task's start in its
// log (Collect looks for the mark) and runs the task.
func jobScript(bin string, opts Options, dir string) []byte {
	var b bytes.Buffer
	fmt.Fprintf(&b, "#!/bin/bash\n# rgflow bench %s as a Slurm job array, submitted by `rgflow bench %s -slurm`:\n", opts.Suite, opts.Suite)
	fmt.Fprintf(&b, "# task I runs the runs %s gives it. sbatch's options (the\n", arrayPath(dir))
	b.WriteString("# resources, the log) are on its command line (array.json, \"submissions\").\n")
	b.WriteString("echo \"rgflow bench: array task ${SLURM_ARRAY_TASK_ID} of job ${SLURM_ARRAY_JOB_ID} (${SLURM_ARRAY_JOB_ID}_${SLURM_ARRAY_TASK_ID}) on $(hostname) at $(date -u +%Y-%m-%dT%H:%M:%SZ)\"\n")
	b.WriteString("export GOMAXPROCS=\"${SLURM_CPUS_PER_TASK:-1}\"\n")
	args := []string{shellQuote(bin), "bench", shellQuote(opts.Suite), "-task", "\"$SLURM_ARRAY_TASK_ID\"", "-out", shellQuote(dir)}
	if opts.RetryFailed {
		args = append(args, "-retry-failed")
	}
	if opts.PluginDir != "" {
		p, _ := filepath.Abs(opts.PluginDir)
		args = append(args, "-plugins", shellQuote(p))
	}
	fmt.Fprintf(&b, "exec %s\n", strings.Join(args, " "))
	return b.Bytes()
}

// perTask says how many runs an array's tasks do.
func perTask(chunk int) string {
	if chunk <= 1 {
		return "1 run each"
	}
	return fmt.Sprintf("up to %d runs each", chunk)
}

func shellQuote(s string) string { return "'" + strings.ReplaceAll(s, "'", `'\''`) + "'" }

func extraNote(sbatch []string) string {
	if len(sbatch) == 0 {
		return ""
	}
	return " (then " + strings.Join(sbatch, " ") + ")"
}

// The cost model of the resource requests. estimateCost (plan.go) is in
// relative units; on one core of a 2-core AMD EPYC an epoch takes about
// secondsPerCost per unit plus secondsPerEpoch of fixed cost (the Newton
// read-out, the bookkeeping), measured over the suites' configurations
// from A1 to 2A1+E, and a run about runSetupSeconds besides (the trainer,
// the final variational gap). A request is timeSafety times the estimate
// plus timeSlack: nodes differ, and a task that hits its limit is killed.
const (
	secondsPerCost  = 1.1e-10
	secondsPerEpoch = 2.5e-4
	runSetupSeconds = 10
	timeSafety      = 3
	timeSlack       = 5 * time.Minute
)

// runSeconds estimates the wall time of one run on one core.
func runSeconds(s *runSpec) float64 {
	steps := float64(s.Cfg.Epochs)
	if s.timing != nil {
		steps = float64(s.timing.Warmup + s.timing.Epochs*s.timing.Repeats)
	}
	return steps*(secondsPerCost*s.cost+secondsPerEpoch) + runSetupSeconds
}

// defaultCPUs is the CPUs per task: one for a training suite, whose runs
// train on one goroutine each (a chunk's runs then go one after another);
// two for epoch-time, which times with the engine's own goroutines like
// the reference implementation's two threads.
func defaultCPUs(plan []runSpec) int {
	if len(plan) > 0 && plan[0].timing != nil {
		return 2
	}
	return 1
}

// taskResources is the --time and --mem of an array whose tasks run the
// given runs on cpus CPUs each: the longest task's estimate, and the
// memory of one process with cpus runs at once (about 35 MiB for a
// 2A1+E training; the visible configurations, 2^{4d}, dominate for d ≥ 5).
func taskResources(tasks [][]runSpec, cpus int) (limit, mem string) {
	longest, d := 0.0, 1
	for _, runs := range tasks {
		sum, one := 0.0, 0.0
		for i := range runs {
			t := runSeconds(&runs[i])
			sum, one = sum+t, max(one, t)
			d = max(d, runs[i].Rep.D)
		}
		if runs[0].timing == nil {
			sum = max(one, sum/float64(cpus)) // the runs of a task share its CPUs
		}
		longest = max(longest, sum)
	}
	est := time.Duration(timeSafety*longest*float64(time.Second)) + timeSlack
	perRun := 64.0 + math.Ldexp(128, 4*d)/(1<<20) // MiB
	mib := max(256, int(math.Ceil(128+float64(cpus)*perRun)))
	return slurmDuration(est), strconv.Itoa(mib) + "M"
}

// slurmDuration writes d, rounded up to a minute, as sbatch's --time
// reads it: [days-]hours:minutes:seconds.
func slurmDuration(d time.Duration) string {
	m := int64(math.Ceil(d.Minutes()))
	days, h, mm := m/(24*60), m/60%24, m%60
	if days > 0 {
		return fmt.Sprintf("%d-%02d:%02d:00", days, h, mm)
	}
	return fmt.Sprintf("%d:%02d:00", h, mm)
}

// checkSbatch refuses extra sbatch options that would break the array:
// its own --array, log files and output format are rgflow's.
func checkSbatch(opts []string) error {
	for _, o := range opts {
		name, _, _ := strings.Cut(o, "=")
		switch {
		case name == "--array" || name == "--output" || name == "--error" || name == "--open-mode" || name == "--parsable" || name == "--wrap":
		case len(o) >= 2 && o[0] == '-' && o[1] != '-' && strings.ContainsRune("aoe", rune(o[1])):
		default:
			continue
		}
		return fmt.Errorf("-sbatch %q: rgflow sets the array (use -chunk and -throttle), its logs (DIR/%s/task-<I>.log) and sbatch's output itself", o, ArrayDir)
	}
	return nil
}

// sbatchCPUs is the --cpus-per-task (-c) the extra options ask for, or def.
func sbatchCPUs(opts []string, def int) int {
	n := def
	for i, o := range opts {
		var v string
		switch {
		case strings.HasPrefix(o, "--cpus-per-task="):
			v = strings.TrimPrefix(o, "--cpus-per-task=")
		case (o == "--cpus-per-task" || o == "-c") && i+1 < len(opts):
			v = opts[i+1]
		case strings.HasPrefix(o, "-c") && len(o) > 2 && o[2] != '-':
			v = o[2:]
		default:
			continue
		}
		if c, err := strconv.Atoi(v); err == nil && c > 0 {
			n = c
		}
	}
	return n
}

// SplitOptions splits a string of sbatch options into words the way a
// shell does: on blanks, with '…' and "…" quoting and \ escaping.
func SplitOptions(s string) ([]string, error) {
	var words []string
	var w strings.Builder
	in, quote, esc := false, rune(0), false
	for _, r := range s {
		switch {
		case esc:
			w.WriteRune(r)
			esc, in = false, true
		case quote != 0 && r == quote:
			quote = 0
		case quote == '\'':
			w.WriteRune(r)
		case r == '\\':
			esc, in = true, true
		case quote == 0 && (r == '\'' || r == '"'):
			quote, in = r, true
		case quote == 0 && (r == ' ' || r == '\t' || r == '\n'):
			if in {
				words = append(words, w.String())
				w.Reset()
				in = false
			}
		default:
			w.WriteRune(r)
			in = true
		}
	}
	if quote != 0 || esc {
		return nil, fmt.Errorf("unterminated quote or escape in %q", s)
	}
	if in {
		words = append(words, w.String())
	}
	return words, nil
}

// waitArray polls the array's tasks until none is pending or running,
// printing a line on progress whenever the counts change.
func waitArray(ctx context.Context, dir string, arr *Array, so SlurmOptions, cmd Commander, progress io.Writer) error {
	start := time.Now()
	first := so.Poll
	if first <= 0 {
		first = 2 * time.Second
	}
	interval := first
	last, failures := "", 0
	for {
		done, _ := recordedRuns(dir)
		st := arrayState(ctx, dir, arr, done, cmd)
		if st.QueueErr != nil {
			failures++
			if failures >= 5 {
				return fmt.Errorf("stopped waiting: %v (the array may still be running; collect later with -collect)", st.QueueErr)
			}
		} else {
			failures = 0
		}
		line := st.progressLine()
		if line != last {
			fmt.Fprintf(progress, "[%s] %s\n", time.Since(start).Round(time.Second), line)
			last, interval = line, first
		} else {
			interval = min(2*interval, 30*time.Second)
		}
		if st.QueueErr == nil && st.active() == 0 {
			return nil
		}
		select {
		case <-ctx.Done():
			return fmt.Errorf("stopped waiting; the array goes on (squeue -j %s), collect it with -collect", strings.Join(st.jobs(true), ","))
		case <-time.After(interval):
		}
	}
}

// writers are the options' writers for the tables and for progress,
// io.Discard for those not given.
func writers(opts Options) (out, progress io.Writer) {
	out = opts.Out
	if out == nil {
		out = io.Discard
	}
	return out, progressOr(opts.Progress)
}

// openArrayDir prepares opts.OutDir for cfg (on resume: checks that it was
// made with cfg), plans the suite and reads every record and the array's
// manifest there (nil if it has none).
func openArrayDir(ctx context.Context, opts Options, cfg Config, progress io.Writer) ([]runSpec, map[string]Record, *Array, error) {
	// the lock only while the directory is prepared: the array's tasks
	// share the directory by design, and -collect may run beside -wait
	release, err := prepareDir(opts.OutDir, cfg, opts.Resume)
	if err != nil {
		return nil, nil, nil, err
	}
	release()
	repsByName, err := resolveReps(ctx, opts, repNames(cfg))
	if err != nil {
		return nil, nil, nil, err
	}
	if err := checkTrainable(cfg, repsByName); err != nil {
		return nil, nil, nil, err
	}
	plan := planSuite(cfg, repsByName)
	done, warnings := recordedRuns(opts.OutDir)
	for _, w := range warnings {
		fmt.Fprintln(progress, "rgflow bench: warning:", w)
	}
	arr, err := readArray(opts.OutDir)
	return plan, done, arr, err
}

// recordedRuns is every record of dir: runs.jsonl's and the array tasks'
// journals', read without writing anything.
func recordedRuns(dir string) (map[string]Record, []string) {
	done := map[string]Record{}
	var warnings []string
	data, err := inputfile.Read(filepath.Join(dir, JournalFile), inputfile.MemoryLimit())
	if err == nil {
		done, warnings = parseJournal(filepath.Join(dir, JournalFile), data)
	} else if !errors.Is(err, os.ErrNotExist) {
		warnings = append(warnings, err.Error())
	}
	return done, append(warnings, mergeTaskJournals(dir, done)...)
}
