package engine

import (
	"fmt"
	"math"
	"math/rand/v2"

	"gonum.org/v1/gonum/blas"

	"github.com/rgflow/rgflow/internal/quote"
	"github.com/rgflow/rgflow/kernels"
)

// Activation is the non-linearity of the hidden layers.
type Activation int

const (
	ReLU Activation = iota
	SiLU
	Tanh
)

func (a Activation) String() string {
	switch a {
	case ReLU:
		return "relu"
	case SiLU:
		return "silu"
	case Tanh:
		return "tanh"
	}
	return fmt.Sprintf("Activation(%d)", int(a))
}

// ParseActivation reads "relu", "silu" or "tanh".
func ParseActivation(s string) (Activation, error) {
	switch s {
	case "relu", "ReLU":
		return ReLU, nil
	case "silu", "SiLU", "swish":
		return SiLU, nil
	case "tanh":
		return Tanh, nil
	}
	return 0, fmt.Errorf("unknown activation %s (relu, silu or tanh)", quote.Short(s))
}

func sigmoid(z float64) float64 { return 1 / (1 + math.Exp(-z)) }

func (a Activation) apply(z float64) float64 {
	switch a {
	case ReLU:
		return max(z, 0)
	case SiLU:
		return z * sigmoid(z)
	default:
		return math.Tanh(z)
	}
}

// deriv is the activation's derivative at pre-activation z.
func (a Activation) deriv(z float64) float64 {
	switch a {
	case ReLU:
		if z > 0 {
			return 1
		}
		return 0
	case SiLU:
		s := sigmoid(z)
		return s * (1 + z*(1-s))
	default:
		t := math.Tanh(z)
		return 1 - t*t
	}
}

// activate sets dst[i] = act(z[i]), the ReLU on the network's kernel
// path (kernels.Path.Relu), the smooth activations here.
func (n *MLP) activate(dst, z []float64) {
	if n.Act == ReLU {
		n.kern.Relu(dst, z)
		return
	}
	for i, v := range z {
		dst[i] = n.Act.apply(v)
	}
}

// derivMul multiplies g[i] by act′(z[i]), the ReLU's on the network's
// kernel path (kernels.Path.ReluMask: branch-free, on the bits).
func (n *MLP) derivMul(g, z []float64) {
	if n.Act == ReLU {
		n.kern.ReluMask(g, z)
		return
	}
	for i, v := range z {
		g[i] *= n.Act.deriv(v)
	}
}

// MLP is a fully connected network: linear layers with the activation
// between them and a linear output. Parameters live in one flat slice
// (per layer: weights out×in row-major, then biases) so that the optimiser
// and checkpoints see a single vector.
type MLP struct {
	Sizes  []int
	Act    Activation
	Params []float64
	// Norm: every hidden layer normalises its pre-activation (layernorm.go),
	// with its γ and β after the linear layers in Params.
	Norm bool

	kern kernels.Path // matrix products and vector tanh; the zero Path is the fastest
	one  *Tape        // for Eval; an MLP is not for concurrent use
	jac  *Tape        // for Jacobian (a batch of Out rows: apart from one, so neither is reallocated)
}

// NewMLP builds a network with the given layer sizes, initialised as
// PyTorch's nn.Linear does: weights and biases uniform in ±1/√fan_in.
// Options: WithKernels.
func NewMLP(sizes []int, act Activation, rng *rand.Rand, opts ...Option) *MLP {
	if len(sizes) < 2 {
		panic("engine: an MLP needs at least input and output sizes")
	}
	o := newOptions(opts)
	n := &MLP{Sizes: append([]int(nil), sizes...), Act: act, kern: o.kernels}
	n.Params = make([]float64, n.NumParams())
	for l := 0; l < n.Layers(); l++ {
		bound := 1 / math.Sqrt(float64(sizes[l]))
		W, b := n.layer(n.Params, l)
		for i := range W {
			W[i] = bound * (2*rng.Float64() - 1)
		}
		for i := range b {
			b[i] = bound * (2*rng.Float64() - 1)
		}
	}
	return n
}

