package oracle

import (
	"fmt"
	"math"

	"github.com/rgflow/rgflow/engine"
	"github.com/rgflow/rgflow/internal/nullfloat"
)

// CriticalFixedPoint is the exact map's fixed point reached from the
// physical-axis point (start, 0, …, 0) alone — the map found there from
// several starts (MapFrom), then Newton on the fixed-point equation along
// its minimiser branch (SolveFixedPoint) — as an Analysis holding that one
// fixed point, linearised as Analyse linearises its own. It costs some 40
// second-order evaluations instead of Analyse's thousand and more (no
// other starts, no slow-point search, no bisection of the axis), which is
// what lets a sequence of large blocks be mapped. For one coupling the
// physical-axis J_c is the fixed point itself; for more it is not
// computed (NaN, with a note).
func (o *Oracle) CriticalFixedPoint(start float64) (Analysis, error) {
	b, c := o.B.Plaquette(), o.B.Couplings()
	if b.Bonds == engine.BondsUnrotated {
		return Analysis{}, fmt.Errorf("the exact map's fixed points and gauge group assume rotated bonds (docs/conventions.md §4); %s's bonds are unrotated", b.Rep.Name)
	}
	if err := o.gauge(); err != nil {
		return Analysis{}, err
	}
	an := o.newAnalysis()
	J := make([]float64, c)
	J[0] = start
	p, err := o.MapFrom(J, nil)
	if err != nil {
		return an, fmt.Errorf("the map at the axis point %g: %w", start, err)
	}
	fp, err := o.SolveFixedPoint(p, true)
	if err != nil {
		return an, err
	}
	fp.Found = fmt.Sprintf("the map at the axis point %g, continued", start)
	if c == 1 {
		fp.AxisJc = math.Abs(fp.J[0])
		an.AxisJc, an.AxisFixedPoint, an.AxisApproach = nullfloat.Float(fp.AxisJc), 0, 0
	} else {
		fp.AxisJc = math.NaN()
		an.AxisNote = "the physical-axis J_c is not computed by the fixed-point search alone (rgflow oracle computes it)"
	}
	an.FixedPoints = []FixedPointJSON{o.fixedPointJSON(fp)}
	an.Evaluations = o.Evals
	return an, nil
}
