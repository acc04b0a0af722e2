package engine

import (
	"fmt"
	"math"
	"math/rand/v2"
	"testing"

	"github.com/rgflow/rgflow/internal/chisquare"
	"github.com/rgflow/rgflow/kernels"
	"github.com/rgflow/rgflow/reps"
)

func TestCornerEdges(t *testing.T) {
	// docs/conventions.md §5: e0–c0 (0), e0–c1 (2), e1–c1 (1), e1–c2 (3), e2–c2 (2),
	// e2–c3 (0), e3–c0 (1), e3–c3 (3); per corner, (edge, direction).
	want := [4][4]int{
		{0, 0, 3, 1},
		{0, 2, 1, 1},
		{1, 3, 2, 2},
		{2, 0, 3, 3},
	}
	if cornerEdges != want {
		t.Fatalf("cornerEdges = %v, want %v", cornerEdges, want)
	}
}

// siteProbs returns P(state s) of a site whose spins feel field f, from the
// sigmoids: Π_k σ(2 f_k spin_k(s)).
func siteProbs(b *Blocks, f []float64) []float64 {
	p := make([]float64, b.S)
	for s := range p {
		p[s] = 1
		for k, x := range f {
			p[s] *= 1 / (1 + math.Exp(-2*x*b.Spins[s][k]))
		}
	}
	return p
}

// checkRow compares row r of a threshold-major table of R rows with the
// cumulative sums of p.
func checkRow(t *testing.T, what string, tab []uint32, R, r int, p []float64) {
	t.Helper()
	cum := 0.0
	for j := 0; j < len(p)-1; j++ {
		cum += p[j]
		want := cum * 0x1p32
		got := float64(tab[j*R+r])
		if tab[j*R+r] == math.MaxUint32 && want >= math.MaxUint32-2 {
			continue
		}
		if math.Abs(got-want) > 2 {
			t.Fatalf("%s: threshold %d = %v, want 2^32·%v = %v", what, j, got, cum, want)
		}
	}
}

func addVec(a, b []float64) []float64 {
	out := make([]float64, len(a))
	for i := range a {
		out[i] = a[i] + b[i]
	}
	return out
}

func transposeMat(d int, K []float64) []float64 {
	out := make([]float64, d*d)
	for i := 0; i < d; i++ {
		for j := 0; j < d; j++ {
			out[j*d+i] = K[i*d+j]
		}
	}
	return out
}

// Every table row against the sigmoid formula, with the fields computed
// bond by bond from the representation's own bond matrices.
func TestGibbsTablesMatchSigmoids(t *testing.T) {
	rng := rand.New(rand.NewPCG(21, 22))
	for _, name := range []string{"A1", "E", "A1+E"} {
		b := mustBlocks(t, name)
		d, S := b.D, b.S
		tab := newGibbsTables(b)
		for trial := 0; trial < 3; trial++ {
			J, Jp := randomJ(rng, b.C, 0.8), randomJ(rng, b.C, 0.8)
			if trial == 2 { // saturated conditionals
				for i := range J {
					J[i] *= 40
				}
			}
			tab.fine(b, J)
			tab.coarse(b, Jp)
			K, Kp := b.Rep.BondMatrices(J), b.Rep.BondMatrices(Jp)
			for e, edge := range fineEdges {
				for sa := 0; sa < S; sa++ {
					for sb := 0; sb < S; sb++ {
						f := addVec(matVec(d, K[edge[1]], b.Spins[sa]), matVec(d, K[edge[3]], b.Spins[sb]))
						checkRow(t, name+" hidden", tab.hid[e], S*S, sa*S+sb, siteProbs(b, f))
					}
				}
			}
			for c, ce := range cornerEdges {
				for sx := 0; sx < S; sx++ {
					for sy := 0; sy < S; sy++ {
						f := addVec(matVec(d, transposeMat(d, K[ce[1]]), b.Spins[sx]), matVec(d, transposeMat(d, K[ce[3]]), b.Spins[sy]))
						checkRow(t, name+" corner", tab.cor[c], S*S, sx*S+sy, siteProbs(b, f))
					}
				}
			}
			U := b.CoarseFields(Jp)
			for i := 0; i < 4; i++ {
				for h := 0; h < S; h++ {
					f := matVec(d, Kp[i], b.Spins[h])
					checkRow(t, name+" coarse corner", tab.cc[i], S, h, siteProbs(b, f))
				}
				for j, v := range U[i] {
					if math.Abs(tab.U[i][j]-v) > 1e-12 {
						t.Fatalf("%s: U[%d][%d] = %v, CoarseFields has %v", name, i, j, tab.U[i][j], v)
					}
				}
			}
		}
	}
}

