// Test plugin: a go-plugin representation server whose magic cookie differs
// from rgflow's, as a plugin built for another host would be.
package main

import (
	plugin "github.com/hashicorp/go-plugin"

	"github.com/rgflow/rgflow/plugins"
)

func main() {
	desc, _ := plugins.BuiltinDescription("A1")
	plugin.Serve(&plugin.ServeConfig{
		HandshakeConfig: plugin.HandshakeConfig{
			ProtocolVersion:  plugins.Handshake.ProtocolVersion,
			MagicCookieKey:   plugins.Handshake.MagicCookieKey,
			MagicCookieValue: "not-the-rgflow-cookie",
		},
		Plugins:    map[string]plugin.Plugin{plugins.PluginName: &plugins.RepresentationPlugin{Impl: plugins.Static(desc)}},
		GRPCServer: plugin.DefaultGRPCServer,
	})
}
