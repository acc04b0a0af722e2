package divergence_test

import (
	"fmt"

	"github.com/rgflow/rgflow/engine/divergence"
	"github.com/rgflow/rgflow/engine/geometry"
	"github.com/rgflow/rgflow/reps"
)

// The exact KL divergence between the fine and the coarse block of a
// geometry, per coarse site, and its gradient in the coarse couplings J′.
func ExampleNew() {
	g, err := geometry.Parse("free:2x2", 1)
	if err != nil {
		fmt.Println(err)
		return
	}
	rep, err := reps.Builtin("A1")
	if err != nil {
		fmt.Println(err)
		return
	}
	p, err := divergence.New(g, rep, "axis")
	if err != nil {
		fmt.Println(err)
		return
	}
	kl, grad := p.KL([]float64{0.8}, []float64{0.78})
	fmt.Printf("KL per coarse site %.6f, ∂KL/∂J′ %.6f\n", kl, grad[0])
	// Output: KL per coarse site 0.053193, ∂KL/∂J′ -0.063742
}