// The tanh φ that sampleStats leaves for the centre draw, whose spin
// probabilities are (1 + tanh φ)/2 = σ(2φ), are those of the coarse fields.
func TestCentreProbabilities(t *testing.T) {
	b := mustBlocks(t, "A1+E")
	rng := rand.New(rand.NewPCG(23, 24))
	cd, _ := NewCD(b, CDConfig{Samples: 40, KFine: 1, KCoarse: 1}, 1, 1)
	w := cd.work()
	Jp := randomJ(rng, b.C, 1)
	w.g.tab.coarse(b, Jp)
	U := b.CoarseFields(Jp)
	for i := range w.g.c {
		for n := range w.g.c[i] {
			w.g.c[i][n] = uint8(rng.IntN(b.S))
		}
	}
	cd.sampleStats(w, 0)
	for n := 0; n < cd.Samples; n++ {
		for k := 0; k < b.D; k++ {
			phi := 0.0
			for i := 0; i < 4; i++ {
				phi += U[i][int(w.g.c[i][n])*b.D+k]
			}
			th := w.g.th[k*cd.Samples+n]
			if want := math.Tanh(phi); math.Abs(th-want) > 1e-15 {
				t.Fatalf("th = %v, tanh φ = %v", th, want)
			}
			if q, want := 0.5+0.5*th, sigmoid(2*phi); math.Abs(q-want) > 1e-15 {
				t.Fatalf("(1 + th)/2 = %v, σ(2φ) = %v", q, want)
			}
		}
	}
}

// chiSquare is Pearson's χ² test of counts against p (internal/chisquare).
func chiSquare(counts []int, p []float64) (x2, pval float64, dof int) {
	return chisquare.Test(counts, p)
}

// histogram counts the corner configurations, indexed as FineLogWeights.
func histogram(S int, c [4][]uint8) []int {
	h := make([]int, S*S*S*S)
	for n := range c[0] {
		h[((int(c[0][n])*S+int(c[1][n]))*S+int(c[2][n]))*S+int(c[3][n])]++
	}
	return h
}

// unpackBits turns the d = 1 bit planes into byte states.
func unpackBits(g *gibbsChains) [4][]uint8 {
	var c [4][]uint8
	for i := range c {
		c[i] = make([]uint8, g.N)
		for n := range c[i] {
			c[i][n] = uint8(g.cb[i][n/64] >> (n % 64) & 1)
		}
	}
	return c
}

// checkChi2 requires the sample to fit p (p-value above 1e-3) and to be
// rejected against the distribution at a perturbed coupling, p-value below
// 1e-6, which shows that the test can fail.
func checkChi2(t *testing.T, what string, counts []int, p, pWrong []float64) {
	t.Helper()
	x2, pv, dof := chiSquare(counts, p)
	t.Logf("%s: χ² = %.1f, %d dof, p = %.3g", what, x2, dof, pv)
	if pv < 1e-3 {
		t.Errorf("%s: the Gibbs samples do not fit the exact distribution: χ² = %.1f for %d dof (p = %.3g)", what, x2, dof, pv)
	}
	if x2w, pvw, dofw := chiSquare(counts, pWrong); pvw > 1e-6 {
		t.Errorf("%s: the χ² test cannot tell the distribution at a perturbed coupling apart: χ² = %.1f for %d dof (p = %.3g)", what, x2w, dofw, pvw)
	}
}

// perturbed scales couplings by the factor the power check uses: 8%, or
// 20% for the four times smaller samples of -short.
func perturbed(J []float64) []float64 {
	if testing.Short() {
		return scaled(J, 1.2)
	}
	return scaled(J, 1.08)
}

