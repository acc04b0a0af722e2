package kernels

// The contrastive divergence's statistics of the samples: the coarse
// fields, their tanh and log 2cosh (CDStats, LcTanh) and the corners' sums
// for the gradient (CornerSums).

import "math"

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
