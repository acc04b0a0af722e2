package kernels

// The conditional tables' building blocks: the spins' probabilities in a
// field (SigmoidPairs) and the threshold-major tables made of them
// (CatRows).

import "math"

// SigmoidPairs sets plus[i] = σ(2x[i]) and minus[i] = σ(−2x[i]) for
// i < len(x): the probabilities of a spin's two values in the field x[i],
// from which the engine builds the categorical tables.
func (p Path) SigmoidPairs(plus, minus, x []float64) {
	p.get().sigmoids(plus[:len(x)], minus[:len(x)], x)
}

// SigmoidPairsGeneric is SigmoidPairs' reference: plus[i] = σ(2x[i]) and
// minus[i] = σ(−2x[i]), the probabilities of spin +1 and −1 in the field
// x[i], from e = exp(−2|x|) (negExp) as 1/(1+e) and e·(1/(1+e)), each
// accurate where it is small.
func SigmoidPairsGeneric(plus, minus, x []float64) {
	plus, minus = plus[:len(x)], minus[:len(x)]
	for i, v := range x {
		e, _ := negExp(-2 * math.Abs(v))
		big := 1 / (1 + e)
		small := float64(e * big)
		if v >= 0 {
			plus[i], minus[i] = big, small
		} else {
			plus[i], minus[i] = small, big
		}
	}
}

// CatRows writes the threshold-major table (see categorical draws in
// gibbs.go) of R rows whose row r is the site distribution with
// independent spins, P(spin_k = +1) = plus[k·R + r], P(spin_k = −1) =
// minus[k·R + r] (k-major, as SigmoidPairs leaves them for k-major
// fields): the state probabilities are the products of the spins' in the
// order of CatRowsGeneric, the thresholds their rounded cumulative sums.
func (p Path) CatRows(tab []uint32, plus, minus []float64, R, d int) {
	p.get().catRows(tab[:CatTableLen(R, d)], plus[:R*d], minus[:R*d], R, d)
}

// CatRowsGeneric is CatRows' reference: per row, p[0] = 1, then for each
// spin k the states s < 2^k split into p[s+2^k] = p[s]·minus_k and
// p[s] = p[s]·plus_k; threshold j is Threshold(p[0] + … + p[j]), summed in
// that order.
func CatRowsGeneric(tab []uint32, plus, minus []float64, R, d int) {
	catRowsFrom(tab, plus, minus, R, d, 0)
}

// catRowsFrom is CatRowsGeneric for rows r0 … R−1.
func catRowsFrom(tab []uint32, plus, minus []float64, R, d, r0 int) {
	S := 1 << d
	var pbuf [256]float64
	p := pbuf[:S]
	for r := r0; r < R; r++ {
		p[0] = 1
		for k := 0; k < d; k++ {
			pl, mi := plus[k*R+r], minus[k*R+r]
			n := 1 << k
			for s := 0; s < n; s++ {
				p[s+n] = p[s] * mi
				p[s] *= pl
			}
		}
		cum := 0.0
		for j := 0; j < S-1; j++ {
			cum += p[j]
			tab[j*R+r] = Threshold(cum)
		}
	}
}

// Threshold converts a cumulative probability to a 32-bit threshold,
// round(2^32 x) saturated at 2^32−1, for x ≥ 0 (NaN gives 0).
func Threshold(x float64) uint32 {
	v := x*0x1p32 + 0.5
	if !(v < math.MaxUint32) {
		if v >= 0 {
			return math.MaxUint32
		}
		return 0
	}
	return uint32(v)
}
