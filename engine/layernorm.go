package engine

import "math"

// Layer normalisation of the hidden layers (network.layer_norm; Hou & You's
// RGMonotone: Linear → LayerNorm → tanh). Each hidden layer's
// pre-activation z (one row of width m per sample) is replaced by
//
//	y = γ ⊙ n + β,   n = (z − mean z)/s,   s = √(mean (z − mean z)² + ε),
//
// before the activation, with ε = 1e-5, the biased variance and per-unit
// γ (initially 1) and β (initially 0) — PyTorch's nn.LayerNorm. The
// Jacobian of n is symmetric,
//
//	∂n/∂z = (1/s)(I − 11ᵀ/m − n nᵀ/m),   so   P(w) = (∂n/∂z) w = (1/s)(w − mean w − n·mean(n w))
//
// is both the tangent map (ṅ = P(ż)) and the reverse one (z̄ = P(n̄)).
// The monotone model's second-order passes also need the derivative of
// ṅ̄ᵀ P(ż) in z, for fixed ṅ̄ and ż:
//
//	∇_z (ṅ̄ᵀ ṅ) = −(Φ/(m s)) n − (B/(m s)) ṅ − (D/s) P(ṅ̄),
//	Φ = ṅ̄ᵀ ṅ,   B = ṅ̄ᵀ n,   D = mean(n ż).
//
// The γ and β of hidden layer l = 1…L−1 sit after every linear layer's
// weights and biases in Params, in layer order, γ before β, so the linear
// layers keep their offsets.

// layerNormEps is PyTorch's default ε.
const layerNormEps = 1e-5

// lnCache keeps what the passes through one hidden layer's normalisation
// need: n and 1/s per row, and (the monotone model's tangent passes) ṅ,
// D = mean(n ż) and the adjoints ȳ and ẏ̄ of the reverse pass through the
// tangent, for the parameter gradient.
type lnCache struct {
	n, inv  []float64
	nd, dot []float64
	yb, ydb []float64
}

func newLNCache(batch, m int) lnCache {
	return lnCache{
		n: make([]float64, batch*m), inv: make([]float64, batch), nd: make([]float64, batch*m), dot: make([]float64, batch),
		yb: make([]float64, batch*m), ydb: make([]float64, batch*m),
	}
}

// linearParams is the number of weights and biases of the linear layers.
func (n *MLP) linearParams() int {
	p := 0
	for l := 0; l < n.Layers(); l++ {
		p += n.Sizes[l+1] * (n.Sizes[l] + 1)
	}
	return p
}

// normParams is the number of γ and β of the hidden layers' normalisations
// (0 without layer norm).
func (n *MLP) normParams() int {
	if !n.Norm {
		return 0
	}
	p := 0
	for l := 1; l < len(n.Sizes)-1; l++ {
		p += 2 * n.Sizes[l]
	}
	return p
}

// norm returns views of hidden node l's γ and β in p, which is Params or a
// gradient laid out like it.
func (n *MLP) norm(p []float64, l int) (gamma, beta []float64) {
	off := n.linearParams()
	for k := 1; k < l; k++ {
		off += 2 * n.Sizes[k]
	}
	m := n.Sizes[l]
	return p[off : off+m], p[off+m : off+2*m]
}

// AddLayerNorm gives every hidden layer a layer normalisation with γ = 1
// and β = 0, appended to Params (the linear layers keep their values, so a
// network drawn from a seed is the same with and without it). It does
// nothing to a network that has one.
func (n *MLP) AddLayerNorm() {
	if n.Norm {
		return
	}
	n.Norm = true
	n.Params = append(n.Params, make([]float64, n.normParams())...)
	for l := 1; l < len(n.Sizes)-1; l++ {
		gamma, _ := n.norm(n.Params, l)
		for i := range gamma {
			gamma[i] = 1
		}
	}
	n.one = nil
}

