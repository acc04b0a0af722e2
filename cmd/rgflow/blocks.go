package main

import (
	"context"
	"flag"
	"fmt"

	"github.com/rgflow/rgflow/engine"
	"github.com/rgflow/rgflow/engine/geometry"
	"github.com/rgflow/rgflow/plugins"
	"github.com/rgflow/rgflow/reps"
)

// blockFlagHelp and shellsFlagHelp are the help of every command's -block
// and -shells flags.
const (
	blockFlagHelp = "the block geometry: " + geometry.Names + ", or " + engine.PluginBlock + "NAME / " + engine.PluginBlock +
		"PATH (a block plugin, rgflow-block-NAME in the plugin directory); the KL is per coarse site (docs/conventions.md §14)"
	shellsFlagHelp = "coupling shells of the hidden–visible bonds: 1 (nearest) or 2 (adds the √5/2 shell; one-spin representations, patches of two or more plaquettes; docs/conventions.md §14)"
)

// problemFlags are the flags rgflow eval and rgflow oracle share: which
// representation, under which coarse mirror, on which block, with plugins
// from where.
type problemFlags struct {
	rep, mirror, block, pluginDir *string
	shells                        *int
}

func addProblemFlags(fs *flag.FlagSet, mirrorHelp string) problemFlags {
	return problemFlags{
		rep:       fs.String("rep", "A1", repFlagHelp),
		mirror:    fs.String("coarse-mirror", "axis", mirrorHelp),
		block:     fs.String("block", geometry.PlaquetteName, blockFlagHelp),
		shells:    fs.Int("shells", 1, shellsFlagHelp),
		pluginDir: fs.String("plugins", "", "directory of representation plugins (default: $RGFLOW_PLUGINS, else next to rgflow)"),
	}
}

// resolve reads what the flags name, before any work: the plugin
// directory, the representation, a block plugin's geometry (nil for a
// built-in block), the plugins as inputs that the JSON output (its flag
// value) may not name, and the coarse mirror.
func (p problemFlags) resolve(ctx context.Context, jsonOut string) (*reps.Rep, engine.CoarseMirror, *geometry.Geometry, error) {
	var m engine.CoarseMirror
	if err := checkPluginDir(*p.pluginDir); err != nil {
		return nil, m, nil, err
	}
	r, err := resolveRep(ctx, *p.rep, *p.pluginDir)
	if err != nil {
		return nil, m, nil, err
	}
	geom, blockFile, err := loadBlock(ctx, *p.block, *p.pluginDir)
	if err != nil {
		return nil, m, nil, err
	}
	if err := checkFiles([]file{pluginFile(r), blockFile}, []file{{"json", jsonOut, 0}}, nil); err != nil {
		return nil, m, nil, err
	}
	m, err = engine.ResolveCoarseMirror(r, *p.mirror)
	if err != nil {
		return nil, m, nil, fmt.Errorf("-coarse-mirror: %v", err)
	}
	return r, m, geom, nil
}

// loadBlock is the geometry of a block plugin a configuration names
// (plugin:NAME, plugin:PATH), loaded and validated (plugins.ResolveBlock),
// with the plugin as an input file of the command; for a built-in block
// it is nil (the engine builds the named geometry itself).
func loadBlock(ctx context.Context, block, pluginDir string) (*geometry.Geometry, file, error) {
	if !engine.IsPluginBlock(block) {
		return nil, file{}, nil
	}
	dir := plugins.Dir(pluginDir)
	g, err := plugins.ResolveBlock(ctx, block, dir)
	if err != nil {
		return nil, file{}, err
	}
	path, ok := plugins.BlockPluginPath(block, dir)
	if !ok {
		return g, file{}, nil
	}
	return g, file{"block", path, 0}, nil
}

// blockPair is the block pair of a representation on a block
// (engine.NewBlockPair): the plaquette's Blocks for the plaquette with one
// shell, else the divergence of the named geometry or of geom (a block
// plugin's).
func blockPair(r *reps.Rep, mirror engine.CoarseMirror, bonds, block string, shells int, geom *geometry.Geometry) (engine.BlockPair, error) {
	cfg := engine.Config{Block: block, Shells: shells, Bonds: bonds, CoarseMirror: mirror.Name}
	if err := cfg.CheckBlock(); err != nil {
		return nil, err
	}
	return engine.NewBlockPair(cfg, r, geom, engine.WithKernels(kernelPath))
}

// blockNote is ", block NAME (N coarse sites, S shells)" for a block other
// than the plaquette, for the first line of a run.
func blockNote(b engine.BlockPair) string {
	if b.BlockName() == geometry.PlaquetteName && b.Shells() == 1 {
		return ""
	}
	return fmt.Sprintf(", block %s (%d coarse sites, %d shell(s), KL per coarse site)", b.BlockName(), b.CoarseSites(), b.Shells())
}

// blockHead is " on block NAME (S shell(s))" for a result on a block other
// than the plaquette ("" for the plaquette, and for results written before
// blocks, which have none).
func blockHead(block string, shells int) string {
	if block == "" || block == geometry.PlaquetteName && shells <= 1 {
		return ""
	}
	return fmt.Sprintf(" on block %s (%d shell(s))", block, shells)
}
