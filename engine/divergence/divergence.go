// Package divergence computes the exact divergence between the fine and the
// coarse block of any block geometry (package engine/geometry) for any
// representation: KL(J, J′) per coarse site, its gradient and Hessian in J′
// and the mixed derivative in J′ and J that the exact map's slope needs
// (docs/conventions.md §8, §14).
//
// Every hidden site sums out in closed form, leaving the visible
// distributions as products of factors — one per fine edge site, one per
// coarse centre — of a few visible sites each. Two exact methods evaluate
// them: enumeration of every visible configuration (up to about 2^26, for
// checks and small patches), and a transfer-matrix contraction along the
// patch (a frontier sweep), in which the expectations and derivatives ride
// through the contraction as truncated Taylor series ("jets"): with
//
//	KL = E_f[log w_f] − log Z_f − E_f[log w_c] + log Z_c,
//
// the coarse block needs log Z_c to second order in J′, and the fine block
// the expectations of local functions, E_f[F] = ∂_t log Σ w_f e^{tF} at
// t = 0 — one tilt t per function, and the mixed term Cov_f(g_a, u_b) the
// product of a tilt with a derivative in J.
//
// The package depends on the geometry and the representation only, not
// on package engine, so that the engine and its oracle can both build on
// it.
package divergence

import (
	"context"
	"fmt"
	"math"
	"sort"
	"strconv"
	"strings"

	"github.com/rgflow/rgflow/engine/geometry"
	"github.com/rgflow/rgflow/internal/workpool"
	"github.com/rgflow/rgflow/reps"
)

// Derivatives is KL(J, J′) with its first and second derivatives, what
// the exact variational map needs: its Newton steps (Grad, Hess) and its
// slope by the implicit-function theorem, dM/dJ = −Hess⁻¹ Mixed. For a
// block geometry every entry is per coarse site.
type Derivatives struct {
	KL   float64
	Grad []float64 // ∂KL/∂J′_a, c
	Hess []float64 // ∂²KL/∂J′_a∂J′_b, c×c row-major, symmetric
	// Mixed[a·c+b] = ∂²KL/∂J′_a∂J_b (nil unless asked for).
	Mixed []float64
}

// Method is how a Pair evaluates its sums.
type Method int

const (
	// Auto enumerates when the visible configurations are fewer than the
	// states the transfer matrix would visit (a configuration and a
	// frontier state cost about the same), and contracts otherwise.
	Auto Method = iota
	// Transfer contracts the patch with a frontier sweep.
	Transfer
	// Enumerate sums over every visible configuration.
	Enumerate
)

// MaxEnumerateBits bounds the enumeration: 2^26 configurations.
const MaxEnumerateBits = 26

// MaxFrontierStates bounds the transfer matrix's frontier (the number of
// joint states of the sites it carries at once).
const MaxFrontierStates = 1 << 24

// Pair is the fine and the coarse block of one geometry for one
// representation and coarse-mirror convention.
type Pair struct {
	Geometry *geometry.Geometry
	Rep      *reps.Rep
	Mirror   string // "axis" or "diagonal" (docs/conventions.md §12)
	C        int    // couplings: the representation's c per shell, shell 1 first
	D, S     int    // spins per site, states per site
	Method   Method
	// Workers bounds the goroutines of one evaluation (≤ 0: GOMAXPROCS);
	// results do not depend on it.
	Workers int

	spins  [][]float64
	fine   []factor // one per fine hidden site
	coarse []factor // one per coarse hidden site
	// fineBasis[r][a], coarseBasis[r][a]: ∂K/∂J_a of a shell-1 bond in
	// direction r (§4, §12)
	fineBasis, coarseBasis [4][][]float64
	// classes holds one entry per distinct factor: factors of one class
	// have the same table over their local configurations (a patch is
	// mostly translates of a few of them)
	classes []*class
	// order is the sweep order of the visible sites; finePlan and
	// coarsePlan contract the fine block (with the coarse factors as
	// tilts) and the coarse block along it
	order                []int
	finePlan, coarsePlan plan
}

// factor is one hidden site summed out: a function of the visible sites
// in scope.
type factor struct {
	scope []int // visible sites, distinct, ascending
	class int
}

// class is what a factor's table depends on: its bonds, each with the
// slot of its visible site in the scope, and the field a visible state
// puts on the hidden site per coupling: field[b][(s·c+a)·d+k] =
// ∂(field_k)/∂J_a of bond b when its visible site is in state s.
type class struct {
	fine  bool
	m     int   // scope size
	slots []int // per bond
	field [][]float64
}

