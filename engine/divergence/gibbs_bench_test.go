package divergence_test

import "testing"

// One CD trajectory's sampling on free:2x2 (A1, 512 chains, 32 fine steps
// and one coarse): what an epoch costs per trajectory.
func BenchmarkGibbsTrajectory(b *testing.B) {
	for _, rep := range []string{"A1", "A1+E"} {
		b.Run(rep, func(b *testing.B) {
			p := pair(b, "free:2x2", 1, rep, "axis")
			g, err := p.NewGibbs(512)
			if err != nil {
				b.Fatal(err)
			}
			J := make([]float64, p.C)
			J[0] = 0.7
			for b.Loop() {
				g.RunFine(J, 7, 32)
				g.TabulateCoarse(J)
				g.CoarseStats(nil, 1)
				g.RunCoarse(7, 32, 1)
				g.CoarseStats(nil, 1)
			}
		})
	}
}
