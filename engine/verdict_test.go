package engine

import (
	"math"
	"strings"
	"testing"

	"rgflow/internal/nullfloat"
)

// Assess names each reason once, from the run's own numbers: a sound run
// has none; a wide spread of the roots counts only where the roots are the
// estimate (c = 1); a large gap, a missing axis coupling and a second
// relevant direction count for any c.
func TestAssess(t *testing.T) {
	nan := nullfloat.Float(math.NaN())
	sound := func(c int) Summary {
		s := Summary{C: c, FixedPoint: make([]float64, c), Lambda: 1.3, Relevant: 1, AxisJc: 0.4,
			Roots: 100, JcMedian: 0.8, JcQ1: 0.79, JcQ3: 0.81}
		s.VariationalGap = 0.001
		return s
	}
	for _, tc := range []struct {
		name string
		edit func(*Summary)
		c    int
		want string // "" for no reason
	}{
		{"sound A1", func(*Summary) {}, 1, ""},
		{"sound A1+E", func(*Summary) {}, 5, ""},
		{"spread A1", func(s *Summary) { s.JcQ1, s.JcQ3 = 0.6, 0.9 }, 1, "spread widely"},
		{"spread of weak roots A1+E", func(s *Summary) { s.JcMedian, s.JcQ1, s.JcQ3 = 0.03, 0.018, 0.044 }, 5, ""},
		{"gap", func(s *Summary) { s.VariationalGap = 0.2 }, 5, "not reached the variational map"},
		{"no root", func(s *Summary) { s.FixedPoint = nil }, 5, "no critical fixed point"},
		{"not relevant", func(s *Summary) { s.Lambda = 0.9 }, 1, "no relevant direction"},
		{"no axis coupling", func(s *Summary) { s.AxisJc = nan }, 5, "no physical-axis critical coupling"},
		{"two relevant", func(s *Summary) { s.Relevant = 2 }, 5, "2 relevant directions"},
	} {
		s := sound(tc.c)
		tc.edit(&s)
		got := s.Assess()
		switch {
		case tc.want == "" && len(got) != 0:
			t.Errorf("%s: %q, want no reason", tc.name, got)
		case tc.want != "" && (len(got) != 1 || !strings.Contains(got[0], tc.want)):
			t.Errorf("%s: %q, want one reason containing %q", tc.name, got, tc.want)
		}
	}
}
