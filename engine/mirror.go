package engine

import (
	"fmt"

	"github.com/rgflow/rgflow/reps"
)

// CoarseMirror is the convention for the coarse block's reference bond
// (docs/conventions.md §12): Name is "axis" (U = nil: the coarse bond
// matrix is K(J′), in the fine block's σ-invariant basis) or "diagonal"
// (K′ = U K(J′) Uᵀ, invariant under the diagonal mirror R σ that fixes the
// coarse bond c0 → h).
type CoarseMirror struct {
	Name string
	U    []float64
}

// ResolveCoarseMirror builds the named convention for a representation; ""
// is "axis". A representation without a diagonal mirror (B1, B2, or one
// given only by matrices) is an error that says why.
func ResolveCoarseMirror(rep *reps.Rep, name string) (CoarseMirror, error) {
	switch name {
	case "", "axis":
		return CoarseMirror{Name: "axis"}, nil
	case "diagonal":
		U, err := rep.DiagonalMirror()
		if err != nil {
			return CoarseMirror{}, err
		}
		return CoarseMirror{Name: "diagonal", U: U}, nil
	}
	return CoarseMirror{}, Mirrors.Check(name)
}

// Bond conventions (config key bonds; docs/presets.md): "rotated" is
// rgflow's (docs/conventions.md §4: a bond in direction r carries
// R^r K (Rᵀ)^r, and the coarse block's corners are its bonds' sources);
// "unrotated" is the seed's reference implementation's (jshe2304/dlrg,
// rbm/rbm.py: W = kron(adjacency, K) for both blocks) — every fine bond
// carries K(J) whatever its direction, and every coarse bond K(J′) with the
// centre as its source, so that the corners see K(J′)ᵀ. It breaks the
// blocks' rotation symmetry for any representation with an E (for sums of
// one-dimensional irreps the two agree up to the coarse transpose, which
// only relabels couplings such as A1+A2's).
const (
	BondsRotated   = "rotated"
	BondsUnrotated = "unrotated"
)

// Bonds are the bond conventions a configuration's bonds can name.
var Bonds = NewRegistry("bonds",
	Entry[struct{}]{Name: BondsRotated, Doc: "a bond in direction r carries R^r K Rᵀ^r (docs/conventions.md §4)"},
	Entry[struct{}]{Name: BondsUnrotated, Doc: "every bond carries K, the coarse centre the source: the seed's dlrg code, breaking the rotation symmetry"},
)

// CheckConventions says whether a bond convention and a coarse mirror can
// go together: the bond convention must be known, and unrotated bonds
// have no mirror convention of their own, so they take the axis mirror
// only. The error names the two keys as the configuration does.
func CheckConventions(bonds, mirror string) error {
	if err := Bonds.Check(bonds); err != nil {
		return err
	}
	if bonds == BondsUnrotated && mirror != "axis" {
		return fmt.Errorf("coarse_mirror %q needs bonds = %q (unrotated bonds have no mirror convention of their own)", mirror, BondsRotated)
	}
	return nil
}

// WithBonds builds the blocks under bond convention name (Bonds; "" is
// "rotated").
func WithBonds(name string) Option {
	return func(o *options) { o.unrotated = name == BondsUnrotated }
}

// unrotatedBases are the fine and coarse bases of the "unrotated" bonds:
// B_a in every direction for the fine block, B_aᵀ for the coarse one.
func unrotatedBases(rep *reps.Rep) (fine, coarse [4][][]float64) {
	for r := 0; r < 4; r++ {
		fine[r] = make([][]float64, rep.C())
		coarse[r] = make([][]float64, rep.C())
		for a, B := range rep.Basis {
			fine[r][a] = append([]float64(nil), B...)
			coarse[r][a] = reps.Transpose(rep.D, B)
		}
	}
	return fine, coarse
}
