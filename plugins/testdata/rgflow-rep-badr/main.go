// Test plugin: R is a rotation by 60°, orthogonal and reversed by the
// mirror, but R⁴ ≠ I, so it does not represent D4.
package main

import (
	"math"

	"github.com/rgflow/rgflow/plugins"
)

func main() {
	c, s := math.Cos(math.Pi/3), math.Sin(math.Pi/3)
	plugins.Serve(plugins.Static{
		Name:  "BadR",
		D:     2,
		R:     []float64{c, -s, s, c},
		Sigma: []float64{1, 0, 0, -1},
	})
}
