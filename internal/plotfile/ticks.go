package plotfile

import (
	"math"
	"strconv"

	"gonum.org/v1/plot"
)

// Ticks is gonum's default ticks labelled with as many decimals as their
// spacing needs: plot.DefaultTicks labels ticks 0.08 apart with one
// decimal, so that 1.36 and 1.44 both read "1.4".
type Ticks struct{}

// Ticks implements plot.Ticker.
func (Ticks) Ticks(lo, hi float64) []plot.Tick {
	ticks := plot.DefaultTicks{}.Ticks(lo, hi)
	var major []float64
	for _, t := range ticks {
		if t.Label != "" {
			major = append(major, t.Value)
		}
	}
	prec := 0
	if len(major) > 1 {
		step := math.Abs(major[1] - major[0])
		prec = max(0, int(math.Ceil(-math.Log10(step)-1e-9)))
		for prec < 15 && !distinct(major, prec) {
			prec++
		}
	}
	for i := range ticks {
		if ticks[i].Label != "" {
			ticks[i].Label = strconv.FormatFloat(ticks[i].Value, 'f', prec, 64)
		}
	}
	return ticks
}

// distinct reports whether the values differ when written with prec
// decimals and each reads back within a tenth of the spacing.
func distinct(v []float64, prec int) bool {
	seen := map[string]bool{}
	for _, x := range v {
		s := strconv.FormatFloat(x, 'f', prec, 64)
		if seen[s] {
			return false
		}
		seen[s] = true
		if y, _ := strconv.ParseFloat(s, 64); len(v) > 1 && math.Abs(y-x) > 0.1*math.Abs(v[1]-v[0]) {
			return false
		}
	}
	return true
}
