// Command rgflow-rep-builtin is a test fixture: a representation plugin
// that serves a built-in irreps sum with exactly the built-in matrices and
// coupling basis (plugins.BuiltinDescription), so that the tests can prove
// the plugin path and the built-in one agree. rgflow has these
// representations built in and never needs the plugin (it is used only
// when asked for, -rep plugin:NAME), so nothing ships it.
//
// The tests build it once per representation, naming the sum with
//
//	go build -ldflags "-X main.irreps=2A1+E" -o rgflow-rep-2a1e .
package main

import (
	"fmt"
	"os"

	"github.com/rgflow/rgflow/plugins"
)

// irreps is the representation served; -ldflags -X sets it.
var irreps = "A1+E"

func main() {
	desc, err := plugins.BuiltinDescription(irreps)
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		os.Exit(1)
	}
	plugins.Serve(plugins.Static(desc))
}
