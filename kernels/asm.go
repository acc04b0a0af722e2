//go:build amd64 && gc && !purego

package kernels

import "github.com/rgflow/rgflow/kernels/internal/dispatch"

// This file's build tag is that of the architectures with assembly
// kernels (amd64 today), not amd64's own: what is here is Go, the paths'
// tables and the wrappers between slices and the stubs that the
// *_amd64.go files declare. A port to another architecture adds its GOARCH
// to the tag and to kernels_noasm.go's complement, declares its stubs in
// *_GOARCH.go files and gives its paths their entries here.

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

func expAVX2Go(dst, x []float64) {
	if len(x) > 0 {
		expAVX2(&dst[:len(x)][0], &x[0], len(x))
	}
}

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

func adamAVX512Go(params, grad, m, v []float64, c *AdamCoef) {
	wholeLanes(len(grad), 8, func(n int) {
		adamAVX512(&params[0], &grad[0], &m[0], &v[0], n, c)
	}, func(n int) {
		AdamGeneric(params[n:], grad[n:], m[n:], v[n:], c)
	})
}

func adamAVX2Go(params, grad, m, v []float64, c *AdamCoef) {
	wholeLanes(len(grad), 4, func(n int) {
		adamAVX2(&params[0], &grad[0], &m[0], &v[0], n, c)
	}, func(n int) {
		AdamGeneric(params[n:], grad[n:], m[n:], v[n:], c)
	})
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

// wholeLanes is the split every assembly wrapper makes: asm(m) computes
// the first m = w·⌊n/w⌋ elements (w a power of two: the lanes of the
// kernel's loop) when m > 0, and tail(m), a pure-Go twin, the rest from
// element m on when any are left. Each is called at most once a call.
func wholeLanes(n, w int, asm, tail func(m int)) {
	m := n &^ (w - 1)
	if m > 0 {
		asm(m)
	}
	if m < n {
		tail(m)
	}
}
