package engine

import (
	"math"
	"testing"
)

func newTestCDEnergy(t testing.TB, b *Blocks, cfg CDConfig, seed uint64, workers int, tables bool) *CDEnergy {
	t.Helper()
	e, err := NewCDEnergy(b, cfg, seed, workers)
	if err != nil {
		t.Fatal(err)
	}
	e.bytes = tables
	return e
}

// meanGrad evaluates the estimator on M copies of (J, J′), each with its
// own random stream, and returns the mean gradient, its standard error and
// the losses.
func meanGrad(div Divergence, c, M int, J, Jp []float64) (mean, se, loss []float64, grads []float64) {
	Js, Jps := make([]float64, M*c), make([]float64, M*c)
	for m := 0; m < M; m++ {
		copy(Js[m*c:], J)
		copy(Jps[m*c:], Jp)
	}
	loss, grads = make([]float64, M), make([]float64, M*c)
	div.Eval(Js, Jps, loss, grads, 3)
	mean, se = make([]float64, c), make([]float64, c)
	for a := 0; a < c; a++ {
		s, s2 := 0.0, 0.0
		for m := 0; m < M; m++ {
			v := grads[m*c+a]
			s += v
			s2 += v * v
		}
		mean[a] = s / float64(M)
		se[a] = math.Sqrt((s2/float64(M) - mean[a]*mean[a]) / float64(M-1))
	}
	return mean, se, loss, grads
}

// oneStepEnergyGrad is the exact expectation of Hou & You's one-step
// estimator's gradient, by enumeration: v_0 from the fine block, h from
// P_c(h | v_0), v_1 from P_c(v | h), and
// −E[Σ_i v_{0,i}ᵀB′_{i,a}h − v_{1,i}ᵀB′_{i,a}h], the v_1 term summed in
// closed form (a corner's spins given h are independent, mean tanh(K′_i h)).
func oneStepEnergyGrad(b *Blocks, J, Jp []float64) []float64 {
	d, S := b.D, b.S
	logw := b.FineLogWeights(J)
	logZ := logSumExp(logw)
	U := b.CoarseFields(Jp) // U[i][s·d+k] = (K′_iᵀ v(s))_k
	var K [4][]float64
	for i := range K {
		K[i] = make([]float64, d*d)
	}
	b.bondMatrices(&b.CoarseBasis, Jp, &K)
	// E over v_1 given h of v_{1,i}ᵀ B′_{i,a} h, per (i, a, h)
	mean1 := make([][][]float64, 4)
	for i := 0; i < 4; i++ {
		mean1[i] = make([][]float64, b.C)
		for a, B := range b.CoarseBasis[i] {
			mean1[i][a] = make([]float64, S)
			for h := 0; h < S; h++ {
				v := b.Spins[h]
				for m := 0; m < d; m++ {
					field, bh := 0.0, 0.0
					for k := 0; k < d; k++ {
						field += K[i][m*d+k] * v[k]
						bh += B[m*d+k] * v[k]
					}
					mean1[i][a][h] += math.Tanh(field) * bh
				}
			}
		}
	}
	grad := make([]float64, b.C)
	for x, lw := range logw {
		p := math.Exp(lw - logZ)
		s := [4]int{x / (S * S * S), x / (S * S) % S, x / S % S, x % S}
		for h := 0; h < S; h++ {
			ph := 1.0
			for k := 0; k < d; k++ {
				phi := U[0][s[0]*d+k] + U[1][s[1]*d+k] + U[2][s[2]*d+k] + U[3][s[3]*d+k]
				ph *= sigmoid(2 * phi * b.Spins[h][k])
			}
			for a := range grad {
				for i := 0; i < 4; i++ {
					B := b.CoarseBasis[i][a]
					e0 := 0.0
					for m := 0; m < d; m++ {
						for k := 0; k < d; k++ {
							e0 += b.Spins[s[i]][m] * B[m*d+k] * b.Spins[h][k]
						}
					}
					grad[a] -= p * ph * (e0 - mean1[i][a][h])
				}
			}
		}
	}
	return grad
}

