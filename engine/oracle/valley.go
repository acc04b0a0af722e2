package oracle

import (
	"fmt"
	"math"

	"github.com/rgflow/rgflow/internal/nullfloat"
)

// A valley is a curve (or surface) of minima of KL(J, ·) of equal KL: at a
// physical-axis J of A1+2E under the axis coarse mirror the coarse
// distribution depends on the corner-A1 → centre-E couplings (a, b) only
// through lc(2a) + lc(2b) (docs/conventions.md, "Flat directions"). The
// minimiser stops at one of its points by a stated rule (Minimize: the
// minimum-norm Newton step, to first order the point nearest its start),
// and the map's later steps tell the valley's points apart, so the
// physical-axis critical coupling may depend on that choice. TraceValley
// follows the valley and AxisValley repeats the axis search from several
// of its points.

// ValleyDirections returns an orthonormal basis of the valley of minima
// through p: each of p's flat directions (Point.Flat) is tried by a step of
// h along it and a new minimisation, which brings the point back onto the
// set of minima; where the KL rises at higher order along the direction
// the point returns to p, and along a valley it stays where the step put
// it (to O(h²)), at the same KL (to 1e-10). The moves that stay span the
// valley. (A step that breaks the valley's degeneracy can also send the
// point along the valley, far from where it was put: that move does not
// count.)
func (o *Oracle) ValleyDirections(p Point, h float64) [][]float64 {
	var basis [][]float64
	for _, v := range p.Flat {
		trial := make([]float64, len(p.Jp))
		for i := range trial {
			trial[i] = p.Jp[i] + h*v[i]
		}
		q, err := o.Minimize(p.J, trial)
		if err != nil || math.Abs(q.KL-p.KL) > 1e-10*math.Max(1, math.Abs(p.KL)) {
			continue
		}
		d := make([]float64, len(p.Jp))
		for i := range d {
			d[i] = q.Jp[i] - p.Jp[i]
		}
		if norm(d) < h/2 || maxDist(q.Jp, trial) > h/2 {
			continue
		}
		for _, b := range basis { // Gram–Schmidt
			f := dot(d, b)
			for i := range d {
				d[i] -= f * b[i]
			}
		}
		if n := norm(d); n >= h/4 {
			basis = append(basis, scaled(d, 1/n))
		}
	}
	return basis
}

func norm(v []float64) float64 { return math.Sqrt(dot(v, v)) }

// TraceValley follows a valley of minima through p along dir (a unit
// vector of ValleyDirections), both ways: each step moves by h along the
// valley's current direction (the secant of the last step) and minimises
// again, which brings the point back onto the valley. A side stops after
// maxSteps, when the valley ends (a minimum of a different KL, or one
// that does not move on), or when it reaches a relabelling of the centre
// (Gauge.Centre) of a point already traced or of itself: the valley's
// gauge images of one point are equivalent, so the points returned cover
// it once, in order along it, p among them.
func (o *Oracle) TraceValley(p Point, dir []float64, h float64, maxSteps int) []Point {
	seen := []Point{p}
	image := func(x []float64) bool {
		for k, A := range o.G.Centre {
			if k == 0 {
				continue // the identity
			}
			if maxDist(o.G.Apply(A, x), x) < h/4 {
				return true // a point on a mirror line of the valley
			}
			for _, q := range seen {
				if maxDist(o.G.Apply(A, q.Jp), x) < h/2 {
					return true
				}
			}
		}
		return false
	}
	var sides [2][]Point
	for side := range sides {
		cur, d := p, scaled(dir, float64(1-2*side))
		for n := 0; n < maxSteps; n++ {
			trial := make([]float64, len(cur.Jp))
			for i := range trial {
				trial[i] = cur.Jp[i] + h*d[i]
			}
			q, err := o.Minimize(p.J, trial)
			if err != nil || math.Abs(q.KL-p.KL) > 1e-10*math.Max(1, math.Abs(p.KL)) {
				break
			}
			step := make([]float64, len(q.Jp))
			for i := range step {
				step[i] = q.Jp[i] - cur.Jp[i]
			}
			if norm(step) < h/2 {
				break
			}
			stop := image(q.Jp)
			sides[side] = append(sides[side], q)
			seen = append(seen, q)
			if stop {
				break
			}
			cur, d = q, scaled(step, 1/norm(step))
		}
	}
	out := make([]Point, 0, len(sides[0])+len(sides[1])+1)
	for i := len(sides[1]) - 1; i >= 0; i-- {
		out = append(out, sides[1][i])
	}
	out = append(out, p)
	return append(out, sides[0]...)
}

func scaled(v []float64, f float64) []float64 {
	out := make([]float64, len(v))
	for i, x := range v {
		out[i] = f * x
	}
	return out
}

// ValleyJc is the physical-axis critical coupling found from one point of
// the valley of the map at the reference axis point.
type ValleyJc struct {
	Jp     []float64       `json:"jp"`      // the valley point at the reference axis point
	AxisJc nullfloat.Float `json:"axis_jc"` // null if the search failed
	Note   string          `json:"note,omitempty"`
}

// AxisValley repeats the physical-axis search from up to samples points of
// the traced valley, spread along it (the first and last among them; the
// reference point's own result, jc, is not recomputed): each continues
// its valley point along the axis and bisects to tol in a bracket around
// jc (±valleyWidth, widened until the fates differ). It returns the
// critical coupling of every point tried.
// valleyWidth is the half-width of the first bracket of AxisValley's
// searches: A1+2E's valley moves the axis J_c by 0.004, and a wider
// spread costs two trajectories a doubling.
const valleyWidth = 0.01

func (o *Oracle) AxisValley(valley []Point, ref Point, fps []FixedPoint, bounds FateBounds, jc, tol float64, samples int, progress func(string)) []ValleyJc {
	var picks []int
	n := len(valley)
	for k := 0; k < samples && n > 1; k++ {
		i := int(math.Round(float64(k) * float64(n-1) / float64(max(samples-1, 1))))
		if len(picks) > 0 && picks[len(picks)-1] == i {
			continue
		}
		picks = append(picks, i)
	}
	var out []ValleyJc
	for _, i := range picks {
		q := valley[i]
		if maxDist(q.Jp, ref.Jp) < 1e-9 {
			continue
		}
		if progress != nil {
			progress(fmt.Sprintf("valley point %s: the axis search from it", FormatVector(q.Jp)))
		}
		r := o.AxisCriticalNear(q, fps, bounds, jc, valleyWidth, tol, progress)
		out = append(out, ValleyJc{Jp: q.Jp, AxisJc: nullfloat.Float(r.Jc), Note: r.Note})
	}
	return out
}
