package plugins_test

import (
	"fmt"

	"github.com/rgflow/rgflow/plugins"
	"github.com/rgflow/rgflow/reps"
)

// A representation plugin's whole main: describe the representation and
// serve it. Built as rgflow-rep-<slug> in the plugin directory (rgflow
// reps lists it), it is loaded and validated by rgflow like a built-in;
// examples/plugin-outside is such a module outside this repository, and
// examples/plugin-python one written in Python over the same gRPC protocol.
func ExampleServe() {
	// Two A1 spins per site: the built-in "2A1" under another name.
	rep, err := reps.Builtin("2A1")
	if err != nil {
		panic(err)
	}
	desc := plugins.FromRep(rep, "2A1")
	desc.Name = "Twin"
	plugins.Serve(plugins.Static(desc))
}

// A description's file name: rgflow finds the plugin serving "A1+E" as
// rgflow-rep-<Slug("A1+E")>.
func ExampleSlug() {
	fmt.Println("rgflow-rep-" + plugins.Slug("A1+E"))
	fmt.Println("rgflow-rep-" + plugins.Slug("E45"))
	// Output:
	// rgflow-rep-a1e
	// rgflow-rep-e45
}
