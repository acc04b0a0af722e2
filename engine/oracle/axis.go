package oracle

import (
	"fmt"
	"math"
	"sort"
)

// Fate is where the exact map's iterates from a starting coupling go.
type Fate int

const (
	Undecided  Fate = iota // neither bound reached within the step limit
	Disordered             // every coupling fell below the small bound
	Ordered                // some coupling grew past the large bound
)

func (f Fate) String() string {
	return [...]string{"undecided", "disordered", "ordered"}[f]
}

// Trajectory is the exact map iterated from one starting coupling.
type Trajectory struct {
	Fate  Fate
	Steps int
	// Closest[i] is the smallest orbit distance of the iterates to
	// fixed point i of the list given to Iterate, and ClosestStep the step
	// at which it occurred.
	Closest     []float64
	ClosestStep []int
	Last        Point
	// Slowest is the iterate whose step is smallest beside its size,
	// |A·M(J) − J| / max(|J|, 0.05) over the gauge actions A, and
	// SlowSpeed that ratio: a start for a fixed-point search when small.
	Slowest   []float64
	SlowSpeed float64
	// path holds the iterates, the starting point first (a guide for the
	// trajectory of a nearby point, iterateGuided).
	path []Point
}

// FateBounds are the gauge-invariant bounds of Iterate: ordered once
// max|J| > Large, disordered once max|J| < Small.
type FateBounds struct {
	Large, Small float64
	MaxSteps     int
}

// DefaultBounds puts the small bound at 0.02, or a tenth of the largest
// coupling of the weakest non-trivial fixed point found: there the map is
// in the linear regime of the trivial fixed point J = 0, whose eigenvalues
// are all below one for most representations (≈ 0.82 for A1), so the flow
// only shrinks (Iterate also asks that the step shrank), and a weak-
// coupling fixed point is not mistaken for the disordered one. (A larger
// bound would save the costly iterates of weak couplings, but under the
// diagonal mirror 2A1+E's flows from J_0 = 0.05 fall below 0.05 and then
// order: J = 0 is not attractive there.) The large bound is 2, or 2.5
// times the largest coupling of any fixed point: past it the ordered flow
// only grows (by about √2 per step), and not far beyond it the KL between
// two almost fully ordered blocks becomes too flat in J′ (its gradient at
// rounding level) to resolve the map.
func DefaultBounds(fps []FixedPoint) FateBounds {
	small, large := 0.02, 2.0
	for _, fp := range fps {
		if m := maxAbs(fp.J); m > Trivial {
			small = math.Min(small, 0.1*m)
			large = math.Max(large, 2.5*m)
		}
	}
	return FateBounds{Large: large, Small: small, MaxSteps: 400}
}

// Trivial is the coupling size below which a fixed point is the trivial,
// disordered one at J = 0.
const Trivial = 1e-3

// Iterate applies the exact map repeatedly from the branch point p (a
// minimiser at p.J), continuing the minimiser from each iterate to the
// next, until a bound decides the fate or MaxSteps pass. It records how
// close the iterates come to each of fps.
func (o *Oracle) Iterate(p Point, fps []FixedPoint, bounds FateBounds) (Trajectory, error) {
	return o.iterateGuided(p, fps, bounds, nil)
}

