// Package geometry defines block geometries: which sites and bonds make up
// the fine and the coarse block of one RG step of the Lieb lattice
// (docs/conventions.md §14). A geometry is a value — the visible sites, the
// fine hidden (edge) sites and the coarse hidden (centre) sites with their
// positions, the bonds between them with their directions and coupling
// shells — from which the divergences between the blocks are derived
// (package engine/divergence). The single plaquette, the published block,
// is "plaquette" (= "free:1x1"); "free:LxM" and "torus:LxM" are patches of
// L×M coarse sites with free and periodic boundaries.
//
// The package knows positions and bonds only: the representation of the
// spins and the coupling matrices a bond carries are the divergence's.
package geometry

import (
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"math"
	"strconv"
	"strings"
)

// Point is a site's position in half fine-lattice spacings: visible sites
// sit at even (X, Y), fine hidden sites on the middles of the edges (one
// coordinate odd), coarse hidden sites at the centres of black plaquettes
// (both odd). Exact integers, so that sites compare exactly.
type Point struct{ X, Y int }

// String writes the position in fine-lattice units, "(1.5, 0.5)".
func (p Point) String() string {
	f := func(v int) string { return strconv.FormatFloat(float64(v)/2, 'f', -1, 64) }
	return "(" + f(p.X) + ", " + f(p.Y) + ")"
}

// Bond is one hidden–visible bond. In the fine block the source is the
// hidden edge site (an index into FineHidden) and the target a visible
// site; in the coarse block the source is a visible site and the target the
// hidden centre (an index into CoarseHidden) — docs/conventions.md §5.
type Bond struct {
	Source, Target int
	// Dir is the element g = R^r σ^m of the square's point group, as
	// r + 4m, that turns the shell's reference bond onto this one
	// (docs/conventions.md §14); for shell 1, m = 0 and r is the direction
	// of docs/conventions.md §5 (fine: −x, −y, +x, +y; coarse: the
	// corner's position in its plaquette).
	Dir int
	// Shell is the coupling shell, 1 for the nearest hidden–visible
	// bonds; each shell has a coupling block of its own.
	Shell int
}

// Geometry is one block pair: sites, bonds and boundary.
type Geometry struct {
	Name string
	// Visible, FineHidden and CoarseHidden hold the sites' positions; on a
	// torus, the representative of each site in the fundamental domain
	// (Reduce).
	Visible, FineHidden, CoarseHidden []Point
	FineBonds, CoarseBonds            []Bond
	// PeriodI and PeriodJ are the periods in the coarse coordinates i and
	// j (0: open): torus:LxM has L and M.
	PeriodI, PeriodJ int
	// Shells is the number of coupling shells: a coupling vector holds one
	// block of couplings per shell, shell 1 first.
	Shells int
}

// MaxShells is the largest coupling shell defined (docs/conventions.md §14).
const MaxShells = 2

// MaxSide bounds L and M of a named patch: far beyond what any
// divergence can contract, and small enough that no size overflows.
const MaxSide = 64

// PlaquetteName is the published single-plaquette block, free:1x1.
const PlaquetteName = "plaquette"

// LiebJc is the exact critical coupling of the Lieb-lattice Ising model
// with nearest-neighbour couplings J (docs/conventions.md §11):
// tanh K_sq = tanh² J at the square lattice's tanh K_c = √2 − 1.
var LiebJc = 0.5 * math.Acosh(1+math.Sqrt2)

// Scale is the RG step's scale factor b = √2: the coarse lattice is the
// fine one turned by 45° and stretched by √2.
func (g *Geometry) Scale() float64 { return math.Sqrt2 }

// JcExact is the exact critical coupling of the fine model on its physical
// axis (nearest-neighbour coupling J_0 only, every other coupling and shell
// zero): the Lieb-lattice Ising model's, for every geometry here.
func (g *Geometry) JcExact() float64 { return LiebJc }

// CoarseSites is the number of coarse sites; divergences are reported per
// coarse site so that blocks compare.
func (g *Geometry) CoarseSites() int { return len(g.CoarseHidden) }

// Periodic reports whether the geometry has a periodic direction.
func (g *Geometry) Periodic() bool { return g.PeriodI > 0 || g.PeriodJ > 0 }

