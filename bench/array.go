package bench

// A suite as a Slurm job array (README.md, "Running on a cluster"): the
// plan of a results directory split into tasks, each a slice of its runs.
// Submit (slurm.go) writes the array's manifest and submits it; every task
// runs RunTask on its own runs and appends them to its own journal,
// DIR/slurm/task-<I>.jsonl, so tasks never write the same file and a shared
// file system is all they need; Collect (collect.go) merges the journals
// and writes the tables a local run writes. This file holds the manifest,
// the task's files and RunTask.

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"time"

	"github.com/rgflow/rgflow/internal/filelock"
	"github.com/rgflow/rgflow/internal/inputfile"
)

// ArrayDir is the directory of a results directory that holds its Slurm
// array: the manifest (ArrayFile), the batch script, and each task's
// journal, status and log. ArrayFile is the manifest's name there.
const (
	ArrayDir  = "slurm"
	ArrayFile = "array.json"
)

// Array is the manifest of a suite run as a Slurm job array: which runs
// each task does, and every submission.
type Array struct {
	Suite string `json:"suite"`
	// Chunk is the number of runs per task (the last task may have fewer).
	Chunk       int          `json:"chunk"`
	Tasks       []ArrayTask  `json:"tasks"`
	Submissions []Submission `json:"submissions"`
}

// ArrayTask is one array task: its index (SLURM_ARRAY_TASK_ID) and the
// keys of its runs, in plan order.
type ArrayTask struct {
	Index int      `json:"index"`
	Keys  []string `json:"keys"`
}

// Submission is one sbatch of the array: the job id and the tasks it
// asked for, with the resources it requested.
type Submission struct {
	JobID     string    `json:"job_id"`
	Tasks     []int     `json:"tasks"`
	Array     string    `json:"array"` // the --array value
	Submitted time.Time `json:"submitted"`
	Time      string    `json:"time"` // --time
	Mem       string    `json:"mem"`  // --mem
	CPUs      int       `json:"cpus_per_task"`
	Sbatch    []string  `json:"sbatch,omitempty"` // the user's extra options
}

func arrayPath(dir string) string { return filepath.Join(dir, ArrayDir, ArrayFile) }

// TaskJournal, TaskStatusFile and TaskLog are the files of array task i
// in the results directory dir.
func TaskJournal(dir string, i int) string {
	return filepath.Join(dir, ArrayDir, "task-"+strconv.Itoa(i)+".jsonl")
}

func TaskStatusFile(dir string, i int) string {
	return filepath.Join(dir, ArrayDir, "task-"+strconv.Itoa(i)+".status.json")
}

func TaskLog(dir string, i int) string {
	return filepath.Join(dir, ArrayDir, "task-"+strconv.Itoa(i)+".log")
}

// readArray reads the manifest of dir's array (nil, nil if it has none).
func readArray(dir string) (*Array, error) {
	data, err := inputfile.Read(arrayPath(dir), inputfile.MemoryLimit())
	if errors.Is(err, os.ErrNotExist) {
		return nil, nil
	}
	if err != nil {
		return nil, fmt.Errorf("cannot read the array's manifest: %v", err)
	}
	var a Array
	if err := json.Unmarshal(data, &a); err != nil {
		return nil, fmt.Errorf("%s is not an array manifest: %v", arrayPath(dir), err)
	}
	return &a, nil
}

func writeArray(dir string, a *Array) error {
	if err := os.MkdirAll(filepath.Join(dir, ArrayDir), 0o755); err != nil {
		return fmt.Errorf("cannot create %s: %v", filepath.Join(dir, ArrayDir), err)
	}
	return writeJSON(arrayPath(dir), a)
}

// newArray splits runs into tasks of chunk runs each (chunk < 1: one).
func newArray(suite string, runs []runSpec, chunk int) *Array {
	chunk = max(chunk, 1)
	a := &Array{Suite: suite, Chunk: chunk}
	for i := 0; i < len(runs); i += chunk {
		t := ArrayTask{Index: len(a.Tasks)}
		for _, s := range runs[i:min(i+chunk, len(runs))] {
			t.Keys = append(t.Keys, s.Key)
		}
		a.Tasks = append(a.Tasks, t)
	}
	return a
}

