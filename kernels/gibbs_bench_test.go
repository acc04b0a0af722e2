package kernels

import (
	"math/rand/v2"
	"strconv"
	"testing"
)

// onPaths runs f as a sub-benchmark on every path this CPU runs.
func onPaths(b *testing.B, name string, f func(b *testing.B, p Path)) {
	for _, im := range allPaths() {
		b.Run(name+"/"+im.name, func(b *testing.B) { f(b, Path{impl: im}) })
	}
}

// BenchmarkCatPair reports site draws per second.
func BenchmarkCatPair(b *testing.B) {
	for d := 1; d <= 6; d++ {
		rng := rand.New(rand.NewPCG(1, uint64(d)))
		tab := randomCatTable(rng, d)
		const N = 512
		a, c, dst := make([]uint8, N), make([]uint8, N), make([]uint8, N)
		for n := range a {
			a[n], c[n] = uint8(rng.IntN(1<<d)), uint8(rng.IntN(1<<d))
		}
		onPaths(b, "d="+strconv.Itoa(d), func(b *testing.B, p Path) {
			i := uint64(0)
			for b.Loop() {
				p.CatPair(dst, a, c, tab, d, 12345, i)
				i += N
			}
			b.ReportMetric(float64(N)*float64(b.N)/b.Elapsed().Seconds(), "draws/s")
		})
	}
}

// BenchmarkFineChainBits reports site draws per second (8 per chain step).
func BenchmarkFineChainBits(b *testing.B) {
	const W = 8
	onPaths(b, "W=8", func(b *testing.B, p Path) {
		// PFlip = σ(−4·0.8), a coupling near the critical one: a
		// probability with a long binary expansion, as they all are in
		// training.
		f := FineBits{Steps: 32, PFlip: 722480064893763968, Key: 99}
		for i := range f.C {
			f.C[i] = make([]uint64, W)
		}
		for b.Loop() {
			p.FineChainBits(&f)
		}
		b.ReportMetric(float64(W*64*8*f.Steps)*float64(b.N)/b.Elapsed().Seconds(), "draws/s")
	})
}

// BenchmarkFineChain reports site draws per second of the fine chain of
// the contrastive divergence's reference setting (512 chains, 32 steps of
// 8 sites) for d = 2, 3 (tables) and 4 (per-spin draws).
func BenchmarkFineChain(b *testing.B) {
	for d := 2; d <= 4; d++ {
		rng := rand.New(rand.NewPCG(5, uint64(d)))
		S := 1 << d
		var f FineChain
		f.D, f.Steps, f.Key = d, 32, 77
		for i := range 4 {
			f.Hid[i], f.Cor[i] = randomCatTable(rng, d), randomCatTable(rng, d)
			for _, x := range []*[]float64{&f.HidA[i], &f.HidB[i], &f.CorA[i], &f.CorB[i]} {
				*x = make([]float64, S*d)
				for j := range *x {
					(*x)[j] = 0.2 + rng.Float64()
				}
			}
			f.C[i], f.H[i] = make([]uint8, 512), make([]uint8, 512)
		}
		onPaths(b, "d="+strconv.Itoa(d), func(b *testing.B, p Path) {
			for b.Loop() {
				p.FineChain(&f)
			}
			b.ReportMetric(float64(512*8*f.Steps)*float64(b.N)/b.Elapsed().Seconds(), "draws/s")
		})
	}
}

// BenchmarkLcTanh reports fields per second (512 samples × 3 spins a call).
func BenchmarkLcTanh(b *testing.B) {
	rng := rand.New(rand.NewPCG(3, 4))
	x, th := make([]float64, 1536), make([]float64, 1536)
	for i := range x {
		x[i] = rng.NormFloat64()
	}
	onPaths(b, "n=1536", func(b *testing.B, p Path) {
		var acc LcLanes
		for b.Loop() {
			p.LcTanh(th, x, &acc)
		}
		b.ReportMetric(float64(len(x))*float64(b.N)/b.Elapsed().Seconds(), "fields/s")
	})
}

