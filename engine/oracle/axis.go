package oracle

import (
	"fmt"
	"math"
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
// are all below one (≈ 0.82 for A1), so the flow only shrinks, and a weak-
// coupling fixed point is not mistaken for the disordered one. The large
// bound is 2, or 2.5 times the largest coupling of any fixed point: past
// it the ordered flow only grows (by about √2 per step), and not far beyond
// it the KL between two almost fully ordered blocks becomes too flat in J′
// (its gradient at rounding level) to resolve the map.
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
	tr := Trajectory{Closest: make([]float64, len(fps)), ClosestStep: make([]int, len(fps))}
	if err := o.gauge(); err != nil {
		return tr, err
	}
	for i := range tr.Closest {
		tr.Closest[i] = math.Inf(1)
	}
	cur := p
	for n := 0; n < bounds.MaxSteps; n++ {
		for i, fp := range fps {
			if d := o.OrbitDistance(cur.J, fp.J); d < tr.Closest[i] {
				tr.Closest[i], tr.ClosestStep[i] = d, n
			}
		}
		// decide on the next iterate, M(J), which is already known: the
		// continuation to it is not needed once it is past a bound (and
		// could fail there, where the KL becomes flat)
		switch m := maxAbs(cur.Jp); {
		case m > bounds.Large:
			tr.Fate, tr.Steps, tr.Last = Ordered, n+1, cur
			return tr, nil
		case m < bounds.Small:
			tr.Fate, tr.Steps, tr.Last = Disordered, n+1, cur
			return tr, nil
		}
		next, err := o.Continue(cur, o.nextIterate(cur))
		if err != nil {
			return tr, fmt.Errorf("step %d of the map from %v: %w", n+1, p.J, err)
		}
		cur = next
	}
	tr.Steps, tr.Last = bounds.MaxSteps, cur
	return tr, nil
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
// 2.5, then bisection to tol. Each trajectory starts from the minimiser
// continued along the axis from ref (the minimiser at one axis point,
// found once from several starts), so no point of the axis gets a fresh
// global search. It reports which of fps the flow from the boundary
// approaches.
func (o *Oracle) AxisCritical(ref Point, fps []FixedPoint, bounds FateBounds, tol float64, progress func(string)) AxisResult {
	res := AxisResult{Jc: math.NaN(), Approach: -1, Distance: math.Inf(1)}
	fate := o.axisFates(ref, fps, bounds, &res, progress)
	// scan for the first disordered → ordered change
	var lo, hi float64
	prevX, prev := math.NaN(), Undecided
	for x := 0.05; x <= 2.5+1e-9; x += 0.15 {
		f, _, err := fate(x)
		if err != nil {
			res.Note = err.Error()
			return res
		}
		if prev == Disordered && f == Ordered {
			lo, hi = prevX, x
			break
		}
		if f == Undecided && prev == Disordered {
			res.Note = fmt.Sprintf("the flow from the axis at J_0 = %.3f reaches neither bound in %d steps", x, bounds.MaxSteps)
		}
		prevX, prev = x, f
	}
	if hi == 0 {
		if res.Note == "" {
			res.Note = "no change from disordered to ordered flow on the axis between J_0 = 0.05 and 2.5"
		}
		return res
	}
	res.Note = ""
	o.bisectAxis(fate, lo, hi, tol, bounds, &res)
	return res
}

// AxisCriticalNear is AxisCritical with the scan replaced by a bracket
// around guess: the fates at guess ∓ width, widened (doubling, up to
// 0.05 and 2.5) until they differ, then bisection to tol. It serves a
// second axis search from another reference point of a valley, whose
// critical coupling lies near the first's.
func (o *Oracle) AxisCriticalNear(ref Point, fps []FixedPoint, bounds FateBounds, guess, width, tol float64, progress func(string)) AxisResult {
	res := AxisResult{Jc: math.NaN(), Approach: -1, Distance: math.Inf(1)}
	fate := o.axisFates(ref, fps, bounds, &res, progress)
	lo, hi := math.Max(0.05, guess-width), math.Min(2.5, guess+width)
	for {
		flo, _, err := fate(lo)
		if err != nil {
			res.Note = err.Error()
			return res
		}
		fhi, _, err := fate(hi)
		if err != nil {
			res.Note = err.Error()
			return res
		}
		if flo == Disordered && fhi == Ordered {
			break
		}
		if lo <= 0.05 && hi >= 2.5 {
			res.Note = "no change from disordered to ordered flow on the axis between J_0 = 0.05 and 2.5"
			return res
		}
		width *= 2
		lo, hi = math.Max(0.05, guess-width), math.Min(2.5, guess+width)
	}
	o.bisectAxis(fate, lo, hi, tol, bounds, &res)
	return res
}

// axisFates returns the fate of an axis point, each continuing the map
// from the previous one (from ref for the first), recording the point in
// res.
func (o *Oracle) axisFates(ref Point, fps []FixedPoint, bounds FateBounds, res *AxisResult, progress func(string)) func(float64) (Fate, Trajectory, error) {
	c := o.B.Couplings()
	anchor := ref
	return func(x float64) (Fate, Trajectory, error) {
		J := make([]float64, c)
		J[0] = x
		p, err := o.Continue(anchor, J)
		if err != nil {
			return Undecided, Trajectory{}, err
		}
		anchor = p // the next axis point continues from here
		tr, err := o.Iterate(p, fps, bounds)
		res.Fates++
		res.Points = append(res.Points, AxisPoint{J0: x, Fate: tr.Fate.String(), Steps: tr.Steps, FlatDirections: len(p.Flat), SoftDirections: p.Soft})
		if progress != nil {
			progress(fmt.Sprintf("axis J_0 = %.6f: %s after %d steps", x, tr.Fate, tr.Steps))
		}
		return tr.Fate, tr, err
	}
}

// bisectAxis narrows a disordered/ordered bracket to tol and sets res's
// J_c and the fixed point the last trajectory approached.
func (o *Oracle) bisectAxis(fate func(float64) (Fate, Trajectory, error), lo, hi, tol float64, bounds FateBounds, res *AxisResult) {
	var last Trajectory
	for hi-lo > tol {
		mid := 0.5 * (lo + hi)
		f, tr, err := fate(mid)
		if err != nil {
			res.Note = err.Error()
			return
		}
		switch f {
		case Ordered:
			hi = mid
		case Disordered:
			lo = mid
		default:
			// the boundary flow lingers: this is the closest the axis gets
			res.Note = fmt.Sprintf("the flow from J_0 = %.6f neither orders nor disorders within %d steps", mid, bounds.MaxSteps)
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
