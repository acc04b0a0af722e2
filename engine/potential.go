package engine

import "math"

// Potentials are the forms of the HMC energy a configuration's
// hmc.potential can name (docs/conventions.md §10): each turns a model's
// U = β‖f‖² (HMCTarget) into the energy HMC samples from.
var Potentials = NewRegistry("hmc.potential",
	Entry[func(HMCTarget) HMCTarget]{Name: "square", Doc: "U = β‖f‖², the seed's", Value: func(m HMCTarget) HMCTarget { return m }},
	Entry[func(HMCTarget) HMCTarget]{Name: "norm", Doc: "U = β‖f‖, Hou & You's", Value: func(m HMCTarget) HMCTarget { return normPotential{m} }},
)

// normPotential is U = β‖f‖ (Hou & You's MLRG.propose: β‖∇C(J)‖, the norm,
// not its square), from the model's ‖f‖² and its gradient:
// ∇U = β ∇‖f‖²/(2‖f‖), taken as 0 where f = 0 (as PyTorch's norm does).
type normPotential struct{ HMCTarget }

func (p normPotential) Potential(J []float64, batch int, beta float64, U, grad []float64) {
	p.HMCTarget.Potential(J, batch, 1, U, grad)
	c := len(J) / batch
	for r := 0; r < batch; r++ {
		n := math.Sqrt(U[r])
		U[r] = beta * n
		k := 0.0
		if n > 0 {
			k = beta / (2 * n)
		}
		for i := r * c; i < (r+1)*c; i++ {
			grad[i] *= k
		}
	}
}

// Shards implements ShardedTarget when the model does: the norm of each
// shard, so that Hou & You's HMC runs on every core as the square's does.
func (p normPotential) Shards(n int) []HMCTarget {
	st, ok := p.HMCTarget.(ShardedTarget)
	if !ok {
		return nil
	}
	out := st.Shards(n)
	for i, s := range out {
		out[i] = normPotential{s}
	}
	return out
}
