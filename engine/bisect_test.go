package engine

import (
	"math"
	"testing"
)

func TestBisect(t *testing.T) {
	for _, tc := range []struct {
		name     string
		root     float64
		lo, hi   float64
		abs, rel float64
	}{
		{"absolute", math.Sqrt2, 0, 4, 1e-12, 0},
		{"relative", 1e-9 * math.Pi, 0, 1, 0, 1e-14},
		{"negative bracket", -math.E, -10, 0, 1e-13, 0},
		{"to float resolution", math.Ln2, 0, 1, 0, 0},
	} {
		evals := 0
		below := func(x float64) bool {
			evals++
			if x <= tc.lo || x >= tc.hi {
				t.Errorf("%s: evaluated at %g, outside the open bracket (%g, %g)", tc.name, x, tc.lo, tc.hi)
			}
			return x < tc.root
		}
		got := bisect(below, tc.lo, tc.hi, tc.abs, tc.rel)
		tol := tc.abs + tc.rel*math.Abs(tc.root)
		if tol == 0 {
			tol = 2*math.Nextafter(tc.root, 2) - 2*tc.root // a couple of ulps
		}
		if math.Abs(got-tc.root) > tol {
			t.Errorf("%s: got %.17g, want %.17g ± %g", tc.name, got, tc.root, tol)
		}
		if evals > maxBisectSteps {
			t.Errorf("%s: %d evaluations, more than the bound %d", tc.name, evals, maxBisectSteps)
		}
	}
}

// A bracket already narrower than the tolerance costs no evaluation.
func TestBisectNarrowBracket(t *testing.T) {
	got := bisect(func(float64) bool { t.Fatal("evaluated"); return false }, 1, 1+1e-12, 1e-10, 0)
	if got != 0.5*(1+1+1e-12) {
		t.Errorf("got %v", got)
	}
}
