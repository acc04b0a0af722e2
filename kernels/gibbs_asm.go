//go:build amd64 && gc && !purego

package kernels

import (
	"math"
	"math/bits"
	"runtime"
	"unsafe"

	"github.com/rgflow/rgflow/kernels/internal/dispatch"
)

// This file's build tag is that of the architectures with assembly
// kernels (amd64 today), not amd64's own: what is here is Go, the paths'
// tables and the wrappers between slices and the stubs that the
// *_amd64.go files declare. A port to another architecture adds its GOARCH
// to the tag and to kernels_noasm.go's complement, declares its stubs in
// *_GOARCH.go files and gives its paths their entries here.

// The assembly twins of the Gibbs kernels (gibbs_avx512_amd64.s,
// gibbs_avx2_amd64.s) take whole blocks of lanes; these wrappers give the
// rest of a call to the pure-Go twins, at the stream positions and lanes
// those would have used, so that the result is the twin's.

// gibbsAVX512 is the avx512 path's sampler. Its kernels need AVX512DQ too
// (VPMULLQ, VCVTUQQ2PD); an AVX512F CPU without it runs the avx2 ones,
// which draw the same samples.
func gibbsAVX512() gibbs {
	switch {
	case dispatch.CPU.AVX512Path() && dispatch.CPU.AVX512DQ:
		return gibbs{
			fineBits:   fineChainBitsAVX512,
			fineChain:  fineChainAVX512,
			catPair:    catPairAVX512,
			catOne:     catOneAVX512,
			centre:     centreStatesAVX512,
			cdStats:    cdStatsAVX512Go,
			cornerSums: cornerSumsAVX512Go,
			uniform:    uniformStatesAVX512Go,
			lcTanh:     lcTanhAVX512Go,
			sigmoids:   sigmoidPairsAVX512,
			catRows:    catRowsAVX512,
			prodPair:   prodPairAVX512,
		}
	case dispatch.CPU.AVX2Path():
		return gibbsAVX2()
	}
	return genericGibbs
}

// gibbsAVX2 is the avx2 path's sampler.
func gibbsAVX2() gibbs {
	if !dispatch.CPU.AVX2Path() {
		return genericGibbs
	}
	return gibbs{
		fineBits:   fineChainBitsAVX2,
		fineChain:  fineChainAVX2,
		catPair:    catPairAVX2,
		catOne:     catOneAVX2,
		centre:     centreStatesAVX2,
		cornerSums: cornerSumsAVX2Go,
		uniform:    uniformStatesAVX2Go,
		cdStats:    cdStatsAVX2Go,
		lcTanh:     lcTanhAVX2Go,
		sigmoids:   sigmoidPairsAVX2,
		catRows:    catRowsAVX2,
		prodPair:   prodPairAVX2,
	}
}

// prodPairAVX2 draws d = 3, 4 with the factor tables' rows in registers
// (prodRowsAVX2), other d with gathers (prodAVX2).
func prodPairAVX2(dst, a, b []uint8, ea, eb []float64, d int, key, base uint64) {
	if d == 3 || d == 4 {
		var pr prodRows
		pr.prep(ea, eb, d)
		pr.draw(dst, a, b, ea, eb, d, key, base)
		return
	}
	h := uint64(d+1) / 2
	wholeLanes(len(dst), 4, func(n int) {
		prodAVX2(&dst[0], &a[0], &b[0], n, &ea[0], &eb[0], d, key, base)
	}, func(n int) {
		ProdPairGeneric(dst[n:], a[n:], b[n:], ea, eb, d, key, base+uint64(n)*h)
	})
}

// prodRows is a pair of factor tables for d = 3 or 4 as prodRowsAVX2 reads
// them: EA_k[s] at ea[4s + k].
type prodRows struct {
	ea, eb [16 * 4]float64
}

