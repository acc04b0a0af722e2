package engine

import (
	"fmt"
	"math"

	"gonum.org/v1/gonum/floats"
	"gonum.org/v1/gonum/mat"
)

// NewtonStatus says why Newton's method stopped, as gonum/optimize's
// Status does for its methods.
type NewtonStatus int

const (
	// NewtonConverged: the last step was below the tolerance (and not
	// forced small by a failed line search).
	NewtonConverged NewtonStatus = iota + 1
	// NewtonSingular: the Jacobian could not be solved with (singular or
	// infinitely ill-conditioned; a ReLU network can be flat in places).
	NewtonSingular
	// NewtonLineSearchFailed: halving the step twelve times never
	// decreased ‖f‖, and the forced step was below the tolerance.
	NewtonLineSearchFailed
	// NewtonDiverged: the step or the iterate stopped being finite, or the
	// iterate left |J| ≤ 1e6.
	NewtonDiverged
	// NewtonIterationLimit: max_iter steps without converging.
	NewtonIterationLimit
)

var newtonStatusNames = [...]string{
	NewtonConverged:        "converged",
	NewtonSingular:         "singular Jacobian",
	NewtonLineSearchFailed: "line search failed",
	NewtonDiverged:         "diverged",
	NewtonIterationLimit:   "iteration limit",
}

// String is the status in words ("singular Jacobian").
func (s NewtonStatus) String() string {
	if s > 0 && int(s) < len(newtonStatusNames) {
		return newtonStatusNames[s]
	}
	return fmt.Sprintf("NewtonStatus(%d)", int(s))
}

// Root is the outcome of Newton's method on f(J) = 0.
type Root struct {
	J      []float64
	Status NewtonStatus
	Iter   int
}

// Converged reports whether J is a root.
func (r Root) Converged() bool { return r.Status == NewtonConverged }

// Newton solves f(J) = 0 for the model's flow from start, with the
// Jacobian from the network's own derivative and a gonum linear solve.
// Steps are damped (halved until ‖f‖ decreases), so that the root found is
// the one whose basin holds the start rather than whichever a full step
// overshoots to: for c > 1 the learned flow has several roots (gauge copies
// and branches, docs/conventions.md §11). It stops when the step is below tol in the
// max norm, or after maxIter, and says why in Root.Status.
func Newton(m Model, start []float64, tol float64, maxIter int) Root {
	return NewtonStep(m, start, 1, tol, maxIter)
}

// NewtonStep is Newton's method with step size step (newton.step): 1 is
// Newton's damped full steps; below 1, every iteration moves by that
// fraction of the Newton step, x ← x − step·(∂f)⁻¹ f (Hou & You's
// Newton_step, step 0.1), with no line search, until the full step is below
// tol (then taken) or after maxIter iterations. Small fixed steps follow
// the continuous Newton flow, whose basins differ from those of damped
// full steps where roots are close. A model that is a Freezer is evaluated
// through its Frozen view (the same bits, less work per evaluation).
func NewtonStep(m Model, start []float64, step, tol float64, maxIter int) Root {
	if step < 1 {
		return fixedNewton(m, start, step, tol, maxIter)
	}
	m = frozen(m)
	c := len(start)
	x := append([]float64(nil), start...)
	trial := make([]float64, c)
	trials := make([]float64, 12*c)
	fullFailed := false // the last line search's full step did not decrease ‖f‖
	f, jac := m.FlowJacobian(x)
	norm := sqNorm(f)
	for it := 1; it <= maxIter; it++ {
		A := mat.NewDense(c, c, jac)
		var dx mat.VecDense
		if err := dx.SolveVec(A, mat.NewVecDense(c, f)); err != nil {
			// singular or badly conditioned (gonum reports the condition
			// number); a ReLU network can be flat in places.
			if cond, ok := err.(mat.Condition); !ok || math.IsInf(float64(cond), 0) {
				return Root{J: x, Iter: it, Status: NewtonSingular}
			}
		}
		if full := maxAbs(dx.RawVector().Data); full <= tol {
			// converged: the last correction is below the tolerance, and a
			// line search could not improve on f at rounding level anyway
			for i := range x {
				x[i] -= dx.AtVec(i)
			}
			return Root{J: x, Status: NewtonConverged, Iter: it}
		}
		// The line search tries t = 1, 1/2, …, 1/2^11 in turn and takes the
		// first that decreases ‖f‖. Near a root the full step is taken, so
		// it goes alone first; once a full step has failed, the trials go
		// through the network as one batch (all twelve, or the eleven after
		// a full step that failed now), each row with the bits a lone Flow
		// would give, and are scanned in the same order.
		t := 1.0
		var fn []float64
		nn := math.Inf(1)
		decreased := false
		first := 0 // the trial the batch starts with
		src := -1  // the evaluation of the point taken: the lone Flow (−1) or this row of the batch
		if !fullFailed {
			for i := range trial {
				trial[i] = x[i] - dx.AtVec(i)
			}
			fn = m.Flow(trial)
			if nn = sqNorm(fn); nn < norm || nn == 0 {
				decreased = true
			}
			first = 1
		}
		if !decreased {
			const trialsMax = 12
			tt := 1.0
			for h := 0; h < first; h++ {
				tt /= 2
			}
			for h := first; h < trialsMax; h++ {
				for i := 0; i < c; i++ {
					trials[(h-first)*c+i] = x[i] - tt*dx.AtVec(i)
				}
				tt /= 2
			}
			fb := m.FlowBatch(trials, trialsMax-first)
			for h := first; h < trialsMax; h++ {
				if h > 0 {
					t /= 2
				}
				fn = fb[(h-first)*c : (h-first+1)*c]
				copy(trial, trials[(h-first)*c:(h-first+1)*c])
				src = h - first
				if nn = sqNorm(fn); nn < norm || nn == 0 {
					decreased = true
					break
				}
			}
			if !decreased {
				t /= 2
			}
			fn = append([]float64(nil), fn...) // fb belongs to the model
			fullFailed = !decreased || t < 1
		}
		step := t * maxAbs(dx.RawVector().Data)
		copy(x, trial)
		f, norm = fn, nn
		if step > tol || !decreased {
			jac = jacobianAt(m, x, src)
		}
		if math.IsNaN(step) || math.IsInf(step, 0) || maxAbs(x) > 1e6 {
			return Root{J: x, Iter: it, Status: NewtonDiverged}
		}
		// a tiny step only means convergence if it was not forced by a
		// failed line search — unless f is already at rounding level
		if step <= tol && (decreased || math.Sqrt(norm) < 1e-12) {
			return Root{J: x, Status: NewtonConverged, Iter: it}
		}
		if !decreased && step <= tol {
			return Root{J: x, Iter: it, Status: NewtonLineSearchFailed}
		}
	}
	return Root{J: x, Iter: maxIter, Status: NewtonIterationLimit}
}

