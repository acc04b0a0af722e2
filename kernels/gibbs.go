package kernels

// Block Gibbs sampling for the contrastive divergence (docs/conventions.md §8):
// the random stream of a trajectory and the draws that read it. The engine
// builds the conditional tables and runs the chains (engine/gibbs.go).
//
// Random numbers. Every random word is addressed, not drawn from a running
// state: word number i of the stream with key K is
//
//	Rand(K, i) = Mix64(K + (i+1)·Gamma),
//
// which is SplitMix64 (Steele, Lea & Flood 2014; passes BigCrush) seeded
// with K, read at position i. Each CD trajectory has its own key (the
// engine's cdKey of seed, epoch and trajectory), so a draw's random bits
// depend only on where it is in the computation — never on how many
// goroutines ran, how many words an earlier lazy Bernoulli comparison
// happened to consume, or how a vectorised twin of a kernel orders its
// work: the assembly twins compute many words of the stream at once, one
// per SIMD lane, and draw exactly what the pure-Go twins draw.
//
// Stream layout, the one description of it. The 64-bit position is split
// in two: its high 32 bits name a sub-stream Sub(phase, site), its low 32
// bits index words within it. The phases of a trajectory are
//
//	StartPhase            the uniform start: corners, sites 0–3
//	FinePhase(t)          fine step t: hidden edge sites e = 0–3
//	FinePhase(t)+1        fine step t: corners i = 0–3
//	CoarsePhase(k, t)     coarse step t after k fine steps: the centre,
//	                      site CentreSite (and CentreSite+1, below)
//	CoarsePhase(k, t)+1   coarse step t: corners i = 0–3
//
// and within a sub-stream the kernels read
//   - UniformStates, CatPair, CatOne: draw n from the 32-bit half n&1 (low
//     half first) of word n/2;
//   - CentreStates: spin k of site n from word n·d + k;
//   - FineChainBits, CoarseStepBits (64 chains a word, d = 1): plane word w
//     from words w·128 + (0…63) for a Bernoulli word (BernWord) and word
//     w·128 + 64 for a fair coin; the coarse centre takes its P4 word and
//     coin from site CentreSite and its P2 word from CentreSite+1.
//
// Categorical draws. A site state (all d spins at once) is drawn with one
// 32-bit uniform u by inverse CDF over the S = 2^d states. A table has R
// rows (one per state of the neighbours the site is conditioned on) and is
// stored threshold-major, CatTableLen(R, d) entries:
//
//	tab[j·R + r] = round(2^32 · P(state ≤ j | row r)),  j < S−1,
//
// saturated at 2^32−1 (the last cumulative probability, 1, needs no
// entry). The state is #{j < S−1 : tab[j·R + r] ≤ u}; the pure-Go twins
// find it by a branchless binary search, the assembly twins by comparing
// every threshold (d ≤ 3 on AVX-512, tables looked up with VPERMT2D) or by
// a binary search with gathers (larger d, and AVX2), which give the same
// count because a row's thresholds are non-decreasing.
//
// Per-spin draws (ProdPair), for d ≥ ProdMinD. A site's spins are
// independent given its neighbours, so instead of one categorical draw
// over 2^d states each spin is drawn on its own: with the field
// f = fa_k(s_a) + fb_k(s_b) on spin k, P(spin_k = +1) = σ(2f) = 1/(1 + w),
// w = EA_k[s_a]·EB_k[s_b], EA_k[s] = e^{−2 fa_k(s)} — tables of 2^d·d
// factors instead of 2^{2d}·(2^d − 1) thresholds. Spin k of draw n reads the
// 32-bit half k&1 of word n·⌈d/2⌉ + k/2 as an integer U and is −1 (state
// bit k set) unless U + U·w < 2^32 in float64 (U exact, then the product
// and the sum each rounded).
//
// The statistics of the contrastive divergence (LcTanh, CentreStates) and
// the tables' sigmoids (SigmoidPairs) are computed with one exponential,
// negExp, whose every operation the assembly twins repeat in the same
// order (no fused multiply-adds), so that the samples and the statistics
// come out with the same bits on every path: CentreStates compares a
// uniform with (1 + tanh φ)/2, and a table's thresholds decide every draw.
//
// Kernels with an assembly twin are Path methods whose pure-Go reference is
// named …Generic (CatPairGeneric, CatOneGeneric, CentreStatesGeneric,
// FineChainBitsGeneric, CDStatsGeneric, CornerSumsGeneric, LcTanhGeneric,
// UniformStatesGeneric,
// SigmoidPairsGeneric, CatRowsGeneric, ProdPairGeneric); the others
// (Rand, RandFill, BernWord, CoarseStepBits, CountConfigs)
// are the only implementation.

import (
	"math"
	"math/bits"
)

// Gamma is SplitMix64's increment, 2^64/φ rounded to odd.
const Gamma = 0x9e3779b97f4a7c15

// The multipliers of Stafford's mix13, SplitMix64's output function.
const (
	mix64M1 = 0xbf58476d1ce4e5b9
	mix64M2 = 0x94d049bb133111eb
)

// Mix64 is SplitMix64's output function (Stafford's mix13).
func Mix64(z uint64) uint64 {
	z = (z ^ (z >> 30)) * mix64M1
	z = (z ^ (z >> 27)) * mix64M2
	return z ^ (z >> 31)
}