func (pr *prodRows) prep(ea, eb []float64, d int) {
	S := 1 << d
	ea, eb = ea[:S*d], eb[:S*d]
	for k := 0; k < d; k++ {
		for s := 0; s < S; s++ {
			pr.ea[4*s+k], pr.eb[4*s+k] = ea[k*S+s], eb[k*S+s]
		}
	}
}

// draw draws the first 2·⌊N/2⌋ sites in assembly, the last in Go.
func (pr *prodRows) draw(dst, a, b []uint8, ea, eb []float64, d int, key, base uint64) {
	wholeLanes(len(dst), 2, func(n int) {
		_, _ = a[n-1], b[n-1]
		prodRowsAVX2(&dst[0], &a[0], &b[0], n, &pr.ea[0], &pr.eb[0], 1<<d-1, key, base)
	}, func(n int) {
		ProdPairGeneric(dst[n:], a[n:], b[n:], ea, eb, d, key, base+2*uint64(n))
	})
}

// catRowsAVX2 builds the first 4·⌊R/4⌋ rows of tables of d = 2, 3, 4 in
// assembly (4 rows a loop, the state probabilities in registers), the
// rest, and other d, in Go.
func catRowsAVX2(tab []uint32, plus, minus []float64, R, d int) {
	var rows func(tab *uint32, plus, minus *float64, R, n int)
	switch d {
	case 2:
		rows = catRows2AVX2
	case 3:
		rows = catRows3AVX2
	case 4:
		rows = catRows4AVX2
	default:
		CatRowsGeneric(tab, plus, minus, R, d)
		return
	}
	wholeLanes(R, 4, func(n int) {
		rows(&tab[0], &plus[0], &minus[0], R, n)
	}, func(n int) {
		catRowsFrom(tab, plus, minus, R, d, n)
	})
}

// cornerSumsAVX2Go runs CornerSums for 2 ≤ d ≤ 4 in assembly on the first
// 4·⌊N/4⌋ samples (each corner's sums by state, its d spins in the lanes
// of a ymm), the rest, and other d, in Go; every sum gets its terms in the
// order of the samples either way.
func cornerSumsAVX2Go(W *[4][]float64, C *[4][]uint8, th []float64, d int, sign float64) {
	if d < 2 || d > 4 {
		CornerSumsGeneric(W, C, th, d, sign)
		return
	}
	wholeLanes(len(C[0]), 4, func(n int) {
		cornerSumsAVX2Rows(W, C, th, d, sign, n)
	}, func(n int) {
		cornerSumsFrom(W, C, th, d, sign, n)
	})
}

// cornerSumsAVX2Rows adds samples 0 … n−1 (n > 0 a multiple of 4) to W by
// cornerSumsAVX2, through its layout.
func cornerSumsAVX2Rows(W *[4][]float64, C *[4][]uint8, th []float64, d int, sign float64, n int) {
	N, S := len(C[0]), 1<<d
	var acc [4 * 16 * 4]float64 // corner i, state s, spin k at (16i + s)·4 + k
	for i := range 4 {
		w := W[i][:d*S]
		for k := 0; k < d; k++ {
			for s := 0; s < S; s++ {
				acc[(16*i+s)*4+k] = w[k*S+s]
			}
		}
	}
	c := [4]*uint8{&C[0][0], &C[1][0], &C[2][0], &C[3][0]}
	sub := 0
	if sign < 0 {
		sub = 1
	}
	_ = th[d*N-1]
	cornerSumsAVX2(&acc[0], &c, &th[0], n, N, d, sub)
	runtime.KeepAlive(C)
	for i := range 4 {
		w := W[i][:d*S]
		for k := 0; k < d; k++ {
			for s := 0; s < S; s++ {
				w[k*S+s] = acc[(16*i+s)*4+k]
			}
		}
	}
}

