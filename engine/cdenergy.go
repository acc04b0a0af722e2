package engine

import (
	"context"
	"math/bits"
	"sync"
)

// CDEnergy is Hou & You's contrastive divergence (loss "cd-energy"; their
// MLRG.py, EquivariantRBM.cdloss_src, called by MLRG.loss): the teacher's
// corners v_0 after k_fine block-Gibbs sweeps of the fine block at J from a
// uniform start (sample_tgt), then k = k_coarse steps of the coarse block at
// J′ started from them — each step draws the centre h_t from the corners
// and then new corners v_{t+1} from h_t — and the difference of the coarse
// block's *energies*, not of its free energies,
//
//	D = mean E(v_0, h_0; J′) − mean E(v_k, h_{k−1}; J′),   E(v, h; J′) = −Σ_i v_iᵀ K′_i h,
//
// with the samples held fixed when differentiating in J′. For k = 1 this is
// their one-step form Σ potential_src·(src0 − src) with the centre drawn
// once from v_0; for k > 1 it is their energy(src0, tgt0) − energy(src,
// tgt). E is linear in J′, so D = J′·∂D/∂J′, and
//
//	∂D/∂J′_a = −(1/N) Σ_i Σ_{s,h} n_i(s, h) v(s)ᵀ B′_{i,a} v(h),
//
// n_i(s, h) counting the samples with (v_{0,i}, h_0) = (s, h) minus those
// with (v_{k,i}, h_{k−1}) = (s, h). As k → ∞ its expectation is the exact
// KL's gradient, like the free-energy CD's; for small k the two estimators
// differ (docs/presets.md). The chains are the CD's (the same random streams,
// so v_0 is the CD's v_fine for the same seed, epoch and trajectory), and
// the energy differences are unit-free: their J_theirs = 2J changes nothing
// here.
type CDEnergy struct {
	*CD
	// T[i][a][s·S+h] = v(s)ᵀ B′_{i,a} v(h), the coefficient of J′_a in
	// −E of corner i in state s and the centre in state h.
	T    [4][][]float64
	pool sync.Pool // of *energyWork
}

// energyWork is one trajectory's scratch beside the CD's buffers.
type energyWork struct {
	v0  [4][]uint8  // corners after the fine chain (byte path)
	h0  []uint8     // the first centre drawn (byte path)
	v0b [4][]uint64 // the same as bit planes (d = 1)
	h0b []uint64
	cnt [4][]float64 // n_i(s, h), S² entries
}

// NewCDEnergy builds the divergence a config describes (its [cd] settings:
// samples, k_fine, k_coarse).
func NewCDEnergy(b *Blocks, cfg CDConfig, seed uint64, workers int) (*CDEnergy, error) {
	cd, err := NewCD(b, cfg, seed, workers)
	if err != nil {
		return nil, err
	}
	e := &CDEnergy{CD: cd}
	d, S := b.D, b.S
	for i := 0; i < 4; i++ {
		e.T[i] = make([][]float64, b.C)
		for a, B := range b.CoarseBasis[i] {
			t := make([]float64, S*S)
			for s := 0; s < S; s++ {
				for h := 0; h < S; h++ {
					sum := 0.0
					for m := 0; m < d; m++ {
						for k := 0; k < d; k++ {
							sum += b.Spins[s][m] * B[m*d+k] * b.Spins[h][k]
						}
					}
					t[s*S+h] = sum
				}
			}
			e.T[i][a] = t
		}
	}
	return e, nil
}

func (e *CDEnergy) scratch() *energyWork {
	if w, ok := e.pool.Get().(*energyWork); ok && len(w.h0) == e.Samples {
		return w
	}
	N, S := e.Samples, e.B.S
	w := &energyWork{h0: make([]uint8, N), h0b: make([]uint64, (N+63)/64)}
	for i := range w.v0 {
		w.v0[i] = make([]uint8, N)
		w.v0b[i] = make([]uint64, (N+63)/64)
		w.cnt[i] = make([]float64, S*S)
	}
	return w
}