func scaled(J []float64, f float64) []float64 {
	out := make([]float64, len(J))
	for i, v := range J {
		out[i] = f * v
	}
	return out
}

// Many independent chains after enough block-Gibbs steps are exact
// samples of the fine block: their corner configurations, binned by the
// full visible configuration, fit exp(−F_f)/Z_f. For A1+E every one of the
// 4096 configurations is its own bin and bins expecting fewer than 5
// samples are pooled: this is the strongest binning (any error in any
// conditional table, including the rotated E couplings of one bond, shows
// up somewhere), so no coarser statistic is needed.
func TestGibbsFineMatchesExact(t *testing.T) {
	cases := []struct {
		rep   string
		bits  bool
		J     []float64
		N     int
		steps int
	}{
		{"A1", true, []float64{0.6}, 1 << 16, 48},
		{"A1", true, []float64{-0.9}, 1 << 16, 64},
		{"A1", false, []float64{0.6}, 1 << 16, 48},
		{"A1+E", false, []float64{0.45, 0.2, -0.25, 0.35, 0.3}, 1 << 17, 48},
	}
	for _, tc := range cases {
		N := tc.N
		if testing.Short() {
			N /= 4
		}
		b := mustBlocks(t, tc.rep)
		g := newGibbsChains(b, N)
		key := cdKey(99, 0, len(tc.J))
		var c [4][]uint8
		if tc.bits {
			g.runFineBits(key, tc.steps, tc.J[0])
			c = unpackBits(g)
		} else {
			g.tab.fine(b, tc.J)
			g.runFine(key, tc.steps)
			c = g.c
		}
		name := tc.rep + map[bool]string{true: " (bit-sliced)", false: " (tables)"}[tc.bits]
		checkChi2(t, name+" fine", histogram(b.S, c),
			normalise(b.FineLogWeights(tc.J)), normalise(b.FineLogWeights(perturbed(tc.J))))
	}
}

// The same for the coarse block's Gibbs chain (centre given corners,
// corners given centre) against exp(−F_c)/Z_c.
func TestGibbsCoarseMatchesExact(t *testing.T) {
	cases := []struct {
		rep   string
		bits  bool
		Jp    []float64
		N     int
		steps int
	}{
		{"A1", true, []float64{0.5}, 1 << 16, 40},
		{"A1", false, []float64{-0.5}, 1 << 16, 40},
		{"A1+E", false, []float64{0.4, -0.2, 0.15, 0.3, 0.25}, 1 << 17, 40},
	}
	for _, tc := range cases {
		N := tc.N
		if testing.Short() {
			N /= 4
		}
		b := mustBlocks(t, tc.rep)
		cd, _ := NewCD(b, CDConfig{Samples: N, KFine: 1, KCoarse: 1}, 5, 1)
		w := cd.work()
		g := w.g
		g.tab.coarse(b, tc.Jp)
		key := cdKey(5, 1, 2)
		var c [4][]uint8
		if tc.bits {
			for i := 0; i < 4; i++ {
				kernels.RandFill(g.cb[i], key, kernels.Sub(kernels.StartPhase, i))
			}
			for s := 0; s < tc.steps; s++ {
				g.coarseStepBits(key, 0, s, tc.Jp[0])
			}
			c = unpackBits(g)
		} else {
			for i := 0; i < 4; i++ {
				b.kern.UniformStates(g.c[i], b.D, key, kernels.Sub(kernels.StartPhase, i))
			}
			for s := 0; s < tc.steps; s++ {
				cd.sampleStats(w, 0)
				g.coarseStep(key, 0, s)
			}
			c = g.c
		}
		name := tc.rep + map[bool]string{true: " (bit-sliced)", false: " (tables)"}[tc.bits]
		checkChi2(t, name+" coarse", histogram(b.S, c),
			normalise(b.CoarseLogWeights(tc.Jp)), normalise(b.CoarseLogWeights(perturbed(tc.Jp))))
	}
}

// marginalPairs bins samples by the states of corners i and j, and sums a
// distribution over the visible configurations (FineLogWeights' order)
// into the same bins.
func marginalPairs(S, i, j int, c [4][]uint8, p []float64) (counts []int, q []float64) {
	counts, q = make([]int, S*S), make([]float64, S*S)
	for n := range c[0] {
		counts[int(c[i][n])*S+int(c[j][n])]++
	}
	for v, pv := range p {
		s := [4]int{v / (S * S * S), v / (S * S) % S, v / S % S, v % S}
		q[s[i]*S+s[j]] += pv
	}
	return counts, q
}

