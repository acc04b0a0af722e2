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
