package engine

import (
	"math"

	"gonum.org/v1/gonum/mat"
)

// Root is the outcome of Newton's method on f(J) = 0.
type Root struct {
	J         []float64
	Converged bool
	Iter      int
}

// Newton solves f(J) = 0 for the model's flow from start, with the
// Jacobian from the network's own derivative and a gonum linear solve.
// Steps are damped (halved until ‖f‖ decreases), so that the root found is
// the one whose basin holds the start rather than whichever a full step
// overshoots to: for c > 1 the learned flow has several roots (gauge copies
// and branches, DESIGN.md §1). It stops when the step is below tol in the
// max norm, or after maxIter.
func Newton(m Model, start []float64, tol float64, maxIter int) Root {
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
				return Root{J: x, Iter: it}
			}
		}
		if full := maxAbs(dx.RawVector().Data); full <= tol {
			// converged: the last correction is below the tolerance, and a
			// line search could not improve on f at rounding level anyway
			for i := range x {
				x[i] -= dx.AtVec(i)
			}
			return Root{J: x, Converged: true, Iter: it}
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
			_, jac = m.FlowJacobian(x)
		}
		if math.IsNaN(step) || math.IsInf(step, 0) || maxAbs(x) > 1e6 {
			return Root{J: x, Iter: it}
		}
		// a tiny step only means convergence if it was not forced by a
		// failed line search — unless f is already at rounding level
		if step <= tol && (decreased || math.Sqrt(norm) < 1e-12) {
			return Root{J: x, Converged: true, Iter: it}
		}
		if !decreased && step <= tol {
			return Root{J: x, Iter: it}
		}
	}
	return Root{J: x, Iter: maxIter}
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

// AxisCritical finds the critical coupling on the physical axis
// (x, 0, …, 0): the x whose flow runs into the critical fixed point fp
// rather than to the ordered or the disordered one. It iterates the learned
// map from points on the axis, reads on which side of the critical surface
// (Left·(J − J*) ≷ 0) each ends up, and bisects. For c = 1 it is J* itself.
func AxisCritical(m Model, fp FixedPoint) float64 {
	c := len(fp.J)
	if c == 1 {
		return fp.J[0]
	}
	if fp.Left == nil || math.IsNaN(fp.Lambda) || fp.Lambda <= 1 {
		return math.NaN()
	}
	side := func(x float64) float64 {
		J := make([]float64, c)
		J[0] = x
		for n := 0; n < 400; n++ {
			proj := 0.0
			for i := range J {
				proj += fp.Left[i] * (J[i] - fp.J[i])
			}
			if math.Abs(proj) > 0.25 || n == 399 {
				return proj
			}
			f := m.Flow(J)
			for i := range J {
				J[i] += f[i]
			}
		}
		return 0
	}
	lo, hi := 0.0, 2*math.Max(fp.J[0], 0.5)
	slo, shi := side(lo), side(hi)
	for k := 0; k < 4 && shi <= 0; k++ {
		hi *= 2
		shi = side(hi)
	}
	if !(slo < 0 && shi > 0) {
		return math.NaN()
	}
	for k := 0; k < 60 && hi-lo > 1e-10; k++ {
		mid := 0.5 * (lo + hi)
		if side(mid) > 0 {
			hi = mid
		} else {
			lo = mid
		}
	}
	return 0.5 * (lo + hi)
}

func maxAbs(x []float64) float64 {
	m := 0.0
	for _, v := range x {
		m = math.Max(m, math.Abs(v))
	}
	return m
}