// Kernels is the kernel path of the network's products.
func (n *MLP) Kernels() kernels.Path { return n.kern }

// Layers is the number of linear layers.
func (n *MLP) Layers() int { return len(n.Sizes) - 1 }

// NumParams counts weights and biases (and the normalisations' γ and β).
func (n *MLP) NumParams() int { return n.linearParams() + n.normParams() }

// In and Out are the input and output widths.
func (n *MLP) In() int  { return n.Sizes[0] }
func (n *MLP) Out() int { return n.Sizes[len(n.Sizes)-1] }

// layer returns views of layer l's weights (out×in) and biases in p, which
// is Params or a gradient laid out like it.
func (n *MLP) layer(p []float64, l int) (W, b []float64) {
	off := 0
	for k := 0; k < l; k++ {
		off += n.Sizes[k+1] * (n.Sizes[k] + 1)
	}
	in, out := n.Sizes[l], n.Sizes[l+1]
	return p[off : off+out*in], p[off+out*in : off+out*in+out]
}

// Tape keeps the activations of one forward pass for the backward pass.
type Tape struct {
	batch int
	pre   [][]float64 // pre[l]: input of the activation after layer l−1 (l ≥ 1)
	post  [][]float64 // post[0]: the input; post[l]: output of layer l−1 (activated unless last)
	grad  [][]float64 // scratch for the backward pass
	ln    []lnCache   // ln[l]: hidden node l's normalisation (Norm)
}

// holds reports whether t's buffers have room for batch rows of a network
// of these sizes.
func (t *Tape) holds(sizes []int, batch int) bool {
	if len(t.post) != len(sizes) {
		return false
	}
	for l, w := range sizes {
		if cap(t.pre[l]) < batch*w || cap(t.post[l]) < batch*w || cap(t.grad[l]) < batch*w {
			return false
		}
	}
	return true
}

func (n *MLP) tape(t *Tape, batch int) *Tape {
	if t == nil {
		t = &Tape{}
	}
	if t.batch == batch && len(t.post) == len(n.Sizes) && n.Norm == (t.ln != nil) {
		return t
	}
	if !n.Norm && t.ln == nil && t.holds(n.Sizes, batch) {
		// a batch no larger than one before (Newton's line search alternates
		// between 11 and 12 points): the same buffers, resliced
		t.batch = batch
		for l, w := range n.Sizes {
			t.pre[l], t.post[l], t.grad[l] = t.pre[l][:batch*w], t.post[l][:batch*w], t.grad[l][:batch*w]
		}
		return t
	}
	t.batch = batch
	t.pre = make([][]float64, len(n.Sizes))
	t.post = make([][]float64, len(n.Sizes))
	t.grad = make([][]float64, len(n.Sizes))
	for l, w := range n.Sizes {
		t.pre[l] = make([]float64, batch*w)
		t.post[l] = make([]float64, batch*w)
		t.grad[l] = make([]float64, batch*w)
	}
	t.ln = nil
	if n.Norm {
		t.ln = make([]lnCache, len(n.Sizes))
		for l := 1; l < len(n.Sizes)-1; l++ {
			t.ln[l] = newLNCache(batch, n.Sizes[l])
		}
	}
	return t
}

// gemm computes C = op(A)·op(B) + beta·C for the three products the network
// needs, on the network's kernel path (kernels/dense); C is rows×cols and
// the sum runs over depth. Every product goes there, even a single row:
// dense sums each element in the same order whatever the batch, so f from
// Eval and from Jacobian's batch agree to the last bit.
func (n *MLP) gemm(tA, tB blas.Transpose, rows, cols, depth int, a []float64, lda int, b []float64, ldb int, beta float64, c []float64, ldc int) {
	n.kern.Dense().Gemm(tA == blas.Trans, tB == blas.Trans, rows, cols, depth, a, lda, b, ldb, beta, c, ldc)
}

