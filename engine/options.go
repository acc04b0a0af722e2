package engine

import (
	"context"

	"github.com/rgflow/rgflow/engine/geometry"
	"github.com/rgflow/rgflow/kernels"
)

// Option configures the engine's constructors (NewBlocks, NewMLP,
// NewTrainer, Resume), in the manner of klauspost/reedsolomon's options.
// Each constructor reads the options that concern it and ignores the rest,
// so that a trainer hands its options on to the blocks and the network it
// builds, and a new setting needs a field in options and one With… function.
type Option func(*options)

// options holds what the Options set, over the defaults of newOptions.
type options struct {
	// kernels is the implementation of the hot loops: the exact KL's
	// enumeration (Blocks), the network's matrix products and vector tanh
	// (MLP and the models built on it).
	kernels kernels.Path
	// mirror is the coarse block's mirror convention (Blocks).
	mirror CoarseMirror
	// unrotated selects the "unrotated" bond convention (Blocks, WithBonds).
	unrotated bool
	// exactMap builds the exact variational map of a block pair, for the
	// trainer's warm_start (the engine has no minimiser of its own).
	exactMap func(BlockPair) ExactMap
	// geometry is the block geometry a block plugin served (WithGeometry).
	geometry *geometry.Geometry
	// resuming skips the warm start: a resumed trainer takes its network
	// from the checkpoint.
	resuming bool
	// ctx stops the trainer's set-up (the warm start) once done.
	ctx context.Context
}

func newOptions(opts []Option) options {
	o := options{kernels: kernels.Fastest(), ctx: context.Background()}
	for _, f := range opts {
		f(&o)
	}
	return o
}

// WithKernels runs the hot loops on kernel path p (kernels.Lookup) instead
// of the fastest one this CPU and build support.
func WithKernels(p kernels.Path) Option {
	return func(o *options) { o.kernels = p }
}

// WithCoarseMirror builds the coarse block under mirror convention m
// (ResolveCoarseMirror) instead of "axis".
func WithCoarseMirror(m CoarseMirror) Option {
	return func(o *options) { o.mirror = m }
}

// ExactMap returns M(J) = argmin KL(J, ·) for each of the couplings, on
// one continuous branch of the map (a row of NaN where it could not be
// followed), or ctx's error once ctx is done. The package engine/oracle
// provides one.
type ExactMap func(ctx context.Context, Js [][]float64) ([][]float64, error)

// WithExactMap gives the trainer the exact variational map of its block
// pair, which warm_start = "exact-step" or "exact-map" need.
func WithExactMap(build func(BlockPair) ExactMap) Option {
	return func(o *options) { o.exactMap = build }
}

// WithGeometry trains on the block geometry g — one a block plugin served,
// validated (geometry.Validate) — instead of building the configured
// block's from its name; the configuration's block names it and its
// shells must be g's.
func WithGeometry(g *geometry.Geometry) Option {
	return func(o *options) { o.geometry = g }
}

// WithContext stops NewTrainer's set-up, the warm start (which fits the
// network to the exact map and can take minutes), once ctx is done:
// NewTrainer then returns ctx's error.
func WithContext(ctx context.Context) Option {
	return func(o *options) { o.ctx = ctx }
}