// From d = kernels.ProdMinD on the sites are drawn spin by spin: the
// fine and coarse chains of 2A1+E (d = 4, 2^16 visible configurations)
// against the exact distributions, binned by the joint states of two
// corners (neighbours and opposites: 256 bins each), which a wrong factor
// of any bond would shift.
func TestGibbsPerSpinMatchesExact(t *testing.T) {
	b := mustBlocks(t, "2A1+E")
	if b.D < kernels.ProdMinD {
		t.Fatalf("2A1+E has d = %d, below kernels.ProdMinD", b.D)
	}
	N := 1 << 16
	if testing.Short() {
		N /= 4
	}
	rng := rand.New(rand.NewPCG(81, 82))
	J := randomJ(rng, b.C, 0.35)
	J[0] = 0.5
	g := newGibbsChains(b, N)
	if !g.tab.prod {
		t.Fatal("the 2A1+E tables are not per-spin")
	}
	g.tab.fine(b, J)
	key := cdKey(17, 0, 3)
	g.runFine(key, 30)
	pf, pw := normalise(b.FineLogWeights(J)), normalise(b.FineLogWeights(perturbed(J)))
	for _, ij := range [][2]int{{0, 1}, {0, 2}} {
		counts, q := marginalPairs(b.S, ij[0], ij[1], g.c, pf)
		_, qw := marginalPairs(b.S, ij[0], ij[1], g.c, pw)
		checkChi2(t, fmt.Sprintf("2A1+E fine, corners %d,%d", ij[0], ij[1]), counts, q, qw)
	}

	Jp := randomJ(rng, b.C, 0.35)
	Jp[0] = 0.45
	cd, _ := NewCD(b, CDConfig{Samples: N, KFine: 1, KCoarse: 1}, 5, 1)
	w := cd.work()
	gc := w.g
	gc.tab.coarse(b, Jp)
	for i := 0; i < 4; i++ {
		b.kern.UniformStates(gc.c[i], b.D, key, kernels.Sub(kernels.StartPhase, i))
	}
	for s := 0; s < 20; s++ {
		cd.sampleStats(w, 0)
		gc.coarseStep(key, 0, s)
	}
	qc, qcw := normalise(b.CoarseLogWeights(Jp)), normalise(b.CoarseLogWeights(perturbed(Jp)))
	for _, ij := range [][2]int{{0, 1}, {0, 2}} {
		counts, q := marginalPairs(b.S, ij[0], ij[1], gc.c, qc)
		_, qw := marginalPairs(b.S, ij[0], ij[1], gc.c, qcw)
		checkChi2(t, fmt.Sprintf("2A1+E coarse, corners %d,%d", ij[0], ij[1]), counts, q, qw)
	}
}

// The per-spin factor tables are e^{−2f} of the bonds' fields.
func TestPerSpinFactors(t *testing.T) {
	b := mustBlocks(t, "2A1+E")
	rng := rand.New(rand.NewPCG(83, 84))
	tab := newGibbsTables(b)
	J := randomJ(rng, b.C, 0.8)
	tab.fine(b, J)
	d, S := b.D, b.S
	K := b.Rep.BondMatrices(J)
	for e, edge := range fineEdges {
		for s := 0; s < S; s++ {
			fa, fb := matVec(d, K[edge[1]], b.Spins[s]), matVec(d, K[edge[3]], b.Spins[s])
			for k := 0; k < d; k++ {
				for _, c := range []struct{ got, f float64 }{{tab.hidA[e][k*S+s], fa[k]}, {tab.hidB[e][k*S+s], fb[k]}} {
					if want := math.Exp(-2 * c.f); math.Abs(c.got-want) > 1e-14*want {
						t.Fatalf("edge %d state %d spin %d: factor %v, e^{−2f} = %v", e, s, k, c.got, want)
					}
				}
			}
		}
	}
}

