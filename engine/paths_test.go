package engine

import (
	"math"
	"testing"

	"rgflow/kernels"
	"rgflow/kernels/dense"
)

// A whole training run agrees across kernel paths (enumeration and network
// products alike) to 1e-10 relative: the assembly kernels may round
// differently from the pure-Go twins, but not enough to change what is
// learned.
func TestTrainingAgreesAcrossKernelPaths(t *testing.T) {
	defer kernels.Use("")
	cfg := shortConfig()
	cfg.Rep = "A1+E"
	cfg.Epochs = 30
	cfg.Trajectories = 16
	cfg.Network.Depth, cfg.Network.Width = 2, 24 // products large enough for the SIMD GEMM
	var ref *Trainer
	for _, p := range kernels.Available() {
		if err := kernels.Use(p); err != nil {
			t.Fatal(err)
		}
		if dense.Path() != p {
			t.Fatalf("kernels.Use(%q) left the network products on %s", p, dense.Path())
		}
		tr := train(t, cfg)
		if ref == nil {
			ref = tr
			continue
		}
		worst := 0.0
		for i, v := range tr.Model.Params() {
			w := ref.Model.Params()[i]
			worst = math.Max(worst, math.Abs(v-w)/math.Max(1e-3, math.Abs(w)))
		}
		if worst > 1e-10 {
			t.Errorf("path %s: parameters differ from path %s by %.3g relative", p, kernels.Available()[0], worst)
		}
		if len(tr.Roots) != len(ref.Roots) {
			t.Errorf("path %s: %d roots, path %s: %d", p, len(tr.Roots), kernels.Available()[0], len(ref.Roots))
		}
	}
}