func BenchmarkRandFill(b *testing.B) {
	dst := make([]uint64, 1024)
	for b.Loop() {
		RandFill(dst, 1, 2)
	}
	b.ReportMetric(float64(len(dst))*float64(b.N)/b.Elapsed().Seconds(), "words/s")
}

// BenchmarkProdPair reports site draws per second of the per-spin draws.
func BenchmarkProdPair(b *testing.B) {
	for d := 3; d <= 6; d++ {
		rng := rand.New(rand.NewPCG(2, uint64(d)))
		S := 1 << d
		ea, eb := make([]float64, S*d), make([]float64, S*d)
		for i := range ea {
			ea[i], eb[i] = rng.Float64()+0.1, rng.Float64()+0.1
		}
		const N = 512
		a, c, dst := make([]uint8, N), make([]uint8, N), make([]uint8, N)
		for n := range a {
			a[n], c[n] = uint8(rng.IntN(S)), uint8(rng.IntN(S))
		}
		onPaths(b, "d="+strconv.Itoa(d), func(b *testing.B, p Path) {
			i := uint64(0)
			for b.Loop() {
				p.ProdPair(dst, a, c, ea, eb, d, 12345, i)
				i += N
			}
			b.ReportMetric(float64(N)*float64(b.N)/b.Elapsed().Seconds(), "draws/s")
		})
	}
}

// BenchmarkCatOne reports site draws per second (the coarse corner given
// the centre, R = 2^d rows).
func BenchmarkCatOne(b *testing.B) {
	for d := 1; d <= 4; d++ {
		rng := rand.New(rand.NewPCG(11, uint64(d)))
		S := 1 << d
		tab := thresholdMajor(catTable(rng, S, S), S, S)
		const N = 512
		a, dst := make([]uint8, N), make([]uint8, N)
		for n := range a {
			a[n] = uint8(rng.IntN(S))
		}
		onPaths(b, "d="+strconv.Itoa(d), func(b *testing.B, p Path) {
			i := uint64(0)
			for b.Loop() {
				p.CatOne(dst, a, tab, d, 12345, i)
				i += N
			}
			b.ReportMetric(float64(N)*float64(b.N)/b.Elapsed().Seconds(), "draws/s")
		})
	}
}

// BenchmarkUniformStates reports states per second (the chains' start).
func BenchmarkUniformStates(b *testing.B) {
	const N = 512
	dst := make([]uint8, N)
	for _, d := range []int{1, 3} {
		onPaths(b, "d="+strconv.Itoa(d), func(b *testing.B, p Path) {
			i := uint64(0)
			for b.Loop() {
				p.UniformStates(dst, d, 99, i)
				i += N
			}
			b.ReportMetric(float64(N)*float64(b.N)/b.Elapsed().Seconds(), "states/s")
		})
	}
}

// BenchmarkCentreStates reports site draws per second (d spins each).
func BenchmarkCentreStates(b *testing.B) {
	for d := 1; d <= 4; d++ {
		rng := rand.New(rand.NewPCG(12, uint64(d)))
		const N = 512
		th, dst := make([]float64, N*d), make([]uint8, N)
		for i := range th {
			th[i] = 2*rng.Float64() - 1
		}
		onPaths(b, "d="+strconv.Itoa(d), func(b *testing.B, p Path) {
			i := uint64(0)
			for b.Loop() {
				p.CentreStates(dst, th, d, 12345, i)
				i += N * uint64(d)
			}
			b.ReportMetric(float64(N)*float64(b.N)/b.Elapsed().Seconds(), "draws/s")
		})
	}
}