// cdStatsAVX2Go computes the fields of the first 4·⌊N/4⌋ samples in
// assembly for d ≤ 4 (a sample's d fields in the lanes of a ymm, from the
// tables' rows), the rest, and other d, in Go, and then runs LcTanh's
// kernel over them (the k-major order of the lane sums rules out doing
// both in one pass over the samples).
func cdStatsAVX2Go(st *CDStats, acc *LcLanes) {
	d, N := st.D, len(st.C[0])
	if d > 4 {
		cdFields(st)
	} else {
		wholeLanes(N, 4, func(n int) {
			S := 1 << d
			var ut [4 * 16 * 4]float64 // site i, state s, spin k at (16i + s)·4 + k
			for i := range 4 {
				U := st.U[i][:S*d]
				for s := 0; s < S; s++ {
					copy(ut[(16*i+s)*4:(16*i+s)*4+d], U[s*d:(s+1)*d])
				}
			}
			_ = st.Phi[d*N-1]
			c := [4]*uint8{&st.C[0][0], &st.C[1][0], &st.C[2][0], &st.C[3][0]}
			cdFieldsAVX2(&st.Phi[0], &c, &ut[0], n, N, d)
			runtime.KeepAlive(st)
		}, func(n int) {
			cdFieldsFrom(st, n)
		})
	}
	lcTanhInto(lcTanhAVX2Go, st.Th, st.Phi[:d*N], acc)
}

// uniformStatesAVX2Go draws the first 16·⌊N/16⌋ states in assembly (8
// words of the stream a loop), the rest in Go.
func uniformStatesAVX2Go(dst []uint8, d int, key, base uint64) {
	wholeLanes(len(dst), 16, func(n int) {
		uniformAVX2(&dst[0], n, uint32(1)<<d-1, key, base)
	}, func(n int) {
		UniformStatesGeneric(dst[n:], d, key, base+uint64(n/2))
	})
}

func fineChainBitsAVX2(f *FineBits) {
	W := checkPlanes(f)
	wholeLanes(W, 4, func(n int) {
		if f.Steps > 0 {
			fineBitsAVX2(&f.C[0][0], &f.C[1][0], &f.C[2][0], &f.C[3][0], n/4, f.Steps, f.PFlip, f.Key)
		}
	}, func(n int) {
		fineChainBitsWords(f, n, W)
	})
}

// catPairAVX2 draws from tables of at most 64 rows (d ≤ 3) by byte
// look-ups (catByteAVX2), from larger ones by a binary search with
// gathers (catAVX2).
func catPairAVX2(dst, a, b []uint8, tab []uint32, d int, key, base uint64) {
	if d <= 3 {
		var pt catBytes
		pt.prep(tab, 1<<(2*d), d)
		pt.draw(dst, a, b, tab, d, d, key, base)
		return
	}
	wholeLanes(len(dst), 8, func(n int) {
		catAVX2(&dst[0], &a[0], &b[0], n, &tab[0], 2*d, d, d, key, base)
	}, func(n int) {
		CatPairGeneric(dst[n:], a[n:], b[n:], tab, d, key, base+uint64(n/2))
	})
}

// catOneAVX2 is catPairAVX2 for CatOne: byte look-ups for d ≤ 4.
func catOneAVX2(dst, a []uint8, tab []uint32, d int, key, base uint64) {
	if d <= 4 {
		var pt catBytes
		pt.prep(tab, 1<<d, d)
		pt.draw(dst, a, a, tab, d, 0, key, base)
		return
	}
	wholeLanes(len(dst), 8, func(n int) {
		catAVX2(&dst[0], &a[0], &a[0], n, &tab[0], d, d, 0, key, base)
	}, func(n int) {
		CatOneGeneric(dst[n:], a[n:], tab, d, key, base+uint64(n/2))
	})
}

