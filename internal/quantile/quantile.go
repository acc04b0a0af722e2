// Package quantile computes sample quantiles the way R and NumPy do by
// default (Hyndman–Fan type 7: linear interpolation between order
// statistics), so that rgflow's medians and quartiles match theirs.
package quantile

import (
	"math"
	"slices"
)

// Quartiles returns the median and the quartiles of x (NaN if x is empty);
// the median of an even count is the mean of the middle two. x is not
// changed.
func Quartiles(x []float64) (median, q1, q3 float64) {
	if len(x) == 0 {
		return math.NaN(), math.NaN(), math.NaN()
	}
	s := slices.Clone(x)
	slices.Sort(s)
	return Type7(s, 0.5), Type7(s, 0.25), Type7(s, 0.75)
}

// Type7 is the p-quantile (0 ≤ p ≤ 1) of sorted, which must not be empty.
func Type7(sorted []float64, p float64) float64 {
	h := p * float64(len(sorted)-1)
	i := int(math.Floor(h))
	if i >= len(sorted)-1 {
		return sorted[len(sorted)-1]
	}
	return sorted[i] + (h-float64(i))*(sorted[i+1]-sorted[i])
}
