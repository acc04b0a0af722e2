package oracle_test

import (
	"fmt"

	"github.com/rgflow/rgflow/engine/oracle"
)

// The exact variational map's critical fixed point for A1 on the
// plaquette: the best J_c estimate any network trained on this block can
// reach (the exact Lieb-lattice value is 0.764285).
func ExampleA1FixedPoint() {
	j, err := oracle.A1FixedPoint()
	if err != nil {
		fmt.Println(err)
		return
	}
	fmt.Printf("%.5f\n", j)
	// Output: 0.81392
}
