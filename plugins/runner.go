package plugins

import (
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"os/exec"

	hclog "github.com/hashicorp/go-hclog"
	"github.com/hashicorp/go-plugin/runner"
)

// groupRunner runs a plugin process in a process group of its own and
// ends the whole group: the plugin and whatever it started. go-plugin's own
// runner kills only the plugin, and waits for its stdout and stderr to
// close before it reaps it, so a plugin that left a child holding them
// (a shell script's "sleep 600 &") kept rgflow waiting for that child, and
// the plugin's exit was reported as a start-up time-out.
type groupRunner struct {
	cmd            *exec.Cmd
	stdout, stderr io.ReadCloser
}

var _ runner.Runner = (*groupRunner)(nil)

// groupRunnerFor is the go-plugin RunnerFunc that runs cmd, with the
// environment and standard input go-plugin prepares on its spec.
func groupRunnerFor(cmd *exec.Cmd) func(hclog.Logger, *exec.Cmd, string) (runner.Runner, error) {
	return func(_ hclog.Logger, spec *exec.Cmd, _ string) (runner.Runner, error) {
		cmd.Env, cmd.Stdin = spec.Env, spec.Stdin
		return newGroupRunner(cmd)
	}
}

// newGroupRunner runs cmd in a process group of its own.
func newGroupRunner(cmd *exec.Cmd) (*groupRunner, error) {
	inOwnGroup(cmd)
	stdout, err := cmd.StdoutPipe()
	if err != nil {
		return nil, err
	}
	stderr, err := cmd.StderrPipe()
	if err != nil {
		return nil, err
	}
	// a cancelled context ends the group, not only its leader
	cmd.Cancel = func() error { return killGroup(cmd.Process) }
	return &groupRunner{cmd: cmd, stdout: stdout, stderr: stderr}, nil
}

// Start starts the plugin, and ends its group as soon as the plugin
// itself has exited, so that what it left behind closes the pipes.
func (r *groupRunner) Start(context.Context) error {
	if err := r.cmd.Start(); err != nil {
		return err
	}
	p := r.cmd.Process
	go func() {
		if waitExited(p) == nil {
			killGroup(p)
		}
	}()
	return nil
}

func (r *groupRunner) Wait(context.Context) error { return r.cmd.Wait() }

// Kill ends the plugin's whole group; it may be called more than once.
func (r *groupRunner) Kill(context.Context) error {
	if r.cmd.Process == nil {
		return nil
	}
	killGroup(r.cmd.Process)
	if err := r.cmd.Process.Kill(); err != nil && !errors.Is(err, os.ErrProcessDone) {
		return err
	}
	return nil
}

func (r *groupRunner) Stdout() io.ReadCloser { return r.stdout }
func (r *groupRunner) Stderr() io.ReadCloser { return r.stderr }
func (r *groupRunner) Name() string          { return r.cmd.Path }

func (r *groupRunner) ID() string {
	if r.cmd.Process == nil {
		return ""
	}
	return fmt.Sprint(r.cmd.Process.Pid)
}

func (r *groupRunner) Diagnose(context.Context) string { return "" }

func (r *groupRunner) PluginToHost(network, addr string) (string, string, error) {
	return network, addr, nil
}

func (r *groupRunner) HostToPlugin(network, addr string) (string, string, error) {
	return network, addr, nil
}
