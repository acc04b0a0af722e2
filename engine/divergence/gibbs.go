package divergence

import (
	"fmt"
	"math"

	"github.com/rgflow/rgflow/engine/geometry"
	"github.com/rgflow/rgflow/kernels"
)

// Block Gibbs sampling of any geometry's fine and coarse blocks, for the
// contrastive divergence (docs/conventions.md §8). Both blocks are
// bipartite — every bond joins a hidden site (fine: an edge site; coarse:
// a centre) to a visible one — so a sweep draws all hidden sites given the
// visible ones, then all visible sites given the hidden ones. Given its
// neighbours a site's spins are independent: spin k is +1 with
// probability σ(2f_k) = (1 + tanh f_k)/2 in its field f, the sum over the
// site's bonds of a table entry indexed by the state of the bond's other
// end. The tables come from the same bond fields as the divergence's
// (Pair.bondField): a bond's field on its hidden site is the divergence's,
// its field on its visible site the transpose.
//
// The plaquette keeps its SIMD kernels (engine/gibbs.go, kernels/gibbs.go);
// these are the general ones, pure Go, vectorised over the chains (the
// inner loops run over the chains of one site).
//
// Random numbers. Every word is addressed, as in kernels/gibbs.go: word i
// of the stream keyed by K is kernels.Rand(K, i) (SplitMix64 read at
// position i). A position's high 32 bits name a sub-stream, phase·n + site
// with n the sites of the geometry (visible sites 0 … V−1, then the fine
// hidden sites, then the centres) and the phases of kernels/gibbs.go
// (kernels.StartPhase: the uniform start of the visible sites;
// kernels.FinePhase(t): fine step t's hidden sites, and the next phase its
// visible ones; kernels.CoarsePhase(k, t): coarse step t's centres, and
// the next its visible sites); its low 32 bits index the words: the
// uniform start of chain c reads the low d bits of word c, and the draw of
// spin k of chain c the 53-bit uniform u of word c·d + k, the spin being
// −1 (state bit k set) when u ≥ 0.5 + 0.5·tanh f_k (kernels.LcTanh's
// tanh). A chain's samples therefore depend on the key, the couplings and
// its index only: never on the number of goroutines, and they are the
// same bits on every kernel path.

// Gibbs holds N block-Gibbs chains of a Pair's blocks: their site states
// and the conditional tables of the couplings last tabulated.
type Gibbs struct {
	p *Pair
	N int
	// Visible holds the visible sites' states, [site][chain]; fine and
	// coarse the hidden sites'.
	Visible      [][]uint8
	fine, coarse [][]uint8

	fineBonds, coarseBonds []gibbsBond
	// the bonds (indices into coarseBonds) of each centre
	coarseOf               [][]int
	fineKinds, coarseKinds []bondKind
	// the four halves of the two sweeps: fine hidden sites, fine visible
	// sites, centres, coarse visible sites
	fineHid, fineVis, coarseHid, coarseVis half

	field, th []float64 // N·d each, chain-major: [c·d + k]
	rows      []int     // N: each chain's row of a threshold table
	sites     int       // visible, fine hidden and coarse hidden sites
	gather    bool      // every site by its fields (tests: the tables' twin)
}

// gibbsBond is one bond: its hidden and visible site and its kind.
type gibbsBond struct{ hidden, visible, kind int }

// bondKind is what a bond's tables depend on: its direction and shell.
// toHidden[(s·c+a)·d+k] and toVisible are ∂/∂J_a of the field the bond
// puts on its hidden site when its visible one is in state s, and on its
// visible site when its hidden one is; hid and vis hold them contracted
// with the couplings last tabulated, [s·d+k].
type bondKind struct {
	toHidden, toVisible []float64
	hid, vis            []float64
}

// half is the sites one half of a sweep draws, all given the other side.
type half struct {
	kinds   *[]bondKind
	hidden  bool // the sites are hidden: their bonds' tables are hid, else vis
	sites   []drawSite
	classes []drawClass
}