// passJacobian is a model that keeps the passes of its last Flow and
// FlowBatch and can give the Jacobian at one of their points without
// evaluating the network there again (the frozen flow model).
type passJacobian interface {
	// jacobianOfPass is FlowJacobian's Jacobian at the point of the last
	// Flow (src < 0) or of row src of the last FlowBatch.
	jacobianOfPass(src int) []float64
}

// jacobianAt is m's Jacobian at x, the point of its last Flow (src < 0)
// or of row src of its last FlowBatch: from that pass if m keeps it, else
// by FlowJacobian. Either way the bits are the same, since a point's pass
// has the same bits alone or in a batch.
func jacobianAt(m Model, x []float64, src int) []float64 {
	if p, ok := m.(passJacobian); ok {
		return p.jacobianOfPass(src)
	}
	_, jac := m.FlowJacobian(x)
	return jac
}

// fixedNewton is NewtonStep for step < 1.
func fixedNewton(m Model, start []float64, step, tol float64, maxIter int) Root {
	m = frozen(m)
	c := len(start)
	x := append([]float64(nil), start...)
	for it := 1; it <= maxIter; it++ {
		f, jac := m.FlowJacobian(x)
		var dx mat.VecDense
		if err := dx.SolveVec(mat.NewDense(c, c, jac), mat.NewVecDense(c, f)); err != nil {
			if cond, ok := err.(mat.Condition); !ok || math.IsInf(float64(cond), 0) {
				return Root{J: x, Iter: it, Status: NewtonSingular}
			}
		}
		d := dx.RawVector().Data
		full := maxAbs(d) <= tol
		for i := range x {
			if full {
				x[i] -= d[i]
			} else {
				x[i] -= step * d[i]
			}
		}
		switch {
		case floats.HasNaN(x) || maxAbs(x) > 1e6:
			return Root{J: x, Iter: it, Status: NewtonDiverged}
		case full:
			return Root{J: x, Iter: it, Status: NewtonConverged}
		}
	}
	return Root{J: x, Iter: maxIter, Status: NewtonIterationLimit}
}

// FixedPoint describes the linearised RG map J′ = J + f(J) at a fixed point.
type FixedPoint struct {
	J []float64
	// Lambda is the relevant eigenvalue (largest real part) of ∂J′/∂J.
	Lambda float64
	// Nu = ln b / ln λ with b = √2; NaN unless λ > 1.
	Nu float64
	// Eigenvalues of ∂J′/∂J, largest real part first.
	Eigenvalues []complex128
	// Left is the left eigenvector of the relevant eigenvalue, normalised
	// with Left[0] ≥ 0: the critical surface is Left·(J − J*) = 0 near J*.
	Left []float64
}

