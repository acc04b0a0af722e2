package reps_test

import (
	"fmt"

	"github.com/rgflow/rgflow/reps"
)

// A built-in representation from its irreps sum: d spins per site and c
// couplings per bond, each coupling a matrix of the invariant basis.
func ExampleBuiltin() {
	for _, name := range []string{"A1", "A1+E", "2A1+E"} {
		r, err := reps.Builtin(name)
		if err != nil {
			fmt.Println(err)
			return
		}
		fmt.Printf("%s: d = %d, c = %d\n", r.Name, r.D, r.C())
	}
	// Output:
	// A1: d = 1, c = 1
	// A1+E: d = 3, c = 5
	// 2A1+E: d = 4, c = 10
}

// An irreps sum is parsed into terms, in the order written (the order of
// the spins on a site); the canonical name writes them back.
func ExampleParseSum() {
	terms, err := reps.ParseSum("2A1 ⊕ e")
	if err != nil {
		fmt.Println(err)
		return
	}
	fmt.Println(reps.CanonicalName(terms))
	_, err = reps.ParseSum("A3")
	fmt.Println(err)
	// Output:
	// 2A1+E
	// representation "A3": unknown irrep "A3" (known: A1, A2, B1, B2, E)
}
