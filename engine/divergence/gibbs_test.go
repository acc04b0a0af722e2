package divergence_test

import (
	"math"
	"math/rand/v2"
	"reflect"
	"testing"

	"github.com/rgflow/rgflow/engine/divergence"
	"github.com/rgflow/rgflow/internal/chisquare"
)

// normalise turns log-weights into probabilities.
func normalise(lw []float64) []float64 {
	z := logSumExp(lw)
	p := make([]float64, len(lw))
	for i, v := range lw {
		p[i] = math.Exp(v - z)
	}
	return p
}

// histogram counts the chains' visible configurations, indexed as
// LogWeights (v = Σ_i s_i·S^i).
func histogram(p *divergence.Pair, g *divergence.Gibbs) []int {
	n := len(g.Visible)
	h := make([]int, 1<<(p.D*n))
	for c := 0; c < g.N; c++ {
		x := 0
		for i, st := range g.Visible {
			x |= int(st[c]) << (p.D * i)
		}
		h[x]++
	}
	return h
}

// checkFit requires the samples to fit exp(lw) (p-value above 1e-3) and
// to be rejected against exp(lwWrong), p-value below 1e-6, which shows
// that the test can fail.
func checkFit(t *testing.T, what string, counts []int, lw, lwWrong []float64) {
	t.Helper()
	x2, pv, dof := chisquare.Test(counts, normalise(lw))
	t.Logf("%s: χ² = %.1f, %d dof, p = %.3g", what, x2, dof, pv)
	if pv < 1e-3 {
		t.Errorf("%s: the Gibbs samples do not fit the exact distribution: χ² = %.1f for %d dof (p = %.3g)", what, x2, dof, pv)
	}
	if x2w, pvw, dofw := chisquare.Test(counts, normalise(lwWrong)); pvw > 1e-6 {
		t.Errorf("%s: the χ² test cannot tell the distribution at perturbed couplings apart: χ² = %.1f for %d dof (p = %.3g)", what, x2w, dofw, pvw)
	}
}

func scaled(J []float64, f float64) []float64 {
	out := make([]float64, len(J))
	for i, v := range J {
		out[i] = f * v
	}
	return out
}

type gibbsCase struct {
	block  string
	shells int
	rep    string
	J      []float64
}

// every bond kind: free and periodic patches, a second shell, a
// representation with E (rotated bonds, three spins a site)
var gibbsCases = []gibbsCase{
	{"free:2x1", 1, "A1", []float64{0.6}},
	{"torus:2x2", 1, "A1", []float64{-0.5}},
	{"free:2x1", 2, "A1", []float64{0.5, -0.3}},
	{"free:2x1", 1, "A1+B1", []float64{0.4, 0.3, -0.2, 0.25}},
}

// chains is the number of chains of a χ² test: fewer under -short, where
// the power check compares with couplings perturbed by 20% instead of 8%.
func chains() (int, float64) {
	if testing.Short() {
		return 1 << 15, 1.2
	}
	return 1 << 17, 1.08
}

// Many independent chains after enough block-Gibbs steps are exact
// samples of the fine block: their visible configurations, each its own
// bin, fit exp(log w_f)/Z_f.
func TestGibbsFineMatchesExact(t *testing.T) {
	N, f := chains()
	for _, c := range gibbsCases {
		p := pair(t, c.block, c.shells, c.rep, "axis")
		g, err := p.NewGibbs(N)
		if err != nil {
			t.Fatal(err)
		}
		g.RunFine(c.J, 0x5eed, 40)
		lw, err := p.LogWeights(c.J, true)
		if err != nil {
			t.Fatal(err)
		}
		lww, _ := p.LogWeights(scaled(c.J, f), true)
		checkFit(t, c.block+" "+c.rep+" fine", histogram(p, g), lw, lww)
	}
}

// The same for the coarse block's chain (centres given the visible
// sites, visible sites given the centres) from a uniform start.
func TestGibbsCoarseMatchesExact(t *testing.T) {
	N, f := chains()
	for _, c := range gibbsCases {
		p := pair(t, c.block, c.shells, c.rep, "axis")
		g, err := p.NewGibbs(N)
		if err != nil {
			t.Fatal(err)
		}
		g.RunFine(c.J, 0x5eed, 0) // the uniform start only
		g.TabulateCoarse(c.J)
		g.RunCoarse(0x5eed, 0, 40)
		lw, err := p.LogWeights(c.J, false)
		if err != nil {
			t.Fatal(err)
		}
		lww, _ := p.LogWeights(scaled(c.J, f), false)
		checkFit(t, c.block+" "+c.rep+" coarse", histogram(p, g), lw, lww)
	}
}

