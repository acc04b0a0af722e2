package divergence

import (
	"context"
	"fmt"
	"math"
	"sort"

	"github.com/rgflow/rgflow/engine/geometry"
	"github.com/rgflow/rgflow/internal/workpool"
)

// The transfer matrix: the visible sites are added one at a time in a
// sweep order; a factor is multiplied in as soon as its last site is
// there, and a site is summed out as soon as its last factor is in. The
// sites carried at once are the frontier; the contraction carries a tensor
// over the frontier's joint states whose entries are jets (truncated
// Taylor series, layout), rescaled after every step so that nothing
// overflows.

// plan is the schedule of one contraction.
type plan struct {
	S, d  int
	steps []step
	width int     // the most sites carried at once
	cost  float64 // Σ over steps of the states visited, S^{|mid|}
}

// step adds one visible site. mid is the frontier with the new site
// appended (positions 0…len−2 are the previous frontier's slots, in order);
// the factors whose last site it is are multiplied in over union (their
// sites, as positions in mid, ascending; fpos[f][m] is the position in
// union of factor f's m-th scope site); then the sites at positions sum of
// mid are summed out and keep (ascending) become the next frontier.
type step struct {
	mid     []int
	factors []int
	union   []int
	fpos    [][]int
	sum     []int
	keep    []int
}

// makePlan schedules a contraction of the factors (their scopes) along
// the order of visible sites.
func makePlan(S, d int, order []int, scopes [][]int) plan {
	n := len(order)
	pos := make([]int, n)
	for q, v := range order {
		pos[v] = q
	}
	last := make([]int, len(scopes))
	lastUse := make([]int, n) // by position: the step after which the site is summed out
	for q := range lastUse {
		lastUse[q] = q
	}
	for f, sc := range scopes {
		for _, v := range sc {
			last[f] = max(last[f], pos[v])
		}
		for _, v := range sc {
			lastUse[pos[v]] = max(lastUse[pos[v]], last[f])
		}
	}
	completes := make([][]int, n)
	for f := range scopes {
		completes[last[f]] = append(completes[last[f]], f)
	}
	pl := plan{S: S, d: d}
	var frontier []int // visible sites
	for q, v := range order {
		st := step{mid: append(append([]int(nil), frontier...), v), factors: completes[q]}
		at := map[int]int{}
		for i, u := range st.mid {
			at[u] = i
		}
		inUnion := map[int]bool{}
		for _, f := range st.factors {
			for _, u := range scopes[f] {
				inUnion[at[u]] = true
			}
		}
		for i := range st.mid {
			if inUnion[i] {
				st.union = append(st.union, i)
			}
		}
		for _, f := range st.factors {
			fp := make([]int, len(scopes[f]))
			for m, u := range scopes[f] {
				fp[m] = sort.SearchInts(st.union, at[u])
			}
			st.fpos = append(st.fpos, fp)
		}
		frontier = frontier[:0]
		for i, u := range st.mid {
			if lastUse[pos[u]] == q {
				st.sum = append(st.sum, i)
			} else {
				st.keep = append(st.keep, i)
				frontier = append(frontier, u)
			}
		}
		pl.width = max(pl.width, len(st.mid))
		pl.cost += math.Pow(float64(S), float64(len(st.mid)))
		pl.steps = append(pl.steps, st)
	}
	return pl
}

// sweepOrders are the candidate orders of the visible sites: the coarse
// sites row by row along i or along j, forwards or backwards, each
// plaquette's corners (c0…c3) added when the sweep first reaches them.
func sweepOrders(g *geometry.Geometry) [][]int {
	type ij struct{ i, j, h int }
	var cs []ij
	for h, p := range g.CoarseHidden {
		i, j, _ := geometry.Coarse(p)
		cs = append(cs, ij{i, j, h})
	}
	corners := make([][]int, len(g.CoarseHidden))
	for _, b := range g.CoarseBonds {
		if b.Shell == 1 {
			corners[b.Target] = append(corners[b.Target], b.Source)
		}
	}
	keys := []func(a ij) [2]int{
		func(a ij) [2]int { return [2]int{a.j, a.i} },
		func(a ij) [2]int { return [2]int{a.i, a.j} },
		func(a ij) [2]int { return [2]int{-a.j, -a.i} },
		func(a ij) [2]int { return [2]int{-a.i, -a.j} },
	}
	var out [][]int
	for _, key := range keys {
		sorted := append([]ij(nil), cs...)
		sort.SliceStable(sorted, func(x, y int) bool {
			kx, ky := key(sorted[x]), key(sorted[y])
			return kx[0] < ky[0] || kx[0] == ky[0] && kx[1] < ky[1]
		})
		seen := make([]bool, len(g.Visible))
		var order []int
		for _, a := range sorted {
			for _, v := range corners[a.h] {
				if !seen[v] {
					seen[v] = true
					order = append(order, v)
				}
			}
		}
		for v := range seen { // none in a consistent patch
			if !seen[v] {
				order = append(order, v)
			}
		}
		out = append(out, order)
	}
	return out
}

