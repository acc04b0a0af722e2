//go:build unix

package main

import (
	"context"
	"encoding/csv"
	"encoding/json"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"reflect"
	"regexp"
	"slices"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/rgflow/rgflow/bench"
)

// The tests named TestSlurm… submit to a real Slurm cluster: `make
// slurm-up` starts a single-node one on this machine, `make slurm-test`
// runs them verbosely (make test does both, via .ci/run). Where no cluster
// answers they skip and say why; with RGFLOW_SLURM_REQUIRED set (.ci/run
// sets it once slurm-up has succeeded) they fail instead.

// requireSlurm skips (or fails) the test unless sinfo lists a usable node.
func requireSlurm(t *testing.T) {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 20*time.Second)
	defer cancel()
	out, err := exec.CommandContext(ctx, "sinfo", "--noheader", "--format=%T").CombinedOutput()
	why := ""
	switch {
	case err != nil:
		why = "sinfo: " + strings.TrimSpace(err.Error()+" "+string(out))
	case !regexp.MustCompile(`(?m)^(idle|mixed|allocated|completing|planned)$`).Match(out):
		why = "sinfo lists no usable node: " + strings.Join(strings.Fields(string(out)), " ")
	}
	if why == "" {
		return
	}
	msg := "no Slurm cluster to test on (" + why + "); `make slurm-up` starts a single-node one on this machine (as root)"
	if os.Getenv("RGFLOW_SLURM_REQUIRED") != "" {
		t.Fatal(msg + " — and RGFLOW_SLURM_REQUIRED says there must be one")
	}
	t.Skip(msg)
}

// readCSV reads a CSV file without the named columns.
func readCSV(t *testing.T, path string, drop ...string) [][]string {
	t.Helper()
	f, err := os.Open(path)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	rows, err := csv.NewReader(f).ReadAll()
	if err != nil {
		t.Fatal(err)
	}
	header := rows[0]
	for i, r := range rows {
		var keep []string
		for j, c := range r {
			if !slices.Contains(drop, header[j]) {
				keep = append(keep, c)
			}
		}
		rows[i] = keep
	}
	return rows
}

// waitFor polls cond every 20 ms for up to a minute.
func waitFor(t *testing.T, what string, cond func() bool) {
	t.Helper()
	for end := time.Now().Add(time.Minute); time.Now().Before(end); time.Sleep(20 * time.Millisecond) {
		if cond() {
			return
		}
	}
	t.Fatalf("gave up waiting for %s", what)
}

