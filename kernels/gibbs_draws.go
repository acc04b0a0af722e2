package kernels

// The draws of a site's state from the stream: uniform, categorical
// (CatPair, CatOne), spin by spin (ProdPair) and the coarse centre's
// (CentreStates); gibbs.go describes each.

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
// threshold-major table of R = 2^(2d) rows (see categorical draws in
// gibbs.go), for n < len(dst), reading the stream of key from word
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

// CentreStates draws the coarse block's centre given its corners: spin k
// of site n is +1 with probability (1 + th[k·N+n])/2, N = len(dst) (see
// CentreStatesGeneric for the exact comparison).
func (p Path) CentreStates(dst []uint8, th []float64, d int, key, base uint64) {
	p.get().centre(dst, th[:len(dst)*d], d, key, base)
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
