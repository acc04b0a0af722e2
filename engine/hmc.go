package engine

import (
	"math"
	"math/rand/v2"
	"sync"
	"sync/atomic"
)

// HMC samples couplings J from exp(−U(J)) with U(J) = β ‖f(J)‖², one
// independent chain per trajectory (seed §II.A, docs/conventions.md §10).
type HMC struct {
	Dt          float64 // leapfrog step
	SolveSteps  int     // leapfrog steps per proposal
	SampleSteps int     // proposals (each with a Metropolis test) per call
	// Workers is the number of goroutines the leapfrog of a batch is
	// shared between (≤ 1: none), when the target is a ShardedTarget: each
	// runs the whole trajectory of its rows. The random numbers are drawn
	// before and after, in row order, so the chains do not depend on it.
	Workers int

	buf []float64 // p, q, g, U0, U1, H0, kept between calls
}

// HMCTarget is what HMC samples from: the potential U = β‖f‖² of a model's
// flow f and its gradient in J, for a batch.
type HMCTarget interface {
	// Potential returns U_m = β‖f(J_m)‖² for each of the batch rows of J
	// (M×c) and writes ∂U_m/∂J_m into grad (M×c). Each row's values must
	// not depend on the other rows (nor on how many there are).
	Potential(J []float64, batch int, beta float64, U, grad []float64)
}

// ShardedTarget is an HMCTarget whose potential can be evaluated on
// disjoint rows concurrently.
type ShardedTarget interface {
	HMCTarget
	// Shards returns n shards of the target: the same potential, each
	// with buffers of its own, for one goroutine each (they may run at
	// once). They are valid until the target's parameters change; HMC
	// asks for them once per Sample.
	Shards(n int) []HMCTarget
}

// Sample advances every chain in J (M×c, updated in place) and returns the
// number of accepted proposals.
func (h *HMC) Sample(f HMCTarget, J []float64, batch, c int, beta float64, rng *rand.Rand) int {
	return h.sample(f, J, batch, c, beta, rng, nil)
}

// SampleAlongside is Sample while side runs: side takes one of the Workers
// goroutines, which joins the leapfrog when side returns, and the rows are
// shared out in chunks (two per goroutine) that whichever goroutine is
// free takes next, so that the work balances however long side takes
// (goroutines are not time-sliced at this scale: a third one would wait).
// The chains are Sample's, bit for bit. Without shards (Workers ≤ 1, or a
// target that is not a ShardedTarget) side runs first, then Sample.
func (h *HMC) SampleAlongside(f HMCTarget, J []float64, batch, c int, beta float64, rng *rand.Rand, side func()) int {
	return h.sample(f, J, batch, c, beta, rng, side)
}

func (h *HMC) sample(f HMCTarget, J []float64, batch, c int, beta float64, rng *rand.Rand, side func()) int {
	n := batch * c
	if len(h.buf) != 3*n+3*batch {
		h.buf = make([]float64, 3*n+3*batch)
	}
	p, q, g := h.buf[:n], h.buf[n:2*n], h.buf[2*n:3*n]
	U0, U1, H0 := h.buf[3*n:3*n+batch], h.buf[3*n+batch:3*n+2*batch], h.buf[3*n+2*batch:]
	// leap runs the leapfrog of rows [lo, hi) on target tgt.
	leap := func(tgt HMCTarget, lo, hi int) {
		m := hi - lo
		p, q, g := p[lo*c:hi*c], q[lo*c:hi*c], g[lo*c:hi*c]
		U0, U1, H0 := U0[lo:hi], U1[lo:hi], H0[lo:hi]
		copy(q, J[lo*c:hi*c])
		tgt.Potential(q, m, beta, U0, g)
		for r := 0; r < m; r++ {
			H0[r] = U0[r] + 0.5*sqNorm(p[r*c:(r+1)*c])
		}
		for i := range p {
			p[i] -= 0.5 * h.Dt * g[i]
		}
		for step := 1; step <= h.SolveSteps; step++ {
			for i := range q {
				q[i] += h.Dt * p[i]
			}
			tgt.Potential(q, m, beta, U1, g)
			scale := h.Dt
			if step == h.SolveSteps {
				scale = 0.5 * h.Dt
			}
			for i := range p {
				p[i] -= scale * g[i]
			}
		}
	}
	sharded, _ := f.(ShardedTarget)
	workers := min(h.Workers, batch)
	var shards []HMCTarget
	if sharded != nil && workers > 1 {
		shards = sharded.Shards(workers)
	}
	if side != nil && shards == nil {
		side()
		side = nil
	}
	accepted := 0
	for s := 0; s < h.SampleSteps; s++ {
		for i := range p {
			p[i] = rng.NormFloat64()
		}
		if shards == nil {
			leap(f, 0, batch)
		} else {
			// one chunk of rows a goroutine, or, with side, two: then
			// whichever goroutine is free takes the next
			chunks := workers
			if side != nil {
				chunks = min(batch, 2*workers)
			}
			var next atomic.Int64
			var wg sync.WaitGroup
			for w := 0; w < workers; w++ {
				wg.Add(1)
				go func() {
					defer wg.Done()
					if w == 0 && side != nil {
						side()
					}
					for {
						k := int(next.Add(1) - 1)
						if k >= chunks {
							return
						}
						leap(shards[w], k*batch/chunks, (k+1)*batch/chunks)
					}
				}()
			}
			wg.Wait()
			side = nil
		}
		for m := 0; m < batch; m++ {
			H1 := U1[m] + 0.5*sqNorm(p[m*c:(m+1)*c])
			u := rng.Float64()
			// Metropolis: accept with probability min(1, exp(H0 − H1)); a
			// proposal whose energy is NaN is always rejected.
			if H1 <= H0[m] || u < math.Exp(H0[m]-H1) {
				copy(J[m*c:(m+1)*c], q[m*c:(m+1)*c])
				accepted++
			}
		}
	}
	return accepted
}

func sqNorm(x []float64) float64 {
	s := 0.0
	for _, v := range x {
		s += v * v
	}
	return s
}

// Beta is the annealing schedule β(e) = β_T / (1 + exp(−k (e − e_a)/E)).
func Beta(epoch, epochs int, betaT, center, sharpness float64) float64 {
	E := float64(epochs)
	return betaT / (1 + math.Exp(-sharpness*(float64(epoch)-center*E)/E))
}
