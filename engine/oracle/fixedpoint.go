package oracle

import (
	"context"
	"errors"
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
	// Lifts is the size of J's stabiliser in the gauge group: above 1 the
	// linearisation depends on the gauge choice in the directions that
	// break J's symmetry, and LambdaRange, RelevantRange span the lifts;
	// SymmetricEigenvalues are those on the symmetric directions, where the
	// lifts agree.
	Lifts                int
	LambdaRange          [2]float64
	RelevantRange        [2]int
	SymmetricEigenvalues []complex128
	// Left and Right are the eigenvectors of Lambda (Left·Right = 1,
	// Left[argmax |Left|] > 0): the critical surface near J is
	// Left·(J′ − J) = 0.
	Left, Right []float64
	// Asymmetry is the antisymmetric part of the exact map's Jacobian
	// ∂J′/∂J at J, ‖S − Sᵀ‖_F / (√2 ‖S‖_F) (0 symmetric, 1 antisymmetric),
	// the smallest over the images Centre[g]·M of the minimiser. The
	// monotone model J′ = J − ∇C has a symmetric Jacobian everywhere, so
	// where this is not small no monotone network can follow the exact map
	// (MapAsymmetry).
	Asymmetry float64
	// AxisJc is the physical-axis critical coupling whose flow approaches
	// this fixed point (NaN if none was found).
	AxisJc float64
	// Found names the start that led here.
	Found string

	action []float64   // A of A·M(J) = J, for the representative J
	point  Point       // the stationary point at J
	valley [][]float64 // the valley of minima through M(J) (ValleyDirections)
}