// greedyOrder builds an order one site at a time: of the sites that share
// a factor with the frontier (any site while it is empty), the one after
// whose addition the most sites can be summed out, then the one with the
// most factors already begun, then the earliest in the sweep. Long-range
// factors (coupling shells beyond the first) keep a sweep's frontier
// open across rows; the greedy order closes them as it goes.
func greedyOrder(n int, scopes [][]int, sweep []int) []int {
	rank := make([]int, n)
	for q, v := range sweep {
		rank[v] = q
	}
	factorsOf := make([][]int, n)
	missing := make([]int, len(scopes)) // sites of a factor not yet added
	for f, sc := range scopes {
		missing[f] = len(sc)
		for _, v := range sc {
			factorsOf[v] = append(factorsOf[v], f)
		}
	}
	open := make([]int, n) // factors of a site not yet complete
	for v := range open {
		open[v] = len(factorsOf[v])
	}
	added, inFrontier := make([]bool, n), make([]bool, n)
	dec := make([]int, n)
	frontier := 0
	order := make([]int, 0, n)
	for len(order) < n {
		best, bestGain, bestBegun := -1, -1, -1
		for v := 0; v < n; v++ {
			if added[v] {
				continue
			}
			begun := 0
			for _, f := range factorsOf[v] {
				if missing[f] < len(scopes[f]) {
					begun++
				}
			}
			if frontier > 0 && begun == 0 {
				continue
			}
			// the sites summed out if v comes next
			var touched []int
			for _, f := range factorsOf[v] {
				if missing[f] == 1 {
					for _, u := range scopes[f] {
						if dec[u] == 0 {
							touched = append(touched, u)
						}
						dec[u]++
					}
				}
			}
			gain := 0
			if open[v] == dec[v] {
				gain++
			}
			for _, u := range touched {
				if u != v && inFrontier[u] && open[u] == dec[u] {
					gain++
				}
			}
			for _, u := range touched {
				dec[u] = 0
			}
			if gain > bestGain || gain == bestGain && (begun > bestBegun || begun == bestBegun && rank[v] < rank[best]) {
				best, bestGain, bestBegun = v, gain, begun
			}
		}
		v := best
		added[v], inFrontier[v] = true, true
		frontier++
		order = append(order, v)
		for _, f := range factorsOf[v] {
			missing[f]--
			if missing[f] == 0 {
				for _, u := range scopes[f] {
					open[u]--
				}
			}
		}
		for u := range inFrontier {
			if inFrontier[u] && open[u] == 0 {
				inFrontier[u] = false
				frontier--
			}
		}
	}
	return order
}

// makePlans picks the sweep order whose fine contraction (the heavier:
// it carries the coarse factors too) costs least, and schedules both
// blocks along it.
func (p *Pair) makePlans() error {
	var fineScopes, coarseScopes [][]int
	for _, f := range p.fine {
		fineScopes = append(fineScopes, f.scope)
	}
	for _, f := range p.coarse {
		fineScopes = append(fineScopes, f.scope)
		coarseScopes = append(coarseScopes, f.scope)
	}
	best := -1.0
	var orders [][]int
	for _, sweep := range sweepOrders(p.Geometry) {
		orders = append(orders, sweep, greedyOrder(len(p.Geometry.Visible), fineScopes, sweep))
	}
	for _, order := range orders {
		pl := makePlan(p.S, p.D, order, fineScopes)
		if best < 0 || pl.cost < best {
			best, p.order, p.finePlan = pl.cost, order, pl
		}
	}
	p.coarsePlan = makePlan(p.S, p.D, p.order, coarseScopes)
	if states := math.Pow(float64(p.S), float64(p.finePlan.width)); states > MaxFrontierStates && p.D*len(p.order) > MaxEnumerateBits {
		return fmt.Errorf("block %s with %s: too large to sum exactly — the transfer matrix would carry %d sites at once (%.3g states, at most %d), and the enumeration would visit 2^%d configurations (at most 2^%d)",
			p.Geometry.Name, p.Rep.Name, p.finePlan.width, states, MaxFrontierStates, p.D*len(p.order), MaxEnumerateBits)
	}
	return nil
}

