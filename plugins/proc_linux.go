package plugins

import (
	"os/exec"
	"runtime"
	"syscall"

	plugin "github.com/hashicorp/go-plugin"
)

const exeSuffix = ""

// setDeathSignal asks the kernel to SIGKILL the plugin if the host dies
// without running its defers (kill -9, a fatal error, or a Ctrl-C that the
// host does not handle: go-plugin's Serve ignores SIGINT, so the plugin
// would otherwise outlive the host).
func setDeathSignal(cmd *exec.Cmd) {
	cmd.SysProcAttr = &syscall.SysProcAttr{Pdeathsig: syscall.SIGKILL}
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
