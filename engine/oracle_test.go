package engine

import (
	"math"
	"strings"
	"testing"
)

// The exact variational fixed point for A1 is J* = 0.81392 (docs/conventions.md §11).
func TestOracleA1(t *testing.T) {
	o, err := NewOracle(mustBlocks(t, "A1"))
	if err != nil {
		t.Fatal(err)
	}
	r, err := o.FixedPoint(0.5, 1.2)
	if err != nil {
		t.Fatal(err)
	}
	if math.Abs(r.Jstar-0.81392) > 1e-4 {
		t.Errorf("J* = %.6f, want 0.81392", r.Jstar)
	}
	if math.Abs(r.Nu-1.14) > 0.01 {
		t.Errorf("ν = %.4f, want ≈ 1.14", r.Nu)
	}
	// the map really is the argmin: the gradient vanishes there, and a
	// nearby J′ has a larger KL
	Jp := o.Map(0.6)
	kl0, g := o.B.KL([]float64{0.6}, []float64{Jp})
	kl1, _ := o.B.KL([]float64{0.6}, []float64{Jp + 1e-3})
	if math.Abs(g[0]) > 1e-10 || kl1 <= kl0 {
		t.Errorf("Map(0.6) = %v is not the argmin: grad %g, KL %g vs %g", Jp, g[0], kl0, kl1)
	}
	if o.Map(-0.6) != -Jp {
		t.Errorf("oracle map not odd")
	}
}

func TestOracleRefusesMultiCoupling(t *testing.T) {
	_, err := NewOracle(mustBlocks(t, "A1+E"))
	if err == nil || !strings.Contains(err.Error(), "not supported") {
		t.Fatalf("err = %v", err)
	}
}
