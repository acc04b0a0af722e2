package geometry

import (
	"strings"
	"testing"
)

// The plaquette is the block of docs/conventions.md §5, bond for bond.
func TestPlaquetteIsTheConventionsBlock(t *testing.T) {
	g, err := Parse("plaquette", 1)
	if err != nil {
		t.Fatal(err)
	}
	if g.Name != "plaquette" || g.CoarseSites() != 1 || g.Scale()*g.Scale() < 2-1e-15 || g.Scale()*g.Scale() > 2+1e-15 {
		t.Fatalf("plaquette: name %q, %d coarse sites, b = %v", g.Name, g.CoarseSites(), g.Scale())
	}
	// corners c0..c3 at (0,0), (1,0), (1,1), (0,1); edges on (c0,c1),
	// (c1,c2), (c2,c3), (c3,c0); the centre at (½, ½)
	wantV := []Point{{0, 0}, {2, 0}, {2, 2}, {0, 2}}
	wantE := []Point{{1, 0}, {2, 1}, {1, 2}, {0, 1}}
	for k := range wantV {
		if g.Visible[k] != wantV[k] || g.FineHidden[k] != wantE[k] {
			t.Fatalf("site %d: visible %v, edge %v", k, g.Visible[k], g.FineHidden[k])
		}
	}
	if len(g.Visible) != 4 || len(g.FineHidden) != 4 || len(g.CoarseHidden) != 1 || g.CoarseHidden[0] != (Point{1, 1}) {
		t.Fatalf("plaquette sites: %v %v %v", g.Visible, g.FineHidden, g.CoarseHidden)
	}
	// docs/conventions.md §5: (source edge, target corner, direction)
	fine := []Bond{{0, 0, 0, 1}, {0, 1, 2, 1}, {1, 1, 1, 1}, {1, 2, 3, 1}, {2, 2, 2, 1}, {2, 3, 0, 1}, {3, 0, 1, 1}, {3, 3, 3, 1}}
	if len(g.FineBonds) != len(fine) {
		t.Fatalf("fine bonds %v", g.FineBonds)
	}
	for k, b := range fine {
		if g.FineBonds[k] != b {
			t.Errorf("fine bond %d = %+v, want %+v", k, g.FineBonds[k], b)
		}
	}
	// corner c_i is the source of bond c_i → h, direction i
	for i := 0; i < 4; i++ {
		if b := g.CoarseBonds[i]; b != (Bond{i, 0, i, 1}) {
			t.Errorf("coarse bond %d = %+v", i, b)
		}
	}
	if len(g.CoarseBonds) != 4 {
		t.Errorf("coarse bonds %v", g.CoarseBonds)
	}
	if err := g.Validate(); err != nil {
		t.Error(err)
	}
	f11, _ := Parse("free:1x1", 1)
	if f11.Name != "plaquette" {
		t.Errorf("free:1x1 is named %q", f11.Name)
	}
}

// Sizes of the named patches, and the checkerboard: every edge in exactly
// one plaquette, every visible site a corner of one or two (two on a
// torus), every bond of the direction its offset has.
func TestPatchCounts(t *testing.T) {
	for _, tc := range []struct {
		name                string
		shells              int
		vis, fine, coarse   int
		fineB, coarseB      int
		sharedOnce, twiceIn int // visible sites in one plaquette, in two
	}{
		{"free:3x3", 1, 24, 36, 9, 72, 36, 12, 12},
		{"torus:3x3", 1, 18, 36, 9, 72, 36, 0, 18},
		{"free:2x1", 1, 7, 8, 2, 16, 8, 6, 1},
		{"free:3x2", 1, 17, 24, 6, 48, 24, 10, 7},
		{"torus:4x4", 1, 32, 64, 16, 128, 64, 0, 32},
		{"torus:2x2", 1, 8, 16, 4, 32, 16, 0, 8},
		// shell 2: a plaquette's edge reaches its plaquette's far corners
		// (2 of its 4 shell-2 corners); its coarse centre reaches none
		{"plaquette", 2, 4, 4, 1, 8 + 8, 4, 4, 0},
		// on a torus every edge has 4 shell-2 corners, every centre 8
		{"torus:3x3", 2, 18, 36, 9, 72 + 4*36, 36 + 8*9, 0, 18},
	} {
		g, err := Parse(tc.name, tc.shells)
		if err != nil {
			t.Fatal(err)
		}
		if len(g.Visible) != tc.vis || len(g.FineHidden) != tc.fine || g.CoarseSites() != tc.coarse || len(g.FineBonds) != tc.fineB || len(g.CoarseBonds) != tc.coarseB {
			t.Errorf("%s shells %d: %d visible, %d fine hidden, %d coarse, %d fine bonds, %d coarse bonds; want %d %d %d %d %d",
				tc.name, tc.shells, len(g.Visible), len(g.FineHidden), g.CoarseSites(), len(g.FineBonds), len(g.CoarseBonds), tc.vis, tc.fine, tc.coarse, tc.fineB, tc.coarseB)
		}
		if g.Periodic() && len(g.Visible) != 2*g.PeriodI*g.PeriodJ {
			t.Errorf("%s: %d visible sites, a torus has 2LM", tc.name, len(g.Visible))
		}
		if err := g.Validate(); err != nil {
			t.Errorf("%s: %v", tc.name, err)
		}
		// each visible site is a shell-1 source of one or two centres
		in := make([]int, len(g.Visible))
		for _, b := range g.CoarseBonds {
			if b.Shell == 1 {
				in[b.Source]++
			}
		}
		once, twice := 0, 0
		for _, n := range in {
			switch n {
			case 1:
				once++
			case 2:
				twice++
			default:
				t.Errorf("%s: a visible site is a corner of %d plaquettes", tc.name, n)
			}
		}
		if once != tc.sharedOnce || twice != tc.twiceIn {
			t.Errorf("%s: %d visible sites in one plaquette, %d in two; want %d, %d", tc.name, once, twice, tc.sharedOnce, tc.twiceIn)
		}
		// every edge borders exactly one black plaquette, and it is the
		// one whose centre the edge's own shell-1 corners surround
		seen := map[Point]bool{}
		for e, p := range g.FineHidden {
			c := g.Reduce(blackPlaquetteOfEdge(p))
			found := 0
			for _, h := range g.CoarseHidden {
				if h == c {
					found++
				}
			}
			if found != 1 || seen[p] {
				t.Errorf("%s: edge %d at %v: its black plaquette %v is in the patch %d times (edge seen before: %v)", tc.name, e, p, c, found, seen[p])
			}
			seen[p] = true
		}
		checkDirections(t, g)
	}
}

