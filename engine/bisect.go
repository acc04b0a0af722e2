package engine

import "math"

// maxBisectSteps bounds a bisection whatever its tolerance: 200 halvings
// take any bracket of float64 below the resolution of its ends.
const maxBisectSteps = 200

// bisect narrows the bracket [lo, hi] around the point where below turns
// from true to false, and returns the midpoint of the final bracket. The
// caller arranges that below(lo) is true and below(hi) false; bisect
// evaluates below only strictly inside the bracket. It stops once
// hi − lo ≤ abs + rel·max(|lo|, |hi|), when the midpoint is no longer
// distinct from an end (float64 resolution), or after maxBisectSteps.
func bisect(below func(x float64) bool, lo, hi, abs, rel float64) float64 {
	for range maxBisectSteps {
		if hi-lo <= abs+rel*math.Max(math.Abs(lo), math.Abs(hi)) {
			break
		}
		mid := 0.5 * (lo + hi)
		if mid <= lo || mid >= hi {
			break
		}
		if below(mid) {
			lo = mid
		} else {
			hi = mid
		}
	}
	return 0.5 * (lo + hi)
}
