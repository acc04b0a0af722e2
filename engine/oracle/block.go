package oracle

import (
	"context"
	"fmt"

	"rgflow/engine"
	"rgflow/engine/divergence"
)

// Divergence is the block pair whose KL the exact map minimises: the
// plaquette's engine.Blocks (the kernels' enumeration), or any block
// geometry's divergence.Pair (OnGeometry). The KL is per coarse site. The
// representation, its gauge group, the coarse mirror and the scaling-
// dimension read-out are those of the plaquette of the same representation
// and conventions (Plaquette), whatever the block.
type Divergence interface {
	KL(J, Jp []float64) (float64, []float64)
	KLBatch(J, Jp, kl, grad []float64, workers int)
	KLSecondOrder(J, Jp []float64, mixed bool) engine.KLDerivatives
	KLSecondOrderContext(ctx context.Context, J, Jp []float64, mixed bool) (engine.KLDerivatives, error)
	Couplings() int    // c: the length of J and J′ (every shell's couplings)
	BlockName() string // "plaquette", "free:3x3", …
	CoarseSites() int
	Shells() int
	Plaquette() *engine.Blocks
}

// OnGeometry is a block geometry's divergence as the oracle's block pair,
// with plaq, the plaquette's blocks of the same representation and coarse
// mirror, beside it.
func OnGeometry(p *divergence.Pair, plaq *engine.Blocks) (Divergence, error) {
	if plaq.Rep.Name != p.Rep.Name || plaq.D != p.D || plaq.Mirror.Name != p.Mirror || plaq.Bonds != engine.BondsRotated {
		return nil, fmt.Errorf("oracle: block %s is for %s under the %s mirror, the plaquette for %s under %s with %s bonds", p.BlockName(), p.Rep.Name, p.Mirror, plaq.Rep.Name, plaq.Mirror.Name, plaq.Bonds)
	}
	return geometryPair{p, plaq}, nil
}

type geometryPair struct {
	*divergence.Pair
	plaq *engine.Blocks
}

func (g geometryPair) Plaquette() *engine.Blocks { return g.plaq }

// blockGauge is the gauge of a block pair: the representation's, acting
// alike on every shell's block of couplings (a relabelling of a site's
// spins transforms every bond at that site; shells beyond the first exist
// for one-spin representations only, whose shells share one basis).
func blockGauge(ctx context.Context, b Divergence) (*Gauge, error) {
	g, err := BuildGauge(ctx, b.Plaquette().Rep)
	n := b.Shells()
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
