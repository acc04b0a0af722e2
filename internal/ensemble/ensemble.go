// Package ensemble summarises one quantity over independent instances of
// a computation (trainings with seeds s, s+1, …): the median, the
// quartiles and a bootstrap standard error of the median. rgflow train
// -instances and the bench suites use it, so that their error bars are
// the same numbers.
package ensemble

import (
	"math"
	"math/rand/v2"
	"slices"

	"github.com/rgflow/rgflow/internal/quantile"
)

// Resamples is the number of bootstrap resamples behind a standard error:
// its own relative sampling error is about 1/√(2·Resamples), 1.6 %.
const Resamples = 2000

// Stats is one quantity over the instances that have a value.
type Stats struct {
	// N counts the finite values; the others (an instance without an
	// estimate) are left out of everything below.
	N              int
	Median, Q1, Q3 float64 // type-7 quartiles (quantile.Quartiles); NaN if N = 0
	// StdErr is the bootstrap standard error of the median: the standard
	// deviation of the medians of Resamples resamples of the N values,
	// drawn with replacement from a generator seeded by N alone, so the
	// same values give the same bits. NaN for N < 2: one instance has no
	// error bar.
	StdErr float64
}

// Of summarises the finite values of x (NaN and ±Inf are skipped). x is
// not changed; the result depends on the values, not on their order.
func Of(x []float64) Stats {
	v := make([]float64, 0, len(x))
	for _, f := range x {
		if !math.IsNaN(f) && !math.IsInf(f, 0) {
			v = append(v, f)
		}
	}
	slices.Sort(v)
	s := Stats{N: len(v), StdErr: math.NaN()}
	s.Median, s.Q1, s.Q3 = quantile.Quartiles(v)
	if len(v) >= 2 {
		s.StdErr = bootstrapMedianSE(v)
	}
	return s
}

// bootstrapMedianSE is the standard deviation of the median over
// Resamples resamples of sorted (with replacement).
func bootstrapMedianSE(sorted []float64) float64 {
	n := len(sorted)
	rng := rand.New(rand.NewPCG(0x656e73656d626c65, uint64(n))) // "ensemble"
	// a resample is a multiset of indices: count them, then read the
	// sorted values in order, so no resample needs sorting
	counts := make([]int, n)
	buf := make([]float64, n)
	medians := make([]float64, Resamples)
	for r := range medians {
		clear(counts)
		for k := 0; k < n; k++ {
			counts[rng.IntN(n)]++
		}
		buf = buf[:0]
		for i, c := range counts {
			for ; c > 0; c-- {
				buf = append(buf, sorted[i])
			}
		}
		medians[r] = quantile.Type7(buf, 0.5)
	}
	mean := 0.0
	for _, m := range medians {
		mean += m
	}
	mean /= Resamples
	ss := 0.0
	for _, m := range medians {
		ss += (m - mean) * (m - mean)
	}
	return math.Sqrt(ss / Resamples)
}