// fineChainAVX2 runs the chain spin by spin for d ≥ ProdMinD (d = 4 on
// prodRowsAVX2), else with the byte look-ups of catByteAVX2, the eight
// sites' byte tables made once for all the steps.
func fineChainAVX2(f *FineChain) {
	d := f.D
	if d == 4 {
		fineChainRows(f)
		return
	}
	if d >= ProdMinD {
		fineChainProd(f, prodPairAVX2)
		return
	}
	var pt [8]catBytes
	R := 1 << (2 * d)
	for e := range 4 {
		pt[e].prep(f.Hid[e], R, d)
		pt[4+e].prep(f.Cor[e], R, d)
	}
	for t := 0; t < f.Steps; t++ {
		ph := FinePhase(t)
		for e, nb := range fineHidden {
			pt[e].draw(f.H[e], f.C[nb[0]], f.C[nb[1]], f.Hid[e], d, d, f.Key, Sub(ph, e))
		}
		for i, nb := range fineCorner {
			pt[4+i].draw(f.C[i], f.H[nb[0]], f.H[nb[1]], f.Cor[i], d, d, f.Key, Sub(ph+1, i))
		}
	}
}

// fineChainRows is fineChainProd for d = 4 with prodRowsAVX2, the eight
// sites' factor rows made once for all the steps.
func fineChainRows(f *FineChain) {
	var hid, cor [4]prodRows
	for e := range 4 {
		hid[e].prep(f.HidA[e], f.HidB[e], f.D)
		cor[e].prep(f.CorA[e], f.CorB[e], f.D)
	}
	for t := 0; t < f.Steps; t++ {
		ph := FinePhase(t)
		for e, nb := range fineHidden {
			hid[e].draw(f.H[e], f.C[nb[0]], f.C[nb[1]], f.HidA[e], f.HidB[e], f.D, f.Key, Sub(ph, e))
		}
		for i, nb := range fineCorner {
			cor[i].draw(f.C[i], f.H[nb[0]], f.H[nb[1]], f.CorA[i], f.CorB[i], f.D, f.Key, Sub(ph+1, i))
		}
	}
}

// catBytes is a threshold-major table of at most 64 rows as catByteAVX2
// reads it: the thresholds' two high bytes, by groups of 16 rows (see
// gibbs_avx2_amd64.s), and the draw's parameters.
type catBytes struct {
	b    [7 * 2 * 4 * 32]byte // the largest: 64 rows, 7 thresholds
	desc [5]int               // nt, groups, shift, S − 1, R
}

// prep fills pt from tab, a table of R ≤ 64 rows for d spins (R·(2^d − 1)
// ≤ 7·64 entries).
func (pt *catBytes) prep(tab []uint32, R, d int) {
	nt := 1<<d - 1
	G := 1
	if R > 16 {
		G = 4
	}
	_ = tab[R*nt-1]
	pt.desc = [5]int{nt, G, 0, 1<<d - 1, R}
	switch R {
	case 8, 16, 64:
		catPrepAVX2(&pt.b[0], &tab[0], R, nt)
	default: // 2 or 4 rows, at most 3 thresholds
		for j := 0; j < nt; j++ {
			hi, lo := pt.b[64*j:64*j+32], pt.b[64*j+32:64*j+64]
			for r := 0; r < R; r++ {
				t := tab[j*R+r]
				hi[r], hi[16+r] = byte(t>>24)^0x80, byte(t>>24)^0x80
				lo[r], lo[16+r] = byte(t>>16)^0x80, byte(t>>16)^0x80
			}
		}
	}
}

// draw draws dst[n] from row (a[n]&m)<<shift | (b[n]&m) of tab, whose
// byte table pt is: the first 32·⌊N/32⌋ in assembly, the rest in Go
// (shift d: CatPair, shift 0 and a = b: CatOne).
func (pt *catBytes) draw(dst, a, b []uint8, tab []uint32, d, shift int, key, base uint64) {
	wholeLanes(len(dst), 32, func(n int) {
		pt.desc[2] = shift
		_, _ = a[n-1], b[n-1]
		catByteAVX2(&dst[0], &a[0], &b[0], n, &pt.b[0], &tab[0], &pt.desc, key, base)
	}, func(n int) {
		if shift == 0 {
			CatOneGeneric(dst[n:], a[n:], tab, d, key, base+uint64(n/2))
		} else {
			CatPairGeneric(dst[n:], a[n:], b[n:], tab, d, key, base+uint64(n/2))
		}
	})
}

