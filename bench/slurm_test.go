package bench

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"reflect"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"
)

// fakeSlurm stands in for sbatch, squeue and sacct (a cluster without
// accounting): sbatch hands out job ids 1, 2, …; squeue lists the tasks in
// queue and, like the real one, fails when it knows none of the jobs.
type fakeSlurm struct {
	mu        sync.Mutex
	jobs      int
	sbatch    [][]string
	queue     map[taskKey]string // state of each task squeue still knows
	squeueErr error
	sbatchErr error
}

func (f *fakeSlurm) command(_ context.Context, name string, args ...string) ([]byte, error) {
	f.mu.Lock()
	defer f.mu.Unlock()
	switch name {
	case "sbatch":
		if f.sbatchErr != nil {
			return nil, f.sbatchErr
		}
		f.jobs++
		f.sbatch = append(f.sbatch, args)
		return fmt.Appendf(nil, "%d;cluster\n", f.jobs), nil
	case "squeue":
		if f.squeueErr != nil {
			return nil, f.squeueErr
		}
		var jobs []string
		for _, a := range args {
			if j, ok := strings.CutPrefix(a, "--jobs="); ok {
				jobs = strings.Split(j, ",")
			}
		}
		var b bytes.Buffer
		for k, state := range f.queue {
			if slices.Contains(jobs, k.job) {
				fmt.Fprintf(&b, "%s|%d|%s|None|vm\n", k.job, k.index, state)
			}
		}
		if b.Len() == 0 {
			return nil, errors.New("squeue: slurm_load_jobs error: Invalid job id specified")
		}
		return b.Bytes(), nil
	case "sacct":
		return nil, errors.New("sacct: Slurm accounting storage is disabled")
	}
	return nil, fmt.Errorf("%s: not a Slurm command", name)
}

func (f *fakeSlurm) set(job string, index int, state string) {
	f.mu.Lock()
	defer f.mu.Unlock()
	if f.queue == nil {
		f.queue = map[taskKey]string{}
	}
	if state == "" {
		delete(f.queue, taskKey{job, index})
		return
	}
	f.queue[taskKey{job, index}] = state
}

// runTask runs array task i of dir as its batch script would: with the
// directory's own configuration.
func runTask(t *testing.T, dir, suite string, i int) *TaskStatus {
	t.Helper()
	cfg, err := StoredConfig(dir, suite)
	if err != nil {
		t.Fatal(err)
	}
	var log bytes.Buffer
	st, err := RunTask(context.Background(), Options{Suite: suite, Config: cfg, OutDir: dir, Resolve: builtin, Parallel: 1, Out: &log, Progress: &log}, i)
	if err != nil {
		t.Fatalf("task %d: %v\n%s", i, err, log.String())
	}
	return st
}

func submit(t *testing.T, opts Options, so SlurmOptions) (*ArrayResult, string, error) {
	t.Helper()
	var out bytes.Buffer
	opts.Out, opts.Resolve = &out, builtin
	if so.Binary == "" {
		so.Binary = "/opt/rgflow/bin/rgflow"
	}
	res, err := Submit(context.Background(), opts, so)
	return res, out.String(), err
}

func collect(t *testing.T, dir, suite string, f *fakeSlurm) (*ArrayStatus, string, error) {
	t.Helper()
	cfg, err := StoredConfig(dir, suite)
	if err != nil {
		t.Fatal(err)
	}
	var out bytes.Buffer
	rep, st, err := Collect(context.Background(), Options{Suite: suite, Config: cfg, OutDir: dir, Resolve: builtin, Out: &out}, f.command)
	return st, out.String(), smokeUntrusted(cfg, rep, err)
}

// without drops the named columns of a CSV file's rows (header first).
func without(rows [][]string, drop ...string) [][]string {
	var cols []int
	for _, d := range drop {
		cols = append(cols, slices.Index(rows[0], d))
	}
	out := make([][]string, len(rows))
	for i, r := range rows {
		for j, c := range r {
			if !slices.Contains(cols, j) {
				out[i] = append(out[i], c)
			}
		}
	}
	return out
}

