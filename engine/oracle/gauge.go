package oracle

import (
	"math"

	"rgflow/reps"
)

// Gauge is the relabelling group of a representation and its action on
// coupling vectors (docs/conventions.md, "Gauge"). Its elements are the
// signed permutations P of one site's spins that commute with R and σ.
//
//   - Centre[g] relabels the coarse block's hidden centre (the target side
//     of J′): KL(J, Centre[g]·J′) = KL(J, J′) for every J, so the minimiser
//     of KL(J, ·) comes in |G| images of equal KL.
//   - Orbit holds the distinct two-sided actions K ↦ P K Qᵀ (source side P,
//     target side Q): two coupling vectors in one orbit describe the same
//     Lieb-lattice model with its spins relabelled, so the RG map sends
//     orbits to orbits and a fixed point is a fixed orbit. The global flip
//     of every E spin, a symmetry of both blocks, is the element P = Q = −1
//     on E.
type Gauge struct {
	Elements [][]float64 // d×d signed permutations, the identity first
	Centre   [][]float64 // c×c, one per element
	Orbit    [][]float64 // c×c, distinct, the identity first
	c        int
}

// NewGauge computes the group of a representation from its matrices.
func NewGauge(r *reps.Rep) *Gauge {
	g := &Gauge{Elements: r.GaugeGroup(), c: r.C()}
	act := r.CouplingActor()
	for _, P := range g.Elements {
		g.Centre = append(g.Centre, act(nil, P))
	}
	seen := map[string]bool{}
	for _, P := range g.Elements {
		for _, Q := range g.Elements {
			A := act(P, Q)
			if k := matrixKey(A); !seen[k] {
				seen[k] = true
				g.Orbit = append(g.Orbit, A)
			}
		}
	}
	return g
}

// matrixKey identifies a vector or matrix by its entries rounded to 1e-9
// (the actions' entries are 0 and ±1, their images of a coupling vector
// far apart or equal): a map of keys finds duplicates among the |G|²
// two-sided actions in linear time (2A1+2E has 64 elements).
func matrixKey(A []float64) string {
	b := make([]byte, 0, 8*len(A))
	for _, x := range A {
		v := int64(math.Round(x * 1e9))
		for i := 0; i < 8; i++ {
			b = append(b, byte(v>>(8*i)))
		}
	}
	return string(b)
}

// Apply returns A·J for a c×c action A.
func (g *Gauge) Apply(A, J []float64) []float64 {
	c := g.c
	out := make([]float64, c)
	for i := 0; i < c; i++ {
		for k := 0; k < c; k++ {
			out[i] += A[i*c+k] * J[k]
		}
	}
	return out
}

// Images returns the distinct images of J under the orbit actions, J itself
// first.
func (g *Gauge) Images(J []float64) [][]float64 {
	var out [][]float64
	seen := map[string]bool{}
	for _, A := range g.Orbit {
		x := g.Apply(A, J)
		if k := matrixKey(x); !seen[k] {
			seen[k] = true
			out = append(out, x)
		}
	}
	return out
}

// Nearest returns the orbit action that brings J closest to ref (max norm),
// the image and the distance.
func (g *Gauge) Nearest(J, ref []float64) (A, img []float64, dist float64) {
	dist = math.Inf(1)
	for _, B := range g.Orbit {
		x := g.Apply(B, J)
		if d := maxDist(x, ref); d < dist {
			A, img, dist = B, x, d
		}
	}
	return A, img, dist
}

// Canonical returns the image of J that is largest in lexicographic order
// (components compared to 1e-9): a fixed choice among the images, with the
// physical coupling J_0 non-negative whenever the group can make it so.
func (g *Gauge) Canonical(J []float64) []float64 {
	var best []float64
	for _, x := range g.Images(J) {
		if best == nil || lexGreater(x, best) {
			best = x
		}
	}
	return best
}

func lexGreater(a, b []float64) bool {
	for i := range a {
		if a[i] > b[i]+1e-9 {
			return true
		}
		if a[i] < b[i]-1e-9 {
			return false
		}
	}
	return false
}

// Stabiliser returns the orbit actions h with h·J = J (to tol, max norm),
// the identity first.
func (g *Gauge) Stabiliser(J []float64, tol float64) [][]float64 {
	var out [][]float64
	for _, A := range g.Orbit {
		if maxDist(g.Apply(A, J), J) < tol {
			out = append(out, A)
		}
	}
	return out
}
