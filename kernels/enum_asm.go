//go:build amd64 && gc && !purego

// The build tag is that of the architectures with assembly kernels (see
// asm.go): the enumeration's outer loops and tables are Go, whatever
// instructions its blocks use.

package kernels

import (
	"math"
	"sync"
)

// blockFunc is the signature of the assembly (s2, s3) blocks.
type blockFunc func(d, nS int, a01, phi01, t12, t23, t03, u2, u3, w2, w3, logZ, out, scr *float64)

// fastBlock is an exp-free block (enumBlockFastAVX512) and the vector exp
// that builds its tables.
type fastBlock struct {
	block func(d, nS int, a01, phi01, g01, t12, tx23, tx03, uf2, uf3, w2, w3, cz, out, scr *float64)
	exp   func(dst, x []float64)
}

// minFastD is the smallest D for which the exp-free block is used: below it
// building its tables costs about what it saves.
const minFastD = 3

// maxBlockD is the largest D the assembly blocks take: their scratch keeps
// acc2 at row 8 (16 for the fast block). Larger D (2^32 configurations and
// more) goes to the generic loop.
const maxBlockD = 8

// enumerateBlocks is EnumerateGeneric with the two inner loops in assembly.
// It runs the s0 and s1 levels (with their own partial sums, as the generic
// loop does) and calls block (all Lanes lanes at once) or, when fast is not
// nil and buildFast accepts the tables, fast once per (s0, s1) (tests pass
// nil to run the general block on such tables).
//
// When the tables are symmetric under the global spin flip v → −v (the flip
// of a site state s is s^(S−1)), as the engine's tables are, a, b and p are
// even and tanh φ is odd, so the configurations with s0 ≥ S/2 repeat those
// with s0 < S/2: the sums are twice the half sums and
// W_i[s] = Wh_i[s] − Wh_i[s^(S−1)], Wh being the half accumulators.
// The symmetry is tested exactly on every call, so any tables work.
func enumerateBlocks(e *Enum, block blockFunc, fast *fastBlock) {
	if err := e.Check(); err != nil {
		panic(err)
	}
	d := e.D
	if d > maxBlockD {
		EnumerateGeneric(e)
		return
	}
	S := 1 << d
	const L = Lanes
	row := d * L // doubles per field or W row (one site state, all k)
	fine := func(t, sa, sb int) []float64 { return e.Fine[((t*S+sa)*S+sb)*L:] }
	field := func(i, s int) []float64 { return e.Field[(i*S+s)*row:] }
	W := e.W[:4*S*row]
	clear(W)
	w := func(i, s int) []float64 { o := (i*S + s) * row; return W[o : o+row] }

	sym := flipSymmetric(e)
	n0 := S
	if sym {
		n0 = S / 2
	}
	var ft *fastTables
	if fast != nil && d >= minFastD {
		if ft = buildFast(e, fast.exp); ft != nil {
			defer fastPool.Put(ft)
		}
	}

	// The buffers handed to the blocks come from a pool: passed through a
	// function value they would escape, and be allocated on every call.
	ws := scratchPool.Get().(*enumScratch)
	defer scratchPool.Put(ws)
	var (
		phi01, g01     = &ws.phi01, &ws.g01
		scr, out, acc0 = &ws.scr, &ws.out, &ws.acc0
		sum0, sumAll   [3 * L]float64
		u2, u3         = field(2, 0), field(3, 0)
		W2, W3         = W[2*S*row:], W[3*S*row:]
		logZ           = e.LogZf
		acc1, sum1     = out[3*L : 3*L+row], out[:3*L]
		phi, g, acc0r  = phi01[:row], g01[:row], acc0[:row]
		tab23          = fine(2, 0, 0)
		u0rows, u1rows = e.Field[:S*row], e.Field[S*row : 2*S*row]
	)
	for s0 := 0; s0 < n0; s0++ {
		clear(acc0r)
		sum0 = [3 * L]float64{}
		u0 := u0rows[s0*row : (s0+1)*row]
		t01, t03 := fine(0, s0, 0), fine(3, s0, 0)
		for s1 := 0; s1 < S; s1++ {
			u1 := u1rows[s1*row : (s1+1)*row]
			for j := range phi {
				phi[j] = u0[j] + u1[j]
			}
			t12 := fine(1, s1, 0)
			if ft != nil {
				f0, f1 := ft.f01[s0*row:], ft.f01[(S+s1)*row:]
				for j := range g {
					g[j] = f0[j] * f1[j]
				}
				fast.block(d, S, &t01[s1*L], &phi01[0], &g01[0], &t12[0], &ft.tx23[0], &ft.tx03[s0*S*2*L],
					&ft.uf23[0], &ft.uf23[S*row*2], &W2[0], &W3[0], &ft.cz[0], &out[0], &scr[0])
			} else {
				block(d, S, &t01[s1*L], &phi01[0], &t12[0], &tab23[0], &t03[0],
					&u2[0], &u3[0], &W2[0], &W3[0], &logZ[0], &out[0], &scr[0])
			}
			w1 := w(1, s1)
			for j, v := range acc1 {
				w1[j] += v
				acc0r[j] += v
			}
			for j, v := range sum1 {
				sum0[j] += v
			}
		}
		w0 := w(0, s0)
		for j, v := range acc0r {
			w0[j] += v
		}
		for j, v := range sum0 {
			sumAll[j] += v
		}
	}
	if sym {
		M := S - 1
		for i := 0; i < 4; i++ {
			for s := 0; s < S/2; s++ {
				a, b := w(i, s), w(i, s^M)
				for j := range a {
					a[j], b[j] = a[j]-b[j], b[j]-a[j]
				}
			}
		}
		for j := range sumAll {
			sumAll[j] *= 2
		}
	}
	copy(e.Sums[:3*L], sumAll[:])
}

