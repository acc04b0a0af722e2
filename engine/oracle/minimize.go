// Package oracle computes the exact variational RG map of a representation,
// M(J) = argmin_{J′} KL(J, J′), followed continuously (a local minimiser
// continued along paths, never a fresh global search per point), its fixed
// points and their linearisation, the critical coupling on the physical
// axis, the variational gap of a learned flow, and scaling dimensions from
// the fine block's transfer matrix. The conventions, the gauge group and
// the two coarse-mirror options are set out in docs/conventions.md.
//
// The map is what training approximates: its critical fixed point is the
// best estimate any network can reach for the representation and coarse
// mirror, so every trained result can be set beside it.
package oracle

import (
	"context"
	"errors"
	"fmt"
	"math"
	"math/rand/v2"
	"slices"

	"gonum.org/v1/gonum/mat"

	"github.com/rgflow/rgflow/engine"
)

// Oracle evaluates the exact map for one block pair.
type Oracle struct {
	B Divergence
	G *Gauge
	// Tol is the relative size of the Newton step (to the couplings' scale,
	// at least 1e-3) at which a stationary point counts as found.
	Tol float64
	// MaxStep bounds one Newton step in J′ (max norm): a trust radius that
	// keeps the minimiser in the basin it starts in.
	MaxStep float64
	// MaxIter bounds the Newton iterations of one minimisation.
	MaxIter int
	// Evals counts KL second-order evaluations (for progress and tests).
	Evals int
	// ctx stops every computation of the oracle once it is done: each
	// Newton iteration, and each second-order evaluation between its
	// parts, returns its error (NewContext).
	ctx context.Context
	// obj is the objective the minimiser works on: nil for the blocks'
	// exact KL (B.KLSecondOrderContext, B.KLBatch); the tests plant others.
	obj objective
	// bisectOnly turns the axis search's secant proposals off (the tests
	// compare the two).
	bisectOnly bool
	// limit, when positive, is the evaluation count at which
	// secondOrder stops with errBudget (a fixed-point start's budget).
	limit int
	// trajectory is set while the map is iterated for a fate (Iterate):
	// the creep rule of solve then waits two iterations instead of five.
	trajectory bool
}

// objective is KL(J, ·) with its derivatives, one point at a time, and a
// batch of KL values and gradients.
type objective interface {
	SecondOrder(J, Jp []float64, mixed bool) engine.KLDerivatives
	Batch(J, Jp, kl, grad []float64)
}

// secondOrder is KL(J, ·) with its derivatives at J′, stopping with the
// context's error once it is done.
func (o *Oracle) secondOrder(J, Jp []float64, mixed bool) (engine.KLDerivatives, error) {
	if o.limit > 0 && o.Evals >= o.limit {
		return engine.KLDerivatives{}, errBudget
	}
	if o.obj != nil {
		o.Evals++
		return o.obj.SecondOrder(J, Jp, mixed), nil
	}
	d, err := o.B.KLSecondOrderContext(o.ctx, J, Jp, mixed)
	if err != nil {
		return d, err
	}
	o.Evals++
	return d, nil
}

// batch is KL(J, ·) and its gradient at a batch of points, stopping with
// the context's error once it is done.
func (o *Oracle) batch(J, Jp, kl, grad []float64) error {
	if o.obj != nil {
		o.obj.Batch(J, Jp, kl, grad)
		return nil
	}
	return o.B.KLBatchContext(o.ctx, J, Jp, kl, grad, 1)
}

// New returns the oracle of a block pair with default tolerances and its
// gauge group built, computing until done: for tests and small
// representations (it panics on a group too large to enumerate). The
// commands use NewContext.
func New(b Divergence) *Oracle {
	o := NewContext(context.Background(), b)
	if err := o.gauge(); err != nil {
		panic(err)
	}
	return o
}