// lastJob is the job id of the latest submission that asked for task i
// ("" if none did).
func (a *Array) lastJob(i int) string {
	for k := len(a.Submissions) - 1; k >= 0; k-- {
		if contains(a.Submissions[k].Tasks, i) {
			return a.Submissions[k].JobID
		}
	}
	return ""
}

// taskRuns picks the runs of task t out of the plan, in the task's order.
func taskRuns(plan []runSpec, t ArrayTask) ([]runSpec, error) {
	byKey := map[string]int{}
	for i := range plan {
		byKey[plan[i].Key] = i
	}
	var out []runSpec
	for _, k := range t.Keys {
		i, ok := byKey[k]
		if !ok {
			return nil, fmt.Errorf("task %d's run %s is not in the suite's plan: the plan has changed since the array was submitted (a different rgflow?)", t.Index, k)
		}
		out = append(out, plan[i])
	}
	return out, nil
}

// mergeTaskJournals adds the records of every array task's journal in
// dir to done (the records of runs.jsonl): of two records of one key the
// later finished one wins. It returns the journals' warnings.
func mergeTaskJournals(dir string, done map[string]Record) []string {
	paths, _ := filepath.Glob(filepath.Join(dir, ArrayDir, "task-*.jsonl"))
	var warnings []string
	for _, p := range paths {
		data, err := inputfile.Read(p, inputfile.MemoryLimit())
		if err != nil {
			warnings = append(warnings, fmt.Sprintf("cannot read %v", err))
			continue
		}
		recs, w := parseJournal(p, data)
		warnings = append(warnings, w...)
		for k, r := range recs {
			if old, ok := done[k]; !ok || r.Done.After(old.Done) {
				done[k] = r
			}
		}
	}
	return warnings
}

// TaskStatus is what an array task says about itself, in
// DIR/slurm/task-<I>.status.json: written when it starts (RUNNING) and when
// it ends (COMPLETED, FAILED or CANCELLED). With Slurm's accounting absent
// it is, with the journal and the log, how Collect learns a task's fate
// once squeue has forgotten the job.
type TaskStatus struct {
	Task  int    `json:"task"`
	State string `json:"state"`
	// JobID is the array's job id (SLURM_ARRAY_JOB_ID), Slurm's own id for
	// the task SLURM_JOB_ID.
	JobID     string    `json:"job_id"`
	TaskJobID string    `json:"task_job_id,omitempty"`
	Host      string    `json:"host"`
	PID       int       `json:"pid"`
	Started   time.Time `json:"started"`
	Ended     time.Time `json:"ended,omitzero"`
	Runs      int       `json:"runs"`     // the task's runs
	Recorded  int       `json:"recorded"` // of them, in its journal
	Failed    int       `json:"failed"`   // of those, recorded with an error
	Error     string    `json:"error,omitempty"`
}

// Task states an array task writes.
const (
	TaskRunning   = "RUNNING"
	TaskCompleted = "COMPLETED"
	TaskFailed    = "FAILED"
	TaskCancelled = "CANCELLED"
)

func readTaskStatus(dir string, i int) (*TaskStatus, error) {
	data, err := inputfile.Read(TaskStatusFile(dir, i), inputfile.ConfigLimit)
	if err != nil {
		return nil, err
	}
	var st TaskStatus
	if err := json.Unmarshal(data, &st); err != nil {
		return nil, fmt.Errorf("%s: %v", TaskStatusFile(dir, i), err)
	}
	return &st, nil
}

