package plugins

import (
	"os"
	"os/exec"
	"runtime"
	"syscall"

	"golang.org/x/sys/unix"

	plugin "github.com/hashicorp/go-plugin"
)

const exeSuffix = ""

// setDeathSignal asks the kernel to SIGKILL the plugin if the host dies
// without running its defers (kill -9, a fatal error, or a Ctrl-C that the
// host does not handle: go-plugin's Serve ignores SIGINT, so the plugin
// would otherwise outlive the host).
func setDeathSignal(cmd *exec.Cmd) {
	if cmd.SysProcAttr == nil {
		cmd.SysProcAttr = &syscall.SysProcAttr{}
	}
	cmd.SysProcAttr.Pdeathsig = syscall.SIGKILL
}

// inOwnGroup starts the plugin as the leader of a new process group, so
// that killGroup ends it with everything it started.
func inOwnGroup(cmd *exec.Cmd) {
	if cmd.SysProcAttr == nil {
		cmd.SysProcAttr = &syscall.SysProcAttr{}
	}
	cmd.SysProcAttr.Setpgid = true
}

// killGroup sends SIGKILL to the process group p leads (the kernel keeps
// a group's id from being reused while any of its members lives).
func killGroup(p *os.Process) error {
	if p == nil {
		return nil
	}
	if err := syscall.Kill(-p.Pid, syscall.SIGKILL); err != nil && err != syscall.ESRCH {
		return err
	}
	return nil
}

// waitExited returns once the process p has exited, without reaping it
// (waitid with WNOWAIT: its pid, and so its group's id, stays taken until
// go-plugin's Wait reaps it). An error (ECHILD: already reaped) means
// there is nothing to wait for.
func waitExited(p *os.Process) error {
	var info unix.Siginfo
	for {
		err := unix.Waitid(unix.P_PID, p.Pid, &info, unix.WEXITED|unix.WNOWAIT, nil)
		if err != unix.EINTR {
			return err
		}
	}
}

// startClient starts the plugin from a goroutine locked to its OS thread
// and keeps that thread until release is called. Pdeathsig fires when the
// *thread* that forked the child exits, not the process, and the Go runtime
// ends a thread when a goroutine locked to it returns; holding the thread
// ourselves means no other goroutine can lock it and take it down (with our
// child) while the plugin runs. Call release only once the process is gone.
func startClient(client *plugin.Client) (rpc plugin.ClientProtocol, release func(), err error) {
	type result struct {
		rpc   plugin.ClientProtocol
		err   error
		panic any
	}
	done := make(chan result, 1)
	hold := make(chan struct{})
	go func() {
		runtime.LockOSThread()
		defer runtime.UnlockOSThread()
		func() {
			defer func() {
				if p := recover(); p != nil {
					done <- result{panic: p}
				}
			}()
			rpc, err := client.Client()
			done <- result{rpc: rpc, err: err}
		}()
		<-hold
	}()
	r := <-done
	release = func() { close(hold) }
	if r.panic != nil {
		// go-plugin kills the child before re-panicking; let the thread go.
		release()
		panic(r.panic)
	}
	return r.rpc, release, r.err
}
