package plotfile

import (
	"strconv"
	"testing"
)

// Every labelled tick reads as its value, to a tenth of the spacing, and
// no two labels are alike (plot.DefaultTicks writes 1.36 and 1.44 as
// "1.4").
func TestTicksLabelTheirValues(t *testing.T) {
	for _, r := range [][2]float64{{1.347, 1.528}, {0.6, 0.84}, {0, 1.05}, {0.7302, 0.7329}, {-3, 250}} {
		var labelled []float64
		seen := map[string]bool{}
		for _, tk := range (Ticks{}).Ticks(r[0], r[1]) {
			if tk.Label == "" {
				continue
			}
			v, err := strconv.ParseFloat(tk.Label, 64)
			if err != nil || seen[tk.Label] {
				t.Fatalf("%v: label %q (value %v) unreadable or repeated", r, tk.Label, tk.Value)
			}
			seen[tk.Label] = true
			labelled = append(labelled, tk.Value)
			if len(labelled) > 1 {
				if step := labelled[1] - labelled[0]; abs(v-tk.Value) > 0.1*step {
					t.Errorf("%v: tick %v labelled %q", r, tk.Value, tk.Label)
				}
			}
		}
		if len(labelled) < 2 {
			t.Errorf("%v: %d labelled ticks", r, len(labelled))
		}
	}
}

func abs(x float64) float64 {
	if x < 0 {
		return -x
	}
	return x
}
