package plotfile

import (
	"math"
	"strconv"

	"gonum.org/v1/plot"
)

// New is plot.New with round ticks (Ticks) on both axes: every rgflow
// figure starts from it, and an axis on a log scale sets its own.
func New() *plot.Plot {
	p := plot.New()
	p.X.Tick.Marker, p.Y.Tick.Marker = Ticks{}, Ticks{}
	return p
}

// Ticks labels an axis at round values: major ticks a step of 1, 2, 2.5 or
// 5 times a power of ten apart (the smallest such step that gives at most
// Most of them, six where Most is 0), at multiples of the step, so an epoch axis reads 0, 500,
// 1000 rather than 400, 1200, 2000; minor ticks between them; each label
// with the decimals the step needs (0.25 apart: two; 0.2 apart: one).
type Ticks struct{ Most int }

// Ticks implements plot.Ticker.
func (t Ticks) Ticks(lo, hi float64) []plot.Tick {
	if !(hi > lo) || math.IsInf(lo, 0) || math.IsInf(hi, 0) {
		return plot.DefaultTicks{}.Ticks(lo, hi)
	}
	most := t.Most
	if most <= 0 {
		most = 6
	}
	step, minors := roundStep((hi - lo) / float64(most))
	prec := max(0, -int(math.Floor(math.Log10(step)+1e-9)))
	if m := step / math.Pow(10, math.Floor(math.Log10(step)+1e-9)); math.Abs(m-2.5) < 1e-9 {
		prec++ // 2.5, 0.25: one decimal more than the power
	}
	var ticks []plot.Tick
	minor := step / float64(minors)
	for k := math.Ceil(lo/minor - 1e-9); k*minor <= hi*(1+1e-12)+1e-300; k++ {
		v := k * minor
		if math.Abs(v) < minor*1e-9 {
			v = 0
		}
		tk := plot.Tick{Value: v}
		if int64(k)%int64(minors) == 0 {
			tk.Label = strconv.FormatFloat(v, 'f', prec, 64)
		}
		ticks = append(ticks, tk)
	}
	return ticks
}

// roundStep is the smallest step of 1, 2, 2.5 or 5 times a power of ten
// at least min, and how many minor intervals divide it.
func roundStep(min float64) (step float64, minors int) {
	p := math.Pow(10, math.Floor(math.Log10(min)))
	for _, m := range []struct {
		f float64
		n int
	}{{1, 5}, {2, 4}, {2.5, 5}, {5, 5}, {10, 5}} {
		if s := m.f * p; s >= min*(1-1e-12) {
			return s, m.n
		}
	}
	return 10 * p, 5
}
