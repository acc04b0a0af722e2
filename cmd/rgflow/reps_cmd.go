package main

import (
	"context"
	"fmt"
	"io"
	"os"
	"text/tabwriter"

	"github.com/rgflow/rgflow/plugins"
	"github.com/rgflow/rgflow/reps"
)

// resolveRep finds a representation by name (plugins.Resolve): a built-in
// irreps sum unless the name asks for a plugin (plugin:NAME, plugin:PATH)
// or names one rgflow does not have built in.
func resolveRep(ctx context.Context, name, pluginDir string) (*reps.Rep, error) {
	return plugins.Resolve(ctx, name, plugins.Dir(pluginDir))
}

// pluginFile is the plugin a representation came from, as an input of
// the command (no file for a built-in).
func pluginFile(r *reps.Rep) file {
	if r.Source == reps.BuiltinSource {
		return file{}
	}
	return file{"rep", r.Source, 0}
}

// repFlagHelp is the help of every command's -rep flag.
const repFlagHelp = "representation: an irreps sum (A1, A1+E, 2A1+E, …; built in) or a plugin's name; " +
	plugins.Explicit + "NAME or " + plugins.Explicit + "PATH uses a plugin even for a built-in name"

// origin says where a resolved representation comes from, for messages:
// "built-in" or "plugin PATH". A built-in that a plugin of the same name
// in pluginDir could have replaced says so, and how to ask for it.
func origin(r *reps.Rep, name, pluginDir string) string {
	if r.Source != reps.BuiltinSource {
		return "plugin " + r.Source
	}
	if path, ok := plugins.PluginFor(name, plugins.Dir(pluginDir)); ok {
		return fmt.Sprintf("built-in; plugin %s not used (-rep %s%s asks for it)", path, plugins.Explicit, r.Name)
	}
	return reps.BuiltinSource
}

// standardReps are the built-in irreps sums listed by `rgflow reps`; any
// other sum of A1, A2, B1, B2, E with d ≤ 8 is built in too.
var standardReps = []string{"A1", "A1+E", "2A1+E", "A1+2E"}

// repRow is one line of `rgflow reps`.
type repRow struct {
	name   string
	d, c   int
	source string
	broken bool
}

// repRows lists each representation once: the standard built-ins, then the
// plugins. A plugin serving a built-in name is noted on the built-in's row
// (rgflow uses the built-in unless asked for the plugin), not listed again.
func repRows(infos []plugins.Info) ([]repRow, error) {
	var rows []repRow
	index := map[string]int{}
	add := func(r repRow) {
		index[r.name] = len(rows)
		rows = append(rows, r)
	}
	for _, n := range standardReps {
		r, err := reps.Builtin(n)
		if err != nil {
			return nil, err
		}
		add(repRow{name: r.Name, d: r.D, c: r.C(), source: reps.BuiltinSource})
	}
	for _, in := range infos {
		if in.Err != nil {
			rows = append(rows, repRow{name: in.Slug, source: fmt.Sprintf("plugin %s: BROKEN: %v", in.Path, in.Err), broken: true})
			continue
		}
		b, err := reps.Builtin(in.Name)
		if err != nil { // not a built-in name: the plugin is the representation
			add(repRow{name: in.Name, d: in.D, c: in.C, source: "plugin " + in.Path})
			continue
		}
		i, ok := index[b.Name]
		if !ok {
			add(repRow{name: b.Name, d: b.D, c: b.C(), source: reps.BuiltinSource})
			i = index[b.Name]
		}
		rows[i].source += fmt.Sprintf("; plugin %s only with -rep %s%s", in.Path, plugins.Explicit, b.Name)
	}
	return rows, nil
}

func printRepRows(w io.Writer, rows []repRow) error {
	tw := tabwriter.NewWriter(w, 0, 0, 2, ' ', 0)
	fmt.Fprintln(tw, "NAME\tD\tC\tSOURCE")
	for _, r := range rows {
		if r.broken {
			fmt.Fprintf(tw, "%s\t-\t-\t%s\n", r.name, r.source)
			continue
		}
		fmt.Fprintf(tw, "%s\t%d\t%d\t%s\n", r.name, r.d, r.c, r.source)
	}
	return tw.Flush()
}

func runReps(ctx context.Context, args []string) error {
	fs := newFlags("reps")
	pluginDir := fs.String("plugins", "", "directory of representation plugins (default: $RGFLOW_PLUGINS, else next to rgflow)")
	if err := parse(fs, args); err != nil {
		return err
	}
	if err := checkPluginDir(*pluginDir); err != nil {
		return err
	}
	dir := plugins.Dir(*pluginDir)
	rows, err := repRows(plugins.List(ctx, dir))
	if err != nil {
		return err
	}
	if err := printRepRows(os.Stdout, rows); err != nil {
		return err
	}
	fmt.Fprintf(os.Stdout, "(any sum of the irreps A1, A2, B1, B2, E with at most 8 spins per site (6 for the exact KL and the exact map) is built in and used as such; %sNAME or %sPATH asks for a plugin instead)\n", plugins.Explicit, plugins.Explicit)
	broken := 0
	for _, r := range rows {
		if r.broken {
			broken++
		}
	}
	if broken > 0 {
		return fmt.Errorf("%d plugin(s) in %s could not be loaded", broken, dir)
	}
	return nil
}