// Eval implements Divergence.
func (e *CDEnergy) Eval(J, Jp []float64, loss, grad []float64, epoch int) {
	_ = e.EvalContext(context.Background(), J, Jp, loss, grad, epoch)
}

// EvalContext implements ContextDivergence (and hides the embedded CD's):
// it stops between trajectories once ctx is done.
func (e *CDEnergy) EvalContext(ctx context.Context, J, Jp []float64, loss, grad []float64, epoch int) error {
	return e.eachTrajectory(ctx, "cd-energy", J, Jp, loss, grad, epoch, true, func(w *cdWork, J, Jp, g []float64, key uint64) float64 {
		s := e.scratch()
		defer e.pool.Put(s)
		return e.trajectory(w, s, J, Jp, g, key)
	})
}

// trajectory samples one coupling pair, writes ∂D/∂J′ into grad and
// returns D.
func (e *CDEnergy) trajectory(w *cdWork, s *energyWork, J, Jp, grad []float64, key uint64) float64 {
	b, g := e.B, w.g
	for i := range s.cnt {
		clear(s.cnt[i])
	}
	if b.D == 1 && !e.bytes {
		g.tab.coarse(b, Jp)
		k, kp := 0.0, 0.0
		for a, B := range b.RotBasis[0] {
			k += J[a] * B[0]
		}
		for a, B := range b.CoarseBasis[0] {
			kp += Jp[a] * B[0]
		}
		g.runFineBits(key, e.KFine, k)
		for i := range s.v0b {
			copy(s.v0b[i], g.cb[i])
		}
		for t := 0; t < e.KCoarse; t++ {
			g.coarseStepBits(key, e.KFine, t, kp)
			if t == 0 {
				copy(s.h0b, g.hb)
			}
		}
		for i := 0; i < 4; i++ {
			countBits(s.cnt[i], s.v0b[i], s.h0b, g.mask, 1)
			countBits(s.cnt[i], g.cb[i], g.hb, g.mask, -1)
		}
	} else {
		g.tab.fine(b, J)
		g.tab.coarse(b, Jp)
		g.runFine(key, e.KFine)
		for i := range s.v0 {
			copy(s.v0[i], g.c[i])
		}
		for t := 0; t < e.KCoarse; t++ {
			e.sampleStats(w, 0) // the centre's conditional from the corners
			g.coarseStep(key, e.KFine, t)
			if t == 0 {
				copy(s.h0, g.ctr)
			}
		}
		S := b.S
		for i := 0; i < 4; i++ {
			cnt, v0, v := s.cnt[i], s.v0[i], g.c[i]
			for n, h := range s.h0 {
				cnt[int(v0[n])*S+int(h)]++
			}
			for n, h := range g.ctr {
				cnt[int(v[n])*S+int(h)]--
			}
		}
	}
	inv := 1 / float64(e.Samples)
	D := 0.0
	for a := range grad {
		acc := 0.0
		for i := 0; i < 4; i++ {
			for x, n := range s.cnt[i] {
				if n != 0 {
					acc += n * e.T[i][a][x]
				}
			}
		}
		grad[a] = -acc * inv
		D += Jp[a] * grad[a]
	}
	return D
}

// countBits adds sign × the number of lanes in mask with (v, h) = (s, h')
// to cnt[s·2+h'] (d = 1: bit set = state 1 = spin −1).
func countBits(cnt []float64, v, h, mask []uint64, sign float64) {
	var n [4]int
	for w, m := range mask {
		a, c := v[w], h[w]
		n[0] += bits.OnesCount64(^a & ^c & m)
		n[1] += bits.OnesCount64(^a & c & m)
		n[2] += bits.OnesCount64(a & ^c & m)
		n[3] += bits.OnesCount64(a & c & m)
	}
	for x := range n {
		cnt[x] += sign * float64(n[x])
	}
}
