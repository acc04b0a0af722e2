package engine

import (
	"math"
	"math/rand/v2"
	"testing"

	"github.com/rgflow/rgflow/kernels"
	"github.com/rgflow/rgflow/reps"
)

// dlrgLogWeights are −F of the seed's reference blocks (jshe2304/dlrg,
// rbm/rbm.py: W = kron(adjacency, K), the hidden site the row of K in both
// blocks), summed out by hand: the fine block's edge e sees the field
// K (v_a + v_b) of its two corners, the coarse centre K′ Σ_i v_i.
func dlrgLogWeights(b *Blocks, J, Jp []float64) (fine, coarse []float64) {
	d, S := b.D, b.S
	K, Kp := b.Rep.K(J), b.Rep.K(Jp)
	lc := func(x float64) float64 { l, _ := kernels.LcTanh(x); return l }
	n := S * S * S * S
	fine, coarse = make([]float64, n), make([]float64, n)
	for x := 0; x < n; x++ {
		s := [4]int{x / (S * S * S), x / (S * S) % S, x / S % S, x % S}
		for _, e := range fineEdges {
			va, vb := b.Spins[s[e[0]]], b.Spins[s[e[2]]]
			for k := 0; k < d; k++ {
				f := 0.0
				for m := 0; m < d; m++ {
					f += K[k*d+m] * (va[m] + vb[m])
				}
				fine[x] += lc(f)
			}
		}
		for k := 0; k < d; k++ {
			f := 0.0
			for i := 0; i < 4; i++ {
				for m := 0; m < d; m++ {
					f += Kp[k*d+m] * b.Spins[s[i]][m]
				}
			}
			coarse[x] += lc(f)
		}
	}
	return fine, coarse
}

// Unrotated bonds are the seed's blocks: their visible weights, the exact
// KL and its second derivatives (which may then use the flip only);
// for A1 they are the rotated blocks.
func TestUnrotatedBonds(t *testing.T) {
	rng := rand.New(rand.NewPCG(91, 92))
	for _, name := range []string{"A1", "A1+E"} {
		rep, err := reps.Builtin(name)
		if err != nil {
			t.Fatal(err)
		}
		b := NewBlocks(rep, WithBonds(BondsUnrotated))
		if b.Bonds != BondsUnrotated {
			t.Fatalf("bonds %q", b.Bonds)
		}
		J, Jp := randomJ(rng, b.C, 0.5), randomJ(rng, b.C, 0.5)
		fine, coarse := dlrgLogWeights(b, J, Jp)
		gf, gc := b.FineLogWeights(J), b.CoarseLogWeights(Jp)
		for x := range fine {
			if math.Abs(gf[x]-fine[x]) > 1e-12 || math.Abs(gc[x]-coarse[x]) > 1e-12 {
				t.Fatalf("%s: −F at %d: fine %v / %v, coarse %v / %v", name, x, gf[x], fine[x], gc[x], coarse[x])
			}
		}
		kl, _ := b.KL(J, Jp)
		if want := klOf(fine, coarse); math.Abs(kl-want) > 1e-11 {
			t.Fatalf("%s: KL %v, by hand %v", name, kl, want)
		}
		d2 := b.KLSecondOrder(J, Jp, true)
		if math.Abs(d2.KL-kl) > 1e-11 {
			t.Fatalf("%s: KLSecondOrder's KL %v, KL %v", name, d2.KL, kl)
		}
		const h = 1e-5
		for bb := 0; bb < b.C; bb++ {
			up, dn := append([]float64(nil), Jp...), append([]float64(nil), Jp...)
			up[bb] += h
			dn[bb] -= h
			_, gu := b.KL(J, up)
			_, gd := b.KL(J, dn)
			for a := 0; a < b.C; a++ {
				if fd := (gu[a] - gd[a]) / (2 * h); math.Abs(fd-d2.Hess[a*b.C+bb]) > 1e-7*math.Max(1, math.Abs(fd)) {
					t.Fatalf("%s: Hess[%d][%d] = %v, finite differences %v", name, a, bb, d2.Hess[a*b.C+bb], fd)
				}
			}
		}
		rot := NewBlocks(rep)
		if rk, _ := rot.KL(J, Jp); name == "A1" && rk != kl {
			t.Fatalf("A1: unrotated KL %v, rotated %v", kl, rk)
		} else if name == "A1+E" && math.Abs(rk-kl) < 1e-6 {
			t.Fatalf("A1+E: unrotated and rotated blocks agree (%v)", kl)
		}
	}
	cfg := DefaultConfig()
	cfg.Rep, cfg.Bonds, cfg.CoarseMirror = "A1+E", BondsUnrotated, "diagonal"
	if err := cfg.Validate(); err == nil {
		t.Error("unrotated bonds with the diagonal coarse mirror validate")
	}
	cfg.Bonds = "tilted"
	if err := cfg.Validate(); err == nil {
		t.Error("bonds = tilted validates")
	}
}
