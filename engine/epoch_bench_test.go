package engine

import (
	"fmt"
	"testing"

	"rgflow/reps"
)

// BenchmarkEpoch measures one training epoch (HMC, map, divergence,
// backpropagation, Adam, Newton read-out) on the configurations of the
// reference timings in bench/anchors.go (ReferenceSpeed). The epochs sit in the
// second half of a long schedule so that the Newton read-out is included.
func BenchmarkEpoch(b *testing.B) {
	cases := []struct {
		rep, loss, model string
		traj             int
	}{
		{"A1", "kl", "flow", 24},
		{"A1", "kl", "monotone", 24},
		{"A1", "cd", "flow", 24},
		{"A1", "cd", "monotone", 24},
		{"A1+E", "kl", "flow", 64},
		{"A1+E", "cd", "flow", 64},
		{"A1+E", "kl", "flow", 1944},
		{"A1+E", "cd", "flow", 1944},
		{"2A1+E", "kl", "flow", 64},
	}
	for _, tc := range cases {
		name := fmt.Sprintf("%s/%s/%s/traj=%d", tc.rep, tc.loss, tc.model, tc.traj)
		b.Run(name, func(b *testing.B) {
			rep, err := reps.Builtin(tc.rep)
			if err != nil {
				b.Fatal(err)
			}
			cfg := DefaultConfig()
			cfg.Rep, cfg.Loss, cfg.Model, cfg.Trajectories = tc.rep, tc.loss, tc.model, tc.traj
			cfg.Epochs = 1 << 30
			tr, err := NewTrainer(cfg, rep)
			if err != nil {
				b.Skip(err)
			}
			tr.Epoch = cfg.Epochs/2 + 1
			if _, err := tr.Step(); err != nil { // warm-up
				b.Fatal(err)
			}
			b.ResetTimer()
			for i := 0; i < b.N; i++ {
				if _, err := tr.Step(); err != nil {
					b.Fatal(err)
				}
			}
			b.ReportMetric(b.Elapsed().Seconds()/float64(b.N), "s/epoch")
		})
	}
}