// fineMarginal2 is the fine block's exact distribution of the states of
// corners (0, 1) (neighbours) or (0, 2) (opposite), by transfer matrices
// around the ring c0–c1–c2–c3 in O(S³): the check of the samplers beyond
// the exact KL's reach (d = 7, 8), where the 2^{4d} configurations cannot
// be listed.
func fineMarginal2(b *Blocks, J []float64, opposite bool) []float64 {
	S := b.S
	T := b.FineTables(J)
	logZ := b.FineLogZ(T)
	var E [4][]float64 // e^{T_e − log Z/4}
	for k := range E {
		E[k] = make([]float64, S*S)
		for i, v := range T[k] {
			E[k][i] = math.Exp(v - logZ/4)
		}
	}
	q := make([]float64, S*S)
	if opposite { // Σ_{s1} e0(s0,s1) e1(s1,s2) · Σ_{s3} e2(s2,s3) e3(s0,s3)
		for s0 := 0; s0 < S; s0++ {
			for s2 := 0; s2 < S; s2++ {
				a, c := 0.0, 0.0
				for s := 0; s < S; s++ {
					a += E[0][s0*S+s] * E[1][s*S+s2]
					c += E[2][s2*S+s] * E[3][s0*S+s]
				}
				q[s0*S+s2] = a * c
			}
		}
		return normaliseSum(q)
	}
	// e0(s0,s1) · Σ_{s2} e1(s1,s2) M[s2][s0], M[s2][s0] = Σ_{s3} e2(s2,s3) e3(s0,s3)
	M := make([]float64, S*S)
	for s2 := 0; s2 < S; s2++ {
		for s0 := 0; s0 < S; s0++ {
			x := 0.0
			for s3 := 0; s3 < S; s3++ {
				x += E[2][s2*S+s3] * E[3][s0*S+s3]
			}
			M[s2*S+s0] = x
		}
	}
	for s0 := 0; s0 < S; s0++ {
		for s1 := 0; s1 < S; s1++ {
			x := 0.0
			for s2 := 0; s2 < S; s2++ {
				x += E[1][s1*S+s2] * M[s2*S+s0]
			}
			q[s0*S+s1] = E[0][s0*S+s1] * x
		}
	}
	return normaliseSum(q)
}

// coarseMarginal2 is the coarse block's exact distribution of the states
// of corners 0 and j, summed over the centre: given the centre state h
// the corners are independent, P(v_i | h) ∝ exp(v_iᵀ K′_i h).
func coarseMarginal2(b *Blocks, Jp []float64, j int) []float64 {
	S, d := b.S, b.D
	U := b.CoarseFields(Jp) // U_i[s][k] = (K′_iᵀ v(s))_k: corner i's field on the centre
	q := make([]float64, S*S)
	w := make([][]float64, 4) // w_i[s] = exp(v(s)ᵀ K′_i h) for the current h
	for i := range w {
		w[i] = make([]float64, S)
	}
	for h := 0; h < S; h++ {
		var z [4]float64
		for i := 0; i < 4; i++ {
			for s := 0; s < S; s++ {
				x := 0.0
				for k := 0; k < d; k++ {
					x += U[i][s*d+k] * b.Spins[h][k]
				}
				w[i][s] = math.Exp(x)
				z[i] += w[i][s]
			}
		}
		rest := 1.0
		for i := 1; i < 4; i++ {
			if i != j {
				rest *= z[i]
			}
		}
		for s0 := 0; s0 < S; s0++ {
			for sj := 0; sj < S; sj++ {
				q[s0*S+sj] += w[0][s0] * w[j][sj] * rest
			}
		}
	}
	return normaliseSum(q)
}

func normaliseSum(q []float64) []float64 {
	s := 0.0
	for _, v := range q {
		s += v
	}
	for i := range q {
		q[i] /= s
	}
	return q
}

