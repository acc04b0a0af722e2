// Test plugin: a block plugin serving free:2x2 with one fine bond turned
// the wrong way (its direction changed), which the host must refuse,
// naming the bond.
package main

import (
	"github.com/rgflow/rgflow/engine/geometry"
	"github.com/rgflow/rgflow/plugins"
)

func main() {
	g, err := geometry.Free(2, 2, 1)
	if err != nil {
		panic(err)
	}
	g.Name = "badbond"
	g.FineBonds[3].Dir = (g.FineBonds[3].Dir + 1) % 4
	plugins.ServeBlock(plugins.StaticBlock(*g))
}