// NewContext returns the oracle of a block pair with default tolerances,
// whose every computation stops once ctx is done, returning its error.
// The gauge group, which only the fixed-point analysis needs and which is
// large for representations with several identical irreps, is built when
// first needed (Analyse, SolveFixedPoint, Iterate), under ctx.
func NewContext(ctx context.Context, b Divergence) *Oracle {
	return &Oracle{B: b, Tol: 1e-10, MaxStep: 0.25, MaxIter: 60, ctx: ctx}
}

// gauge builds the gauge group G if it is not built yet (BuildGauge).
func (o *Oracle) gauge() error {
	if o.G != nil {
		return nil
	}
	g, err := blockGauge(o.ctx, o.B)
	if err != nil {
		return err
	}
	o.G = g
	return nil
}

// Point is a stationary point J′ of KL(J, ·) with what the continuation and
// the fixed-point analysis need.
type Point struct {
	J, Jp []float64
	KL    float64
	Grad  []float64
	Hess  []float64 // c×c
	// Slope is dJ′/dJ along the branch, −Hess⁺ Mixed (c×c, row-major),
	// with the soft directions left out.
	Slope []float64
	// MinEig is the smallest eigenvalue of Hess outside the soft
	// directions: negative at a saddle.
	MinEig float64
	// Flat holds the unit eigenvectors of the Hessian's flat directions
	// at J′ (eigenvalues at rounding level, flatTol; the gradient is zero
	// along them, the minimiser having converged on the others): the KL
	// is flat there to second order, either along a valley of minima —
	// then J′ is the point of it that the minimiser's rule picked
	// (softTol) — or rising at higher order (ValleyDirections tells
	// which). Soft counts the other directions left out of the Newton
	// steps (curvature below softTol).
	Flat [][]float64
	Soft int
	// Escaped counts the saddles the minimiser stepped off on the way.
	Escaped int
}

// Saddle reports whether the point is a saddle of KL(J, ·) rather than a
// minimum.
func (p Point) Saddle() bool { return p.MinEig < -negTol(p.Hess, len(p.J)) }

// negTol is the size below which a negative Hessian eigenvalue counts as
// rounding: 1e-9 of the Hessian's scale.
func negTol(H []float64, c int) float64 {
	m := 0.0
	for i := 0; i < c; i++ {
		m = math.Max(m, math.Abs(H[i*c+i]))
	}
	return 1e-9 * math.Max(m, 1e-3)
}

// errBudget is returned once a search has spent its budget of
// evaluations (Oracle.limit).
var errBudget = errors.New("the search's budget of evaluations is spent")

// ErrNoConvergence is returned when Newton's method does not reach a
// stationary point.
var ErrNoConvergence = errors.New("no stationary point")

// Minimize returns the local minimiser of KL(J, ·) reached from start:
// Newton steps limited to MaxStep with a line search on the KL, negative
// curvature followed downhill, and a stationary point whose Hessian has a
// negative eigenvalue left along that eigenvector. Flat directions
// (flatTol) are projected out of every step: where the minimum is a valley
// the minimiser stops at the point of it that this minimum-norm Newton
// iteration reaches from start — to first order the point of the valley
// nearest start — and reports the valley's directions in Point.Flat.
func (o *Oracle) Minimize(J, start []float64) (Point, error) {
	return o.solve(J, start, true)
}

// Stationary returns the stationary point of KL(J, ·) that Newton's method
// reaches from start, minimum or saddle (no escape), for the analysis of
// saddle branches such as the A1 fixed point embedded in a larger
// representation.
func (o *Oracle) Stationary(J, start []float64) (Point, error) {
	return o.solve(J, start, false)
}