// layout is a jet: component 0 is the value, every other component k a
// coefficient of a monomial, first-order ones multiplying as
// z_k = x_0 y_k + x_k y_0, and the second-order ones of cross, (k, i, j):
// z_k += x_i y_j.
type layout struct {
	n     int
	cross [][3]int
}

// mulAcc adds x⊗y to z.
func (l *layout) mulAcc(z, x, y []float64) {
	x0, y0 := x[0], y[0]
	z[0] += x0 * y0
	z, x, y = z[:l.n], x[:l.n], y[:l.n]
	for k := 1; k < len(z); k++ {
		z[k] += x0*y[k] + x[k]*y0
	}
	for _, t := range l.cross {
		z[t[0]] += x[t[1]] * y[t[2]]
	}
}

// fineLayout is the fine contraction's jet: the value (w_f), the tilts by
// log w_f, log w_c, g_a and (second order) h_ab whose coefficients become
// E_f of those, and (mixed) the derivatives in J_b with the products
// t(g_a)·∂_{J_b}, whose coefficients give Cov_f(g_a, u_b).
type fineLayout struct {
	layout
	tf, tc, tg, th, dl, tgd int // offsets; −1 when absent
}

func newFineLayout(c int, second, mixed bool) fineLayout {
	l := fineLayout{tf: 1, tc: 2, tg: 3, th: -1, dl: -1, tgd: -1}
	n := 3 + c
	if second {
		l.th = n
		n += c * (c + 1) / 2
	}
	if mixed {
		l.dl = n
		n += c
		l.tgd = n
		n += c * c
		for a := 0; a < c; a++ {
			for b := 0; b < c; b++ {
				k := l.tgd + a*c + b
				l.cross = append(l.cross, [3]int{k, l.tg + a, l.dl + b}, [3]int{k, l.dl + b, l.tg + a})
			}
		}
	}
	l.n = n
	return l
}

// coarseLayout is the coarse contraction's jet: Z_c and its Taylor
// coefficients in J′ to first (ε_a) or second order (ε_a ε_b, a ≤ b).
type coarseLayout struct {
	layout
	m int // offset of the second-order monomials; −1 when absent
}

func newCoarseLayout(c int, second bool) coarseLayout {
	l := coarseLayout{m: -1}
	n := 1 + c
	if second {
		l.m = n
		for a := 0; a < c; a++ {
			for b := a; b < c; b++ {
				k := n + triangle(a, b, c)
				l.cross = append(l.cross, [3]int{k, 1 + a, 1 + b})
				if a != b {
					l.cross = append(l.cross, [3]int{k, 1 + b, 1 + a})
				}
			}
		}
		n += c * (c + 1) / 2
	}
	l.n = n
	return l
}