// enumScratch holds enumerateBlocks' buffers; the blocks initialise the
// parts they read.
type enumScratch struct {
	phi01, g01 [maxBlockD * Lanes]float64
	scr        [48 * Lanes]float64 // see the block functions' scratch layouts
	out        [(3 + maxBlockD) * Lanes]float64
	acc0       [maxBlockD * Lanes]float64
}

var scratchPool = sync.Pool{New: func() any { return new(enumScratch) }}

// fastTables are the inputs of the exp-free block, built from an Enum:
//   - f01: F_i[s][k] = exp(−2 U_i[s][k]) for sites 0 and 1 (Field layout),
//     so that G01 = F_0[s0]·F_1[s1] = exp(−2 φ01);
//   - uf23: for sites 2 and 3, row pairs (U_i[s][k], F_i[s][k]);
//   - tx23, tx03: row pairs (t[sa][sb], exp(t[sa][sb] − c)) of fine tables 2
//     and 3, c being the table's midrange (per lane);
//   - cz = c23 + c03 − LogZf, so that exp(a − LogZf) =
//     exp(a012 + cz)·X23[s2][s3]·X03[s0][s3].
type fastTables struct {
	f01, uf23, tx23, tx03 []float64
	cz                    [Lanes]float64
	tmp                   []float64 // exp arguments and results, before interleaving
}

// Ranges within which the products of the exp-free block neither overflow
// nor lose anything that matters.
const (
	// Σ_i max_s |U_i[s][k]| ≤ fastFieldMax: every partial field sum φ (and
	// so every factor and product of exp(−2φ)) stays within e^±600.
	fastFieldMax = 300
	// In every lane some unit k has Σ_i max_s |U_i[s][k]| ≥ fastFieldMin.
	// 1 − G carries an absolute error of a few 1e-16 (G is a product of
	// rounded exps) where the general block's 1 − e has about 1e-16: with
	// fields this small W ~ 1e-3 and the two agree with the generic twin
	// (whose tanh comes from expm1, exact to rounding) to ~1e-13 of
	// max|W|; with much smaller fields the exp-free block would not (the
	// general block itself is then only good to ~1e-16/|φ| relative), so
	// such lanes take the general block.
	fastFieldMin = 0.1
	// max − min of fine tables 2 and 3 ≤ fastSpreadMax: X = exp(t − c) is
	// within e^±100.
	fastSpreadMax = 200
	// exp(a012 + cz) ≤ e^fastP012Max, so that p's product stays below
	// e^700. If it is tiny instead, p < exp(a012 + cz)·e^200 is negligible.
	fastP012Max = 500
)

