package main

import (
	"context"
	"fmt"
	"os"
	"strings"

	"github.com/pelletier/go-toml/v2"

	"github.com/rgflow/rgflow/engine"
	"github.com/rgflow/rgflow/internal/humanize"
)

// runConfig prints the full default configuration (for a representation,
// after a preset) as commented TOML, ready for rgflow train -config.
func runConfig(ctx context.Context, args []string) error {
	fs := newFlags("config")
	repName := fs.String("rep", "", "write the configuration for this representation (and say what its automatic values come to)")
	preset := fs.String("preset", "", "start from this training protocol: "+engine.Presets.Help())
	pluginDir := fs.String("plugins", "", "directory of representation plugins (default: $RGFLOW_PLUGINS, else next to rgflow)")
	fs.Usage = func() {
		fmt.Fprint(fs.Output(), "usage: rgflow config [-rep NAME] [-preset P] > experiment.toml\n\nPrints every configuration key with its default value and what it means, as TOML that\nrgflow train -config reads back.\n\nflags:\n")
		fs.PrintDefaults()
	}
	if err := parse(fs, args); err != nil {
		return err
	}
	cfg := engine.DefaultConfig()
	if err := cfg.ApplyPreset(*preset); err != nil {
		return fmt.Errorf("-preset: %v", err)
	}
	header := []string{
		"rgflow configuration: every key with its value (rgflow train -config FILE reads it; any key may be left out).",
		"docs/formats.md describes the files a run writes; README.md the commands.",
	}
	if *preset != "" {
		header = append(header, fmt.Sprintf("Preset %q.", *preset))
	}
	if *repName != "" {
		if err := checkPluginDir(*pluginDir); err != nil {
			return err
		}
		r, err := resolveRep(ctx, *repName, *pluginDir)
		if err != nil {
			return err
		}
		cfg.Rep = *repName
		c := r.C()
		sizes := cfg.Layers(c)
		header = append(header, fmt.Sprintf("For %s (d = %d spins per site, c = %d couplings): trajectories = %d, network depth %d and width %d.",
			r.Name, r.D, c, cfg.TrajectoriesFor(c), len(sizes)-2, sizes[1]))
		est := engine.EstimateResources(cfg, r.D, c, cfg.Epochs)
		header = append(header, fmt.Sprintf("Estimated: about %s of memory, roughly %s an epoch.", humanize.Bytes(est.Bytes), humanize.Duration(est.EpochSeconds)))
	}
	if err := cfg.Validate(); err != nil {
		return fmt.Errorf("the configuration is not valid: %v", err)
	}
	data, err := toml.Marshal(cfg)
	if err != nil {
		return err
	}
	var b strings.Builder
	for _, h := range header {
		b.WriteString("# " + h + "\n")
	}
	b.WriteString("\n")
	b.Write(data)
	_, err = os.Stdout.WriteString(b.String())
	return err
}