// iterateGuided is Iterate, each step continued from whichever is nearer
// the next iterate: the current iterate, or the same step of guide, the
// trajectory of a nearby starting point. The bisection of the axis
// critical coupling iterates from points ever closer together, whose
// trajectories agree for many steps: continued from its neighbour's, an
// iterate's predictor is off by the square of their distance, and the
// corrector needs one or two evaluations instead of three to twenty (the
// first steps off a valley of the axis, where the corrector has to cross
// the valley, cost the most). Off the axis the minimum is isolated, so the
// map does not depend on where its minimiser starts from.
func (o *Oracle) iterateGuided(p Point, fps []FixedPoint, bounds FateBounds, guide []Point) (tr Trajectory, err error) {
	tr = Trajectory{SlowSpeed: math.Inf(1)}
	if err := o.gauge(); err != nil {
		return tr, err
	}
	defer o.closest(&tr, fps) // on every return, the closest approaches of the iterates so far
	cur := p
	tr.path = append(tr.path, cur)
	for n := 0; n < bounds.MaxSteps; n++ {
		if speed := o.OrbitDistance(cur.J, cur.Jp) / math.Max(maxAbs(cur.J), 0.05); speed < tr.SlowSpeed {
			tr.Slowest, tr.SlowSpeed = cur.J, speed
		}
		// decide on the next iterate, M(J), which is already known: the
		// continuation to it is not needed once it is past a bound (and
		// could fail there, where the KL becomes flat)
		switch m := maxAbs(cur.Jp); {
		case m > bounds.Large:
			tr.Fate, tr.Steps, tr.Last = Ordered, n+1, cur
			return tr, nil
		case m < bounds.Small && m < maxAbs(cur.J):
			tr.Fate, tr.Steps, tr.Last = Disordered, n+1, cur
			return tr, nil
		}
		// the gauge image of M(J) nearest the guide's step, if that is
		// nearer than the current iterate is to its own nearest image
		J, from := o.nextIterate(cur), cur
		if n+1 < len(guide) {
			if _, img, d := o.G.Nearest(cur.Jp, guide[n+1].J); d < maxDist(cur.J, J) {
				J, from = img, guide[n+1]
			}
		}
		// the iterates need only decide the fate: weakly curved
		// directions, where a weak coupling's KL creeps, converge sooner
		o.trajectory = true
		next, err := o.Continue(from, J)
		o.trajectory = false
		if err != nil {
			return tr, fmt.Errorf("step %d of the map from %v: %w", n+1, p.J, err)
		}
		cur = next
		tr.path = append(tr.path, cur)
	}
	tr.Steps, tr.Last = bounds.MaxSteps, cur
	return tr, nil
}

// closest sets how close the trajectory's iterates come to each of fps.
func (o *Oracle) closest(tr *Trajectory, fps []FixedPoint) {
	tr.Closest, tr.ClosestStep = make([]float64, len(fps)), make([]int, len(fps))
	for i, fp := range fps {
		tr.Closest[i] = math.Inf(1)
		for n, q := range tr.path {
			if d := o.OrbitDistance(q.J, fp.J); d < tr.Closest[i] {
				tr.Closest[i], tr.ClosestStep[i] = d, n
			}
		}
	}
}

// nextIterate is the image of M(J) that lies closest to J among its gauge
// images: the same model, reached by a short continuation path (the path
// from J to −J, say, would cross J = 0, where the map degenerates).
func (o *Oracle) nextIterate(p Point) []float64 {
	_, img, _ := o.G.Nearest(p.Jp, p.J)
	return img
}

// AxisResult is the critical coupling on the physical axis (J_0, 0, …, 0).
type AxisResult struct {
	Jc       float64 // NaN if the axis has no ordered/disordered boundary in the scanned range
	Lo, Hi   float64 // the final bracket
	Fates    int     // trajectories computed
	Approach int     // index of the fixed point the separatrix flow comes closest to (−1: none)
	Distance float64 // that closest orbit distance
	Steps    int     // and the step at which it occurs
	Note     string  // what went wrong, if anything
	// Points are the axis points whose fate was computed, in order, with
	// the map's flat directions there.
	Points []AxisPoint
}

// AxisPoint is one axis point of AxisCritical: J_0, the fate of its flow,
// the steps it took and the flat and soft directions of KL(J, ·) at the
// map's image of the point (Point.Flat, Point.Soft).
type AxisPoint struct {
	J0             float64 `json:"j0"`
	Fate           string  `json:"fate"`
	Steps          int     `json:"steps"`
	FlatDirections int     `json:"flat_directions"`
	SoftDirections int     `json:"soft_directions"`
}

// AxisCritical finds the J_0 at which the fate of (J_0, 0, …, 0) under the
// exact map changes from disordered to ordered: a scan of J_0 from 0.05 to
// 2.5, then bisection to tol (shortened by a secant search where the
// bracket's flows pass a fixed point, bisectAxis). Each trajectory starts
// from the minimiser continued along the axis from ref (the minimiser at
// one axis point, found once from several starts), so no point of the axis
// gets a fresh global search. It reports which of fps the flow from the
// boundary approaches.
func (o *Oracle) AxisCritical(ref Point, fps []FixedPoint, bounds FateBounds, tol float64, progress func(string)) AxisResult {
	res := AxisResult{Jc: math.NaN(), Approach: -1, Distance: math.Inf(1)}
	s := o.newAxisSearch(ref, fps, bounds, &res, progress)
	if s.scan() {
		s.bisect(s.lo, s.hi, s.trLo, s.trHi, tol)
	}
	return res
}

