package main

import (
	"context"
	"fmt"
	"os"
	"text/tabwriter"

	"rgflow/reps"
)

// resolveRep finds a representation by name.
func resolveRep(ctx context.Context, name, pluginDir string) (*reps.Rep, error) {
	return reps.Builtin(name)
}

// standardReps are the built-in irreps sums listed by `rgflow reps`.
var standardReps = []string{"A1", "A1+E", "2A1+E", "A1+2E"}

func runReps(ctx context.Context, args []string) error {
	fs := newFlags("reps")
	pluginDir := fs.String("plugins", "", "directory of representation plugins")
	if err := parse(fs, args); err != nil {
		return err
	}
	_ = pluginDir
	w := tabwriter.NewWriter(os.Stdout, 0, 0, 2, ' ', 0)
	fmt.Fprintln(w, "NAME\tD\tC\tSOURCE")
	for _, n := range standardReps {
		r, err := reps.Builtin(n)
		if err != nil {
			return err
		}
		fmt.Fprintf(w, "%s\t%d\t%d\t%s\n", r.Name, r.D, r.C(), r.Source)
	}
	return w.Flush()
}