// fastPool recycles the fastTables buffers between calls.
var fastPool = sync.Pool{New: func() any { return new(fastTables) }}

// interleave returns dst (grown as needed) holding the rows of 8 lanes of
// a and b alternately: a row 0, b row 0, a row 1, …
func interleave(dst, a, b []float64) []float64 {
	const L = Lanes
	dst = grow(dst, 2*len(a))
	for r := 0; r*L < len(a); r++ {
		copy(dst[2*r*L:2*r*L+L], a[r*L:r*L+L])
		copy(dst[(2*r+1)*L:(2*r+2)*L], b[r*L:r*L+L])
	}
	return dst
}

// grow returns b resized to n, reusing its array when it is large enough.
func grow(b []float64, n int) []float64 {
	if cap(b) < n {
		return make([]float64, n)
	}
	return b[:n]
}

// buildFast returns the tables of the exp-free block, computed with the
// vector exp vexp, or nil if the Enum's tables are out of the ranges above
// (or hold NaN or ±Inf). The caller returns them to fastPool.
func buildFast(e *Enum, vexp func(dst, x []float64)) *fastTables {
	tmax, tmin, ok := fineRanges(e)
	if !ok {
		return nil
	}
	c23, c03, cz, ok := fastCentres(e, &tmax, &tmin)
	if !ok || !fastFieldsInRange(e) {
		return nil
	}
	ft := fastPool.Get().(*fastTables)
	ft.cz = cz
	ft.fill(e, vexp, &c23, &c03)
	return ft
}

// fineRanges returns the per-lane maximum and minimum of each fine table;
// ok is false if a table holds a NaN.
func fineRanges(e *Enum) (tmax, tmin [4][Lanes]float64, ok bool) {
	const L = Lanes
	S := 1 << e.D
	nan := false
	for t := 0; t < 4; t++ {
		hi, lo := &tmax[t], &tmin[t]
		for l := 0; l < L; l++ {
			hi[l], lo[l] = math.Inf(-1), math.Inf(1)
		}
		tab := e.Fine[t*S*S*L : (t+1)*S*S*L]
		for r := 0; r < S*S; r++ {
			for l, v := range tab[r*L : r*L+L] {
				if v > hi[l] {
					hi[l] = v
				}
				if v < lo[l] {
					lo[l] = v
				}
				nan = nan || v != v
			}
		}
	}
	return tmax, tmin, !nan
}

// fastCentres returns the midranges c23, c03 of fine tables 2 and 3 and
// cz = c23 + c03 − LogZf, per lane; ok is false if a table's spread
// exceeds fastSpreadMax or exp(a012 + cz) could exceed e^fastP012Max.
func fastCentres(e *Enum, tmax, tmin *[4][Lanes]float64) (c23, c03, cz [Lanes]float64, ok bool) {
	for l := 0; l < Lanes; l++ {
		if !(tmax[2][l]-tmin[2][l] <= fastSpreadMax) || !(tmax[3][l]-tmin[3][l] <= fastSpreadMax) {
			return c23, c03, cz, false
		}
		c23[l] = (tmax[2][l] + tmin[2][l]) / 2
		c03[l] = (tmax[3][l] + tmin[3][l]) / 2
		cz[l] = c23[l] + c03[l] - e.LogZf[l]
		if !(tmax[0][l]+tmax[1][l]+cz[l] <= fastP012Max) {
			return c23, c03, cz, false
		}
	}
	return c23, c03, cz, true
}

