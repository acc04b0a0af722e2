package dense

import (
	"fmt"
	"math/rand/v2"
	"testing"

	"gonum.org/v1/gonum/blas"
	"gonum.org/v1/gonum/blas/blas64"
)

// benchShapes are m×n×k per case: the three shapes of the report (64×80×80,
// 1024×160×160, 24×16×1) and the network's products for c = 5 and 10 on the
// smallest and largest batches (NT: batch×out×in, TN: out×in×batch, NN:
// batch×in×out), and the few rows of single points and of Newton's line
// search (Jacobian, Newton: 1–12 rows).
var benchShapes = map[string][][3]int{
	"NT": {{24, 16, 1}, {24, 1, 16}, {1944, 16, 1}, {1, 80, 5}, {1, 80, 80}, {1, 5, 80}, {1, 160, 160}, {2, 80, 80}, {3, 80, 80}, {4, 80, 80}, {6, 80, 80}, {12, 80, 80}, {12, 80, 5}, {12, 5, 80}, {10, 160, 160}, {64, 80, 80}, {1024, 160, 160}, {24, 80, 80}, {1944, 80, 80}, {1944, 80, 5}, {1944, 5, 80}, {1944, 160, 160}, {1944, 320, 320}},
	"TN": {{16, 1, 24}, {1, 16, 24}, {16, 1, 1944}, {64, 80, 80}, {1024, 160, 160}, {80, 80, 24}, {80, 80, 1944}, {5, 80, 1944}, {80, 5, 1944}, {160, 160, 1944}},
	"NN": {{24, 16, 1}, {24, 1, 16}, {1944, 1, 16}, {1, 80, 80}, {1, 160, 160}, {10, 160, 160}, {64, 80, 80}, {1024, 160, 160}, {24, 80, 80}, {1944, 80, 80}, {1944, 80, 5}, {1944, 160, 160}},
}

// BenchmarkGemm/<case>/<m>x<n>x<k>/<path> reports GFLOPS (2mnk per call) for
// every available path, for the plain loops engine/mlp.go uses for small
// products and for gonum's Dgemm.
func BenchmarkGemm(b *testing.B) {
	rng := rand.New(rand.NewPCG(1, 2))
	for _, cs := range cases {
		b.Run(cs.name, func(b *testing.B) {
			for _, s := range benchShapes[cs.name] {
				m, n, k := s[0], s[1], s[2]
				lda, ldb := k, n
				if cs.tA {
					lda = m
				}
				if cs.tB {
					ldb = k
				}
				x := make([]float64, m*k)
				y := make([]float64, k*n)
				z := make([]float64, m*n)
				for i := range x {
					x[i] = rng.NormFloat64()
				}
				for i := range y {
					y[i] = rng.NormFloat64()
				}
				flops := 2 * float64(m) * float64(n) * float64(k)
				b.Run(fmt.Sprintf("%dx%dx%d", m, n, k), func(b *testing.B) {
					for _, pt := range allPaths() {
						b.Run(pt.name, func(b *testing.B) {
							for b.Loop() {
								gemmWith(pt, cs.tA, cs.tB, m, n, k, x, lda, y, ldb, 1, z, n)
							}
							b.ReportMetric(flops*float64(b.N)/b.Elapsed().Seconds()/1e9, "GFLOPS")
						})
					}
					b.Run("loops", func(b *testing.B) {
						for b.Loop() {
							plainLoops(cs.tA, cs.tB, m, n, k, x, lda, y, ldb, 1, z, n)
						}
						b.ReportMetric(flops*float64(b.N)/b.Elapsed().Seconds()/1e9, "GFLOPS")
					})
					b.Run("gonum", func(b *testing.B) {
						ta, tb := blas.NoTrans, blas.NoTrans
						if cs.tA {
							ta = blas.Trans
						}
						if cs.tB {
							tb = blas.Trans
						}
						impl := blas64.Implementation()
						for b.Loop() {
							impl.Dgemm(ta, tb, m, n, k, 1, x, lda, y, ldb, 1, z, n)
						}
						b.ReportMetric(flops*float64(b.N)/b.Elapsed().Seconds()/1e9, "GFLOPS")
					})
				})
			}
		})
	}
}

// plainLoops is engine/mlp.go's code for products below 2^14 multiply-adds.
func plainLoops(tA, tB bool, m, n, k int, a []float64, lda int, b []float64, ldb int, beta float64, c []float64, ldc int) {
	if beta == 0 {
		for i := 0; i < m; i++ {
			clear(c[i*ldc : i*ldc+n])
		}
	}
	switch {
	case !tA && tB:
		for i := 0; i < m; i++ {
			ai := a[i*lda : i*lda+k]
			ci := c[i*ldc : i*ldc+n]
			for j := range ci {
				bj := b[j*ldb : j*ldb+k]
				s := 0.0
				for p, v := range ai {
					s += v * bj[p]
				}
				ci[j] += s
			}
		}
	case tA && !tB:
		for p := 0; p < k; p++ {
			ap := a[p*lda : p*lda+m]
			bp := b[p*ldb : p*ldb+n]
			for i, v := range ap {
				if v == 0 {
					continue
				}
				ci := c[i*ldc : i*ldc+n]
				for j, w := range bp {
					ci[j] += v * w
				}
			}
		}
	default:
		for i := 0; i < m; i++ {
			ci := c[i*ldc : i*ldc+n]
			for p, v := range a[i*lda : i*lda+k] {
				if v == 0 {
					continue
				}
				bp := b[p*ldb : p*ldb+n]
				for j, w := range bp {
					ci[j] += v * w
				}
			}
		}
	}
}
