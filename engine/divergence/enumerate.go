package divergence

import (
	"context"
	"fmt"
	"math"

	"github.com/rgflow/rgflow/internal/workpool"
)

// The enumeration visits every visible configuration, in the sweep order
// of the transfer matrix with the last site changing fastest. A factor is
// booked at the level of its last site, and each level keeps the partial
// sums of log w_f, log w_c and the derivatives over the factors booked up
// to it, so that a configuration costs only the levels that changed (on
// average little more than the last) and nothing accumulates rounding from
// one configuration to the next. The global flip v → −v leaves every
// summand unchanged (docs/conventions.md §9), so the first site takes only
// the states with its top spin up, each counted twice. The configurations
// are cut into chunks by the states of the first sites, spread over the
// CPUs and added in chunk order: the result does not depend on the number
// of goroutines. The batch's couplings are lanes of one pass.

// enumSums are one chunk's sums for one lane: with p_f = exp(log w_f −
// mf) and p_c = exp(log w_c − mc), Σ p_f, Σ p_f log w_f, Σ p_f log w_c,
// Σ p_c, Σ p_f g, Σ p_c g and (second order) Σ p_f h, Σ p_c h, Σ p_c g gᵀ
// (upper triangles), (mixed) Σ p_f u, Σ p_f g uᵀ.
type enumSums struct {
	mf, mc             float64
	sf, sfa, sfb, sc   float64
	gf, gc             []float64
	hf, hc, cc, uf, fu []float64
}

func newEnumSums(c int, second, mixed bool) *enumSums {
	nh := c * (c + 1) / 2
	s := &enumSums{mf: math.Inf(-1), mc: math.Inf(-1), gf: make([]float64, c), gc: make([]float64, c)}
	if second {
		s.hf, s.hc, s.cc = make([]float64, nh), make([]float64, nh), make([]float64, nh)
	}
	if mixed {
		s.uf, s.fu = make([]float64, c), make([]float64, c*c)
	}
	return s
}

// rescaleF multiplies the fine sums by r (a new shift), rescaleC the
// coarse ones.
func (s *enumSums) rescaleF(r float64) {
	s.sf *= r
	s.sfa *= r
	s.sfb *= r
	scale(s.gf, r)
	scale(s.hf, r)
	scale(s.uf, r)
	scale(s.fu, r)
}

func (s *enumSums) rescaleC(r float64) {
	s.sc *= r
	scale(s.gc, r)
	scale(s.hc, r)
	scale(s.cc, r)
}

func scale(x []float64, r float64) {
	for i := range x {
		x[i] *= r
	}
}

// rescaleSlack is how far above its shift a log-weight may go before the
// shift moves: e^64 leaves room for 2^26 configurations in a float64.
const rescaleSlack = 64

// enumerate evaluates L lanes (J and Jp hold L×c couplings). It stops
// between chunks once ctx is done, returning its error.
func (p *Pair) enumerate(ctx context.Context, J, Jp []float64, L int, second, mixed bool) ([]Derivatives, error) {
	if bits := p.D * len(p.order); bits > MaxEnumerateBits {
		panic(fmt.Sprintf("divergence: %s with %s has 2^%d visible configurations, more than the enumeration's 2^%d", p.Geometry.Name, p.Rep.Name, bits, MaxEnumerateBits))
	}
	e := p.newEnumeration(J, Jp, L, second, mixed)
	parts := make([][]*enumSums, e.chunks)
	workpool.For(e.chunks, p.workers(), func(ch int) {
		if ctx.Err() != nil {
			return
		}
		parts[ch] = e.newWalker(ch).run()
	})
	if err := ctx.Err(); err != nil {
		return nil, err
	}
	out := make([]Derivatives, L)
	for l := range out {
		out[l] = p.assemble(e.merge(parts, l).sums(p.C, second, mixed), second, mixed)
	}
	return out, nil
}

// booked is a factor booked at a level: its class and the sweep positions
// of its scope.
type booked struct {
	class int
	pos   []int
}

// enumeration is what every chunk of one enumeration shares: the lanes'
// tables, the factors booked by level, and the chunking.
type enumeration struct {
	p                *Pair
	L, c, nh, S, d   int
	n                int // visible sites
	second, mixed    bool
	tables           [][]table // [class][lane]
	fineAt, coarseAt [][]booked
	pre, chunks      int
}

