package engine

import (
	"fmt"
	"math"
)

// Thresholds of the verdict on a run (docs/formats.md, "verdict";
// docs/training.md, "The verdict in coupling units"). None is tuned toward
// the exact J_c: each is stated against the exact variational map and the
// run's own uncertainty.
const (
	// GapLimit is the variational gap at the learned critical fixed point
	// above which the network has not reached the exact map.
	GapLimit = 0.05
	// SpreadLimit is the interquartile range of the recorded roots,
	// relative to their median, above which the estimates are spread
	// too widely to be one number.
	SpreadLimit = 0.10
	// Resolution is the distance in coupling units below which the
	// verdict does not tell an estimate from the exact map's value, however
	// small the estimate's own uncertainty: a hundredth of a coupling,
	// a fifth of the distance between the exact map's A1 fixed point
	// (0.81392) and the exact J_c, so it cannot hide the variational bias.
	Resolution = 0.01
	// StdErrs is how many of its standard errors an ensemble's median may
	// lie from the exact map's value (a 95 % interval for normal errors).
	StdErrs = 2
)

// finding is one reason of a verdict; distance marks the coupling-unit
// rule (an estimate farther from the exact map than its uncertainty), the
// one an ensemble's spread answers for its instances.
type finding struct {
	text     string
	distance bool
}

// Assess lists, in words, why a run's estimate is not to be trusted; it
// is empty (never nil) when nothing is wrong. It reads only the run's own
// fixed point, its spread, the variational gap and, for the exact KL, the
// distance of its estimate from the exact map's.
func (s Summary) Assess() []string {
	out := []string{}
	for _, f := range s.findings() {
		out = append(out, f.text)
	}
	return out
}

func (s Summary) findings() []finding {
	var out []finding
	add := func(format string, args ...any) { out = append(out, finding{text: fmt.Sprintf(format, args...)}) }
	lambda := float64(s.Lambda)
	switch {
	case s.FixedPoint == nil:
		why := "Newton found no root of the final network's flow"
		if s.FixedPointStatus != "" {
			why += " (" + s.FixedPointStatus + ")"
		}
		add("no critical fixed point: %s", why)
	case math.IsNaN(lambda) || lambda <= 1:
		add("no critical fixed point: the final network's fixed point has no relevant direction (λ = %.4g ≤ 1)", lambda)
	case s.C > 1 && math.IsNaN(float64(s.AxisJc)):
		add("no physical-axis critical coupling: the learned flow from the axis (J_0, 0, …, 0) orders for no J_0 below %g, or for all", AxisLarge)
	case s.Relevant > 1:
		add("the fixed point the flow from the axis runs into has %d relevant directions: not a critical point with one relevant direction", s.Relevant)
	}
	if g := float64(s.VariationalGap); !math.IsNaN(g) && g > GapLimit {
		add("the network has not reached the variational map: at its fixed point the exact minimum of the KL is %.1f%% lower than its own (limit %.0f%%)", 100*g, 100*GapLimit)
	}
	// The roots' spread speaks for the estimate only where the roots are
	// the estimate (c = 1). For c > 1 Newton from (newton.start, 0, …, 0)
	// may land on any fixed point of the map — a weak-coupling one, where
	// a relative spread of J_0 ≈ 0.01 is large and means nothing, or one
	// off the critical manifold — and the estimate is the axis coupling,
	// whose fixed point is checked above.
	if med, q1, q3 := float64(s.JcMedian), float64(s.JcQ1), float64(s.JcQ3); s.C <= 1 && s.Roots > 1 && !math.IsNaN(med) && med != 0 && (q3-q1)/math.Abs(med) > SpreadLimit {
		add("the recorded roots are spread widely: IQR %.4g–%.4g, %.0f%% of their median (limit %.0f%%)", q1, q3, 100*(q3-q1)/math.Abs(med), 100*SpreadLimit)
	}
	if text := s.distanceFinding(); text != "" {
		out = append(out, finding{text: text, distance: true})
	}
	return out
}

// Estimate is the run's headline estimate of the critical coupling and
// the exact map's value beside it: for c = 1 the median of the recorded
// roots and the exact map's fixed point, for c > 1 the physical-axis J_c
// and the exact map's. what names them; a missing value is NaN.
func (s Summary) Estimate() (est, exact float64, what string) {
	if s.C <= 1 {
		exact = math.NaN()
		if len(s.OracleFixedPoint) == 1 {
			exact = math.Abs(s.OracleFixedPoint[0])
		}
		return float64(s.JcMedian), exact, "J_c"
	}
	return float64(s.AxisJc), float64(s.OracleAxisJc), "the physical-axis J_c"
}

// distanceFinding is the verdict in coupling units on one instance: with
// the exact KL (the loss whose optimum the exact map is), its estimate
// must lie no farther from the exact map's value than its own stated
// uncertainty — for c = 1 the roots' IQR, for c > 1 none — or Resolution,
// whichever is larger. Where the exact map's fixed point was not computed
// (c = 1 with -oracle off) the shift of the final network's fixed point
// that the exact map's error there implies stands in for the distance.
func (s Summary) distanceFinding() string {
	if s.Loss != LossKL {
		return "" // CD's fixed point need not be the exact KL map's (docs/training.md)
	}
	est, exact, what := s.Estimate()
	u, bound := 0.0, fmt.Sprintf("the verdict's resolution (%g; one instance states no uncertainty of it: -instances N gives one)", Resolution)
	if s.C <= 1 {
		if iqr := float64(s.JcQ3 - s.JcQ1); !math.IsNaN(iqr) {
			u = iqr
			bound = fmt.Sprintf("its own uncertainty (the roots' IQR, %.2g) and the verdict's resolution (%g)", iqr, Resolution)
		}
	}
	tol := math.Max(u, Resolution)
	switch {
	case !math.IsNaN(est) && !math.IsNaN(exact):
		d := est - exact
		if math.Abs(d) <= tol {
			return ""
		}
		return fmt.Sprintf("not converged to the variational map: %s %.5f lies %.4f %s the exact map's %.5f, farther than %s",
			what, est, math.Abs(d), aboveBelow(d), exact, bound)
	case s.C <= 1 && math.IsNaN(exact) && s.FixedPoint != nil && !math.IsNaN(float64(s.FixedPointShift)):
		sh := float64(s.FixedPointShift)
		if math.Abs(sh) <= tol {
			return ""
		}
		return fmt.Sprintf("not converged to the variational map: the exact map's error at the learned fixed point %.5f puts it about %.4f %s the exact map's (to first order; the exact fixed point was not computed), farther than %s",
			s.FixedPoint[0], math.Abs(sh), aboveBelow(sh), bound)
	}
	return ""
}

func aboveBelow(d float64) string {
	if d < 0 {
		return "below"
	}
	return "above"
}
