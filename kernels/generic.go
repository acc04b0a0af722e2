package kernels

import "math"

// LcTanh returns log(2 cosh x) and tanh x from one exponential (the scalar
// reference the vector kernels and the engine share):
// with m = expm1(−2|x|), lc = |x| + log1p(1+m) and tanh = sign(x)·(−m)/(2+m).
// expm1 rather than exp keeps tanh exact to rounding for tiny x, where
// (1−e)/(1+e) would cancel.
func LcTanh(x float64) (lc, th float64) {
	ax := math.Abs(x)
	m := math.Expm1(-2 * ax)
	lc = ax + math.Log1p(1+m)
	th = -m / (2 + m)
	if x < 0 {
		th = -th
	}
	return lc, th
}

// TanhGeneric is the reference loop for Tanh.
func TanhGeneric(dst, x []float64) {
	for i, v := range x {
		dst[i] = math.Tanh(v)
	}
}

// EnumerateGeneric is the reference loop for Enumerate. Sites c0, c1, c2 are
// the outer loops and c3 the inner one, so that the partial sums of the
// first three sites are shared by S consecutive configurations and the
// per-site accumulators of c0..c2 stay in registers.
func EnumerateGeneric(e *Enum) {
	if err := e.Check(); err != nil {
		panic(err)
	}
	d := e.D
	S := 1 << d
	const L = Lanes
	fine := func(t, sa, sb int) []float64 { o := ((t*S+sa)*S + sb) * L; return e.Fine[o : o+L] }
	field := func(i, s int) []float64 { o := (i*S + s) * d * L; return e.Field[o : o+d*L] }
	W := e.W[:4*S*d*L]
	for i := range W {
		W[i] = 0
	}
	w := func(i, s int) []float64 { o := (i*S + s) * d * L; return W[o : o+d*L] }

	// Σp, Σpa, Σpb are summed level by level like the W accumulators
	// (per s2, per s1, per s0, total): 2^(4d) equal terms summed one after
	// the other would lose ~1e-13.
	var sum0, sum1, sum2, sumAll [3 * L]float64
	a01 := make([]float64, L)
	a012 := make([]float64, L)
	phi01 := make([]float64, d*L)
	phi012 := make([]float64, d*L)
	acc0 := make([]float64, d*L) // Σ p tanh over configurations with this s0
	acc1 := make([]float64, d*L) // … with this (s0, s1), added to W_1[s1]
	acc2 := make([]float64, d*L) // … with this (s0, s1, s2), added to W_2[s2]
	for s0 := 0; s0 < S; s0++ {
		clear(acc0)
		sum0 = [3 * L]float64{}
		u0 := field(0, s0)
		for s1 := 0; s1 < S; s1++ {
			clear(acc1)
			sum1 = [3 * L]float64{}
			t01 := fine(0, s0, s1)
			u1 := field(1, s1)
			for l := 0; l < L; l++ {
				a01[l] = t01[l]
			}
			for j := range phi01 {
				phi01[j] = u0[j] + u1[j]
			}
			for s2 := 0; s2 < S; s2++ {
				clear(acc2)
				sum2 = [3 * L]float64{}
				t12 := fine(1, s1, s2)
				u2 := field(2, s2)
				for l := 0; l < L; l++ {
					a012[l] = a01[l] + t12[l]
				}
				for j := range phi012 {
					phi012[j] = phi01[j] + u2[j]
				}
				for s3 := 0; s3 < S; s3++ {
					t23 := fine(2, s2, s3)
					t03 := fine(3, s0, s3)
					u3 := field(3, s3)
					w3 := w(3, s3)
					for l := 0; l < L; l++ {
						a := a012[l] + t23[l] + t03[l]
						p := math.Exp(a - e.LogZf[l])
						b := 0.0
						for k := 0; k < d; k++ {
							j := k*L + l
							lc, th := LcTanh(phi012[j] + u3[j])
							b += lc
							pt := p * th
							acc2[j] += pt
							w3[j] += pt
						}
						sum2[l] += p
						sum2[L+l] += p * a
						sum2[2*L+l] += p * b
					}
				}
				w2 := w(2, s2)
				for j := range acc2 {
					w2[j] += acc2[j]
					acc1[j] += acc2[j]
				}
				for j := range sum2 {
					sum1[j] += sum2[j]
				}
			}
			w1 := w(1, s1)
			for j := range acc1 {
				w1[j] += acc1[j]
				acc0[j] += acc1[j]
			}
			for j := range sum1 {
				sum0[j] += sum1[j]
			}
		}
		w0 := w(0, s0)
		for j := range acc0 {
			w0[j] += acc0[j]
		}
		for j := range sum0 {
			sumAll[j] += sum0[j]
		}
	}
	copy(e.Sums[:3*L], sumAll[:])
}