// Rand returns word i of the stream keyed by key.
func Rand(key, i uint64) uint64 { return Mix64(key + (i+1)*Gamma) }

// Sub is the first position of sub-stream (phase, site) (see the stream
// layout): phase in the high 29 bits of the counter's upper half, site
// (< 8) in its low 3 bits.
func Sub(phase, site int) uint64 { return uint64(phase)<<35 | uint64(site)<<32 }

// StartPhase is the phase of the chains' uniform start (see the stream
// layout).
const StartPhase = 0

// FinePhase is the phase of the hidden sites of fine step t; its corners
// use the next one.
func FinePhase(t int) int { return 1 + 2*t }

// CoarsePhase is the phase of the centre in coarse step t after kFine fine
// steps; its corners use the next one.
func CoarsePhase(kFine, t int) int { return FinePhase(kFine) + 2*t }

// CentreSite is the sub-stream site of the coarse block's centre (sites
// 0–3 are the four corners or the four hidden edge sites).
const CentreSite = 4

// RandFill sets dst[i] = Rand(key, base+i).
func RandFill(dst []uint64, key, base uint64) {
	x := key + base*Gamma
	for i := range dst {
		x += Gamma
		dst[i] = Mix64(x)
	}
}

// UniformStates draws dst[n] uniformly from the 2^d states of a site, with
// the low d bits of the n-th 32-bit half-word from word base of the stream
// (UniformStatesGeneric).
func (p Path) UniformStates(dst []uint8, d int, key, base uint64) {
	if d < 1 || d > 8 {
		panic("kernels: UniformStates needs 1 ≤ d ≤ 8")
	}
	p.get().uniform(dst, d, key, base)
}

// UniformStatesGeneric is UniformStates' reference.
func UniformStatesGeneric(dst []uint8, d int, key, base uint64) {
	mask := uint8(1)<<d - 1
	x := key + base*Gamma
	n := 0
	for ; n+1 < len(dst); n += 2 {
		x += Gamma
		r := Mix64(x)
		dst[n] = uint8(r) & mask
		dst[n+1] = uint8(r>>32) & mask
	}
	if n < len(dst) {
		dst[n] = uint8(Mix64(x+Gamma)) & mask
	}
}

// CatTableLen is the length of a threshold-major table of R rows for d
// spins per site: R·(2^d − 1) (see categorical draws at the top of this
// file).
func CatTableLen(R, d int) int { return R * (1<<d - 1) }

// ge is 1 if t ≤ u, else 0 (t, u < 2^32).
func ge(t, u uint32) int { return int((uint64(t) - uint64(u) - 1) >> 63) }

// lt is 1 if u < t, else 0.
func lt(t, u uint32) int { return int((uint64(u) - uint64(t)) >> 63) }

// catSearch returns #{j < S−1 : tab[j·R + r] ≤ u} for non-decreasing
// thresholds, by a binary search without branches on u.
func catSearch(tab []uint32, R, r, d int, u uint32) int {
	i := 0
	for step := 1 << (d - 1); step > 0; step >>= 1 {
		i += step & -ge(tab[(i+step-1)*R+r], u)
	}
	return i
}

// CatPair draws dst[n] = state from row a[n]<<d | b[n] of tab, a
// threshold-major table of R = 2^(2d) rows (see categorical draws at the
// top of this file), for n < len(dst), reading the stream of key from word
// base. It is the fine block's step: a hidden edge site given its two
// corners, or a corner given its two hidden neighbours.
func (p Path) CatPair(dst, a, b []uint8, tab []uint32, d int, key, base uint64) {
	p.get().catPair(dst, a[:len(dst)], b[:len(dst)], tab[:CatTableLen(1<<(2*d), d)], d, key, base)
}

// CatOne is CatPair with rows indexed by one neighbour state a[n] (R = 2^d
// rows): the coarse block's corner given the centre.
func (p Path) CatOne(dst, a []uint8, tab []uint32, d int, key, base uint64) {
	p.get().catOne(dst, a[:len(dst)], tab[:CatTableLen(1<<d, d)], d, key, base)
}

// CentreStates draws the coarse block's centre given its corners: spin k
// of site n is +1 with probability (1 + th[k·N+n])/2, N = len(dst) (see
// CentreStatesGeneric for the exact comparison).
func (p Path) CentreStates(dst []uint8, th []float64, d int, key, base uint64) {
	p.get().centre(dst, th[:len(dst)*d], d, key, base)
}

// CDStats is one evaluation of the contrastive divergence's statistics
// for N samples of the coarse block's corners: the fields
//
//	φ_k(n) = ((U0[s0·D+k] + U1[s1·D+k]) + U2[s2·D+k]) + U3[s3·D+k],
//	s_i = C[i][n],
//
// written k-major to Phi[k·N + n], and LcTanh of them: Th[k·N + n] =
// tanh φ_k(n) and Σ lc φ into the caller's LcLanes (element k·N + n of the
// buffer in lane (k·N + n) mod 8).
type CDStats struct {
	D       int
	C       [4][]uint8   // corner states, N each
	U       [4][]float64 // coarse field tables U_i[s·D + k], 2^D·D each
	Phi, Th []float64    // D·N each
}