// RunTask runs array task index of the suite in opts.OutDir: the runs the
// manifest gives it that its journal does not hold yet (with RetryFailed,
// also those recorded with an error), appended to its journal as they
// finish, a line per run on opts.Progress (the task's log). Tables are
// the collector's job. opts.Config must be the directory's configuration.
func RunTask(ctx context.Context, opts Options, index int) (*TaskStatus, error) {
	cfg, err := suiteConfig(&opts)
	if err != nil {
		return nil, err
	}
	dir := opts.OutDir
	arr, err := readArray(dir)
	switch {
	case err != nil:
		return nil, err
	case arr == nil:
		return nil, fmt.Errorf("%s holds no Slurm array (%s); submit one with rgflow bench %s -slurm -out %s", dir, arrayPath(dir), opts.Suite, dir)
	case index < 0 || index >= len(arr.Tasks):
		return nil, fmt.Errorf("the array in %s has tasks 0–%d, not %d", dir, len(arr.Tasks)-1, index)
	}
	// one process a task: a task resubmitted while it still runs is refused
	lock, err := filelock.Acquire(TaskJournal(dir, index)+".lock", fmt.Sprintf("task %d of the array in %s", index, dir))
	if err != nil {
		return nil, err
	}
	defer lock.Release()
	host, _ := os.Hostname()
	st := &TaskStatus{Task: index, State: TaskRunning, JobID: os.Getenv("SLURM_ARRAY_JOB_ID"), TaskJobID: os.Getenv("SLURM_JOB_ID"),
		Host: host, PID: os.Getpid(), Started: time.Now().UTC(), Runs: len(arr.Tasks[index].Keys)}
	fail := func(err error) (*TaskStatus, error) {
		st.State, st.Error, st.Ended = TaskFailed, err.Error(), time.Now().UTC()
		if ctx.Err() != nil {
			st.State = TaskCancelled
		}
		if werr := writeJSON(TaskStatusFile(dir, index), st); werr != nil {
			return st, fmt.Errorf("%v (and the task's status: %v)", err, werr)
		}
		return st, err
	}
	if err := writeJSON(TaskStatusFile(dir, index), st); err != nil {
		return nil, err
	}
	repsByName, err := resolveReps(ctx, opts, repNames(cfg))
	if err != nil {
		return fail(err)
	}
	runs, err := taskRuns(planSuite(cfg, repsByName), arr.Tasks[index])
	if err != nil {
		return fail(err)
	}
	jr, done, warnings, err := openJournal(TaskJournal(dir, index))
	if err != nil {
		return fail(err)
	}
	defer jr.close()
	out, progress := writers(opts)
	for _, w := range warnings {
		fmt.Fprintln(progress, "rgflow bench: warning:", w)
	}
	todo, skipped, _ := pending(runs, done, opts.RetryFailed)
	parallel := parallelism(cfg, opts.Parallel, len(todo))
	fmt.Fprintf(out, "rgflow bench %s task %d (job %s on %s): %d runs, %d already recorded, %d to run (%d at a time); kernels %s\n",
		opts.Suite, index, orDash(st.JobID), host, len(runs), skipped, len(todo), parallel, opts.Kernels.Name())
	jr.onAppend = func(r Record) { fmt.Fprintln(progress, resultLine(r)) }
	newRecs, runErr := execute(ctx, cfg, todo, parallel, opts.Kernels, newTracker(nil, todo), jr, nil) // judged against the exact map when collected
	for _, r := range newRecs {
		done[r.Key] = r
	}
	for _, s := range runs {
		if r, ok := done[s.Key]; ok {
			st.Recorded++
			if r.Error != "" {
				st.Failed++
			}
		}
	}
	if runErr != nil && ctx.Err() != nil && st.Recorded == st.Runs {
		runErr = nil // interrupted once its work was done: the task is complete
	}
	if runErr != nil && ctx.Err() != nil {
		runErr = fmt.Errorf("interrupted (SIGTERM: scancel, the time limit or preemption) with %d of %d runs recorded; rgflow bench %s -slurm -resume -out %s resubmits the task",
			st.Recorded, st.Runs, opts.Suite, dir)
	}
	if runErr != nil {
		return fail(runErr)
	}
	st.State, st.Ended = TaskCompleted, time.Now().UTC()
	fmt.Fprintf(out, "task %d: %d of %d runs recorded (%d now, %d failed)\n", index, st.Recorded, st.Runs, len(newRecs), st.Failed)
	return st, writeJSON(TaskStatusFile(dir, index), st)
}

func orDash(s string) string {
	if s == "" {
		return "-"
	}
	return s
}

// taskRange writes task indices as Slurm's --array does: "0-3,7,9-10".
func taskRange(idx []int) string {
	var parts []string
	for i := 0; i < len(idx); {
		j := i
		for j+1 < len(idx) && idx[j+1] == idx[j]+1 {
			j++
		}
		if j == i {
			parts = append(parts, strconv.Itoa(idx[i]))
		} else {
			parts = append(parts, fmt.Sprintf("%d-%d", idx[i], idx[j]))
		}
		i = j + 1
	}
	return strings.Join(parts, ",")
}
