package oracle

import (
	"errors"
	"testing"
)

// A learned image so large that the KL's derivatives are lost to rounding
// (the image of (0.1, 0, …, 0) under a network that A1+E training with
// optimizer.beta2 = 5e-324 left) is an error of the minimiser, not a panic
// of the eigendecomposition.
func TestMinimiseRefusesNonFiniteDerivatives(t *testing.T) {
	o := New(blocks(t, "A1+E", "axis"))
	Jp := []float64{3562719845284143104, -3560403609366982144, -25365900065908621312, -25632606499188555776, 4270555787695050240}
	if _, err := o.Gap(axisJ(5, 0.1), Jp); !errors.Is(err, ErrNoConvergence) {
		t.Errorf("the gap at J′ = %v: %v", Jp, err)
	}
}
