package bench

// Collecting a suite run as a Slurm array: every task's journal merged,
// the tables and figures of a local run, and the state of each task that
// did not finish. The states work without Slurm's accounting (sacct):
// squeue knows a job while it is queued and for MinJobAge (300 s by
// default) after; after that a task's own status file, its journal and the
// start mark in its log say what became of it.

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"sort"
	"strconv"
	"strings"
	"time"

	"github.com/rgflow/rgflow/internal/inputfile"
)

// TaskState is one array task as Collect reports it.
type TaskState struct {
	Index    int
	Runs     int // the task's runs
	Recorded int // of them, recorded (in any journal of the directory)
	Failed   int // of those, recorded with an error
	JobID    string
	// State is Slurm's word for the task (PENDING, RUNNING, COMPLETED,
	// FAILED, CANCELLED, TIMEOUT, OUT_OF_MEMORY, …) or one of rgflow's
	// when Slurm no longer knows the job: LOST (the task started and never
	// wrote its final status: killed by SIGKILL, the time limit or
	// the node), MISSING (it never started) or UNKNOWN (squeue failed).
	State string
	// Source says where State comes from: squeue, sacct, the task's
	// status file, its log, or nothing.
	Source string
	Active bool   // pending or running
	Log    string // the task's log ("" if it has none)
	Detail string
}

// Complete reports whether every run of the task is recorded (with
// retryFailed: recorded without an error).
func (t *TaskState) Complete(retryFailed bool) bool {
	return t.Recorded == t.Runs && (!retryFailed || t.Failed == 0)
}

func (t *TaskState) describe() string {
	s := fmt.Sprintf("task %d: %s", t.Index, t.State)
	var src []string
	if t.Source != "" {
		src = append(src, t.Source)
	}
	if t.JobID != "" {
		src = append(src, fmt.Sprintf("job %s_%d", t.JobID, t.Index))
	}
	if t.Detail != "" {
		src = append(src, t.Detail)
	}
	if len(src) > 0 {
		s += " (" + strings.Join(src, "; ") + ")"
	}
	s += fmt.Sprintf(", %d of %d runs recorded", t.Recorded, t.Runs)
	if t.Failed > 0 {
		s += fmt.Sprintf(" (%d with an error)", t.Failed)
	}
	if t.Log != "" {
		return s + "; log " + t.Log
	}
	return s + "; no log (it never started)"
}

// ArrayStatus is the state of every task of an array.
type ArrayStatus struct {
	Array *Array
	Tasks []TaskState
	// QueueErr is why squeue could not be asked (nil if it answered); the
	// states then come from the tasks' files alone.
	QueueErr error
	// Notes say where the states could not come from Slurm (accounting).
	Notes []string
}

func (s *ArrayStatus) active() int {
	n := 0
	for i := range s.Tasks {
		if s.Tasks[i].Active {
			n++
		}
	}
	return n
}

// jobs lists the job ids of the tasks (only the active ones, if active).
func (s *ArrayStatus) jobs(active bool) []string {
	var out []string
	for _, t := range s.Tasks {
		if t.JobID != "" && (t.Active || !active) && !contains(out, t.JobID) {
			out = append(out, t.JobID)
		}
	}
	return out
}

// progressLine counts the tasks by what they are doing.
func (s *ArrayStatus) progressLine() string {
	var pending, running, complete, ended, runs, recorded int
	for i := range s.Tasks {
		t := &s.Tasks[i]
		runs += t.Runs
		recorded += t.Recorded
		switch {
		case t.Active && t.State == "PENDING":
			pending++
		case t.Active:
			running++
		case t.Complete(false):
			complete++
		default:
			ended++
		}
	}
	line := fmt.Sprintf("job %s: %d tasks: %d pending, %d running, %d done", strings.Join(s.jobs(false), ","), len(s.Tasks), pending, running, complete)
	if ended > 0 {
		line += fmt.Sprintf(", %d ended unfinished", ended)
	}
	line += fmt.Sprintf(" · %d of %d runs recorded", recorded, runs)
	if s.QueueErr != nil {
		line += " · " + s.QueueErr.Error()
	}
	return line
}

