package kernels

import (
	"math/rand/v2"
	"testing"
)

func BenchmarkZZFineChain3(b *testing.B) {
	rng := rand.New(rand.NewPCG(1, 2))
	const d, S, N = 3, 8, 512
	var f FineChain
	f.D, f.Steps, f.Key = d, 32, 77
	for i := range 4 {
		f.Hid[i] = thresholdMajor(catTable(rng, S*S, S), S*S, S)
		f.Cor[i] = thresholdMajor(catTable(rng, S*S, S), S*S, S)
		f.C[i] = make([]uint8, N)
		f.H[i] = make([]uint8, N)
	}
	p := Fastest()
	for i := 0; i < b.N; i++ {
		p.FineChain(&f)
	}
	b.ReportMetric(float64(b.Elapsed().Nanoseconds())/float64(b.N)/(N*32*8), "ns/draw")
}
