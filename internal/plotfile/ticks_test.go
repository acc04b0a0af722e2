package plotfile

import (
	"strconv"
	"strings"
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

// The labelled ticks are round: multiples of a step of 1, 2, 2.5 or 5
// times a power of ten, at most six and at least two of them over the
// axis — an epoch axis to 3000 reads 0, 500, 1000, … (gonum's default
// gave 400, 1200, 2000).
func TestTicksRound(t *testing.T) {
	for _, tc := range []struct {
		lo, hi float64
		want   []string
	}{
		{0, 3000, []string{"0", "500", "1000", "1500", "2000", "2500", "3000"}},
		{15, 300, []string{"50", "100", "150", "200", "250", "300"}},
		{-0.05, 0.25, []string{"-0.05", "0.00", "0.05", "0.10", "0.15", "0.20", "0.25"}},
		{0.6, 0.84, []string{"0.60", "0.65", "0.70", "0.75", "0.80"}},
	} {
		var got []string
		for _, tk := range (Ticks{}).Ticks(tc.lo, tc.hi) {
			if tk.Label != "" {
				got = append(got, tk.Label)
			}
		}
		if strings.Join(got, " ") != strings.Join(tc.want, " ") {
			t.Errorf("[%g, %g]: labels %q, want %q", tc.lo, tc.hi, got, tc.want)
		}
	}
}
