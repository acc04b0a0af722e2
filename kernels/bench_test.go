package kernels

import (
	"math/rand/v2"
	"strconv"
	"testing"
)

// benchPaths lists every path this CPU and build can run, generic included.
func benchPaths() []*impl {
	var out []*impl
	for _, p := range impls {
		if p.available {
			out = append(out, p)
		}
	}
	return out
}

// benchSizes are the representations of the benchmarks, by D.
var benchSizes = []struct {
	name string
	d    int
}{{"A1", 1}, {"E", 2}, {"A1+E", 3}, {"2A1+E", 4}}

// benchEnumerate reports configurations per second: one Enumerate call is
// Lanes couplings × S^4 configurations.
func benchEnumerate(b *testing.B, sym bool) {
	for _, sz := range benchSizes {
		rng := rand.New(rand.NewPCG(7, uint64(sz.d)))
		// Amplitudes of a coupling near criticality (|J| ~ 1, a few units of
		// field), the same in every lane: the cost does not depend on them.
		e := enumCase(rng, sz.d, [Lanes]float64{2, 2, 2, 2, 2, 2, 2, 2}, [Lanes]float64{3, 3, 3, 3, 3, 3, 3, 3}, sym)
		S := 1 << sz.d
		configs := float64(Lanes * S * S * S * S)
		for _, p := range benchPaths() {
			b.Run(sz.name+"/"+p.name, func(b *testing.B) {
				for b.Loop() {
					p.enumerate(e)
				}
				b.ReportMetric(configs*float64(b.N)/b.Elapsed().Seconds(), "configs/s")
			})
		}
	}
}

// BenchmarkEnumerate uses flip-symmetric tables, as the engine passes them,
// so the assembly paths enumerate half the configurations (the generic twin
// does not use the symmetry).
func BenchmarkEnumerate(b *testing.B) { benchEnumerate(b, true) }

// BenchmarkEnumerateNoSym uses tables without the flip symmetry: every path
// enumerates all configurations, which isolates the speed of the loops.
func BenchmarkEnumerateNoSym(b *testing.B) { benchEnumerate(b, false) }

func benchVec(b *testing.B, k vecKernel) {
	rng := rand.New(rand.NewPCG(8, 9))
	for _, n := range []int{7, 64, 1024, 16384} {
		x := make([]float64, n)
		for i := range x {
			x[i] = 10 * (2*rng.Float64() - 1)
		}
		dst := make([]float64, n)
		for _, p := range benchPaths() {
			f := k.get(p)
			b.Run(strconv.Itoa(n)+"/"+p.name, func(b *testing.B) {
				b.SetBytes(int64(16 * n))
				for b.Loop() {
					f(dst, x)
				}
			})
		}
	}
}

func BenchmarkTanh(b *testing.B) { benchVec(b, vecKernels[0]) }

// benchSlice runs f(dst, x) on n random values as a sub-benchmark per
// path, with the bytes of x and dst as its throughput.
func benchSlice(b *testing.B, get func(p *impl) func(dst, x []float64)) {
	rng := rand.New(rand.NewPCG(8, 10))
	for _, n := range []int{7, 64, 1024, 16384} {
		x := make([]float64, n)
		for i := range x {
			x[i] = 10 * (2*rng.Float64() - 1)
		}
		dst := make([]float64, n)
		for _, p := range benchPaths() {
			f := get(p)
			b.Run(strconv.Itoa(n)+"/"+p.name, func(b *testing.B) {
				b.SetBytes(int64(16 * n))
				for b.Loop() {
					f(dst, x)
				}
			})
		}
	}
}

func BenchmarkRelu(b *testing.B) {
	benchSlice(b, func(p *impl) func(dst, x []float64) { return p.relu })
}

// BenchmarkReluMask multiplies the same gradient again and again: the
// entries it zeroes stay zero, the others keep their values.
func BenchmarkReluMask(b *testing.B) {
	benchSlice(b, func(p *impl) func(dst, x []float64) { return p.reluMask })
}

// BenchmarkAdam reports parameters per second for a layer's worth (5×80:
// 480) and a network's worth (5×80, five layers: about 26,000) of them.
func BenchmarkAdam(b *testing.B) {
	rng := rand.New(rand.NewPCG(18, 19))
	c := AdamCoef{Beta1: 0.9, OneMinusBeta1: 0.1, Beta2: 0.999, OneMinusBeta2: 0.001, C1: 0.5, C2: 0.01, LR: 1e-3, Eps: 1e-8}
	for _, n := range []int{480, 26245} {
		params, grad, m, v := make([]float64, n), make([]float64, n), make([]float64, n), make([]float64, n)
		for i := range grad {
			params[i], grad[i] = rng.NormFloat64(), 0.01*rng.NormFloat64()
		}
		for _, p := range benchPaths() {
			b.Run(strconv.Itoa(n)+"/"+p.name, func(b *testing.B) {
				pa := Path{impl: p}
				for b.Loop() {
					pa.Adam(params, grad, m, v, &c)
				}
				b.ReportMetric(float64(n)*float64(b.N)/b.Elapsed().Seconds(), "params/s")
			})
		}
	}
}

// BenchmarkFMALoop reports fused multiply-adds per second on one core.
func BenchmarkFMALoop(b *testing.B) {
	for _, p := range benchPaths() {
		b.Run(p.name, func(b *testing.B) {
			pa := Path{impl: p}
			x := [12]float64{}
			for b.Loop() {
				pa.FMALoop(&x, 0.999, 0.001, 1024)
			}
			b.ReportMetric(float64(1024*12*pa.FMALanes())*float64(b.N)/b.Elapsed().Seconds(), "FMA/s")
		})
	}
}
