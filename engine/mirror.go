package engine

import "rgflow/reps"

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
