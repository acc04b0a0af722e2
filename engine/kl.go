package engine

import (
	"context"
	"fmt"
	"math"

	"github.com/rgflow/rgflow/internal/workpool"
	"github.com/rgflow/rgflow/kernels"
)

// KL returns KL(J, J′) between the fine block at J and the coarse block at
// J′ (docs/conventions.md §8, seed eq. 10) and its gradient in J′.
func (b *Blocks) KL(J, Jp []float64) (float64, []float64) {
	kl := make([]float64, 1)
	grad := make([]float64, b.C)
	b.KLBatch(J, Jp, kl, grad, 1)
	return kl[0], grad
}

// KLBatch evaluates KL(J_m, J′_m) for a batch of M couplings stored
// row-major in J and Jp (M×c). kl receives M values; grad, if not nil, M×c
// gradients ∂KL/∂J′. The batch is cut into groups of kernels.Lanes couplings
// spread over workers goroutines (≤ 0: one per CPU); results do not depend
// on the number of workers.
func (b *Blocks) KLBatch(J, Jp, kl, grad []float64, workers int) {
	_ = b.KLBatchContext(context.Background(), J, Jp, kl, grad, workers)
}

// KLBatchContext is KLBatch that stops between groups of couplings once
// ctx is done, returning ctx's error (kl and grad are then incomplete).
func (b *Blocks) KLBatchContext(ctx context.Context, J, Jp, kl, grad []float64, workers int) error {
	c := b.C
	M := len(kl)
	if len(J) != M*c || len(Jp) != M*c || (grad != nil && len(grad) != M*c) {
		panic(fmt.Sprintf("engine: KLBatch sizes: J %d, J′ %d, kl %d, grad %d for c = %d", len(J), len(Jp), M, len(grad), c))
	}
	if b.D == 1 {
		// one spin per site: a closed form, cheaper than a group of lanes
		for m := 0; m < M; m++ {
			var g []float64
			if grad != nil {
				g = grad[m*c : (m+1)*c]
			}
			kl[m] = b.klOneSpin(J[m*c:(m+1)*c], Jp[m*c:(m+1)*c], g)
		}
		return nil
	}
	groups := (M + kernels.Lanes - 1) / kernels.Lanes
	workers = min(workpool.Workers(workers), groups)
	run := func(ws *workspace, g int) {
		lo := g * kernels.Lanes
		hi := min(lo+kernels.Lanes, M)
		var gg []float64
		if grad != nil {
			gg = grad[lo*c : hi*c]
		}
		ws.group(J[lo*c:hi*c], Jp[lo*c:hi*c], kl[lo:hi], gg)
	}
	// Small batches (A1: 16 configurations a coupling) cost less than
	// starting goroutines; run them here.
	if groups*b.S*b.S*b.S*b.S < 1<<12 {
		workers = 1
	}
	return workpool.Each(ctx, groups, workers, b.getWorkspace, func(ws *workspace) { b.pool.Put(ws) }, run)
}

// klOneSpin is KL(J, J′) and, into grad if not nil, its gradient for one
// spin per site (d = 1), in closed form. Every bond matrix of a 1×1
// coupling is then the same number, K = Σ_a J_a B_a (R = ±1 acts
// trivially), and the 16 visible configurations fall into four classes by
// the number n of disagreeing fine edges and the coarse magnetisation
// m = Σ_i v_i:
//
//	all equal          n = 0, |m| = 4: 2 configurations
//	one site flipped   n = 2, |m| = 2: 8
//	two domains        n = 2,  m = 0:  4
//	alternating        n = 4,  m = 0:  2
//
// with −F_f = (4 − n)·lc(2K) + n·ln 2, −F_c = lc(K′m) and
// Z_c = 2·(2 cosh K′)^4, so that
//
//	KL = E_p[F_c − F_f] + log Z_c − log Z_f,
//	∂KL/∂J′_a = B_a·(4 tanh K′ − E_p[m tanh K′m]),
//
// the expectations over the fine block's p(v) (lc and tanh from
// kernels.LcTanh, as everywhere).
func (b *Blocks) klOneSpin(J, Jp, grad []float64) float64 {
	B := b.RotBasis[0]
	K, Kp := 0.0, 0.0
	for a, Ba := range B {
		K += J[a] * Ba[0]
		Kp += Jp[a] * Ba[0]
	}
	L, _ := kernels.LcTanh(2 * K)
	lc4, t4 := kernels.LcTanh(4 * Kp)
	lc2, t2 := kernels.LcTanh(2 * Kp)
	lc1, t1 := kernels.LcTanh(Kp)
	const ln2 = math.Ln2
	count := [4]float64{2, 8, 4, 2}
	a := [4]float64{4 * L, 2*L + 2*ln2, 2*L + 2*ln2, 4 * ln2}
	bc := [4]float64{lc4, lc2, ln2, ln2}
	mt := [4]float64{4 * t4, 2 * t2, 0, 0} // m·tanh(K′m), even in m
	top := max(a[0], a[1], a[3])
	z := 0.0
	for i, ai := range a {
		z += count[i] * math.Exp(ai-top)
	}
	logZf := top + math.Log(z)
	diff, emt := 0.0, 0.0
	for i, ai := range a {
		p := count[i] * math.Exp(ai-logZf)
		diff += p * (ai - bc[i])
		emt += p * mt[i]
	}
	if grad != nil {
		g := 4*t1 - emt
		for a, Ba := range B {
			grad[a] = Ba[0] * g
		}
	}
	return diff + (ln2 + 4*lc1) - logZf
}