type taskKey struct {
	job   string
	index int
}

type slurmState struct{ state, detail string }

// terminal reports whether a Slurm job state is final.
func terminal(state string) bool {
	switch state {
	case "COMPLETED", "FAILED", "CANCELLED", "TIMEOUT", "OUT_OF_MEMORY", "NODE_FAIL", "PREEMPTED", "BOOT_FAIL", "DEADLINE", "REVOKED":
		return true
	}
	return false
}

// squeueStates asks squeue for the tasks of the given jobs it still
// knows, finished ones included (for MinJobAge after they end).
func squeueStates(ctx context.Context, cmd Commander, jobs []string) (map[taskKey]slurmState, error) {
	out := map[taskKey]slurmState{}
	if len(jobs) == 0 {
		return out, nil
	}
	o, err := cmd(ctx, "squeue", "--noheader", "--array", "--states=all", "--jobs="+strings.Join(jobs, ","), "--format=%F|%K|%T|%r|%N")
	if err != nil {
		if strings.Contains(err.Error(), "Invalid job id") {
			return out, nil // squeue knows none of them any more
		}
		return nil, err
	}
	for _, line := range strings.Split(string(o), "\n") {
		f := strings.Split(strings.TrimSpace(line), "|")
		if len(f) < 5 {
			continue
		}
		i, err := strconv.Atoi(f[1])
		if err != nil {
			continue // a range of tasks not yet split out
		}
		var detail []string
		if f[4] != "" {
			detail = append(detail, "on "+f[4])
		}
		if f[3] != "" && f[3] != "None" {
			detail = append(detail, f[3])
		}
		out[taskKey{f[0], i}] = slurmState{f[2], strings.Join(detail, ", ")}
	}
	return out, nil
}

// sacctStates asks Slurm's accounting for the tasks of the given jobs
// (an error where there is no accounting storage).
func sacctStates(ctx context.Context, cmd Commander, jobs []string) (map[taskKey]slurmState, error) {
	o, err := cmd(ctx, "sacct", "--noheader", "--parsable2", "--allocations", "--jobs="+strings.Join(jobs, ","), "--format=JobID,State,ExitCode")
	if err != nil {
		return nil, err
	}
	out := map[taskKey]slurmState{}
	for _, line := range strings.Split(string(o), "\n") {
		f := strings.Split(strings.TrimSpace(line), "|")
		if len(f) < 3 {
			continue
		}
		job, idx, ok := strings.Cut(f[0], "_")
		i, err := strconv.Atoi(idx)
		if !ok || err != nil {
			continue
		}
		state, _, _ := strings.Cut(f[1], " ") // "CANCELLED by 0"
		out[taskKey{job, i}] = slurmState{state, "exit code " + f[2]}
	}
	return out, nil
}