func centreStatesAVX2(dst []uint8, th []float64, d int, key, base uint64) {
	N := len(dst)
	wholeLanes(N, 4, func(n int) {
		centreAVX2(&dst[0], &th[0], n, N, d, key, base)
	}, func(n int) {
		centreStates(dst[n:], th, N, n, d, key, base)
	})
}

func lcTanhAVX2Go(th, x []float64, abs, prod *[8]float64) {
	wholeLanes(len(x), 8, func(n int) {
		lcTanhAVX2(&th[0], &x[0], n, &abs[0], &prod[0])
	}, func(n int) {
		LcTanhGeneric(th[n:], x[n:], abs, prod)
	})
}

func sigmoidPairsAVX2(plus, minus, x []float64) {
	wholeLanes(len(x), 4, func(n int) {
		sigmoidAVX2(&plus[0], &minus[0], &x[0], n)
	}, func(n int) {
		SigmoidPairsGeneric(plus[n:], minus[n:], x[n:])
	})
}

// fineChainAVX512 runs d = 3 chains of 32·⌊N/32⌋ samples in one call of
// the fused kernel (word lanes: AVX512BW), the rest, and other d, site by
// site.
func fineChainAVX512(f *FineChain) {
	if f.D >= ProdMinD {
		fineChainProd(f, prodPairAVX512)
		return
	}
	N := len(f.C[0])
	if f.D != 3 || !dispatch.CPU.AVX512BW {
		fineChainRange(f, 0, N, catPairAVX512)
		return
	}
	wholeLanes(N, 32, func(n int) {
		if f.Steps > 0 {
			fineChain3(f, n)
		}
	}, func(n int) {
		fineChainRange(f, n, N, catPairAVX512)
	})
}

// fineChain3 runs the d = 3 chains of samples 0 … n−1 (n > 0 a multiple of
// 32) on fineChain3AVX512.
func fineChain3(f *FineChain, n int) {
	var desc [32]uintptr
	for e, nb := range fineHidden {
		_ = f.Hid[e][CatTableLen(64, 3)-1]
		desc[4*e] = uintptr(unsafe.Pointer(&f.H[e][0]))
		desc[4*e+1] = uintptr(unsafe.Pointer(&f.C[nb[0]][0]))
		desc[4*e+2] = uintptr(unsafe.Pointer(&f.C[nb[1]][0]))
		desc[4*e+3] = uintptr(unsafe.Pointer(&f.Hid[e][0]))
	}
	for i, nb := range fineCorner {
		_ = f.Cor[i][CatTableLen(64, 3)-1]
		desc[16+4*i] = uintptr(unsafe.Pointer(&f.C[i][0]))
		desc[16+4*i+1] = uintptr(unsafe.Pointer(&f.H[nb[0]][0]))
		desc[16+4*i+2] = uintptr(unsafe.Pointer(&f.H[nb[1]][0]))
		desc[16+4*i+3] = uintptr(unsafe.Pointer(&f.Cor[i][0]))
	}
	fineChain3AVX512(&desc, n, f.Steps, f.Key)
	runtime.KeepAlive(f)
}

// uniformStatesAVX512Go draws the first 16·⌊N/16⌋ states in assembly (8
// words of the stream a loop), the rest in Go.
func uniformStatesAVX512Go(dst []uint8, d int, key, base uint64) {
	wholeLanes(len(dst), 16, func(n int) {
		uniformAVX512(&dst[0], n, uint32(1)<<d-1, key, base)
	}, func(n int) {
		UniformStatesGeneric(dst[n:], d, key, base+uint64(n/2))
	})
}

