package dense_test

import (
	"fmt"

	"github.com/rgflow/rgflow/kernels/dense"
)

// The network's forward product: a batch of 2 rows of 3 activations times
// a 2×3 weight matrix transposed (NT), C = A·Bᵀ. Small integers are summed
// exactly, so every path prints the same.
func ExamplePath_Gemm() {
	a := []float64{
		1, 2, 3,
		4, 5, 6,
	}
	w := []float64{
		1, 0, -1,
		2, 1, 0,
	}
	c := make([]float64, 2*2)
	dense.Fastest().Gemm(false, true, 2, 2, 3, a, 3, w, 3, 0, c, 2)
	fmt.Println(c)
	// Output: [-2 4 -2 13]
}
