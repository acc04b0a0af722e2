package engine

import (
	"math"

	"github.com/rgflow/rgflow/kernels"
)

// Block Gibbs sampling of the fine and coarse blocks (docs/conventions.md §8, the
// contrastive divergence). Every conditional is a function of whole-site
// states, so per coupling it is tabulated once — for d < kernels.ProdMinD
// as rows of inverse-CDF thresholds over the S = 2^d states of one site,
// from which a whole site is drawn with one 32-bit uniform; from
// kernels.ProdMinD on as factors e^{−2f} of each neighbour's field, from
// which each spin is drawn on its own (kernels/gibbs.go). The fields:
//
//   - fine, hidden edge e given its corners (s_a, s_b): field
//     f = K_{ra} v(s_a) + K_{rb} v(s_b) on the edge's spins (the edge is the
//     bonds' source);
//   - fine, corner i given its two hidden neighbours (s_x, s_y): field
//     K_{rx}ᵀ v(s_x) + K_{ry}ᵀ v(s_y) (the corner is the target);
//   - coarse, corner i given the centre h: field K′_i v(h) (the corner is
//     the source);
//   - coarse, centre given the corners: field φ = Σ_i K′_iᵀ v_i, drawn per
//     spin from (1 + tanh φ_k)/2, since the tanh is needed for the
//     divergence's gradient anyway.
//
// Given its field f a site's spins are independent, P(spin_k = +1) =
// σ(2 f_k), so a row is the product of d Bernoulli distributions, and a
// spin's draw needs only its own field, the sum of one term per neighbour.
// The kernel path draws the same samples from the same tables on every
// path; the tables are built through it too (SigmoidPairs, CatRows), with
// the same bits.

// cornerEdges lists, for each corner, its two hidden neighbours as (edge,
// direction of the bond edge→corner), in increasing edge order; it is
// fineEdges read from the corners' side.
var cornerEdges = func() (ce [4][4]int) {
	var n [4]int
	for e, edge := range fineEdges {
		for _, end := range [2][2]int{{edge[0], edge[1]}, {edge[2], edge[3]}} {
			c := end[0]
			ce[c][2*n[c]], ce[c][2*n[c]+1] = e, end[1]
			n[c]++
		}
	}
	return ce
}()

// gibbsTables holds the conditional tables of one coupling pair (J, J′)
// and the scratch to build them. The categorical tables are
// threshold-major (kernels.CatTableLen): entry j·R + r is threshold j of
// row r.
type gibbsTables struct {
	d, S int
	prod bool // d ≥ kernels.ProdMinD: factor tables and per-spin draws instead
	kern kernels.Path
	hid  [4][]uint32 // fine: edge e given (s_a, s_b) of fineEdges[e]; S² rows
	cor  [4][]uint32 // fine: corner i given (s_x, s_y) of cornerEdges[i]; S² rows
	cc   [4][]uint32 // coarse: corner i given the centre; S rows
	// per-spin draws (prod): e^{−2f} of each neighbour's field, k-major
	// (kernels.ProdPair), and all ones for the coarse corner's second
	hidA, hidB, corA, corB, ccA [4][]float64
	ones                        []float64
	U                           [4][]float64 // coarse fields U_i[s·d+k] = (K′_iᵀ v(s))_k
	K                           [4][]float64 // bond matrices of the coupling being tabulated
	f                           [4][]float64 // f[r][s·d+k] = (K_r v(s))_k
	ft                          [4][]float64 // ft[r][s·d+k] = (K_rᵀ v(s))_k

	fld, plus, minus []float64 // one table's fields (k-major) and their spin probabilities, S²×d
	fbk              []float64 // one spin's field of the second neighbour, by its state (S)
}

func newGibbsTables(b *Blocks) *gibbsTables {
	d, S := b.D, b.S
	t := &gibbsTables{d: d, S: S, prod: d >= kernels.ProdMinD, kern: b.kern}
	R := S * S
	if t.prod {
		R = S
		t.ones = make([]float64, S*d)
		for i := range t.ones {
			t.ones[i] = 1
		}
	}
	t.fld, t.plus, t.minus = make([]float64, R*d), make([]float64, R*d), make([]float64, R*d)
	t.fbk = make([]float64, S)
	for i := 0; i < 4; i++ {
		if t.prod {
			t.hidA[i], t.hidB[i] = make([]float64, S*d), make([]float64, S*d)
			t.corA[i], t.corB[i] = make([]float64, S*d), make([]float64, S*d)
			t.ccA[i] = make([]float64, S*d)
		} else {
			t.hid[i] = make([]uint32, kernels.CatTableLen(S*S, d))
			t.cor[i] = make([]uint32, kernels.CatTableLen(S*S, d))
			t.cc[i] = make([]uint32, kernels.CatTableLen(S, d))
		}
		t.U[i] = make([]float64, S*d)
		t.K[i] = make([]float64, d*d)
		t.f[i] = make([]float64, S*d)
		t.ft[i] = make([]float64, S*d)
	}
	return t
}