// arrayState works out the state of every task of arr from the records
// done, squeue, sacct where it answers, and the tasks' files in dir.
func arrayState(ctx context.Context, dir string, arr *Array, done map[string]Record, cmd Commander) *ArrayStatus {
	st := &ArrayStatus{Array: arr}
	var jobs []string
	for _, s := range arr.Submissions {
		jobs = append(jobs, s.JobID)
	}
	queue, qerr := squeueStates(ctx, cmd, jobs)
	st.QueueErr = qerr
	var lost []string // jobs of unfinished tasks squeue does not know
	for _, t := range arr.Tasks {
		ts := TaskState{Index: t.Index, Runs: len(t.Keys), JobID: arr.lastJob(t.Index)}
		for _, k := range t.Keys {
			if r, ok := done[k]; ok {
				ts.Recorded++
				if r.Error != "" {
					ts.Failed++
				}
			}
		}
		if _, err := os.Stat(TaskLog(dir, t.Index)); err == nil {
			ts.Log = TaskLog(dir, t.Index)
		}
		if q, ok := queue[taskKey{ts.JobID, t.Index}]; ok {
			ts.State, ts.Source, ts.Detail, ts.Active = q.state, "squeue", q.detail, !terminal(q.state)
		} else if ts.JobID != "" && !ts.Complete(false) && !contains(lost, ts.JobID) {
			lost = append(lost, ts.JobID)
		}
		st.Tasks = append(st.Tasks, ts)
	}
	var acct map[taskKey]slurmState
	if len(lost) > 0 && qerr == nil {
		var err error
		if acct, err = sacctStates(ctx, cmd, lost); err != nil {
			st.Notes = append(st.Notes, fmt.Sprintf("no accounting (%v): the states of tasks squeue has forgotten come from their status files and logs", firstLine(err.Error())))
		}
	}
	for i := range st.Tasks {
		ts := &st.Tasks[i]
		if ts.Source != "" {
			continue
		}
		if a, ok := acct[taskKey{ts.JobID, ts.Index}]; ok {
			ts.State, ts.Source, ts.Detail, ts.Active = a.state, "sacct", a.detail, !terminal(a.state)
			continue
		}
		fromFiles(dir, ts, qerr)
	}
	return st
}

// fromFiles sets the state of a task that Slurm no longer reports from its
// status file (written by the task at its start and end) and its log
// (where the batch script marks each start with the job id).
func fromFiles(dir string, ts *TaskState, qerr error) {
	if ts.JobID == "" {
		ts.State, ts.Detail = "MISSING", "never submitted"
		return
	}
	status, err := readTaskStatus(dir, ts.Index)
	switch {
	case err == nil && status.JobID == ts.JobID && status.State != TaskRunning:
		ts.State, ts.Source, ts.Detail = status.State, "status file", status.Error
	case err == nil && status.JobID == ts.JobID && qerr != nil:
		ts.State, ts.Source, ts.Active = "RUNNING?", "status file", true
		ts.Detail = fmt.Sprintf("on %s since %s; squeue could not confirm it", status.Host, status.Started.Format(time.RFC3339))
	case err == nil && status.JobID == ts.JobID:
		ts.State, ts.Source = "LOST", "status file"
		ts.Detail = fmt.Sprintf("started on %s at %s and ended without its final status: killed by SIGKILL (time limit, scancel's grace time, out of memory) or by its node", status.Host, status.Started.Format(time.RFC3339))
	case qerr != nil:
		ts.State, ts.Detail = "UNKNOWN", "squeue failed and the task left no status"
	case startedIn(ts.Log, ts.JobID, ts.Index):
		ts.State, ts.Source, ts.Detail = "FAILED", "log", "it started but rgflow wrote no status: see the log"
	default:
		ts.State, ts.Detail = "MISSING", "it never started: cancelled while pending, or the job was lost"
	}
}

// startedIn reports whether the log holds the start mark of the task of
// job (jobScript writes it).
func startedIn(log, job string, index int) bool {
	if log == "" {
		return false
	}
	data, err := inputfile.Read(log, inputfile.MemoryLimit())
	return err == nil && bytes.Contains(data, []byte(fmt.Sprintf("(%s_%d)", job, index)))
}

func firstLine(s string) string {
	s, _, _ = strings.Cut(strings.TrimSpace(s), "\n")
	return s
}

