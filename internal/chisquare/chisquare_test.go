package chisquare

import (
	"math/rand/v2"
	"testing"
)

// Counts drawn from p fit p and not a distribution 10% off it; a pooled
// bin of small expectations counts as one.
func TestFitsItsOwnDistribution(t *testing.T) {
	p := []float64{0.5, 0.3, 0.19, 0.005, 0.005}
	rng := rand.New(rand.NewPCG(1, 2))
	counts := make([]int, len(p))
	for range 20000 {
		u, i := rng.Float64(), 0
		for ; i < len(p)-1 && u >= p[i]; i++ {
			u -= p[i]
		}
		counts[i]++
	}
	if _, pv, dof := Test(counts, p); pv < 1e-3 || dof != 4 {
		t.Errorf("samples of p against p: p-value %g, %d dof", pv, dof)
	}
	q := []float64{0.45, 0.33, 0.21, 0.005, 0.005}
	if _, pv, _ := Test(counts, q); pv > 1e-6 {
		t.Errorf("samples of p against q: p-value %g", pv)
	}
	// 100 samples: the last two bins expect 0.5 each and are pooled
	// into one: four bins, three degrees of freedom
	if _, _, dof := Test([]int{50, 30, 19, 1, 0}, p); dof != 3 {
		t.Errorf("with small expectations pooled: %d dof, want 3", dof)
	}
}