// New prepares the block pair of a geometry for a representation under a
// coarse-mirror convention ("axis" or "diagonal"). Shells beyond the first
// are defined for one-spin representations only (docs/conventions.md §14).
func New(g *geometry.Geometry, rep *reps.Rep, mirror string) (*Pair, error) {
	if err := g.Validate(); err != nil {
		return nil, err
	}
	if g.Shells > 1 && rep.D != 1 {
		return nil, fmt.Errorf("block %s: coupling shells beyond the first are defined for one-spin representations only (the coupling matrix of a bond without a mirror of its own is not fixed yet, docs/conventions.md §14); %s has d = %d", g.Name, rep.Name, rep.D)
	}
	var U []float64
	switch mirror {
	case "", "axis":
		mirror = "axis"
	case "diagonal":
		var err error
		if U, err = rep.DiagonalMirror(); err != nil {
			return nil, err
		}
	default:
		return nil, fmt.Errorf("unknown coarse mirror %q: want axis or diagonal", mirror)
	}
	c1 := rep.C()
	p := &Pair{Geometry: g, Rep: rep, Mirror: mirror, C: c1 * g.Shells, D: rep.D, S: rep.States()}
	p.spins = make([][]float64, p.S)
	for s := range p.spins {
		p.spins[s] = make([]float64, p.D)
		for k := range p.spins[s] {
			p.spins[s][k] = reps.Spin(s, k)
		}
	}
	p.fineBasis, p.coarseBasis = rep.RotatedBasis(), rep.CoarseRotatedBasis(U)
	// shells need a bond in both blocks, or J′ of that shell would not
	// enter the KL
	for s := 2; s <= g.Shells; s++ {
		var nf, nc int
		for _, b := range g.FineBonds {
			if b.Shell == s {
				nf++
			}
		}
		for _, b := range g.CoarseBonds {
			if b.Shell == s {
				nc++
			}
		}
		if nf == 0 || nc == 0 {
			return nil, fmt.Errorf("block %s has %d fine and %d coarse shell-%d bonds: a shell needs bonds in both blocks (the plaquette's coarse centre has no shell-2 neighbour; take a patch of two or more plaquettes)", g.Name, nf, nc, s)
		}
	}
	keys := map[string]int{}
	build := func(fine bool, bonds []geometry.Bond) factor {
		var vis []int
		for _, b := range bonds {
			vis = append(vis, visibleOf(b, fine))
		}
		scope := distinct(vis)
		cl := &class{fine: fine, m: len(scope)}
		var key strings.Builder
		key.WriteString(strconv.FormatBool(fine))
		for _, b := range bonds {
			slot := sort.SearchInts(scope, visibleOf(b, fine))
			cl.slots = append(cl.slots, slot)
			fmt.Fprintf(&key, ";%d,%d,%d", slot, b.Dir, b.Shell)
			cl.field = append(cl.field, p.bondField(fine, b, fine))
		}
		k := key.String()
		id, ok := keys[k]
		if !ok {
			id = len(p.classes)
			keys[k] = id
			p.classes = append(p.classes, cl)
		}
		return factor{scope: scope, class: id}
	}
	byHidden := func(bonds []geometry.Bond, n int, fine bool) [][]geometry.Bond {
		out := make([][]geometry.Bond, n)
		for _, b := range bonds {
			h := b.Source
			if !fine {
				h = b.Target
			}
			out[h] = append(out[h], b)
		}
		return out
	}
	for e, bs := range byHidden(g.FineBonds, len(g.FineHidden), true) {
		if len(bs) == 0 {
			return nil, fmt.Errorf("block %s: fine hidden site %d has no bonds", g.Name, e)
		}
		p.fine = append(p.fine, build(true, bs))
	}
	for _, bs := range byHidden(g.CoarseBonds, len(g.CoarseHidden), false) {
		p.coarse = append(p.coarse, build(false, bs))
	}
	if err := p.makePlans(); err != nil {
		return nil, err
	}
	return p, nil
}

func visibleOf(b geometry.Bond, fine bool) int {
	if fine {
		return b.Target
	}
	return b.Source
}

func distinct(x []int) []int {
	out := append([]int(nil), x...)
	sort.Ints(out)
	k := 0
	for i, v := range out {
		if i == 0 || v != out[k-1] {
			out[k] = v
			k++
		}
	}
	return out[:k]
}