// drawSite is one site to draw: its states, its sub-stream's site number,
// and per bond, in the geometry's order, the bond's kind and the states of
// its other end; class indexes the half's threshold tables (−1: the site's
// neighbourhood is too large to tabulate, its fields are gathered chain by
// chain).
type drawSite struct {
	dst    []uint8
	stream int
	kinds  []int
	nbr    [][]uint8
	class  int
}

// drawClass is the threshold table of the sites whose bonds have the same
// kinds in the same order: for every configuration x = Σ_j s_j·2^{d·j} of
// the bonds' other ends, q[x·d+k] = 0.5 + 0.5·tanh f_k(x), the field
// f_k(x) summed over the bonds in order (the same additions as a gathered
// field, so that either way draws the same bits).
type drawClass struct {
	kinds []int
	q     []float64
}

// MaxDrawTable bounds a threshold table's entries (2^{d·bonds}·d); a site
// with more neighbours has its fields gathered chain by chain instead.
const MaxDrawTable = 1 << 16

// MaxGibbsWords bounds the words of a sub-stream, N·d: the low 32 bits of
// a position.
const MaxGibbsWords = 1 << 32

// NewGibbs prepares n chains of the pair's blocks.
func (p *Pair) NewGibbs(n int) (*Gibbs, error) {
	if p.D > 8 {
		return nil, fmt.Errorf("cd: %d spins per site is more than the sampler's 8", p.D)
	}
	if n < 1 || float64(n)*float64(p.D) >= MaxGibbsWords {
		return nil, fmt.Errorf("cd: %d chains of %d spins a site do not fit the random streams (at most 2^32 words a site and step)", n, p.D)
	}
	geo := p.Geometry
	V := len(geo.Visible)
	g := &Gibbs{p: p, N: n, sites: V + len(geo.FineHidden) + len(geo.CoarseHidden)}
	states := func(k int) [][]uint8 {
		out := make([][]uint8, k)
		for i := range out {
			out[i] = make([]uint8, n)
		}
		return out
	}
	g.Visible, g.fine, g.coarse = states(V), states(len(geo.FineHidden)), states(len(geo.CoarseHidden))
	g.field, g.th, g.rows = make([]float64, n*p.D), make([]float64, n*p.D), make([]int, n)
	build := func(fine bool, bonds []geometry.Bond, hidden [][]uint8, first int) ([]gibbsBond, []bondKind, [][]int, half, half) {
		var out []gibbsBond
		var kinds []bondKind
		index := map[[2]int]int{}
		of, vis := make([][]int, len(hidden)), make([][]int, V)
		for i, b := range bonds {
			gb := gibbsBond{hidden: b.Source, visible: b.Target}
			if !fine {
				gb = gibbsBond{hidden: b.Target, visible: b.Source}
			}
			key := [2]int{b.Dir % 4, b.Shell}
			if b.Shell > 1 {
				key[0] = 0 // d = 1 beyond the first shell: directions do not act
			}
			k, ok := index[key]
			if !ok {
				k = len(kinds)
				index[key] = k
				kinds = append(kinds, bondKind{toHidden: p.bondField(fine, b, fine), toVisible: p.bondField(fine, b, !fine),
					hid: make([]float64, p.S*p.D), vis: make([]float64, p.S*p.D)})
			}
			gb.kind = k
			out = append(out, gb)
			of[gb.hidden] = append(of[gb.hidden], i)
			vis[gb.visible] = append(vis[gb.visible], i)
		}
		hid, vh := half{hidden: true}, half{}
		for h, which := range of {
			hid.add(p, drawSite{dst: hidden[h], stream: first + h}, which, out, func(b gibbsBond) []uint8 { return g.Visible[b.visible] })
		}
		for v, which := range vis {
			vh.add(p, drawSite{dst: g.Visible[v], stream: v}, which, out, func(b gibbsBond) []uint8 { return hidden[b.hidden] })
		}
		return out, kinds, of, hid, vh
	}
	g.fineBonds, g.fineKinds, _, g.fineHid, g.fineVis = build(true, geo.FineBonds, g.fine, V)
	g.coarseBonds, g.coarseKinds, g.coarseOf, g.coarseHid, g.coarseVis = build(false, geo.CoarseBonds, g.coarse, V+len(geo.FineHidden))
	g.fineHid.kinds, g.fineVis.kinds = &g.fineKinds, &g.fineKinds
	g.coarseHid.kinds, g.coarseVis.kinds = &g.coarseKinds, &g.coarseKinds
	return g, nil
}

