package geometry

import (
	"fmt"
)

// Validate checks that a geometry is consistent (docs/conventions.md §14):
// its coarse hidden sites are centres of distinct black plaquettes, its
// visible sites are exactly the corners of those plaquettes, its fine
// hidden sites exactly their edges (each edge borders one black plaquette,
// which must be in the patch), and its bonds exactly the shell-1 …
// shell-Shells bonds between them, with their directions. It is how a
// geometry that does not come from FromCoarse (a plugin's) is checked; the
// error names the first thing that is wrong.
func (g *Geometry) Validate() error {
	name := g.Name
	if name == "" {
		name = "(unnamed)"
	}
	fail := func(format string, args ...any) error {
		return fmt.Errorf("block %s: %s", name, fmt.Sprintf(format, args...))
	}
	if g.Shells < 1 || g.Shells > MaxShells {
		return fail("%d coupling shells; 1 to %d are defined", g.Shells, MaxShells)
	}
	if len(g.CoarseHidden) == 0 {
		return fail("no coarse hidden sites")
	}
	var sites [][2]int
	for k, p := range g.CoarseHidden {
		i, j, ok := Coarse(p)
		if !ok {
			return fail("coarse hidden site %d at %s is not the centre of a black plaquette (coarse sites sit at the centres of the plaquettes whose lower-left corner (x, y) has x + y even)", k, p)
		}
		sites = append(sites, [2]int{i, j})
	}
	want, err := FromCoarse(name, sites, g.PeriodI, g.PeriodJ, g.Shells)
	if err != nil {
		return err
	}
	vis, err := g.matchSites("visible", g.Visible, want.Visible, func(p Point) string {
		return fmt.Sprintf("%s is not a corner of any plaquette of the patch", p)
	})
	if err != nil {
		return fail("%v", err)
	}
	fine, err := g.matchSites("fine hidden", g.FineHidden, want.FineHidden, func(p Point) string {
		if (p.X+p.Y)%2 == 0 {
			return fmt.Sprintf("%s is not on an edge of the lattice (fine hidden sites sit on the middles of edges)", p)
		}
		c := blackPlaquetteOfEdge(p)
		i, j, _ := Coarse(c)
		return fmt.Sprintf("%s is on an edge whose black plaquette (coarse site (%d, %d), centre %s) is not in the patch", p, i, j, c)
	})
	if err != nil {
		return fail("%v", err)
	}
	coarse := make([]int, len(g.CoarseHidden))
	for k := range coarse {
		coarse[k] = k
	}
	if err := g.matchBonds("fine", g.FineBonds, want.FineBonds, len(g.FineHidden), len(g.Visible), fine, vis, g.FineHidden, g.Visible, want.FineHidden, want.Visible); err != nil {
		return fail("%v", err)
	}
	if err := g.matchBonds("coarse", g.CoarseBonds, want.CoarseBonds, len(g.Visible), len(g.CoarseHidden), vis, coarse, g.Visible, g.CoarseHidden, want.Visible, want.CoarseHidden); err != nil {
		return fail("%v", err)
	}
	return nil
}

// blackPlaquetteOfEdge is the centre of the one black plaquette that the
// edge through p (an edge middle) borders.
func blackPlaquetteOfEdge(p Point) Point {
	// the two plaquettes beside a horizontal edge lie above and below it,
	// beside a vertical one left and right; their centres are one step
	// away, and exactly one of them is black
	cands := [2]Point{{p.X, p.Y + 1}, {p.X, p.Y - 1}}
	if p.X%2 == 0 {
		cands = [2]Point{{p.X + 1, p.Y}, {p.X - 1, p.Y}}
	}
	if _, _, ok := Coarse(cands[0]); ok {
		return cands[0]
	}
	return cands[1]
}

// matchSites maps each of got's sites onto the index of the same site in
// want (positions compared on the torus), and fails on a site that want
// lacks (why says why), on a site given twice and on a site of want that
// got lacks.
func (g *Geometry) matchSites(kind string, got, want []Point, why func(Point) string) ([]int, error) {
	index := map[Point]int{}
	for k, p := range want {
		index[p] = k
	}
	out := make([]int, len(got))
	used := map[int]int{}
	for k, p := range got {
		w, ok := index[g.Reduce(p)]
		if !ok {
			return nil, fmt.Errorf("%s site %d at %s: %s", kind, k, p, why(p))
		}
		if prev, dup := used[w]; dup {
			return nil, fmt.Errorf("%s sites %d and %d are the same site %s", kind, prev, k, want[w])
		}
		used[w] = k
		out[k] = w
	}
	for k, p := range want {
		if _, ok := used[k]; !ok {
			return nil, fmt.Errorf("the patch's %s site at %s is missing (every corner of its plaquettes is visible, every edge a fine hidden site)", kind, p)
		}
	}
	return out, nil
}

// matchBonds compares two bond lists as multisets, the sources and targets
// of got mapped through src and tgt onto want's indices.
func (g *Geometry) matchBonds(kind string, got, want []Bond, nSrc, nTgt int, src, tgt []int, gotSrc, gotTgt, wantSrc, wantTgt []Point) error {
	type key struct{ s, t, dir, shell int }
	count := map[key]int{}
	for _, b := range want {
		count[key{b.Source, b.Target, b.Dir, b.Shell}]++
	}
	for k, b := range got {
		if b.Source < 0 || b.Source >= nSrc || b.Target < 0 || b.Target >= nTgt {
			return fmt.Errorf("%s bond %d joins sites %d and %d, outside the %d sources and %d targets", kind, k, b.Source, b.Target, nSrc, nTgt)
		}
		kk := key{src[b.Source], tgt[b.Target], b.Dir, b.Shell}
		if count[kk] > 0 {
			count[kk]--
			continue
		}
		// say what is wrong with it: given too often, a direction, or no
		// such bond at all
		if _, ok := count[kk]; ok {
			return fmt.Errorf("%s bond %d from %s to %s (shell %d, direction %d) is given more often than the patch has it", kind, k, gotSrc[b.Source], gotTgt[b.Target], b.Shell, b.Dir)
		}
		for _, w := range want {
			if w.Source == kk.s && w.Target == kk.t && w.Shell == b.Shell {
				return fmt.Errorf("%s bond %d from %s to %s (shell %d) has direction %d; docs/conventions.md §14 gives %d", kind, k, gotSrc[b.Source], gotTgt[b.Target], b.Shell, b.Dir, w.Dir)
			}
		}
		return fmt.Errorf("%s bond %d from %s to %s (shell %d, direction %d) is not a bond of the patch", kind, k, gotSrc[b.Source], gotTgt[b.Target], b.Shell, b.Dir)
	}
	for _, w := range want {
		kk := key{w.Source, w.Target, w.Dir, w.Shell}
		if count[kk] > 0 {
			return fmt.Errorf("%s bond from %s to %s (shell %d, direction %d) is missing", kind, wantSrc[w.Source], wantTgt[w.Target], w.Shell, w.Dir)
		}
	}
	return nil
}