// Coarse returns the coarse coordinates (i, j) of a coarse hidden site's
// position: coarse site (i, j) is the black plaquette whose lower-left
// corner is the fine site (i − j, i + j). ok is false if p is not the
// centre of a black plaquette.
func Coarse(p Point) (i, j int, ok bool) {
	if p.X%2 == 0 || p.Y%2 == 0 {
		return 0, 0, false
	}
	x, y := floorDiv(p.X, 2), floorDiv(p.Y, 2) // the lower-left corner
	if (x+y)%2 != 0 {
		return 0, 0, false
	}
	return (x + y) / 2, (y - x) / 2, true
}

// Centre is the position of coarse site (i, j)'s centre.
func Centre(i, j int) Point { return Point{2*(i-j) + 1, 2*(i+j) + 1} }

// Reduce returns the representative of p on the geometry's torus: with
// I = X + Y − 2 and J = Y − X (four times the coarse coordinates, shifted
// so that coarse site (0, 0)'s corners c0 and c1 have I, J ≥ −2), I is
// taken into [−2, 4·PeriodI − 2) and J into [−2, 4·PeriodJ − 2); an open
// direction is left alone.
func (g *Geometry) Reduce(p Point) Point {
	return reduce(p, g.PeriodI, g.PeriodJ)
}

func reduce(p Point, pi, pj int) Point {
	if pi == 0 && pj == 0 {
		return p
	}
	I, J := p.X+p.Y-2, p.Y-p.X
	if pi > 0 {
		I = floorMod(I+2, 4*pi) - 2
	}
	if pj > 0 {
		J = floorMod(J+2, 4*pj) - 2
	}
	return Point{(I - J + 2) / 2, (I + J + 2) / 2}
}

func floorDiv(a, b int) int {
	q := a / b
	if (a%b != 0) && ((a < 0) != (b < 0)) {
		q--
	}
	return q
}

func floorMod(a, b int) int { return a - b*floorDiv(a, b) }

// The plaquette's sites relative to its lower-left corner, in half
// spacings: corners c0..c3 at (0,0), (1,0), (1,1), (0,1); edge sites e0..e3
// on the sides (c0,c1), (c1,c2), (c2,c3), (c3,c0); the centre.
var (
	cornerOffsets = [4]Point{{0, 0}, {2, 0}, {2, 2}, {0, 2}}
	edgeOffsets   = [4]Point{{1, 0}, {2, 1}, {1, 2}, {0, 1}}
	centreOffset  = Point{1, 1}
)

// shellRadius2 is the squared length, in half spacings, of a shell-s bond:
// fine (edge site to corner) ½ and √5/2, coarse (corner to centre) √2/2
// and √10/2, the fine ones turned by 45° and stretched by b = √2.
func shellRadius2(fine bool, s int) int {
	r := [MaxShells + 1]int{0, 1, 5}[s]
	if !fine {
		r *= 2
	}
	return r
}

// shellReference is the offset (target − source, in half spacings) of the
// bond a shell's directions are counted from: fine shell 1 −x (e0 → c0),
// fine shell 2 (−½, 1) (e0 → c3); coarse shell 1 (½, ½) (c0 → h), coarse
// shell 2 (3/2, −½), the image of the fine one under the map from the fine
// frame to the coarse (a turn by 225° and b = √2; it takes −x to (½, ½)).
func shellReference(fine bool, s int) Point {
	if fine {
		return [MaxShells + 1]Point{{}, {-1, 0}, {-1, 2}}[s]
	}
	return [MaxShells + 1]Point{{}, {1, 1}, {3, -1}}[s]
}

// act applies g = R^r σ^m (σ: y → −y first, then r quarter turns
// counter-clockwise) to an offset.
func act(g int, p Point) Point {
	if g >= 4 {
		p.Y = -p.Y
	}
	for r := 0; r < g%4; r++ {
		p = Point{-p.Y, p.X}
	}
	return p
}

// direction returns the smallest g with g·reference = offset, or −1.
func direction(fine bool, s int, off Point) int {
	ref := shellReference(fine, s)
	for g := 0; g < 8; g++ {
		if act(g, ref) == off {
			return g
		}
	}
	return -1
}

