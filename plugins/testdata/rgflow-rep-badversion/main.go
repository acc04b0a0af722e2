// Test plugin: the right magic cookie but protocol version 2, as a plugin
// built against a future rgflow would be.
package main

import (
	plugin "github.com/hashicorp/go-plugin"

	"github.com/rgflow/rgflow/plugins"
)

func main() {
	desc, _ := plugins.BuiltinDescription("A1")
	hs := plugins.Handshake
	hs.ProtocolVersion = 2
	plugin.Serve(&plugin.ServeConfig{
		HandshakeConfig: hs,
		Plugins:         map[string]plugin.Plugin{plugins.PluginName: &plugins.RepresentationPlugin{Impl: plugins.Static(desc)}},
		GRPCServer:      plugin.DefaultGRPCServer,
	})
}
