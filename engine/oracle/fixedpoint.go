package oracle

import (
	"fmt"
	"math"
	"math/cmplx"
	"sort"

	"gonum.org/v1/gonum/mat"
)

// FixedPoint is a fixed orbit of the exact map: A·M(J) = J for one of the
// gauge's orbit actions A (docs/conventions.md, "Gauge"), linearised.
type FixedPoint struct {
	J  []float64 // canonical representative of the orbit
	KL float64   // KL(J, M(J)): how well the coarse block can match at the fixed point
	// Eigenvalues of the linearised map on orbits, A·dM/dJ, largest
	// modulus first; Relevant counts those of modulus above 1.
	Eigenvalues []complex128
	Relevant    int
	// Lambda is the largest real eigenvalue above 1 (NaN if none) and
	// Nu = ln √2 / ln Lambda.
	Lambda, Nu float64
	// Saddle is set when M(J) is a saddle of KL(J, ·), not a minimum: a
	// fixed point of a stationary branch that the minimiser leaves.
	Saddle bool
	// MinHessEig is the smallest eigenvalue of the Hessian of KL(J, ·) at M(J).
	MinHessEig float64
	// Left and Right are the eigenvectors of Lambda (Left·Right = 1,
	// Left[argmax |Left|] > 0): the critical surface near J is
	// Left·(J′ − J) = 0.
	Left, Right []float64
	// AxisJc is the physical-axis critical coupling whose flow approaches
	// this fixed point (NaN if none was found).
	AxisJc float64
	// Found names the start that led here.
	Found string

	action []float64 // A of A·M(J) = J, for the representative J
	point  Point     // the stationary point at J
}

// SolveFixedPoint runs damped Newton on F(J) = A·M(J) − J from the branch
// point p (with A the orbit action that brings M(J) closest to J at the
// start), continuing the branch — minima when minimise is set, stationary
// points otherwise — from iterate to iterate. dM/dJ comes from the
// implicit-function theorem (Point.Slope).
func (o *Oracle) SolveFixedPoint(p Point, minimise bool) (FixedPoint, error) {
	cont := o.Continue
	if !minimise {
		cont = o.ContinueStationary
	}
	return solveFixedPoint(cont, o.G, p)
}

// solveFixedPoint is SolveFixedPoint for any branch of a map: cont
// continues the branch from a point to a new J.
func solveFixedPoint(cont func(Point, []float64) (Point, error), g *Gauge, p Point) (FixedPoint, error) {
	c := len(p.J)
	A, _, _ := g.Nearest(p.Jp, p.J)
	cur := p
	residual := func(q Point) []float64 {
		F := g.Apply(A, q.Jp)
		for i := range F {
			F[i] -= q.J[i]
		}
		return F
	}
	F := residual(cur)
	best := maxAbs(F)
	for it := 0; it < 40; it++ {
		// Newton converges fast near a fixed point; a start that has not
		// halved the residual in eight steps is not near one
		if it%8 == 0 && it > 0 {
			if maxAbs(F) > 0.5*best {
				return FixedPoint{}, fmt.Errorf("fixed-point Newton: |A·M(J) − J| stays at %.3g near J = %v", maxAbs(F), cur.J)
			}
			best = maxAbs(F)
		}
		if Trace {
			fmt.Printf("FP it %d |F| %.3g J %.5f\n", it, maxAbs(F), cur.J)
		}
		if maxAbs(F) < 1e-10 {
			return linearise(g, cur, A)
		}
		// Jacobian of F: A·Slope − I
		Jac := mat.NewDense(c, c, nil)
		for i := 0; i < c; i++ {
			for j := 0; j < c; j++ {
				s := 0.0
				for k := 0; k < c; k++ {
					s += A[i*c+k] * cur.Slope[k*c+j]
				}
				if i == j {
					s--
				}
				Jac.Set(i, j, s)
			}
		}
		var dx mat.VecDense
		if err := dx.SolveVec(Jac, mat.NewVecDense(c, F)); err != nil {
			return FixedPoint{}, fmt.Errorf("fixed-point Newton: singular Jacobian at J = %v", cur.J)
		}
		step := dx.RawVector().Data
		if s := maxAbs(step); s > 0.2 {
			for i := range step {
				step[i] *= 0.2 / s
			}
		}
		fn := math.Inf(1)
		var next Point
		t := 1.0
		for k := 0; k < 12; k++ {
			Jn := make([]float64, c)
			for i := range Jn {
				Jn[i] = cur.J[i] - t*step[i]
			}
			q, err := cont(cur, Jn)
			if err == nil {
				Fq := residual(q)
				if n := maxAbs(Fq); n < maxAbs(F) {
					next, fn = q, n
					F = Fq
					break
				}
			}
			t /= 2
		}
		if math.IsInf(fn, 1) {
			return FixedPoint{}, fmt.Errorf("fixed-point Newton: no step reduces |M(J) − J| (%.3g) from J = %v", maxAbs(F), cur.J)
		}
		cur = next
		if maxAbs(cur.J) > 50 {
			return FixedPoint{}, fmt.Errorf("fixed-point Newton: ran off to J = %v", cur.J)
		}
	}
	return FixedPoint{}, fmt.Errorf("fixed-point Newton: no convergence in 40 steps (|M(J) − J| = %.3g at J = %v)", maxAbs(F), cur.J)
}