// weightsT is a snapshot of a network's weights transposed: layer l's
// Wᵀ (in×out, row-major), which kernels/dense reads in place as the B of
// an NN product instead of packing W for an NT one on every call. Every
// element of a product is the same sum in the same order either way, so
// the results are the same bits.
type weightsT struct{ w [][]float64 }

// snapshotT fills wt with the current weights, transposed: four rows of
// Wᵀ at a time, from four adjacent values of each row of W (3× faster
// than one element at a time at the network's widths).
func (n *MLP) snapshotT(wt *weightsT) {
	L := n.Layers()
	if len(wt.w) != L {
		wt.w = make([][]float64, L)
	}
	for l := 0; l < L; l++ {
		in, out := n.Sizes[l], n.Sizes[l+1]
		W, _ := n.layer(n.Params, l)
		if len(wt.w[l]) != in*out {
			wt.w[l] = make([]float64, in*out)
		}
		dst := wt.w[l]
		i := 0
		for ; i+4 <= in; i += 4 {
			r0, r1 := dst[i*out:(i+1)*out], dst[(i+1)*out:(i+2)*out]
			r2, r3 := dst[(i+2)*out:(i+3)*out], dst[(i+3)*out:(i+4)*out]
			for j := range r0 {
				w := W[j*in+i : j*in+i+4]
				r0[j], r1[j], r2[j], r3[j] = w[0], w[1], w[2], w[3]
			}
		}
		for ; i < in; i++ {
			row := dst[i*out : (i+1)*out]
			for j := range row {
				row[j] = W[j*in+i]
			}
		}
	}
}

// linear computes z = beta·z + a·W_lᵀ (rows×out) for layer l: an NT
// product with W, or, with a snapshot wt, the NN product with its Wᵀ.
func (n *MLP) linear(l, rows int, a []float64, beta float64, z []float64, wt *weightsT) {
	in, out := n.Sizes[l], n.Sizes[l+1]
	if wt != nil {
		n.gemm(blas.NoTrans, blas.NoTrans, rows, out, in, a, in, wt.w[l], out, beta, z, out)
		return
	}
	W, _ := n.layer(n.Params, l)
	n.gemm(blas.NoTrans, blas.Trans, rows, out, in, a, in, W, in, beta, z, out)
}

// forward evaluates the network on batch rows of x (batch×In) and returns
// the outputs (batch×Out), which belong to the tape t (nil: a new one),
// with the products on the snapshot wt when it is not nil (the same bits).
// Forward is the Network's entry point (network.go).
func (n *MLP) forward(x []float64, batch int, t *Tape, wt *weightsT) ([]float64, *Tape) {
	t = n.tape(t, batch)
	copy(t.post[0], x[:batch*n.In()])
	L := n.Layers()
	for l := 0; l < L; l++ {
		out := n.Sizes[l+1]
		_, b := n.layer(n.Params, l)
		z := t.pre[l+1]
		fillRows(z[:batch*out], b)
		n.linear(l, batch, t.post[l], 1, z, wt)
		a := t.post[l+1]
		if l == L-1 {
			copy(a, z)
		} else {
			if n.Norm {
				gamma, beta := n.norm(n.Params, l+1)
				lnForward(z, out, gamma, beta, &t.ln[l+1])
			}
			n.activate(a, z)
		}
	}
	return t.post[L], t
}

// fillRows sets every row of z (rows of len(b)) to b, by doubling copies:
// a copy per row costs more in calls than in bytes at the network's widths.
func fillRows(z, b []float64) {
	if len(z) == 0 {
		return
	}
	n := copy(z, b)
	for n < len(z) {
		n += copy(z[n:], z[:n])
	}
}

