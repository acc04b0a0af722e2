package engine

import (
	"fmt"
	"math/rand/v2"

	"github.com/rgflow/rgflow/kernels"
)

// Network is the seam between the models and a network family: what the
// flow model, the trainer, checkpoints and rgflow flow ask of the function
// x ∈ R^In ↦ y ∈ R^Out whose parameters θ are trained. *MLP is the one
// family today.
//
// A new family provides, in a file of its own:
//   - the methods below: the widths, the parameter vector (one flat slice,
//     updated in place by the optimiser and copied whole to and from a
//     checkpoint), its description (Describe: the checkpoint's "sizes",
//     rgflow flow's "sizes", "activation" and "layer_norm"), the output
//     biases, and the batched passes (Forward, Backward, JacobianOf) with
//     a Pass type of its own;
//   - optionally Snapshotter, for faster passes at fixed parameters;
//   - its tests: gradients and Jacobians against finite differences, and
//     a row of a batch with the bits of the same point alone.
//
// Besides its file it touches newNetwork below, which builds the network
// a configuration describes, and config.go for the key that chooses it
// (there is none while the MLP is the only family: a network.kind with
// its row in configKeys) and any that shape it. The flow model (model.go)
// runs on any Network; the monotone model needs second derivatives
// through the network's layers and runs on an *MLP only (its ModelKind.New
// says so). Checkpoints (checkpoint.go, trained.go) and rgflow flow go
// through Describe and Parameters and need no change, provided that the
// description's sizes and the number of parameters fix the layout of θ.
type Network interface {
	// In and Out are the input and output widths.
	In() int
	Out() int
	// Parameters is θ itself, not a copy: the optimiser updates it in
	// place, and a resumed run copies the checkpoint's parameters into it.
	Parameters() []float64
	// Describe says what the network is, as checkpoints and rgflow flow
	// record it.
	Describe() NetworkDesc
	// OutputBias is the output layer's biases, a view into Parameters
	// (warm_start "exact-step" sets them to the exact map's step).
	OutputBias() []float64
	// Kernels is the kernel path of the network's products (the trainer's
	// optimiser runs on the same path).
	Kernels() kernels.Path

	// Forward evaluates the network on batch rows of x (batch×In) and
	// returns the outputs (batch×Out), which belong to the pass it returns
	// along with them: the record Backward and JacobianOf read. Pass nil
	// for a new pass, or one Forward returned before to reuse its buffers.
	// Each row has the bits a pass of that point alone has. Forward and
	// Backward on different passes may run concurrently (HMC's shards).
	Forward(x []float64, batch int, p Pass) ([]float64, Pass)
	// Backward propagates dy = ∂L/∂y (batch×Out) through pass p: dParams
	// (laid out like Parameters) is accumulated into when not nil; dx
	// (batch×In) is overwritten with ∂L/∂x when not nil.
	Backward(p Pass, dy, dParams, dx []float64)
	// JacobianOf returns the output and ∂y_i/∂x_j (Out×In, row-major) at
	// the point of row r of pass p, leaving p as it is.
	JacobianOf(p Pass, r int) (y, jac []float64)
}

// newNetwork builds the network a configuration describes for c
// couplings (input and output widths c), its parameters drawn from rng:
// an MLP of cfg.Layers(c), with the configured activation and layer norm.
// The options are NewMLP's.
func newNetwork(cfg Config, c int, rng *rand.Rand, opts ...Option) (Network, error) {
	act, err := ParseActivation(cfg.Network.Activation)
	if err != nil {
		return nil, fmt.Errorf("network.activation: %v", err)
	}
	net := NewMLP(cfg.Layers(c), act, rng, opts...)
	if cfg.Network.LayerNorm {
		net.AddLayerNorm()
	}
	return net, nil
}

// Pass is a network's record of one forward pass, of the network's own
// type (the MLP's is *Tape).
type Pass any

// NetworkDesc describes a network as checkpoints (sizes) and rgflow flow
// (sizes, activation, layer norm) record it.
type NetworkDesc struct {
	// Sizes are the layer widths, input first, output last: with the
	// family, they fix the layout of the parameters.
	Sizes []int
	// Activation is the hidden layers' activation as applied ("tanh").
	Activation string
	// LayerNorm says that the hidden layers are normalised.
	LayerNorm bool
}

// Snapshotter is a Network that offers views of itself at fixed
// parameters for many small passes (Newton's, HMC's shards): a view's
// passes read a snapshot of the parameters taken by Snapshot, in a form
// that is faster for them, and give the network's bits. A view is valid
// until the parameters change and shares the network's buffers.
type Snapshotter interface {
	Network
	// Snapshot returns a view of the network with its parameters as they
	// are now; view, if not nil, is one Snapshot returned before, whose
	// buffers are reused.
	Snapshot(view Network) Network
}

// ---------------------------------------------------------------------------
// The MLP as a Network

var _ Snapshotter = (*MLP)(nil)

// Parameters implements Network: the MLP's Params.
func (n *MLP) Parameters() []float64 { return n.Params }

// Describe implements Network.
func (n *MLP) Describe() NetworkDesc {
	return NetworkDesc{Sizes: n.Sizes, Activation: n.Act.String(), LayerNorm: n.Norm}
}

// OutputBias implements Network.
func (n *MLP) OutputBias() []float64 {
	_, b := n.layer(n.Params, n.Layers()-1)
	return b
}

// Forward implements Network; p is a *Tape or nil.
func (n *MLP) Forward(x []float64, batch int, p Pass) ([]float64, Pass) {
	t, _ := p.(*Tape)
	return n.forward(x, batch, t, nil)
}

// Backward implements Network; p is a *Tape from Forward.
func (n *MLP) Backward(p Pass, dy []float64, dParams, dx []float64) {
	n.backward(p.(*Tape), dy, dParams, dx)
}

// JacobianOf implements Network; p is a *Tape from Forward.
func (n *MLP) JacobianOf(p Pass, r int) (y, jac []float64) {
	return n.jacobianOf(p.(*Tape), r)
}

// Snapshot implements Snapshotter: the view's forward products read a
// snapshot of the transposed weights (weightsT).
func (n *MLP) Snapshot(view Network) Network {
	v, ok := view.(*mlpSnapshot)
	if !ok {
		v = new(mlpSnapshot)
	}
	v.MLP = n
	n.snapshotT(&v.wt)
	return v
}

// mlpSnapshot is an MLP whose forward products read wt, a snapshot of its
// transposed weights (the same bits).
type mlpSnapshot struct {
	*MLP
	wt weightsT
}

func (v *mlpSnapshot) Forward(x []float64, batch int, p Pass) ([]float64, Pass) {
	t, _ := p.(*Tape)
	return v.MLP.forward(x, batch, t, &v.wt)
}

// Snapshot of a view is a view of its network.
func (v *mlpSnapshot) Snapshot(view Network) Network { return v.MLP.Snapshot(view) }