// linearise describes a converged fixed point.
func linearise(g *Gauge, p Point, A []float64) (FixedPoint, error) {
	c := len(p.J)
	// the map on orbits near J: J ↦ A·M(J) (A·M(J) = J at the fixed
	// point), with derivative A·Slope
	L := mat.NewDense(c, c, nil)
	for i := 0; i < c; i++ {
		for j := 0; j < c; j++ {
			s := 0.0
			for k := 0; k < c; k++ {
				s += A[i*c+k] * p.Slope[k*c+j]
			}
			L.Set(i, j, s)
		}
	}
	var eig mat.Eigen
	if !eig.Factorize(L, mat.EigenBoth) {
		return FixedPoint{}, fmt.Errorf("eigen-decomposition of dM/dJ failed at J = %v", p.J)
	}
	vals := eig.Values(nil)
	var left, right mat.CDense
	eig.LeftVectorsTo(&left)
	eig.VectorsTo(&right)
	order := make([]int, c)
	for i := range order {
		order[i] = i
	}
	sort.SliceStable(order, func(a, b int) bool { return cmplx.Abs(vals[order[a]]) > cmplx.Abs(vals[order[b]]) })
	fp := FixedPoint{J: p.J, KL: p.KL, Lambda: math.NaN(), Nu: math.NaN(), AxisJc: math.NaN(),
		Saddle: p.Saddle(), MinHessEig: p.MinEig, action: A, point: p}
	best := -1
	for _, i := range order {
		v := vals[i]
		fp.Eigenvalues = append(fp.Eigenvalues, v)
		if cmplx.Abs(v) > 1+1e-9 {
			fp.Relevant++
		}
		if math.Abs(imag(v)) < 1e-9 && real(v) > 1 && (best < 0 || real(v) > real(vals[best])) {
			best = i
		}
	}
	if best >= 0 {
		fp.Lambda = real(vals[best])
		fp.Nu = math.Log(math.Sqrt2) / math.Log(fp.Lambda)
		fp.Left, fp.Right = make([]float64, c), make([]float64, c)
		for i := 0; i < c; i++ {
			fp.Left[i] = real(left.At(i, best))
			fp.Right[i] = real(right.At(i, best))
		}
		norm := dot(fp.Left, fp.Right)
		big := 0
		for i := range fp.Left {
			if math.Abs(fp.Left[i]) > math.Abs(fp.Left[big]) {
				big = i
			}
		}
		sign := math.Copysign(1, fp.Left[big])
		for i := range fp.Left {
			fp.Left[i] *= sign
			fp.Right[i] *= sign / norm
		}
	}
	return fp, nil
}

// SameOrbit reports whether two coupling vectors are gauge images of each
// other to within tol (max norm).
func (o *Oracle) SameOrbit(a, b []float64, tol float64) bool {
	_, _, d := o.G.Nearest(a, b)
	return d < tol
}

// OrbitDistance is the max-norm distance from J to the nearest gauge image
// of ref.
func (o *Oracle) OrbitDistance(J, ref []float64) float64 {
	_, _, d := o.G.Nearest(ref, J)
	return d
}