// add appends a site drawn through the bonds which (indices into bonds),
// whose other ends' states other gives, to its class.
func (h *half) add(p *Pair, s drawSite, which []int, bonds []gibbsBond, other func(gibbsBond) []uint8) {
	key := ""
	for _, i := range which {
		b := bonds[i]
		s.kinds = append(s.kinds, b.kind)
		s.nbr = append(s.nbr, other(b))
		key += fmt.Sprintf("%d,", b.kind)
	}
	s.class = -1
	if bits := p.D * len(which); bits < 31 && (1<<bits)*p.D <= MaxDrawTable {
		for i, c := range h.classes {
			if fmt.Sprint(c.kinds) == fmt.Sprint(s.kinds) {
				s.class = i
			}
		}
		if s.class < 0 {
			s.class = len(h.classes)
			h.classes = append(h.classes, drawClass{kinds: s.kinds, q: make([]float64, (1<<bits)*p.D)})
		}
	}
	h.sites = append(h.sites, s)
}

// CheckSteps reports whether kFine fine and kCoarse coarse steps fit the
// random streams: every (phase, site) needs a sub-stream of its own.
func (g *Gibbs) CheckSteps(kFine, kCoarse int) error {
	phases := float64(kernels.CoarsePhase(kFine, kCoarse)) + 1
	if phases*float64(g.sites) >= 1<<32 {
		return fmt.Errorf("cd: %d fine and %d coarse steps on the %d sites of block %s need more than the 2^32 random sub-streams a trajectory has", kFine, kCoarse, g.sites, g.p.Geometry.Name)
	}
	return nil
}

// base is the first position of the sub-stream of site in phase.
func (g *Gibbs) base(phase, site int) uint64 { return uint64(phase*g.sites+site) << 32 }

// tabulate contracts the kinds' tables with the couplings K, then fills
// the threshold tables of the halves.
func (g *Gibbs) tabulate(kinds []bondKind, K []float64, halves ...*half) {
	c, d, S := g.p.C, g.p.D, g.p.S
	for i := range kinds {
		k := &kinds[i]
		for _, t := range [2]struct{ src, dst []float64 }{{k.toHidden, k.hid}, {k.toVisible, k.vis}} {
			for s := 0; s < S; s++ {
				for m := 0; m < d; m++ {
					x := 0.0
					for a := 0; a < c; a++ {
						x += K[a] * t.src[(s*c+a)*d+m]
					}
					t.dst[s*d+m] = x
				}
			}
		}
	}
	for _, h := range halves {
		for ci := range h.classes {
			cl := &h.classes[ci]
			f := make([]float64, d)
			for x := 0; x < len(cl.q)/d; x++ {
				clear(f)
				for j, kind := range cl.kinds {
					s := x >> (d * j) & (S - 1)
					t := h.table(kind)[s*d : s*d+d]
					for k, v := range t {
						f[k] += v
					}
				}
				for k, v := range f {
					_, th := kernels.LcTanh(v)
					cl.q[x*d+k] = 0.5 + float64(0.5*th)
				}
			}
		}
	}
}

// table is a bond kind's field table for the sites of the half.
func (h *half) table(kind int) []float64 {
	if h.hidden {
		return (*h.kinds)[kind].hid
	}
	return (*h.kinds)[kind].vis
}

