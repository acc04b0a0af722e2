package engine

import (
	"context"
	"fmt"
	"runtime"
	"sync"

	"github.com/rgflow/rgflow/engine/divergence"
)

// newCDFor builds the contrastive divergence of a configuration on its
// block pair: the plaquette's kernels (CD), or any geometry's block Gibbs
// chains (BlockCD).
func newCDFor(b BlockPair, cfg Config) (Divergence, error) {
	if plaq, ok := b.(*Blocks); ok {
		return NewCD(plaq, cfg.CD, cfg.Seed, cfg.Workers)
	}
	p, ok := GeometryPair(b)
	if !ok {
		return nil, fmt.Errorf("loss %q: block %s has no Gibbs sampler", LossCD, b.BlockName())
	}
	return NewBlockCD(p, cfg.CD, cfg.Seed, cfg.Workers)
}

// BlockCD is the contrastive divergence of CD (seed eq. 11) on any block
// geometry, per coarse site: per trajectory m, Samples chains run KFine
// block-Gibbs steps of the fine block at J_m from a uniform start
// (v_fine), then KCoarse steps of the coarse block at J′_m (v_coarse), and
//
//	D = (mean F_c(v_fine; J′) − mean F_c(v_coarse; J′)) / coarse sites,
//
// with its gradient in J′, the samples held constant. The chains are
// divergence.Gibbs's, pure Go, drawn from the stream of the trajectory's
// key (cdKey of Seed, epoch and m), so a run repeats bit for bit whatever
// the number of workers and on every kernel path.
type BlockCD struct {
	P                       *divergence.Pair
	Samples, KFine, KCoarse int
	Seed                    uint64
	Workers                 int // goroutines over trajectories; ≤ 0: GOMAXPROCS

	pool sync.Pool // of *divergence.Gibbs
}

// NewBlockCD builds the contrastive divergence of a block geometry.
func NewBlockCD(p *divergence.Pair, cfg CDConfig, seed uint64, workers int) (*BlockCD, error) {
	if cfg.Samples < 1 || cfg.KFine < 1 || cfg.KCoarse < 1 {
		return nil, fmt.Errorf("cd: samples, k_fine and k_coarse must be at least 1 (got %d, %d, %d)", cfg.Samples, cfg.KFine, cfg.KCoarse)
	}
	g, err := p.NewGibbs(cfg.Samples)
	if err != nil {
		return nil, err
	}
	if err := g.CheckSteps(cfg.KFine, cfg.KCoarse); err != nil {
		return nil, err
	}
	cd := &BlockCD{P: p, Samples: cfg.Samples, KFine: cfg.KFine, KCoarse: cfg.KCoarse, Seed: seed, Workers: workers}
	cd.pool.Put(g)
	return cd, nil
}

func (cd *BlockCD) chains() *divergence.Gibbs {
	if g, ok := cd.pool.Get().(*divergence.Gibbs); ok {
		return g
	}
	g, _ := cd.P.NewGibbs(cd.Samples) // checked by NewBlockCD
	return g
}

// Eval implements Divergence.
func (cd *BlockCD) Eval(J, Jp []float64, loss, grad []float64, epoch int) {
	_ = cd.EvalContext(context.Background(), J, Jp, loss, grad, epoch)
}

// EvalContext implements ContextDivergence: it stops between trajectories
// once ctx is done.
func (cd *BlockCD) EvalContext(ctx context.Context, J, Jp []float64, loss, grad []float64, epoch int) error {
	c := cd.P.C
	M := len(loss)
	if len(J) != M*c || len(Jp) != M*c || (grad != nil && len(grad) != M*c) {
		panic(fmt.Sprintf("engine: block CD sizes: J %d, J′ %d, loss %d, grad %d for c = %d", len(J), len(Jp), M, len(grad), c))
	}
	workers := cd.Workers
	if workers <= 0 {
		workers = runtime.GOMAXPROCS(0)
	}
	workers = max(1, min(workers, M))
	var wg sync.WaitGroup
	var mu sync.Mutex
	next := 0
	for range workers {
		wg.Add(1)
		go func() {
			defer wg.Done()
			g := cd.chains()
			defer cd.pool.Put(g)
			for {
				mu.Lock()
				i := next
				next++
				mu.Unlock()
				if i >= M || ctx.Err() != nil {
					return
				}
				var gi []float64
				if grad != nil {
					gi = grad[i*c : (i+1)*c]
				}
				loss[i] = cd.trajectory(g, J[i*c:(i+1)*c], Jp[i*c:(i+1)*c], gi, cdKey(cd.Seed, epoch, i))
			}
		}()
	}
	wg.Wait()
	return ctx.Err()
}

// trajectory samples one coupling pair on the chains g and returns its
// divergence per coarse site; grad, if not nil, receives ∂D/∂J′.
func (cd *BlockCD) trajectory(g *divergence.Gibbs, J, Jp, grad []float64, key uint64) float64 {
	if grad != nil {
		clear(grad)
	}
	g.RunFine(J, key, cd.KFine)
	g.TabulateCoarse(Jp)
	// F_c = −log w_c: D = (Σ log w_c(v_coarse) − Σ log w_c(v_fine))/N,
	// and its gradient −(Σ ∂ log w_c(v_fine) − Σ ∂ log w_c(v_coarse))/N
	sum := -g.CoarseStats(grad, -1)
	g.RunCoarse(key, cd.KFine, cd.KCoarse)
	sum += g.CoarseStats(grad, 1)
	inv := 1 / (float64(cd.Samples) * float64(cd.P.CoarseSites()))
	for a := range grad {
		grad[a] *= inv
	}
	return sum * inv
}