// cdfTable writes the threshold-major table of R rows whose row r is the
// site distribution with independent spins in the field fld[k·R + r]
// (k-major), P(spin_k = +1) = σ(2 f_k): the spin probabilities from the
// kernel path's SigmoidPairs, the table from its CatRows (the same bits on
// every path).
func (t *gibbsTables) cdfTable(tab []uint32, fld []float64, R int) {
	d := t.d
	plus, minus := t.plus[:R*d], t.minus[:R*d]
	t.kern.SigmoidPairs(plus, minus, fld[:R*d])
	t.kern.CatRows(tab, plus, minus, R, d)
}

// factors sets dst[k·S + s] = e^{−2 f[s·d+k]}, the per-spin draws' factor
// of a neighbour in state s, as σ(−2f)/σ(2f) from the kernel path's
// SigmoidPairs (the same bits on every path).
func (t *gibbsTables) factors(dst, f []float64) {
	d, S := t.d, t.S
	x := t.fld[:S*d]
	for k := 0; k < d; k++ {
		for s := 0; s < S; s++ {
			x[k*S+s] = f[s*d+k]
		}
	}
	plus, minus := t.plus[:S*d], t.minus[:S*d]
	t.kern.SigmoidPairs(plus, minus, x)
	for i, m := range minus {
		dst[i] = m / plus[i]
	}
}

// fine tabulates the fine block's two conditionals at J.
func (t *gibbsTables) fine(b *Blocks, J []float64) {
	b.bondMatrices(&b.RotBasis, J, &t.K)
	b.siteFields(&t.K, &t.f, &t.ft)
	d, S := t.d, t.S
	if t.prod {
		for e, edge := range fineEdges {
			t.factors(t.hidA[e], t.f[edge[1]])
			t.factors(t.hidB[e], t.f[edge[3]])
		}
		for c, ce := range cornerEdges {
			t.factors(t.corA[c], t.ft[ce[1]])
			t.factors(t.corB[c], t.ft[ce[3]])
		}
		return
	}
	fld := t.fld
	R := S * S
	fbk := t.fbk[:S]
	pairs := func(tab []uint32, fa, fb []float64) {
		for k := 0; k < d; k++ {
			for sb := range fbk {
				fbk[sb] = fb[sb*d+k]
			}
			f := fld[k*R : (k+1)*R]
			for sa := 0; sa < S; sa++ {
				a := fa[sa*d+k]
				row := f[sa*S : (sa+1)*S]
				for sb, v := range fbk {
					row[sb] = a + v
				}
			}
		}
		t.cdfTable(tab, fld, R)
	}
	for e, edge := range fineEdges {
		pairs(t.hid[e], t.f[edge[1]], t.f[edge[3]])
	}
	for c, ce := range cornerEdges {
		pairs(t.cor[c], t.ft[ce[1]], t.ft[ce[3]])
	}
}

// coarse tabulates the coarse block at J′: the corner conditionals and the
// field tables U.
func (t *gibbsTables) coarse(b *Blocks, Jp []float64) {
	b.bondMatrices(&b.CoarseBasis, Jp, &t.K)
	b.siteFields(&t.K, &t.f, &t.U)
	d, S := t.d, t.S
	if t.prod {
		for i := 0; i < 4; i++ {
			t.factors(t.ccA[i], t.f[i])
		}
		return
	}
	for i := 0; i < 4; i++ {
		for k := 0; k < d; k++ {
			for h := 0; h < S; h++ {
				t.fld[k*S+h] = t.f[i][h*d+k]
			}
		}
		t.cdfTable(t.cc[i], t.fld, S)
	}
}

// fixedPoint converts a probability to a 64-bit fixed-point fraction for
// kernels.BernWord (saturated at 1 − 2^-64).
func fixedPoint(p float64) uint64 {
	v := math.Ldexp(p, 64)
	switch {
	case !(v > 0):
		return 0
	case v >= 0x1p64:
		return math.MaxUint64
	}
	return uint64(v)
}

// gibbsChains holds one goroutine's sampler state for Samples chains.
type gibbsChains struct {
	b    *Blocks
	tab  *gibbsTables
	N    int
	c    [4][]uint8 // corner states
	h    [4][]uint8 // hidden edge states
	ctr  []uint8    // coarse centre states
	phi  []float64  // N×d: coarse fields φ_k of the current corners
	th   []float64  // N×d: tanh φ_k, from which the centre is drawn
	cb   [4][]uint64
	hb   []uint64
	mask []uint64 // lanes of the bit planes that are samples

	fc kernels.FineChain // runFine's description, kept (it would escape to the heap on every call)
}

