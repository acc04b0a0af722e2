package engine

import (
	"context"
	"fmt"
	"strings"
	"sync"

	"github.com/rgflow/rgflow/engine/divergence"
	"github.com/rgflow/rgflow/engine/geometry"
	"github.com/rgflow/rgflow/reps"
)

// BlockPair is the fine and the coarse block of one block geometry for one
// representation and coarse mirror, as the trainer's exact KL and the
// exact map (engine/oracle) evaluate them: the published plaquette's
// Blocks (the kernels' enumeration, SIMD), or any geometry's
// divergence.Pair (OnGeometry). Every KL is per coarse site.
type BlockPair interface {
	KL(J, Jp []float64) (float64, []float64)
	KLBatch(J, Jp, kl, grad []float64, workers int)
	KLBatchContext(ctx context.Context, J, Jp, kl, grad []float64, workers int) error
	KLSecondOrder(J, Jp []float64, mixed bool) KLDerivatives
	KLSecondOrderContext(ctx context.Context, J, Jp []float64, mixed bool) (KLDerivatives, error)
	Couplings() int    // c: the length of J and J′ (every shell's couplings)
	BlockName() string // "plaquette", "free:3x3", …
	CoarseSites() int
	Shells() int
	// Plaquette is the plaquette's blocks of the same representation and
	// conventions: the representation, its gauge group, the coarse mirror
	// and the scaling-dimension read-out are the plaquette's whatever the
	// block.
	Plaquette() *Blocks
}

// The blocks as one block pair among the geometries: the published
// plaquette, one coarse site, one coupling shell.

// Couplings is the length of J and J′.
func (b *Blocks) Couplings() int { return b.C }

// BlockName is the geometry's name, "plaquette".
func (b *Blocks) BlockName() string { return geometry.PlaquetteName }

// CoarseSites is the number of coarse sites the KL is per: one.
func (b *Blocks) CoarseSites() int { return 1 }

// Shells is the number of coupling shells: one.
func (b *Blocks) Shells() int { return 1 }

// Plaquette is the plaquette's blocks of the same representation and
// conventions: b itself.
func (b *Blocks) Plaquette() *Blocks { return b }

// OnGeometry is a block geometry's divergence as a block pair, with plaq,
// the plaquette's blocks of the same representation and coarse mirror,
// beside it.
func OnGeometry(p *divergence.Pair, plaq *Blocks) (BlockPair, error) {
	if plaq.Rep.Name != p.Rep.Name || plaq.D != p.D || plaq.Mirror.Name != p.Mirror || plaq.Bonds != BondsRotated {
		return nil, fmt.Errorf("block %s is for %s under the %s mirror, the plaquette for %s under %s with %s bonds", p.BlockName(), p.Rep.Name, p.Mirror, plaq.Rep.Name, plaq.Mirror.Name, plaq.Bonds)
	}
	return geometryPair{p, plaq}, nil
}

// GeometryPair is a block geometry's divergence.Pair when b is one
// (OnGeometry), and false for the plaquette's Blocks.
func GeometryPair(b BlockPair) (*divergence.Pair, bool) {
	g, ok := b.(geometryPair)
	return g.Pair, ok
}

type geometryPair struct {
	*divergence.Pair
	plaq *Blocks
}

func (g geometryPair) Plaquette() *Blocks { return g.plaq }

// PluginBlock starts a block served by a block plugin: "plugin:NAME" (the
// plugin rgflow-block-NAME of the plugin directory) or "plugin:PATH".
const PluginBlock = "plugin:"

// IsPluginBlock reports whether a block name asks for a block plugin.
func IsPluginBlock(name string) bool {
	return strings.HasPrefix(strings.TrimSpace(name), PluginBlock)
}

// IsPlaquette reports whether the configuration trains on the published
// single plaquette (with one shell), whose blocks run on the kernels.
func (c *Config) IsPlaquette() bool {
	n := strings.TrimSpace(c.Block)
	return (n == "" || n == geometry.PlaquetteName || n == "free:1x1") && c.Shells <= 1
}

// CouplingsFor is the number of couplings for a representation of c1
// couplings: c1 for every coupling shell.
func (c *Config) CouplingsFor(c1 int) int { return c1 * max(1, c.Shells) }

// CheckBlock checks block and shells: a name geometry.Parse builds (or a
// plugin's, which the command loads), a number of shells it defines, and
// the rotated bonds every geometry's divergence assumes (a *ConfigError
// naming the key). Validate checks them with the rest.
func (c *Config) CheckBlock() error {
	if c.Shells < 1 || c.Shells > geometry.MaxShells {
		return &ConfigError{Key: "shells", Problem: fmt.Sprintf("must be 1 to %d (docs/conventions.md §14)", geometry.MaxShells), Value: c.Shells}
	}
	name := strings.TrimSpace(c.Block)
	if target, ok := strings.CutPrefix(name, PluginBlock); ok {
		if strings.TrimSpace(target) == "" {
			return &ConfigError{Key: "block", Problem: "names no plugin: write plugin:NAME (a block plugin in the plugin directory) or plugin:PATH"}
		}
	} else {
		g, err := geometry.Parse(name, c.Shells)
		if err != nil {
			return &ConfigError{Key: "block", Problem: "is not usable: " + err.Error()}
		}
		if c.Shells > 1 && g.CoarseSites() == 1 {
			return &ConfigError{Key: "shells", Problem: fmt.Sprintf("must be 1 on block %s: a single plaquette's centre has no shell-2 neighbour (take a patch of two or more plaquettes)", g.Name), Value: c.Shells}
		}
	}
	if c.Bonds != BondsRotated && !c.IsPlaquette() {
		return &ConfigError{Key: "block", Problem: fmt.Sprintf("must be the plaquette with bonds = %q: every other block's divergence assumes rotated bonds (docs/conventions.md §4)", c.Bonds), Value: name}
	}
	return nil
}

