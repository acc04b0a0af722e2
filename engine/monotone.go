package engine

import (
	"fmt"

	"gonum.org/v1/gonum/blas"

	"github.com/rgflow/rgflow/kernels"
)

// MonotoneModel is the RG-monotone variant (seed §III.B, docs/conventions.md §10): a
// scalar network C_θ(J) = net(J) − net(0), so that C_θ(0) = 0, and the map
//
//	J′ = J − ∇_J C_θ(J),   f(J) = −∇C(J),   ∂f/∂J = −H_C(J).
//
// The gradient g = ∇_J net is a reverse pass through the network; every
// other derivative is a forward-mode tangent of the forward and reverse
// passes (the tangent of g in a direction v is the Hessian-vector product
// H v):
//
//   - HMC needs ∇_J β‖g‖² = 2β H g: the tangent in direction g;
//   - Newton needs H: the tangents in the c unit directions, as one batch;
//   - training needs ∂/∂θ of vᵀg for v = ∂L/∂J′, which is ∂/∂θ of the
//     tangent output ẏ = vᵀ∇y: reverse mode through the primal and tangent
//     passes together. With G_l = ∂y/∂z_l (the reverse pass) and Ġ_l its
//     tangent, it comes out as ∂(vᵀg)/∂W_l = Ġ_{l+1}ᵀ a_l + G_{l+1}ᵀ ȧ_l and
//     ∂(vᵀg)/∂b_l = Σ Ġ_{l+1}, so one stacked product [Ġ; G]ᵀ[a; ȧ] per
//     layer.
//
// All passes are batched row-major products like the MLP's. The network
// needs a smooth activation: ReLU's second derivative is zero almost
// everywhere, so H_C would be a constant and training could not shape it.
// A network built with ReLU (the config's default, chosen for the flow
// model) is therefore run with tanh instead.
type MonotoneModel struct {
	N *MLP

	train, hmc   monoPass // Map/Backward, Potential
	one, pt, pts monoPass // FlowJacobian, Flow, FlowBatch
	ptsOut       []float64
	shards       []*MonotoneModel // HMC's shards: the same network, buffers of their own
	snap         *weightsT        // the shards' snapshot of the transposed weights
	wt           *weightsT        // a shard's or a frozen view's: the snapshot its products read (nil: the weights)
	frozen       *MonotoneModel   // Frozen's view, reused
	out          []float64
	eye          []float64
}

// NewMonotoneModel wraps an MLP whose input width is c. A network with
// more than one output (as the trainer builds for the flow model) keeps its
// hidden layers and the first unit of its output layer; ReLU becomes tanh.
// The network is changed in place, so a trainer that sizes its optimiser
// from it afterwards sees the parameters the model trains.
func NewMonotoneModel(n *MLP) (*MonotoneModel, error) {
	if n.Layers() < 1 {
		return nil, fmt.Errorf("monotone model: the network has no layers")
	}
	if n.Out() != 1 {
		L := n.Layers()
		in, out := n.Sizes[L-1], n.Sizes[L]
		W, b := n.layer(n.Params, L-1)
		lin := n.linearParams()
		off := lin - out*(in+1)
		w0, b0 := append([]float64(nil), W[:in]...), b[0]
		norms := append([]float64(nil), n.Params[lin:]...) // layer norm's γ, β
		n.Params = append(append(append(n.Params[:off:off], w0...), b0), norms...)
		n.Sizes[L] = 1
	}
	switch n.Act {
	case ReLU:
		n.Act = Tanh
	case Tanh, SiLU:
	default:
		return nil, fmt.Errorf("monotone model: activation %v is not smooth (use tanh or silu)", n.Act)
	}
	return &MonotoneModel{N: n}, nil
}

func (m *MonotoneModel) Net() Network      { return m.N }
func (m *MonotoneModel) Params() []float64 { return m.N.Params }

// monoPass holds the buffers of one batched evaluation. Nodes l = 0…L are
// the input (0), the hidden layers and the output (L); linear layer l maps
// node l to node l+1.
type monoPass struct {
	batch int
	sizes []int
	AA    [][]float64 // node l < L: rows [0,B) a_l, rows [B,2B) the tangent ȧ_l
	Z     [][]float64 // hidden nodes: pre-activations z_l
	S1    [][]float64 // σ′(z_l)
	S2    [][]float64 // σ″(z_l)
	P     [][]float64 // node l < L: ∂y/∂a_l (P[0] = g)
	GG    [][]float64 // node l ≥ 1: rows [0,B) Ġ_l, rows [B,2B) G_l = ∂y/∂z_l
	Zd    [][]float64 // hidden nodes: ż_l
	Pd    [][]float64 // node l < L: Ṗ_l (Pd[0] = H v)
	y     []float64   // outputs
	ln    []lnCache   // hidden nodes' normalisations (network.layer_norm)
}

