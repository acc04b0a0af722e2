package engine

// Model is a learned RG map J ↦ J′ with trainable parameters θ.
type Model interface {
	HMCTarget
	// Map returns J′ for the batch rows of J (batch×c) and remembers what
	// Backward needs. The result is owned by the model until the next call.
	Map(J []float64, batch int) []float64
	// Backward accumulates ∂L/∂θ into dParams, given ∂L/∂J′ for the batch of
	// the last Map.
	Backward(dJp, dParams []float64)
	// Params is the parameter vector θ (the optimiser updates it in place).
	Params() []float64
	// FlowJacobian returns the flow f(J) = J′ − J at one point and its
	// Jacobian ∂f_i/∂J_j (c×c, row-major), by differentiating the network.
	FlowJacobian(J []float64) (f, jac []float64)
	// Flow returns f(J) = J′ − J at one point without disturbing Map's state.
	Flow(J []float64) []float64
	// FlowBatch returns f at the n points of J (n×c), each with the bits
	// Flow gives it, without disturbing Map's state. The result is owned
	// by the model until the next call.
	FlowBatch(J []float64, n int) []float64
	// Net is the underlying network (for checkpoints and rgflow flow).
	Net() Network
}

// Freezer is a Model that offers a view of itself for many evaluations at
// fixed parameters, such as Newton's: the view's products read a snapshot
// of the transposed weights, taken when Frozen is called, so they give the
// model's bits with less work per call (kernels/dense need not pack the
// weights for every product of a few rows). The view is valid until the
// parameters change, and it shares the model's network and buffers: it is
// not for use concurrently with the model.
type Freezer interface {
	Model
	Frozen() Model
}

// frozen is m's Frozen view if it has one, else m.
func frozen(m Model) Model {
	if f, ok := m.(Freezer); ok {
		return f.Frozen()
	}
	return m
}

// FlowModel learns the flow directly: J′ = J + f_θ(J) (seed §II.A), on
// any Network.
type FlowModel struct {
	N    Network
	tape Pass // of the last Map
	hmc  Pass // of the last Potential (kept apart so HMC can't clobber Map's)
	pts  Pass // of the last FlowBatch
	one  Pass // of the last Flow or FlowJacobian

	shards []*FlowModel // HMC's shards: the same network, passes of their own
	snap   Network      // the shards' snapshot view of N (Snapshotter)
	view   bool         // a shard or a frozen view: N may be a snapshot
	frozen *FlowModel   // Frozen's view, reused
	out    []float64
	dy     []float64 // ∂U/∂f for the last Potential
}

// NewFlowModel wraps a network whose input and output widths are c.
func NewFlowModel(n Network) *FlowModel { return &FlowModel{N: n} }

func (m *FlowModel) Net() Network      { return m.N }
func (m *FlowModel) Params() []float64 { return m.N.Parameters() }

func (m *FlowModel) Map(J []float64, batch int) []float64 {
	var y []float64
	y, m.tape = m.N.Forward(J, batch, m.tape)
	if len(m.out) != len(y) {
		m.out = make([]float64, len(y))
	}
	for i := range y {
		m.out[i] = J[i] + y[i]
	}
	return m.out
}

func (m *FlowModel) Backward(dJp, dParams []float64) {
	m.N.Backward(m.tape, dJp, dParams, nil)
}

func (m *FlowModel) Potential(J []float64, batch int, beta float64, U, grad []float64) {
	var f []float64
	f, m.hmc = m.N.Forward(J, batch, m.hmc)
	c := m.N.Out()
	if len(m.dy) != len(f) {
		m.dy = make([]float64, len(f))
	}
	dy := m.dy
	for r := 0; r < batch; r++ {
		s := 0.0
		for a := 0; a < c; a++ {
			v := f[r*c+a]
			s += v * v
			dy[r*c+a] = 2 * beta * v
		}
		U[r] = beta * s
	}
	m.N.Backward(m.hmc, dy, nil, grad)
}

// Shards implements ShardedTarget: the shards share one snapshot view of
// the network, taken now, for their forward products (a network that is
// no Snapshotter is shared as it is).
func (m *FlowModel) Shards(n int) []HMCTarget {
	net := m.N
	if s, ok := net.(Snapshotter); ok {
		m.snap = s.Snapshot(m.snap)
		net = m.snap
	}
	out := make([]HMCTarget, n)
	for i := range out {
		if i == len(m.shards) {
			m.shards = append(m.shards, &FlowModel{view: true})
		}
		m.shards[i].N = net
		out[i] = m.shards[i]
	}
	return out
}

// Frozen implements Freezer: the model on a snapshot view of its network
// (itself if the network is no Snapshotter); a view (a frozen one, or an
// HMC shard) is its own.
func (m *FlowModel) Frozen() Model {
	s, ok := m.N.(Snapshotter)
	if m.view || !ok {
		return m
	}
	if m.frozen == nil {
		m.frozen = &FlowModel{view: true}
	}
	m.frozen.N = s.Snapshot(m.frozen.N)
	return m.frozen
}

func (m *FlowModel) FlowJacobian(J []float64) (f, jac []float64) {
	_, m.one = m.N.Forward(J, 1, m.one)
	return m.N.JacobianOf(m.one, 0)
}

func (m *FlowModel) Flow(J []float64) []float64 {
	var y []float64
	y, m.one = m.N.Forward(J, 1, m.one)
	return append([]float64(nil), y...)
}

// jacobianOfPass implements passJacobian: the pass of the last Flow, or
// FlowBatch's.
func (m *FlowModel) jacobianOfPass(src int) []float64 {
	var jac []float64
	if src < 0 {
		_, jac = m.N.JacobianOf(m.one, 0)
	} else {
		_, jac = m.N.JacobianOf(m.pts, src)
	}
	return jac
}

func (m *FlowModel) FlowBatch(J []float64, n int) []float64 {
	var y []float64
	y, m.pts = m.N.Forward(J, n, m.pts)
	return y
}