// lnForward normalises the batch rows of z (width m) in place to
// y = γ n + β and keeps n and 1/s in c.
func lnForward(z []float64, m int, gamma, beta []float64, c *lnCache) {
	for r := 0; r*m < len(z); r++ {
		row, nr := z[r*m:(r+1)*m], c.n[r*m:(r+1)*m]
		mean := 0.0
		for _, v := range row {
			mean += v
		}
		mean /= float64(m)
		vr := 0.0
		for _, v := range row {
			vr += (v - mean) * (v - mean)
		}
		inv := 1 / math.Sqrt(vr/float64(m)+layerNormEps)
		c.inv[r] = inv
		for i, v := range row {
			nr[i] = (v - mean) * inv
			row[i] = gamma[i]*nr[i] + beta[i]
		}
	}
}

// lnProject sets w = P(γ ⊙ w) row by row (P of the package comment; γ nil
// means 1): the adjoint of z from the adjoint w of y, or ṅ from ż.
func lnProject(w []float64, m int, gamma []float64, c *lnCache) {
	for r := 0; r*m < len(w); r++ {
		row, nr := w[r*m:(r+1)*m], c.n[r*m:(r+1)*m]
		if gamma != nil {
			for i := range row {
				row[i] *= gamma[i]
			}
		}
		mean, mn := 0.0, 0.0
		for i, v := range row {
			mean += v
			mn += v * nr[i]
		}
		mean /= float64(m)
		mn /= float64(m)
		inv := c.inv[r]
		for i, v := range row {
			row[i] = inv * (v - mean - nr[i]*mn)
		}
	}
}

// lnParamGrad adds Σ_rows ȳ ⊙ n (and, with ẏ̄ and ṅ, Σ ẏ̄ ⊙ ṅ) to dgamma
// and Σ_rows ȳ to dbeta.
func lnParamGrad(ybar, ydbar []float64, m int, c *lnCache, dgamma, dbeta []float64) {
	for r := 0; r*m < len(ybar); r++ {
		for i := 0; i < m; i++ {
			k := r*m + i
			dgamma[i] += ybar[k] * c.n[k]
			dbeta[i] += ybar[k]
			if ydbar != nil {
				dgamma[i] += ydbar[k] * c.nd[k]
			}
		}
	}
}

// lnTangent turns ż (the rows of zd) into ẏ = γ ⊙ ṅ in place, keeping ṅ
// and D = mean(n ż) in c.
func lnTangent(zd []float64, m int, gamma []float64, c *lnCache) {
	for r := 0; r*m < len(zd); r++ {
		row, nr := zd[r*m:(r+1)*m], c.n[r*m:(r+1)*m]
		d := 0.0
		for i, v := range row {
			d += nr[i] * v
		}
		c.dot[r] = d / float64(m)
	}
	copy(c.nd, zd)
	lnProject(c.nd, m, nil, c)
	for r := 0; r*m < len(zd); r++ {
		for i := 0; i < m; i++ {
			zd[r*m+i] = gamma[i] * c.nd[r*m+i]
		}
	}
}

// lnSecond turns ȳ (the rows of gd, the adjoint of the primal y in the
// reverse pass through the tangent) into the adjoint of z in place:
// P(γ ⊙ ȳ) + ∇_z(ṅ̄ᵀ ṅ), with ṅ̄ = γ ⊙ ẏ̄, ẏ̄ = p ⊙ s1 (the adjoint of ẏ:
// the primal reverse pass's adjoint p of the activation times σ′) and
// P(ṅ̄) = g, the adjoint of ż (the reverse pass's own). ȳ and ẏ̄ are kept
// in c for lnParamGrad.
func lnSecond(gd, p, s1, g []float64, m int, gamma []float64, c *lnCache) {
	copy(c.yb, gd)
	for i := range c.ydb {
		c.ydb[i] = p[i] * s1[i]
	}
	lnProject(gd, m, gamma, c)
	fm := float64(m)
	for r := 0; r*m < len(gd); r++ {
		phi, b := 0.0, 0.0
		for i := 0; i < m; i++ {
			k := r*m + i
			nb := gamma[i] * c.ydb[k]
			phi += nb * c.nd[k]
			b += nb * c.n[k]
		}
		inv := c.inv[r]
		for i := 0; i < m; i++ {
			k := r*m + i
			gd[k] -= inv * (phi/fm*c.n[k] + b/fm*c.nd[k] + c.dot[r]*g[k])
		}
	}
}