func newGibbsChains(b *Blocks, N int) *gibbsChains {
	g := &gibbsChains{b: b, tab: newGibbsTables(b), N: N, ctr: make([]uint8, N), phi: make([]float64, N*b.D), th: make([]float64, N*b.D)}
	W := (N + 63) / 64
	for i := 0; i < 4; i++ {
		g.c[i] = make([]uint8, N)
		g.h[i] = make([]uint8, N)
		if b.D == 1 {
			g.cb[i] = make([]uint64, W)
		}
	}
	if b.D == 1 {
		g.hb = make([]uint64, W)
		g.mask = make([]uint64, W)
		for n := 0; n < N; n++ {
			g.mask[n/64] |= 1 << (n % 64)
		}
	}
	return g
}

// cdStreamTag separates the CD streams from any other use of the seed.
const cdStreamTag = 0x43442d4749424253 // "CD-GIBBS"

// cdKey is the key of the random stream of trajectory traj in epoch epoch
// of a run with the given seed (laid out as kernels/gibbs.go describes):
// SplitMix64's mixer applied along the chain seed → epoch → trajectory (a
// bijection at each link, so distinct epochs of one seed get distinct keys,
// and so do distinct trajectories of one epoch). A trajectory's samples
// therefore depend only on these three numbers and its couplings — not on
// the number of workers, on which one ran it, or on the rest of the batch.
func cdKey(seed uint64, epoch, traj int) uint64 {
	h := kernels.Mix64(seed ^ cdStreamTag)
	h = kernels.Mix64(h + (uint64(epoch)+1)*kernels.Gamma)
	return kernels.Mix64(h + (uint64(traj)+1)*kernels.Gamma)
}

// The chains below read the stream of key as kernels/gibbs.go lays it out:
// the uniform start, then two phases per fine step and two per coarse step.

// runFine runs kFine block-Gibbs steps of the fine block at the tabulated
// J from a uniform start, on the byte states (kernels.FineChain, whose
// topology is fineEdges' and cornerEdges', TestCornerEdges).
func (g *gibbsChains) runFine(key uint64, kFine int) {
	d := g.b.D
	for i := 0; i < 4; i++ {
		g.b.kern.UniformStates(g.c[i], d, key, kernels.Sub(kernels.StartPhase, i))
	}
	g.fc = kernels.FineChain{D: d, C: g.c, H: g.h, Hid: g.tab.hid, Cor: g.tab.cor,
		HidA: g.tab.hidA, HidB: g.tab.hidB, CorA: g.tab.corA, CorB: g.tab.corB, Steps: kFine, Key: key}
	g.b.kern.FineChain(&g.fc)
}

// coarseStep runs coarse step t from the corners in g.c, whose tanh φ
// (sampleStats) are in g.th.
func (g *gibbsChains) coarseStep(key uint64, kFine, t int) {
	d, kern := g.b.D, g.b.kern
	ph := kernels.CoarsePhase(kFine, t)
	kern.CentreStates(g.ctr, g.th, d, key, kernels.Sub(ph, kernels.CentreSite))
	for i := 0; i < 4; i++ {
		if g.tab.prod {
			kern.ProdPair(g.c[i], g.ctr, g.ctr, g.tab.ccA[i], g.tab.ones, d, key, kernels.Sub(ph+1, i))
		} else {
			kern.CatOne(g.c[i], g.ctr, g.tab.cc[i], d, key, kernels.Sub(ph+1, i))
		}
	}
}

// runFineBits sets the d = 1 corner planes to a uniform start and runs the
// fine chain at coupling K (the 1×1 bond matrix).
func (g *gibbsChains) runFineBits(key uint64, kFine int, K float64) {
	for i := 0; i < 4; i++ {
		kernels.RandFill(g.cb[i], key, kernels.Sub(kernels.StartPhase, i))
	}
	g.b.kern.FineChainBits(&kernels.FineBits{
		C: g.cb, Steps: kFine, PFlip: fixedPoint(sigmoid(-4 * K)), Key: key,
	})
}

// coarseStepBits is coarseStep for d = 1 at coarse coupling Kp.
func (g *gibbsChains) coarseStepBits(key uint64, kFine, t int, Kp float64) {
	kernels.CoarseStepBits(&kernels.CoarseBits{
		C: g.cb, H: g.hb,
		P4: fixedPoint(sigmoid(-8 * Kp)), P2: fixedPoint(sigmoid(-4 * Kp)), PC: fixedPoint(sigmoid(-2 * Kp)),
		Key: key, Phase: kernels.CoarsePhase(kFine, t),
	})
}
