package engine

import "rgflow/kernels"

// The contrastive divergence draws its random numbers from counter-based
// streams (kernels/gibbs.go): SplitMix64 read at addressed positions, one
// stream per (seed, epoch, trajectory). A trajectory's samples therefore
// depend only on those three numbers and on its couplings — not on the
// number of worker goroutines, on which worker ran it, or on the other
// trajectories of the batch.

// cdStreamTag separates the CD streams from any other use of the seed.
const cdStreamTag = 0x43442d4749424253 // "CD-GIBBS"

// cdKey is the stream key of trajectory traj in epoch epoch of a run with
// the given seed: SplitMix64's mixer applied along the chain
// seed → epoch → trajectory (a bijection at each link, so distinct epochs
// of one seed get distinct keys, and so do distinct trajectories of one
// epoch).
func cdKey(seed uint64, epoch, traj int) uint64 {
	h := kernels.Mix64(seed ^ cdStreamTag)
	h = kernels.Mix64(h + (uint64(epoch)+1)*kernels.Gamma)
	return kernels.Mix64(h + (uint64(traj)+1)*kernels.Gamma)
}
