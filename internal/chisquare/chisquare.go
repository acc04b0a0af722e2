// Package chisquare is Pearson's χ² goodness-of-fit test of counts
// against probabilities, as the samplers' tests use it (engine's block
// Gibbs chains of the plaquette and of any geometry against their exact
// distributions).
package chisquare

import "gonum.org/v1/gonum/stat/distuv"

// Test returns the χ² statistic of counts against probabilities p and its
// p-value; bins whose expectation is below 5 are pooled into one.
func Test(counts []int, p []float64) (x2, pval float64, dof int) {
	N := 0
	for _, c := range counts {
		N += c
	}
	var pooledE, pooledO float64
	bins := 0
	for i, c := range counts {
		e := float64(N) * p[i]
		if e < 5 {
			pooledE += e
			pooledO += float64(c)
			continue
		}
		x2 += (float64(c) - e) * (float64(c) - e) / e
		bins++
	}
	if pooledE > 0 {
		x2 += (pooledO - pooledE) * (pooledO - pooledE) / pooledE
		bins++
	}
	dof = bins - 1
	return x2, distuv.ChiSquared{K: float64(dof)}.Survival(x2), dof
}
