//go:build !linux

package plugins

import (
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

func startClient(client *plugin.Client) (plugin.ClientProtocol, func(), error) {
	rpc, err := client.Client()
	return rpc, func() {}, err
}
