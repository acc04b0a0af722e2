package geometry_test

import (
	"fmt"

	"github.com/rgflow/rgflow/engine/geometry"
)

// A named block: its visible sites (the fine block's corners, the coarse
// block's visible spins), the fine and coarse hidden sites and their
// bonds, derived from the coarse sites it covers.
func ExampleParse() {
	for _, name := range []string{"plaquette", "free:2x2", "torus:2x2"} {
		g, err := geometry.Parse(name, 1)
		if err != nil {
			fmt.Println(err)
			return
		}
		fmt.Printf("%-9s visible %2d, fine hidden %2d (%2d bonds), coarse hidden %d (%2d bonds)\n",
			g.Name, len(g.Visible), len(g.FineHidden), len(g.FineBonds), len(g.CoarseHidden), len(g.CoarseBonds))
	}
	_, err := geometry.Parse("free:0x2", 1)
	fmt.Println(err)
	// Output:
	// plaquette visible  4, fine hidden  4 ( 8 bonds), coarse hidden 1 ( 4 bonds)
	// free:2x2  visible 12, fine hidden 16 (32 bonds), coarse hidden 4 (16 bonds)
	// torus:2x2 visible  8, fine hidden 16 (32 bonds), coarse hidden 4 (16 bonds)
	// free:0x2: the sides must be between 1 and 64 coarse sites
}
