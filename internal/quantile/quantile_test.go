package quantile

import (
	"math"
	"testing"
)

func TestQuartiles(t *testing.T) {
	x := []float64{3, 1, 2, 4}
	m, q1, q3 := Quartiles(x)
	if m != 2.5 || q1 != 1.75 || q3 != 3.25 {
		t.Errorf("quartiles = %v %v %v, want 2.5 1.75 3.25 (NumPy's)", m, q1, q3)
	}
	if x[0] != 3 {
		t.Error("Quartiles sorted its argument")
	}
	if m, q1, q3 := Quartiles([]float64{5}); m != 5 || q1 != 5 || q3 != 5 {
		t.Errorf("quartiles of one value = %v %v %v", m, q1, q3)
	}
	if m, _, _ := Quartiles(nil); !math.IsNaN(m) {
		t.Errorf("median of nothing = %v, want NaN", m)
	}
}

func TestType7Ends(t *testing.T) {
	s := []float64{1, 2, 10}
	if Type7(s, 0) != 1 || Type7(s, 1) != 10 || Type7(s, 0.75) != 6 {
		t.Errorf("Type7 = %v %v %v, want 1 10 6", Type7(s, 0), Type7(s, 1), Type7(s, 0.75))
	}
}