// The one-step estimator's mean gradient is its exact expectation, on the
// bit-sliced path (A1) and the table path (A1, A1+E, 2A1). Where the
// blocks' symmetries act transitively on the centre's states (A1, A1+E)
// the centre's marginal is uniform under the fine samples and under the
// coarse block alike, so one coarse step lands in the coarse block's own
// distribution and the expectation is the exact KL's gradient (for either
// CD); 2A1's centre has two orbits, and there the energy form's
// expectation (0.368, 0.349, 0.324, 0.258) differs from the free-energy
// CD's (0.410, 0.484, 0.408, 0.265) and from the KL's (0.486, 0.581,
// 0.491, 0.311).
func TestCDEnergyOneStepExpectation(t *testing.T) {
	for _, tc := range []struct {
		rep    string
		tables bool
		J, Jp  []float64
	}{
		{"A1", false, []float64{0.55}, []float64{0.62}},
		{"A1", true, []float64{0.55}, []float64{0.62}},
		{"A1+E", true, []float64{0.4, 0.15, -0.1, 0.25, 0.2}, []float64{0.45, 0.05, 0.1, 0.3, -0.15}},
		{"2A1", true, []float64{0.4, 0.15, -0.1, 0.25}, []float64{0.45, 0.25, 0.1, 0.3}},
	} {
		b := mustBlocks(t, tc.rep)
		e := newTestCDEnergy(t, b, CDConfig{Samples: 2048, KFine: 30, KCoarse: 1}, 5, 2, tc.tables)
		mean, se, loss, grads := meanGrad(e, b.C, 64, tc.J, tc.Jp)
		want := oneStepEnergyGrad(b, tc.J, tc.Jp)
		for a := range want {
			if math.Abs(mean[a]-want[a]) > 5*se[a]+1e-4 {
				t.Errorf("%s (tables %v): mean ∂D/∂J′_%d = %.5f ± %.5f, exact expectation %.5f", tc.rep, tc.tables, a, mean[a], se[a], want[a])
			}
		}
		// E is linear in J′: D = J′ · ∂D/∂J′ for every trajectory
		for m, l := range loss {
			if d := dot(tc.Jp, grads[m*b.C:(m+1)*b.C]); math.Abs(d-l) > 1e-12 {
				t.Fatalf("%s: D = %v, J′·∂D/∂J′ = %v", tc.rep, l, d)
			}
		}
	}
}

// With many coarse steps (v_k, h_{k−1}) is drawn from the coarse block's
// joint distribution, and the mean gradient is the exact KL's.
func TestCDEnergyKLLimit(t *testing.T) {
	for _, tc := range []struct {
		rep   string
		J, Jp []float64
	}{
		{"A1", []float64{0.5}, []float64{0.58}},
		{"A1+E", []float64{0.4, 0.15, -0.1, 0.25, 0.2}, []float64{0.45, 0.05, 0.1, 0.3, -0.15}},
	} {
		b := mustBlocks(t, tc.rep)
		e := newTestCDEnergy(t, b, CDConfig{Samples: 2048, KFine: 30, KCoarse: 40}, 9, 2, false)
		mean, se, _, _ := meanGrad(e, b.C, 48, tc.J, tc.Jp)
		_, want := b.KL(tc.J, tc.Jp)
		for a := range want {
			if math.Abs(mean[a]-want[a]) > 5*se[a]+1e-4 {
				t.Errorf("%s: mean ∂D/∂J′_%d = %.5f ± %.5f, exact KL gradient %.5f", tc.rep, a, mean[a], se[a], want[a])
			}
		}
	}
}

// Same seed and epoch → the same numbers whatever the workers; the fine
// samples are the CD's (the same streams), so the two estimators agree on
// nothing else but share v_0.
func TestCDEnergyReproducible(t *testing.T) {
	for _, rep := range []string{"A1", "A1+E"} {
		b := mustBlocks(t, rep)
		J, Jp := make([]float64, 3*b.C), make([]float64, 3*b.C)
		for i := range J {
			J[i], Jp[i] = 0.3+0.01*float64(i), 0.35-0.02*float64(i)
		}
		cfg := CDConfig{Samples: 100, KFine: 5, KCoarse: 3}
		run := func(workers int) ([]float64, []float64) {
			loss, grad := make([]float64, 3), make([]float64, 3*b.C)
			newTestCDEnergy(t, b, cfg, 4, workers, false).Eval(J, Jp, loss, grad, 2)
			return loss, grad
		}
		l1, g1 := run(1)
		l2, g2 := run(3)
		for i := range l1 {
			if l1[i] != l2[i] {
				t.Fatalf("%s: losses differ with the workers: %v vs %v", rep, l1, l2)
			}
		}
		for i := range g1 {
			if g1[i] != g2[i] {
				t.Fatalf("%s: gradients differ with the workers", rep)
			}
		}
		loss := make([]float64, 3)
		newTestCDEnergy(t, b, cfg, 4, 1, false).Eval(J, Jp, loss, nil, 2)
		for i := range loss {
			if loss[i] != l1[i] {
				t.Fatalf("%s: the loss without a gradient buffer differs", rep)
			}
		}
	}
}
