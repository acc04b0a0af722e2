//go:build amd64 && gc && !purego

package kernels

// The declarations of the enumeration's and the vector kernels' assembly
// (kernels_avx512_amd64.s, kernels_avx2_amd64.s), each with the pure-Go
// twin it computes; asm.go holds the paths' table and the wrappers.

// enumBlockAVX512 is the (s2, s3) part of EnumerateGeneric's loop nest (the
// two inner loops, with their acc2/sum2 level) for one fixed (s0, s1) and
// all 8 lanes; enumerateBlocks runs the (s0, s1) levels around it. On return
// out[0:24] holds Σp, Σp·a, Σp·b over the block (the generic sum1) and
// out[24:24+8d] the generic acc1; W2 and W3 have been added to. scr holds
// the per-s2 phi012 (rows 0..d-1) and acc2 (rows 8..8+d-1). Pointers point
// at lane 0 of the first row; rows are Lanes doubles apart.
//
//go:noescape
func enumBlockAVX512(d, nS int, a01, phi01, t12, t23, t03, u2, u3, w2, w3, logZ, out, scr *float64)

// enumBlockFastAVX512 is, like enumBlockAVX512, the (s2, s3) part of
// EnumerateGeneric's loop nest, here without exponentials in the inner
// loop: exp(−2φ) and p come as products of the precomputed tables that
// buildFast makes (see fastTables), the logarithm from VGETEXPPD and
// VGETMANTPD. It is used when buildFast finds the tables in range.
//
//go:noescape
func enumBlockFastAVX512(d, nS int, a01, phi01, g01, t12, tx23, tx03, uf2, uf3, w2, w3, cz, out, scr *float64)

// enumBlockAVX2 is the (s2, s3) part of EnumerateGeneric's loop nest,
// enumBlockAVX512 for AVX2+FMA3 (the 8 lanes as two ymm halves); its
// scratch also holds rows 16..22.
//
//go:noescape
func enumBlockAVX2(d, nS int, a01, phi01, t12, t23, t03, u2, u3, w2, w3, logZ, out, scr *float64)

// enumBlockFastAVX2 is the (s2, s3) part of EnumerateGeneric's loop nest,
// enumBlockFastAVX512 for AVX2+FMA3.
//
//go:noescape
func enumBlockFastAVX2(d, nS int, a01, phi01, g01, t12, tx23, tx03, uf2, uf3, w2, w3, cz, out, scr *float64)

// expAVX2 is a math.Exp loop: dst[i] = exp x[i] for i < n and x[i] in
// [−708, 709] (arguments are clamped there; buildFast's stay within ±600).
//
//go:noescape
func expAVX2(dst, x *float64, n int)

// tanhAVX512 is TanhGeneric's loop: dst[i] = tanh x[i] for i < n, with the
// tail done under a mask.
//
//go:noescape
func tanhAVX512(dst, x *float64, n int)

// tanhAVX2 is TanhGeneric's loop for AVX2+FMA3.
//
//go:noescape
func tanhAVX2(dst, x *float64, n int)

// expAVX512 sets dst[i] = exp x[i] for i < n, to ~1 ulp (math.Exp's
// loop); buildFast uses it for its tables.
//
//go:noescape
func expAVX512(dst, x *float64, n int)

// reluAVX512 is ReluGeneric's loop (the tail under a mask).
//
//go:noescape
func reluAVX512(dst, z *float64, n int)

// reluMaskAVX512 is ReluMaskGeneric's loop (the tail under a mask).
//
//go:noescape
func reluMaskAVX512(grad, z *float64, n int)

// reluAVX2 is ReluGeneric's loop (the tail one by one).
//
//go:noescape
func reluAVX2(dst, z *float64, n int)

// reluMaskAVX2 is ReluMaskGeneric's loop (the tail one by one).
//
//go:noescape
func reluMaskAVX2(grad, z *float64, n int)

// adamAVX512 is AdamGeneric's loop for n a multiple of 8, 8 parameters a
// step (VDIVPD and VSQRTPD are IEEE's, and no product is fused).
//
//go:noescape
func adamAVX512(params, grad, m, v *float64, n int, c *AdamCoef)

// adamAVX2 is AdamGeneric's loop for n a multiple of 4 (adamAVX512's
// operations, 4 parameters a step).
//
//go:noescape
func adamAVX2(params, grad, m, v *float64, n int, c *AdamCoef)

// fmaLoopAVX512 is FMALoopGeneric with each chain in a zmm (12 independent
// VFMADD231PD a round).
//
//go:noescape
func fmaLoopAVX512(x *[12]float64, a, b float64, n int)

// fmaLoopAVX2 is FMALoopGeneric with each chain in a ymm.
//
//go:noescape
func fmaLoopAVX2(x *[12]float64, a, b float64, n int)