// contract runs the plan with each factor's jet table (tabs[f], S^{m}
// jets of lay.n, m its scope size) and returns the final jet and the log
// of the scale taken out of it.
func (pl *plan) contract(ctx context.Context, lay *layout, tabs [][]float64, workers int) ([]float64, float64) {
	n, S, d := lay.n, pl.S, uint(pl.d)
	T := make([]float64, n)
	T[0] = 1
	logScale := 0.0
	var spare []float64
	unit := make([]float64, n)
	unit[0] = 1
	tmp := make([]float64, n)
	for _, st := range pl.steps {
		if ctx.Err() != nil {
			return nil, 0 // the caller returns ctx's error
		}
		// the product of the step's factors over their union
		nu := 1 << (d * uint(len(st.union)))
		C := unit
		if len(st.factors) > 0 {
			C = make([]float64, nu*n)
			for u := 0; u < nu; u++ {
				z := C[u*n : (u+1)*n]
				copy(z, unit)
				for fi, f := range st.factors {
					x := 0
					for m, up := range st.fpos[fi] {
						x |= ((u >> (d * uint(up))) & (S - 1)) << (d * uint(m))
					}
					clear(tmp)
					lay.mulAcc(tmp, z, tabs[f][x*n:(x+1)*n])
					copy(z, tmp)
				}
			}
		}
		// strides of the mid positions in the previous tensor and in C
		nm := len(st.mid)
		oldStride := make([]int, nm)
		uStride := make([]int, nm)
		for i := 0; i < nm-1; i++ {
			oldStride[i] = 1 << (d * uint(i))
		}
		for k, i := range st.union {
			uStride[i] = 1 << (d * uint(k))
		}
		ns := 1 << (d * uint(len(st.sum)))
		offOld, offU := make([]int, ns), make([]int, ns)
		for xs := 0; xs < ns; xs++ {
			for k, i := range st.sum {
				dig := (xs >> (d * uint(k))) & (S - 1)
				offOld[xs] += dig * oldStride[i]
				offU[xs] += dig * uStride[i]
			}
		}
		size := 1 << (d * uint(len(st.keep)))
		if cap(spare) < size*n {
			spare = make([]float64, size*n)
		}
		out := spare[:size*n]
		clear(out)
		chunk := max(1, (1<<14)/(n*ns))
		chunks := (size + chunk - 1) / chunk
		w := workers
		if size*ns*n < 1<<13 {
			w = 1
		}
		workpool.For(chunks, w, func(ch int) {
			lo, hi := ch*chunk, min(size, (ch+1)*chunk)
			for e := lo; e < hi; e++ {
				bo, bu := 0, 0
				for k, i := range st.keep {
					dig := (e >> (d * uint(k))) & (S - 1)
					bo += dig * oldStride[i]
					bu += dig * uStride[i]
				}
				z := out[e*n : (e+1)*n]
				for xs := 0; xs < ns; xs++ {
					o, u := bo+offOld[xs], bu+offU[xs]
					lay.mulAcc(z, T[o*n:(o+1)*n], C[u*n:(u+1)*n])
				}
			}
		})
		// rescale by the largest value (every value is positive)
		mx := 0.0
		for e := 0; e < size; e++ {
			mx = math.Max(mx, out[e*n])
		}
		if mx > 0 && !math.IsInf(mx, 0) {
			inv := 1 / mx
			for i := range out {
				out[i] *= inv
			}
			logScale += math.Log(mx)
		}
		spare, T = T, out
	}
	return append([]float64(nil), T[:n]...), logScale
}