// AnalyseFixedPoint linearises the model's map at J.
func AnalyseFixedPoint(m Model, J []float64) FixedPoint {
	c := len(J)
	_, jac := m.FlowJacobian(J)
	A := mat.NewDense(c, c, nil)
	for i := 0; i < c; i++ {
		for j := 0; j < c; j++ {
			v := jac[i*c+j]
			if i == j {
				v++
			}
			A.Set(i, j, v)
		}
	}
	fp := FixedPoint{J: append([]float64(nil), J...), Nu: math.NaN(), Lambda: math.NaN()}
	var eig mat.Eigen
	if !eig.Factorize(A, mat.EigenLeft) {
		return fp
	}
	vals := eig.Values(nil)
	var left mat.CDense
	eig.LeftVectorsTo(&left)
	best := 0
	for i := range vals {
		if real(vals[i]) > real(vals[best]) {
			best = i
		}
	}
	fp.Lambda = real(vals[best])
	if fp.Lambda > 1 && math.Abs(imag(vals[best])) < 1e-12 {
		fp.Nu = math.Log(math.Sqrt2) / math.Log(fp.Lambda)
	}
	fp.Left = make([]float64, c)
	for i := 0; i < c; i++ {
		fp.Left[i] = real(left.At(i, best))
	}
	if fp.Left[0] < 0 {
		for i := range fp.Left {
			fp.Left[i] = -fp.Left[i]
		}
	}
	// sort eigenvalues by real part, largest first
	fp.Eigenvalues = append([]complex128(nil), vals...)
	for i := 1; i < len(fp.Eigenvalues); i++ {
		for j := i; j > 0 && real(fp.Eigenvalues[j]) > real(fp.Eigenvalues[j-1]); j-- {
			fp.Eigenvalues[j], fp.Eigenvalues[j-1] = fp.Eigenvalues[j-1], fp.Eigenvalues[j]
		}
	}
	return fp
}

// Fates of the learned flow, for the physical-axis read-out: a point is
// ordered once some coupling passes AxisLarge within AxisSteps iterations
// of the map, and not ordered otherwise (flowing to J = 0, or lingering
// near a weak fixed point). The onset of ordering along the axis is what
// both this read-out and the exact map's (engine/oracle) locate.
const (
	AxisLarge = 2.5
	AxisSteps = 300
)

// AxisRead is the physical-axis read-out of a learned map.
type AxisRead struct {
	// Jc is the J_0 at which the fate of (J_0, 0, …, 0) changes from not
	// ordered to ordered (NaN if it does not between 0 and AxisLarge).
	Jc float64
	// Slow is the iterate of the flow from (Jc, 0, …, 0) where the map
	// moves least: the neighbourhood of the fixed point the separatrix
	// runs into, and the start of the search for it.
	Slow []float64
}

// AxisCritical finds the critical coupling on the physical axis of a
// learned map by a scan of J_0 over (0, AxisLarge) and bisection on the fate of
// (J_0, 0, …, 0) to 1e-8, and the slowest iterate of the flow from it.
// The fate is gauge-invariant (it reads max |J| only), so it does not
// matter which gauge image of the map the network has learned.
func AxisCritical(m Model, c int) AxisRead {
	res := AxisRead{Jc: math.NaN()}
	axis := func(x float64) []float64 {
		J := make([]float64, c)
		J[0] = x
		return J
	}
	ordered := func(x float64) bool {
		J := axis(x)
		for n := 0; n < AxisSteps; n++ {
			if maxAbs(J) > AxisLarge {
				return true
			}
			f := m.Flow(J)
			for i := range J {
				J[i] += f[i]
			}
			if floats.HasNaN(J) {
				return false
			}
		}
		return maxAbs(J) > AxisLarge
	}
	lo, hi := math.NaN(), math.NaN()
	prev := 0.0
	// only starts below AxisLarge: one above it counts as ordered before the
	// map has moved it, which says nothing of the flow
	for x := 0.1; x < AxisLarge; x += 0.1 {
		if ordered(x) {
			if x > 0.1 {
				lo, hi = prev, x
			}
			break
		}
		prev = x
	}
	if math.IsNaN(lo) {
		return res
	}
	res.Jc = bisect(func(x float64) bool { return !ordered(x) }, lo, hi, 1e-8, 0)
	// the slowest iterate (speed relative to the couplings' size, so that
	// the trivial fixed point J = 0 does not count) of the flow from just
	// above the boundary, which passes the critical fixed point on its way
	// to the ordered phase
	J := axis(res.Jc + 2e-8)
	best, speed := append([]float64(nil), J...), math.Inf(1)
	for n := 0; n < AxisSteps && maxAbs(J) <= AxisLarge; n++ {
		f := m.Flow(J)
		if v := maxAbs(f) / math.Max(maxAbs(J), 0.05); v < speed {
			best, speed = append(best[:0], J...), v
		}
		for i := range J {
			J[i] += f[i]
		}
	}
	res.Slow = best
	return res
}

// maxAbs is the largest |x_i|, or NaN if any x_i is NaN (gonum's
// floats.Norm(x, ∞) passes over NaNs, and the Newton iterations must see
// them).
func maxAbs(x []float64) float64 {
	m := 0.0
	for _, v := range x {
		m = math.Max(m, math.Abs(v))
	}
	return m
}