// The quick bias-vs-dimension suite as a job array of three tasks, one at
// a time: a running task and a pending one killed with scancel are
// reported with their Slurm state and log, `-slurm -resume` resubmits just
// those two, and the collected tables equal a local run's (timing columns
// aside), the exact maps' columns included.
func TestSlurmArrayEqualsLocalRun(t *testing.T) {
	requireSlurm(t)
	dir := t.TempDir()
	begin := time.Now()
	if _, stderr, code := run(t, dir, "bench", "bias-vs-dimension", "-quick", "-quiet", "-out", "local"); code != 0 && code != 3 { // 3: a smoke test's runs are too short to be trusted
		t.Fatalf("local run: exit %d: %s", code, stderr)
	}
	tLocal := time.Since(begin)

	begin = time.Now()
	array := filepath.Join(dir, "array")
	var jobs []string
	t.Cleanup(func() { // a failed test leaves nothing queued
		for _, j := range jobs {
			_ = exec.Command("scancel", j).Run()
		}
	})
	cmd := exec.Command(binary, "bench", "bias-vs-dimension", "-quick", "-slurm", "-chunk", "3", "-throttle", "1", "-wait", "-out", array)
	cmd.Env = append(os.Environ(), "RGFLOW_PLUGINS="+t.TempDir())
	var stdout, stderr strings.Builder
	cmd.Stdout, cmd.Stderr = &stdout, &stderr
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	var manifest bench.Array
	waitFor(t, "the array's submission", func() bool {
		data, err := os.ReadFile(filepath.Join(array, bench.ArrayDir, bench.ArrayFile))
		return err == nil && json.Unmarshal(data, &manifest) == nil && len(manifest.Submissions) == 1
	})
	job := manifest.Submissions[0].JobID
	jobs = append(jobs, job)
	// the suite's size sets the number of tasks (3 runs each); at least 3
	// tasks are needed to cancel tasks 1 and 2 and see the others finish
	tasks := len(manifest.Tasks)
	if tasks < 3 {
		t.Fatalf("the quick suite made %d array tasks of 3 runs; the test needs at least 3", tasks)
	}
	// task 2 waits behind the throttle: cancelled before it starts
	if out, err := exec.Command("scancel", job+"_2").CombinedOutput(); err != nil {
		t.Fatalf("scancel %s_2: %v %s", job, err, out)
	}
	// task 1 is killed while it runs: stopped (SIGSTOP) as soon as its
	// status file says it has started, so that it cannot finish before
	// scancel reaches it (Slurm sends SIGCONT and SIGTERM)
	var started bench.TaskStatus
	waitFor(t, "task 1 to start", func() bool {
		data, err := os.ReadFile(bench.TaskStatusFile(array, 1))
		return err == nil && json.Unmarshal(data, &started) == nil
	})
	if host, _ := os.Hostname(); started.Host == host && started.PID > 0 {
		if err := syscall.Kill(started.PID, syscall.SIGSTOP); err != nil {
			t.Logf("cannot stop task 1 (pid %d): %v", started.PID, err)
		}
	}
	if out, err := exec.Command("scancel", job+"_1").CombinedOutput(); err != nil {
		t.Fatalf("scancel %s_1: %v %s", job, err, out)
	}
	err := cmd.Wait()
	tArray := time.Since(begin)
	if ee, ok := err.(*exec.ExitError); !ok || ee.ExitCode() != 1 {
		t.Fatalf("-slurm -wait with two tasks cancelled: %v (want exit 1)\n%s\n%s", err, stdout.String(), stderr.String())
	}
	// a task cancelled while pending has no record of its own in squeue
	// (the array's pending tasks are one record): it never started
	report := stdout.String()
	pendingKilled := regexp.MustCompile(`task 2: (CANCELLED|MISSING) \(.*job ` + job + `_2.*\), 0 of 3 runs recorded; no log \(it never started\)`)
	if !pendingKilled.MatchString(report) || !strings.Contains(stderr.String(), "-slurm -resume -out "+array) ||
		!strings.Contains(report, fmt.Sprintf("submitted job %s: array tasks 0-%d", job, tasks-1)) {
		t.Errorf("the report of the pending task cancelled:\n%s\n%s", report, stderr.String())
	}
	data, _ := os.ReadFile(bench.TaskStatusFile(array, 1))
	var st bench.TaskStatus
	_ = json.Unmarshal(data, &st)
	if st.State != bench.TaskCancelled || st.Recorded == st.Runs {
		t.Errorf("task 1 was not cancelled while it ran: %s", data)
	}
	runningKilled := "task 1: CANCELLED (squeue; job " + job + "_1; on "
	if !strings.Contains(report, runningKilled) || !strings.Contains(report, "runs recorded; log "+bench.TaskLog(array, 1)) {
		t.Errorf("the report lacks %q and task 1's log:\n%s", runningKilled, report)
	}
	if log, _ := os.ReadFile(bench.TaskLog(array, 1)); !strings.Contains(string(log), "interrupted (SIGTERM") {
		t.Errorf("task 1's log does not say it was interrupted:\n%s", log)
	}

	begin = time.Now()
	out, stderr2, code := run(t, dir, "bench", "bias-vs-dimension", "-slurm", "-resume", "-wait", "-out", array)
	tResume := time.Since(begin)
	if code != 0 && code != 3 {
		t.Fatalf("-slurm -resume -wait: exit %d\n%s\n%s", code, out, stderr2)
	}
	if m := regexp.MustCompile(`submitted job (\d+)`).FindStringSubmatch(out); m != nil {
		jobs = append(jobs, m[1])
	}
	for _, w := range []string{"resubmitting task 1", "resubmitting task 2", fmt.Sprintf("array tasks 1-2 (2 of %d tasks", tasks),
		fmt.Sprintf("%d finished, 0 pending or running, 0 ended unfinished", tasks)} {
		if !strings.Contains(out, w) {
			t.Errorf("the resubmission's output lacks %q:\n%s", w, out)
		}
	}

	// the same numbers as the local run, and every run done once
	timing := []string{"seconds_per_epoch", "seconds"}
	local := readCSV(t, filepath.Join(dir, "local", "bias-vs-dimension-runs.csv"), timing...)
	if got := readCSV(t, filepath.Join(array, "bias-vs-dimension-runs.csv"), timing...); !reflect.DeepEqual(got, local) {
		t.Errorf("bias-vs-dimension-runs.csv of the array differs from the local run's:\n%v\n%v", got, local)
	}
	if got, want := readCSV(t, filepath.Join(array, "bias-vs-dimension.csv")), readCSV(t, filepath.Join(dir, "local", "bias-vs-dimension.csv")); !reflect.DeepEqual(got, want) {
		t.Errorf("bias-vs-dimension.csv of the array differs from the local run's:\n%v\n%v", got, want)
	}
	records := 0
	journals, _ := filepath.Glob(filepath.Join(array, bench.ArrayDir, "task-*.jsonl"))
	for _, j := range journals {
		data, _ := os.ReadFile(j)
		records += strings.Count(string(data), "\n")
	}
	if records != len(local)-1 {
		t.Errorf("the task journals hold %d records, want one per run (%d)", records, len(local)-1)
	}
	t.Logf("local run %s; array with two tasks cancelled %s; resubmission %s", tLocal.Round(time.Millisecond), tArray.Round(time.Millisecond), tResume.Round(time.Millisecond))
}
