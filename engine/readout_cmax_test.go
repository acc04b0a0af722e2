package engine

import (
	"math"
	"math/rand/v2"
	"testing"
)

// quadraticC has C(J) = −(a/2)(J_0 − J*)² − (b/2)|J_rest|²: its map
// J′ = J − ∇C repels from J* along J_0 (λ = 1 + a) and attracts the other
// couplings (1 − b).
type quadraticC struct {
	Model
	star, a, b float64
}

func (q quadraticC) Value(J []float64) float64 {
	v := -q.a / 2 * (J[0] - q.star) * (J[0] - q.star)
	for _, x := range J[1:] {
		v -= q.b / 2 * x * x
	}
	return v
}

func (q quadraticC) Flow(J []float64) []float64 {
	f := make([]float64, len(J))
	f[0] = q.a * (J[0] - q.star)
	for i := 1; i < len(J); i++ {
		f[i] = -q.b * J[i]
	}
	return f
}

// Hou & You's read-out finds the saddle of C on the axis: exactly, for a
// quadratic C (the parabola is exact), whatever the couplings' number;
// NaN for a model without C; and for a trained-looking monotone network
// the maximum of C after 8 steps on a fine grid.
func TestAxisCMax(t *testing.T) {
	for _, c := range []int{1, 5} {
		if got := AxisCMax(quadraticC{star: 0.8123, a: 0.36, b: 0.4}, c); math.Abs(got-0.8123) > 1e-9 {
			t.Errorf("c = %d: read-out %v, saddle 0.8123", c, got)
		}
	}
	if got := AxisCMax(quadraticC{star: 0.8123, a: 0.36, b: 0.4}.Model, 1); !math.IsNaN(got) {
		t.Errorf("a model without C: %v", got)
	}
	if got := AxisCMax(NewFlowModel(NewMLP([]int{1, 4, 1}, Tanh, rand.New(rand.NewPCG(1, 2)))), 1); !math.IsNaN(got) {
		t.Errorf("the flow model: %v", got)
	}
	// C growing along the whole axis (a saddle beyond the grid) has no maximum
	if got := AxisCMax(quadraticC{star: 2, a: 0.36, b: 0.4}, 1); !math.IsNaN(got) {
		t.Errorf("no interior maximum: %v", got)
	}
	// a monotone network in Hou & You's units: the read-out against a brute
	// maximum of C(R⁸(J_0)) on a grid ten times finer, near 0.75
	rng := rand.New(rand.NewPCG(81, 82))
	checked := 0
	for trial := 0; trial < 20 && checked < 3; trial++ {
		n := NewMLP([]int{1, 6, 12, 8, 1}, Tanh, rng)
		n.AddLayerNorm()
		mono, err := NewMonotoneModel(n)
		if err != nil {
			t.Fatal(err)
		}
		m := newScaledModel(mono, 2)
		got := AxisCMax(m, 1)
		if !(got > 0.3 && got < 1.2) {
			continue // no maximum, or one near an end of the grid
		}
		best, bestC := 0.0, math.Inf(-1)
		for x := got - 0.01; x <= got+0.01; x += 0.0001 {
			J := []float64{x}
			for s := 0; s < CMaxSteps; s++ {
				J[0] += m.Flow(J)[0]
			}
			if v := m.(valued).Value(J); v > bestC {
				best, bestC = x, v
			}
		}
		if math.Abs(best-got) > 5e-4 {
			t.Errorf("read-out %v, brute-force maximum %v", got, best)
		}
		checked++
	}
	if checked == 0 {
		t.Fatal("no random network had an interior maximum")
	}
}

// A flow that never orders from the axis has no physical-axis critical
// coupling, even though starts beyond AxisLarge count as ordered.
func TestAxisCriticalNeverOrders(t *testing.T) {
	shrink := quadraticC{star: 0, a: -0.2, b: 0.3} // every coupling flows to 0
	if r := AxisCritical(shrink, 3); !math.IsNaN(r.Jc) || r.Slow != nil {
		t.Fatalf("a flow to J = 0 everywhere: J_c = %v", r.Jc)
	}
	if r := AxisCritical(quadraticC{star: 0.77, a: 0.4, b: 0.3}, 3); math.Abs(r.Jc-0.77) > 1e-7 {
		t.Fatalf("a saddle at 0.77: J_c = %v", r.Jc)
	}
}