func (p *monoPass) ensure(sizes []int, batch int, norm bool) {
	if p.batch == batch && len(p.sizes) == len(sizes) && norm == (p.ln != nil) {
		same := true
		for i := range sizes {
			same = same && sizes[i] == p.sizes[i]
		}
		if same {
			return
		}
	}
	L := len(sizes) - 1
	*p = monoPass{batch: batch, sizes: append([]int(nil), sizes...)}
	mk := func(rows int) [][]float64 {
		out := make([][]float64, L+1)
		for l, w := range sizes {
			out[l] = make([]float64, rows*w)
		}
		return out
	}
	p.AA, p.GG = mk(2*batch), mk(2*batch)
	p.Z, p.S1, p.S2, p.P, p.Zd, p.Pd = mk(batch), mk(batch), mk(batch), mk(batch), mk(batch), mk(batch)
	p.y = make([]float64, batch)
	if norm {
		p.ln = make([]lnCache, L+1)
		for l := 1; l < L; l++ {
			p.ln[l] = newLNCache(batch, sizes[l])
		}
	}
}

// activate sets a = σ(z), s1 = σ′(z), s2 = σ″(z), with the vector tanh of
// kernel path kern.
func activate(kern kernels.Path, act Activation, z, a, s1, s2 []float64) {
	switch act {
	case SiLU:
		// s = σ(z) = (1 + tanh(z/2))/2: one vector tanh for the batch
		for i, v := range z {
			s1[i] = 0.5 * v
		}
		kern.Tanh(a, s1)
		for i, v := range z {
			s := 0.5 + 0.5*a[i]
			a[i] = v * s
			s1[i] = s * (1 + v*(1-s))
			s2[i] = s * (1 - s) * (2 + v*(1-2*s))
		}
	default: // tanh
		kern.Tanh(a, z)
		for i, t := range a {
			d := 1 - t*t
			s1[i] = d
			s2[i] = -2 * t * d
		}
	}
}

// forward runs the network on the batch rows of x and the reverse pass for
// g = ∇_x y, left in p.P[0].
func (m *MonotoneModel) forward(p *monoPass, x []float64, batch int) {
	n := m.N
	p.ensure(n.Sizes, batch, n.Norm)
	L := n.Layers()
	B := batch
	copy(p.AA[0][:B*n.Sizes[0]], x[:B*n.Sizes[0]])
	for l := 0; l < L; l++ {
		in, out := n.Sizes[l], n.Sizes[l+1]
		_, b := n.layer(n.Params, l)
		z := p.Z[l+1]
		if l == L-1 {
			z = p.y
		}
		fillRows(z[:B*out], b)
		n.linear(l, B, p.AA[l][:B*in], 1, z, m.wt)
		if l < L-1 {
			if n.Norm {
				gamma, beta := n.norm(n.Params, l+1)
				lnForward(z, out, gamma, beta, &p.ln[l+1])
			}
			activate(n.kern, n.Act, z, p.AA[l+1][:B*out], p.S1[l+1], p.S2[l+1])
		}
	}
	// reverse: G_L = 1, P_{L−1} = w, then P_l = G_{l+1} W_l, G_l = P_l σ′(z_l)
	wOut, _ := n.layer(n.Params, L-1)
	in := n.Sizes[L-1]
	for r := 0; r < B; r++ {
		copy(p.P[L-1][r*in:(r+1)*in], wOut)
		p.GG[L][B+r] = 1
	}
	for l := L - 1; l >= 0; l-- {
		w := n.Sizes[l]
		if l < L-1 {
			W, _ := n.layer(n.Params, l)
			n.gemm(blas.NoTrans, blas.NoTrans, B, w, n.Sizes[l+1], p.GG[l+1][B*n.Sizes[l+1]:], n.Sizes[l+1], W, w, 0, p.P[l], w)
		}
		if l >= 1 {
			G, P, s1 := p.GG[l][B*w:], p.P[l], p.S1[l]
			for i := range P {
				G[i] = P[i] * s1[i]
			}
			if n.Norm {
				gamma, _ := n.norm(n.Params, l)
				lnProject(G, w, gamma, &p.ln[l])
			}
		}
	}
}