// backward propagates dy = ∂L/∂output (batch×Out) through the pass recorded
// in t. dParams (laid out like Params) is accumulated into when not nil;
// dx (batch×In) is overwritten with ∂L/∂input when not nil (Backward).
func (n *MLP) backward(t *Tape, dy []float64, dParams, dx []float64) {
	batch := t.batch
	L := n.Layers()
	g := t.grad[L]
	copy(g, dy[:batch*n.Out()])
	for l := L - 1; l >= 0; l-- {
		in, out := n.Sizes[l], n.Sizes[l+1]
		if l < L-1 {
			n.derivMul(g, t.pre[l+1])
			if n.Norm {
				gamma, _ := n.norm(n.Params, l+1)
				if dParams != nil {
					dg, db := n.norm(dParams, l+1)
					lnParamGrad(g, nil, out, &t.ln[l+1], dg, db)
				}
				lnProject(g, out, gamma, &t.ln[l+1])
			}
		}
		W, _ := n.layer(n.Params, l)
		if dParams != nil {
			dW, db := n.layer(dParams, l)
			n.gemm(blas.Trans, blas.NoTrans, out, in, batch, g, out, t.post[l], in, 1, dW, in)
			for r := 0; r < batch; r++ {
				for j := 0; j < out; j++ {
					db[j] += g[r*out+j]
				}
			}
		}
		if l == 0 && dx == nil {
			break
		}
		prev := t.grad[l]
		if l == 0 {
			prev = dx[:batch*in]
		}
		n.gemm(blas.NoTrans, blas.NoTrans, batch, in, out, g, out, W, in, 0, prev, in)
		g = prev
	}
}

// Jacobian returns ∂f_i/∂x_j (Out×In, row-major) at one point, by one
// batched backward pass with the identity as output gradient.
//
// The backward pass needs Out copies of the forward pass at x: it runs
// once, on one row, and its tape is copied to the others (every row of a
// batch has the bits a lone row would have).
func (n *MLP) Jacobian(x []float64) (f, jac []float64) { return n.jacobian(x, nil) }

// jacobian is Jacobian with the forward products on the snapshot wt when
// it is not nil (the same bits).
func (n *MLP) jacobian(x []float64, wt *weightsT) (f, jac []float64) {
	_, t1 := n.forward(x, 1, n.one, wt)
	n.one = t1
	return n.jacobianOf(t1, 0)
}

// jacobianOf is the Jacobian at the point of row r of the forward pass
// recorded in src (which has the bits a pass of that point alone has), by
// Jacobian's backward pass.
func (n *MLP) jacobianOf(src *Tape, r int) (f, jac []float64) {
	in, out := n.In(), n.Out()
	t := n.tape(n.jac, out)
	n.jac = t
	for l, w := range n.Sizes {
		for k := 0; k < out; k++ {
			copy(t.pre[l][k*w:(k+1)*w], src.pre[l][r*w:(r+1)*w])
			copy(t.post[l][k*w:(k+1)*w], src.post[l][r*w:(r+1)*w])
		}
	}
	if n.Norm {
		for l := 1; l < len(n.Sizes)-1; l++ {
			w := n.Sizes[l]
			for k := 0; k < out; k++ {
				copy(t.ln[l].n[k*w:(k+1)*w], src.ln[l].n[r*w:(r+1)*w])
				t.ln[l].inv[k] = src.ln[l].inv[r]
			}
		}
	}
	f = append([]float64(nil), src.post[len(n.Sizes)-1][r*out:(r+1)*out]...)
	dy := make([]float64, out*out)
	for i := 0; i < out; i++ {
		dy[i*out+i] = 1
	}
	jac = make([]float64, out*in)
	n.backward(t, dy, nil, jac)
	return f, jac
}

// Eval evaluates the network at one point.
func (n *MLP) Eval(x []float64) []float64 { return n.eval(x, nil) }

// eval is Eval with the products on the snapshot wt when it is not nil.
func (n *MLP) eval(x []float64, wt *weightsT) []float64 {
	y, t := n.forward(x, 1, n.one, wt)
	n.one = t
	return append([]float64(nil), y...)
}
