package engine

import (
	"math"
	"math/rand/v2"
	"slices"
	"strings"
	"testing"

	"github.com/rgflow/rgflow/kernels"
)

// otherNet is a network family that is not an MLP as far as the engine
// can tell: it runs one through the Network methods alone, and is no
// Snapshotter.
type otherNet struct{ n *MLP }

func (o otherNet) In() int                                     { return o.n.In() }
func (o otherNet) Out() int                                    { return o.n.Out() }
func (o otherNet) Parameters() []float64                       { return o.n.Parameters() }
func (o otherNet) Describe() NetworkDesc                       { return o.n.Describe() }
func (o otherNet) OutputBias() []float64                       { return o.n.OutputBias() }
func (o otherNet) Kernels() kernels.Path                       { return o.n.Kernels() }
func (o otherNet) Backward(p Pass, dy, dParams, dx []float64)  { o.n.Backward(p, dy, dParams, dx) }
func (o otherNet) JacobianOf(p Pass, r int) (y, jac []float64) { return o.n.JacobianOf(p, r) }
func (o otherNet) Forward(x []float64, batch int, p Pass) ([]float64, Pass) {
	return o.n.Forward(x, batch, p)
}

func sameBits(t *testing.T, what string, got, want []float64) {
	t.Helper()
	if len(got) != len(want) {
		t.Fatalf("%s: %d values, want %d", what, len(got), len(want))
	}
	for i := range want {
		if math.Float64bits(got[i]) != math.Float64bits(want[i]) {
			t.Fatalf("%s: [%d] = %v, want %v", what, i, got[i], want[i])
		}
	}
}

// The flow model runs on any Network: on a family it knows only through
// the interface (no snapshot views, its shards sharing the network) it
// gives the bits it gives on the MLP, in every entry point, HMC included;
// the monotone model refuses such a family in a sentence.
func TestFlowModelOnAnotherNetwork(t *testing.T) {
	const c, B = 5, 7
	rng := rand.New(rand.NewPCG(91, 92))
	mlp := NewMLP([]int{c, 24, 17, c}, SiLU, rng)
	mlp.AddLayerNorm()
	other := NewMLP(mlp.Sizes, mlp.Act, rng)
	other.AddLayerNorm()
	copy(other.Params, mlp.Params)
	a, b := NewFlowModel(mlp), NewFlowModel(otherNet{other})
	if _, ok := b.N.(Snapshotter); ok {
		t.Fatal("the test's family must not be a Snapshotter")
	}
	J, dJp := randomJ(rng, B*c, 1), randomJ(rng, B*c, 1)

	sameBits(t, "Map", b.Map(J, B), a.Map(J, B))
	da, db := make([]float64, len(a.Params())), make([]float64, len(b.Params()))
	a.Backward(dJp, da)
	b.Backward(dJp, db)
	sameBits(t, "Backward", db, da)
	Ua, Ub, ga, gb := make([]float64, B), make([]float64, B), make([]float64, B*c), make([]float64, B*c)
	a.Potential(J, B, 3, Ua, ga)
	b.Potential(J, B, 3, Ub, gb)
	sameBits(t, "Potential U", Ub, Ua)
	sameBits(t, "Potential ∇U", gb, ga)
	sameBits(t, "Flow", b.Flow(J[:c]), a.Flow(J[:c]))
	fa, ja := a.FlowJacobian(J[:c])
	fb, jb := b.FlowJacobian(J[:c])
	sameBits(t, "FlowJacobian f", fb, fa)
	sameBits(t, "FlowJacobian", jb, ja)
	sameBits(t, "FlowBatch", b.FlowBatch(J, B), a.FlowBatch(J, B))
	sameBits(t, "jacobianOfPass", b.jacobianOfPass(3), a.jacobianOfPass(3))
	if b.Frozen() != Model(b) {
		t.Error("a model on a network without snapshots froze to another view")
	}
	fz := a.Frozen()
	sameBits(t, "frozen FlowBatch", fz.FlowBatch(J, B), b.FlowBatch(J, B))

	for _, workers := range []int{1, 3} {
		Ja, Jb := slices.Clone(J), slices.Clone(J)
		h := HMC{Dt: 0.3, SolveSteps: 4, SampleSteps: 2, Workers: workers}
		acc := h.Sample(a, Ja, B, c, 30, rand.New(rand.NewPCG(5, 6)))
		if acc == 0 || acc == 2*B {
			t.Fatalf("%d of %d proposals accepted: the test would not see a wrong Metropolis step", acc, 2*B)
		}
		if got := h.Sample(b, Jb, B, c, 30, rand.New(rand.NewPCG(5, 6))); got != acc {
			t.Fatalf("%d workers: %d proposals accepted on the other family, %d on the MLP", workers, got, acc)
		}
		sameBits(t, "HMC chains", Jb, Ja)
	}

	mono, _ := Models.Lookup(ModelMonotone)
	if _, err := mono.New(otherNet{other}); err == nil || !strings.Contains(err.Error(), "monotone model") {
		t.Errorf("the monotone model on another family: error %v", err)
	}
}

// The MLP's Network methods: JacobianOf at a row of a batch has the bits
// of the point alone, on the network and on a snapshot view; OutputBias is
// the output layer's biases inside Parameters; Describe is what the
// network is, after the monotone model made it scalar and smooth.
func TestMLPAsNetwork(t *testing.T) {
	const c, B = 4, 6
	rng := rand.New(rand.NewPCG(93, 94))
	net := NewMLP([]int{c, 9, 7, c}, Tanh, rng)
	x := randomJ(rng, B*c, 1)
	for _, n := range []Network{net, net.Snapshot(nil)} {
		_, p := n.Forward(x, B, nil)
		for r := 0; r < B; r++ {
			y, jac := n.JacobianOf(p, r)
			ywant, jwant := net.Jacobian(x[r*c : (r+1)*c])
			sameBits(t, "JacobianOf y", y, ywant)
			sameBits(t, "JacobianOf", jac, jwant)
		}
	}

	clear(net.Params)
	bias := net.OutputBias()
	for i := range bias {
		bias[i] = float64(i + 1)
	}
	y, _ := net.Forward(x, B, nil)
	for r := 0; r < B; r++ {
		sameBits(t, "output of a network with only output biases", y[r*c:(r+1)*c], []float64{1, 2, 3, 4})
	}

	relu := NewMLP([]int{c, 8, c}, ReLU, rng)
	relu.AddLayerNorm()
	m, err := NewMonotoneModel(relu)
	if err != nil {
		t.Fatal(err)
	}
	d := m.Net().Describe()
	if !slices.Equal(d.Sizes, []int{c, 8, 1}) || d.Activation != "tanh" || !d.LayerNorm || len(m.Net().Parameters()) != relu.NumParams() {
		t.Errorf("the monotone model's network is described as %+v with %d parameters", d, len(m.Net().Parameters()))
	}
}
