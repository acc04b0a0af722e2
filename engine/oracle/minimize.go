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

	"gonum.org/v1/gonum/mat"

	"rgflow/engine"
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
	return &Oracle{B: b, Tol: 1e-10, MaxStep: 0.25, MaxIter: 200, ctx: ctx}
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
	// Slope is dJ′/dJ along the branch, −Hess⁻¹ Mixed (c×c, row-major).
	Slope []float64
	// MinEig is the smallest eigenvalue of Hess: negative at a saddle.
	MinEig float64
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

// ErrNoConvergence is returned when Newton's method does not reach a
// stationary point.
var ErrNoConvergence = errors.New("no stationary point")

// Minimize returns the local minimiser of KL(J, ·) reached from start:
// saddle-free Newton steps (the Hessian's eigenvalues taken in absolute
// value, so negative curvature is followed downhill) limited to MaxStep,
// with a backtracking line search on the KL; a stationary point whose
// Hessian has a negative eigenvalue is left along that eigenvector.
func (o *Oracle) Minimize(J, start []float64) (Point, error) {
	return o.solve(J, start, true, nil)
}

// Stationary returns the stationary point of KL(J, ·) that Newton's method
// reaches from start, minimum or saddle (no escape), for the analysis of
// saddle branches such as the A1 fixed point embedded in a larger
// representation.
func (o *Oracle) Stationary(J, start []float64) (Point, error) {
	return o.solve(J, start, false, nil)
}

// solve runs Newton's method from start. hint, if not nil, is a Hessian
// close to the one at the solution (a neighbouring point's, during
// continuation): the first iterations are then chord steps with that fixed
// Hessian, which need only the gradient (one batched kernel evaluation
// each) instead of the full second-order enumeration.
func (o *Oracle) solve(J, start []float64, minimise bool, hint []float64) (Point, error) {
	c := o.B.Couplings()
	x := append([]float64(nil), start...)
	J = append([]float64(nil), J...)
	escaped := 0
	trial := make([]float64, c)
	if hint != nil {
		o.chord(J, x, hint, minimise)
	}
	lastStep := math.Inf(1)
	for it := 0; it < o.MaxIter; it++ {
		// near convergence the next evaluation is likely the last: take the
		// mixed derivative with it, for the branch's slope
		d, err := o.B.KLSecondOrderContext(o.ctx, J, x, lastStep < 1e-4*math.Max(maxAbs(x), 1e-3))
		if err != nil {
			return Point{}, err
		}
		o.Evals++
		if !finite(d.KL) || !allFinite(d.Grad) || !allFinite(d.Hess) {
			// couplings so large that the derivatives are lost to rounding
			return Point{}, fmt.Errorf("%w: the KL or its derivatives are not finite at J′ = %v", ErrNoConvergence, FormatVector(x))
		}
		vals, vecs := symEigen(d.Hess, c)
		gmax := maxAbs(d.Grad)
		// converged: either the gradient is below the tolerance, or it is
		// at rounding level and the line search below cannot improve on it
		converged := func() (Point, error, bool) {
			if !minimise || vals[0] >= -negTol(d.Hess, c) {
				p, err := o.finish(J, x, d, vals[0], escaped)
				return p, err, true
			}
			// a saddle: step along the eigenvector of the negative
			// eigenvalue, to whichever side lowers the KL more
			if !o.escape(J, x, vecs[0], d.KL) {
				if err := o.ctx.Err(); err != nil {
					return Point{}, err, true
				}
				p, err := o.finish(J, x, d, vals[0], escaped)
				return p, err, true
			}
			escaped++
			return Point{}, nil, false
		}
		// the size of a plain Newton step (eigenvalues in absolute value):
		// converged when it is below 1e-10 of the couplings' scale. A
		// gradient bound alone would stop far too early for weak couplings,
		// where the KL and its curvature vanish as powers of J.
		newton := 0.0
		{
			floor := 1e-12 * math.Max(math.Abs(vals[c-1]), 1e-300)
			for k := 0; k < c; k++ {
				proj := dot(vecs[k], d.Grad)
				newton = math.Max(newton, math.Abs(proj)/math.Max(math.Abs(vals[k]), floor))
			}
		}
		if newton < o.Tol*math.Max(maxAbs(x), 1e-3) || gmax == 0 {
			if p, err, done := converged(); done {
				return p, err
			}
			continue
		}
		// Newton step. When minimising, a direction of negative curvature
		// is followed downhill to the trust radius (the line search cuts
		// the step back if the KL does not fall): a Newton step there
		// would climb, and a saddle-free one (|λ|) creeps away from a
		// saddle by a factor 2 per iteration.
		step := make([]float64, c)
		floor := 1e-12 * math.Max(math.Abs(vals[c-1]), 1e-6)
		ntol := negTol(d.Hess, c)
		for k := 0; k < c; k++ {
			proj := 0.0
			for i := 0; i < c; i++ {
				proj += vecs[k][i] * d.Grad[i]
			}
			var move float64
			lam := vals[k]
			switch {
			case minimise && lam < -ntol:
				move = -math.Copysign(o.MaxStep, proj)
			default:
				if math.Abs(lam) < floor {
					lam = math.Copysign(floor, lam)
				}
				move = -proj / lam
			}
			for i := 0; i < c; i++ {
				step[i] += move * vecs[k][i]
			}
		}
		if s := maxAbs(step); s > o.MaxStep {
			for i := range step {
				step[i] *= o.MaxStep / s
			}
		}
		// line search over t = 1, 1/2, …, 1/2^7 in one batched evaluation:
		// the first t whose KL satisfies Armijo's condition when minimising,
		// or whose gradient is smaller when the decrease the step promises
		// is below the KL's resolution (near a stationary point the KL,
		// a difference of O(1) terms, cannot tell the iterates apart) and
		// always when any stationary point will do
		t, _, _, ok := o.lineSearch(J, x, step, d.KL, dot(d.Grad, step), gmax, minimise, trial)
		if err := o.ctx.Err(); err != nil {
			return Point{}, err
		}
		if !ok {
			// no step helps: converged if the Newton step is nearly small
			// enough or the gradient is at rounding level (weak couplings,
			// where the KL is nearly flat in some directions)
			if newton < 1e3*o.Tol*math.Max(maxAbs(x), 1e-3) || gmax < 1e-13 {
				if p, err, done := converged(); done {
					return p, err
				}
				continue
			}
			return Point{}, fmt.Errorf("%w: the line search failed at J′ = %v (gradient %.3g)", ErrNoConvergence, x, gmax)
		}
		lastStep = t * maxAbs(step)
		copy(x, trial)
		if maxAbs(x) > 1e3 {
			return Point{}, fmt.Errorf("%w: J′ ran off to %v", ErrNoConvergence, x)
		}
	}
	return Point{}, fmt.Errorf("%w: %d Newton iterations from %v were not enough", ErrNoConvergence, o.MaxIter, start)
}