// LogWeights, the χ² tests' reference, gives the divergence's KL: summed
// over the configurations it is KL(J, J′) per coarse site as the
// enumeration and the transfer matrix compute it.
func TestLogWeightsGiveTheKL(t *testing.T) {
	rng := rand.New(rand.NewPCG(5, 6))
	for _, c := range gibbsCases {
		p := pair(t, c.block, c.shells, c.rep, "axis")
		J, Jp := randomJ(rng, p.C, 0.6), randomJ(rng, p.C, 0.6)
		lf, _ := p.LogWeights(J, true)
		lc, _ := p.LogWeights(Jp, false)
		zf, zc := logSumExp(lf), logSumExp(lc)
		kl := 0.0
		for x := range lf {
			kl += math.Exp(lf[x]-zf) * (lf[x] - zf - lc[x] + zc)
		}
		kl /= float64(p.CoarseSites())
		if want, _ := p.KL(J, Jp); !near(kl, want, 1e-11) {
			t.Errorf("%s %s: KL from LogWeights %v, the divergence's %v", c.block, c.rep, kl, want)
		}
	}
}

// The threshold tables and the fields gathered chain by chain draw the
// same samples, bit for bit (the tables sum each field in the same order),
// also where a neighbourhood is too large to tabulate (2A1+E: d = 4, the
// visible sites' 16 neighbour spins); the same key gives the same chains
// and another key others.
func TestGibbsTablesAreTheFields(t *testing.T) {
	for _, c := range append(gibbsCases, gibbsCase{"free:2x2", 1, "2A1+E", []float64{0.3, 0.1, 0, -0.1, 0.2, 0.1, 0.05, 0, 0.2, 0.15}}) {
		p := pair(t, c.block, c.shells, c.rep, "axis")
		run := func(gather bool, key uint64) [][]uint8 {
			g, err := p.NewGibbs(300)
			if err != nil {
				t.Fatal(err)
			}
			divergence.SetGather(g, gather)
			g.RunFine(c.J, key, 5)
			g.TabulateCoarse(scaled(c.J, 0.9))
			g.RunCoarse(key, 5, 2)
			out := make([][]uint8, len(g.Visible))
			for i, st := range g.Visible {
				out[i] = append([]uint8(nil), st...)
			}
			return out
		}
		tab := run(false, 11)
		if !reflect.DeepEqual(tab, run(true, 11)) {
			t.Errorf("%s %s: the tables and the gathered fields draw different samples", c.block, c.rep)
		}
		if !reflect.DeepEqual(tab, run(false, 11)) {
			t.Errorf("%s %s: one key drew two different sets of chains", c.block, c.rep)
		}
		if reflect.DeepEqual(tab, run(false, 12)) {
			t.Errorf("%s %s: two keys drew the same chains", c.block, c.rep)
		}
	}
}

// CoarseStats is Σ over the chains of log w_c at their visible states,
// and its gradient in J′ that of the sum with the samples held fixed
// (against central differences).
func TestCoarseStats(t *testing.T) {
	rng := rand.New(rand.NewPCG(7, 8))
	for _, c := range gibbsCases {
		p := pair(t, c.block, c.shells, c.rep, "axis")
		g, err := p.NewGibbs(50)
		if err != nil {
			t.Fatal(err)
		}
		g.RunFine(c.J, 3, 4)
		Jp := randomJ(rng, p.C, 0.7)
		g.TabulateCoarse(Jp)
		grad := make([]float64, p.C)
		sum := g.CoarseStats(grad, 1)
		lc, _ := p.LogWeights(Jp, false)
		want := 0.0
		for _, x := range histogramIndex(p, g) {
			want += lc[x]
		}
		if !near(sum, want, 1e-11) {
			t.Errorf("%s %s: CoarseStats %v, Σ log w_c %v", c.block, c.rep, sum, want)
		}
		for a := range Jp {
			const h = 1e-6
			up, dn := append([]float64(nil), Jp...), append([]float64(nil), Jp...)
			up[a] += h
			dn[a] -= h
			g.TabulateCoarse(up)
			fu := g.CoarseStats(nil, 1)
			g.TabulateCoarse(dn)
			fd := g.CoarseStats(nil, 1)
			if fdv := (fu - fd) / (2 * h); !near(grad[a], fdv, 1e-6) {
				t.Errorf("%s %s: ∂/∂J′_%d %v, central difference %v", c.block, c.rep, a, grad[a], fdv)
			}
		}
	}
}

// histogramIndex is each chain's visible configuration, as LogWeights
// indexes it.
func histogramIndex(p *divergence.Pair, g *divergence.Gibbs) []int {
	out := make([]int, g.N)
	for c := range out {
		for i, st := range g.Visible {
			out[c] |= int(st[c]) << (p.D * i)
		}
	}
	return out
}
