package engine

import (
	"context"
	"fmt"
	"sync"

	"github.com/rgflow/rgflow/internal/workpool"
	"github.com/rgflow/rgflow/kernels"
)

// CD is the contrastive divergence of seed eq. 11 (docs/conventions.md §8): per
// trajectory m, v_fine is Samples chains after KFine block-Gibbs steps of
// the fine block at J_m from a uniform start, v_coarse those chains after
// KCoarse further Gibbs steps of the coarse block at J′_m, and
//
//	D = mean F_c(v_fine; J′) − mean F_c(v_coarse; J′),
//	∂D/∂J′_a = mean ∂F_c/∂J′_a(v_fine) − mean ∂F_c/∂J′_a(v_coarse),
//
// with the samples held constant. Random numbers come from the
// counter-based stream of each trajectory (cdKey of Seed, epoch and m), so
// the result does not depend on Workers.
//
// One-spin representations (d = 1) run bit-sliced, 64 chains per machine
// word (kernels.FineChainBits); larger ones draw whole site states from
// per-coupling inverse-CDF tables, from d = kernels.ProdMinD on spin by
// spin from per-coupling factor tables (gibbs.go). Everything runs on the
// blocks' kernel path: the samples and the statistics are the same, bit
// for bit, on every path.
type CD struct {
	B                       *Blocks
	Samples, KFine, KCoarse int
	Seed                    uint64
	Workers                 int // goroutines over trajectories; ≤ 0: GOMAXPROCS

	bytes bool      // use the table sampler even for d = 1 (tests)
	pool  sync.Pool // of *cdWork
}

// NewCD builds the divergence a config describes.
func NewCD(b *Blocks, cfg CDConfig, seed uint64, workers int) (*CD, error) {
	if cfg.Samples < 1 || cfg.KFine < 1 || cfg.KCoarse < 1 {
		return nil, fmt.Errorf("cd: samples, k_fine and k_coarse must be at least 1 (got %d, %d, %d)", cfg.Samples, cfg.KFine, cfg.KCoarse)
	}
	if b.D > 8 {
		return nil, fmt.Errorf("cd: %d spins per site is more than the sampler's 8", b.D)
	}
	return &CD{B: b, Samples: cfg.Samples, KFine: cfg.KFine, KCoarse: cfg.KCoarse, Seed: seed, Workers: workers}, nil
}

// cdWork is one goroutine's buffers.
type cdWork struct {
	g *gibbsChains
	W [4][]float64 // W_i[k·S+s]: Σ ±tanh φ_k over samples with s_i = s (kernels.CornerSums)
	G []float64    // d×d: contract's Σ_s v(s) ⊗ W_i[s]
	// grad is a c-vector for a trajectory whose caller wants no gradient
	// but whose divergence needs one (cd-energy's).
	grad []float64

	st  kernels.CDStats // sampleStats' description and sums, kept (they
	sum kernels.LcLanes // would escape to the heap on every call)

	// keep, if set (tests), makes trajectory copy the corner states of
	// v_fine and v_coarse into fine and coarse.
	keep         bool
	fine, coarse [4][]uint8
}

func (cd *CD) work() *cdWork {
	if w, ok := cd.pool.Get().(*cdWork); ok && w.g.N == cd.Samples {
		return w
	}
	b := cd.B
	w := &cdWork{g: newGibbsChains(b, cd.Samples), G: make([]float64, b.D*b.D), grad: make([]float64, b.C)}
	for i := range w.W {
		w.W[i] = make([]float64, b.S*b.D)
	}
	return w
}

// Eval implements Divergence.
func (cd *CD) Eval(J, Jp []float64, loss, grad []float64, epoch int) {
	_ = cd.EvalContext(context.Background(), J, Jp, loss, grad, epoch)
}

// EvalContext implements ContextDivergence: it stops between trajectories
// once ctx is done.
func (cd *CD) EvalContext(ctx context.Context, J, Jp []float64, loss, grad []float64, epoch int) error {
	return cd.eachTrajectory(ctx, "CD", J, Jp, loss, grad, epoch, false, cd.trajectory)
}

// eachTrajectory evaluates a contrastive divergence trajectory by
// trajectory on the CD's chains and streams: one(w, J_i, J′_i, g_i, key_i)
// returns D_i and writes ∂D_i/∂J′_i into g_i, which is nil when grad is
// nil unless needGrad (then a scratch vector of the worker's). name says
// whose sizes are wrong in the panic.
func (cd *CD) eachTrajectory(ctx context.Context, name string, J, Jp, loss, grad []float64, epoch int, needGrad bool,
	one func(w *cdWork, J, Jp, grad []float64, key uint64) float64) error {
	c := cd.B.C
	M := len(loss)
	if len(J) != M*c || len(Jp) != M*c || (grad != nil && len(grad) != M*c) {
		panic(fmt.Sprintf("engine: %s sizes: J %d, J′ %d, loss %d, grad %d for c = %d", name, len(J), len(Jp), M, len(grad), c))
	}
	return cd.forEach(ctx, M, func(w *cdWork, i int) {
		var g []float64
		switch {
		case grad != nil:
			g = grad[i*c : (i+1)*c]
		case needGrad:
			g = w.grad
		}
		loss[i] = one(w, J[i*c:(i+1)*c], Jp[i*c:(i+1)*c], g, cdKey(cd.Seed, epoch, i))
	})
}

// forEach runs trajectory i = 0…M−1 on Workers goroutines, each with its
// own buffers, until ctx is done.
func (cd *CD) forEach(ctx context.Context, M int, run func(w *cdWork, i int)) error {
	return workpool.Each(ctx, M, cd.Workers, cd.work, func(w *cdWork) { cd.pool.Put(w) }, run)
}