// CDStats evaluates st and adds Σ lc φ to acc.
func (p Path) CDStats(st *CDStats, acc *LcLanes) {
	N := len(st.C[0])
	for i := range 4 {
		if len(st.C[i]) != N || len(st.U[i]) < st.D<<st.D {
			panic("kernels: CDStats sizes")
		}
	}
	p.get().cdStats(st, acc)
}

// CDStatsGeneric is CDStats' reference.
func CDStatsGeneric(st *CDStats, acc *LcLanes) {
	cdFields(st)
	lcTanhInto(LcTanhGeneric, st.Th, st.Phi[:st.D*len(st.C[0])], acc)
}

// CornerSums adds sign·Th[k·N + n] (sign ±1) to W[i][k·2^D + s] for every
// sample n and corner i whose state C[i][n] is s: the sums, per corner and
// state, of the tanh of the coarse fields that the contrastive
// divergence's gradient contracts with the spins (engine/cd.go). Each
// entry receives its terms in the order of n, on every path (the assembly
// twin keeps the 2^D entries of one k in the lanes of a register and adds
// under a mask of one lane), so the sums have the same bits everywhere. W
// is k-major: W[i][k·2^D + s].
func (p Path) CornerSums(W *[4][]float64, C *[4][]uint8, th []float64, d int, sign float64) {
	N, S := len(C[0]), 1<<d
	for i := range 4 {
		if len(C[i]) != N || len(W[i]) < d*S {
			panic("kernels: CornerSums sizes")
		}
	}
	if len(th) < d*N || (sign != 1 && sign != -1) {
		panic("kernels: CornerSums sizes")
	}
	p.get().cornerSums(W, C, th, d, sign)
}

// CornerSumsGeneric is CornerSums' reference.
func CornerSumsGeneric(W *[4][]float64, C *[4][]uint8, th []float64, d int, sign float64) {
	cornerSumsFrom(W, C, th, d, sign, 0)
}

// cornerSumsFrom is CornerSumsGeneric for samples n0 … N−1.
func cornerSumsFrom(W *[4][]float64, C *[4][]uint8, th []float64, d int, sign float64, n0 int) {
	N, S := len(C[0]), 1<<d
	m := uint8(S - 1)
	c0, c1, c2, c3 := C[0][:N], C[1][:N], C[2][:N], C[3][:N]
	for k := 0; k < d; k++ {
		t := th[k*N : (k+1)*N]
		W0, W1, W2, W3 := W[0][k*S:(k+1)*S], W[1][k*S:(k+1)*S], W[2][k*S:(k+1)*S], W[3][k*S:(k+1)*S]
		for n := n0; n < N; n++ {
			v := t[n]
			// sign is ±1: adding sign·v is adding or subtracting v
			v *= sign
			W0[c0[n]&m] += v
			W1[c1[n]&m] += v
			W2[c2[n]&m] += v
			W3[c3[n]&m] += v
		}
	}
}

// cdFields writes the fields of st to st.Phi.
func cdFields(st *CDStats) { cdFieldsFrom(st, 0) }

// cdFieldsFrom writes the fields of samples n0 … N−1 of st to st.Phi.
func cdFieldsFrom(st *CDStats, n0 int) {
	d, N := st.D, len(st.C[0])
	U0, U1, U2, U3 := st.U[0], st.U[1], st.U[2], st.U[3]
	c0, c1, c2, c3 := st.C[0], st.C[1][:N], st.C[2][:N], st.C[3][:N]
	phi := st.Phi[:d*N]
	for k := 0; k < d; k++ {
		f := phi[k*N : (k+1)*N]
		for n := n0; n < N; n++ {
			f[n] = U0[int(c0[n])*d+k] + U1[int(c1[n])*d+k] + U2[int(c2[n])*d+k] + U3[int(c3[n])*d+k]
		}
	}
}

// LcTanh sets th[i] = tanh x[i] and adds lc(x[i]) = log(2 cosh x[i]) to
// acc, for i < len(x): a block's log-weight −F = Σ lc(φ) and its
// derivative, for the coarse fields φ of the CD samples.
func (p Path) LcTanh(th, x []float64, acc *LcLanes) { lcTanhInto(p.get().lcTanh, th, x, acc) }

// SigmoidPairs sets plus[i] = σ(2x[i]) and minus[i] = σ(−2x[i]) for
// i < len(x): the probabilities of a spin's two values in the field x[i],
// from which the engine builds the categorical tables.
func (p Path) SigmoidPairs(plus, minus, x []float64) {
	p.get().sigmoids(plus[:len(x)], minus[:len(x)], x)
}

// ProdMinD is the smallest d the engine draws spin by spin (ProdPair)
// rather than with categorical tables: from d = 4 on a table of 2^{2d} rows
// costs more to build than the draws it serves.
const ProdMinD = 4

// ProdPair draws dst[n] spin by spin (see per-spin draws at the top of this
// file) in the fields of neighbour states a[n], b[n]: spin k with
// w = ea[k·S + a[n]]·eb[k·S + b[n]], S = 2^d. A draw given one neighbour
// (the coarse corner given the centre) passes b = a and eb all ones.
func (p Path) ProdPair(dst, a, b []uint8, ea, eb []float64, d int, key, base uint64) {
	S := 1 << d
	p.get().prodPair(dst, a[:len(dst)], b[:len(dst)], ea[:S*d], eb[:S*d], d, key, base)
}