// scan computes the fates from J_0 = 0.05 in steps of 0.15 up to the first
// change from disordered to ordered flow, and keeps that bracket in s (or
// a note in res, returning false, if there is none up to 2.5).
func (s *axisSearch) scan() bool {
	res := s.res
	prevX, prev := math.NaN(), Undecided
	var prevTr Trajectory
	for x := 0.05; x <= 2.5+1e-9; x += 0.15 {
		f, tr, err := s.fate(x)
		if err != nil {
			res.Note = err.Error()
			return false
		}
		s.scanned = append(s.scanned, tr)
		if prev == Disordered && f == Ordered {
			s.lo, s.hi, s.trLo, s.trHi = prevX, x, prevTr, tr
			res.Note = ""
			return true
		}
		if f == Undecided && prev == Disordered {
			res.Note = fmt.Sprintf("the flow from the axis at J_0 = %.3f reaches neither bound in %d steps", x, s.bounds.MaxSteps)
		}
		prevX, prev, prevTr = x, f, tr
	}
	if res.Note == "" {
		res.Note = "no change from disordered to ordered flow on the axis between J_0 = 0.05 and 2.5"
	}
	return false
}

// AxisCriticalNear is AxisCritical with the scan replaced by a bracket
// around guess: the fates at guess ∓ width, widened (doubling, up to
// 0.05 and 2.5) until they differ, then bisection to tol. It serves a
// second axis search from another reference point of a valley, whose
// critical coupling lies near the first's.
func (o *Oracle) AxisCriticalNear(ref Point, fps []FixedPoint, bounds FateBounds, guess, width, tol float64, progress func(string)) AxisResult {
	res := AxisResult{Jc: math.NaN(), Approach: -1, Distance: math.Inf(1)}
	s := o.newAxisSearch(ref, fps, bounds, &res, progress)
	lo, hi := math.Max(0.05, guess-width), math.Min(2.5, guess+width)
	for {
		flo, trLo, err := s.fate(lo)
		if err != nil {
			res.Note = err.Error()
			return res
		}
		fhi, trHi, err := s.fate(hi)
		if err != nil {
			res.Note = err.Error()
			return res
		}
		if flo == Disordered && fhi == Ordered {
			s.bisect(lo, hi, trLo, trHi, tol)
			return res
		}
		if lo <= 0.05 && hi >= 2.5 {
			res.Note = "no change from disordered to ordered flow on the axis between J_0 = 0.05 and 2.5"
			return res
		}
		width *= 2
		lo, hi = math.Max(0.05, guess-width), math.Min(2.5, guess+width)
	}
}

// axisSearch computes the fates of axis points, each continuing the map
// from the previous one (from ref for the first) and guided by the
// previous one's trajectory (iterateGuided), recording the points in res.
type axisSearch struct {
	o        *Oracle
	fps      []FixedPoint
	bounds   FateBounds
	res      *AxisResult
	progress func(string)
	anchor   Point
	guide    []Point
	// the bracket scan found, its trajectories, and every trajectory of
	// the scan
	lo, hi     float64
	trLo, trHi Trajectory
	scanned    []Trajectory
}

// retarget sets the fixed points and bounds of the search after its scan
// (Analyse scans before it has the fixed points, to start their searches
// from the scan's slowest iterates). A bracket end found ordered under a
// lower large bound is checked again; it reports whether the bracket
// stands.
func (s *axisSearch) retarget(fps []FixedPoint, bounds FateBounds) (bool, error) {
	old := s.bounds
	s.fps, s.bounds = fps, bounds
	s.o.closest(&s.trLo, fps)
	s.o.closest(&s.trHi, fps)
	// a flow that fell below the old small bound (with a smaller step)
	// falls below a larger one, and one that grew past the old large
	// bound, never having fallen below the small one, grows past a
	// smaller one; otherwise the end is computed again
	if bounds.Small < old.Small {
		f, tr, err := s.fate(s.lo)
		if err != nil || f != Disordered {
			return false, err
		}
		s.trLo = tr
	}
	if bounds.Large > old.Large {
		f, tr, err := s.fate(s.hi)
		if err != nil || f != Ordered {
			return false, err
		}
		s.trHi = tr
	}
	return true, nil
}