// A suite submitted as an array, its tasks run in any order, collects into
// the tables of a local run of the same plan, timing columns aside.
func TestArrayCollectsLikeALocalRun(t *testing.T) {
	local := filepath.Join(t.TempDir(), "local")
	run(t, Options{Suite: KLvsCD, Config: quick(t, KLvsCD), OutDir: local})

	f := &fakeSlurm{}
	dir := filepath.Join(t.TempDir(), KLvsCD+"-20260101-000000")
	res, out, err := submit(t, Options{Suite: KLvsCD, Config: quick(t, KLvsCD), OutDir: dir},
		SlurmOptions{Chunk: 4, Throttle: 2, Sbatch: []string{"--partition=short", "--time=1:00:00"}, Command: f.command})
	if err != nil {
		t.Fatal(err)
	}
	if res.JobID != "1" || len(res.Array.Tasks) != 2 || !reflect.DeepEqual(res.Submitted, []int{0, 1}) || !strings.Contains(out, "submitted job 1") {
		t.Fatalf("job %q, %d tasks, submitted %v:\n%s", res.JobID, len(res.Array.Tasks), res.Submitted, out)
	}
	args := f.sbatch[0]
	for _, want := range []string{"--array=0-1%2", "--job-name=rgflow-kl-vs-cd", "--open-mode=append", "--cpus-per-task=1", "--mem=256M",
		"--output=" + filepath.Join(dir, ArrayDir, "task-%a.log")} {
		if !slices.Contains(args, want) {
			t.Errorf("sbatch lacks %s: %v", want, args)
		}
	}
	// the user's options come after rgflow's, so sbatch lets them win
	ours := slices.IndexFunc(args, func(a string) bool { return strings.HasPrefix(a, "--time=") })
	if mine := slices.Index(args, "--time=1:00:00"); ours < 0 || mine < ours || args[len(args)-1] != filepath.Join(dir, ArrayDir, "job.sh") {
		t.Errorf("sbatch arguments out of order: %v", args)
	}
	script, _ := os.ReadFile(filepath.Join(dir, ArrayDir, "job.sh"))
	if !strings.Contains(string(script), `exec '/opt/rgflow/bin/rgflow' bench 'kl-vs-cd' -task "$SLURM_ARRAY_TASK_ID" -out '`+dir+`'`) {
		t.Errorf("batch script:\n%s", script)
	}

	runTask(t, dir, KLvsCD, 1)
	runTask(t, dir, KLvsCD, 0)
	f.set("1", 0, "COMPLETED")
	f.set("1", 1, "COMPLETED")
	st, out, err := collect(t, dir, KLvsCD, f)
	if err != nil {
		t.Fatalf("%v\n%s", err, out)
	}
	if len(st.Tasks) != 2 || st.Tasks[0].State != "COMPLETED" || st.Tasks[0].Source != "squeue" || !strings.Contains(out, "2 finished") {
		t.Errorf("states %+v:\n%s", st.Tasks, out)
	}
	runs := func(dir string) [][]string {
		rows := checkCSV(t, filepath.Join(dir, KLvsCD+"-runs.csv"), runsHeader, 6)
		return without(append([][]string{runsHeader}, rows...), "seconds_per_epoch", "seconds")
	}
	a, b := runs(local), runs(dir)
	if !reflect.DeepEqual(a, b) {
		t.Errorf("the collected runs differ from the local ones:\n%v\n%v", a, b)
	}
	la, _ := os.ReadFile(filepath.Join(local, KLvsCD+".csv"))
	lb, _ := os.ReadFile(filepath.Join(dir, KLvsCD+".csv"))
	if !bytes.Equal(la, lb) || !bytes.Contains(lb, []byte(",0.8139")) { // the exact map's J_c for A1, 0.81392 to the suite's tolerance 1e-4
		t.Errorf("the collected table differs from the local one:\n%s\n%s", la, lb)
	}
	checkFigure(t, filepath.Join(dir, KLvsCD))

	// -resume without -out finds the array's directory (it has no runs.jsonl)
	if got := LatestOutDir(filepath.Dir(dir), KLvsCD); got != dir {
		t.Errorf("LatestOutDir = %q, want %q", got, dir)
	}
	// a local -resume of the directory counts the tasks' runs as done
	rep, _ := run(t, Options{Suite: KLvsCD, Config: quick(t, KLvsCD), OutDir: dir, Resume: true})
	if rep.Ran != 0 || rep.Skipped != rep.Planned {
		t.Errorf("local resume ran %d, skipped %d of %d", rep.Ran, rep.Skipped, rep.Planned)
	}
	// resubmitting a finished array submits nothing
	res, out, err = submit(t, Options{Suite: KLvsCD, Config: quick(t, KLvsCD), OutDir: dir, Resume: true}, SlurmOptions{Command: f.command})
	if err != nil || res.JobID != "" || len(f.sbatch) != 1 || !strings.Contains(out, "nothing to submit") {
		t.Errorf("resubmitting a finished array: job %q, %d sbatch calls, %v\n%s", res.JobID, len(f.sbatch), err, out)
	}
}