func (p *Pair) newEnumeration(J, Jp []float64, L int, second, mixed bool) *enumeration {
	c, n := p.C, len(p.order)
	e := &enumeration{p: p, L: L, c: c, nh: c * (c + 1) / 2, S: p.S, d: p.D, n: n, second: second, mixed: mixed}
	e.tables = make([][]table, len(p.classes))
	for id := range p.classes {
		e.tables[id] = make([]table, L)
	}
	workpool.For(len(p.classes)*L, p.workers(), func(k int) {
		id, l := k/L, k%L
		cl := p.classes[id]
		if cl.fine {
			e.tables[id][l] = p.classTable(cl, J[l*c:(l+1)*c], mixed, false)
		} else {
			e.tables[id][l] = p.classTable(cl, Jp[l*c:(l+1)*c], true, second)
		}
	})
	pos := make([]int, n)
	for q, v := range p.order {
		pos[v] = q
	}
	// each factor's level: the sweep position of its last site
	book := func(f factor) (int, booked) {
		b := booked{class: f.class}
		lvl := 0
		for _, v := range f.scope {
			b.pos = append(b.pos, pos[v])
			lvl = max(lvl, pos[v])
		}
		return lvl, b
	}
	e.fineAt, e.coarseAt = make([][]booked, n), make([][]booked, n)
	for _, f := range p.fine {
		lvl, b := book(f)
		e.fineAt[lvl] = append(e.fineAt[lvl], b)
	}
	for _, f := range p.coarse {
		lvl, b := book(f)
		e.coarseAt[lvl] = append(e.coarseAt[lvl], b)
	}
	// chunks: the states of the first pre sites (the first with its top
	// spin up), at least 256 chunks where there are enough configurations;
	// the last site is always the inner loop
	e.pre, e.chunks = 1, e.S/2
	for e.chunks < 256 && e.pre < n-1 {
		e.pre++
		e.chunks *= e.S
	}
	return e
}

// merge adds lane l's sums over the chunks, in chunk order, under a common
// shift.
func (e *enumeration) merge(parts [][]*enumSums, l int) *enumSums {
	tot := newEnumSums(e.c, e.second, e.mixed)
	for _, part := range parts {
		tot.mf = math.Max(tot.mf, part[l].mf)
		tot.mc = math.Max(tot.mc, part[l].mc)
	}
	for _, part := range parts {
		a := part[l]
		rf, rc := math.Exp(a.mf-tot.mf), math.Exp(a.mc-tot.mc)
		tot.sf += rf * a.sf
		tot.sfa += rf * a.sfa
		tot.sfb += rf * a.sfb
		tot.sc += rc * a.sc
		addScaled(tot.gf, a.gf, rf)
		addScaled(tot.gc, a.gc, rc)
		addScaled(tot.hf, a.hf, rf)
		addScaled(tot.hc, a.hc, rc)
		addScaled(tot.cc, a.cc, rc)
		addScaled(tot.uf, a.uf, rf)
		addScaled(tot.fu, a.fu, rf)
	}
	return tot
}

// walker enumerates one chunk: the sites' states, the per-level partial
// sums [level][lane] (log w_f, log w_c, the coarse gradient G, its
// Hessian H, the fine gradient Uf) and the lanes' accumulated sums.
type walker struct {
	*enumeration
	st               []int
	lf, lc, G, H, Uf []float64
	acc              []*enumSums
	last             int
	lastF, lastC     []booked
	baseF, strideF   []int
	baseC, strideC   []int
	g, h, u          []float64 // one configuration's coarse gradient, Hessian, fine gradient
}

func (e *enumeration) newWalker(ch int) *walker {
	n, L, c := e.n, e.L, e.c
	w := &walker{enumeration: e, st: make([]int, n), lf: make([]float64, n*L), lc: make([]float64, n*L), G: make([]float64, n*L*c)}
	if e.second {
		w.H = make([]float64, n*L*e.nh)
	}
	if e.mixed {
		w.Uf = make([]float64, n*L*c)
	}
	w.acc = make([]*enumSums, L)
	for l := range w.acc {
		w.acc[l] = newEnumSums(c, e.second, e.mixed)
	}
	x := ch
	w.st[0] = x % (e.S / 2)
	x /= e.S / 2
	for q := 1; q < e.pre; q++ {
		w.st[q] = x % e.S
		x /= e.S
	}
	// the last site's states are the inner loop: its factors' local
	// indices are base + s·stride, and their weights come from the
	// tables' exp(log w − max), so that a configuration costs lookups
	// and products, and the exponentials are taken once per S of them
	w.last = n - 1
	w.lastF, w.lastC = e.fineAt[w.last], e.coarseAt[w.last]
	w.baseF, w.strideF = make([]int, len(w.lastF)), make([]int, len(w.lastF))
	w.baseC, w.strideC = make([]int, len(w.lastC)), make([]int, len(w.lastC))
	for k, b := range w.lastF {
		w.strideF[k] = w.stride(b)
	}
	for k, b := range w.lastC {
		w.strideC[k] = w.stride(b)
	}
	w.g, w.h, w.u = make([]float64, c), make([]float64, e.nh), make([]float64, c)
	return w
}