// lineSearch tries x + t·step for t = 1, 1/2, …, 1/128 at once (one
// batched KL evaluation, the kernels' lanes), and if none is accepted the
// next eight halvings down to 2⁻¹⁵ (weak couplings, where the KL is nearly
// flat in some directions and quartic in others, can need them); it leaves
// the first accepted trial in trial and returns its t, KL and gradient.
func (o *Oracle) lineSearch(J, x, step []float64, kl0, slope, gmax float64, minimise bool, trial []float64) (float64, float64, []float64, bool) {
	c := len(x)
	const n = 8
	Js := make([]float64, n*c)
	Jps := make([]float64, n*c)
	kls := make([]float64, n)
	grads := make([]float64, n*c)
	for k := 0; k < n; k++ {
		copy(Js[k*c:], J)
	}
	resolution := 1e-12 * math.Max(1, math.Abs(kl0))
	t0 := 1.0
	for batch := 0; batch < 2; batch++ {
		t := t0
		for k := 0; k < n; k++ {
			for i := 0; i < c; i++ {
				Jps[k*c+i] = x[i] + t*step[i]
			}
			t /= 2
		}
		if o.B.KLBatchContext(o.ctx, Js, Jps, kls, grads, 1) != nil {
			return 0, 0, nil, false // done: the Newton step that follows returns ctx's error
		}
		t = t0
		for k := 0; k < n; k++ {
			g := maxAbs(grads[k*c : (k+1)*c])
			var accept bool
			switch {
			case !finite(kls[k]):
			case minimise && -t*slope > resolution:
				accept = kls[k] <= kl0+1e-4*t*slope
			case minimise:
				accept = kls[k] < kl0-resolution || (g < gmax && kls[k] <= kl0+resolution)
			default:
				accept = g < gmax
			}
			if accept {
				copy(trial, Jps[k*c:(k+1)*c])
				return t, kls[k], append([]float64(nil), grads[k*c:(k+1)*c]...), true
			}
			t /= 2
		}
		t0 = t
	}
	return 0, 0, nil, false
}