// softTol and flatTol are sizes, relative to the Hessian's largest
// eigenvalue, below which a direction counts as soft (left out of the
// Newton steps) and as flat (flat to second order at a converged point).
//
// KL(J, ·) can be exactly degenerate: for A1+2E under the axis coarse
// mirror, at a physical-axis J the coarse distribution depends on two
// couplings (a, b) only through lc(2a) + lc(2b), so its minimum is a
// curve, a valley (docs/conventions.md, "Flat directions"). Near it the
// curvature along it and the gradient along it both vanish with the
// distance to it, and at rounding level the Newton step along it is a
// ratio of two rounding errors (of either sign: a tiny negative curvature
// would send the minimiser to its trust radius along the valley, where
// the line search finds nothing lower). So directions of curvature below
// softTol of the scale are left out of every step: the minimum-norm
// Newton step, which stops at the point of the valley that the iteration
// reaches from its start, to first order the nearest. The KL can also
// rise only at fourth order in a direction (the corner-E → centre-E
// couplings at a physical-axis J): the minimiser leaves such a direction
// where its curvature falls below softTol, where the KL is within ~1e-15
// of its minimum (at exactly zero coupling, where symmetry puts it, its
// curvature is zero). At a converged point (Newton steps below Tol of the
// couplings' scale) a valley's directions have curvature ≲ 1e-10 of the
// scale, and directions below flatTol are counted as flat (Point.Flat),
// the other soft ones as soft; whether flat directions belong to a valley
// of minima or rise at higher order is told apart by moving along them
// and minimising again (ValleyDirections). An isolated but soft minimum
// (the diagonal coarse mirror's, curvature ~1e-4 of the scale) is
// neither flat nor soft.
//
// escapeTol is the size, relative to the same scale, beyond which a
// negative curvature is followed to the trust radius rather than by a
// saddle-free Newton step.
//
// maxCoupling bounds the couplings the minimiser starts from or reaches.
const (
	maxCoupling = 1e3
	softTol     = 1e-7
	flatTol     = 1e-9
	escapeTol   = 1e-5
)

// newtonStep is one Newton step at a point: the step (its max norm cut to
// MaxStep), the size of the uncut step, the Hessian's eigen-decomposition
// and its soft directions (eigenvalues of modulus ≤ softTol of the
// largest, whose moves are left out).
type newtonStep struct {
	step       []float64
	stiffStep  []float64 // the step's part along the directions of curvature ≥ 1e-4 of the scale
	size       float64
	stiffSize  float64 // the size over the directions of curvature ≥ 1e-4 of the scale
	vals       []float64
	vecs       [][]float64
	soft       []int
	scale      float64 // the largest eigenvalue's modulus
	escapeNeed bool    // a direction of negative curvature beyond softTol (try escape at convergence)
}

func (o *Oracle) newton(d engine.KLDerivatives, minimise bool) newtonStep {
	c := len(d.Grad)
	vals, vecs := symEigen(d.Hess, c)
	ns := newtonStep{step: make([]float64, c), stiffStep: make([]float64, c), vals: vals, vecs: vecs, scale: math.Max(math.Abs(vals[0]), math.Abs(vals[c-1]))}
	for k := 0; k < c; k++ {
		lam := vals[k]
		if math.Abs(lam) <= softTol*ns.scale {
			ns.soft = append(ns.soft, k)
			continue
		}
		proj := dot(vecs[k], d.Grad)
		var move float64
		if minimise && lam < 0 {
			ns.escapeNeed = true
		}
		if minimise && lam < -escapeTol*ns.scale {
			// marked negative curvature: downhill to the trust radius
			// (the line search cuts the step back if the KL does not
			// fall); a Newton step there would climb, and a saddle-free
			// one creeps away from a saddle by a factor 2 per iteration.
			// Where the gradient has (next to) nothing along it the
			// other directions converge first, and a saddle is left at
			// convergence (escape)
			if math.Abs(proj) > 1e-8*maxAbs(d.Grad) {
				move = -math.Copysign(o.MaxStep, proj)
				ns.size, ns.stiffSize = math.Inf(1), math.Inf(1)
			}
		} else {
			// Newton's step, saddle-free (|λ|) for a slightly negative
			// curvature: near a valley of minima its curvature along the
			// valley is slightly negative on one side, and the quadratic
			// model's descent along the straight line holds only far
			// inside the valley's own curvature
			move = -proj / math.Abs(lam)
			ns.size = math.Max(ns.size, math.Abs(move))
			if math.Abs(lam) >= 1e-4*ns.scale {
				ns.stiffSize = math.Max(ns.stiffSize, math.Abs(move))
			}
		}
		stiff := math.Abs(lam) >= 1e-4*ns.scale
		for i := 0; i < c; i++ {
			ns.step[i] += move * vecs[k][i]
			if stiff {
				ns.stiffStep[i] += move * vecs[k][i]
			}
		}
	}
	for _, st := range [][]float64{ns.step, ns.stiffStep} {
		if s := maxAbs(st); s > o.MaxStep {
			for i := range st {
				st[i] *= o.MaxStep / s
			}
		}
	}
	return ns
}