// ProdPairGeneric is ProdPair's reference.
func ProdPairGeneric(dst, a, b []uint8, ea, eb []float64, d int, key, base uint64) {
	S := 1 << d
	h := uint64(d+1) / 2
	m := uint8(S - 1)
	a, b = a[:len(dst)], b[:len(dst)]
	ea, eb = ea[:S*d], eb[:S*d]
	for n := range dst {
		sa, sb := int(a[n]&m), int(b[n]&m)
		x := key + (base+uint64(n)*h)*Gamma
		var r uint64
		s := uint8(0)
		for k := 0; k < d; k++ {
			if k&1 == 0 {
				x += Gamma
				r = Mix64(x)
			} else {
				r >>= 32
			}
			U := float64(uint32(r))
			w := float64(ea[k*S+sa] * eb[k*S+sb])
			if !(U+float64(U*w) < 0x1p32) {
				s |= 1 << k
			}
		}
		dst[n] = s
	}
}

// CatPairGeneric is CatPair's reference: dst[n] = the state drawn from row
// a[n]<<d | b[n] of tab (R = 2^(2d) rows, threshold-major), for
// n < len(dst).
func CatPairGeneric(dst, a, b []uint8, tab []uint32, d int, key, base uint64) {
	N := len(dst)
	a, b = a[:N], b[:N]
	R := 1 << (2 * d)
	tab = tab[:CatTableLen(R, d)]
	switch d {
	case 1:
		catPair1(dst, a, b, (*[4]uint32)(tab), key, base)
		return
	case 2:
		catPair2(dst, a, b, (*[48]uint32)(tab), key, base)
		return
	case 3:
		catPair3(dst, a, b, (*[448]uint32)(tab), key, base)
		return
	}
	m := uint8(1)<<d - 1
	x := key + base*Gamma
	var r uint64
	for n := range dst {
		if n&1 == 0 {
			x += Gamma
			r = Mix64(x)
		} else {
			r >>= 32
		}
		row := int(a[n]&m)<<d | int(b[n]&m)
		dst[n] = uint8(catSearch(tab, R, row, d, uint32(r)))
	}
}

// The unrolled loops for d = 1, 2, 3 draw two sites per random word; the
// tables are arrays and the rows masked, so that most indices need no
// bounds checks.

func catPair1(dst, a, b []uint8, tab *[4]uint32, key, base uint64) {
	a, b = a[:len(dst)], b[:len(dst)]
	x := key + base*Gamma
	n := 0
	for ; n+1 < len(dst); n += 2 {
		x += Gamma
		r := Mix64(x)
		r0 := int(a[n]&1)<<1 | int(b[n]&1)
		r1 := int(a[n+1]&1)<<1 | int(b[n+1]&1)
		dst[n] = uint8(ge(tab[r0], uint32(r)))
		dst[n+1] = uint8(ge(tab[r1], uint32(r>>32)))
	}
	if n < len(dst) {
		r := Mix64(x + Gamma)
		dst[n] = uint8(ge(tab[int(a[n]&1)<<1|int(b[n]&1)], uint32(r)))
	}
}

// draw2 draws from row r (< 16) of a d = 2 pair table.
func draw2(t *[48]uint32, r int, u uint32) uint8 {
	i := 2 & -ge(t[16+r], u)
	i += ge(t[i<<4|r], u)
	return uint8(i)
}

func catPair2(dst, a, b []uint8, tab *[48]uint32, key, base uint64) {
	a, b = a[:len(dst)], b[:len(dst)]
	x := key + base*Gamma
	n := 0
	for ; n+1 < len(dst); n += 2 {
		x += Gamma
		r := Mix64(x)
		r0 := int(a[n]&3)<<2 | int(b[n]&3)
		r1 := int(a[n+1]&3)<<2 | int(b[n+1]&3)
		dst[n] = draw2(tab, r0, uint32(r))
		dst[n+1] = draw2(tab, r1, uint32(r>>32))
	}
	if n < len(dst) {
		r := Mix64(x + Gamma)
		dst[n] = draw2(tab, int(a[n]&3)<<2|int(b[n]&3), uint32(r))
	}
}

func catPair3(dst, a, b []uint8, t *[448]uint32, key, base uint64) {
	a, b = a[:len(dst)], b[:len(dst)]
	x := key + base*Gamma
	n := 0
	for ; n+1 < len(dst); n += 2 {
		x += Gamma
		r := Mix64(x)
		u0, u1 := uint32(r), uint32(r>>32)
		// two binary searches, interleaved (draw3 written out: the
		// inliner will not take it); threshold j of row i is t[j<<6 | i]
		i := int(a[n]&7)<<3 | int(b[n]&7)
		j := int(a[n+1]&7)<<3 | int(b[n+1]&7)
		// lt(t, u)−1 is all ones where t ≤ u and 0 elsewhere (branchless:
		// the compiler does not use conditional moves for values that
		// feed a load address)
		si := 4 & (lt(t[192|i], u0) - 1)
		sj := 4 & (lt(t[192|j], u1) - 1)
		si += 2 & (lt(t[(si+1)<<6|i], u0) - 1)
		sj += 2 & (lt(t[(sj+1)<<6|j], u1) - 1)
		si += 1 ^ lt(t[si<<6|i], u0)
		sj += 1 ^ lt(t[sj<<6|j], u1)
		dst[n] = uint8(si)
		dst[n+1] = uint8(sj)
	}
	if n < len(dst) {
		r := Mix64(x + Gamma)
		dst[n] = draw3(t, int(a[n]&7)<<3|int(b[n]&7), uint32(r))
	}
}

