//go:build amd64 && gc && !purego

package dense

// The declarations of the products' assembly (gemm_avx512_amd64.s,
// gemm_avx2_amd64.s, ntrows_avx2_amd64.s); asm.go holds the paths' table.

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