// bondField returns the field table of one bond: for each state s of one
// of its ends and coupling a, the d components of ∂(field on the other
// end)/∂J_a — K_a v(s) with rows (the field a bond's target in state s
// puts on its source: a fine bond's visible site on its hidden one), K_aᵀ
// v(s) without (the source's on the target: a coarse bond's visible site
// on its centre). The hidden sites' tables (rows = fine) are the
// divergence's; the visible sites' (rows = !fine) are the Gibbs chains'.
// The bond's shell owns the couplings [(shell−1)·c₁, shell·c₁); shell 1
// carries the rotated basis of its direction (§4, §12); a higher shell
// exists for d = 1 only, where every direction carries the same 1×1 basis.
func (p *Pair) bondField(fine bool, b geometry.Bond, rows bool) []float64 {
	c, d, S := p.C, p.D, p.S
	c1 := p.Rep.C()
	basis := p.fineBasis[b.Dir%4]
	if !fine {
		basis = p.coarseBasis[b.Dir%4]
	}
	if b.Shell > 1 {
		basis = p.Rep.Basis // d = 1 (New): directions do not act
	}
	out := make([]float64, S*c*d)
	off := (b.Shell - 1) * c1
	for s := 0; s < S; s++ {
		v := p.spins[s]
		for a, B := range basis {
			for k := 0; k < d; k++ {
				x := 0.0
				for m := 0; m < d; m++ {
					if rows {
						x += B[k*d+m] * v[m]
					} else {
						x += B[m*d+k] * v[m]
					}
				}
				out[(s*c+off+a)*d+k] = x
			}
		}
	}
	return out
}

// Couplings is the length of J and J′: c per shell.
func (p *Pair) Couplings() int { return p.C }

// BlockName is the geometry's name.
func (p *Pair) BlockName() string { return p.Geometry.Name }

// CoarseSites is the number of coarse sites the KL is divided by.
func (p *Pair) CoarseSites() int { return p.Geometry.CoarseSites() }

// Shells is the number of coupling shells.
func (p *Pair) Shells() int { return p.Geometry.Shells }

// Width is the largest number of visible sites the transfer matrix
// carries at once.
func (p *Pair) Width() int { return p.finePlan.width }

func (p *Pair) workers() int { return workpool.Workers(p.Workers) }

// useEnumeration says which method an evaluation takes.
func (p *Pair) useEnumeration() bool {
	bits := p.D * len(p.Geometry.Visible)
	switch p.Method {
	case Enumerate:
		return true
	case Transfer:
		return false
	}
	return bits <= MaxEnumerateBits && math.Ldexp(1, bits) <= p.finePlan.cost+p.coarsePlan.cost
}

func (p *Pair) check(J, Jp []float64) {
	if len(J) != p.C || len(Jp) != p.C {
		panic(fmt.Sprintf("divergence: J has %d entries, J′ %d; %s on %s needs %d", len(J), len(Jp), p.Rep.Name, p.Geometry.Name, p.C))
	}
}

// KLSecondOrder returns KL(J, J′) per coarse site, its gradient and
// Hessian in J′ and, when mixed is set, the mixed derivative in J′ and J:
// with g_a = ∂ log w_c/∂J′_a, h_ab = ∂² log w_c/∂J′_a∂J′_b and
// u_b = ∂ log w_f/∂J_b,
//
//	∂KL/∂J′_a       = ∂_a log Z_c − E_f[g_a]
//	∂²KL/∂J′_a∂J′_b = ∂_a∂_b log Z_c − E_f[h_ab]
//	∂²KL/∂J′_a∂J_b  = −Cov_f(g_a, u_b)
//
// all divided by the number of coarse sites.
func (p *Pair) KLSecondOrder(J, Jp []float64, mixed bool) Derivatives {
	d, _ := p.KLSecondOrderContext(context.Background(), J, Jp, mixed)
	return d
}

// KLSecondOrderContext is KLSecondOrder stopping once ctx is done (between
// the enumeration's chunks or the contraction's steps), returning ctx's
// error.
func (p *Pair) KLSecondOrderContext(ctx context.Context, J, Jp []float64, mixed bool) (Derivatives, error) {
	p.check(J, Jp)
	if p.useEnumeration() {
		ds, err := p.enumerate(ctx, J, Jp, 1, true, mixed)
		if err != nil {
			return Derivatives{}, err
		}
		return ds[0], nil
	}
	return p.transfer(ctx, J, Jp, true, mixed, p.workers())
}

