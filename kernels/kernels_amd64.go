//go:build amd64 && gc && !purego

package kernels

import "rgflow/kernels/internal/dispatch"

// The assembly paths, fastest first; whether this CPU runs them comes from
// the feature table that kernels/dense shares (dispatch.CPU).
var archImpls = []*impl{
	{
		name:      "avx512",
		available: dispatch.CPU.AVX512Path(),
		enumerate: func(e *Enum) {
			enumerateBlocks(e, enumBlockAVX512, &fastBlock{enumBlockFastAVX512, expAVX512Go})
		},
		tanh:     tanhAVX512Go,
		relu:     reluAVX512Go,
		reluMask: reluMaskAVX512Go,
		adam:     adamAVX512Go,
		fmaLoop:  fmaLoopAVX512,
		fmaLanes: 8,
		gibbs:    gibbsAVX512(),
	},
	{
		name:      "avx2",
		available: dispatch.CPU.AVX2Path(),
		enumerate: func(e *Enum) {
			enumerateBlocks(e, enumBlockAVX2, &fastBlock{enumBlockFastAVX2, expAVX2Go})
		},
		tanh:     tanhAVX2Go,
		relu:     reluAVX2Go,
		reluMask: reluMaskAVX2Go,
		adam:     adamAVX2Go,
		fmaLoop:  fmaLoopAVX2,
		fmaLanes: 4,
		gibbs:    gibbsAVX2(),
	},
}

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

func expAVX2Go(dst, x []float64) {
	if len(x) > 0 {
		expAVX2(&dst[:len(x)][0], &x[0], len(x))
	}
}

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

func expAVX512Go(dst, x []float64) {
	if len(x) > 0 {
		expAVX512(&dst[:len(x)][0], &x[0], len(x))
	}
}

func tanhAVX512Go(dst, x []float64) {
	if len(x) > 0 {
		tanhAVX512(&dst[0], &x[0], len(x))
	}
}

func tanhAVX2Go(dst, x []float64) {
	if len(x) > 0 {
		tanhAVX2(&dst[0], &x[0], len(x))
	}
}

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

func adamAVX512Go(params, grad, m, v []float64, c *AdamCoef) {
	n := len(grad) &^ 7
	if n > 0 {
		adamAVX512(&params[0], &grad[0], &m[0], &v[0], n, c)
	}
	AdamGeneric(params[n:], grad[n:], m[n:], v[n:], c)
}

// adamAVX2 is AdamGeneric's loop for n a multiple of 4 (adamAVX512's
// operations, 4 parameters a step).
//
//go:noescape
func adamAVX2(params, grad, m, v *float64, n int, c *AdamCoef)

func adamAVX2Go(params, grad, m, v []float64, c *AdamCoef) {
	n := len(grad) &^ 3
	if n > 0 {
		adamAVX2(&params[0], &grad[0], &m[0], &v[0], n, c)
	}
	AdamGeneric(params[n:], grad[n:], m[n:], v[n:], c)
}

func reluAVX512Go(dst, z []float64) {
	if len(z) > 0 {
		reluAVX512(&dst[0], &z[0], len(z))
	}
}

func reluMaskAVX512Go(g, z []float64) {
	if len(z) > 0 {
		reluMaskAVX512(&g[0], &z[0], len(z))
	}
}

// reluAVX2Go and reluMaskAVX2Go leave fewer than 8 elements to the Go
// loops, which cost less than the call (the same bits either way).
func reluAVX2Go(dst, z []float64) {
	if len(z) < 8 {
		ReluGeneric(dst, z)
		return
	}
	reluAVX2(&dst[0], &z[0], len(z))
}

func reluMaskAVX2Go(g, z []float64) {
	if len(z) < 8 {
		ReluMaskGeneric(g, z)
		return
	}
	reluMaskAVX2(&g[0], &z[0], len(z))
}

// fmaLoopAVX512 is FMALoopGeneric with each chain in a zmm (12 independent
// VFMADD231PD a round).
//
//go:noescape
func fmaLoopAVX512(x *[12]float64, a, b float64, n int)

// fmaLoopAVX2 is FMALoopGeneric with each chain in a ymm.
//
//go:noescape
func fmaLoopAVX2(x *[12]float64, a, b float64, n int)