// solve runs Newton's method from start.
func (o *Oracle) solve(J, start []float64, minimise bool) (Point, error) {
	c := len(start)
	x := append([]float64(nil), start...)
	J = append([]float64(nil), J...)
	escaped := 0
	trial := make([]float64, c)
	var d engine.KLDerivatives
	have := false // d holds the derivatives at x already (from the line search)
	lastStep := math.Inf(1)
	smallest, stall := math.Inf(1), 0 // the smallest Newton step, and the iterations since it halved
	var kls []float64                 // the KL at each iterate
	if maxAbs(x) > maxCoupling {
		// a Newton step relative to such couplings is no test of
		// convergence, and the derivatives are rounding there (a learned
		// image of 1e19 had a gradient of 7 and passed for a minimum)
		return Point{}, fmt.Errorf("%w: the start J′ = %v is beyond |J′| ≤ %g, where the KL's derivatives are lost to rounding", ErrNoConvergence, FormatVector(x), maxCoupling)
	}
	for it := 0; it < o.MaxIter; it++ {
		scale := o.Tol * math.Max(maxAbs(x), 1e-3)
		if !have {
			// near convergence the next evaluation is likely the last:
			// take the mixed derivative with it, for the branch's slope
			var err error
			if d, err = o.secondOrder(J, x, lastStep < 1e-4*math.Max(maxAbs(x), 1e-3)); err != nil {
				return Point{}, err
			}
		}
		have = false
		if !finite(d.KL) || !allFinite(d.Grad) || !allFinite(d.Hess) {
			// couplings so large that the derivatives are lost to rounding
			return Point{}, fmt.Errorf("%w: the KL or its derivatives are not finite at J′ = %v", ErrNoConvergence, FormatVector(x))
		}
		ns := o.newton(d, minimise)
		gmax := maxAbs(d.Grad)
		// converged: the Newton step (soft directions left out) is below
		// 1e-10 of the couplings' scale — a gradient bound alone would
		// stop far too early for weak couplings, where the KL and its
		// curvature vanish as powers of J — or the gradient is zero
		converged := func() (Point, error, bool) {
			if !minimise || !ns.escapeNeed {
				p, err := o.finish(J, x, d, ns, escaped)
				return p, err, true
			}
			// a saddle: step along the eigenvector of the negative
			// eigenvalue, to whichever side lowers the KL more
			if !o.escape(J, x, ns.vecs[0], d.KL) {
				if err := o.ctx.Err(); err != nil {
					return Point{}, err, true
				}
				p, err := o.finish(J, x, d, ns, escaped)
				return p, err, true
			}
			escaped++
			return Point{}, nil, false
		}
		// at rounding level Newton's step stops shrinking: once it is
		// below 1e-7 of the couplings' scale and has not halved in three
		// iterations, the point is as converged as the KL's rounding
		// allows (weak couplings, where the KL and its derivatives are
		// small differences of O(1) sums)
		stalled := false
		if ns.size < 1e-7*math.Max(maxAbs(x), 1e-3) {
			if ns.size < 0.5*smallest {
				smallest, stall = ns.size, 0
			} else if stall++; stall >= 3 {
				stalled = true
			}
		}
		// in weakly curved directions (below 1e-4 of the scale) the KL
		// can creep, 1e-13 to 1e-11 an iteration, towards a minimum
		// that it determines only that well (weak couplings, where the
		// KL is small and some directions nearly flat), and a line
		// search cut back for their sake holds the others back: once
		// the others' Newton step is below 1e-6 of the couplings' scale
		// and five iterations (two along a trajectory, which needs only
		// the fate) have lowered the KL by less than 1e-6 of itself, the
		// point is converged
		kls = append(kls, d.KL)
		w := 5
		if o.trajectory {
			w = 2
		}
		if n := len(kls); ns.stiffSize < 1e4*scale && n > w && kls[n-1-w]-kls[n-1] < 1e-6*math.Abs(d.KL)+1e-14 {
			stalled = true
		}
		if ns.size < scale || gmax == 0 || stalled {
			if p, err, done := converged(); done {
				return p, err
			}
			smallest, stall, kls = math.Inf(1), 0, kls[:0]
			continue
		}
		t, next, ok, err := o.lineSearch(J, x, ns, d, gmax, minimise, trial)
		if err != nil {
			return Point{}, err
		}
		if !ok {
			// no step helps: converged if the Newton step is nearly small
			// enough, in all directions or in all but the weakly curved
			// ones (whose KL the line search cannot resolve), the
			// gradient is at rounding level (weak couplings, where the
			// KL is nearly flat in some directions), or the decrease the
			// quadratic model promises is below the KL's resolution (a
			// minimum to rounding)
			if ns.size < 1e3*scale || ns.stiffSize < 1e3*scale || gmax < 1e-13 || o.modelGain(d, ns) < 1e-11*math.Max(1, math.Abs(d.KL)) {
				if p, err, done := converged(); done {
					return p, err
				}
				continue
			}
			return Point{}, fmt.Errorf("%w: the line search failed at J′ = %v (gradient %.3g)", ErrNoConvergence, x, gmax)
		}
		lastStep = t * maxAbs(ns.step)
		copy(x, trial)
		if next != nil {
			d, have = *next, true
		}
		if maxAbs(x) > maxCoupling {
			return Point{}, fmt.Errorf("%w: J′ ran off to %v", ErrNoConvergence, x)
		}
	}
	return Point{}, fmt.Errorf("%w: %d Newton iterations from %v were not enough", ErrNoConvergence, o.MaxIter, start)
}