// getWorkspace takes a workspace from the pool, or makes one: buffers are
// reused from call to call instead of allocated each epoch.
func (b *Blocks) getWorkspace() *workspace {
	if ws, ok := b.pool.Get().(*workspace); ok {
		return ws
	}
	return b.newWorkspace()
}

// workspace holds one goroutine's buffers for a group of lanes.
type workspace struct {
	b     *Blocks
	enum  kernels.Enum
	sc    *scratch
	gradC []float64
}

func (b *Blocks) newWorkspace() *workspace {
	S, d := b.S, b.D
	L := kernels.Lanes
	return &workspace{
		b: b,
		enum: kernels.Enum{
			D:     d,
			Fine:  make([]float64, 4*S*S*L),
			LogZf: make([]float64, L),
			Field: make([]float64, 4*S*d*L),
			Sums:  make([]float64, 3*L),
			W:     make([]float64, 4*S*d*L),
		},
		sc:    b.newScratch(),
		gradC: make([]float64, b.C),
	}
}

// group evaluates up to Lanes couplings; unused lanes repeat the first one.
func (ws *workspace) group(J, Jp, kl, grad []float64) {
	b := ws.b
	c, d, S := b.C, b.D, b.S
	const L = kernels.Lanes
	n := len(kl)
	e := &ws.enum
	for l := 0; l < L; l++ {
		if l >= n { // unused lanes repeat the first coupling
			for t := 0; t < 4*S*S; t++ {
				e.Fine[t*L+l] = e.Fine[t*L]
			}
			for t := 0; t < 4*S*d; t++ {
				e.Field[t*L+l] = e.Field[t*L]
			}
			e.LogZf[l] = e.LogZf[0]
			continue
		}
		b.fineTables(J[l*c:(l+1)*c], ws.sc)
		for t := 0; t < 4; t++ {
			for idx, v := range ws.sc.T[t] {
				e.Fine[(t*S*S+idx)*L+l] = v
			}
		}
		e.LogZf[l] = b.fineLogZ(ws.sc)
		b.coarseFields(Jp[l*c:(l+1)*c], ws.sc)
		for i := 0; i < 4; i++ {
			for idx, v := range ws.sc.U[i] {
				e.Field[(i*S*d+idx)*L+l] = v
			}
		}
	}
	b.kern.Enumerate(e)
	for l := 0; l < n; l++ {
		jp := Jp[l*c : (l+1)*c]
		var gC []float64
		if grad != nil {
			gC = ws.gradC
		}
		logZc := b.coarseLogZ(jp, gC, ws.sc)
		// p(v) was normalised with the exact log Z_f; dividing by Σp and
		// correcting log Z_f by log Σp removes the rounding of both.
		sumP := e.Sums[l]
		ea, eb := e.Sums[L+l]/sumP, e.Sums[2*L+l]/sumP
		kl[l] = (ea - eb) + (logZc - e.LogZf[l] - math.Log(sumP))
		if grad == nil {
			continue
		}
		g := grad[l*c : (l+1)*c]
		copy(g, gC)
		// E_p[∂F_c/∂J′_a] = −Σ_i ⟨B_{a,i}, G_i⟩, G_i[m][k] = Σ_s v(s)_m W_i[s][k].
		for i := 0; i < 4; i++ {
			for m := 0; m < d; m++ {
				for k := 0; k < d; k++ {
					G := 0.0
					for s := 0; s < S; s++ {
						G += b.Spins[s][m] * e.W[((i*S+s)*d+k)*L+l]
					}
					G /= sumP
					for a := 0; a < c; a++ {
						g[a] -= b.CoarseBasis[i][a][m*d+k] * G
					}
				}
			}
		}
	}
}