// drawHalf draws every site of a half in the phase's sub-streams.
func (g *Gibbs) drawHalf(h *half, key uint64, phase int) {
	d := g.p.D
	for si := range h.sites {
		s := &h.sites[si]
		x := key + g.base(phase, s.stream)*kernels.Gamma
		if s.class < 0 || g.gather {
			g.fields(h, s)
			for i, f := range g.field {
				_, t := kernels.LcTanh(f)
				g.th[i] = 0.5 + float64(0.5*t)
			}
			drawFrom(s.dst, g.th, d, x)
			continue
		}
		dst := s.dst
		rows := g.rows[:len(dst)]
		if len(s.nbr) == 0 {
			clear(rows)
		} else {
			copyStates(rows, s.nbr[0])
		}
		for j, st := range s.nbr[min(1, len(s.nbr)):] {
			shift := uint(d*(j+1)) & 63
			st = st[:len(rows)]
			for c, v := range st {
				rows[c] |= int(v) << shift
			}
		}
		q := h.classes[s.class].q
		if d == 1 {
			for c, r := range rows {
				x += kernels.Gamma
				u := float64(kernels.Mix64(x)>>11) * 0x1p-53
				var b uint8
				if u >= q[r] {
					b = 1
				}
				dst[c] = b
			}
			continue
		}
		for c, r := range rows {
			st := uint8(0)
			row := q[r*d : r*d+d]
			for k, qk := range row {
				x += kernels.Gamma
				if float64(kernels.Mix64(x)>>11)*0x1p-53 >= qk {
					st |= 1 << k
				}
			}
			dst[c] = st
		}
	}
}

// copyStates sets rows[c] to the states st[c].
func copyStates(rows []int, st []uint8) {
	st = st[:len(rows)]
	for c, v := range st {
		rows[c] = int(v)
	}
}

// drawFrom draws dst[c], spin k −1 (bit k set) when the uniform of its
// word is at least q[c·d+k]; x is the stream's counter before the first
// word.
func drawFrom(dst []uint8, q []float64, d int, x uint64) {
	for c := range dst {
		st := uint8(0)
		for k := 0; k < d; k++ {
			x += kernels.Gamma
			if float64(kernels.Mix64(x)>>11)*0x1p-53 >= q[c*d+k] {
				st |= 1 << k
			}
		}
		dst[c] = st
	}
}

// fields sets g.field to the fields on a site, chain by chain: the sum
// over its bonds, in order, of the table entries of the other ends'
// states.
func (g *Gibbs) fields(h *half, s *drawSite) {
	d := g.p.D
	clear(g.field)
	for j, st := range s.nbr {
		t := h.table(s.kinds[j])
		if d == 1 {
			f := g.field[:len(st)]
			for c, v := range st {
				f[c] += t[v]
			}
			continue
		}
		for c, v := range st {
			row := t[int(v)*d : int(v)*d+d]
			f := g.field[c*d : c*d+d]
			for k, x := range row {
				f[k] += x
			}
		}
	}
}

// RunFine draws the visible sites uniformly and runs kFine block-Gibbs
// steps of the fine block at J, reading the stream of key.
func (g *Gibbs) RunFine(J []float64, key uint64, kFine int) {
	g.p.check(J, J)
	g.tabulate(g.fineKinds, J, &g.fineHid, &g.fineVis)
	mask := uint8(1)<<g.p.D - 1
	for v, st := range g.Visible {
		x := key + g.base(kernels.StartPhase, v)*kernels.Gamma
		for c := range st {
			x += kernels.Gamma
			st[c] = uint8(kernels.Mix64(x)) & mask
		}
	}
	for t := 0; t < kFine; t++ {
		g.drawHalf(&g.fineHid, key, kernels.FinePhase(t))
		g.drawHalf(&g.fineVis, key, kernels.FinePhase(t)+1)
	}
}

// TabulateCoarse sets the coarse block's tables to J′.
func (g *Gibbs) TabulateCoarse(Jp []float64) {
	g.p.check(Jp, Jp)
	g.tabulate(g.coarseKinds, Jp, &g.coarseHid, &g.coarseVis)
}