// checkCorrelations compares the samples' spin correlations between
// corners 0 and j, E[v_0,m v_j,n] for every pair of spins (m, n), with
// those of the exact pair distribution q (over S² states): every z-score
// must be below 4.5 (d² tests; a false alarm about 1e-3 of the time), and
// against the distribution at a coupling 30% larger some must exceed 6,
// which shows the test can fail.
func checkCorrelations(t *testing.T, what string, b *Blocks, c0, cj []uint8, q, qWrong []float64) {
	t.Helper()
	S, d, N := b.S, b.D, float64(len(c0))
	worst := func(q []float64) (float64, string) {
		zmax, at := 0.0, ""
		for m := 0; m < d; m++ {
			for n := 0; n < d; n++ {
				mean, sq := 0.0, 0.0 // the exact mean of x = v_0,m v_j,n; x² = 1
				for s0 := 0; s0 < S; s0++ {
					for sj := 0; sj < S; sj++ {
						mean += q[s0*S+sj] * b.Spins[s0][m] * b.Spins[sj][n]
					}
				}
				sq = 1 - mean*mean
				sample := 0.0
				for k := range c0 {
					sample += b.Spins[c0[k]][m] * b.Spins[cj[k]][n]
				}
				sample /= N
				if z := math.Abs(sample-mean) / math.Sqrt(math.Max(sq, 1e-12)/N); z > zmax {
					zmax, at = z, fmt.Sprintf("spins %d,%d: sample %.4f, exact %.4f", m, n, sample, mean)
				}
			}
		}
		return zmax, at
	}
	z, at := worst(q)
	zw, atw := worst(qWrong)
	t.Logf("%s: largest z %.2f (%s); at the perturbed coupling %.1f", what, z, at, zw)
	if z > 4.5 {
		t.Errorf("%s: the Gibbs samples' correlations do not fit the exact ones: z = %.2f at %s", what, z, at)
	}
	if zw < 6 {
		t.Errorf("%s: the correlation test cannot tell the distribution at a perturbed coupling apart: largest z %.2f (%s)", what, zw, atw)
	}
}

// Beyond the exact KL's d ≤ 6 only the contrastive divergence trains, on
// the spin-by-spin sampler (kernels.ProdPair): its fine and coarse chains
// for d = 7 (3A1+2E, A1+3E) and d = 8 (2A1+3E) against the exact joint
// distributions of two corners, neighbours and opposites (fineMarginal2,
// coarseMarginal2), through the correlations of every pair of their spins,
// on random couplings with every coupling of the representation switched
// on: a wrong factor of any bond shifts some of them.
func TestGibbsBeyondExactMatchesMarginals(t *testing.T) {
	for _, name := range []string{"3A1+2E", "A1+3E", "2A1+3E"} {
		b := mustBlocks(t, name)
		if b.D <= reps.MaxExactDim || !(b.D >= kernels.ProdMinD) {
			t.Fatalf("%s: d = %d is not beyond the exact KL on the per-spin sampler", name, b.D)
		}
		N := 1 << 15
		rng := rand.New(rand.NewPCG(uint64(b.D), 83))
		J := randomJ(rng, b.C, 0.25)
		J[0] = 0.45
		g := newGibbsChains(b, N)
		g.tab.fine(b, J)
		key := cdKey(19, 0, 3)
		g.runFine(key, 30)
		for _, j := range []int{1, 2} {
			checkCorrelations(t, fmt.Sprintf("%s fine, corners 0,%d", name, j), b, g.c[0], g.c[j], fineMarginal2(b, J, j == 2), fineMarginal2(b, scaled(J, 1.3), j == 2))
		}
		Jp := randomJ(rng, b.C, 0.25)
		Jp[0] = 0.4
		cd, err := NewCD(b, CDConfig{Samples: N, KFine: 1, KCoarse: 1}, 5, 1)
		if err != nil {
			t.Fatal(err)
		}
		w := cd.work()
		gc := w.g
		gc.tab.coarse(b, Jp)
		for i := 0; i < 4; i++ {
			b.kern.UniformStates(gc.c[i], b.D, key, kernels.Sub(kernels.StartPhase, i))
		}
		for s := 0; s < 20; s++ {
			cd.sampleStats(w, 0)
			gc.coarseStep(key, 0, s)
		}
		for _, j := range []int{1, 2} {
			checkCorrelations(t, fmt.Sprintf("%s coarse, corners 0,%d", name, j), b, gc.c[0], gc.c[j], coarseMarginal2(b, Jp, j), coarseMarginal2(b, scaled(Jp, 1.3), j))
		}
	}
}
