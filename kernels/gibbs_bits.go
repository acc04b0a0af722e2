package kernels

// The d = 1 chains bit-sliced, 64 chains a word: the fine chain
// (FineChainBits), the coarse step (CoarseStepBits) and the count of the
// configurations the samples visit (CountConfigs).

import "math/bits"

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
// FinePhase(t) (see the stream layout in gibbs.go).
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
// is the step's CoarsePhase (see the stream layout in gibbs.go). H
// receives the centre.
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