// tangent propagates direction v (batch×c) through the forward and the
// reverse pass of p: ȧ, ż, Ġ and Ṗ, with Ṗ_0 = H v left in p.Pd[0].
func (m *MonotoneModel) tangent(p *monoPass, v []float64) {
	n := m.N
	L := n.Layers()
	B := p.batch
	c := n.Sizes[0]
	copy(p.AA[0][B*c:2*B*c], v[:B*c])
	for l := 0; l < L-1; l++ {
		in, out := n.Sizes[l], n.Sizes[l+1]
		zd := p.Zd[l+1]
		n.linear(l, B, p.AA[l][B*in:2*B*in], 0, zd, m.wt)
		if n.Norm { // ż → ẏ
			gamma, _ := n.norm(n.Params, l+1)
			lnTangent(zd, out, gamma, &p.ln[l+1])
		}
		ad, s1 := p.AA[l+1][B*out:2*B*out], p.S1[l+1]
		for i, z := range zd {
			ad[i] = s1[i] * z
		}
	}
	// Ġ_L = 0 and Ṗ_{L−1} = 0; Ġ_l = Ṗ_l σ′ + P_l σ″ ż_l; Ṗ_l = Ġ_{l+1} W_l
	clear(p.GG[L][:B])
	if L == 1 {
		clear(p.Pd[0])
		return
	}
	clear(p.Pd[L-1])
	for l := L - 1; l >= 1; l-- {
		w := n.Sizes[l]
		Gd, Pd, P, s1, s2, zd := p.GG[l][:B*w], p.Pd[l], p.P[l], p.S1[l], p.S2[l], p.Zd[l]
		for i := range Gd {
			Gd[i] = Pd[i]*s1[i] + P[i]*s2[i]*zd[i]
		}
		if n.Norm {
			gamma, _ := n.norm(n.Params, l)
			lnSecond(Gd, P, s1, p.GG[l][B*w:], w, gamma, &p.ln[l])
		}
		W, _ := n.layer(n.Params, l-1)
		prev := n.Sizes[l-1]
		n.gemm(blas.NoTrans, blas.NoTrans, B, prev, w, Gd, w, W, prev, 0, p.Pd[l-1], prev)
	}
}

// paramGrad adds ∂(Σ_rows vᵀg)/∂θ for the direction of the last tangent.
func (m *MonotoneModel) paramGrad(p *monoPass, dParams []float64) {
	n := m.N
	L := n.Layers()
	B := p.batch
	for l := 0; l < L; l++ {
		in, out := n.Sizes[l], n.Sizes[l+1]
		dW, db := n.layer(dParams, l)
		n.gemm(blas.Trans, blas.NoTrans, out, in, 2*B, p.GG[l+1][:2*B*out], out, p.AA[l][:2*B*in], in, 1, dW, in)
		Gd := p.GG[l+1][:B*out]
		for r := 0; r < B; r++ {
			for j, v := range Gd[r*out : (r+1)*out] {
				db[j] += v
			}
		}
		if n.Norm && l < L-1 {
			c := &p.ln[l+1]
			dg, dbeta := n.norm(dParams, l+1)
			lnParamGrad(c.yb, c.ydb, out, c, dg, dbeta)
		}
	}
}

func (m *MonotoneModel) Map(J []float64, batch int) []float64 {
	m.forward(&m.train, J, batch)
	c := m.N.In()
	if len(m.out) != batch*c {
		m.out = make([]float64, batch*c)
	}
	g := m.train.P[0]
	for i := range m.out {
		m.out[i] = J[i] - g[i]
	}
	return m.out
}

// Backward: J′ = J − g, so ∂L/∂θ = −∂(Σ dJp·g)/∂θ, the parameter gradient
// of the tangent in direction −dJp.
func (m *MonotoneModel) Backward(dJp, dParams []float64) {
	p := &m.train
	v := p.Pd[0] // scratch of the right size, overwritten by tangent
	for i := range v {
		v[i] = -dJp[i]
	}
	m.tangent(p, v)
	m.paramGrad(p, dParams)
}

// Potential: U = β‖f‖² = β‖g‖², ∇_J U = 2β H g.
func (m *MonotoneModel) Potential(J []float64, batch int, beta float64, U, grad []float64) {
	p := &m.hmc
	m.forward(p, J, batch)
	c := m.N.In()
	g := p.P[0]
	for r := 0; r < batch; r++ {
		U[r] = beta * sqNorm(g[r*c:(r+1)*c])
	}
	m.tangent(p, g)
	Hg := p.Pd[0]
	for i := range grad[:batch*c] {
		grad[i] = 2 * beta * Hg[i]
	}
}