// modelGain is the decrease of the KL that the quadratic model promises
// for the Newton step, −(g·s + ½ sᵀHs).
func (o *Oracle) modelGain(d engine.KLDerivatives, ns newtonStep) float64 {
	c := len(d.Grad)
	q := 0.0
	for i := 0; i < c; i++ {
		for j := 0; j < c; j++ {
			q += ns.step[i] * d.Hess[i*c+j] * ns.step[j]
		}
	}
	return -(dot(d.Grad, ns.step) + 0.5*q)
}

// lineSearch tries the full step first, with the second-order
// evaluation the next iteration needs (returned when accepted), and then
// x + t·step for t = 1/2, …, 1/256 at once (one batched KL evaluation, the
// kernels' lanes), and if none is accepted the next eight halvings down
// to 2⁻¹⁶ (weak couplings, where the KL is nearly flat in some directions
// and quartic in others, can need them). It leaves the accepted trial in
// trial, and stops with the context's error. A trial is accepted by Armijo's condition when minimising, or
// when its gradient is smaller where the decrease the step promises is
// below the KL's resolution (near a stationary point the KL, a difference
// of O(1) terms, cannot tell the iterates apart), and always by a smaller
// gradient when any stationary point will do.
func (o *Oracle) lineSearch(J, x []float64, ns newtonStep, d engine.KLDerivatives, gmax float64, minimise bool, trial []float64) (float64, *engine.KLDerivatives, bool, error) {
	c := len(x)
	step := ns.step
	kl0 := d.KL
	resolution := 1e-12 * math.Max(1, math.Abs(kl0))
	accept := func(step []float64, t, kl float64, grad []float64) bool {
		slope := dot(d.Grad, step)
		g := maxAbs(grad)
		switch {
		case !finite(kl):
			return false
		case minimise && -t*slope > resolution:
			return kl <= kl0+1e-4*t*slope
		case minimise:
			return kl < kl0-resolution || (g < gmax && kl <= kl0+resolution)
		}
		return g < gmax
	}
	// the full step, and then its part along the stiffer directions: in
	// weakly curved directions the quadratic model can be poor (the KL
	// rising at higher order), and a step cut back for their sake would
	// slow the others' convergence to a crawl
	for _, st := range [][]float64{step, ns.stiffStep} {
		if &st[0] != &step[0] && maxDist(st, step) == 0 {
			break
		}
		for i := range trial {
			trial[i] = x[i] + st[i]
		}
		full, err := o.secondOrder(J, trial, maxAbs(st) < 1e-4*math.Max(maxAbs(x), 1e-3))
		if err != nil {
			return 0, nil, false, err
		}
		if accept(st, 1, full.KL, full.Grad) {
			return 1, &full, true, nil
		}
	}
	const n = 8
	Js := make([]float64, n*c)
	Jps := make([]float64, n*c)
	kls := make([]float64, n)
	grads := make([]float64, n*c)
	for k := 0; k < n; k++ {
		copy(Js[k*c:], J)
	}
	t0 := 0.5
	for batch := 0; batch < 2; batch++ {
		t := t0
		for k := 0; k < n; k++ {
			for i := 0; i < c; i++ {
				Jps[k*c+i] = x[i] + t*step[i]
			}
			t /= 2
		}
		if err := o.batch(Js, Jps, kls, grads); err != nil {
			return 0, nil, false, err
		}
		t = t0
		for k := 0; k < n; k++ {
			if accept(step, t, kls[k], grads[k*c:(k+1)*c]) {
				copy(trial, Jps[k*c:(k+1)*c])
				return t, nil, true, nil
			}
			t /= 2
		}
		t0 = t
	}
	return 0, nil, false, nil
}