// cornerSumsAVX512Go runs CornerSums for d = 3 in assembly (the 8 states
// of one k in the lanes of a register), other d in Go.
func cornerSumsAVX512Go(W *[4][]float64, C *[4][]uint8, th []float64, d int, sign float64) {
	N := len(C[0])
	if d != 3 || N == 0 {
		CornerSumsGeneric(W, C, th, d, sign)
		return
	}
	var w [4 * 3 * 8]float64
	for i := range 4 {
		copy(w[i*24:(i+1)*24], W[i][:24])
	}
	c := [4]*uint8{&C[0][0], &C[1][0], &C[2][0], &C[3][0]}
	sub := 0
	if sign < 0 {
		sub = 1
	}
	cornerSums3AVX512(&w[0], &c, &th[0], N, N, sub)
	runtime.KeepAlive(C)
	for i := range 4 {
		copy(W[i][:24], w[i*24:(i+1)*24])
	}
}

// prodPairAVX512 draws the first 8·⌊N/8⌋ sites in assembly (d ≥ 3; the
// engine draws spin by spin from d = ProdMinD on), the rest in Go.
func prodPairAVX512(dst, a, b []uint8, ea, eb []float64, d int, key, base uint64) {
	if d < 3 {
		ProdPairGeneric(dst, a, b, ea, eb, d, key, base)
		return
	}
	h := uint64(d+1) / 2
	wholeLanes(len(dst), 8, func(n int) {
		mode := 2
		switch S := 1 << d; {
		case S == 8:
			mode = 0
		case S == 16:
			mode = 1
		}
		prodAVX512(&dst[0], &a[0], &b[0], n, &ea[0], &eb[0], d, mode, key, base)
	}, func(n int) {
		ProdPairGeneric(dst[n:], a[n:], b[n:], ea, eb, d, key, base+uint64(n)*h)
	})
}

// cdStatsAVX512Go runs the fused kernel when it applies (d ≤ 4, N a
// multiple of 8, the whole buffer one chunk of lcTanhInto) and otherwise
// the fields in Go and LcTanh's kernel, which see the same lanes.
func cdStatsAVX512Go(st *CDStats, acc *LcLanes) {
	d, N := st.D, len(st.C[0])
	if d > 4 || N == 0 || N%8 != 0 || d*N > lcChunk {
		cdFields(st)
		lcTanhInto(lcTanhAVX512Go, st.Th, st.Phi[:d*N], acc)
		return
	}
	S := 1 << d
	var ut [4 * 4 * 16]float64 // site i, spin k, state s at (i·d + k)·16 + s
	for i := range 4 {
		U := st.U[i][:S*d]
		for k := 0; k < d; k++ {
			row := ut[(i*d+k)*16:]
			for s := 0; s < S; s++ {
				row[s] = U[s*d+k]
			}
		}
	}
	wide := 0
	if S > 8 {
		wide = 1
	}
	_, _ = st.Th[d*N-1], st.Phi[d*N-1]
	prod := [8]float64{1, 1, 1, 1, 1, 1, 1, 1}
	cdStatsAVX512(&st.Th[0], &st.Phi[0], &st.C[0][0], &st.C[1][0], &st.C[2][0], &st.C[3][0], &ut[0], N, d, wide, &acc.abs[0], &prod[0])
	for l, p := range prod {
		acc.logs[l] += math.Log(p)
	}
}

// catRowsAVX512 builds tables of d = 2, 3, 4 and a multiple of 8 rows in
// assembly (the state probabilities in registers), others in Go.
func catRowsAVX512(tab []uint32, plus, minus []float64, R, d int) {
	if R%8 != 0 || d < 2 || d > 4 || R == 0 {
		CatRowsGeneric(tab, plus, minus, R, d)
		return
	}
	switch d {
	case 2:
		catRows2AVX512(&tab[0], &plus[0], &minus[0], R)
	case 3:
		catRows3AVX512(&tab[0], &plus[0], &minus[0], R)
	case 4:
		catRows4AVX512(&tab[0], &plus[0], &minus[0], R)
	}
}