// Shards implements ShardedTarget: the shards share one snapshot of the
// transposed weights, taken now, for their forward and tangent products.
func (m *MonotoneModel) Shards(n int) []HMCTarget {
	return shardsOf(m.N, &m.snap, &m.shards, n, func(sh *MonotoneModel, w *weightsT) { sh.N, sh.wt = m.N, w })
}

// shardsOf returns n shards of a model over net, grown in *pool as needed
// and bound to net by bind: every shard reads one snapshot of the
// transposed weights (*snap), taken now, and has buffers of its own.
func shardsOf[M any, P interface {
	*M
	HMCTarget
}](net *MLP, snap **weightsT, pool *[]P, n int, bind func(P, *weightsT)) []HMCTarget {
	if *snap == nil {
		*snap = new(weightsT)
	}
	net.snapshotT(*snap)
	out := make([]HMCTarget, n)
	for i := range out {
		if i == len(*pool) {
			*pool = append(*pool, P(new(M)))
		}
		sh := (*pool)[i]
		bind(sh, *snap)
		out[i] = sh
	}
	return out
}

// Frozen implements Freezer; a view (a frozen one, or an HMC shard) is
// its own.
func (m *MonotoneModel) Frozen() Model {
	if m.wt != nil {
		return m
	}
	if m.frozen == nil {
		m.frozen = &MonotoneModel{wt: new(weightsT)}
	}
	m.frozen.N = m.N
	m.N.snapshotT(m.frozen.wt)
	return m.frozen
}

// FlowJacobian returns f = −g and ∂f/∂J = −H, from the tangents in the c
// unit directions (one batch of c copies of J).
//
// The primal pass is the same for the c rows: it runs once, on one row,
// and is copied to the others (every row of a batch has the bits a lone
// row would have).
func (m *MonotoneModel) FlowJacobian(J []float64) (f, jac []float64) {
	c := m.N.In()
	p := &m.one
	p1 := &m.pt
	m.forward(p1, J, 1)
	p.ensure(m.N.Sizes, c, m.N.Norm)
	L := m.N.Layers()
	for l, w := range m.N.Sizes {
		for r := 0; r < c; r++ {
			row := func(dst, src []float64) { copy(dst[r*w:(r+1)*w], src[:w]) }
			if l < L {
				row(p.AA[l], p1.AA[l])
				row(p.P[l], p1.P[l])
			}
			if l >= 1 {
				row(p.GG[l][c*w:], p1.GG[l][w:])
			}
			if l >= 1 && l < L {
				row(p.Z[l], p1.Z[l])
				row(p.S1[l], p1.S1[l])
				row(p.S2[l], p1.S2[l])
				if p.ln != nil { // the normalisation's forward state
					row(p.ln[l].n, p1.ln[l].n)
					p.ln[l].inv[r] = p1.ln[l].inv[0]
				}
			}
		}
	}
	for r := 0; r < c; r++ {
		p.y[r] = p1.y[0]
	}
	if len(m.eye) != c*c {
		m.eye = make([]float64, c*c)
		for i := 0; i < c; i++ {
			m.eye[i*c+i] = 1
		}
	}
	f = make([]float64, c)
	for i := range f {
		f[i] = -p.P[0][i]
	}
	m.tangent(p, m.eye)
	jac = make([]float64, c*c)
	for i, v := range p.Pd[0][:c*c] {
		jac[i] = -v
	}
	return f, jac
}

func (m *MonotoneModel) Flow(J []float64) []float64 {
	c := m.N.In()
	m.forward(&m.pt, J, 1)
	f := make([]float64, c)
	for i := range f {
		f[i] = -m.pt.P[0][i]
	}
	return f
}

func (m *MonotoneModel) FlowBatch(J []float64, n int) []float64 {
	c := m.N.In()
	m.forward(&m.pts, J, n)
	if len(m.ptsOut) != n*c {
		m.ptsOut = make([]float64, n*c)
	}
	for i, g := range m.pts.P[0][:n*c] {
		m.ptsOut[i] = -g
	}
	return m.ptsOut
}

// Value returns C_θ(J) = net(J) − net(0).
func (m *MonotoneModel) Value(J []float64) float64 {
	c := m.N.In()
	x := make([]float64, 2*c)
	copy(x, J)
	var p monoPass
	m.forward(&p, x, 2)
	return p.y[0] - p.y[1]
}
