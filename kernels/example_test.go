package kernels_test

import (
	"fmt"

	"github.com/rgflow/rgflow/kernels"
)

// A library user chooses the kernels once (Fastest, Lookup, or Calibrate
// as the rgflow command does) and hands the Path to whatever runs the
// loops. Every path gives the same bits for ReLU and the Gibbs draws, so a
// seed repeats on every machine; here the generic path is pinned, which
// every CPU and build has.
func ExampleLookup() {
	p, err := kernels.Lookup("generic")
	if err != nil {
		fmt.Println(err)
		return
	}
	z := []float64{-1.5, 0, 2.25}
	out := make([]float64, len(z))
	p.Relu(out, z)
	fmt.Println(p.Name(), out)

	// A spec may pin one kernel and leave the rest to the rule.
	q, err := kernels.Lookup("catPair=generic")
	if err != nil {
		fmt.Println(err)
		return
	}
	for _, c := range q.Choices() {
		if c.Kernel == "catPair" {
			fmt.Println(c.Kernel, "on", c.Path)
		}
	}

	_, err = kernels.Lookup("avx3")
	fmt.Println(err != nil)
	// Output:
	// generic [0 0 2.25]
	// catPair on generic
	// true
}

// The Gibbs kernels read a counter-based stream: a draw depends on the key
// and its position in the stream only, so the same key and base give the
// same states on every path.
func ExamplePath_UniformStates() {
	states := make([]uint8, 8)
	kernels.Fastest().UniformStates(states, 2, 42, kernels.Sub(kernels.StartPhase, 0))
	again := make([]uint8, 8)
	generic, _ := kernels.Lookup("generic")
	generic.UniformStates(again, 2, 42, kernels.Sub(kernels.StartPhase, 0))
	fmt.Println(states, string(states) == string(again))
	// Output: [1 2 3 3 2 3 0 3] true
}
