package engine

import (
	"context"
	"fmt"
	"math"

	"gonum.org/v1/gonum/floats"
)

// warmStart starts the network from the exact variational map, as
// warm_start asks (docs/conventions.md §13). Both forms only choose where
// training starts; the loss that follows is the configured one.
// ctx stops it between the exact map's points and between the fit's steps.
func (t *Trainer) warmStart(ctx context.Context, build func(BlockPair) ExactMap) error {
	cfg := t.Cfg
	if cfg.WarmStart == "none" {
		return nil
	}
	if build == nil {
		return fmt.Errorf("warm_start %q needs the exact variational map, which rgflow train and rgflow bench provide", cfg.WarmStart)
	}
	exact := build(t.Pair)
	c := t.C
	switch cfg.WarmStart {
	case "exact-step":
		fm, ok := t.Model.(*FlowModel)
		if !ok {
			return fmt.Errorf("warm_start \"exact-step\" sets the flow network's output bias; model %q has none (use exact-map)", cfg.Model)
		}
		ref := make([]float64, c)
		ref[0] = cfg.Newton.Start
		out, err := exact(ctx, [][]float64{ref})
		if ctx.Err() != nil {
			return ctx.Err()
		}
		if err != nil {
			return fmt.Errorf("warm_start: the exact map at %v: %v", ref, err)
		}
		bias := fm.N.OutputBias()
		for i := range bias {
			bias[i] = out[0][i] - ref[i]
		}
		return nil
	case "exact-map":
		return t.fitExactMap(ctx, exact)
	}
	return nil
}

// fitExactMap fits the model to the exact map on warm_start_points
// couplings — half drawn as the HMC chains start, N(0, init_scale²), half
// uniform on the physical axis in [0, hmc.axis_max] — by full-batch Adam on
// the mean squared distance of J′, then leaves the optimiser fresh.
func (t *Trainer) fitExactMap(ctx context.Context, exact ExactMap) error {
	cfg := t.Cfg
	c := t.C
	n := cfg.WarmStartPoints
	var Js [][]float64
	for k := 0; k < n; k++ {
		J := make([]float64, c)
		if k%2 == 0 {
			for i := range J {
				J[i] = cfg.InitScale * t.rng.NormFloat64()
			}
		} else {
			J[0] = cfg.HMC.AxisMax * t.rng.Float64()
		}
		Js = append(Js, J)
	}
	targets, err := exact(ctx, Js)
	if ctx.Err() != nil {
		return ctx.Err()
	}
	if err != nil {
		return fmt.Errorf("warm_start: %v", err)
	}
	var X, Y []float64
	for k, J := range Js {
		if ok := !floats.HasNaN(targets[k]); ok {
			X = append(X, J...)
			Y = append(Y, targets[k]...)
		}
	}
	m := len(X) / c
	if m < n/2 {
		return fmt.Errorf("warm_start: the exact map could be followed to only %d of %d couplings", m, n)
	}
	opt := NewAdam(len(t.Model.Params()), cfg.Optimizer.LR, cfg.Optimizer.Beta1, cfg.Optimizer.Beta2, cfg.Optimizer.Eps)
	grad := make([]float64, m*c)
	dpar := make([]float64, len(t.Model.Params()))
	for e := 0; e < cfg.WarmStartEpochs; e++ {
		if err := ctx.Err(); err != nil {
			return err
		}
		Jp := t.Model.Map(X, m)
		for i := range grad {
			grad[i] = 2 * (Jp[i] - Y[i]) / float64(m)
		}
		clear(dpar)
		t.Model.Backward(grad, dpar)
		opt.Step(t.Model.Params(), dpar)
	}
	for _, p := range t.Model.Params() {
		if math.IsNaN(p) || math.IsInf(p, 0) {
			return fmt.Errorf("warm_start: the fit to the exact map diverged (%s)", cfg.divergenceHint())
		}
	}
	return nil
}
