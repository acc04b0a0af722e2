package engine_test

import (
	"context"
	"fmt"

	"github.com/rgflow/rgflow/engine"
	"github.com/rgflow/rgflow/reps"
)

// Training from a program: the configuration rgflow train reads (its TOML
// keys are the fields' tags), a representation, and the run. The summary
// holds what rgflow train prints; the verdict against the exact map is
// the oracle package's (oracle.Judge), as rgflow train adds it.
func ExampleNewTrainer() {
	rep, err := reps.Builtin("A1")
	if err != nil {
		fmt.Println(err)
		return
	}
	cfg := engine.DefaultConfig()
	cfg.Seed = 1 // the default 3000 epochs
	t, err := engine.NewTrainer(cfg, rep)
	if err != nil {
		fmt.Println(err)
		return
	}
	if err := t.Run(context.Background(), nil, nil); err != nil {
		fmt.Println(err)
		return
	}
	s := t.Summary()
	// One run has no error bar (rgflow train -instances N gives one); the
	// exact map's fixed point on this block, 0.81392, bounds what training
	// can reach, and the exact J_c is 0.764285.
	fmt.Printf("%d epochs; J_c (median of the second half's roots) %.2f\n", t.EpochsDone(), float64(s.JcMedian))
	// Output: 3000 epochs; J_c (median of the second half's roots) 0.82
}
