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
