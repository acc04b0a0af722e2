package kernels

import "math"

// The exponential of the statistics and of the tables' sigmoids. The
// assembly twins (negExp in gibbs_avx512_amd64.s and gibbs_avx2_amd64.s)
// repeat every operation below in the same order, without fused
// multiply-adds, so that the results agree bit for bit; the float64(…)
// conversions keep compilers that fuse (arm64) from fusing here. The
// constants are checked against their definitions by coeffs_test.go.
const (
	negExpMin   = -700                  // x is raised to this: 2^k stays a normal number
	negExpLog2e = 1.4426950408889634    // 1/ln 2
	negExpLn2Hi = 0.6931471804855391    // ln 2 with its low 20 mantissa bits cleared: k·hi is exact for |k| < 2^20
	negExpLn2Lo = 7.440617110012397e-11 // ln 2 − negExpLn2Hi
	negExpMagic = 0x1p52 + 1023         // adding it to an integer k leaves k + 1023 in the low mantissa bits
)

// negExpTaylor holds 1/n! for n = 13 down to 2: e^r − 1 = r + r²·Σ r^(n−2)/n!.
var negExpTaylor = [12]float64{
	1.6059043836821613e-10, 2.08767569878681e-09, 2.505210838544172e-08,
	2.755731922398589e-07, 2.7557319223985893e-06, 2.48015873015873e-05,
	0.0001984126984126984, 0.001388888888888889, 0.008333333333333333,
	0.041666666666666664, 0.16666666666666666, 0.5,
}

// negExp returns e = exp x and m = expm1 x for x ≤ 0 (x below −700 counts
// as −700, NaN gives NaN), to about an ulp: x = k·ln2 + r with k the
// nearest integer to x/ln2, e^r − 1 = r + r²·h(r) from the Taylor series to
// degree 13 (|r| ≤ ln2/2: truncation below 2^-56 relative), then
// e = 2^k + 2^k·(e^r − 1) and m = 2^k·(e^r − 1) + (2^k − 1), which for
// k = 0 is e^r − 1 itself (no cancellation for small |x|).
func negExp(x float64) (e, m float64) {
	x = max(x, negExpMin)
	k := math.RoundToEven(float64(x * negExpLog2e))
	r := float64(x-float64(k*negExpLn2Hi)) - float64(k*negExpLn2Lo)
	h := negExpTaylor[0]
	for _, c := range negExpTaylor[1:] {
		h = float64(h*r) + c
	}
	p := r + float64(float64(r*r)*h)
	s := math.Float64frombits((math.Float64bits(k+negExpMagic) - math.Float64bits(0x1p52)) << 52)
	sp := float64(s * p)
	return s + sp, sp + (s - 1)
}