// checkDirections: every bond's offset is its direction acting on the
// shell's reference offset, and has the shell's length.
func checkDirections(t *testing.T, g *Geometry) {
	t.Helper()
	for _, fine := range []bool{true, false} {
		bonds, src, tgt := g.FineBonds, g.FineHidden, g.Visible
		if !fine {
			bonds, src, tgt = g.CoarseBonds, g.Visible, g.CoarseHidden
		}
		for k, b := range bonds {
			ref := shellReference(fine, b.Shell)
			off := act(b.Dir, ref)
			to := g.Reduce(Point{src[b.Source].X + off.X, src[b.Source].Y + off.Y})
			if to != tgt[b.Target] {
				t.Errorf("%s: %s bond %d %+v: direction %d takes %v to %v, not to the target %v", g.Name, map[bool]string{true: "fine", false: "coarse"}[fine], k, b, b.Dir, src[b.Source], to, tgt[b.Target])
			}
			if off.X*off.X+off.Y*off.Y != shellRadius2(fine, b.Shell) {
				t.Errorf("%s: bond %+v has length² %d", g.Name, b, off.X*off.X+off.Y*off.Y)
			}
			if b.Shell == 1 && b.Dir >= 4 {
				t.Errorf("%s: shell-1 bond %+v has a mirrored direction", g.Name, b)
			}
		}
	}
}

// Shell-1 directions are docs/conventions.md §4's: −x, −y, +x, +y from
// the source; the coarse shell's are the corner's position (c0 → h runs
// along x = y); the 45° map turns the fine references into the coarse.
func TestShellReferences(t *testing.T) {
	dirs := []Point{{-1, 0}, {0, -1}, {1, 0}, {0, 1}}
	for r, d := range dirs {
		if got := act(r, shellReference(true, 1)); got != d {
			t.Errorf("fine direction %d is %v, want %v", r, got, d)
		}
	}
	// the fine → coarse frame: a turn by 225° and a stretch by √2, which on
	// offsets in half spacings is (x, y) ↦ (−x + y, −x − y)
	frame := func(p Point) Point { return Point{-p.X + p.Y, -p.X - p.Y} }
	for s := 1; s <= MaxShells; s++ {
		if got := frame(shellReference(true, s)); got != shellReference(false, s) {
			t.Errorf("shell %d: the fine reference maps to %v, the coarse reference is %v", s, got, shellReference(false, s))
		}
		for g := 0; g < 4; g++ {
			// the frame map commutes with the rotations (not with σ: it
			// takes the axis mirror to the diagonal one, §12)
			if frame(act(g, shellReference(true, s))) != act(g, frame(shellReference(true, s))) {
				t.Errorf("shell %d: the frame map does not commute with element %d", s, g)
			}
		}
	}
	if c := (Point{1, 1}); act(1, shellReference(false, 1)) != (Point{-1, 1}) || shellReference(false, 1) != c {
		t.Error("coarse direction 1 (c1 → h) is not (−½, ½)")
	}
}

