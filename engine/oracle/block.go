package oracle

import (
	"context"
	"fmt"

	"github.com/rgflow/rgflow/engine"
	"github.com/rgflow/rgflow/engine/divergence"
	"github.com/rgflow/rgflow/reps"
)

// Divergence is the block pair whose KL the exact map minimises
// (engine.BlockPair): the plaquette's engine.Blocks (the kernels'
// enumeration), or any block geometry's divergence.Pair (OnGeometry). The
// KL is per coarse site. The representation, its gauge group, the coarse
// mirror and the scaling-dimension read-out are those of the plaquette of
// the same representation and conventions (Plaquette), whatever the block.
type Divergence = engine.BlockPair

// OnGeometry is a block geometry's divergence as the oracle's block pair,
// with plaq, the plaquette's blocks of the same representation and coarse
// mirror, beside it (engine.OnGeometry).
func OnGeometry(p *divergence.Pair, plaq *engine.Blocks) (Divergence, error) {
	b, err := engine.OnGeometry(p, plaq)
	if err != nil {
		return nil, fmt.Errorf("oracle: %v", err)
	}
	return b, nil
}

// blockGauge is the gauge of a block pair: the representation's, acting
// alike on every shell's block of couplings (a relabelling of a site's
// spins transforms every bond at that site; shells beyond the first exist
// for one-spin representations only, whose shells share one basis).
func blockGauge(ctx context.Context, b Divergence) (*Gauge, error) {
	return shellGauge(ctx, b.Plaquette().Rep, b.Shells())
}

// NewShellGauge is the gauge of a representation on shells coupling
// shells (NewGauge for one; shells < 1 counts as one), for
// representations whose group is known to be small; it panics on one too
// large.
func NewShellGauge(r *reps.Rep, shells int) *Gauge {
	g, err := shellGauge(context.Background(), r, max(1, shells))
	if err != nil {
		panic(err)
	}
	return g
}

func shellGauge(ctx context.Context, r *reps.Rep, n int) (*Gauge, error) {
	g, err := BuildGauge(ctx, r)
	if err != nil || n == 1 {
		return g, err
	}
	c1 := g.c
	c := n * c1
	repeat := func(A []float64) []float64 {
		out := make([]float64, c*c)
		for s := 0; s < n; s++ {
			for i := 0; i < c1; i++ {
				for j := 0; j < c1; j++ {
					out[(s*c1+i)*c+s*c1+j] = A[i*c1+j]
				}
			}
		}
		return out
	}
	out := &Gauge{Elements: g.Elements, c: c}
	for _, A := range g.Centre {
		out.Centre = append(out.Centre, repeat(A))
	}
	for _, A := range g.Orbit {
		out.Orbit = append(out.Orbit, repeat(A))
	}
	return out, nil
}

// scalingDimensions are the plaquette fine block's leading four scaling
// dimensions at J (ScalingDimensions), nil when J has couplings beyond the
// plaquette's first shell.
func (o *Oracle) scalingDimensions(J []float64) []float64 {
	plaq := o.B.Plaquette()
	if len(J) != plaq.C {
		return nil
	}
	return ScalingDimensions(plaq, J, 4)
}
