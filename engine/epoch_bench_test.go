package engine

import (
	"fmt"
	"os"
	"testing"

	"github.com/rgflow/rgflow/kernels"
	"github.com/rgflow/rgflow/reps"
)

// BenchmarkEpoch measures one training epoch (HMC, map, divergence,
// backpropagation, Adam, Newton read-out) of the published loop
// (Config.PublishedLoop, as the epoch-time suite times it) on the configurations of the
// reference timings in bench/anchors.go (ReferenceSpeed), and on those of Hou &
// You's code (monotone network with hidden widths 8c, CD 512 samples,
// k_fine 5, k_coarse 1; bench/anchors.go). The epochs sit in the second
// half of a long schedule so that the Newton read-out is included. Profile
// one with, e.g.,
//
//	go test -run '^$' -bench 'Epoch/A1\+E/cd/flow/traj=64$' -benchtime 40x -cpuprofile cpu.out ./engine/
//
// RGFLOW_KERNELS names the kernel path, as for the rgflow command (the
// fastest if unset).
func BenchmarkEpoch(b *testing.B) {
	var opts []Option
	if name := os.Getenv("RGFLOW_KERNELS"); name != "" {
		p, err := kernels.Lookup(name)
		if err != nil {
			b.Fatal(err)
		}
		opts = append(opts, WithKernels(p))
	}
	type tcase struct {
		rep, loss, model string
		traj             int
		houYou           bool // Hou & You's network and CD settings
	}
	cases := []tcase{
		{"A1", "kl", "flow", 24, false},
		{"A1", "kl", "monotone", 24, false},
		{"A1", "cd", "flow", 24, false},
		{"A1", "cd", "monotone", 24, false},
		{"A1+E", "kl", "flow", 64, false},
		{"A1+E", "cd", "flow", 64, false},
		{"A1+E", "cd", "monotone", 64, false},
		{"A1+E", "kl", "flow", 1944, false},
		{"A1+E", "cd", "flow", 1944, false},
		{"2A1+E", "kl", "flow", 64, false},
		{"2A1+E", "cd", "flow", 64, false},
		{"2A1+E", "cd", "monotone", 64, false},
		{"A1+E", "cd", "monotone", 64, true},
		{"2A1+E", "cd", "monotone", 64, true},
	}
	for _, tc := range cases {
		name := fmt.Sprintf("%s/%s/%s/traj=%d", tc.rep, tc.loss, tc.model, tc.traj)
		if tc.houYou {
			name += "/houyou"
		}
		b.Run(name, func(b *testing.B) {
			rep, err := reps.Builtin(tc.rep)
			if err != nil {
				b.Fatal(err)
			}
			cfg := DefaultConfig()
			cfg.Rep, cfg.Loss, cfg.Model, cfg.Trajectories = tc.rep, tc.loss, tc.model, tc.traj
			if tc.houYou {
				cfg.Network.Depth, cfg.Network.Width = 2, 8*rep.C()
				cfg.CD = CDConfig{Samples: 512, KFine: 5, KCoarse: 1}
			}
			cfg.Epochs = 1 << 30
			// the loop the reference implementations run, as the
			// epoch-time suite times it (every trajectory by HMC)
			cfg.PublishedLoop()
			tr, err := NewTrainer(cfg, rep, opts...)
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