// escape moves x off a saddle along the unit vector v: of the steps ±α v,
// α = MaxStep, MaxStep/2, …, MaxStep/128, it takes the one with the lowest
// KL, and reports whether any lowered it.
func (o *Oracle) escape(J, x, v []float64, kl0 float64) bool {
	c := len(x)
	const n = 16
	Js := make([]float64, n*c)
	Jps := make([]float64, n*c)
	kls := make([]float64, n)
	for k := 0; k < n; k++ {
		copy(Js[k*c:], J)
		alpha := math.Ldexp(o.MaxStep, -(k / 2))
		if k%2 == 1 {
			alpha = -alpha
		}
		for i := 0; i < c; i++ {
			Jps[k*c+i] = x[i] + alpha*v[i]
		}
	}
	if o.batch(Js, Jps, kls, nil) != nil {
		return false // done: the caller's next evaluation returns ctx's error
	}
	best := -1
	for k, kl := range kls {
		if finite(kl) && kl < kl0-1e-12*math.Max(1, math.Abs(kl0)) && (best < 0 || kl < kls[best]) {
			best = k
		}
	}
	if best < 0 {
		return false
	}
	copy(x, Jps[best*c:(best+1)*c])
	return true
}

// finish evaluates the mixed derivative at a converged point and the slope
// of the branch through it, and records the flat directions.
func (o *Oracle) finish(J, x []float64, d engine.KLDerivatives, ns newtonStep, escaped int) (Point, error) {
	c := len(x)
	full := d
	if full.Mixed == nil {
		var err error
		if full, err = o.secondOrder(J, x, true); err != nil {
			return Point{}, err
		}
	}
	if !allFinite(full.Hess) || !allFinite(full.Mixed) {
		return Point{}, fmt.Errorf("%w: the KL's derivatives are not finite at J′ = %v", ErrNoConvergence, FormatVector(x))
	}
	p := Point{J: J, Jp: x, KL: full.KL, Grad: full.Grad, Hess: full.Hess, MinEig: math.Inf(1), Escaped: escaped}
	for k, v := range ns.vals {
		switch {
		case !slices.Contains(ns.soft, k):
			p.MinEig = math.Min(p.MinEig, v)
		case math.Abs(v) <= flatTol*ns.scale:
			p.Flat = append(p.Flat, ns.vecs[k])
		default:
			p.Soft++
		}
	}
	if math.IsInf(p.MinEig, 1) {
		p.MinEig = 0
	}
	p.Slope = slope(full.Hess, full.Mixed, c)
	return p, nil
}

