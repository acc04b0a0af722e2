//go:build !linux

package plugins

import (
	"errors"
	"os"
	"os/exec"
	"runtime"

	plugin "github.com/hashicorp/go-plugin"
)

var exeSuffix = func() string {
	if runtime.GOOS == "windows" {
		return ".exe"
	}
	return ""
}()

// setDeathSignal does nothing here: only Linux can tie a child's life to its
// parent's. Callers rely on Load's deferred Kill and plugin.CleanupClients.
func setDeathSignal(*exec.Cmd) {}

// Process groups are Linux's here: elsewhere a plugin is ended alone.
func inOwnGroup(*exec.Cmd)           {}
func killGroup(*os.Process) error    { return nil }
func waitExited(p *os.Process) error { return errors.New("not watched") }

func startClient(client *plugin.Client) (plugin.ClientProtocol, func(), error) {
	rpc, err := client.Client()
	return rpc, func() {}, err
}
