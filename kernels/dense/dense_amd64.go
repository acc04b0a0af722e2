//go:build amd64 && gc && !purego

package dense

import "rgflow/kernels/internal/dispatch"

// The assembly paths, fastest first; whether this CPU runs them comes from
// the feature table that package kernels shares (dispatch.CPU).
var archPaths = []*path{
	{
		name:      "avx512",
		available: dispatch.CPU.AVX512Path(),
		// NT products of a few rows take the avx2 path's ntRows, the same
		// bits as the tiles: the 16-column panels waste most of their lanes
		// there (one row of 80×80 took 0.146 ns a flop in the tiles against
		// 0.053 in ntRowsAVX2 and 0.117 in Go, on an Intel Xeon with AVX-512).
		kern: &asmKernel{run: gemmAVX512, heights: []int{8, 4, 2, 1}, nr: 16, maskedB: true, ntRows: ntRowsIfAVX2()},
	},
	{
		name:      "avx2",
		available: dispatch.CPU.AVX2Path(),
		kern:      &asmKernel{run: gemmAVX2, heights: []int{6, 4, 2, 1}, nr: 8, ntRows: ntRowsAVX2},
	},
}

// ntRowsIfAVX2 is ntRowsAVX2 where the CPU runs AVX2 and FMA (every AVX-512
// CPU so far), else nil.
func ntRowsIfAVX2() func(m, k, n int, a *float64, lda int, b *float64, ldb int, c *float64, ldc, beta int) {
	if dispatch.CPU.AVX2Path() {
		return ntRowsAVX2
	}
	return nil
}

// gemmAVX512 computes an mr×n block of C, mr ∈ {1, 2, 4, 8}, k ≥ 1, n ≥ 1,
// in panels of 16 columns (8×16 register tiles for mr = 8), with fused
// multiply-adds. Strides are in elements. It is this loop:
//
//	for i := range mr {
//		for j := range n {
//			s := 0.0
//			for p := range k {
//				s = math.FMA(a[i*rsA+p*csA], b[p*rsB+(j/16)*psB+j%16], s)
//			}
//			if beta == 0 {
//				c[i*ldc+j] = s
//			} else {
//				c[i*ldc+j] += s
//			}
//		}
//	}
//
// The last panel, if n is not a multiple of 16, is read from B and C and
// written under a mask, so nothing beyond column n is touched; if it has at
// most 8 columns, it takes one zmm per row (FMAs with an embedded
// broadcast of A) instead of two.
//
//go:noescape
func gemmAVX512(mr, k, n int, a *float64, rsA, csA int, b *float64, rsB, psB int, c *float64, ldc, beta int)

// gemmAVX2 is gemmAVX512 for AVX2+FMA3: mr ∈ {1, 2, 4, 6}, panels of 8
// columns (6×8 register tiles) and (j/8)*psB + j%8 for B's column offset.
// C is touched only below column n (VMASKMOVPD in the last panel), but B
// is read in whole panels, so a last partial panel must come from a
// zero-padded copy.
//
//go:noescape
func gemmAVX2(mr, k, n int, a *float64, rsA, csA int, b *float64, rsB, psB int, c *float64, ldc, beta int)

// ntRowsAVX2 computes the NT product of m ∈ {1, 2, 3, 4} rows of A and
// n ≥ 4 rows of B over k ≥ 1 values of p, C[i][j] = s or
// C[i][j] += s (beta = 0 or 1) with s the fused multiply-adds of
// A[i][p]·B[j][p] from zero in order of p, as gemmAVX2 sums them. It reads
// B's rows in place (ntrows_avx2_amd64.s).
//
//go:noescape
func ntRowsAVX2(m, k, n int, a *float64, lda int, b *float64, ldb int, c *float64, ldc, beta int)
