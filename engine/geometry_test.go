package engine

import (
	"testing"

	"github.com/rgflow/rgflow/engine/geometry"
)

// The plaquette geometry is the blocks this package is written for: the
// fine edges of fineEdges with their corners and directions, the coarse
// cross (corner i → centre, direction i), the exact J_c.
func TestPlaquetteGeometryIsTheEngineBlocks(t *testing.T) {
	g, err := geometry.Parse(geometry.PlaquetteName, 1)
	if err != nil {
		t.Fatal(err)
	}
	if len(g.FineBonds) != 8 || len(g.CoarseBonds) != 4 {
		t.Fatalf("%d fine and %d coarse bonds", len(g.FineBonds), len(g.CoarseBonds))
	}
	for e, edge := range fineEdges {
		got := [2]geometry.Bond{g.FineBonds[2*e], g.FineBonds[2*e+1]}
		want := [2]geometry.Bond{{Source: e, Target: edge[0], Dir: edge[1], Shell: 1}, {Source: e, Target: edge[2], Dir: edge[3], Shell: 1}}
		if got != want {
			t.Errorf("edge %d: geometry %+v, engine %v", e, got, edge)
		}
	}
	for i, b := range g.CoarseBonds {
		if b != (geometry.Bond{Source: i, Target: 0, Dir: i, Shell: 1}) {
			t.Errorf("coarse bond %d: %+v", i, b)
		}
	}
	if geometry.LiebJc != JcExact || g.JcExact() != JcExact {
		t.Errorf("J_c: geometry %v, engine %v", geometry.LiebJc, JcExact)
	}
}