// Collect merges the journals of the suite in opts.OutDir — runs.jsonl
// and every array task's — and writes the tables and figures a local run
// of the same plan writes (the exact maps, if not in the directory yet,
// are computed here, once). With an array it lists the tasks that did not
// finish with their state and log, and fails if any ended unfinished.
func Collect(ctx context.Context, opts Options, cmd Commander) (*Report, *ArrayStatus, error) {
	start := time.Now()
	cfg, err := suiteConfig(&opts)
	if err != nil {
		return nil, nil, err
	}
	out, progress := writers(opts)
	if cmd == nil {
		cmd = runCommand
	}
	dir := opts.OutDir
	if _, err := os.Stat(filepath.Join(dir, ConfigFile)); err != nil {
		if errors.Is(err, os.ErrNotExist) {
			return nil, nil, fmt.Errorf("%s holds no suite (no %s)", dir, ConfigFile)
		}
		return nil, nil, err
	}
	opts.Resume = true // the same configuration, nothing written
	plan, done, arr, err := openArrayDir(ctx, opts, cfg, progress)
	if err != nil {
		return nil, nil, err
	}
	var st *ArrayStatus
	if arr != nil {
		st = arrayState(ctx, dir, arr, done, cmd)
	}
	rep := &Report{Dir: dir, Planned: len(plan)}
	werr := tabulate(ctx, rep, cfg, plan, done, out)
	rep.Duration = time.Since(start)
	rep.PeakRSS = peakRSS()
	fmt.Fprintf(out, "collected %d of %d runs (%d failed) from %s\n", len(rep.Records), len(plan), rep.Failed, dir)
	if note := kernelNote(rep.Records); note != "" {
		fmt.Fprintln(out, note)
	}
	if st == nil {
		if werr == nil && len(rep.Untrusted) > 0 {
			werr = &UntrustedError{Configurations: rep.Untrusted}
		}
		return rep, nil, werr
	}
	err = reportArray(out, opts, st)
	if werr != nil {
		return rep, st, werr
	}
	if err == nil && len(rep.Untrusted) > 0 {
		err = &UntrustedError{Configurations: rep.Untrusted}
	}
	return rep, st, err
}

// reportArray prints the tasks that did not finish and fails if any has
// ended so.
func reportArray(out io.Writer, opts Options, st *ArrayStatus) error {
	var unfinished, active []*TaskState
	for i := range st.Tasks {
		t := &st.Tasks[i]
		switch {
		case t.Active:
			active = append(active, t)
		case !t.Complete(opts.RetryFailed):
			unfinished = append(unfinished, t)
		}
	}
	fmt.Fprintf(out, "array: %d tasks (%s), job %s: %d finished, %d pending or running, %d ended unfinished\n",
		len(st.Tasks), perTask(st.Array.Chunk), strings.Join(st.jobs(false), ", "), len(st.Tasks)-len(unfinished)-len(active), len(active), len(unfinished))
	for _, n := range st.Notes {
		fmt.Fprintln(out, "note:", n)
	}
	if st.QueueErr != nil {
		fmt.Fprintf(out, "note: squeue could not be asked (%v); the states come from the tasks' files\n", st.QueueErr)
	}
	for _, t := range append(active, unfinished...) {
		fmt.Fprintln(out, "  "+t.describe())
	}
	if len(active) > 0 {
		fmt.Fprintf(out, "the tables hold what is recorded so far; collect again once the array has finished (or wait for it: rgflow bench %s -slurm -resume -wait -out %s)\n", opts.Suite, opts.OutDir)
	}
	if len(unfinished) == 0 {
		return nil
	}
	sort.Slice(unfinished, func(i, j int) bool { return unfinished[i].Index < unfinished[j].Index })
	return fmt.Errorf("%d of %d array tasks ended without finishing their runs (listed above); resubmit just those with: rgflow bench %s -slurm -resume -out %s",
		len(unfinished), len(st.Tasks), opts.Suite, opts.OutDir)
}

// kernelNote says so when the records were made on more than one kernel
// path: the numbers agree bit for bit only within one.
func kernelNote(recs []Record) string {
	n := map[string]int{}
	for _, r := range recs {
		n[r.Kernels]++
	}
	if len(n) < 2 {
		return ""
	}
	var parts []string
	for k, c := range n {
		parts = append(parts, fmt.Sprintf("%s (%d)", k, c))
	}
	sort.Strings(parts)
	return "note: the runs were made on more than one kernel path: " + strings.Join(parts, ", ") + "; the same seed gives the same numbers bit for bit only on the same path (RGFLOW_KERNELS pins one)"
}
