package oracle

import (
	"context"
	"errors"
	"strings"
	"testing"

	"github.com/rgflow/rgflow/reps"
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

// The gauge group is built under a context, refused in a sentence when it
// is too large to enumerate, and the same orbit as the pairwise search for
// the groups the tests know.
func TestBuildGauge(t *testing.T) {
	for name, orbit := range map[string]int{"A1": 2, "A1+E": 8, "2A1+E": 128, "3A1": 1152} {
		r, _ := reps.Builtin(name)
		g, err := BuildGauge(context.Background(), r)
		if err != nil || len(g.Orbit) != orbit {
			t.Errorf("%s: %v, %d orbit actions, want %d", name, err, len(g.Orbit), orbit)
		}
	}
	r, _ := reps.Builtin("6A1")
	if _, err := BuildGauge(context.Background(), r); err == nil || !strings.Contains(err.Error(), "46080 relabellings") {
		t.Errorf("6A1: %v", err)
	}
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	r, _ = reps.Builtin("3A1+E")
	if _, err := BuildGauge(ctx, r); !errors.Is(err, context.Canceled) {
		t.Errorf("3A1+E with a cancelled context: %v", err)
	}
	// an oracle's analysis stops with its context
	o := NewContext(ctx, blocks(t, "A1+E", "axis"))
	if _, err := o.Analyse(Options{}); !errors.Is(err, context.Canceled) {
		t.Errorf("Analyse with a cancelled context: %v", err)
	}
}