// slowStarts are fixed-point starts from the scan's trajectories: the
// slowest iterates whose step is under a tenth of their size, the
// slowest first, at most three, none within 0.05 of another's orbit.
func (s *axisSearch) slowStarts() []Start {
	idx := make([]int, 0, len(s.scanned))
	for i, tr := range s.scanned {
		if tr.SlowSpeed < 0.1 {
			idx = append(idx, i)
		}
	}
	sort.SliceStable(idx, func(a, b int) bool { return s.scanned[idx[a]].SlowSpeed < s.scanned[idx[b]].SlowSpeed })
	var out []Start
	var kept [][]float64
	for _, i := range idx {
		tr := s.scanned[i]
		near := false
		for _, k := range kept {
			near = near || s.o.OrbitDistance(tr.Slowest, k) < 0.05
		}
		if near {
			continue
		}
		kept = append(kept, tr.Slowest)
		out = append(out, Start{Name: fmt.Sprintf("the slowest iterate from the axis at %.2f", tr.path[0].J[0]), J: tr.Slowest})
		if len(out) == 3 {
			break
		}
	}
	return out
}

func (o *Oracle) newAxisSearch(ref Point, fps []FixedPoint, bounds FateBounds, res *AxisResult, progress func(string)) *axisSearch {
	return &axisSearch{o: o, fps: fps, bounds: bounds, res: res, progress: progress, anchor: ref}
}

// fate iterates the map from the axis point x until a bound decides.
func (s *axisSearch) fate(x float64) (Fate, Trajectory, error) {
	return s.run(x, s.bounds.MaxSteps)
}

// run iterates the map from the axis point x for at most steps steps: a
// trajectory cut short of a bound is Undecided.
func (s *axisSearch) run(x float64, steps int) (Fate, Trajectory, error) {
	o := s.o
	J := make([]float64, o.B.Couplings())
	J[0] = x
	e0 := o.Evals
	p, err := o.Continue(s.anchor, J)
	if err != nil {
		return Undecided, Trajectory{}, err
	}
	s.anchor = p // the next axis point continues from here
	e1 := o.Evals
	bounds := s.bounds
	bounds.MaxSteps = steps
	tr, err := o.iterateGuided(p, s.fps, bounds, s.guide)
	s.guide = tr.path
	if steps < s.bounds.MaxSteps {
		if s.progress != nil {
			s.progress(fmt.Sprintf("axis J_0 = %.6f: %d steps (%d evaluations)", x, len(tr.path)-1, o.Evals-e0))
		}
		return tr.Fate, tr, err
	}
	s.res.Fates++
	s.res.Points = append(s.res.Points, AxisPoint{J0: x, Fate: tr.Fate.String(), Steps: tr.Steps, FlatDirections: len(p.Flat), SoftDirections: p.Soft})
	if s.progress != nil {
		s.progress(fmt.Sprintf("axis J_0 = %.6f: %s after %d steps (%d evaluations, %d of them to reach the axis point)", x, tr.Fate, tr.Steps, o.Evals-e0, e1-e0))
	}
	return tr.Fate, tr, err
}

// bisect narrows the disordered/ordered bracket [lo, hi], whose
// trajectories are trLo and trHi, to tol and sets res's J_c and the fixed
// point the last trajectory approached. Once both ends' flows pass the
// same fixed point with one relevant direction, a secant search on the
// flows' relevant coordinate there proposes J_c (secant), and two fates
// 0.45 tol either side of it check the proposal: the bracket reported is
// always one of fates computed to the end.
func (s *axisSearch) bisect(lo, hi float64, trLo, trHi Trajectory, tol float64) {
	res := s.res
	last := trHi
	tries := 0 // secant proposals checked (two at most)
	for hi-lo > tol {
		var mid float64
		x, ok := 0.0, false
		if tries < 2 && !s.o.bisectOnly {
			x, ok = s.secant(lo, hi, trLo, trHi, tol)
		}
		if ok {
			// the two checks: the bracket [x − 0.45 tol, x + 0.45 tol] if they
			// differ as they should, else the side each one narrows
			tries++
			a, b := math.Max(x-0.45*tol, lo), math.Min(x+0.45*tol, hi)
			fa, tra, err := s.fate(a)
			if err != nil {
				res.Note = err.Error()
				return
			}
			last = tra
			switch fa {
			case Disordered:
				lo, trLo = a, tra
			case Ordered:
				hi, trHi = a, tra
				continue
			default:
				res.Note = fmt.Sprintf("the flow from J_0 = %.6f neither orders nor disorders within %d steps", a, s.bounds.MaxSteps)
				lo, hi = a, a
				continue
			}
			mid = b
		} else {
			mid = 0.5 * (lo + hi)
		}
		f, tr, err := s.fate(mid)
		if err != nil {
			res.Note = err.Error()
			return
		}
		switch f {
		case Ordered:
			hi, trHi = mid, tr
		case Disordered:
			lo, trLo = mid, tr
		default:
			// the boundary flow lingers: this is the closest the axis gets
			res.Note = fmt.Sprintf("the flow from J_0 = %.6f neither orders nor disorders within %d steps", mid, s.bounds.MaxSteps)
			lo, hi = mid, mid
		}
		last = tr
	}
	res.Lo, res.Hi = lo, hi
	res.Jc = 0.5 * (lo + hi)
	for i, d := range last.Closest {
		if d < res.Distance {
			res.Approach, res.Distance, res.Steps = i, d, last.ClosestStep[i]
		}
	}
}

