package engine

import (
	"math"
	"math/rand/v2"
	"testing"
)

func mirrorBlocks(t testing.TB, name, mirror string) *Blocks {
	t.Helper()
	b := mustBlocks(t, name)
	m, err := ResolveCoarseMirror(b.Rep, mirror)
	if err != nil {
		t.Fatal(err)
	}
	return NewBlocks(b.Rep, WithCoarseMirror(m))
}

// The second derivatives against central differences of the analytic
// gradient (itself checked against differences of the KL in kl_test.go).
func TestKLSecondOrderFiniteDifferences(t *testing.T) {
	rng := rand.New(rand.NewPCG(3, 4))
	for _, tc := range []struct{ rep, mirror string }{{"A1", "axis"}, {"A1+E", "axis"}, {"A1+E", "diagonal"}, {"2A1+E", "axis"}, {"2A1+E", "diagonal"}} {
		b := mirrorBlocks(t, tc.rep, tc.mirror)
		c := b.C
		for trial := 0; trial < 2; trial++ {
			J := randomJ(rng, c, 0.5)
			Jp := randomJ(rng, c, 0.5)
			got := b.KLSecondOrder(J, Jp, true)
			kl, grad := b.KL(J, Jp)
			if math.Abs(got.KL-kl) > 1e-12*math.Max(1, kl) {
				t.Errorf("%s/%s: KL %v, KLBatch %v", tc.rep, tc.mirror, got.KL, kl)
			}
			for a := range grad {
				if math.Abs(got.Grad[a]-grad[a]) > 1e-12 {
					t.Errorf("%s/%s: grad[%d] %v, KLBatch %v", tc.rep, tc.mirror, a, got.Grad[a], grad[a])
				}
			}
			const h = 1e-5
			for bb := 0; bb < c; bb++ {
				up, dn := append([]float64(nil), Jp...), append([]float64(nil), Jp...)
				up[bb] += h
				dn[bb] -= h
				_, gu := b.KL(J, up)
				_, gd := b.KL(J, dn)
				Ju, Jd := append([]float64(nil), J...), append([]float64(nil), J...)
				Ju[bb] += h
				Jd[bb] -= h
				_, gJu := b.KL(Ju, Jp)
				_, gJd := b.KL(Jd, Jp)
				for a := 0; a < c; a++ {
					fd := (gu[a] - gd[a]) / (2 * h)
					if math.Abs(fd-got.Hess[a*c+bb]) > 1e-7*math.Max(1, math.Abs(fd)) {
						t.Errorf("%s/%s: Hess[%d][%d] = %.10g, finite difference %.10g", tc.rep, tc.mirror, a, bb, got.Hess[a*c+bb], fd)
					}
					fdm := (gJu[a] - gJd[a]) / (2 * h)
					if math.Abs(fdm-got.Mixed[a*c+bb]) > 1e-7*math.Max(1, math.Abs(fdm)) {
						t.Errorf("%s/%s: Mixed[%d][%d] = %.10g, finite difference %.10g", tc.rep, tc.mirror, a, bb, got.Mixed[a*c+bb], fdm)
					}
				}
			}
		}
	}
}

func BenchmarkKLSecondOrder(b *testing.B) {
	for _, name := range []string{"A1+E", "2A1+E"} {
		for _, mixed := range []bool{false, true} {
			bl := mustBlocks(b, name)
			rng := rand.New(rand.NewPCG(1, 1))
			J, Jp := randomJ(rng, bl.C, 0.5), randomJ(rng, bl.C, 0.5)
			b.Run(name+map[bool]string{false: "", true: "/mixed"}[mixed], func(b *testing.B) {
				for b.Loop() {
					bl.KLSecondOrder(J, Jp, mixed)
				}
			})
		}
	}
}
