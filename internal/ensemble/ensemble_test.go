package ensemble

import (
	"math"
	"math/rand/v2"
	"testing"
)

// For two values the bootstrap distribution of the median is known in
// closed form: x1, (x1+x2)/2 and x2 with probabilities 1/4, 1/2, 1/4, so
// its standard deviation is |x2 − x1|/(2√2).
func TestStdErrTwoValues(t *testing.T) {
	s := Of([]float64{0.80, 0.84})
	want := 0.04 / (2 * math.Sqrt2)
	if math.Abs(s.StdErr-want) > 0.05*want {
		t.Errorf("bootstrap SE of two values = %.6f, want %.6f (closed form) within 5%%", s.StdErr, want)
	}
	if s.N != 2 || math.Abs(s.Median-0.82) > 1e-15 || math.Abs(s.Q1-0.81) > 1e-15 || math.Abs(s.Q3-0.83) > 1e-15 {
		t.Errorf("stats of two values = %+v", s)
	}
}

// For many normal values the standard error of the median tends to
// √(π/2)·σ/√n.
func TestStdErrNormal(t *testing.T) {
	rng := rand.New(rand.NewPCG(7, 8))
	const n = 401
	x := make([]float64, n)
	for i := range x {
		x[i] = 0.8 + 0.03*rng.NormFloat64()
	}
	want := math.Sqrt(math.Pi/2) * 0.03 / math.Sqrt(n)
	if s := Of(x); math.Abs(s.StdErr-want) > 0.2*want {
		t.Errorf("bootstrap SE = %.5f, want about %.5f (√(π/2)σ/√n) within 20%%", s.StdErr, want)
	}
}

func TestOfReproducibleAndOrderFree(t *testing.T) {
	a := []float64{0.82, 0.79, math.NaN(), 0.88, 0.81, math.Inf(1), 0.80}
	b := []float64{0.80, 0.88, 0.81, 0.79, 0.82}
	sa, sb := Of(a), Of(b)
	if sa != sb {
		t.Errorf("the same values in another order (and NaN, Inf skipped) give %+v and %+v", sa, sb)
	}
	if sa.N != 5 || sa.Median != 0.81 {
		t.Errorf("N, median = %d, %v; want 5, 0.81", sa.N, sa.Median)
	}
	if a[0] != 0.82 {
		t.Error("Of changed its argument")
	}
}

func TestOfFew(t *testing.T) {
	if s := Of([]float64{0.8}); s.N != 1 || s.Median != 0.8 || !math.IsNaN(s.StdErr) {
		t.Errorf("one value: %+v; want its median and no standard error", s)
	}
	if s := Of(nil); s.N != 0 || !math.IsNaN(s.Median) || !math.IsNaN(s.StdErr) {
		t.Errorf("no values: %+v; want NaN", s)
	}
	if s := Of([]float64{0.5, 0.5, 0.5}); s.StdErr != 0 {
		t.Errorf("equal values: standard error %v, want 0", s.StdErr)
	}
}
