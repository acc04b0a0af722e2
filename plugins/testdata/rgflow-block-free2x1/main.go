// Test plugin: a block plugin serving the patch of two plaquettes
// free:2x1 under the name "free2x1", built from its coarse sites as a
// plugin author would (geometry.FromCoarse), so that the host can check it
// against the built-in free:2x1.
package main

import (
	"github.com/rgflow/rgflow/engine/geometry"
	"github.com/rgflow/rgflow/plugins"
)

func main() {
	g, err := geometry.FromCoarse("free2x1", [][2]int{{0, 0}, {1, 0}}, 0, 0, 1)
	if err != nil {
		panic(err)
	}
	plugins.ServeBlock(plugins.StaticBlock(*g))
}