func draw3(t *[448]uint32, r int, u uint32) uint8 {
	i := 4 & -ge(t[192|r], u)
	i += 2 & -ge(t[(i+1)<<6|r], u)
	i += ge(t[i<<6|r], u)
	return uint8(i)
}

// CatOneGeneric is CatOne's reference: dst[n] = the state drawn from row
// a[n] of tab (R = 2^d rows, threshold-major).
func CatOneGeneric(dst, a []uint8, tab []uint32, d int, key, base uint64) {
	a = a[:len(dst)]
	R := 1 << d
	tab = tab[:CatTableLen(R, d)]
	m := uint8(R - 1)
	x := key + base*Gamma
	var r uint64
	for n := range dst {
		if n&1 == 0 {
			x += Gamma
			r = Mix64(x)
		} else {
			r >>= 32
		}
		dst[n] = uint8(catSearch(tab, R, int(a[n]&m), d, uint32(r)))
	}
}

// CentreStatesGeneric is CentreStates' reference. The sites' d spins are
// independent: spin k of site n is +1 (state bit k = 0) with probability
// q = 0.5 + 0.5·th[k·N+n], decided by the 53-bit uniform u of word
// base + n·d + k: bit k is set when u ≥ q. It is the coarse block's centre
// given its corners, whose spins are independent with
// P(+1) = (1 + tanh φ_k)/2 (th from CDStats, k-major).
func CentreStatesGeneric(dst []uint8, th []float64, d int, key, base uint64) {
	centreStates(dst, th, len(dst), 0, d, key, base)
}

// centreStates draws sites n0 … n0+len(dst)−1 of N, reading th[k·N + n].
func centreStates(dst []uint8, th []float64, N, n0, d int, key, base uint64) {
	x := key + (base+uint64(n0*d))*Gamma
	for j := range dst {
		n := n0 + j
		s := uint8(0)
		for k := 0; k < d; k++ {
			x += Gamma
			u := float64(Mix64(x)>>11) * 0x1p-53
			if u >= 0.5+float64(0.5*th[k*N+n]) {
				s |= 1 << k
			}
		}
		dst[j] = s
	}
}

// The exponential of the statistics and of the tables' sigmoids. The
// assembly twins (negExp in gibbs_avx512_amd64.s and gibbs_avx2_amd64.s)
// repeat every operation below in the same order, without fused
// multiply-adds, so that the results agree bit for bit; the float64(…)
// conversions keep compilers that fuse (arm64) from fusing here. The
// constants are checked against their definitions by coeffs_test.go.
const (
	negExpMin   = -700                  // x is raised to this: 2^k stays a normal number
	negExpLog2e = 1.4426950408889634    // 1/ln 2
	negExpLn2Hi = 0.6931471804855391    // ln 2 with its low 20 mantissa bits cleared: k·hi is exact for |k| < 2^20
	negExpLn2Lo = 7.440617110012397e-11 // ln 2 − negExpLn2Hi
	negExpMagic = 0x1p52 + 1023         // adding it to an integer k leaves k + 1023 in the low mantissa bits
)

// negExpTaylor holds 1/n! for n = 13 down to 2: e^r − 1 = r + r²·Σ r^(n−2)/n!.
var negExpTaylor = [12]float64{
	1.6059043836821613e-10, 2.08767569878681e-09, 2.505210838544172e-08,
	2.755731922398589e-07, 2.7557319223985893e-06, 2.48015873015873e-05,
	0.0001984126984126984, 0.001388888888888889, 0.008333333333333333,
	0.041666666666666664, 0.16666666666666666, 0.5,
}

// negExp returns e = exp x and m = expm1 x for x ≤ 0 (x below −700 counts
// as −700, NaN gives NaN), to about an ulp: x = k·ln2 + r with k the
// nearest integer to x/ln2, e^r − 1 = r + r²·h(r) from the Taylor series to
// degree 13 (|r| ≤ ln2/2: truncation below 2^-56 relative), then
// e = 2^k + 2^k·(e^r − 1) and m = 2^k·(e^r − 1) + (2^k − 1), which for
// k = 0 is e^r − 1 itself (no cancellation for small |x|).
func negExp(x float64) (e, m float64) {
	x = max(x, negExpMin)
	k := math.RoundToEven(float64(x * negExpLog2e))
	r := float64(x-float64(k*negExpLn2Hi)) - float64(k*negExpLn2Lo)
	h := negExpTaylor[0]
	for _, c := range negExpTaylor[1:] {
		h = float64(h*r) + c
	}
	p := r + float64(float64(r*r)*h)
	s := math.Float64frombits((math.Float64bits(k+negExpMagic) - math.Float64bits(0x1p52)) << 52)
	sp := float64(s * p)
	return s + sp, sp + (s - 1)
}

// LcLanes accumulates Σ lc(x) over the fields given to Path.LcTanh, with
// lc(x) = log(2 cosh x) = |x| + log(2 + m), m = expm1(−2|x|): in 8 lanes
// (element i of a call goes to lane i mod 8), the logarithms taken once
// per lane and call rather than once per term. The zero LcLanes is an
// empty sum.
type LcLanes struct {
	abs, logs [8]float64
}

