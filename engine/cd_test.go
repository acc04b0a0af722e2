package engine

import (
	"math"
	"math/rand/v2"
	"testing"
)

func newTestCD(t testing.TB, b *Blocks, cfg CDConfig, seed uint64, workers int, tables bool) *CD {
	t.Helper()
	cd, err := NewCD(b, cfg, seed, workers)
	if err != nil {
		t.Fatal(err)
	}
	cd.bytes = tables
	return cd
}

// The gradient of the CD estimate in J′ with the samples held constant,
// against central differences of the estimate at those samples; and the
// estimate and gradient of a trajectory are those of its own samples (for
// d = 1 the bit-sliced path, which counts configurations, must agree with
// the per-sample accumulation).
func TestCDGradientFiniteDifferences(t *testing.T) {
	rng := rand.New(rand.NewPCG(31, 32))
	cases := []struct {
		rep    string
		tables bool
	}{{"A1", false}, {"A1", true}, {"E", true}, {"A1+E", true}, {"2A1+E", true}}
	for _, tc := range cases {
		b := mustBlocks(t, tc.rep)
		cd := newTestCD(t, b, CDConfig{Samples: 200, KFine: 6, KCoarse: 2}, 7, 1, tc.tables)
		w := cd.work()
		w.keep = true
		for trial := 0; trial < 3; trial++ {
			J, Jp := randomJ(rng, b.C, 0.7), randomJ(rng, b.C, 0.7)
			grad := make([]float64, b.C)
			loss := cd.trajectory(w, J, Jp, grad, cdKey(7, trial, 0))
			g2 := make([]float64, b.C)
			if l2 := cd.fixedSamples(w, Jp, w.fine, w.coarse, g2); math.Abs(l2-loss) > 1e-12 {
				t.Fatalf("%s: trajectory loss %v, same samples give %v", tc.rep, loss, l2)
			}
			for a := range grad {
				if math.Abs(g2[a]-grad[a]) > 1e-12 {
					t.Fatalf("%s: trajectory grad %v, same samples give %v", tc.rep, grad, g2)
				}
			}
			const h = 1e-5
			for a := range grad {
				p, m := append([]float64(nil), Jp...), append([]float64(nil), Jp...)
				p[a] += h
				m[a] -= h
				fd := (cd.fixedSamples(w, p, w.fine, w.coarse, g2) - cd.fixedSamples(w, m, w.fine, w.coarse, g2)) / (2 * h)
				if math.Abs(fd-grad[a]) > 1e-7*(1+math.Abs(fd)) {
					t.Errorf("%s (tables %v): ∂D/∂J′_%d = %.10f, finite differences %.10f", tc.rep, tc.tables, a, grad[a], fd)
				}
			}
			if loss == 0 {
				t.Errorf("%s: the estimate is exactly 0; the test would not see a wrong gradient", tc.rep)
			}
		}
	}
}

// Same seed, same epoch → bit-identical losses and gradients whatever the
// number of workers; another epoch or seed draws other samples.
func TestCDReproducible(t *testing.T) {
	rng := rand.New(rand.NewPCG(33, 34))
	for _, rep := range []string{"A1", "A1+E", "2A1+E"} {
		b := mustBlocks(t, rep)
		const M = 7
		J, Jp := randomJ(rng, M*b.C, 0.8), randomJ(rng, M*b.C, 0.8)
		cfg := CDConfig{Samples: 128, KFine: 8, KCoarse: 1}
		run := func(workers int, seed uint64, epoch int) ([]float64, []float64) {
			loss, grad := make([]float64, M), make([]float64, M*b.C)
			newTestCD(t, b, cfg, seed, workers, false).Eval(J, Jp, loss, grad, epoch)
			return loss, grad
		}
		l1, g1 := run(1, 11, 4)
		l3, g3 := run(3, 11, 4)
		for m := range l1 {
			if l1[m] != l3[m] {
				t.Fatalf("%s: loss[%d] = %v with 1 worker, %v with 3", rep, m, l1[m], l3[m])
			}
		}
		for i := range g1 {
			if g1[i] != g3[i] {
				t.Fatalf("%s: grad[%d] = %v with 1 worker, %v with 3", rep, i, g1[i], g3[i])
			}
		}
		// a reused divergence (pooled buffers) gives the same again
		cd := newTestCD(t, b, cfg, 11, 2, false)
		loss, grad := make([]float64, M), make([]float64, M*b.C)
		cd.Eval(J, Jp, loss, grad, 4)
		cd.Eval(J, Jp, loss, grad, 4)
		for m := range l1 {
			if loss[m] != l1[m] {
				t.Fatalf("%s: a reused CD gives loss[%d] = %v, fresh %v", rep, m, loss[m], l1[m])
			}
		}
		for _, other := range [][2]int{{11, 5}, {12, 4}} {
			lo, _ := run(2, uint64(other[0]), other[1])
			if lo[0] == l1[0] {
				t.Errorf("%s: seed %d epoch %d repeats the samples of seed 11 epoch 4", rep, other[0], other[1])
			}
		}
	}
}