// transfer evaluates the derivatives by contracting both blocks.
func (p *Pair) transfer(ctx context.Context, J, Jp []float64, second, mixed bool, workers int) (Derivatives, error) {
	c := p.C
	fl := newFineLayout(c, second, mixed)
	cl := newCoarseLayout(c, second)
	// per class, the jet tables of each contraction
	fineTabs := make([][]float64, len(p.classes))
	coarseTabs := make([][]float64, len(p.classes))
	maxes := make([]float64, len(p.classes))
	workpool.For(len(p.classes), workers, func(id int) {
		k := p.classes[id]
		if k.fine {
			t := p.classTable(k, J, mixed, false)
			maxes[id] = t.max
			fineTabs[id] = fineJets(&fl, t, c)
			return
		}
		t := p.classTable(k, Jp, true, second)
		maxes[id] = t.max
		fineTabs[id] = tiltJets(&fl, t, c)
		coarseTabs[id] = coarseJets(&cl, t, c)
	})
	// the fine contraction's factors are the fine ones, then the coarse
	// ones as tilts; the coarse contraction's the coarse ones
	var ftabs, ctabs [][]float64
	fineShift, coarseShift := 0.0, 0.0
	for _, f := range p.fine {
		ftabs = append(ftabs, fineTabs[f.class])
		fineShift += maxes[f.class]
	}
	for _, f := range p.coarse {
		ftabs = append(ftabs, fineTabs[f.class])
		ctabs = append(ctabs, coarseTabs[f.class])
		coarseShift += maxes[f.class]
	}
	var F, Cz []float64
	var lf, lc float64
	// the two contractions share the workers
	wf, wc := max(1, workers-workers/2), max(1, workers/2)
	workpool.For(2, min(workers, 2), func(i int) {
		if i == 0 {
			F, lf = p.finePlan.contract(ctx, &fl.layout, ftabs, wf)
		} else {
			Cz, lc = p.coarsePlan.contract(ctx, &cl.layout, ctabs, wc)
		}
	})
	if err := ctx.Err(); err != nil {
		return Derivatives{}, err
	}
	s := sums{efG: make([]float64, c), dLogZc: make([]float64, c)}
	f0 := F[0]
	s.logZf = fineShift + lf + math.Log(f0)
	s.efLogWf = F[fl.tf] / f0
	s.efLogWc = F[fl.tc] / f0
	for a := 0; a < c; a++ {
		s.efG[a] = F[fl.tg+a] / f0
	}
	c0 := Cz[0]
	s.logZc = coarseShift + lc + math.Log(c0)
	for a := 0; a < c; a++ {
		s.dLogZc[a] = Cz[1+a] / c0
	}
	if second {
		s.efH = make([]float64, c*c)
		s.d2LogZc = make([]float64, c*c)
		for a := 0; a < c; a++ {
			for b := 0; b < c; b++ {
				t := triangle(a, b, c)
				s.efH[a*c+b] = F[fl.th+t] / f0
				z := Cz[cl.m+t] / c0
				if a == b {
					z *= 2
				}
				s.d2LogZc[a*c+b] = z - s.dLogZc[a]*s.dLogZc[b]
			}
		}
	}
	if mixed {
		s.covGU = make([]float64, c*c)
		for a := 0; a < c; a++ {
			for b := 0; b < c; b++ {
				s.covGU[a*c+b] = F[fl.tgd+a*c+b]/f0 - s.efG[a]*F[fl.dl+b]/f0
			}
		}
	}
	return p.assemble(s, second, mixed), nil
}

// fineJets: a fine factor's jets, w(x)·(1 + t_f log w(x) + Σ_b δ_b u_b(x))
// with w scaled by its largest value.
func fineJets(l *fineLayout, t table, c int) []float64 {
	n := l.n
	out := make([]float64, len(t.lw)*n)
	for x, lw := range t.lw {
		z := out[x*n : (x+1)*n]
		w := math.Exp(lw - t.max)
		z[0] = w
		z[l.tf] = w * lw
		if l.dl >= 0 {
			for b := 0; b < c; b++ {
				z[l.dl+b] = w * t.d[x*c+b]
			}
		}
	}
	return out
}

// tiltJets: a coarse factor in the fine contraction, 1 + t_c log w_c(x) +
// Σ_a t(g_a) g_a(x) + Σ_{a≤b} t(h_ab) h_ab(x).
func tiltJets(l *fineLayout, t table, c int) []float64 {
	n := l.n
	nh := c * (c + 1) / 2
	out := make([]float64, len(t.lw)*n)
	for x, lw := range t.lw {
		z := out[x*n : (x+1)*n]
		z[0] = 1
		z[l.tc] = lw
		copy(z[l.tg:l.tg+c], t.d[x*c:(x+1)*c])
		if l.th >= 0 {
			copy(z[l.th:l.th+nh], t.h[x*nh:(x+1)*nh])
		}
	}
	return out
}

// coarseJets: a coarse factor's Taylor series in J′, w(x)·(1 + g·ε +
// ½ εᵀ(h + g gᵀ)ε), with w scaled by its largest value.
func coarseJets(l *coarseLayout, t table, c int) []float64 {
	n := l.n
	nh := c * (c + 1) / 2
	out := make([]float64, len(t.lw)*n)
	for x, lw := range t.lw {
		z := out[x*n : (x+1)*n]
		w := math.Exp(lw - t.max)
		z[0] = w
		g := t.d[x*c : (x+1)*c]
		for a := 0; a < c; a++ {
			z[1+a] = w * g[a]
		}
		if l.m >= 0 {
			h := t.h[x*nh : (x+1)*nh]
			for a := 0; a < c; a++ {
				for b := a; b < c; b++ {
					k := triangle(a, b, c)
					v := h[k] + g[a]*g[b]
					if a == b {
						v *= 0.5
					}
					z[l.m+k] = w * v
				}
			}
		}
	}
	return out
}