// shellOffsets lists the offsets of length² shellRadius2(fine, s), in a
// fixed order (by x, then y).
func shellOffsets(fine bool, s int) []Point {
	r2 := shellRadius2(fine, s)
	n := int(math.Sqrt(float64(r2))) + 1
	var out []Point
	for dx := -n; dx <= n; dx++ {
		for dy := -n; dy <= n; dy++ {
			if dx*dx+dy*dy == r2 {
				out = append(out, Point{dx, dy})
			}
		}
	}
	return out
}

// FromCoarse builds the consistent geometry of a set of coarse sites
// (docs/conventions.md §14): visible = every corner of their plaquettes,
// fine hidden = every edge, coarse hidden = their centres, in the order of
// sites given (each plaquette's corners c0..c3 and edges e0..e3 in turn,
// those not seen before), and every bond of shells 1..shells between them.
// periodI, periodJ > 0 make the coarse coordinates periodic (a torus; the
// sites are then taken modulo the periods).
func FromCoarse(name string, sites [][2]int, periodI, periodJ, shells int) (*Geometry, error) {
	if shells < 1 || shells > MaxShells {
		return nil, fmt.Errorf("block %s: %d coupling shells; 1 to %d are defined", name, shells, MaxShells)
	}
	for _, p := range [2]int{periodI, periodJ} {
		if p < 0 || p == 1 {
			return nil, fmt.Errorf("block %s: period %d; a periodic direction needs at least 2 coarse sites (one would join a plaquette's opposite corners), 0 leaves it open", name, p)
		}
	}
	if len(sites) == 0 {
		return nil, fmt.Errorf("block %s has no coarse sites", name)
	}
	g := &Geometry{Name: name, PeriodI: periodI, PeriodJ: periodJ, Shells: shells}
	vis := map[Point]int{}
	seen := map[Point]bool{}
	for _, s := range sites {
		c := g.Reduce(Centre(s[0], s[1]))
		if seen[c] {
			return nil, fmt.Errorf("block %s: coarse site (%d, %d) is given twice", name, s[0], s[1])
		}
		seen[c] = true
		g.CoarseHidden = append(g.CoarseHidden, c)
		ll := Point{c.X - centreOffset.X, c.Y - centreOffset.Y}
		for _, o := range cornerOffsets {
			p := g.Reduce(Point{ll.X + o.X, ll.Y + o.Y})
			if _, ok := vis[p]; !ok {
				vis[p] = len(g.Visible)
				g.Visible = append(g.Visible, p)
			}
		}
		for _, o := range edgeOffsets {
			g.FineHidden = append(g.FineHidden, g.Reduce(Point{ll.X + o.X, ll.Y + o.Y}))
		}
	}
	// every edge borders exactly one black plaquette, so no edge is shared
	// (a torus too small to keep them apart is refused above)
	for s := 1; s <= shells; s++ {
		for e, p := range g.FineHidden {
			for _, o := range shellOffsets(true, s) {
				if v, ok := vis[g.Reduce(Point{p.X + o.X, p.Y + o.Y})]; ok {
					g.FineBonds = append(g.FineBonds, Bond{Source: e, Target: v, Dir: direction(true, s, o), Shell: s})
				}
			}
		}
		for h, p := range g.CoarseHidden {
			// offsets are target − source: from the visible site to the centre
			for _, o := range shellOffsets(false, s) {
				if v, ok := vis[g.Reduce(Point{p.X - o.X, p.Y - o.Y})]; ok {
					g.CoarseBonds = append(g.CoarseBonds, Bond{Source: v, Target: h, Dir: direction(false, s, o), Shell: s})
				}
			}
		}
	}
	sortBonds(g.FineBonds, true)
	sortBonds(g.CoarseBonds, false)
	return g, nil
}

// sortBonds puts the bonds in a fixed order: by hidden site, shell,
// visible site and direction (a plaquette's fine bonds then read as the
// table of docs/conventions.md §5).
func sortBonds(b []Bond, fine bool) {
	key := func(x Bond) [4]int {
		if fine {
			return [4]int{x.Source, x.Shell, x.Target, x.Dir}
		}
		return [4]int{x.Target, x.Shell, x.Source, x.Dir}
	}
	less := func(x, y Bond) bool {
		kx, ky := key(x), key(y)
		for i := range kx {
			if kx[i] != ky[i] {
				return kx[i] < ky[i]
			}
		}
		return false
	}
	// insertion sort: bonds come nearly sorted, and the lists are short
	for i := 1; i < len(b); i++ {
		for j := i; j > 0 && less(b[j], b[j-1]); j-- {
			b[j], b[j-1] = b[j-1], b[j]
		}
	}
}