// Sum returns Σ lc over the fields added so far.
func (a *LcLanes) Sum() float64 {
	s := 0.0
	for _, v := range a.abs {
		s += v
	}
	for _, v := range a.logs {
		s += v
	}
	return s
}

// lcChunk is the most elements one call of a lcTanh kernel takes: each
// lane multiplies at most lcChunk/8 = 512 factors 2 + m ∈ [1, 2], so its
// product stays below 2^512.
const lcChunk = 4096

// lcTanhInto runs kern over x in chunks of lcChunk, adding each chunk's
// logarithms to acc (the code every path shares).
func lcTanhInto(kern func(th, x []float64, abs, prod *[8]float64), th, x []float64, acc *LcLanes) {
	th = th[:len(x)]
	for len(x) > 0 {
		n := min(len(x), lcChunk)
		prod := [8]float64{1, 1, 1, 1, 1, 1, 1, 1}
		kern(th[:n], x[:n], &acc.abs, &prod)
		for l, p := range prod {
			acc.logs[l] += math.Log(p)
		}
		th, x = th[n:], x[n:]
	}
}

// LcTanhGeneric is the reference of LcTanh's kernel: th[i] = tanh x[i],
// abs[i%8] += |x[i]| and prod[i%8] ·= 2 + m, with m = expm1(−2|x[i]|) from
// negExp, tanh x = sign(x)·(−m)/(2 + m).
func LcTanhGeneric(th, x []float64, abs, prod *[8]float64) {
	th = th[:len(x)]
	for i, v := range x {
		ax := math.Abs(v)
		_, m := negExp(-2 * ax)
		d := 2 + m
		t := -m / d
		if v < 0 {
			t = -t
		}
		th[i] = t
		abs[i&7] += ax
		prod[i&7] *= d
	}
}

// CatRows writes the threshold-major table (see categorical draws at the
// top of this file) of R rows whose row r is the site distribution with
// independent spins, P(spin_k = +1) = plus[k·R + r], P(spin_k = −1) =
// minus[k·R + r] (k-major, as SigmoidPairs leaves them for k-major
// fields): the state probabilities are the products of the spins' in the
// order of CatRowsGeneric, the thresholds their rounded cumulative sums.
func (p Path) CatRows(tab []uint32, plus, minus []float64, R, d int) {
	p.get().catRows(tab[:CatTableLen(R, d)], plus[:R*d], minus[:R*d], R, d)
}

// CatRowsGeneric is CatRows' reference: per row, p[0] = 1, then for each
// spin k the states s < 2^k split into p[s+2^k] = p[s]·minus_k and
// p[s] = p[s]·plus_k; threshold j is Threshold(p[0] + … + p[j]), summed in
// that order.
func CatRowsGeneric(tab []uint32, plus, minus []float64, R, d int) {
	catRowsFrom(tab, plus, minus, R, d, 0)
}

// catRowsFrom is CatRowsGeneric for rows r0 … R−1.
func catRowsFrom(tab []uint32, plus, minus []float64, R, d, r0 int) {
	S := 1 << d
	var pbuf [256]float64
	p := pbuf[:S]
	for r := r0; r < R; r++ {
		p[0] = 1
		for k := 0; k < d; k++ {
			pl, mi := plus[k*R+r], minus[k*R+r]
			n := 1 << k
			for s := 0; s < n; s++ {
				p[s+n] = p[s] * mi
				p[s] *= pl
			}
		}
		cum := 0.0
		for j := 0; j < S-1; j++ {
			cum += p[j]
			tab[j*R+r] = Threshold(cum)
		}
	}
}

// Threshold converts a cumulative probability to a 32-bit threshold,
// round(2^32 x) saturated at 2^32−1, for x ≥ 0 (NaN gives 0).
func Threshold(x float64) uint32 {
	v := x*0x1p32 + 0.5
	if !(v < math.MaxUint32) {
		if v >= 0 {
			return math.MaxUint32
		}
		return 0
	}
	return uint32(v)
}

// SigmoidPairsGeneric is SigmoidPairs' reference: plus[i] = σ(2x[i]) and
// minus[i] = σ(−2x[i]), the probabilities of spin +1 and −1 in the field
// x[i], from e = exp(−2|x|) (negExp) as 1/(1+e) and e·(1/(1+e)), each
// accurate where it is small.
func SigmoidPairsGeneric(plus, minus, x []float64) {
	plus, minus = plus[:len(x)], minus[:len(x)]
	for i, v := range x {
		e, _ := negExp(-2 * math.Abs(v))
		big := 1 / (1 + e)
		small := float64(e * big)
		if v >= 0 {
			plus[i], minus[i] = big, small
		} else {
			plus[i], minus[i] = small, big
		}
	}
}

// BernWord returns a word whose 64 bits are independent Bernoulli draws,
// each 1 with probability p/2^64, using words ctr, ctr+1, … (at most 64) of
// the stream: bit-sliced, it compares 64 uniforms U (one bit plane per
// word, most significant first) with p and stops as soon as every lane is
// decided or p has no set bits left, which takes about log2(64)+2 words.
func BernWord(p uint64, key, ctr uint64) uint64 {
	if p == 0 {
		return 0
	}
	var lt uint64
	und := ^uint64(0) // lanes whose U agrees with p on the planes so far
	x := key + ctr*Gamma
	low := p & -p // p's lowest set bit: below it all lanes are decided
	for m := uint64(1) << 63; m >= low && und != 0; m >>= 1 {
		x += Gamma
		u := Mix64(x)
		if p&m != 0 {
			lt |= und &^ u
			und &= u
		} else {
			und &^= u
		}
	}
	return lt
}

