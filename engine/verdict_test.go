package engine

import (
	"math"
	"strings"
	"testing"

	"github.com/rgflow/rgflow/internal/nullfloat"
)

// sound is a summary whose verdict finds nothing wrong: exact KL, a
// critical fixed point with one relevant direction, a small gap, and the
// estimate within the resolution of the exact map's value (no oracle
// values for c > 1 unless a case sets them).
func sound(c int) Summary {
	nan := nullfloat.NaN()
	s := Summary{C: c, Loss: LossKL, FixedPoint: make([]float64, c), Lambda: 1.3, Relevant: 1, AxisJc: 0.4,
		Roots: 100, JcMedian: 0.8, JcQ1: 0.795, JcQ3: 0.805}
	s.VariationalGap, s.FixedPointShift, s.OracleAxisJc = 0.001, nan, nan
	s.FixedPoint[0] = 0.8
	if c == 1 {
		s.OracleFixedPoint, s.OracleAxisJc = []float64{0.805}, 0.805
	}
	return s
}

// Assess names each reason once, from the run's own numbers: a sound run
// has none; a wide spread of the roots counts only where the roots are the
// estimate (c = 1); a large gap, a missing axis coupling and a second
// relevant direction count for any c; with the exact KL an estimate
// farther from the exact map's value than its own uncertainty and the
// resolution counts, for CD it does not.
func TestAssess(t *testing.T) {
	nan := nullfloat.NaN()
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
		// the coupling-unit rule
		{"A1 far from the exact map", func(s *Summary) { s.JcMedian, s.JcQ1, s.JcQ3 = 0.70, 0.69, 0.71 }, 1,
			"J_c 0.70000 lies 0.1050 below the exact map's 0.80500, farther than its own uncertainty (the roots' IQR, 0.02)"},
		{"A1 within its IQR", func(s *Summary) { s.JcMedian, s.JcQ1, s.JcQ3 = 0.84, 0.80, 0.86 }, 1, ""},
		{"A1 within the resolution", func(s *Summary) { s.JcMedian, s.JcQ1, s.JcQ3 = 0.814, 0.8139, 0.8141 }, 1, ""},
		{"A1 CD far from the exact map", func(s *Summary) { s.Loss, s.JcMedian, s.JcQ1, s.JcQ3 = LossCD, 0.70, 0.69, 0.71 }, 1, ""},
		{"A1+E axis far from the exact map", func(s *Summary) { s.AxisJc, s.OracleAxisJc = 0.460, 0.40148 }, 5,
			"the physical-axis J_c 0.46000 lies 0.0585 above the exact map's 0.40148, farther than the verdict's resolution (0.01; one instance"},
		{"A1+E axis within the resolution", func(s *Summary) { s.AxisJc, s.OracleAxisJc = 0.395, 0.40148 }, 5, ""},
		{"A1 predicted shift", func(s *Summary) { s.OracleFixedPoint, s.FixedPointShift = nil, -0.1 }, 1,
			"puts it about 0.1000 below the exact map's (to first order"},
		{"A1 small predicted shift", func(s *Summary) { s.OracleFixedPoint, s.FixedPointShift = nil, 0.003 }, 1, ""},
	} {
		s := sound(tc.c)
		tc.edit(&s)
		got := s.Assess()
		switch {
		case got == nil:
			t.Errorf("%s: nil, want a list", tc.name)
		case tc.want == "" && len(got) != 0:
			t.Errorf("%s: %q, want no reason", tc.name, got)
		case tc.want != "" && (len(got) != 1 || !strings.Contains(got[0], tc.want)):
			t.Errorf("%s: %q, want one reason containing %q", tc.name, got, tc.want)
		}
	}
}

// The ensemble's verdict weighs the spread: a median within two standard
// errors (or the resolution) of the exact map passes even when some
// instances, scattered, fail their own distance rule; a median farther
// away fails; so do fewer than two estimates and a majority of instances
// with another failure.
func TestAssessEnsemble(t *testing.T) {
	mk := func(jcs ...float64) []Summary {
		var out []Summary
		for i, jc := range jcs {
			s := sound(1)
			s.Seed = uint64(i + 1)
			s.OracleFixedPoint = []float64{0.81392}
			s.JcMedian, s.JcQ1, s.JcQ3 = nullfloat.Float(jc), nullfloat.Float(jc-0.002), nullfloat.Float(jc+0.002)
			s.AxisJc, s.Nu = nullfloat.Float(jc), 1
			s.Verdict = s.Assess()
			out = append(out, s)
		}
		return out
	}
	// the eight default A1 runs of docs/training.md
	scattered := mk(0.82149, 0.79828, 0.87522, 0.82661, 0.78155, 0.81857, 0.80805, 0.82251)
	e := NewEnsemble(scattered)
	if len(e.Verdict) != 0 || e.Ensemble.Trusted != 4 || e.Ensemble.N != 8 || e.Ensemble.Headline != "jc" {
		t.Errorf("scattered around the exact map: verdict %q, %d trusted of %d; want nothing wrong, 4 of 8 trusted", e.Verdict, e.Ensemble.Trusted, e.Ensemble.N)
	}
	if med, se := e.Headline(); math.Abs(med-0.82003) > 1e-12 || !(se > 0.003 && se < 0.02) || math.Abs(float64(e.Ensemble.Distance)-(med-0.81392)) > 1e-12 {
		t.Errorf("median %v ± %v, distance %v", med, se, e.Ensemble.Distance)
	}
	if len(e.Seeds) != 8 || e.Seeds[7] != 8 || len(e.Instances) != 8 {
		t.Errorf("seeds %v, %d instances", e.Seeds, len(e.Instances))
	}
	low := NewEnsemble(mk(0.70, 0.71, 0.72, 0.69, 0.705))
	if len(low.Verdict) != 1 || !strings.Contains(low.Verdict[0], "not converged to the variational map: the median J_c 0.70500 of 5 instances lies 0.1089 below") {
		t.Errorf("far from the exact map: %q", low.Verdict)
	}
	cd := mk(0.70, 0.71, 0.72, 0.69, 0.705)
	for i := range cd {
		cd[i].Loss = LossCD
	}
	if v := NewEnsemble(cd).Verdict; len(v) != 0 {
		t.Errorf("CD far from the exact KL map: %q, want no reason", v)
	}
	one := mk(0.81, math.NaN(), math.NaN())
	if v := NewEnsemble(one).Verdict; len(v) == 0 || !strings.Contains(v[0], "only 1 of 3 instances gave a J_c estimate") {
		t.Errorf("one estimate: %q", v)
	}
	bad := mk(0.81, 0.815, 0.812, 0.818)
	for i := range bad[:3] {
		bad[i].Relevant = 2
	}
	if v := NewEnsemble(bad).Verdict; len(v) != 1 || !strings.Contains(v[0], "3 of 4 instances fail their own verdict for another reason") {
		t.Errorf("three of four with two relevant directions: %q", v)
	}
	if v := NewEnsemble(mk(0.81, 0.815)).Verdict; v == nil {
		t.Error("verdict nil, want a list")
	}
}
