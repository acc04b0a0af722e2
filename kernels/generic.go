package kernels

import "math"

// LcTanh returns lc(x) = log(2 cosh x) and tanh x: a site's contribution to
// a block's log-weight, −F = Σ_k lc(φ_k), and its derivative, for a field
// φ_k on one of its spins. With LcSum it is the one scalar home of both,
// used by the generic enumeration and everywhere in the engine (fine
// tables, coarse log Z, CD statistics); the assembly paths evaluate the
// same formulas with their own polynomials. With m = expm1(−2|x|), so that
// e^{−2|x|} = 1+m,
//
//	lc = |x| + log1p(1+m) = |x| + log(2+m),   tanh x = sign(x)·(−m)/(2+m).
//
// lc cannot overflow, and expm1 rather than exp keeps tanh exact to
// rounding for tiny x, where the textbook (1−e)/(1+e) cancels (for
// |x| = 1e-9 it has only ~7 correct digits).
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

// LcSum adds up lc over many fields, as Σ|x| + log Π(2+m) with the
// formulas of LcTanh: one logarithm per lcSumRun terms instead of one per
// term, which halves the cost of the CD statistics. The zero LcSum is an
// empty sum.
type LcSum struct {
	abs, logs, prod float64
	n               int
}

// lcSumRun is how many factors 2+m ∈ [1, 2] LcSum multiplies before taking
// the logarithm: their product stays below 2^512.
const lcSumRun = 512

// Add adds lc(x) to the sum and returns tanh x (LcTanh's).
func (s *LcSum) Add(x float64) (th float64) {
	ax := math.Abs(x)
	m := math.Expm1(-2 * ax)
	if s.n == 0 {
		s.prod = 1
	}
	s.abs += ax
	s.prod *= 2 + m
	if s.n++; s.n == lcSumRun {
		s.logs += math.Log(s.prod)
		s.n = 0
	}
	th = -m / (2 + m)
	if x < 0 {
		th = -th
	}
	return th
}

// Sum returns the sum of lc over the fields added so far.
func (s *LcSum) Sum() float64 {
	if s.n == 0 {
		return s.abs + s.logs
	}
	return s.abs + s.logs + math.Log(s.prod)
}

// ReluGeneric is the reference loop for Relu: Go's max, so NaN stays NaN
// and −0 becomes +0.
func ReluGeneric(dst, z []float64) {
	dst = dst[:len(z)]
	for i, v := range z {
		dst[i] = max(v, 0)
	}
}

// ReluMaskGeneric is the reference loop for ReluMask: g[i] is kept where
// z[i] > 0 and zeroed elsewhere, decided on the bits, branch-free (the
// signs are random, so a branch would mispredict): z > 0 exactly when its
// bits b, read as an int64, are > 0 (+0 is 0, −0 and negatives have the
// sign bit; a NaN without the sign bit counts as positive).
func ReluMaskGeneric(g, z []float64) {
	g = g[:len(z)]
	for i, v := range z {
		b := int64(math.Float64bits(v))
		keep := uint64(-b>>63) &^ uint64(b>>63)
		g[i] = math.Float64frombits(math.Float64bits(g[i]) & keep)
	}
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

// AdamCoef are the coefficients of one Adam step: β1, 1 − β1, β2, 1 − β2,
// the bias corrections c1 = 1 − β1^t and c2 = 1 − β2^t, the learning rate
// and ε.
type AdamCoef struct {
	Beta1, OneMinusBeta1, Beta2, OneMinusBeta2, C1, C2, LR, Eps float64
}

// AdamGeneric is the reference loop for Adam: for each i, with g = grad[i],
//
//	m[i] = β1·m[i] + (1−β1)·g,  v[i] = β2·v[i] + ((1−β2)·g)·g,
//	p[i] −= (lr·(m[i]/c1)) / (√(v[i]/c2) + ε),
//
// every operation rounded on its own (no fused multiply-adds), in this
// order, so that the assembly twins, whose divisions and square roots are
// IEEE's too, give the same bits.
func AdamGeneric(params, grad, m, v []float64, c *AdamCoef) {
	params, m, v = params[:len(grad)], m[:len(grad)], v[:len(grad)]
	for i, g := range grad {
		mi := float64(c.Beta1*m[i]) + float64(c.OneMinusBeta1*g)
		vi := float64(c.Beta2*v[i]) + float64(float64(c.OneMinusBeta2*g)*g)
		m[i], v[i] = mi, vi
		params[i] -= float64(c.LR*(mi/c.C1)) / (math.Sqrt(vi/c.C2) + c.Eps)
	}
}