// chord takes up to eight quasi-Newton steps from x, starting from a
// neighbour's Hessian H and improving it by BFGS updates, with the
// gradient from the kernels (one batched evaluation per step) instead of
// the second-order enumeration. It hands over to Newton's method as soon
// as a step fails to halve the gradient: the hint was then not close
// enough to be worth more cheap steps.
func (o *Oracle) chord(J, x, H0 []float64, minimise bool) {
	c := len(x)
	H := append([]float64(nil), H0...)
	if o.ctx.Err() != nil {
		return // the Newton step that follows returns ctx's error
	}
	kl, g := o.B.KL(J, x)
	if !finite(kl) || !allFinite(g) || !allFinite(H) {
		return // Newton's method, which follows, says so
	}
	trial := make([]float64, c)
	for it := 0; it < 8; it++ {
		vals, vecs := symEigen(H, c)
		if minimise && vals[0] <= 0 {
			return
		}
		floor := 1e-12 * math.Max(math.Abs(vals[c-1]), 1e-300)
		step := make([]float64, c)
		for k := 0; k < c; k++ {
			move := -dot(vecs[k], g) / math.Max(math.Abs(vals[k]), floor)
			for i := range step {
				step[i] += move * vecs[k][i]
			}
		}
		if s := maxAbs(step); s > o.MaxStep {
			for i := range step {
				step[i] *= o.MaxStep / s
			}
		}
		if maxAbs(step) < o.Tol*math.Max(maxAbs(x), 1e-3) {
			return
		}
		gmax := maxAbs(g)
		t, kn, gn, ok := o.lineSearch(J, x, step, kl, dot(g, step), gmax, minimise, trial)
		if !ok {
			return
		}
		// BFGS: H ← H + y yᵀ/(yᵀs) − (Hs)(Hs)ᵀ/(sᵀHs), s the step taken, y
		// the change of the gradient
		sv, y := make([]float64, c), make([]float64, c)
		for i := range sv {
			sv[i] = trial[i] - x[i]
			y[i] = gn[i] - g[i]
		}
		Hs := make([]float64, c)
		for i := 0; i < c; i++ {
			for k := 0; k < c; k++ {
				Hs[i] += H[i*c+k] * sv[k]
			}
		}
		if ys, sHs := dot(y, sv), dot(sv, Hs); ys > 0 && sHs > 0 {
			for i := 0; i < c; i++ {
				for k := 0; k < c; k++ {
					H[i*c+k] += y[i]*y[k]/ys - Hs[i]*Hs[k]/sHs
				}
			}
		}
		copy(x, trial)
		kl, g = kn, append(g[:0], gn...)
		if t < 1 || maxAbs(g) > 0.5*gmax {
			return
		}
	}
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
	if o.B.KLBatchContext(o.ctx, Js, Jps, kls, nil, 1) != nil {
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
// of the branch through it.
func (o *Oracle) finish(J, x []float64, d engine.KLDerivatives, minEig float64, escaped int) (Point, error) {
	c := o.B.Couplings()
	full := d
	if full.Mixed == nil {
		var err error
		if full, err = o.B.KLSecondOrderContext(o.ctx, J, x, true); err != nil {
			return Point{}, err
		}
		o.Evals++
	}
	if !allFinite(full.Hess) || !allFinite(full.Mixed) {
		return Point{}, fmt.Errorf("%w: the KL's derivatives are not finite at J′ = %v", ErrNoConvergence, FormatVector(x))
	}
	p := Point{J: J, Jp: x, KL: full.KL, Grad: full.Grad, Hess: full.Hess, MinEig: minEig, Escaped: escaped}
	p.Slope = slope(full.Hess, full.Mixed, c)
	return p, nil
}

// slope returns −H⁻¹ X. At a bifurcation of the map H is singular and the
// branch has no unique slope; the solve then falls back to the
// pseudo-inverse (directions of H below 1e-10 of its scale dropped), which
// is what the continuation's predictor can still use.
func slope(H, X []float64, c int) []float64 {
	vals, vecs := symEigen(H, c)
	scale := math.Max(math.Abs(vals[0]), math.Abs(vals[c-1]))
	out := make([]float64, c*c)
	for k, lam := range vals {
		if math.Abs(lam) <= 1e-10*scale {
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
	c := o.B.Couplings()
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
		p, err := o.solve(Jt, pred, minimise, cur.Hess)
		if err == nil && (p.Escaped > 0 || maxDist(p.Jp, pred) <= 0.02+0.5*move) {
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