// local is a factor's index in its table at the current states.
func (w *walker) local(b booked) int {
	x := 0
	for m, q := range b.pos {
		x |= w.st[q] << (uint(w.d) * uint(m))
	}
	return x
}

// stride is how far a factor's index moves per state of the last site.
func (w *walker) stride(b booked) int {
	for m, q := range b.pos {
		if q == w.last {
			return 1 << (uint(w.d) * uint(m))
		}
	}
	panic("divergence: a factor booked at the last site lacks it")
}

// run visits every configuration of the chunk and returns its lanes' sums.
func (w *walker) run() []*enumSums {
	for q := 0; q < w.last; q++ {
		w.level(q)
	}
	for {
		w.st[w.last] = 0
		for k, b := range w.lastF {
			w.baseF[k] = w.local(b)
		}
		for k, b := range w.lastC {
			w.baseC[k] = w.local(b)
		}
		for l := 0; l < w.L; l++ {
			w.lastSite(l)
		}
		// the next configuration of the sites between the chunk's
		// prefix and the last: an odometer
		q := w.last - 1
		for q >= w.pre {
			w.st[q]++
			if w.st[q] < w.S {
				break
			}
			w.st[q] = 0
			q--
		}
		if q < w.pre {
			break
		}
		for ; q < w.last; q++ {
			w.level(q)
		}
	}
	return w.acc
}

// level sets level q's partial sums: level q − 1's plus the factors booked
// at q.
func (w *walker) level(q int) {
	L, c, nh := w.L, w.c, w.nh
	for l := 0; l < L; l++ {
		i := q*L + l
		if q == 0 {
			w.lf[i], w.lc[i] = 0, 0
			clear(w.G[i*c : (i+1)*c])
			if w.second {
				clear(w.H[i*nh : (i+1)*nh])
			}
			if w.mixed {
				clear(w.Uf[i*c : (i+1)*c])
			}
		} else {
			j := i - L
			w.lf[i], w.lc[i] = w.lf[j], w.lc[j]
			copy(w.G[i*c:(i+1)*c], w.G[j*c:(j+1)*c])
			if w.second {
				copy(w.H[i*nh:(i+1)*nh], w.H[j*nh:(j+1)*nh])
			}
			if w.mixed {
				copy(w.Uf[i*c:(i+1)*c], w.Uf[j*c:(j+1)*c])
			}
		}
	}
	for _, b := range w.fineAt[q] {
		x := w.local(b)
		for l := 0; l < L; l++ {
			i := q*L + l
			t := &w.tables[b.class][l]
			w.lf[i] += t.lw[x]
			if w.mixed {
				addTo(w.Uf[i*c:(i+1)*c], t.d[x*c:(x+1)*c])
			}
		}
	}
	for _, b := range w.coarseAt[q] {
		x := w.local(b)
		for l := 0; l < L; l++ {
			i := q*L + l
			t := &w.tables[b.class][l]
			w.lc[i] += t.lw[x]
			addTo(w.G[i*c:(i+1)*c], t.d[x*c:(x+1)*c])
			if w.second {
				addTo(w.H[i*nh:(i+1)*nh], t.h[x*nh:(x+1)*nh])
			}
		}
	}
}

