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
// work.
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
//   - BernStates: spin k of site n from word n·d + k;
//   - FineChainBits, CoarseStepBits (64 chains a word, d = 1): plane word w
//     from words w·128 + (0…63) for a Bernoulli word (BernWord) and word
//     w·128 + 64 for a fair coin; the coarse centre takes its P4 word and
//     coin from site CentreSite and its P2 word from CentreSite+1.
//
// Categorical draws. A site state (all d spins at once) is drawn with one
// 32-bit uniform u by inverse CDF: a table row holds S = 2^d thresholds,
// row[j] = round(2^32 · P(state ≤ j)) (saturated at 2^32−1; row[S−1] is
// padding), and the state is #{j < S−1 : row[j] ≤ u}, found by a branchless
// binary search.
//
// These kernels have no assembly twins: each is the only implementation.

import "math/bits"

// Gamma is SplitMix64's increment, 2^64/φ rounded to odd.
const Gamma = 0x9e3779b97f4a7c15

// Mix64 is SplitMix64's output function (Stafford's mix13).
func Mix64(z uint64) uint64 {
	z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9
	z = (z ^ (z >> 27)) * 0x94d049bb133111eb
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
// the low d bits of the n-th 32-bit half-word from word base of the stream.
func UniformStates(dst []uint8, d int, key, base uint64) {
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

// search returns #{j < S−1 : row[j] ≤ u} for a row of S = 2^d
// non-decreasing thresholds, without branches on u.
func search(row []uint32, d int, u uint32) int {
	i := 0
	for step := 1 << (d - 1); step > 0; step >>= 1 {
		t := row[i+step-1]
		// (t − u − 1) >> 63 is 1 when t ≤ u (all in 64 bits, t, u < 2^32).
		i += step & -int((uint64(t)-uint64(u)-1)>>63)
	}
	return i
}

// CatPair draws dst[n] = state from row (a[n]<<d | b[n]) of tab, whose rows
// are 2^d thresholds each (see categorical draws at the top of this file),
// for n < len(dst). It is the fine block's step: a hidden edge site given
// its two corners, or a corner given its two hidden neighbours.
func CatPair(dst, a, b []uint8, tab []uint32, d int, key, base uint64) {
	N := len(dst)
	a, b = a[:N], b[:N]
	S := 1 << d
	switch d {
	case 1:
		catPair1(dst, a, b, (*[8]uint32)(tab), key, base)
		return
	case 2:
		catPair2(dst, a, b, (*[64]uint32)(tab), key, base)
		return
	case 3:
		catPair3(dst, a, b, (*[512]uint32)(tab), key, base)
		return
	}
	x := key + base*Gamma
	var r uint64
	for n := range dst {
		if n&1 == 0 {
			x += Gamma
			r = Mix64(x)
		} else {
			r >>= 32
		}
		row := (int(a[n])<<d | int(b[n])) << d
		dst[n] = uint8(search(tab[row:row+S], d, uint32(r)))
	}
}

// ge is 1 if t ≤ u, else 0 (t, u < 2^32).
func ge(t, u uint32) int { return int((uint64(t) - uint64(u) - 1) >> 63) }

// lt is 1 if u < t, else 0.
func lt(t, u uint32) int { return int((uint64(u) - uint64(t)) >> 63) }

// The unrolled loops for d = 1, 2, 3 draw two sites per random word; the
// table is an array so that masked indices need no bounds checks.

func catPair1(dst, a, b []uint8, tab *[8]uint32, key, base uint64) {
	a, b = a[:len(dst)], b[:len(dst)]
	x := key + base*Gamma
	n := 0
	for ; n+1 < len(dst); n += 2 {
		x += Gamma
		r := Mix64(x)
		r0 := int(a[n]&1)<<2 | int(b[n]&1)<<1
		r1 := int(a[n+1]&1)<<2 | int(b[n+1]&1)<<1
		dst[n] = uint8(ge(tab[r0&7], uint32(r)))
		dst[n+1] = uint8(ge(tab[r1&7], uint32(r>>32)))
	}
	if n < len(dst) {
		r := Mix64(x + Gamma)
		r0 := int(a[n]&1)<<2 | int(b[n]&1)<<1
		dst[n] = uint8(ge(tab[r0&7], uint32(r)))
	}
}

func draw2(t *[64]uint32, row int, u uint32) uint8 {
	i := row + 2&-ge(t[(row+1)&63], u)
	i += ge(t[i&63], u)
	return uint8(i - row)
}

func catPair2(dst, a, b []uint8, tab *[64]uint32, key, base uint64) {
	a, b = a[:len(dst)], b[:len(dst)]
	x := key + base*Gamma
	n := 0
	for ; n+1 < len(dst); n += 2 {
		x += Gamma
		r := Mix64(x)
		r0 := int(a[n]&3)<<4 | int(b[n]&3)<<2
		r1 := int(a[n+1]&3)<<4 | int(b[n+1]&3)<<2
		dst[n] = draw2(tab, r0, uint32(r))
		dst[n+1] = draw2(tab, r1, uint32(r>>32))
	}
	if n < len(dst) {
		r := Mix64(x + Gamma)
		dst[n] = draw2(tab, int(a[n]&3)<<4|int(b[n]&3)<<2, uint32(r))
	}
}

func catPair3(dst, a, b []uint8, t *[512]uint32, key, base uint64) {
	a, b = a[:len(dst)], b[:len(dst)]
	x := key + base*Gamma
	n := 0
	for ; n+1 < len(dst); n += 2 {
		x += Gamma
		r := Mix64(x)
		u0, u1 := uint32(r), uint32(r>>32)
		// two binary searches, interleaved (draw3 written out: the
		// inliner will not take it)
		i := int(a[n]&7)<<6 | int(b[n]&7)<<3
		j := int(a[n+1]&7)<<6 | int(b[n+1]&7)<<3
		i0, j0 := i, j
		// lt(t, u)−1 is all ones where t ≤ u and 0 elsewhere (branchless:
		// the compiler does not use conditional moves for values that
		// feed a load address)
		i += 4 & (lt(t[(i+3)&511], u0) - 1)
		j += 4 & (lt(t[(j+3)&511], u1) - 1)
		i += 2 & (lt(t[(i+1)&511], u0) - 1)
		j += 2 & (lt(t[(j+1)&511], u1) - 1)
		i += 1 ^ lt(t[i&511], u0)
		j += 1 ^ lt(t[j&511], u1)
		dst[n] = uint8(i - i0)
		dst[n+1] = uint8(j - j0)
	}
	if n < len(dst) {
		r := Mix64(x + Gamma)
		dst[n] = draw3(t, int(a[n]&7)<<6|int(b[n]&7)<<3, uint32(r))
	}
}

func draw3(t *[512]uint32, row int, u uint32) uint8 {
	i := row + 4&-ge(t[(row+3)&511], u)
	i += 2 & -ge(t[(i+1)&511], u)
	i += ge(t[i&511], u)
	return uint8(i - row)
}

// CatOne is CatPair with rows indexed by one neighbour state a[n] (the
// coarse block's corner given the centre).
func CatOne(dst, a []uint8, tab []uint32, d int, key, base uint64) {
	a = a[:len(dst)]
	S := 1 << d
	x := key + base*Gamma
	var r uint64
	for n := range dst {
		if n&1 == 0 {
			x += Gamma
			r = Mix64(x)
		} else {
			r >>= 32
		}
		row := int(a[n]) << d
		dst[n] = uint8(search(tab[row:row+S], d, uint32(r)))
	}
}

// BernStates draws sites whose d spins are independent: spin k of site n
// is +1 (state bit k = 0) with probability q[n·d+k], decided by the 53-bit
// uniform of word base + n·d + k. It is the coarse block's centre given its
// corners, whose spins are independent with P(+1) = (1 + tanh φ_k)/2.
func BernStates(dst []uint8, q []float64, d int, key, base uint64) {
	q = q[:len(dst)*d]
	x := key + base*Gamma
	for n := range dst {
		s := uint8(0)
		for k, p := range q[n*d : n*d+d] {
			x += Gamma
			u := float64(Mix64(x)>>11) * 0x1p-53
			if u >= p {
				s |= 1 << k
			}
		}
		dst[n] = s
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

// FineChainBits runs f.Steps block-Gibbs steps (hidden given corners, then
// corners given hidden) on f.C in place.
func FineChainBits(f *FineBits) {
	W := len(f.C[0])
	c0, c1, c2, c3 := f.C[0][:W], f.C[1][:W], f.C[2][:W], f.C[3][:W]
	key, p := f.Key, f.PFlip
	for t := 0; t < f.Steps; t++ {
		ph := FinePhase(t)
		for w := 0; w < W; w++ {
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
