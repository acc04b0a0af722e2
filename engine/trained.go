package engine

import (
	"fmt"
	"math/rand/v2"
	"slices"

	"github.com/rgflow/rgflow/reps"
)

// Model rebuilds the trained map a checkpoint holds, to evaluate it
// outside training (rgflow flow): the network its configuration describes
// (sizes, activation, layer norm, model kind, input scale), built as
// training builds it, with the checkpoint's parameters. The options are
// NewMLP's (WithKernels); every kernel path gives the same map to
// rounding.
//
// The couplings' number c is the network's input width; for a built-in
// representation it is checked against the representation's.
func (ck *Checkpoint) Model(opts ...Option) (Model, error) {
	if ck.Format != 1 && ck.Format != checkpointFormat {
		return nil, fmt.Errorf("checkpoint format %d is not supported (this rgflow reads 1 and %d)", ck.Format, checkpointFormat)
	}
	if len(ck.Sizes) < 2 || ck.Sizes[0] < 1 {
		return nil, fmt.Errorf("the checkpoint's network has no layers (sizes %v)", ck.Sizes)
	}
	c := ck.Sizes[0]
	cfg := ck.Config
	if r, err := reps.Builtin(ck.Rep); err == nil && cfg.CouplingsFor(r.C()) != c {
		return nil, fmt.Errorf("the checkpoint's network takes %d couplings, but its representation %s has c = %d (on %d coupling shell(s))", c, ck.Rep, cfg.CouplingsFor(r.C()), max(1, cfg.Shells))
	}
	if err := cfg.Validate(); err != nil {
		return nil, fmt.Errorf("the checkpoint's configuration: %v", err)
	}
	// the initial parameters are overwritten: any generator will do
	m, err := newNetworkModel(cfg, c, rand.New(rand.NewPCG(0, 0)), opts...)
	if err != nil {
		return nil, fmt.Errorf("the checkpoint's configuration: %v", err)
	}
	sizes, params := m.Net().Describe().Sizes, m.Net().Parameters()
	if !slices.Equal(ck.Sizes, sizes) || len(ck.Params) != len(params) {
		return nil, fmt.Errorf("the checkpoint's network (sizes %v, %d parameters) does not fit its own configuration (sizes %v, %d parameters)",
			ck.Sizes, len(ck.Params), sizes, len(params))
	}
	copy(params, ck.Params)
	return m, nil
}