// cdStatsCase is the statistics of N samples of d spins with random
// corner states and field tables of unit size.
func cdStatsCase(rng *rand.Rand, d, N int) *CDStats {
	S := 1 << d
	st := &CDStats{D: d, Phi: make([]float64, d*N), Th: make([]float64, d*N)}
	for i := range 4 {
		st.C[i] = make([]uint8, N)
		for n := range st.C[i] {
			st.C[i][n] = uint8(rng.IntN(S))
		}
		st.U[i] = make([]float64, S*d)
		for j := range st.U[i] {
			st.U[i][j] = rng.NormFloat64() * 0.7
		}
	}
	return st
}

// BenchmarkCDStats reports fields per second (512 samples × d spins a
// call: the fields, their tanh and Σ lc).
func BenchmarkCDStats(b *testing.B) {
	for d := 1; d <= 4; d++ {
		st := cdStatsCase(rand.New(rand.NewPCG(13, uint64(d))), d, 512)
		onPaths(b, "d="+strconv.Itoa(d), func(b *testing.B, p Path) {
			var acc LcLanes
			for b.Loop() {
				p.CDStats(st, &acc)
			}
			b.ReportMetric(float64(d*512)*float64(b.N)/b.Elapsed().Seconds(), "fields/s")
		})
	}
}

// BenchmarkCornerSums reports samples per second (512 a call, d spins and
// four corners each).
func BenchmarkCornerSums(b *testing.B) {
	for d := 1; d <= 4; d++ {
		rng := rand.New(rand.NewPCG(14, uint64(d)))
		const N = 512
		S := 1 << d
		var W [4][]float64
		var C [4][]uint8
		for i := range 4 {
			W[i] = make([]float64, d*S)
			C[i] = make([]uint8, N)
			for n := range C[i] {
				C[i][n] = uint8(rng.IntN(S))
			}
		}
		th := make([]float64, d*N)
		for i := range th {
			th[i] = 2*rng.Float64() - 1
		}
		onPaths(b, "d="+strconv.Itoa(d), func(b *testing.B, p Path) {
			sign := 1.0
			for b.Loop() {
				p.CornerSums(&W, &C, th, d, sign)
				sign = -sign
			}
			b.ReportMetric(float64(N)*float64(b.N)/b.Elapsed().Seconds(), "samples/s")
		})
	}
}

// BenchmarkSigmoidPairs reports fields per second: R·d fields of the pair
// tables for d = 2, 3 (R = 2^{2d}) and the factor tables' size for d = 4.
func BenchmarkSigmoidPairs(b *testing.B) {
	rng := rand.New(rand.NewPCG(15, 16))
	for _, n := range []int{32, 192, 1536} {
		x, plus, minus := make([]float64, n), make([]float64, n), make([]float64, n)
		for i := range x {
			x[i] = rng.NormFloat64()
		}
		onPaths(b, "n="+strconv.Itoa(n), func(b *testing.B, p Path) {
			for b.Loop() {
				p.SigmoidPairs(plus, minus, x)
			}
			b.ReportMetric(float64(n)*float64(b.N)/b.Elapsed().Seconds(), "fields/s")
		})
	}
}

// BenchmarkCatRows reports table rows per second for the pair tables of
// d = 2, 3, 4 (R = 2^{2d} rows of 2^d − 1 thresholds).
func BenchmarkCatRows(b *testing.B) {
	for d := 2; d <= 4; d++ {
		rng := rand.New(rand.NewPCG(17, uint64(d)))
		R := 1 << (2 * d)
		plus, minus := make([]float64, R*d), make([]float64, R*d)
		for i := range plus {
			plus[i] = rng.Float64()
			minus[i] = 1 - plus[i]
		}
		tab := make([]uint32, CatTableLen(R, d))
		onPaths(b, "d="+strconv.Itoa(d), func(b *testing.B, p Path) {
			for b.Loop() {
				p.CatRows(tab, plus, minus, R, d)
			}
			b.ReportMetric(float64(R)*float64(b.N)/b.Elapsed().Seconds(), "rows/s")
		})
	}
}
