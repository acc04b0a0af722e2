package engine

import (
	"math"
	"math/rand/v2"
	"sync"
	"testing"

	"github.com/rgflow/rgflow/kernels"
	"github.com/rgflow/rgflow/reps"
)

// A whole training run agrees across kernel paths (enumeration and network
// products alike) to 1e-10 relative: the assembly kernels may round
// differently from the pure-Go twins, but not enough to change what is
// learned.
func TestTrainingAgreesAcrossKernelPaths(t *testing.T) {
	if len(kernels.Available()) < 2 {
		t.Skip("only the generic kernel path in this build: nothing to compare it with")
	}
	cfg := shortConfig()
	cfg.Rep = "A1+E"
	cfg.Epochs = 30
	cfg.Trajectories = 16
	cfg.Network.Depth, cfg.Network.Width = 2, 24 // products large enough for the SIMD GEMM
	var ref *Trainer
	for _, name := range kernels.Available() {
		p, err := kernels.Lookup(name)
		if err != nil {
			t.Fatal(err)
		}
		tr := train(t, cfg, WithKernels(p))
		if got := tr.Summary().Kernels; got != name {
			t.Fatalf("a trainer built WithKernels(%s) reports kernels %q", name, got)
		}
		if got := tr.Model.Net().Kernels().Dense().Name(); got != name {
			t.Fatalf("a trainer built WithKernels(%s) runs its network products on %s", name, got)
		}
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
			t.Errorf("path %s: parameters differ from path %s by %.3g relative", name, kernels.Available()[0], worst)
		}
		if len(tr.Roots) != len(ref.Roots) {
			t.Errorf("path %s: %d roots, path %s: %d", name, len(tr.Roots), kernels.Available()[0], len(ref.Roots))
		}
	}
}

// Blocks on different kernel paths run side by side in one process, each
// on its own path, and agree with the generic one: the path is a value of
// the Blocks, not a switch that one of them could flip for the other.
func TestBlocksOnDifferentPathsSideBySide(t *testing.T) {
	names := kernels.Available()
	if len(names) < 2 {
		t.Skip("only the generic kernel path in this build: nothing to run side by side")
	}
	rep, err := reps.Builtin("A1+E")
	if err != nil {
		t.Fatal(err)
	}
	rng := rand.New(rand.NewPCG(21, 22))
	const M = 24
	J, Jp := randomJ(rng, M*rep.C(), 0.6), randomJ(rng, M*rep.C(), 0.6)
	kl := make([][]float64, len(names))
	var wg sync.WaitGroup
	for i, name := range names {
		p, err := kernels.Lookup(name)
		if err != nil {
			t.Fatal(err)
		}
		b := NewBlocks(rep, WithKernels(p))
		if b.Kernels().Name() != name {
			t.Fatalf("NewBlocks(WithKernels(%s)) runs on %s", name, b.Kernels().Name())
		}
		kl[i] = make([]float64, M)
		wg.Add(1)
		go func() {
			defer wg.Done()
			for range 20 {
				b.KLBatch(J, Jp, kl[i], nil, 1)
			}
		}()
	}
	wg.Wait()
	want := kl[len(names)-1] // generic
	for i, name := range names {
		for m := range want {
			if math.Abs(kl[i][m]-want[m]) > 1e-12*math.Max(1, math.Abs(want[m])) {
				t.Errorf("%s: KL[%d] = %.17g, generic %.17g", name, m, kl[i][m], want[m])
			}
		}
	}
}