// Without accounting, a task's fate comes from squeue while it remembers
// the job and from the task's status file, journal and log after; the
// unfinished tasks are listed and resubmitted, the queued ones left alone.
func TestArrayStatesWithoutAccounting(t *testing.T) {
	f := &fakeSlurm{}
	dir := filepath.Join(t.TempDir(), "array")
	res, _, err := submit(t, Options{Suite: KLvsCD, Config: quick(t, KLvsCD), OutDir: dir}, SlurmOptions{Command: f.command})
	if err != nil {
		t.Fatal(err)
	}
	if n := len(res.Array.Tasks); n != 6 {
		t.Fatalf("%d tasks, want one per run (6)", n)
	}
	runTask(t, dir, KLvsCD, 0) // finished, and squeue has forgotten it
	started := func(i int) {
		if err := os.WriteFile(TaskLog(dir, i), fmt.Appendf(nil, "rgflow bench: array task %d of job 1 (1_%d) on vm at …\n", i, i), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	status := func(i int, state string) {
		if err := writeJSON(TaskStatusFile(dir, i), TaskStatus{Task: i, State: state, JobID: "1", Host: "vm", Started: time.Now()}); err != nil {
			t.Fatal(err)
		}
	}
	started(1)
	status(1, TaskRunning) // killed by SIGKILL: no final status
	started(2)
	status(2, TaskCancelled)
	started(3) // died before rgflow ran
	// task 4 never started
	f.set("1", 5, "RUNNING")

	st, out, err := collect(t, dir, KLvsCD, f)
	if err == nil || !strings.Contains(err.Error(), "4 of 6 array tasks") || !strings.Contains(err.Error(), "-slurm -resume -out "+dir) {
		t.Fatalf("collect: %v\n%s", err, out)
	}
	want := []struct{ state, source string }{
		{"", ""}, {"LOST", "status file"}, {TaskCancelled, "status file"}, {"FAILED", "log"}, {"MISSING", ""}, {"RUNNING", "squeue"},
	}
	for i, w := range want {
		ts := st.Tasks[i]
		if i == 0 {
			if !ts.Complete(false) || ts.Active {
				t.Errorf("task 0: %+v", ts)
			}
			continue
		}
		if ts.State != w.state || ts.Source != w.source || ts.Active != (i == 5) {
			t.Errorf("task %d: %s from %q (active %v), want %s from %q", i, ts.State, ts.Source, ts.Active, w.state, w.source)
		}
	}
	for _, line := range []string{"task 1: LOST", "task 2: CANCELLED", "task 3: FAILED", "task 4: MISSING", "task 5: RUNNING", "no accounting",
		"log " + TaskLog(dir, 1), "no log (it never started)", "1 pending or running, 4 ended unfinished"} {
		if !strings.Contains(out, line) {
			t.Errorf("the report lacks %q:\n%s", line, out)
		}
	}

	// -slurm -resume submits the four unfinished tasks again, not the running one
	res, out, err = submit(t, Options{Suite: KLvsCD, Config: quick(t, KLvsCD), OutDir: dir, Resume: true}, SlurmOptions{Throttle: 1, Command: f.command})
	if err != nil {
		t.Fatal(err)
	}
	if res.JobID != "2" || !reflect.DeepEqual(res.Submitted, []int{1, 2, 3, 4}) || !slices.Contains(f.sbatch[1], "--array=1-4%1") {
		t.Errorf("resubmitted %v as job %s (%v)", res.Submitted, res.JobID, f.sbatch[1])
	}
	if !strings.Contains(out, "resubmitting task 4: MISSING") || !strings.Contains(out, "1 tasks are still pending or running (job 1)") {
		t.Errorf("resubmission report:\n%s", out)
	}
	// the new job's tasks are now the ones that count: squeue knows them
	f.set("2", 1, "PENDING")
	st, _, _ = collect(t, dir, KLvsCD, f)
	if ts := st.Tasks[1]; ts.JobID != "2" || ts.State != "PENDING" || !ts.Active {
		t.Errorf("task 1 after resubmission: %+v", ts)
	}
	if ts := st.Tasks[4]; ts.JobID != "2" || ts.State != "MISSING" { // job 2 forgot it: never started
		t.Errorf("task 4 after resubmission: %+v", ts)
	}

	// when squeue cannot be asked, nothing is resubmitted (a task may still run)
	f.squeueErr = errors.New("squeue: slurm_load_jobs error: Unable to contact slurm controller")
	if _, _, err := submit(t, Options{Suite: KLvsCD, Config: quick(t, KLvsCD), OutDir: dir, Resume: true}, SlurmOptions{Command: f.command}); err == nil || !strings.Contains(err.Error(), "cannot tell") {
		t.Errorf("resubmission without squeue: %v", err)
	}
	st, out, _ = collect(t, dir, KLvsCD, f)
	if st.Tasks[4].State != "UNKNOWN" || !strings.Contains(out, "squeue could not be asked") {
		t.Errorf("states without squeue: %+v\n%s", st.Tasks[4], out)
	}
}

// An array sbatch refused is submitted by -slurm -resume.
func TestArraySubmitRefused(t *testing.T) {
	f := &fakeSlurm{sbatchErr: errors.New("sbatch: error: invalid partition specified: nope")}
	dir := filepath.Join(t.TempDir(), "array")
	_, _, err := submit(t, Options{Suite: KLvsCD, Config: quick(t, KLvsCD), OutDir: dir}, SlurmOptions{Sbatch: []string{"--partition=nope"}, Command: f.command})
	if err == nil || !strings.Contains(err.Error(), "invalid partition") || !strings.Contains(err.Error(), "-slurm -resume -out "+dir) {
		t.Fatalf("refused sbatch: %v", err)
	}
	f.sbatchErr = nil
	res, out, err := submit(t, Options{Suite: KLvsCD, Config: quick(t, KLvsCD), OutDir: dir, Resume: true}, SlurmOptions{Command: f.command})
	if err != nil || res.JobID != "1" || len(res.Submitted) != 6 || !strings.Contains(out, "resubmitting task 0: MISSING (never submitted)") {
		t.Errorf("resubmission after a refused sbatch: %v, %+v\n%s", err, res, out)
	}
}

func TestArrayRequests(t *testing.T) {
	for _, c := range []struct {
		in   string
		want []string
	}{
		{"", nil},
		{"--partition=short  -c 4", []string{"--partition=short", "-c", "4"}},
		{`--comment="two words" --x='a "b"' a\ b`, []string{"--comment=two words", `--x=a "b"`, "a b"}},
	} {
		got, err := SplitOptions(c.in)
		if err != nil || !reflect.DeepEqual(got, c.want) {
			t.Errorf("SplitOptions(%q) = %q, %v", c.in, got, err)
		}
	}
	if _, err := SplitOptions(`--comment="open`); err == nil {
		t.Error("an unterminated quote is accepted")
	}
	for _, bad := range []string{"--array=0-3", "-a", "--output=x", "-o", "-e", "--wrap=true"} {
		if err := checkSbatch([]string{"--partition=p", bad}); err == nil {
			t.Errorf("-sbatch %s is accepted", bad)
		}
	}
	if err := checkSbatch([]string{"--account=a", "-c", "2", "--time=1:00:00", "--mem=1G"}); err != nil {
		t.Error(err)
	}
	for _, c := range []struct {
		opts []string
		want int
	}{{nil, 1}, {[]string{"-c", "4"}, 4}, {[]string{"-c8"}, 8}, {[]string{"--cpus-per-task=3"}, 3}, {[]string{"--cpus-per-task", "5"}, 5}} {
		if got := sbatchCPUs(c.opts, 1); got != c.want {
			t.Errorf("sbatchCPUs(%v) = %d, want %d", c.opts, got, c.want)
		}
	}
	if got := taskRange([]int{0, 1, 2, 4, 6, 7}); got != "0-2,4,6-7" {
		t.Errorf("taskRange = %q", got)
	}
	for d, want := range map[time.Duration]string{time.Second: "0:01:00", 90 * time.Minute: "1:30:00", 50 * time.Hour: "2-02:00:00"} {
		if got := slurmDuration(d); got != want {
			t.Errorf("slurmDuration(%v) = %s, want %s", d, got, want)
		}
	}
	// the default bias-vs-dimension suite: a 2A1+E run (2000 epochs at about
	// 0.12 s) asks for well over its ~4 minutes, an A1 run for little more
	// than the slack
	cfg, _ := Default(BiasVsDimension)
	rs, _ := resolveReps(context.Background(), Options{Resolve: builtin}, repNames(cfg))
	plan := planSuite(cfg, rs)
	byRep := map[string][]runSpec{}
	for _, s := range plan {
		byRep[s.Rep.Name] = append(byRep[s.Rep.Name], s)
	}
	limit, mem := taskResources([][]runSpec{byRep["2A1+E"][:1]}, 1)
	if limit < "0:15:00" || limit > "0:30:00" || mem != "256M" {
		t.Errorf("one 2A1+E run asks for --time=%s --mem=%s", limit, mem)
	}
	if limit, _ := taskResources([][]runSpec{byRep["A1"][:1]}, 1); limit != "0:06:00" {
		t.Errorf("one A1 run asks for --time=%s", limit)
	}
	if l4, _ := taskResources([][]runSpec{byRep["2A1+E"][:4]}, 2); l4 <= limit {
		t.Errorf("four 2A1+E runs on 2 CPUs ask for --time=%s", l4)
	}
}
