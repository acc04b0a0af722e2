package main

import (
	"context"
	"fmt"
	"os"
	"text/tabwriter"

	"rgflow/plugins"
	"rgflow/reps"
)

// resolveRep finds a representation by name: a plugin of that name in the
// plugin directory if there is one, else the built-in irreps sum.
func resolveRep(ctx context.Context, name, pluginDir string) (*reps.Rep, error) {
	return plugins.Resolve(ctx, name, plugins.Dir(pluginDir))
}

// standardReps are the built-in irreps sums listed by `rgflow reps`; any
// other sum of A1, A2, B1, B2, E with d ≤ 6 is built in too.
var standardReps = []string{"A1", "A1+E", "2A1+E", "A1+2E"}

func runReps(ctx context.Context, args []string) error {
	fs := newFlags("reps")
	pluginDir := fs.String("plugins", "", "directory of representation plugins (default: $RGFLOW_PLUGINS, else next to rgflow)")
	if err := parse(fs, args); err != nil {
		return err
	}
	w := tabwriter.NewWriter(os.Stdout, 0, 0, 2, ' ', 0)
	fmt.Fprintln(w, "NAME\tD\tC\tSOURCE")
	for _, n := range standardReps {
		r, err := reps.Builtin(n)
		if err != nil {
			return err
		}
		fmt.Fprintf(w, "%s\t%d\t%d\t%s\n", r.Name, r.D, r.C(), "built-in")
	}
	dir := plugins.Dir(*pluginDir)
	broken := 0
	for _, in := range plugins.List(ctx, dir) {
		if in.Err != nil {
			broken++
			fmt.Fprintf(w, "%s\t-\t-\tplugin %s: BROKEN: %v\n", in.Slug, in.Path, in.Err)
			continue
		}
		fmt.Fprintf(w, "%s\t%d\t%d\tplugin %s\n", in.Name, in.D, in.C, in.Path)
	}
	if err := w.Flush(); err != nil {
		return err
	}
	fmt.Fprintln(os.Stdout, "(any sum of the irreps A1, A2, B1, B2, E with at most 6 spins per site is built in; a plugin of the same name takes precedence)")
	if broken > 0 {
		return fmt.Errorf("%d plugin(s) in %s could not be loaded", broken, dir)
	}
	return nil
}