// FineBits is the d = 1 fine-block chain of one coupling, bit-sliced: bit
// n of C[i][w] is the state (1: spin −1) of corner i in sample 64w+n.
// PFlip = P(a site differs from its two neighbours when they agree) as a
// 64-bit fixed-point fraction; when they disagree the site is a fair coin
// (true for every one-dimensional representation: all four bond matrices
// of a 1×1 coupling are the same number). Step t reads the sub-streams of
// FinePhase(t) (see the stream layout).
type FineBits struct {
	C     [4][]uint64
	Steps int
	PFlip uint64
	Key   uint64
}

// flipWord returns the flip mask of one site: Bernoulli(p) where the
// neighbours agree, a fair coin where they do not.
func flipWord(agree, p, key, ctr uint64) uint64 {
	return agree&BernWord(p, key, ctr) | ^agree&Rand(key, ctr+64)
}

// FineChain is the table sampler's fine-block chain: Steps block-Gibbs
// steps on byte states, all sites of one step at once. The block's
// topology is FineBits': hidden site e0 sits between corners (c0, c1), e1
// between (c1, c2), e2 (c2, c3), e3 (c0, c3); so corner c0 has the hidden
// neighbours (e0, e3), c1 (e0, e1), c2 (e1, e2), c3 (e2, e3). Hid[e] is the
// pair table (CatPair) of hidden site e given its two corners in that
// order, Cor[i] that of corner i given its two hidden neighbours. Step t
// draws e0…e3 from the sub-streams Sub(FinePhase(t), e), then c0…c3 from
// Sub(FinePhase(t)+1, i) (see the stream layout).
//
// For D ≥ ProdMinD the sites are drawn spin by spin (ProdPair) instead:
// HidA[e], HidB[e] are the factor tables of hidden site e's two corners
// (in fineHidden's order), CorA[i], CorB[i] those of corner i's two
// hidden neighbours, and Hid, Cor are not read.
type FineChain struct {
	D                      int
	C, H                   [4][]uint8 // corner and hidden states, N samples each
	Hid, Cor               [4][]uint32
	HidA, HidB, CorA, CorB [4][]float64
	Steps                  int
	Key                    uint64
}

// fineHidden and fineCorner are the chain's topology: the two corners of
// each hidden site, the two hidden neighbours of each corner.
var (
	fineHidden = [4][2]int{{0, 1}, {1, 2}, {2, 3}, {0, 3}}
	fineCorner = [4][2]int{{0, 3}, {0, 1}, {1, 2}, {2, 3}}
)

// FineChain runs f.Steps steps of the fine chain on f.C and f.H in place.
func (p Path) FineChain(f *FineChain) {
	N := len(f.C[0])
	for i := range 4 {
		if len(f.C[i]) != N || len(f.H[i]) != N {
			panic("kernels: FineChain states of different lengths")
		}
	}
	p.get().fineChain(f)
}

// FineChainGeneric is FineChain's reference.
func FineChainGeneric(f *FineChain) {
	if f.D >= ProdMinD {
		fineChainProd(f, ProdPairGeneric)
		return
	}
	fineChainRange(f, 0, len(f.C[0]), CatPairGeneric)
}

// fineChainProd runs the chain spin by spin, drawing with prod.
func fineChainProd(f *FineChain, prod func(dst, a, b []uint8, ea, eb []float64, d int, key, base uint64)) {
	for t := 0; t < f.Steps; t++ {
		ph := FinePhase(t)
		for e, nb := range fineHidden {
			prod(f.H[e], f.C[nb[0]], f.C[nb[1]], f.HidA[e], f.HidB[e], f.D, f.Key, Sub(ph, e))
		}
		for i, nb := range fineCorner {
			prod(f.C[i], f.H[nb[0]], f.H[nb[1]], f.CorA[i], f.CorB[i], f.D, f.Key, Sub(ph+1, i))
		}
	}
}

// fineChainRange runs the chain of samples [n0, n1) (n0 even), drawing
// with pair: the samples are independent chains, and draw n of a site
// reads word n/2 of its sub-stream, so a range of samples can run on its
// own.
func fineChainRange(f *FineChain, n0, n1 int, pair func(dst, a, b []uint8, tab []uint32, d int, key, base uint64)) {
	off := uint64(n0 / 2)
	for t := 0; t < f.Steps; t++ {
		ph := FinePhase(t)
		for e, nb := range fineHidden {
			pair(f.H[e][n0:n1], f.C[nb[0]][n0:n1], f.C[nb[1]][n0:n1], f.Hid[e], f.D, f.Key, Sub(ph, e)+off)
		}
		for i, nb := range fineCorner {
			pair(f.C[i][n0:n1], f.H[nb[0]][n0:n1], f.H[nb[1]][n0:n1], f.Cor[i], f.D, f.Key, Sub(ph+1, i)+off)
		}
	}
}

