package engine

// scaledModel runs a model in other units (network.input_scale s): its
// network sees x = s·J and maps it to x′, and J′ = x′/s. Hou & You's code
// writes J_theirs = 2J (docs/conventions.md §6), so with s = 2 the network
// is theirs, in their coordinates, while every coupling rgflow reads or
// writes stays in its own units. With f_x the inner model's flow,
//
//	f(J) = f_x(sJ)/s,   ∂f/∂J = (∂f_x/∂x)(sJ),   ∂L/∂x′ = (∂L/∂J′)/s,
//
// and the HMC potential is the inner model's in its coordinates,
// U(J) = U_x(sJ), ∇U(J) = s ∇U_x(sJ): leapfrog on U with step dt/s and unit
// masses is leapfrog on U_x with step dt, position for position (x = sJ
// exactly when s is a power of 2), so Hou & You's dt 0.01 is hmc.dt 0.005.
type scaledModel struct {
	Model
	s float64

	x, px, out, dx, bx, bout []float64
	frozen                   *scaledModel // Frozen's view, reused
}

// newScaledModel wraps m in units of scale s (s = 1: m itself).
func newScaledModel(m Model, s float64) Model {
	if s == 1 {
		return m
	}
	return &scaledModel{Model: m, s: s}
}

// scaled returns s·J in buf (resized).
func (m *scaledModel) scaled(buf *[]float64, J []float64) []float64 {
	if len(*buf) != len(J) {
		*buf = make([]float64, len(J))
	}
	for i, v := range J {
		(*buf)[i] = m.s * v
	}
	return *buf
}

// unscaled returns y/s in buf (resized).
func (m *scaledModel) unscaled(buf *[]float64, y []float64) []float64 {
	if len(*buf) != len(y) {
		*buf = make([]float64, len(y))
	}
	for i, v := range y {
		(*buf)[i] = v / m.s
	}
	return *buf
}

func (m *scaledModel) Map(J []float64, batch int) []float64 {
	return m.unscaled(&m.out, m.Model.Map(m.scaled(&m.x, J[:batch*m.Net().In()]), batch))
}

func (m *scaledModel) Backward(dJp, dParams []float64) {
	if len(m.dx) != len(dJp) {
		m.dx = make([]float64, len(dJp))
	}
	for i, v := range dJp {
		m.dx[i] = v / m.s
	}
	m.Model.Backward(m.dx, dParams)
}

func (m *scaledModel) Potential(J []float64, batch int, beta float64, U, grad []float64) {
	m.Model.Potential(m.scaled(&m.px, J[:batch*m.Net().In()]), batch, beta, U, grad)
	for i := range grad[:batch*m.Net().In()] {
		grad[i] *= m.s
	}
}

func (m *scaledModel) FlowJacobian(J []float64) (f, jac []float64) {
	f, jac = m.Model.FlowJacobian(m.scaled(new([]float64), J))
	for i := range f {
		f[i] /= m.s
	}
	return f, jac
}

func (m *scaledModel) Flow(J []float64) []float64 {
	f := m.Model.Flow(m.scaled(new([]float64), J))
	for i := range f {
		f[i] /= m.s
	}
	return f
}

// FlowBatch is Flow at n points, each row with Flow's bits.
func (m *scaledModel) FlowBatch(J []float64, n int) []float64 {
	return m.unscaled(&m.bout, m.Model.FlowBatch(m.scaled(&m.bx, J[:n*m.Net().In()]), n))
}

// Frozen implements Freezer: the inner model's view, in these units.
func (m *scaledModel) Frozen() Model {
	if m.frozen == nil {
		m.frozen = &scaledModel{s: m.s}
	}
	m.frozen.Model, m.frozen.s = frozen(m.Model), m.s
	return m.frozen
}