// SolveFixedPoint runs damped Newton on F(J) = A·M(J) − J from the branch
// point p (with A the orbit action that brings M(J) closest to J at the
// start), continuing the branch — minima when minimise is set, stationary
// points otherwise — from iterate to iterate. dM/dJ comes from the
// implicit-function theorem (Point.Slope).
func (o *Oracle) SolveFixedPoint(p Point, minimise bool) (FixedPoint, error) {
	if err := o.gauge(); err != nil {
		return FixedPoint{}, err
	}
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
			if errors.Is(err, context.Canceled) || errors.Is(err, context.DeadlineExceeded) || errors.Is(err, errBudget) {
				return FixedPoint{}, err // the oracle's context is done, or the budget spent: no shorter step will do
			}
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

// linearise describes a converged fixed point. The map on orbits near J is
// J ↦ A·M(J) (A·M(J) = J at the fixed point), with derivative A·Slope. When
// J is symmetric — h·J = J for gauge actions h other than the identity (its
// stabiliser H) — every h·A·Slope is a lift of the same map on orbits, and
// lifts differ on the directions that break the symmetry. Then all lifts
// are examined: the fixed point reports the lift with the fewest relevant
// directions (and of those the smallest λ), the range over lifts, and the
// eigenvalues on the symmetric directions {δ : h·δ = δ for all h ∈ H},
// where every lift agrees.
func linearise(g *Gauge, p Point, A []float64) (FixedPoint, error) {
	c := len(p.J)
	fp := FixedPoint{J: p.J, KL: p.KL, Lambda: math.NaN(), Nu: math.NaN(), AxisJc: math.NaN(),
		Saddle: p.Saddle(), MinHessEig: p.MinEig, action: A, point: p}
	stab := g.Stabiliser(p.J, 1e-7)
	var best *spectrum
	fp.LambdaRange = [2]float64{math.Inf(1), math.Inf(-1)}
	fp.RelevantRange = [2]int{c + 1, -1}
	for _, h := range stab {
		L := matMul(h, matMul(A, p.Slope, c), c)
		sp, err := spectrumOf(L, c)
		if err != nil {
			return fp, fmt.Errorf("%v at J = %v", err, p.J)
		}
		fp.RelevantRange[0], fp.RelevantRange[1] = min(fp.RelevantRange[0], sp.relevant), max(fp.RelevantRange[1], sp.relevant)
		if !math.IsNaN(sp.lambda) {
			fp.LambdaRange[0], fp.LambdaRange[1] = math.Min(fp.LambdaRange[0], sp.lambda), math.Max(fp.LambdaRange[1], sp.lambda)
		}
		if best == nil || sp.relevant < best.relevant || sp.relevant == best.relevant && sp.lambda < best.lambda {
			best = &sp
		}
	}
	fp.Asymmetry = MapAsymmetry(g, p.Slope)
	fp.Lifts = len(stab)
	fp.Eigenvalues, fp.Relevant, fp.Lambda, fp.Left, fp.Right = best.values, best.relevant, best.lambda, best.left, best.right
	if !math.IsNaN(fp.Lambda) {
		fp.Nu = math.Log(math.Sqrt2) / math.Log(fp.Lambda)
	}
	if len(stab) > 1 {
		fp.SymmetricEigenvalues = symmetricSpectrum(stab, matMul(A, p.Slope, c), c)
	}
	return fp, nil
}

// MapAsymmetry is the antisymmetric fraction ‖AS − (AS)ᵀ‖_F / (√2 ‖AS‖_F)
// of a Jacobian S = ∂J′/∂J of the exact map, the smallest over the centre
// relabellings A of the gauge (each image A·M of the minimiser is a branch
// a network could learn). The coupling basis is orthonormal
// (docs/conventions.md §3), so a gradient map J ↦ J − ∇C(J) has a
// symmetric Jacobian in it, in rgflow's units and in Hou & You's alike.
func MapAsymmetry(g *Gauge, S []float64) float64 {
	c := g.c
	best := math.Inf(1)
	for _, A := range g.Centre {
		AS := matMul(A, S, c)
		anti, all := 0.0, 0.0
		for i := 0; i < c; i++ {
			for j := 0; j < c; j++ {
				d := AS[i*c+j] - AS[j*c+i]
				anti += d * d
				all += AS[i*c+j] * AS[i*c+j]
			}
		}
		if all > 0 {
			best = math.Min(best, math.Sqrt(anti/(2*all)))
		}
	}
	if math.IsInf(best, 1) {
		return 0
	}
	return best
}

// spectrum is the eigen-decomposition of one linearisation: eigenvalues by
// decreasing modulus, how many exceed 1 in modulus, the largest real one
// above 1 (NaN if none) and its left and right eigenvectors (Left·Right =
// 1, the largest component of Left positive).
type spectrum struct {
	values      []complex128
	relevant    int
	lambda      float64
	left, right []float64
}

func spectrumOf(Lflat []float64, c int) (spectrum, error) {
	var eig mat.Eigen
	if !eig.Factorize(mat.NewDense(c, c, append([]float64(nil), Lflat...)), mat.EigenBoth) {
		return spectrum{}, fmt.Errorf("eigen-decomposition of dM/dJ failed")
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
	sp := spectrum{lambda: math.NaN()}
	best := -1
	for _, i := range order {
		v := vals[i]
		sp.values = append(sp.values, v)
		if cmplx.Abs(v) > 1+1e-9 {
			sp.relevant++
		}
		if math.Abs(imag(v)) < 1e-9 && real(v) > 1 && (best < 0 || real(v) > real(vals[best])) {
			best = i
		}
	}
	if best < 0 {
		return sp, nil
	}
	sp.lambda = real(vals[best])
	sp.left, sp.right = make([]float64, c), make([]float64, c)
	for i := 0; i < c; i++ {
		sp.left[i] = real(left.At(i, best))
		sp.right[i] = real(right.At(i, best))
	}
	norm := dot(sp.left, sp.right)
	big := 0
	for i := range sp.left {
		if math.Abs(sp.left[i]) > math.Abs(sp.left[big]) {
			big = i
		}
	}
	sign := math.Copysign(1, sp.left[big])
	for i := range sp.left {
		sp.left[i] *= sign
		sp.right[i] *= sign / norm
	}
	return sp, nil
}

// symmetricSpectrum returns the eigenvalues of L on the directions every
// h of the stabiliser fixes (the image of Π = mean of the h), by
// decreasing modulus: there all lifts h·L agree.
func symmetricSpectrum(stab [][]float64, L []float64, c int) []complex128 {
	Pi := make([]float64, c*c)
	for _, h := range stab {
		for i := range Pi {
			Pi[i] += h[i] / float64(len(stab))
		}
	}
	// Π is symmetric for orthogonal actions; its eigenvalue-1 eigenvectors
	// span the symmetric directions
	vals, vecs := symEigen(symmetrise(Pi, c), c)
	var B [][]float64
	for k, v := range vals {
		if v > 0.5 {
			B = append(B, vecs[k])
		}
	}
	n := len(B)
	if n == 0 {
		return nil
	}
	R := make([]float64, n*n) // Bᵀ L B
	for a := 0; a < n; a++ {
		for b := 0; b < n; b++ {
			s := 0.0
			for i := 0; i < c; i++ {
				for j := 0; j < c; j++ {
					s += B[a][i] * L[i*c+j] * B[b][j]
				}
			}
			R[a*n+b] = s
		}
	}
	sp, err := spectrumOf(R, n)
	if err != nil {
		return nil
	}
	return sp.values
}

func symmetrise(A []float64, c int) []float64 {
	out := make([]float64, c*c)
	for i := 0; i < c; i++ {
		for j := 0; j < c; j++ {
			out[i*c+j] = 0.5 * (A[i*c+j] + A[j*c+i])
		}
	}
	return out
}

func matMul(A, B []float64, c int) []float64 {
	out := make([]float64, c*c)
	for i := 0; i < c; i++ {
		for k := 0; k < c; k++ {
			if a := A[i*c+k]; a != 0 {
				for j := 0; j < c; j++ {
					out[i*c+j] += a * B[k*c+j]
				}
			}
		}
	}
	return out
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
