// Test plugin: dies before it gets to serve, as a plugin that cannot find
// its configuration would.
package main

import (
	"fmt"
	"os"

	"github.com/rgflow/rgflow/plugins"
)

func main() {
	if _, err := os.ReadFile("/nonexistent/rgflow-rep-crashstart.conf"); err != nil {
		fmt.Fprintln(os.Stderr, "crashstart: cannot read my configuration")
		os.Exit(3)
	}
	desc, _ := plugins.BuiltinDescription("A1")
	plugins.Serve(plugins.Static(desc))
}