func TestCoarseCoordinates(t *testing.T) {
	for i := -3; i <= 3; i++ {
		for j := -3; j <= 3; j++ {
			c := Centre(i, j)
			// lower-left corner (i − j, i + j)
			if c.X != 2*(i-j)+1 || c.Y != 2*(i+j)+1 {
				t.Fatalf("centre of (%d, %d) = %v", i, j, c)
			}
			if ii, jj, ok := Coarse(c); !ok || ii != i || jj != j {
				t.Fatalf("Coarse(%v) = %d, %d, %v", c, ii, jj, ok)
			}
		}
	}
	if _, _, ok := Coarse(Point{3, 1}); ok {
		t.Error("the centre of the white plaquette at (1, 0) counts as a coarse site")
	}
	if _, _, ok := Coarse(Point{2, 1}); ok {
		t.Error("an edge middle counts as a coarse site")
	}
}

// Malformed geometries are refused with an error that names the problem.
func TestValidateRejects(t *testing.T) {
	base := func() *Geometry {
		g, err := Parse("free:2x2", 1)
		if err != nil {
			t.Fatal(err)
		}
		return g
	}
	for _, tc := range []struct {
		name   string
		break_ func(g *Geometry)
		want   string
	}{
		{"white centre", func(g *Geometry) { g.CoarseHidden[1] = Point{3, 1} }, "not the centre of a black plaquette"},
		{"coarse twice", func(g *Geometry) { g.CoarseHidden[1] = g.CoarseHidden[0] }, "given twice"},
		{"visible missing", func(g *Geometry) { g.Visible = g.Visible[:len(g.Visible)-1] }, "is missing"},
		{"visible stray", func(g *Geometry) { g.Visible = append(g.Visible, Point{20, 20}) }, "not a corner of any plaquette"},
		{"visible twice", func(g *Geometry) { g.Visible[1] = g.Visible[0] }, "are the same site"},
		{"edge of another plaquette", func(g *Geometry) { g.FineHidden[0] = Point{1, -2} }, "whose black plaquette"},
		{"not an edge", func(g *Geometry) { g.FineHidden[0] = Point{2, 2} }, "not on an edge"},
		{"wrong direction", func(g *Geometry) { g.FineBonds[0].Dir = 2 }, "has direction 2"},
		{"coarse direction", func(g *Geometry) { g.CoarseBonds[3].Dir = 0 }, "has direction 0"},
		{"bond missing", func(g *Geometry) { g.FineBonds = g.FineBonds[1:] }, "is missing"},
		{"bond twice", func(g *Geometry) { g.CoarseBonds = append(g.CoarseBonds, g.CoarseBonds[0]) }, "more often than the patch has it"},
		{"bond out of range", func(g *Geometry) { g.FineBonds[2].Target = 99 }, "outside"},
		{"stray bond", func(g *Geometry) { g.FineBonds[0].Target = 5 }, "not a bond of the patch"},
		{"shells", func(g *Geometry) { g.Shells = 3 }, "coupling shells"},
		{"shell-2 bond in a shell-1 block", func(g *Geometry) {
			g2, _ := Parse("free:2x2", 2)
			g.FineBonds = g2.FineBonds
		}, "is not a bond of the patch"},
		{"period 1", func(g *Geometry) { g.PeriodI = 1 }, "period 1"},
	} {
		g := base()
		tc.break_(g)
		err := g.Validate()
		if err == nil || !strings.Contains(err.Error(), tc.want) {
			t.Errorf("%s: error %v, want one containing %q", tc.name, err, tc.want)
		}
	}
	// a plugin may list sites in any order and a torus's sites by any
	// image: the same geometry
	g, _ := Parse("torus:3x2", 2)
	perm := []int{}
	for k := len(g.Visible) - 1; k >= 0; k-- {
		perm = append(perm, k)
	}
	vis := make([]Point, len(g.Visible))
	inv := make([]int, len(g.Visible))
	for k, p := range perm {
		vis[k] = g.Visible[p]
		inv[p] = k
	}
	vis[0].X += 4 * 3 // the image one period along i: (L, L) in fine units
	vis[0].Y += 4 * 3
	g.Visible = vis
	for k := range g.FineBonds {
		g.FineBonds[k].Target = inv[g.FineBonds[k].Target]
	}
	for k := range g.CoarseBonds {
		g.CoarseBonds[k].Source = inv[g.CoarseBonds[k].Source]
	}
	if err := g.Validate(); err != nil {
		t.Errorf("a reordered torus: %v", err)
	}
}

func TestParse(t *testing.T) {
	for _, bad := range []string{"cross", "free:3", "free:0x2", "free:3x-1", "torus:1x4", "disk:3x3", "free:3x3x3", "free:65x1"} {
		if _, err := Parse(bad, 1); err == nil {
			t.Errorf("%q parses", bad)
		}
	}
	if _, err := Parse("free:2x2", 3); err == nil {
		t.Error("3 shells accepted")
	}
	for _, name := range []string{"free:2x2", "free:3x2", "torus:4x4", "torus:2x3"} {
		g, err := Parse(name, 1)
		if err != nil || g.Name != name {
			t.Errorf("%s: %v, name %q", name, err, g.Name)
		}
	}
}
