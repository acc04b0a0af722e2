package engine

import (
	"math"
	"math/rand/v2"
	"testing"

	"github.com/rgflow/rgflow/reps"
)

// scaleGrad gives the gradient in J′ of the training loss: the mean KL,
// or the mean of log(KL + ε) with ε = loss_floor times the batch's mean KL
// (held fixed, as the trainer holds it), checked against finite
// differences of that loss on real A1+E blocks, for trajectories whose KL
// spans orders of magnitude, and for two floors.
func TestScaleGradFiniteDifferences(t *testing.T) {
	r, err := reps.Builtin("A1+E")
	if err != nil {
		t.Fatal(err)
	}
	b := NewBlocks(r)
	c := r.C()
	rng := rand.New(rand.NewPCG(61, 62))
	const M = 4
	J, Jp := make([]float64, M*c), make([]float64, M*c)
	for m := 0; m < M; m++ {
		s := math.Pow(0.3, float64(m)) // strong to weak couplings: KL from 1e-1 to 1e-5
		for a := 0; a < c; a++ {
			J[m*c+a] = s * rng.NormFloat64()
			Jp[m*c+a] = J[m*c+a] + 0.1*s*rng.NormFloat64()
		}
	}
	kls := func(Jp []float64) ([]float64, []float64) {
		loss, grad := make([]float64, M), make([]float64, M*c)
		for m := 0; m < M; m++ {
			l, g := b.KL(J[m*c:(m+1)*c], Jp[m*c:(m+1)*c])
			loss[m] = l
			copy(grad[m*c:], g)
		}
		return loss, grad
	}
	mean := func(x []float64) float64 {
		s := 0.0
		for _, v := range x {
			s += v
		}
		return s / float64(len(x))
	}
	for _, tc := range []struct {
		scale string
		floor float64
	}{{"linear", 1e-4}, {"log", 1e-4}, {"log", 1e-9}} {
		cfg := DefaultConfig()
		cfg.LossScale, cfg.LossFloor = tc.scale, tc.floor
		loss, grad := kls(Jp)
		m0 := mean(loss)
		eps := tc.floor * m0
		// the loss is a sum of one term per trajectory: differences of the
		// term i belongs to keep the weak ones' precision
		objective := func(Jp []float64, m int) float64 {
			l, _ := b.KL(J[m*c:(m+1)*c], Jp[m*c:(m+1)*c])
			if tc.scale == "log" {
				l = math.Log(l + eps)
			}
			return l / M
		}
		cfg.scaleGrad(loss, grad, m0)
		for i := range Jp {
			const h = 1e-5 // the KL is a difference of O(1) log-partition functions: its rounding is absolute
			p, q := append([]float64(nil), Jp...), append([]float64(nil), Jp...)
			p[i] += h
			q[i] -= h
			fd := (objective(p, i/c) - objective(q, i/c)) / (2 * h)
			if math.Abs(fd-grad[i]) > 1e-5*math.Abs(fd)+1e-10/M {
				t.Errorf("%s, floor %g: ∂/∂J′[%d] = %.8g, finite differences %.8g", tc.scale, tc.floor, i, grad[i], fd)
			}
		}
	}
}

// loss_scale = "auto" is the log loss for the exact KL with the flow model
// only: linear for CD (a CD estimate can be negative) and for the
// monotone model (docs/training.md, "The monotone model for A1").
func TestAutoLossScale(t *testing.T) {
	for _, tc := range []struct {
		loss, model string
		log         bool
	}{{LossKL, ModelFlow, true}, {LossKL, ModelMonotone, false}, {LossCD, ModelFlow, false}, {LossCDEnergy, ModelMonotone, false}} {
		cfg := DefaultConfig()
		cfg.Loss, cfg.Model = tc.loss, tc.model
		if got := cfg.LogLoss(); got != tc.log {
			t.Errorf("auto with %s and %s: log loss %v, want %v", tc.loss, tc.model, got, tc.log)
		}
		cfg.LossScale = "linear"
		if cfg.LogLoss() {
			t.Errorf("linear with %s and %s: log loss", tc.loss, tc.model)
		}
	}
}