// NewBlockPair builds the block pair of a configuration's block, coarse
// mirror and bonds for a representation: the plaquette's Blocks (on the
// options' kernel path) for the plaquette with one shell, else the
// divergence of geom — a block plugin's geometry — or, when geom is nil,
// of the named block.
func NewBlockPair(cfg Config, rep *reps.Rep, geom *geometry.Geometry, opts ...Option) (BlockPair, error) {
	mirror, err := ResolveCoarseMirror(rep, cfg.CoarseMirror)
	if err != nil {
		return nil, fmt.Errorf("coarse_mirror: %v", err)
	}
	if cfg.Bonds == "" {
		cfg.Bonds = BondsRotated
	}
	return blockPair(cfg, NewBlocks(rep, append(opts, WithCoarseMirror(mirror), WithBonds(cfg.Bonds))...), geom)
}

// blockPair is the block pair a configuration trains on: plaq (the
// kernels) for the plaquette with one shell, else the divergence of geom —
// the geometry the command loaded from a block plugin, or when nil the
// configured block's, built here.
func blockPair(cfg Config, plaq *Blocks, geom *geometry.Geometry) (BlockPair, error) {
	if geom == nil {
		if cfg.IsPlaquette() {
			return plaq, nil
		}
		if IsPluginBlock(cfg.Block) {
			return nil, fmt.Errorf("block %s is served by a plugin, which the command loads (rgflow train, eval and bench do)", cfg.Block)
		}
		var err error
		if geom, err = geometry.Parse(cfg.Block, cfg.Shells); err != nil {
			return nil, &ConfigError{Key: "block", Problem: "is not usable: " + err.Error()}
		}
	} else if geom.Shells != max(1, cfg.Shells) {
		return nil, &ConfigError{Key: "shells", Problem: fmt.Sprintf("must be %d: block %s has %d coupling shell(s)", geom.Shells, geom.Name, geom.Shells), Value: cfg.Shells}
	}
	p, err := divergence.New(geom, plaq.Rep, plaq.Mirror.Name)
	if err != nil {
		return nil, err
	}
	return OnGeometry(p, plaq)
}

// blockCost is the rough cost, in EpochCost's units, of one trajectory's
// divergence on the configuration's block when it is not the plaquette:
// the exact KL's visits of the enumeration or of the transfer matrix's
// frontier states (measured on this project's 2-core Xeon: about 30 ns a
// visit for c = 1, torus:4x4's 8·10⁴ visits in 3 ms, plus a step's fixed
// cost), the CD's draws of every site's spins in every step. ok is false
// for the plaquette and for a block the engine cannot build alone (a
// plugin's, or one too large to sum).
func blockCost(cfg Config, d, c int, cd bool) (cost float64, ok bool) {
	if cfg.IsPlaquette() || IsPluginBlock(cfg.Block) {
		return 0, false
	}
	g, err := geometry.Parse(cfg.Block, max(1, cfg.Shells))
	if err != nil {
		return 0, false
	}
	sites := float64(len(g.Visible) + len(g.FineHidden) + len(g.CoarseHidden))
	if cd {
		return float64(cfg.CD.Samples) * float64(cfg.CD.KFine+cfg.CD.KCoarse) * sites * float64(d) * 25, true
	}
	visits, ok := blockVisits(g, d)
	if !ok {
		return 0, false
	}
	return 100*visits*float64(c+1) + 500*sites, true
}

// blockVisits caches divergence.Pair.Visits by block and spins per site,
// for a representation of d copies of A1 (the visits depend on the
// geometry and d only).
func blockVisits(g *geometry.Geometry, d int) (float64, bool) {
	key := fmt.Sprintf("%s/%d/%d", g.Name, g.Shells, d)
	if v, ok := visitsCache.Load(key); ok {
		return v.(float64), true
	}
	name := "A1"
	if d > 1 {
		name = fmt.Sprintf("%dA1", d)
	}
	r, err := reps.Builtin(name)
	if err != nil || (g.Shells > 1 && d > 1) {
		return 0, false
	}
	p, err := divergence.New(g, r, "axis")
	if err != nil {
		return 0, false
	}
	visitsCache.Store(key, p.Visits())
	return p.Visits(), true
}

var visitsCache sync.Map