// fastFieldsInRange reports whether the site fields suit the exp-free
// block: Σ_i max_s |U_i[s][k]| ≤ fastFieldMax for every unit k and lane,
// and ≥ fastFieldMin for some unit in every lane (NaN fails).
func fastFieldsInRange(e *Enum) bool {
	const L = Lanes
	S := 1 << e.D
	row := e.D * L
	var fmax [maxBlockD * L]float64
	for i := 0; i < 4; i++ {
		var m [maxBlockD * L]float64
		for s := 0; s < S; s++ {
			for j, v := range e.Field[(i*S+s)*row : (i*S+s+1)*row] {
				if a := math.Abs(v); a > m[j] || a != a { // NaN sticks
					m[j] = a
				}
			}
		}
		for j := range row {
			fmax[j] += m[j]
		}
	}
	var fieldScale [L]float64
	for j, v := range fmax[:row] {
		if !(v <= fastFieldMax) {
			return false
		}
		fieldScale[j%L] = max(fieldScale[j%L], v)
	}
	for _, v := range fieldScale {
		if !(v >= fastFieldMin) {
			return false
		}
	}
	return true
}

// fill computes the tables from e with the vector exp vexp: the arguments
// first, then one vector exp per table; the pair tables are interleaved
// afterwards.
func (ft *fastTables) fill(e *Enum, vexp func(dst, x []float64), c23, c03 *[Lanes]float64) {
	const L = Lanes
	S := 1 << e.D
	row := e.D * L
	ft.f01 = grow(ft.f01, 2*S*row)
	for j := range ft.f01 {
		ft.f01[j] = -2 * e.Field[j]
	}
	vexp(ft.f01, ft.f01)
	n23 := 2 * S * row // sites 2 and 3
	ft.tmp = grow(ft.tmp, max(n23, S*S*L))
	tmp := ft.tmp[:n23]
	u23 := e.Field[2*S*row : 4*S*row]
	for j, v := range u23 {
		tmp[j] = -2 * v
	}
	vexp(tmp, tmp)
	ft.uf23 = interleave(ft.uf23, u23, tmp)
	pairs := func(tx []float64, t int, c *[L]float64) []float64 {
		tab := e.Fine[t*S*S*L : (t+1)*S*S*L]
		x := ft.tmp[:len(tab)]
		for j, v := range tab {
			x[j] = v - c[j%L]
		}
		vexp(x, x)
		return interleave(tx, tab, x)
	}
	ft.tx23 = pairs(ft.tx23, 2, c23)
	ft.tx03 = pairs(ft.tx03, 3, c03)
}

// flipSymmetric reports whether the tables are exactly symmetric under the
// global spin flip: Fine[t][sa^M][sb^M] = Fine[t][sa][sb] and
// Field[i][s^M][k] = −Field[i][s][k], M = S−1, for every lane. The engine's
// tables are (its fields are sums of ±K terms, negated exactly by the flip,
// and lc is even); NaNs make it false. Since s^M = M − s, the flipped row of
// table row r = sa·S + sb is S² − 1 − r, and that of site state s is M − s.
func flipSymmetric(e *Enum) bool {
	S := 1 << e.D
	const L = Lanes
	for t := 0; t < 4; t++ {
		tab := e.Fine[t*S*S*L : (t+1)*S*S*L]
		for r, q := 0, S*S-1; r < q; r, q = r+1, q-1 {
			a, b := tab[r*L:r*L+L], tab[q*L:q*L+L]
			for l := range a {
				if a[l] != b[l] {
					return false
				}
			}
		}
	}
	row := e.D * L
	for i := 0; i < 4; i++ {
		tab := e.Field[i*S*row : (i+1)*S*row]
		for s, m := 0, S-1; s < m; s, m = s+1, m-1 {
			a, b := tab[s*row:s*row+row], tab[m*row:m*row+row]
			for j := range a {
				if a[j] != -b[j] {
					return false
				}
			}
		}
	}
	return true
}