// lastSite adds lane l's configurations over the last site's states to its
// sums.
func (w *walker) lastSite(l int) {
	c, nh := w.c, w.nh
	i := (w.last-1)*w.L + l
	a := w.acc[l]
	// upper bounds of log w over the last site's states: the shifts move
	// (rarely) only when these pass them
	ubF, ubC := w.lf[i], w.lc[i]
	for _, b := range w.lastF {
		ubF += w.tables[b.class][l].max
	}
	for _, b := range w.lastC {
		ubC += w.tables[b.class][l].max
	}
	if ubF-a.mf > rescaleSlack {
		a.rescaleF(math.Exp(a.mf - ubF))
		a.mf = ubF
	}
	if ubC-a.mc > rescaleSlack {
		a.rescaleC(math.Exp(a.mc - ubC))
		a.mc = ubC
	}
	eF, eC := math.Exp(ubF-a.mf), math.Exp(ubC-a.mc)
	g, h, u := w.g, w.h, w.u
	for sl := 0; sl < w.S; sl++ {
		wf, pf := w.lf[i], eF
		if w.mixed {
			copy(u, w.Uf[i*c:(i+1)*c])
		}
		for k, b := range w.lastF {
			x := w.baseF[k] + sl*w.strideF[k]
			t := &w.tables[b.class][l]
			wf += t.lw[x]
			pf *= t.w[x]
			if w.mixed {
				addTo(u, t.d[x*c:(x+1)*c])
			}
		}
		wc, pc := w.lc[i], eC
		copy(g, w.G[i*c:(i+1)*c])
		if w.second {
			copy(h, w.H[i*nh:(i+1)*nh])
		}
		for k, b := range w.lastC {
			x := w.baseC[k] + sl*w.strideC[k]
			t := &w.tables[b.class][l]
			wc += t.lw[x]
			pc *= t.w[x]
			addTo(g, t.d[x*c:(x+1)*c])
			if w.second {
				addTo(h, t.h[x*nh:(x+1)*nh])
			}
		}
		a.add(pf, pc, wf, wc, g, h, u, w.second, w.mixed)
	}
}

// add books one configuration, with fine and coarse weights pf and pc
// (relative to the shifts), log-weights wf and wc, coarse gradient g and
// Hessian h and fine gradient u.
func (a *enumSums) add(pf, pc, wf, wc float64, g, h, u []float64, second, mixed bool) {
	c := len(g)
	a.sf += pf
	a.sfa += pf * wf
	a.sfb += pf * wc
	a.sc += pc
	for k, v := range g {
		a.gf[k] += pf * v
		a.gc[k] += pc * v
	}
	if second {
		t := 0
		for k := 0; k < c; k++ {
			pg := pc * g[k]
			for m := k; m < c; m++ {
				a.hf[t] += pf * h[t]
				a.hc[t] += pc * h[t]
				a.cc[t] += pg * g[m]
				t++
			}
		}
	}
	if mixed {
		for k, v := range u {
			a.uf[k] += pf * v
		}
		for k := 0; k < c; k++ {
			pg := pf * g[k]
			row := a.fu[k*c : (k+1)*c]
			for m, v := range u {
				row[m] += pg * v
			}
		}
	}
}

// sums turns the totals into the expectations and log Z's (the flip's
// factor 2 counted back into both Z).
func (t *enumSums) sums(c int, second, mixed bool) sums {
	s := sums{
		efLogWf: t.sfa / t.sf,
		logZf:   t.mf + math.Log(t.sf) + math.Ln2,
		efLogWc: t.sfb / t.sf,
		logZc:   t.mc + math.Log(t.sc) + math.Ln2,
		efG:     make([]float64, c),
		dLogZc:  make([]float64, c),
	}
	for a := 0; a < c; a++ {
		s.efG[a] = t.gf[a] / t.sf
		s.dLogZc[a] = t.gc[a] / t.sc
	}
	if second {
		s.efH, s.d2LogZc = make([]float64, c*c), make([]float64, c*c)
		for a := 0; a < c; a++ {
			for b := 0; b < c; b++ {
				k := triangle(a, b, c)
				s.efH[a*c+b] = t.hf[k] / t.sf
				s.d2LogZc[a*c+b] = (t.hc[k]+t.cc[k])/t.sc - s.dLogZc[a]*s.dLogZc[b]
			}
		}
	}
	if mixed {
		s.covGU = make([]float64, c*c)
		for a := 0; a < c; a++ {
			for b := 0; b < c; b++ {
				s.covGU[a*c+b] = t.fu[a*c+b]/t.sf - s.efG[a]*t.uf[b]/t.sf
			}
		}
	}
	return s
}

func addTo(dst, src []float64) {
	for i, v := range src {
		dst[i] += v
	}
}

func addScaled(dst, src []float64, r float64) {
	for i, v := range src {
		dst[i] += r * v
	}
}