// Rectangle lists coarse sites 0 ≤ i < L, 0 ≤ j < M, row by row (j outer).
func Rectangle(L, M int) [][2]int {
	out := make([][2]int, 0, L*M)
	for j := 0; j < M; j++ {
		for i := 0; i < L; i++ {
			out = append(out, [2]int{i, j})
		}
	}
	return out
}

// Free is free:LxM, L×M coarse sites with a free boundary.
func Free(L, M, shells int) (*Geometry, error) {
	if err := checkSides("free", L, M); err != nil {
		return nil, err
	}
	return FromCoarse(fmt.Sprintf("free:%dx%d", L, M), Rectangle(L, M), 0, 0, shells)
}

// Torus is torus:LxM, L×M coarse sites periodic in i and j: 2LM visible
// spins, every visible site shared by two plaquettes.
func Torus(L, M, shells int) (*Geometry, error) {
	if err := checkSides("torus", L, M); err != nil {
		return nil, err
	}
	if L < 2 || M < 2 {
		return nil, fmt.Errorf("torus:%dx%d: a torus needs at least 2 coarse sites each way (with 1, a plaquette's corners c0 and c2 would be one site)", L, M)
	}
	return FromCoarse(fmt.Sprintf("torus:%dx%d", L, M), Rectangle(L, M), L, M, shells)
}

// Plaquette is the published block, free:1x1 under its own name.
func Plaquette(shells int) (*Geometry, error) {
	g, err := Free(1, 1, shells)
	if err != nil {
		return nil, err
	}
	g.Name = PlaquetteName
	return g, nil
}

func checkSides(kind string, L, M int) error {
	if L < 1 || M < 1 || L > MaxSide || M > MaxSide {
		return fmt.Errorf("%s:%dx%d: the sides must be between 1 and %d coarse sites", kind, L, M, MaxSide)
	}
	return nil
}

// Parse builds the named geometry: "plaquette", "free:LxM" or
// "torus:LxM", with the given number of coupling shells. free:1x1 is the
// plaquette, and named so.
func Parse(name string, shells int) (*Geometry, error) {
	name = strings.TrimSpace(name)
	if name == PlaquetteName || name == "" {
		return Plaquette(shells)
	}
	kind, size, ok := strings.Cut(name, ":")
	ls, ms, ok2 := strings.Cut(size, "x")
	L, err1 := strconv.Atoi(ls)
	M, err2 := strconv.Atoi(ms)
	if !ok || !ok2 || err1 != nil || err2 != nil || (kind != "free" && kind != "torus") {
		return nil, fmt.Errorf("unknown block %q: want plaquette, free:LxM or torus:LxM (L×M coarse sites, e.g. free:3x3)", name)
	}
	if kind == "free" {
		if L == 1 && M == 1 {
			return Plaquette(shells)
		}
		return Free(L, M, shells)
	}
	return Torus(L, M, shells)
}

// Names describes the geometries Parse knows, for flag help.
const Names = "plaquette (the published single block, = free:1x1), free:LxM (L×M coarse sites, free boundary) or torus:LxM (periodic)"

// Digest is a fingerprint of the geometry's sites, bonds, periods and
// shells (not its name): checkpoints keep it, so that a run resumed on a
// block plugin that now serves another geometry is refused.
func (g *Geometry) Digest() string {
	h := sha256.New()
	fmt.Fprintf(h, "periods %d %d shells %d\n", g.PeriodI, g.PeriodJ, g.Shells)
	for _, sites := range [][]Point{g.Visible, g.FineHidden, g.CoarseHidden} {
		fmt.Fprintf(h, "sites %v\n", sites)
	}
	for _, bonds := range [][]Bond{g.FineBonds, g.CoarseBonds} {
		fmt.Fprintf(h, "bonds %v\n", bonds)
	}
	return "sha256:" + hex.EncodeToString(h.Sum(nil))[:16]
}
