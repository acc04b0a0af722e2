//go:build linux

package plugins

import (
	"context"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
	"time"
)

// script writes an executable shell script plugin into dir.
func script(t *testing.T, dir, slug, body string) string {
	t.Helper()
	path := filepath.Join(dir, Prefix+slug)
	if err := os.WriteFile(path, []byte("#!/bin/sh\n"+body), 0o755); err != nil {
		t.Fatal(err)
	}
	return path
}

// alive reports whether a process runs (a zombie does not count).
func alive(pid int) bool {
	stat, err := os.ReadFile("/proc/" + strconv.Itoa(pid) + "/stat")
	if err != nil {
		return false
	}
	fields := strings.Fields(string(stat[strings.LastIndexByte(string(stat), ')')+1:]))
	return len(fields) > 0 && fields[0] != "Z"
}

// childOf reads the pid a script wrote for the child it left running.
func childOf(t *testing.T, pidFile string) int {
	t.Helper()
	data, err := os.ReadFile(pidFile)
	if err != nil {
		t.Fatalf("the script wrote no child pid: %v", err)
	}
	pid, err := strconv.Atoi(strings.TrimSpace(string(data)))
	if err != nil {
		t.Fatal(err)
	}
	return pid
}

// A plugin that leaves a child running, holding its stdout and stderr,
// is ended with that child: a plugin that then exits is reported at once
// as having stopped (not as a start-up time-out after the child's life),
// and one that serves is loaded without waiting for the child. Nothing it
// started is left running.
func TestPluginThatLeavesAChild(t *testing.T) {
	dir := t.TempDir()
	pids := filepath.Join(dir, "child")
	exits := script(t, dir, "exits", "sleep 600 &\necho $! > "+pids+"\nexit 0\n")
	begin := time.Now()
	_, err := load(t, context.Background(), exits)
	wantErr(t, err, exits, "stopped during start-up")
	if d := time.Since(begin); d > 3*time.Second {
		t.Errorf("the plugin that exited was reported after %v", d)
	}
	if pid := childOf(t, pids); alive(pid) {
		t.Errorf("its child %d is still running", pid)
	}

	serves := script(t, dir, "a1e", "sleep 600 &\necho $! > "+pids+"\nexec "+bin("a1e")+"\n")
	begin = time.Now()
	rep, err := load(t, context.Background(), serves)
	if err != nil || rep.Name != "A1+E" {
		t.Fatalf("a serving plugin with a child: %v", err)
	}
	if d := time.Since(begin); d > 3*time.Second {
		t.Errorf("loading took %v", d)
	}
	if pid := childOf(t, pids); alive(pid) {
		t.Errorf("its child %d is still running", pid)
	}
}

// Plugins that never answer cost the listing one time-out together, not
// one each: List starts them at once under one deadline.
func TestListStartsPluginsAtOnce(t *testing.T) {
	defer func(d time.Duration) { DefaultTimeout = d }(DefaultTimeout)
	DefaultTimeout = 2 * time.Second
	dir := t.TempDir()
	for _, slug := range []string{"hangone", "hangtwo", "hangthree", "hangfour"} {
		script(t, dir, slug, "exec sleep 600\n")
	}
	begin := time.Now()
	seen := watch(t)
	infos := List(context.Background(), dir)
	took := time.Since(begin)
	assertGone(t, *seen)
	if took > 2*DefaultTimeout {
		t.Errorf("List of %d plugins that never answer took %v, more than one time-out of %v", len(infos), took, DefaultTimeout)
	}
	for _, in := range infos {
		if in.Err == nil || !strings.Contains(in.Err.Error(), "did not start within") {
			t.Errorf("%s: %v", in.Slug, in.Err)
		}
	}
}
