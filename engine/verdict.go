package engine

import (
	"fmt"
	"math"
)

// Thresholds of the verdict on a run (docs/formats.md, "verdict").
const (
	// GapLimit is the variational gap at the learned critical fixed point
	// above which the network has not reached the exact map.
	GapLimit = 0.05
	// SpreadLimit is the interquartile range of the recorded roots,
	// relative to their median, above which the estimates are spread
	// too widely to be one number.
	SpreadLimit = 0.10
)

// Assess lists, in words, why a run's estimate is not to be trusted; it
// is empty when nothing is wrong. It is never tuned toward the exact J_c:
// it reads only the run's own fixed point, its spread and the variational
// gap.
func (s Summary) Assess() []string {
	var out []string
	lambda := float64(s.Lambda)
	switch {
	case s.FixedPoint == nil:
		why := "Newton found no root of the final network's flow"
		if s.FixedPointStatus != "" {
			why += " (" + s.FixedPointStatus + ")"
		}
		out = append(out, "no critical fixed point: "+why)
	case math.IsNaN(lambda) || lambda <= 1:
		out = append(out, fmt.Sprintf("no critical fixed point: the final network's fixed point has no relevant direction (λ = %.4g ≤ 1)", lambda))
	case s.C > 1 && math.IsNaN(float64(s.AxisJc)):
		out = append(out, fmt.Sprintf("no physical-axis critical coupling: the learned flow from the axis (J_0, 0, …, 0) orders for no J_0 below %g, or for all", AxisLarge))
	case s.Relevant > 1:
		out = append(out, fmt.Sprintf("the fixed point the flow from the axis runs into has %d relevant directions: not a critical point with one relevant direction", s.Relevant))
	}
	if g := float64(s.VariationalGap); !math.IsNaN(g) && g > GapLimit {
		out = append(out, fmt.Sprintf("the network has not reached the variational map: at its fixed point the exact minimum of the KL is %.1f%% lower than its own (limit %.0f%%)", 100*g, 100*GapLimit))
	}
	// The roots' spread speaks for the estimate only where the roots are
	// the estimate (c = 1). For c > 1 Newton from (newton.start, 0, …, 0)
	// may land on any fixed point of the map — a weak-coupling one, where
	// a relative spread of J_0 ≈ 0.01 is large and means nothing, or one
	// off the critical manifold — and the estimate is the axis coupling,
	// whose fixed point is checked above.
	if med, q1, q3 := float64(s.JcMedian), float64(s.JcQ1), float64(s.JcQ3); s.C <= 1 && s.Roots > 1 && !math.IsNaN(med) && med != 0 && (q3-q1)/math.Abs(med) > SpreadLimit {
		out = append(out, fmt.Sprintf("the recorded roots are spread widely: IQR %.4g–%.4g, %.0f%% of their median (limit %.0f%%)", q1, q3, 100*(q3-q1)/math.Abs(med), 100*SpreadLimit))
	}
	return out
}