// With many samples and a long coarse chain, v_coarse is a sample of the
// coarse block, so the mean CD gradient is ∂KL/∂J′ (seed eq. 10 vs 11).
func TestCDGradientApproachesKL(t *testing.T) {
	rng := rand.New(rand.NewPCG(35, 36))
	cases := []struct {
		rep    string
		tables bool
	}{{"A1", false}, {"A1", true}, {"A1+E", true}}
	for _, tc := range cases {
		b := mustBlocks(t, tc.rep)
		J, Jp := randomJ(rng, b.C, 0.6), randomJ(rng, b.C, 0.6)
		_, want := b.KL(J, Jp)
		N, reps := 1<<14, 8
		if tc.rep != "A1" || testing.Short() {
			N = 1 << 12
		}
		cd := newTestCD(t, b, CDConfig{Samples: N, KFine: 40, KCoarse: 30}, 3, 0, tc.tables)
		// reps epochs for the same coupling: mean and standard error
		Js, Jps := make([]float64, 0, reps*b.C), make([]float64, 0, reps*b.C)
		for r := 0; r < reps; r++ {
			Js, Jps = append(Js, J...), append(Jps, Jp...)
		}
		loss, grad := make([]float64, reps), make([]float64, reps*b.C)
		cd.Eval(Js, Jps, loss, grad, 0)
		for a := 0; a < b.C; a++ {
			mean, sq := 0.0, 0.0
			for r := 0; r < reps; r++ {
				v := grad[r*b.C+a]
				mean += v
				sq += v * v
			}
			mean /= float64(reps)
			se := math.Sqrt((sq/float64(reps) - mean*mean) / float64(reps-1))
			if math.Abs(mean-want[a]) > 5*se+1e-3 {
				t.Errorf("%s (tables %v): mean CD ∂/∂J′_%d = %.5f ± %.5f, exact KL gradient %.5f", tc.rep, tc.tables, a, mean, se, want[a])
			}
		}
	}
}

func TestNewCDRejectsBadConfig(t *testing.T) {
	b := mustBlocks(t, "A1")
	if _, err := NewCD(b, CDConfig{Samples: 0, KFine: 1, KCoarse: 1}, 1, 0); err == nil {
		t.Fatal("NewCD accepted 0 samples")
	}
	cfg := DefaultConfig()
	cfg.Loss = "cd"
	l, err := newLoss(cfg, b)
	if err != nil {
		t.Fatal(err)
	}
	if cd, ok := l.(*CD); !ok || cd.Samples != 512 || cd.KFine != 32 || cd.KCoarse != 1 {
		t.Fatalf(`newLoss("cd") = %#v, want a CD with the seed's 512 samples, k_fine 32, k_coarse 1`, l)
	}
}

// BenchmarkCD measures the divergence alone (sampling, statistics and
// gradient) for one epoch's worth of trajectories at the reference
// configurations, on one goroutine: ns/op is the CPU cost per epoch.
func BenchmarkCD(b *testing.B) {
	for _, tc := range []struct {
		rep  string
		traj int
	}{{"A1", 24}, {"A1+E", 64}} {
		b.Run(tc.rep, func(b *testing.B) {
			blk := mustBlocks(b, tc.rep)
			rng := rand.New(rand.NewPCG(61, 62))
			J, Jp := make([]float64, tc.traj*blk.C), make([]float64, tc.traj*blk.C)
			for m := 0; m < tc.traj; m++ { // near the critical point
				J[m*blk.C] = 0.8 + 0.1*rng.NormFloat64()
				Jp[m*blk.C] = 0.8 + 0.1*rng.NormFloat64()
				for a := 1; a < blk.C; a++ {
					J[m*blk.C+a] = 0.1 * rng.NormFloat64()
					Jp[m*blk.C+a] = 0.1 * rng.NormFloat64()
				}
			}
			cd := newTestCD(b, blk, DefaultConfig().CD, 1, 1, false)
			loss, grad := make([]float64, tc.traj), make([]float64, tc.traj*blk.C)
			e := 0
			for b.Loop() {
				cd.Eval(J, Jp, loss, grad, e)
				e++
			}
			draws := float64(tc.traj * cd.Samples * (8*cd.KFine + 5*cd.KCoarse))
			b.ReportMetric(draws*float64(b.N)/b.Elapsed().Seconds(), "sites/s")
		})
	}
}

// fixedSamples evaluates the estimate and its gradient in J′ for given
// fine and coarse corner states (the samples held constant), through the
// same accumulation as trajectory's table path.
func (cd *CD) fixedSamples(w *cdWork, Jp []float64, fine, coarse [4][]uint8, grad []float64) float64 {
	g := w.g
	for i := range w.W {
		clear(w.W[i])
	}
	g.tab.coarse(cd.B, Jp)
	for i := range g.c {
		copy(g.c[i], fine[i])
	}
	sum := -cd.sampleStats(w, 1)
	for i := range g.c {
		copy(g.c[i], coarse[i])
	}
	sum += cd.sampleStats(w, -1)
	inv := 1 / float64(cd.Samples)
	cd.contract(w, grad, inv)
	return sum * inv
}