// slope returns −H⁺ X, the pseudo-inverse leaving out the soft directions
// (softTol). At a bifurcation of the map, or along a valley of minima, H
// is singular and the branch has no unique slope; the pseudo-inverse is
// what the continuation's predictor can still use, and it keeps the
// predicted point's move along the valley at zero (the minimum-norm rule
// of Minimize).
func slope(H, X []float64, c int) []float64 {
	vals, vecs := symEigen(H, c)
	scale := math.Max(math.Abs(vals[0]), math.Abs(vals[c-1]))
	out := make([]float64, c*c)
	for k, lam := range vals {
		if math.Abs(lam) <= softTol*scale {
			continue
		}
		v := vecs[k]
		// out −= v (vᵀ X) / λ
		for j := 0; j < c; j++ {
			vx := 0.0
			for i := 0; i < c; i++ {
				vx += v[i] * X[i*c+j]
			}
			for i := 0; i < c; i++ {
				out[i*c+j] -= v[i] * vx / lam
			}
		}
	}
	return out
}

// Continue follows the branch of from to the coupling J along the straight
// segment from from.J: a predictor from the branch's slope, a corrector by
// Minimize, and step halving when the corrector moves farther than the
// predictor's own step suggests (a jump to another branch) or fails.
func (o *Oracle) Continue(from Point, J []float64) (Point, error) {
	return o.continueBranch(from, J, true)
}

// ContinueStationary follows a branch of stationary points (minima or
// saddles, no escape) as Continue does minima.
func (o *Oracle) ContinueStationary(from Point, J []float64) (Point, error) {
	return o.continueBranch(from, J, false)
}

func (o *Oracle) continueBranch(from Point, J []float64, minimise bool) (Point, error) {
	c := len(J)
	Ja := from.J
	cur := from
	t, h := 0.0, 1.0
	Jt := make([]float64, c)
	pred := make([]float64, c)
	for t < 1 {
		tn := math.Min(1, t+h)
		for i := range Jt {
			Jt[i] = Ja[i] + tn*(J[i]-Ja[i])
		}
		move := 0.0
		for i := 0; i < c; i++ {
			s := cur.Jp[i]
			for k := 0; k < c; k++ {
				s += cur.Slope[i*c+k] * (Jt[k] - cur.J[k])
			}
			pred[i] = s
			move = math.Max(move, math.Abs(s-cur.Jp[i]))
		}
		p, err := o.solve(Jt, pred, minimise)
		// a corrector that moves much farther than the predictor has
		// jumped to another branch — except from a point of a valley of
		// minima, where the map itself is discontinuous: off the valley's
		// J the degeneracy is lifted in favour of one of its points,
		// which the corrector has to reach, however far along it lies
		if err == nil && (p.Escaped > 0 || len(cur.Flat) > 0 || stiffDist(p, pred) <= 0.02+0.5*move) {
			cur, t = p, tn
			h = math.Min(1, 2*h)
			continue
		}
		h /= 2
		if h < 1e-6 {
			if err == nil {
				err = fmt.Errorf("the branch jumps (corrector moved %.3g after a predicted move of %.3g)", maxDist(p.Jp, pred), move)
			}
			return cur, fmt.Errorf("continuation from J = %v stalled at t = %.6f towards %v: %w", Ja, t, J, err)
		}
	}
	return cur, nil
}

