package oracle

import (
	"context"
	"fmt"
	"math"
	"strconv"

	"github.com/rgflow/rgflow/reps"
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

// MaxGaugePairs bounds the gauge group the oracle enumerates: its orbit
// actions come from every pair (P, Q) of elements, |G|² of them, each a
// c×c matrix. 4A1's 384 elements (147,456 pairs) take seconds; 5A1's 3840
// (14.7 million) or 6A1's 46,080 (2.1 billion) would take hours and more
// memory than a machine has, so the exact map's analysis refuses them.
const MaxGaugePairs = 1 << 20

// NewGauge is BuildGauge without a deadline, for representations whose
// group is known to be small (tests); it panics on one too large.
func NewGauge(r *reps.Rep) *Gauge {
	g, err := BuildGauge(context.Background(), r)
	if err != nil {
		panic(err)
	}
	return g
}

// BuildGauge computes the group of a representation from its matrices,
// stopping with ctx's error once ctx is done, and refuses a group of more
// than MaxGaugePairs pairs in a sentence that says how large it is.
func BuildGauge(ctx context.Context, r *reps.Rep) (*Gauge, error) {
	g := &Gauge{Elements: r.GaugeGroup(), c: r.C()}
	if err := gaugeSize(r, len(g.Elements)); err != nil {
		return nil, err
	}
	act := r.CouplingActor()
	for _, P := range g.Elements {
		g.Centre = append(g.Centre, act(nil, P))
	}
	seen := map[string]bool{}
	for _, P := range g.Elements {
		if err := ctx.Err(); err != nil {
			return nil, err
		}
		for _, Q := range g.Elements {
			A := act(P, Q)
			if key := actionKey(A); !seen[key] {
				seen[key] = true
				g.Orbit = append(g.Orbit, A)
			}
		}
	}
	return g, nil
}

// CheckGauge refuses, before any work, a representation whose gauge group
// is too large for the exact map's analysis (MaxGaugePairs).
func CheckGauge(r *reps.Rep) error { return gaugeSize(r, len(r.GaugeGroup())) }

func gaugeSize(r *reps.Rep, n int) error {
	if n*n > MaxGaugePairs {
		return fmt.Errorf("the exact map of %s needs its gauge group, %d relabellings of a site's spins (%.3g pairs of them), more than the oracle enumerates (%d pairs; a representation with fewer identical irreps has a smaller group)",
			r.Name, n, float64(n)*float64(n), MaxGaugePairs)
	}
	return nil
}

// actionKey identifies an action, or a coupling vector's image under one,
// by its entries rounded to 1e-9 (the distinct actions differ by at least
// 1: they are signed permutations in the coupling basis), so that
// duplicates are found in a map instead of by comparing each with all
// before it (3A1+E's 9216 pairs took two minutes that way).
func actionKey(A []float64) string {
	b := make([]byte, 0, 8*len(A))
	for _, x := range A {
		b = strconv.AppendInt(b, int64(math.Round(x*1e9)), 36)
		b = append(b, ',')
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
		if k := actionKey(x); !seen[k] {
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