// trajectory samples one coupling pair and returns its divergence; grad,
// if not nil, receives ∂D/∂J′.
func (cd *CD) trajectory(w *cdWork, J, Jp, grad []float64, key uint64) float64 {
	b, g := cd.B, w.g
	for i := range w.W {
		clear(w.W[i])
	}
	var sum float64 // Σ_coarse Σ_k lc − Σ_fine Σ_k lc
	if b.D == 1 && !cd.bytes {
		g.tab.coarse(b, Jp)
		k := 0.0
		for a, B := range b.RotBasis[0] {
			k += J[a] * B[0]
		}
		kp := 0.0
		for a, B := range b.CoarseBasis[0] {
			kp += Jp[a] * B[0]
		}
		g.runFineBits(key, cd.KFine, k)
		var fine, coarse [16]int
		kernels.CountConfigs(&fine, g.cb, g.mask)
		w.keepBits(&w.fine)
		for t := 0; t < cd.KCoarse; t++ {
			g.coarseStepBits(key, cd.KFine, t, kp)
		}
		kernels.CountConfigs(&coarse, g.cb, g.mask)
		w.keepBits(&w.coarse)
		sum = cd.configStats(w, &fine, &coarse)
	} else {
		g.tab.fine(b, J)
		g.tab.coarse(b, Jp)
		g.runFine(key, cd.KFine)
		w.keepBytes(&w.fine)
		sum = -cd.sampleStats(w, 1)
		for t := 0; t < cd.KCoarse; t++ {
			if t > 0 {
				cd.sampleStats(w, 0)
			}
			g.coarseStep(key, cd.KFine, t)
		}
		w.keepBytes(&w.coarse)
		sum += cd.sampleStats(w, -1)
	}
	inv := 1 / float64(cd.Samples)
	if grad != nil {
		cd.contract(w, grad, inv)
	}
	return sum * inv
}

// sampleStats evaluates the coarse fields φ of the current corner states:
// it returns Σ_n Σ_k lc(φ_k), adds sign·tanh φ_k to the accumulators W and
// leaves tanh φ_k in g.th (k-major) for the centre's draw (the kernel
// path's CDStats and CornerSums).
func (cd *CD) sampleStats(w *cdWork, sign float64) float64 {
	g := w.g
	d, N := cd.B.D, g.N
	w.st = kernels.CDStats{D: d, C: g.c, U: g.tab.U, Phi: g.phi, Th: g.th}
	w.sum = kernels.LcLanes{}
	cd.B.kern.CDStats(&w.st, &w.sum)
	if sign != 0 {
		cd.B.kern.CornerSums(&w.W, &g.c, g.th[:d*N], d, sign)
	}
	return w.sum.Sum()
}

// configStats is sampleStats for d = 1 from the counts of the 16 corner
// configurations among the fine and the coarse samples; it returns
// Σ_coarse lc − Σ_fine lc.
func (cd *CD) configStats(w *cdWork, fine, coarse *[16]int) float64 {
	U := w.g.tab.U
	sum := 0.0
	for x := 0; x < 16; x++ {
		n := coarse[x] - fine[x]
		if n == 0 {
			continue
		}
		s := [4]int{x >> 3 & 1, x >> 2 & 1, x >> 1 & 1, x & 1}
		phi := U[0][s[0]] + U[1][s[1]] + U[2][s[2]] + U[3][s[3]]
		lc, th := kernels.LcTanh(phi)
		sum += float64(n) * lc
		t := -float64(n) * th
		for i := 0; i < 4; i++ {
			w.W[i][s[i]] += t
		}
	}
	return sum
}

// contract turns the accumulators into the gradient:
// ∂D/∂J′_a = −(1/N) Σ_i Σ_{m,k} CoarseBasis[i][a][m·d+k] G_i[m][k], with
// G_i[m][k] = Σ_s v(s)_m W_i[k·S+s].
func (cd *CD) contract(w *cdWork, grad []float64, inv float64) {
	b := cd.B
	d, S := b.D, b.S
	clear(grad)
	G := w.G
	for i := 0; i < 4; i++ {
		Wi := w.W[i]
		clear(G)
		for s := 0; s < S; s++ {
			for m, vm := range b.Spins[s] {
				row := G[m*d : (m+1)*d]
				if vm > 0 {
					for k := range row {
						row[k] += Wi[k*S+s]
					}
				} else {
					for k := range row {
						row[k] -= Wi[k*S+s]
					}
				}
			}
		}
		for a := range grad {
			acc := 0.0
			for j, Bj := range b.CoarseBasis[i][a] {
				if Bj != 0 {
					acc += Bj * G[j]
				}
			}
			grad[a] -= acc * inv
		}
	}
}

// keepBytes copies the byte corner states into dst when w.keep is set.
func (w *cdWork) keepBytes(dst *[4][]uint8) {
	if !w.keep {
		return
	}
	for i := range dst {
		dst[i] = append(dst[i][:0], w.g.c[i]...)
	}
}

// keepBits unpacks the d = 1 corner planes into dst when w.keep is set.
func (w *cdWork) keepBits(dst *[4][]uint8) {
	if !w.keep {
		return
	}
	for i := range dst {
		dst[i] = dst[i][:0]
		for n := 0; n < w.g.N; n++ {
			dst[i] = append(dst[i], uint8(w.g.cb[i][n/64]>>(n%64)&1))
		}
	}
}
