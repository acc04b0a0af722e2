package engine

import (
	"math"

	"gonum.org/v1/gonum/floats"
)

// valued is a model with a scalar C whose gradient gives its map (the
// monotone model, in any units).
type valued interface {
	Value(J []float64) float64
}

// Value is the inner model's C at s·J (its own units).
func (m *scaledModel) Value(J []float64) float64 {
	v, ok := m.Model.(valued)
	if !ok {
		return math.NaN()
	}
	return v.Value(m.scaled(new([]float64), J))
}

// Hou & You's physical-axis read-out (MLRG.nb, "Critical Point Estimation"):
// C after CMaxSteps steps of the learned map from (J_0, 0, …, 0) on the grid
// J_0 = 0, CMaxGrid, …, CMaxTop (their 0.01 up to 2.6 in J_theirs = 2J),
// and the local maximum of its interpolation found from CMaxFrom (their
// FindMaximum from 0.7–0.8 in rgflow's units).
const (
	CMaxSteps = 8
	CMaxGrid  = 0.005
	CMaxTop   = 1.3
	CMaxFrom  = 0.75
)

// AxisCMax is Hou & You's read-out of the physical-axis critical coupling of
// a model with a C (NaN for one without, and where the ascent ends at an end
// of the grid): the J_0 at which C after
// CMaxSteps steps from (J_0, 0, …, 0) is largest — near the axis point
// whose flow lingers longest at the critical fixed point, where C has its
// saddle. The maximum is the grid point reached by ascent from CMaxFrom,
// refined by the parabola through it and its two neighbours (their
// Mathematica interpolation is cubic; the two differ by less than 1e-3 on
// their networks). It reads only CMaxSteps steps of the map, where
// AxisCritical follows the flow until it orders (docs/presets.md compares
// the two).
func AxisCMax(m Model, c int) float64 {
	v, ok := m.(valued)
	if !ok {
		return math.NaN()
	}
	n := int(math.Round(CMaxTop / CMaxGrid))
	C := make([]float64, n)
	for i := range C {
		J := make([]float64, c)
		J[0] = CMaxGrid * float64(i)
		for s := 0; s < CMaxSteps && !floats.HasNaN(J); s++ {
			f := m.Flow(J)
			for k := range J {
				J[k] += f[k]
			}
		}
		C[i] = v.Value(J)
		if math.IsNaN(C[i]) {
			return math.NaN()
		}
	}
	i := int(math.Round(CMaxFrom / CMaxGrid))
	for {
		switch {
		case i+1 < n && C[i+1] > C[i]:
			i++
			continue
		case i > 0 && C[i-1] > C[i]:
			i--
			continue
		}
		break
	}
	if i == 0 || i == n-1 {
		return math.NaN() // no maximum inside the grid: C keeps growing (or falling) along the axis
	}
	x := CMaxGrid * float64(i)
	den := C[i-1] - 2*C[i] + C[i+1]
	if den >= 0 {
		return x
	}
	return x + 0.5*CMaxGrid*(C[i-1]-C[i+1])/den
}