// FineChainBits runs f.Steps block-Gibbs steps (hidden given corners, then
// corners given hidden) on f.C in place.
func (p Path) FineChainBits(f *FineBits) { p.get().fineBits(f) }

// FineChainBitsGeneric is FineChainBits' reference: f.Steps block-Gibbs
// steps (hidden given corners, then corners given hidden) on f.C in place.
func FineChainBitsGeneric(f *FineBits) { fineChainBitsWords(f, 0, len(f.C[0])) }

// fineChainBitsWords runs the chains of words [w0, w1) of f.C (the words
// are independent chains, so they can be run in any order or in blocks).
func fineChainBitsWords(f *FineBits, w0, w1 int) {
	c0, c1, c2, c3 := f.C[0][:w1], f.C[1][:w1], f.C[2][:w1], f.C[3][:w1]
	key, p := f.Key, f.PFlip
	for t := 0; t < f.Steps; t++ {
		ph := FinePhase(t)
		for w := w0; w < w1; w++ {
			o := uint64(w) * 128
			a0, a1, a2, a3 := c0[w], c1[w], c2[w], c3[w]
			// hidden e0 (c0,c1), e1 (c1,c2), e2 (c2,c3), e3 (c0,c3)
			e0 := a0 ^ flipWord(^(a0^a1), p, key, Sub(ph, 0)+o)
			e1 := a1 ^ flipWord(^(a1^a2), p, key, Sub(ph, 1)+o)
			e2 := a2 ^ flipWord(^(a2^a3), p, key, Sub(ph, 2)+o)
			e3 := a0 ^ flipWord(^(a0^a3), p, key, Sub(ph, 3)+o)
			// corners c0 (e0,e3), c1 (e0,e1), c2 (e1,e2), c3 (e2,e3)
			c0[w] = e0 ^ flipWord(^(e0^e3), p, key, Sub(ph+1, 0)+o)
			c1[w] = e0 ^ flipWord(^(e0^e1), p, key, Sub(ph+1, 1)+o)
			c2[w] = e1 ^ flipWord(^(e1^e2), p, key, Sub(ph+1, 2)+o)
			c3[w] = e2 ^ flipWord(^(e2^e3), p, key, Sub(ph+1, 3)+o)
		}
	}
}

// CoarseBits is one d = 1 coarse-block Gibbs step (centre given the
// corners, then the corners given the centre), bit-sliced like FineBits.
// With n corners of spin −1 the centre copies the majority, flipped with
// probability P4 (n = 0 or 4) or P2 (n = 1 or 3), and is a fair coin for
// n = 2; each corner copies the centre, flipped with probability PC. Phase
// is the step's CoarsePhase (see the stream layout). H receives the centre.
type CoarseBits struct {
	C          [4][]uint64
	H          []uint64
	P4, P2, PC uint64
	Key        uint64
	Phase      int
}

// CoarseStepBits runs the step on c.C in place.
func CoarseStepBits(c *CoarseBits) {
	W := len(c.C[0])
	c0, c1, c2, c3, H := c.C[0][:W], c.C[1][:W], c.C[2][:W], c.C[3][:W], c.H[:W]
	key := c.Key
	for w := 0; w < W; w++ {
		o := uint64(w) * 128
		a, b, cc, d := c0[w], c1[w], c2[w], c3[w]
		// n = a+b+cc+d per lane, bit-sliced: ones, twos, fours.
		s1, k1 := a^b, a&b
		s2, k2 := cc^d, cc&d
		ones, kl := s1^s2, s1&s2
		twos := k1 ^ k2 ^ kl
		fours := k1&k2 | (k1^k2)&kl
		maj := fours | twos&ones
		all := fours | ^(ones | twos)
		tie := twos &^ (ones | fours)
		ctr := Sub(c.Phase, CentreSite) + o
		flip := all&BernWord(c.P4, key, ctr) |
			^(all|tie)&BernWord(c.P2, key, Sub(c.Phase, CentreSite+1)+o) |
			tie&Rand(key, ctr+64)
		h := maj ^ flip
		H[w] = h
		c0[w] = h ^ BernWord(c.PC, key, Sub(c.Phase+1, 0)+o)
		c1[w] = h ^ BernWord(c.PC, key, Sub(c.Phase+1, 1)+o)
		c2[w] = h ^ BernWord(c.PC, key, Sub(c.Phase+1, 2)+o)
		c3[w] = h ^ BernWord(c.PC, key, Sub(c.Phase+1, 3)+o)
	}
}

// CountConfigs adds to cnt[x] (x = s0·8 + s1·4 + s2·2 + s3, the order of
// engine.Blocks.FineLogWeights for d = 1) the number of lanes in mask whose
// corner bits are (s0, s1, s2, s3).
func CountConfigs(cnt *[16]int, c [4][]uint64, mask []uint64) {
	for w, m := range mask {
		a, b, cc, d := c[0][w], c[1][w], c[2][w], c[3][w]
		var p01, p23 [4]uint64
		p01[0], p01[1], p01[2], p01[3] = ^a&^b, ^a&b, a&^b, a&b
		p23[0], p23[1], p23[2], p23[3] = ^cc&^d, ^cc&d, cc&^d, cc&d
		for i := 0; i < 4; i++ {
			x := p01[i] & m
			for j := 0; j < 4; j++ {
				cnt[i*4+j] += bits.OnesCount64(x & p23[j])
			}
		}
	}
}
