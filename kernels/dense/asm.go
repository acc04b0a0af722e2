//go:build amd64 && gc && !purego

package dense

import "github.com/rgflow/rgflow/kernels/internal/dispatch"

// This file's build tag is that of the architectures with assembly
// kernels (amd64 today), not amd64's own: what is here is Go, the paths'
// tables and the wrappers between slices and the stubs that the
// *_amd64.go files declare. A port to another architecture adds its GOARCH
// to the tag and to dense_noasm.go's complement, declares its stubs in
// *_GOARCH.go files and gives its paths their entries here.

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