// KL returns KL(J, J′) per coarse site and its gradient in J′.
func (p *Pair) KL(J, Jp []float64) (float64, []float64) {
	p.check(J, Jp)
	var d Derivatives
	if p.useEnumeration() {
		ds, _ := p.enumerate(context.Background(), J, Jp, 1, false, false)
		d = ds[0]
	} else {
		d, _ = p.transfer(context.Background(), J, Jp, false, false, p.workers())
	}
	return d.KL, d.Grad
}

// KLBatch evaluates KL(J_m, J′_m) for a batch of M couplings stored
// row-major in J and Jp (M×c): kl receives M values, grad (if not nil)
// M×c gradients. The couplings are spread over workers goroutines (≤ 0:
// the Pair's Workers), each contraction over the rest; results do not
// depend on either.
func (p *Pair) KLBatch(J, Jp, kl, grad []float64, workers int) {
	_ = p.KLBatchContext(context.Background(), J, Jp, kl, grad, workers)
}

// KLBatchContext is KLBatch stopping once ctx is done, returning ctx's
// error (kl and grad then hold partial results).
func (p *Pair) KLBatchContext(ctx context.Context, J, Jp, kl, grad []float64, workers int) error {
	c, M := p.C, len(kl)
	if len(J) != M*c || len(Jp) != M*c || (grad != nil && len(grad) != M*c) {
		panic(fmt.Sprintf("divergence: KLBatch sizes: J %d, J′ %d, kl %d, grad %d for c = %d", len(J), len(Jp), M, len(grad), c))
	}
	put := func(m int, d Derivatives) {
		kl[m] = d.KL
		if grad != nil {
			copy(grad[m*c:(m+1)*c], d.Grad)
		}
	}
	if p.useEnumeration() {
		// the enumeration takes the batch as lanes of one pass
		ds, err := p.enumerate(ctx, J, Jp, M, false, false)
		if err != nil {
			return err
		}
		for m, d := range ds {
			put(m, d)
		}
		return nil
	}
	if workers <= 0 {
		workers = p.workers()
	}
	workers = min(workers, M)
	inner := max(1, p.workers()/max(workers, 1))
	workpool.For(M, workers, func(m int) {
		if d, err := p.transfer(ctx, J[m*c:(m+1)*c], Jp[m*c:(m+1)*c], false, false, inner); err == nil {
			put(m, d)
		}
	})
	return ctx.Err()
}

// sums is what either method finds for one coupling pair, whole-patch
// quantities: of the fine block E_f[log w_f], log Z_f, E_f[log w_c],
// E_f[g], E_f[h] and Cov_f(g, u); of the coarse block log Z_c and its
// first and second derivatives in J′.
type sums struct {
	efLogWf, logZf, efLogWc float64
	efG                     []float64 // c
	efH                     []float64 // c×c, symmetric (order 2)
	covGU                   []float64 // c×c (mixed)
	logZc                   float64
	dLogZc                  []float64 // c
	d2LogZc                 []float64 // c×c, symmetric (order 2)
}

// assemble turns the sums into the derivatives per coarse site.
func (p *Pair) assemble(s sums, order2, mixed bool) Derivatives {
	c := p.C
	n := float64(p.CoarseSites())
	out := Derivatives{
		KL:   (s.efLogWf - s.logZf - s.efLogWc + s.logZc) / n,
		Grad: make([]float64, c),
	}
	for a := 0; a < c; a++ {
		out.Grad[a] = (s.dLogZc[a] - s.efG[a]) / n
	}
	if order2 {
		out.Hess = make([]float64, c*c)
		for i := range out.Hess {
			out.Hess[i] = (s.d2LogZc[i] - s.efH[i]) / n
		}
	}
	if mixed {
		out.Mixed = make([]float64, c*c)
		for i := range out.Mixed {
			out.Mixed[i] = -s.covGU[i] / n
		}
	}
	return out
}

// Visits is about the work of one evaluation: the visible configurations
// the enumeration visits, or the frontier states of both contractions.
func (p *Pair) Visits() float64 {
	if p.useEnumeration() {
		return math.Ldexp(1, p.D*len(p.Geometry.Visible)-1) // the global flip halves it
	}
	return p.finePlan.cost + p.coarsePlan.cost
}

// MethodName says how evaluations run: "enumeration" or "transfer matrix
// (N sites at once)".
func (p *Pair) MethodName() string {
	if p.useEnumeration() {
		return "enumeration"
	}
	return fmt.Sprintf("transfer matrix (%d sites at once)", p.finePlan.width)
}