// RunCoarse runs kCoarse block-Gibbs steps of the coarse block at the
// tabulated J′ (TabulateCoarse) from the visible states as they are, the
// steps after kFine fine ones in the stream of key.
func (g *Gibbs) RunCoarse(key uint64, kFine, kCoarse int) {
	for t := 0; t < kCoarse; t++ {
		g.drawHalf(&g.coarseHid, key, kernels.CoarsePhase(kFine, t))
		g.drawHalf(&g.coarseVis, key, kernels.CoarsePhase(kFine, t)+1)
	}
}

// CoarseStats returns Σ_chains log w_c(v) = Σ_chains Σ_centres Σ_k lc(φ_k)
// for the visible states as they are, at the tabulated J′, φ the field on
// each centre; when grad is not nil it adds sign·Σ_chains ∂ log w_c/∂J′_a
// = sign·Σ tanh(φ_k) ∂φ_k/∂J′_a to grad[a].
func (g *Gibbs) CoarseStats(grad []float64, sign float64) float64 {
	c, d, S := g.p.C, g.p.D, g.p.S
	var acc [][]float64 // per coarse kind: Σ sign·tanh φ_k over the bonds' visible states, [s·d+k]
	if grad != nil {
		acc = make([][]float64, len(g.coarseKinds))
		for i := range acc {
			acc[i] = make([]float64, S*d)
		}
	}
	sum := 0.0
	for h := range g.coarseHid.sites {
		g.fields(&g.coarseHid, &g.coarseHid.sites[h])
		for i, f := range g.field {
			l, t := kernels.LcTanh(f)
			sum += l
			g.th[i] = t
		}
		if grad == nil {
			continue
		}
		for _, i := range g.coarseOf[h] {
			b := g.coarseBonds[i]
			a := acc[b.kind]
			for ch, s := range g.Visible[b.visible] {
				row := a[int(s)*d : int(s)*d+d]
				for k := range row {
					row[k] += sign * g.th[ch*d+k]
				}
			}
		}
	}
	for i, a := range acc {
		T := g.coarseKinds[i].toHidden
		for s := 0; s < S; s++ {
			for k := 0; k < d; k++ {
				w := a[s*d+k]
				if w == 0 {
					continue
				}
				for j := 0; j < c; j++ {
					grad[j] += w * T[(s*c+j)*d+k]
				}
			}
		}
	}
	return sum
}

// LogWeights returns log w(v) of the fine block at K (fine) or of the
// coarse block at K for every visible configuration, indexed by
// v = Σ_i s_i·S^i over the visible sites i in the geometry's order: the
// unnormalised log-probabilities that the Gibbs chains sample, for checks
// (at most 2^22 configurations).
func (p *Pair) LogWeights(K []float64, fine bool) ([]float64, error) {
	p.check(K, K)
	n := len(p.Geometry.Visible)
	if bits := p.D * n; bits > 22 {
		return nil, fmt.Errorf("divergence: %s with %s has 2^%d visible configurations, more than LogWeights' 2^22", p.Geometry.Name, p.Rep.Name, bits)
	}
	factors := p.coarse
	if fine {
		factors = p.fine
	}
	tables := make([]table, len(p.classes))
	done := make([]bool, len(p.classes))
	out := make([]float64, 1<<(p.D*n))
	for x := range out {
		sum := 0.0
		for _, f := range factors {
			if !done[f.class] {
				tables[f.class] = p.classTable(p.classes[f.class], K, false, false)
				done[f.class] = true
			}
			local := 0
			for m, v := range f.scope {
				local |= (x >> (p.D * v) & (p.S - 1)) << (p.D * m)
			}
			sum += tables[f.class].lw[local]
		}
		out[x] = sum
		if math.IsNaN(sum) {
			return nil, fmt.Errorf("divergence: log-weight NaN at configuration %d", x)
		}
	}
	return out, nil
}
