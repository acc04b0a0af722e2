// Package reps holds the symmetry side of rgflow: the irreducible
// representations of the square's point group D4, on-site representations
// built from them (or given by explicit matrices), their coupling bases and
// the rotated bond matrices K_r = R^r K (Rᵀ)^r. Conventions: docs/conventions.md §2–§4.
package reps

import (
	"fmt"
	"strconv"
	"strings"

	"github.com/rgflow/rgflow/internal/quote"
)

// Irrep is one irreducible representation of D4, given by the images of the
// generators: the rotation R (C4) and the mirror σ.
type Irrep struct {
	Name  string
	Dim   int
	R     [][]float64
	Sigma [][]float64
}

// Irreps is the table of docs/conventions.md §2, in its order.
var Irreps = []Irrep{
	{"A1", 1, [][]float64{{1}}, [][]float64{{1}}},
	{"A2", 1, [][]float64{{1}}, [][]float64{{-1}}},
	{"B1", 1, [][]float64{{-1}}, [][]float64{{1}}},
	{"B2", 1, [][]float64{{-1}}, [][]float64{{-1}}},
	{"E", 2, [][]float64{{0, -1}, {1, 0}}, [][]float64{{1, 0}, {0, -1}}},
}

func irrepByName(name string) (Irrep, bool) {
	for _, ir := range Irreps {
		if ir.Name == name {
			return ir, true
		}
	}
	return Irrep{}, false
}

// Term is one summand of a representation: Mult copies of an irrep.
type Term struct {
	Mult  int
	Irrep string
}

// MaxDim bounds the on-site dimension: the samplers of the contrastive
// divergence keep a site state in a byte.
const MaxDim = 8

// MaxExactDim bounds the on-site dimension of everything that sums over
// the 2^(4d) visible configurations — the exact KL, its derivatives, the
// exact variational map: 2^24 per coupling for d = 6 (about a second per
// epoch of 64 trajectories on two cores; bench/README.md). Beyond it only
// the contrastive divergences train.
const MaxExactDim = 6

// ExactLimit says, in one sentence, why a representation with d spins
// per site has no exact KL (nil if it has one): what names it, e.g.
// `loss = "kl"` or "rgflow oracle".
func ExactLimit(what, name string, d int) error {
	if d <= MaxExactDim {
		return nil
	}
	return fmt.Errorf("%s sums over all 2^(4d) visible configurations and stops at d = %d (2^%d); %s has d = %d spins per site (2^%d configurations)", what, MaxExactDim, 4*MaxExactDim, name, d, 4*d)
}

// ParseSum reads a representation written as a sum of irreps, such as
// "A1", "A1+E", "2A1+E", "A1 ⊕ 2E". Terms keep the order written; repeated
// irreps are allowed ("A1+E+A1"). The canonical name joins the terms with "+".
func ParseSum(s string) ([]Term, error) {
	src := s
	s = strings.ReplaceAll(s, "⊕", "+")
	s = strings.ReplaceAll(s, " ", "")
	if s == "" {
		return nil, fmt.Errorf("representation name is empty (try A1, A1+E or 2A1+E)")
	}
	var terms []Term
	for _, part := range strings.Split(s, "+") {
		if part == "" {
			return nil, fmt.Errorf("representation %s has an empty term", quote.Short(src))
		}
		i := 0
		for i < len(part) && part[i] >= '0' && part[i] <= '9' {
			i++
		}
		mult := 1
		if i > 0 {
			m, err := strconv.Atoi(part[:i])
			if err != nil || m < 1 {
				return nil, fmt.Errorf("representation %s: bad multiplicity in %s", quote.Short(src), quote.Short(part))
			}
			mult = m
		}
		name := strings.ToUpper(part[i:])
		if _, ok := irrepByName(name); !ok {
			return nil, fmt.Errorf("representation %s: unknown irrep %s (known: A1, A2, B1, B2, E)", quote.Short(src), quote.Short(part[i:]))
		}
		terms = append(terms, Term{Mult: mult, Irrep: name})
	}
	return terms, nil
}

// CanonicalName writes terms back as "2A1+E".
func CanonicalName(terms []Term) string {
	parts := make([]string, len(terms))
	for i, t := range terms {
		if t.Mult == 1 {
			parts[i] = t.Irrep
		} else {
			parts[i] = strconv.Itoa(t.Mult) + t.Irrep
		}
	}
	return strings.Join(parts, "+")
}
