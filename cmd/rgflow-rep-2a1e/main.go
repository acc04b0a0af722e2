// Command rgflow-rep-2a1e is the representation plugin for 2A1+E. It serves the
// same matrices and coupling basis as the built-in irreps sum (it is built
// from reps.Builtin), so it doubles as a check of the plugin path against
// the built-in one. rgflow starts it; run by hand it only says so.
package main

import (
	"fmt"
	"os"

	"rgflow/plugins"
)

func main() {
	desc, err := plugins.BuiltinDescription("2A1+E")
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		os.Exit(1)
	}
	plugins.Serve(plugins.Static(desc))
}
