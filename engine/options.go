package engine

import "rgflow/kernels"

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
}

func newOptions(opts []Option) options {
	o := options{kernels: kernels.Fastest()}
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