// checkPlanes panics unless the four corner planes have W words each.
func checkPlanes(f *FineBits) int {
	W := len(f.C[0])
	for _, c := range f.C[1:] {
		if len(c) != W {
			panic("kernels: FineBits planes of different lengths")
		}
	}
	return W
}

func fineChainBitsAVX512(f *FineBits) {
	W := checkPlanes(f)
	wholeLanes(W, 8, func(n int) {
		if f.Steps > 0 {
			fineBitsAVX512(&f.C[0][0], &f.C[1][0], &f.C[2][0], &f.C[3][0], n/8, f.Steps, f.PFlip, f.Key)
		}
	}, func(n int) {
		fineChainBitsWords(f, n, W)
	})
}

// maxPermRows is the most rows catPermAVX512 takes (two VPERMT2D a
// threshold); tables of at most 16 rows are padded to 16 (one VPERMD).
const maxPermRows = 64

// catDrawAVX512 draws the n sites of dst (n > 0 a multiple of 16) in
// assembly, rows r = a<<shift | b of a table of R rows.
func catDrawAVX512(dst, a, b []uint8, tab []uint32, R, d, shift int, key, base uint64) {
	n := len(dst)
	S := 1 << d
	switch {
	case R < 16:
		var pad [15 * 16]uint32
		for j := 0; j < S-1; j++ {
			copy(pad[j*16:j*16+R], tab[j*R:(j+1)*R])
		}
		catPermAVX512(&dst[0], &a[0], &b[0], n, &pad[0], 16, S-1, shift, key, base)
	case R == 16 || R == maxPermRows:
		catPermAVX512(&dst[0], &a[0], &b[0], n, &tab[0], R, S-1, shift, key, base)
	default:
		catGatherAVX512(&dst[0], &a[0], &b[0], n, &tab[0], bits.TrailingZeros(uint(R)), d, shift, key, base)
	}
}

func catPairAVX512(dst, a, b []uint8, tab []uint32, d int, key, base uint64) {
	wholeLanes(len(dst), 16, func(n int) {
		catDrawAVX512(dst[:n], a, b, tab, 1<<(2*d), d, d, key, base)
	}, func(n int) {
		CatPairGeneric(dst[n:], a[n:], b[n:], tab, d, key, base+uint64(n/2))
	})
}

func catOneAVX512(dst, a []uint8, tab []uint32, d int, key, base uint64) {
	wholeLanes(len(dst), 16, func(n int) {
		catDrawAVX512(dst[:n], a, a, tab, 1<<d, d, 0, key, base)
	}, func(n int) {
		CatOneGeneric(dst[n:], a[n:], tab, d, key, base+uint64(n/2))
	})
}

func centreStatesAVX512(dst []uint8, th []float64, d int, key, base uint64) {
	N := len(dst)
	wholeLanes(N, 8, func(n int) {
		centreAVX512(&dst[0], &th[0], n, N, d, key, base)
	}, func(n int) {
		centreStates(dst[n:], th, N, n, d, key, base)
	})
}

func lcTanhAVX512Go(th, x []float64, abs, prod *[8]float64) {
	wholeLanes(len(x), 8, func(n int) {
		lcTanhAVX512(&th[0], &x[0], n, &abs[0], &prod[0])
	}, func(n int) {
		LcTanhGeneric(th[n:], x[n:], abs, prod)
	})
}

func sigmoidPairsAVX512(plus, minus, x []float64) {
	wholeLanes(len(x), 8, func(n int) {
		sigmoidAVX512(&plus[0], &minus[0], &x[0], n)
	}, func(n int) {
		SigmoidPairsGeneric(plus[n:], minus[n:], x[n:])
	})
}