// secantNear is the orbit distance within which both ends of a bracket
// must pass a fixed point for secant to try (a proposal that misses costs
// two trajectories: the checks).
const secantNear = 0.03

// invariantLeft is the fixed point's left eigenvector of λ averaged over
// its stabiliser, L̄ = Σ_h hᵀ·Left / |H|, so that the relevant coordinate
// L̄·(J − J*) is the same on every image of J that is equally near J*
// (for a symmetric J* the nearest image is one of several); nil if the
// average vanishes (a relevant direction that breaks the symmetry).
func (o *Oracle) invariantLeft(fp FixedPoint) []float64 {
	c := len(fp.J)
	if fp.Lifts <= 1 {
		return fp.Left
	}
	stab := o.G.Stabiliser(fp.J, 1e-7)
	out := make([]float64, c)
	for _, h := range stab {
		for i := 0; i < c; i++ {
			for j := 0; j < c; j++ {
				out[j] += h[i*c+j] * fp.Left[i] / float64(len(stab))
			}
		}
	}
	if maxAbs(out) < 1e-6*maxAbs(fp.Left) {
		return nil
	}
	return out
}

// secant proposes the axis critical coupling inside [lo, hi] from the
// relevant coordinate r(x) = Left·(J_k(x) − J*) of the k-th iterate, k the
// step at which the bracket's flows pass closest to a fixed point J* with
// one relevant direction (within secantNear of it): near J* that
// coordinate grows by λ a step while the others shrink, so r(x) is smooth
// and changes sign at the critical coupling, up to the square of the
// flows' distance to J*. Regula falsi (Illinois) on r, each value a
// trajectory cut at step k; ok is false where the bracket's flows do not
// qualify or r does not change sign across it.
func (s *axisSearch) secant(lo, hi float64, trLo, trHi Trajectory, tol float64) (float64, bool) {
	fi := -1
	for i, fp := range s.fps {
		if fp.Relevant != 1 || fp.Left == nil || i >= len(trLo.Closest) || i >= len(trHi.Closest) {
			continue
		}
		if trLo.Closest[i] < secantNear && trHi.Closest[i] < secantNear {
			fi = i
			break
		}
	}
	if fi < 0 {
		return 0, false
	}
	fp := s.fps[fi]
	k := min(trLo.ClosestStep[fi], trHi.ClosestStep[fi])
	if k >= len(trLo.path) || k >= len(trHi.path) {
		return 0, false
	}
	left := s.o.invariantLeft(fp)
	if left == nil {
		return 0, false
	}
	r := func(tr Trajectory) float64 {
		_, img, _ := s.o.G.Nearest(tr.path[k].J, fp.J)
		v := 0.0
		for i := range img {
			v += left[i] * (img[i] - fp.J[i])
		}
		return v
	}
	rLo, rHi := r(trLo), r(trHi)
	if rLo == 0 || rHi == 0 || (rLo > 0) == (rHi > 0) {
		return 0, false
	}
	side, x := 0, math.NaN()
	for it := 0; it < 12; it++ {
		xn := hi - rHi*(hi-lo)/(rHi-rLo)
		if math.Abs(xn-x) < tol/8 || hi-lo < tol/4 {
			return math.Min(math.Max(xn, lo), hi), true
		}
		if !(xn > lo && xn < hi) {
			xn = 0.5 * (lo + hi)
		}
		x = xn
		_, tr, err := s.run(x, k)
		if err != nil || len(tr.path) <= k {
			return x, !math.IsNaN(x) && err == nil
		}
		rx := r(tr)
		if (rx > 0) == (rLo > 0) {
			lo, rLo = x, rx
			if side == -1 {
				rHi /= 2
			}
			side = -1
		} else {
			hi, rHi = x, rx
			if side == 1 {
				rLo /= 2
			}
			side = 1
		}
	}
	return x, true
}
