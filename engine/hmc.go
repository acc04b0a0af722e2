package engine

import (
	"math"
	"math/rand/v2"
)

// HMC samples couplings J from exp(−U(J)) with U(J) = β ‖f(J)‖², one
// independent chain per trajectory (seed §II.A, docs/conventions.md §10).
type HMC struct {
	Dt          float64 // leapfrog step
	SolveSteps  int     // leapfrog steps per proposal
	SampleSteps int     // proposals (each with a Metropolis test) per call

	buf []float64 // p, q, g, U0, U1, H0, kept between calls
}

// HMCTarget is what HMC samples from: the potential U = β‖f‖² of a model's
// flow f and its gradient in J, for a batch.
type HMCTarget interface {
	// Potential returns U_m = β‖f(J_m)‖² for each of the batch rows of J
	// (M×c) and writes ∂U_m/∂J_m into grad (M×c).
	Potential(J []float64, batch int, beta float64, U, grad []float64)
}

// Sample advances every chain in J (M×c, updated in place) and returns the
// number of accepted proposals.
func (h *HMC) Sample(f HMCTarget, J []float64, batch, c int, beta float64, rng *rand.Rand) int {
	n := batch * c
	if len(h.buf) != 3*n+3*batch {
		h.buf = make([]float64, 3*n+3*batch)
	}
	p, q, g := h.buf[:n], h.buf[n:2*n], h.buf[2*n:3*n]
	U0, U1, H0 := h.buf[3*n:3*n+batch], h.buf[3*n+batch:3*n+2*batch], h.buf[3*n+2*batch:]
	accepted := 0
	for s := 0; s < h.SampleSteps; s++ {
		for i := range p {
			p[i] = rng.NormFloat64()
		}
		copy(q, J)
		f.Potential(q, batch, beta, U0, g)
		for m := 0; m < batch; m++ {
			H0[m] = U0[m] + 0.5*sqNorm(p[m*c:(m+1)*c])
		}
		for i := range p {
			p[i] -= 0.5 * h.Dt * g[i]
		}
		for step := 1; step <= h.SolveSteps; step++ {
			for i := range q {
				q[i] += h.Dt * p[i]
			}
			f.Potential(q, batch, beta, U1, g)
			scale := h.Dt
			if step == h.SolveSteps {
				scale = 0.5 * h.Dt
			}
			for i := range p {
				p[i] -= scale * g[i]
			}
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