// stiffDist is the max-norm distance from pred to the minimum p, leaving
// out p's weakly curved directions (below 1e-4 of the Hessian's scale):
// along those the KL determines J′ only roughly (near-valleys of the
// weak couplings, where it changes by 1e-11 over 0.1), so the corrector's
// move there says nothing about a jump to another branch.
func stiffDist(p Point, pred []float64) float64 {
	c := len(pred)
	vals, vecs := symEigen(p.Hess, c)
	scale := math.Max(math.Abs(vals[0]), math.Abs(vals[c-1]))
	d := make([]float64, c)
	for i := range d {
		d[i] = p.Jp[i] - pred[i]
	}
	for k, lam := range vals {
		if math.Abs(lam) < 1e-4*scale {
			f := dot(d, vecs[k])
			for i := range d {
				d[i] -= f * vecs[k][i]
			}
		}
	}
	return maxAbs(d)
}

// MapFrom starts a path at J: it minimises from each start (and from J′ = J
// and scaled copies when starts is empty) and keeps the lowest KL.
func (o *Oracle) MapFrom(J []float64, starts [][]float64) (Point, error) {
	if len(starts) == 0 {
		starts = DefaultStarts(J)
	}
	var best Point
	var firstErr error
	found := false
	for _, s := range starts {
		p, err := o.Minimize(J, s)
		if err != nil {
			if firstErr == nil {
				firstErr = err
			}
			continue
		}
		if !found || p.KL < best.KL-1e-13*math.Abs(best.KL) {
			best, found = p, true
		}
	}
	if !found {
		return Point{}, fmt.Errorf("no start led to a minimum of KL(%v, ·): %w", J, firstErr)
	}
	return best, nil
}

// DefaultStarts are the first-point starts of a path at J: J′ = J, J/2 and
// 3J/2, and J plus four fixed pseudo-random perturbations of size 0.3 in
// every coupling, so that a minimum off the subspace of J is found even
// where J′ = J sits on a saddle. The perturbations are the same on every
// call: a path's first point is reproducible.
func DefaultStarts(J []float64) [][]float64 {
	c := len(J)
	var out [][]float64
	for _, f := range []float64{1, 0.5, 1.5} {
		s := make([]float64, c)
		for i := range s {
			s[i] = f * J[i]
		}
		out = append(out, s)
	}
	rng := rand.New(rand.NewPCG(0x6f7261636c65, uint64(c))) // "oracle"
	for k := 0; k < 4; k++ {
		s := append([]float64(nil), J...)
		for i := range s {
			s[i] += 0.3 * rng.NormFloat64()
		}
		out = append(out, s)
	}
	return out
}

// symEigen returns the eigenvalues of a symmetric c×c matrix in ascending
// order and the matching unit eigenvectors.
func symEigen(A []float64, c int) ([]float64, [][]float64) {
	var es mat.EigenSym
	if !es.Factorize(mat.NewSymDense(c, append([]float64(nil), A...)), true) {
		panic("oracle: symmetric eigendecomposition failed")
	}
	vals := es.Values(nil)
	var V mat.Dense
	es.VectorsTo(&V)
	vecs := make([][]float64, c)
	for k := range vecs {
		vecs[k] = mat.Col(nil, k, &V)
	}
	return vals, vecs
}

func finite(x float64) bool { return !math.IsNaN(x) && !math.IsInf(x, 0) }

func allFinite(x []float64) bool {
	for _, v := range x {
		if !finite(v) {
			return false
		}
	}
	return true
}

func maxAbs(x []float64) float64 {
	m := 0.0
	for _, v := range x {
		m = math.Max(m, math.Abs(v))
	}
	return m
}

func maxDist(a, b []float64) float64 {
	m := 0.0
	for i := range a {
		m = math.Max(m, math.Abs(a[i]-b[i]))
	}
	return m
}

func dot(a, b []float64) float64 {
	s := 0.0
	for i := range a {
		s += a[i] * b[i]
	}
	return s
}
