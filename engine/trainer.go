package engine

import (
	"context"
	"fmt"
	"math"
	"math/cmplx"
	"math/rand/v2"
	"runtime"
	"sync"
	"time"

	"github.com/rgflow/rgflow/internal/nullfloat"
	"github.com/rgflow/rgflow/internal/quantile"
	"github.com/rgflow/rgflow/reps"
)

// JcExact is the exact critical coupling of the Lieb-lattice Ising model,
// ½ arccosh(1 + √2), in ±1-spin units.
var JcExact = 0.5 * math.Acosh(1+math.Sqrt2)

// Divergence is a training loss between the fine block at J and the coarse
// block at J′, per trajectory, with its gradient in J′.
type Divergence interface {
	// Eval writes loss[m] and grad[m·c:(m+1)·c] = ∂loss[m]/∂J′_m for the
	// batch rows of J and Jp. epoch lets stochastic losses draw
	// reproducible random numbers without carrying state.
	Eval(J, Jp []float64, loss, grad []float64, epoch int)
}

// ExactKL is the KL divergence summed exactly over all visible
// configurations, per coarse site of its block pair.
type ExactKL struct {
	B       BlockPair
	Workers int
}

func (k ExactKL) Eval(J, Jp []float64, loss, grad []float64, _ int) {
	k.B.KLBatch(J, Jp, loss, grad, k.Workers)
}

// EvalContext implements ContextDivergence.
func (k ExactKL) EvalContext(ctx context.Context, J, Jp []float64, loss, grad []float64, _ int) error {
	return k.B.KLBatchContext(ctx, J, Jp, loss, grad, k.Workers)
}

// ContextDivergence is a Divergence that can stop inside an evaluation
// (between trajectories, or groups of them) once ctx is done; it then
// returns ctx's error and leaves loss and grad unspecified. Otherwise it
// computes what Eval does, bit for bit. The trainer's epochs use it, so
// that an interruption takes effect inside a long epoch.
type ContextDivergence interface {
	Divergence
	EvalContext(ctx context.Context, J, Jp []float64, loss, grad []float64, epoch int) error
}

// EpochStat is what one epoch reports.
type EpochStat struct {
	Epoch    int     // 1-based
	Loss     float64 // mean divergence over the trajectories
	Beta     float64 // HMC inverse temperature
	Accept   float64 // HMC acceptance rate
	Root     float64 // J_0 of this epoch's Newton root (NaN if none)
	Duration time.Duration
}

// Trainer runs the learning loop of docs/conventions.md §10.
type Trainer struct {
	Cfg    Config
	Rep    *reps.Rep
	Blocks *Blocks   // the plaquette's blocks of the representation and conventions
	Pair   BlockPair // the block pair trained on (block, shells): Blocks for the plaquette, else the geometry's divergence
	Model  Model
	Opt    *Adam
	Loss   Divergence
	M, C   int       // trajectories, couplings
	J      []float64 // current trajectories, M×c
	Epoch  int       // epochs done

	Roots        []float64 // J_0 of the Newton roots recorded so far
	RootFailures int       // recorded epochs where Newton did not converge
	// RootFailureReasons counts the failures by NewtonStatus.String().
	RootFailureReasons map[string]int
	LastRoot           []float64 // the latest root found, where the next search starts
	Elapsed            time.Duration
	// History is every epoch's loss, β, acceptance and root since the
	// run began (or since the checkpoint it resumed from, if that one
	// predates the history).
	History History
	// Options are the command's settings kept in its checkpoints
	// (Checkpoint.Options).
	Options map[string]string

	// mu guards the state an epoch commits (the network, Adam, the roots,
	// the history, Epoch) against Checkpoint from another goroutine;
	// stepping says an epoch is under way, whose trajectories and random
	// state at its start are in prevJ and prevPCG.
	mu       sync.Mutex
	stepping bool
	prevJ    []float64
	prevPCG  rand.PCG
	// ahead says the HMC of epoch Epoch+1 has already run: Step overlaps
	// it with the Newton read-out of the epoch before (runAhead). J then
	// holds its samples and aheadAccept its acceptance, and prevJ and
	// prevPCG the state at the end of the last whole epoch, which
	// Checkpoint saves. noAhead (tests) turns the overlap off.
	ahead       bool
	aheadAccept float64
	noAhead     bool

	hmc   HMC
	pot   HMCTarget // the model under hmc.potential's form
	pcg   *rand.PCG
	rng   *rand.Rand
	loss  []float64
	grad  []float64
	dpar  []float64
	start []float64
}

// NewTrainer sets up a fresh run: the network, the optimiser and the
// trajectories are drawn from the configured seed. The options are handed
// on to NewBlocks and NewMLP (WithKernels: the path of every hot loop).
func NewTrainer(cfg Config, rep *reps.Rep, opts ...Option) (*Trainer, error) {
	if err := cfg.Validate(); err != nil {
		return nil, err
	}
	mirror, err := ResolveCoarseMirror(rep, cfg.CoarseMirror)
	if err != nil {
		return nil, fmt.Errorf("coarse_mirror: %v", err)
	}
	if l, _ := Losses.Lookup(cfg.Loss); !l.UsesCD {
		if err := reps.ExactLimit(fmt.Sprintf("loss = %q", cfg.Loss), rep.Name, rep.D); err != nil {
			return nil, fmt.Errorf("%v: train it with the contrastive divergence (loss = %q or %q)", err, LossCD, LossCDEnergy)
		}
	}
	if cfg.WarmStart != "none" {
		if err := reps.ExactLimit(fmt.Sprintf("warm_start = %q (the exact variational map)", cfg.WarmStart), rep.Name, rep.D); err != nil {
			return nil, err
		}
	}
	if err := EstimateResources(cfg, rep.D, cfg.CouplingsFor(rep.C()), 0).Check(); err != nil {
		return nil, err
	}
	t := &Trainer{Cfg: cfg, Rep: rep, Blocks: NewBlocks(rep, append(opts, WithCoarseMirror(mirror), WithBonds(cfg.Bonds))...)}
	if t.Pair, err = blockPair(cfg, t.Blocks, newOptions(opts).geometry); err != nil {
		return nil, err
	}
	t.C = t.Pair.Couplings()
	t.M = cfg.TrajectoriesFor(t.C)
	t.pcg = rand.NewPCG(cfg.Seed, 0x5247464c4f57) // "RGFLOW"
	t.rng = rand.New(t.pcg)
	if t.Model, err = newNetworkModel(cfg, t.C, t.rng, opts...); err != nil {
		return nil, err
	}
	net := t.Model.Net()
	if t.Loss, err = newLoss(cfg, t.Pair); err != nil {
		return nil, err
	}
	o := cfg.Optimizer
	if o := newOptions(opts); !o.resuming {
		if err := t.warmStart(o.ctx, o.exactMap); err != nil {
			return nil, err
		}
	}
	t.Opt = NewAdam(len(net.Parameters()), o.LR, o.Beta1, o.Beta2, o.Eps)
	t.Opt.kern = net.Kernels()
	t.J = make([]float64, t.M*t.C)
	for i := range t.J {
		t.J[i] = cfg.InitScale * t.rng.NormFloat64()
	}
	t.alloc()
	return t, nil
}

func (t *Trainer) alloc() {
	t.loss = make([]float64, t.M)
	t.grad = make([]float64, t.M*t.C)
	t.dpar = make([]float64, len(t.Model.Params()))
	t.start = t.Cfg.NewtonStart(t.C)
	h := t.Cfg.HMC
	workers := t.Cfg.Workers
	if workers <= 0 {
		workers = runtime.GOMAXPROCS(0)
	}
	// A leapfrog step's network passes cost about (chains × parameters)
	// multiply-adds; below minShardWork they take less time than waking
	// the goroutines that would share them (A1's 24 chains of a 1×16
	// network: a few thousand). The chains do not depend on the number of
	// workers (TestHMCShardsSameChains), only the time does.
	if t.M*len(t.Model.Params()) < minShardWork {
		workers = 1
	}
	t.hmc = HMC{Dt: h.Dt, SolveSteps: h.SolveSteps, SampleSteps: h.SampleSteps, Workers: workers}
	form, _ := Potentials.Lookup(h.Potential)
	t.pot = form(t.Model)
}

// newNetworkModel builds the model a configuration describes for c
// couplings: its network drawn from rng, with layer norm if asked for,
// wrapped as its model kind and input scale say. Training and the
// checkpoint's Model build it here, so that both run the same map.
func newNetworkModel(cfg Config, c int, rng *rand.Rand, opts ...Option) (Model, error) {
	net, err := newNetwork(cfg, c, rng, opts...)
	if err != nil {
		return nil, err
	}
	m, err := newModel(cfg.Model, net)
	if err != nil {
		return nil, err
	}
	return newScaledModel(m, cfg.Network.InputScale), nil
}

// newModel builds the model a config names (Models) around a network.
func newModel(kind string, net Network) (Model, error) {
	m, ok := Models.Lookup(kind)
	if !ok {
		return nil, Models.Check(kind)
	}
	return m.New(net)
}

// newLoss builds the divergence a config names (Losses).
func newLoss(cfg Config, b BlockPair) (Divergence, error) {
	l, ok := Losses.Lookup(cfg.Loss)
	if !ok {
		return nil, Losses.Check(cfg.Loss)
	}
	return l.New(cfg, b)
}

// recording reports whether epoch e (0-based) records a Newton root: every
// newton.every epochs over the second half of training.
func (t *Trainer) recording(e int) bool {
	half := t.Cfg.Epochs / 2
	return e >= half && (e-half)%t.Cfg.Newton.Every == 0
}

// Step runs one epoch: HMC on the trajectories, the map J′, the divergence,
// backpropagation and an Adam step; in the second half it also records the
// Newton root.
func (t *Trainer) Step() (EpochStat, error) { return t.StepContext(context.Background()) }

// StepContext is Step that stops inside the epoch once ctx is done (in
// the divergence, between trajectories) and returns ctx's error with the
// trainer as it was before the epoch: an interrupted epoch is as if it
// had never begun, so a checkpoint then resumes to the numbers of the run
// that was never interrupted. Any other error leaves the trainer as it
// was before the epoch too, unless the optimiser step itself diverged.
func (t *Trainer) StepContext(ctx context.Context) (EpochStat, error) {
	begin := time.Now()
	cfg := t.Cfg
	e := t.Epoch
	st := EpochStat{Epoch: e + 1, Root: math.NaN()}
	t.mu.Lock()
	if !t.ahead {
		t.prevJ = append(t.prevJ[:0], t.J...)
		t.prevPCG = *t.pcg
	}
	wasAhead := t.ahead
	t.ahead = false
	t.stepping = true
	t.mu.Unlock()
	st.Beta = Beta(e, cfg.Epochs, cfg.HMC.BetaT, cfg.HMC.Center, cfg.HMC.Sharpness)
	if wasAhead {
		st.Accept = t.aheadAccept
	} else {
		st.Accept = t.sample(st.Beta, nil)
	}
	chains := t.M - t.axisRows()
	t.axisSamples(t.J[chains*t.C:])
	t.Opt.LR = t.learningRate(e)
	if err := ctx.Err(); err != nil {
		return st, t.abandon(err)
	}
	Jp := t.Model.Map(t.J, t.M)
	if cd, ok := t.Loss.(ContextDivergence); ok {
		if err := cd.EvalContext(ctx, t.J, Jp, t.loss, t.grad, e); err != nil {
			return st, t.abandon(err)
		}
	} else {
		t.Loss.Eval(t.J, Jp, t.loss, t.grad, e)
	}
	sum := 0.0
	for _, l := range t.loss {
		sum += l
	}
	st.Loss = sum / float64(t.M)
	if math.IsNaN(st.Loss) || math.IsInf(st.Loss, 0) {
		return st, t.abandon(fmt.Errorf("training diverged at epoch %d: the loss is %v (%s)", e+1, st.Loss, cfg.divergenceHint()))
	}
	t.Cfg.scaleGrad(t.loss, t.grad, st.Loss)
	clear(t.dpar)
	t.Model.Backward(t.grad, t.dpar)
	t.mu.Lock()
	defer t.mu.Unlock()
	t.stepping = false
	t.Opt.Step(t.Model.Params(), t.dpar)
	for _, p := range t.Model.Params() {
		if math.IsNaN(p) || math.IsInf(p, 0) {
			return st, fmt.Errorf("training diverged at epoch %d: the network's parameters became %v (%s)", e+1, p, cfg.divergenceHint())
		}
	}
	if t.recording(e) {
		var r Root
		if t.canRunAhead(e) {
			r = t.rootAndRunAhead(e + 1)
		} else {
			r = t.root()
		}
		if r.Converged() {
			t.LastRoot = r.J
			st.Root = math.Abs(r.J[0]) // ±J are gauge images (the hidden-spin flip): the same fixed point
			t.Roots = append(t.Roots, st.Root)
		} else {
			t.RootFailures++
			if t.RootFailureReasons == nil {
				t.RootFailureReasons = map[string]int{}
			}
			t.RootFailureReasons[r.Status.String()]++
		}
	}
	t.History.add(st)
	t.Epoch++
	st.Duration = time.Since(begin)
	t.Elapsed += st.Duration
	return st, nil
}

// sample draws the HMC trajectories of an epoch at inverse temperature
// beta (the chains not drawn from the physical axis; afresh first with
// hmc.redraw) and returns the acceptance rate. side, if not nil, runs
// alongside (HMC.SampleAlongside).
func (t *Trainer) sample(beta float64, side func()) float64 {
	cfg := t.Cfg
	h := &t.hmc
	chains := t.M - t.axisRows()
	if cfg.HMC.Redraw {
		for i := range t.J[:chains*t.C] {
			t.J[i] = cfg.InitScale * t.rng.NormFloat64()
		}
	}
	if h.SampleSteps == 0 || chains == 0 {
		if side != nil {
			side()
		}
		return 0
	}
	acc := h.SampleAlongside(t.pot, t.J[:chains*t.C], chains, t.C, beta, t.rng, side)
	return float64(acc) / float64(chains*h.SampleSteps)
}

// canRunAhead reports whether the Newton read-out at the end of epoch e
// (0-based) may overlap the HMC of the next epoch: there is a next epoch
// and HMC draws its trajectories.
func (t *Trainer) canRunAhead(e int) bool {
	return !t.noAhead && e+1 < t.Cfg.Epochs && t.hmc.SampleSteps > 0 && t.M-t.axisRows() > 0
}

// rootAndRunAhead runs the Newton read-out and, at the same time, the HMC
// of epoch next (0-based), which the next Step then takes as it is
// (ahead). Both only read the network, Newton draws no random numbers and
// HMC's chains do not depend on how its work is shared out, so the
// results are the bits of one after the other: the other core would
// otherwise wait for a serial Newton of up to newton.max_iter Jacobians
// (HMC.SampleAlongside gives Newton one goroutine and the leapfrog the
// rest, and the first back). Called with t.mu held.
func (t *Trainer) rootAndRunAhead(next int) Root {
	t.prevJ = append(t.prevJ[:0], t.J...)
	t.prevPCG = *t.pcg
	var r Root
	c := t.Cfg.HMC
	t.aheadAccept = t.sample(Beta(next, t.Cfg.Epochs, c.BetaT, c.Center, c.Sharpness), func() { r = t.root() })
	t.ahead = true
	return r
}

// axisRows is how many of the trajectories are drawn on the learned flow
// from the physical axis (hmc.axis_fraction) instead of by HMC.
func (t *Trainer) axisRows() int {
	return int(math.Round(t.Cfg.HMC.AxisFraction * float64(t.M)))
}

// axisSamples fills the rows of J (n×c) with points on the learned flow
// from the physical axis: (J_0, 0, …, 0), J_0 uniform in [0, axis_max],
// carried n steps along the network's map (n uniform in 0…axis_steps; a
// row stops early once a coupling passes 3, deep in the ordered phase).
func (t *Trainer) axisSamples(J []float64) {
	c := t.C
	n := len(J) / c
	if n == 0 {
		return
	}
	cfg := t.Cfg.HMC
	steps := make([]int, n)
	maxSteps := 0
	clear(J)
	for k := 0; k < n; k++ {
		J[k*c] = cfg.AxisMax * t.rng.Float64()
		steps[k] = t.rng.IntN(cfg.AxisSteps + 1)
		maxSteps = max(maxSteps, steps[k])
	}
	for s := 1; s <= maxSteps; s++ {
		Jp := t.Model.Map(J, n)
		for k := 0; k < n; k++ {
			row := J[k*c : (k+1)*c]
			if steps[k] < s || maxAbs(row) > 3 {
				continue
			}
			copy(row, Jp[k*c:(k+1)*c])
		}
	}
}

// learningRate is the optimiser's step size at epoch e (0-based):
// optimizer.lr, or on the cosine schedule lr·(f + (1−f)(1 + cos(π e/E))/2)
// with f = final_lr_fraction and E the epochs.
func (t *Trainer) learningRate(e int) float64 {
	o := t.Cfg.Optimizer
	if o.Schedule != "cosine" {
		return o.LR
	}
	f := o.FinalLRFraction
	return o.LR * (f + (1-f)*0.5*(1+math.Cos(math.Pi*float64(e)/float64(t.Cfg.Epochs))))
}

// abandon undoes the epoch under way (its HMC moves and random numbers)
// and returns err.
func (t *Trainer) abandon(err error) error {
	t.mu.Lock()
	defer t.mu.Unlock()
	copy(t.J, t.prevJ)
	*t.pcg = t.prevPCG
	t.stepping = false
	t.ahead = false
	return err
}

// root runs Newton from the last root found (the network changes little
// from one epoch to the next, so this follows one fixed point instead of
// jumping between the several roots a flow with c > 1 has), or from the
// configured start when there is none or it fails.
func (t *Trainer) root() Root {
	m := frozen(t.Model) // one snapshot of the weights for both searches
	if t.LastRoot != nil {
		if r := t.newtonOn(m, t.LastRoot); r.Converged() {
			return r
		}
	}
	return t.newtonOn(m, t.start)
}

// newton runs Newton's method on the model's flow from start, as [newton]
// configures it.
func (t *Trainer) newton(start []float64) Root { return t.newtonOn(t.Model, start) }

// newtonOn is newton on m, the model or a view of it.
func (t *Trainer) newtonOn(m Model, start []float64) Root {
	n := t.Cfg.Newton
	return NewtonStep(m, start, n.Step, n.Tol, n.MaxIter)
}

// CheckpointInterval is how often Run saves a checkpoint when
// output.checkpoint_every is 0.
var CheckpointInterval = 10 * time.Second

// Run trains until the configured number of epochs, calling progress after
// each epoch and checkpoint (if not nil) as output.checkpoint_every says:
// every that many epochs, or with 0 every CheckpointInterval, or with −1
// never (the caller saves at the end). It stops early, with the context's
// error and the trainer at the end of its last whole epoch, when ctx is
// cancelled, also inside an epoch. Before the first epoch it refuses a run
// whose memory, with the history of its epochs, cannot fit
// (EstimateResources).
func (t *Trainer) Run(ctx context.Context, progress func(EpochStat), checkpoint func() error) error {
	if err := EstimateResources(t.Cfg, t.Rep.D, t.C, t.Cfg.Epochs-t.Epoch).Check(); err != nil {
		return err
	}
	every := t.Cfg.Output.CheckpointEvery
	last := time.Now()
	for t.Epoch < t.Cfg.Epochs {
		if err := ctx.Err(); err != nil {
			return err
		}
		st, err := t.StepContext(ctx)
		if err != nil {
			return err
		}
		if progress != nil {
			progress(st)
		}
		due := every > 0 && t.Epoch%every == 0 || every == 0 && time.Since(last) >= CheckpointInterval
		if checkpoint != nil && due && t.Epoch < t.Cfg.Epochs {
			if err := checkpoint(); err != nil {
				return err
			}
			last = time.Now()
		}
	}
	return nil
}

// EpochsDone is the number of epochs done; it may be called while
// another goroutine runs the trainer (it then waits for the epoch's
// commit), as a display of several trainers' progress does.
func (t *Trainer) EpochsDone() int {
	t.mu.Lock()
	defer t.mu.Unlock()
	return t.Epoch
}

// History is a run's record of every epoch, one entry per epoch in each
// column (docs/formats.md): the epoch (1-based), the mean divergence over
// the trajectories, HMC's β and acceptance rate, and the J_0 of the
// epoch's Newton root (NaN, written null, where none was recorded).
type History struct {
	Epoch      []int             `json:"epoch"`
	Loss       []float64         `json:"loss"`
	Beta       []float64         `json:"beta"`
	Acceptance []float64         `json:"acceptance"`
	Root       []nullfloat.Float `json:"root"`
}

func (h *History) add(st EpochStat) {
	h.Epoch = append(h.Epoch, st.Epoch)
	h.Loss = append(h.Loss, st.Loss)
	h.Beta = append(h.Beta, st.Beta)
	h.Acceptance = append(h.Acceptance, st.Accept)
	h.Root = append(h.Root, nullfloat.Float(st.Root))
}

// Len is the number of epochs recorded.
func (h *History) Len() int { return len(h.Epoch) }

func (h *History) clone() *History {
	// never nil columns: an empty history is written as empty lists
	return &History{Epoch: append([]int{}, h.Epoch...), Loss: append([]float64{}, h.Loss...), Beta: append([]float64{}, h.Beta...),
		Acceptance: append([]float64{}, h.Acceptance...), Root: append([]nullfloat.Float{}, h.Root...)}
}

// consistent reports whether every column has the same length.
func (h *History) consistent() bool {
	n := len(h.Epoch)
	return len(h.Loss) == n && len(h.Beta) == n && len(h.Acceptance) == n && len(h.Root) == n
}

// FlowPoint is the learned flow at one point of the physical axis.
type FlowPoint struct {
	J0   float64   `json:"j0"`
	Flow []float64 `json:"flow"` // f(J_0, 0, …, 0), all c components
}

// Summary is the result of a run (docs/formats.md, "The training
// summary"). Everything in it but SecondsPerEpoch is the same, bit for
// bit, for two runs of one configuration.
type Summary struct {
	// Version and Commit identify the rgflow that ran (the command fills
	// them in; the engine does not know its own build).
	Version      string          `json:"rgflow_version,omitempty"`
	Commit       string          `json:"rgflow_commit,omitempty"`
	Rep          string          `json:"rep"`
	D            int             `json:"d"`
	C            int             `json:"c"`
	Loss         string          `json:"loss"`
	Model        string          `json:"model"`
	CoarseMirror string          `json:"coarse_mirror"`
	Block        string          `json:"block"`        // the block geometry (docs/conventions.md §14)
	CoarseSites  int             `json:"coarse_sites"` // every KL is per coarse site
	Shells       int             `json:"shells"`       // coupling shells: c is the representation's couplings times these
	Epochs       int             `json:"epochs"`
	Trajectories int             `json:"trajectories"`
	Seed         uint64          `json:"seed"`
	Kernels      string          `json:"kernels,omitempty"` // the kernel choice of the run (kernels.Path.Name)
	JcMedian     nullfloat.Float `json:"jc_median"`
	JcQ1         nullfloat.Float `json:"jc_q1"`
	JcQ3         nullfloat.Float `json:"jc_q3"`
	JcExact      float64         `json:"jc_exact"`
	Roots        int             `json:"roots"`
	RootFailures int             `json:"root_failures"`
	// RootFailureReasons counts the recorded epochs without a root by why
	// Newton stopped ("singular Jacobian", "iteration limit", …).
	RootFailureReasons map[string]int `json:"root_failure_reasons,omitempty"`
	// KernelChoice is the path of each kernel (kernels.Path.ChoiceMap).
	KernelChoice map[string]string `json:"kernel_choice,omitempty"`
	// The critical fixed point of the final network, its relevant
	// eigenvalue, ν = ln√2/ln λ, and the critical coupling on the physical
	// axis (J_0, 0, …, 0); FixedPointStatus says why Newton found no
	// fixed point for the final network ("" when it did).
	FixedPoint       []float64       `json:"fixed_point,omitempty"`
	FixedPointStatus string          `json:"fixed_point_status,omitempty"`
	Relevant         int             `json:"relevant"` // eigenvalues of ∂J′/∂J at the fixed point above 1 in modulus
	Lambda           nullfloat.Float `json:"lambda"`
	Nu               nullfloat.Float `json:"nu"`
	AxisJc           nullfloat.Float `json:"axis_jc"`
	// AxisJcCMax is Hou & You's read-out of the same coupling for a model
	// with a C (the monotone model; NaN otherwise): the J_0 maximising C
	// after 8 steps of the map (AxisCMax).
	AxisJcCMax      nullfloat.Float `json:"axis_jc_cmax"`
	SecondsPerEpoch float64         `json:"seconds_per_epoch"`
	Flow            []FlowPoint     `json:"flow,omitempty"`
	Variational
	// Config is the effective configuration, [output] left out (it names
	// files and changes no number); History every epoch of the run.
	Config  *Config  `json:"config,omitempty"`
	History *History `json:"history,omitempty"`
}

// Variational sets a run beside the exact variational map of its
// representation and coarse mirror (docs/formats.md): the package
// engine/oracle fills it in, since the engine itself does not minimise
// the KL.
type Variational struct {
	// VariationalGap is (KL(J*, J′_learned) − min KL(J*, ·))/KL(J*,
	// J′_learned) at the learned critical fixed point J*, the minimum
	// continued from J′_learned; GapDistance is |J′_learned − J′_min|.
	VariationalGap nullfloat.Float `json:"variational_gap"`
	KLLearned      nullfloat.Float `json:"kl_learned"`
	KLMin          nullfloat.Float `json:"kl_min"`
	GapDistance    nullfloat.Float `json:"variational_gap_distance"`
	// GapAxis is the gap at J_0 = 0.1, 0.2, …, 1.5 on the physical axis.
	GapAxis []AxisGap `json:"variational_gap_axis,omitempty"`
	// ScalingDimensions are the leading Δ_i of the fine block's transfer
	// matrix at the learned critical fixed point (Hou & You's read-out,
	// docs/conventions.md §13; exact Δ_σ = 1/8), and
	// OracleScalingDimensions those at the exact map's.
	ScalingDimensions       []float64 `json:"scaling_dimensions,omitempty"`
	OracleScalingDimensions []float64 `json:"oracle_scaling_dimensions,omitempty"`
	// The exact map's critical fixed point for the same representation and
	// mirror (NaN when it was not computed or has none), and why not.
	OracleAxisJc nullfloat.Float `json:"oracle_axis_jc"`
	OracleLambda nullfloat.Float `json:"oracle_lambda"`
	OracleNu     nullfloat.Float `json:"oracle_nu"`
	// OracleFixedPoint is the exact map's critical fixed point: its gauge
	// image nearest the learned fixed point where there is one, else in
	// the oracle's canonical gauge.
	OracleFixedPoint []float64 `json:"oracle_fixed_point,omitempty"`
	OracleNote       string    `json:"oracle_note,omitempty"`
	// The verdict in coupling units (docs/training.md): FixedPointDistance
	// is the max-norm distance of the learned critical fixed point from
	// OracleFixedPoint, AxisJcDistance |AxisJc − OracleAxisJc| (NaN where
	// either is missing). FixedPointShift is the signed shift of the
	// learned fixed point from the exact map's along the relevant
	// direction that the exact map's error at it implies, to first order
	// (oracle.Gap.Shift: uᵀδ/(λ − 1), δ = M(J*) − J*), and
	// FixedPointShiftVector the whole shift (A − I)⁻¹δ; they need only the
	// exact map at J*, not its fixed point.
	FixedPointDistance    nullfloat.Float `json:"fixed_point_distance"`
	AxisJcDistance        nullfloat.Float `json:"axis_jc_distance"`
	FixedPointShift       nullfloat.Float `json:"fixed_point_shift"`
	FixedPointShiftVector []float64       `json:"fixed_point_shift_vector,omitempty"`
	// Verdict says in words why the estimate is not to be trusted (empty:
	// nothing found wrong); Summary.Assess computes it.
	Verdict []string `json:"verdict"`
}

// AxisGap is the variational gap at one point (J_0, 0, …, 0).
type AxisGap struct {
	J0        float64         `json:"j0"`
	Gap       nullfloat.Float `json:"variational_gap"`
	KLLearned nullfloat.Float `json:"kl_learned"`
	KLMin     nullfloat.Float `json:"kl_min"`
	Distance  nullfloat.Float `json:"distance"`
}

// readOut sets the final network's critical fixed point and, for c > 1,
// the critical coupling on the physical axis. For c = 1 the fixed point is
// Newton's root from the last one recorded, and the axis coupling is the
// fixed point itself. For c > 1 the axis coupling comes first (the onset
// of ordering along the axis, AxisCritical), and the critical fixed point
// is then the one its flow runs into: Newton from the slowest iterate of
// that flow, or, if the flow orders nowhere on the axis, from the last
// root recorded.
func (t *Trainer) readOut(s *Summary) {
	var r Root
	if t.C == 1 {
		r = t.root()
	} else {
		ax := AxisCritical(t.Model, t.C)
		s.AxisJc = nullfloat.Float(ax.Jc)
		if ax.Slow != nil {
			r = t.newton(ax.Slow)
		}
		if !r.Converged() {
			r = t.root()
		}
	}
	if !r.Converged() {
		s.FixedPointStatus = r.Status.String()
		return
	}
	fp := AnalyseFixedPoint(t.Model, r.J)
	s.FixedPoint, s.Lambda, s.Nu = r.J, nullfloat.Float(fp.Lambda), nullfloat.Float(fp.Nu)
	for _, v := range fp.Eigenvalues {
		if cmplx.Abs(v) > 1+1e-9 {
			s.Relevant++
		}
	}
	if t.C == 1 {
		s.AxisJc = nullfloat.Float(math.Abs(r.J[0]))
	}
}

// Summary reads out the run: quartiles of the recorded roots, the final
// network's fixed point and exponent, and the flow on the physical axis.
func (t *Trainer) Summary() Summary {
	s := Summary{
		Rep: t.Rep.Name, D: t.Rep.D, C: t.C, Loss: t.Cfg.Loss, Model: t.Cfg.Model, CoarseMirror: t.Blocks.Mirror.Name,
		Block: t.Pair.BlockName(), CoarseSites: t.Pair.CoarseSites(), Shells: t.Pair.Shells(),
		Epochs: t.Cfg.Epochs, Trajectories: t.M, Seed: t.Cfg.Seed, Kernels: t.Blocks.Kernels().Name(), KernelChoice: t.Blocks.Kernels().ChoiceMap(),
		JcExact: JcExact, Roots: len(t.Roots), RootFailures: t.RootFailures, RootFailureReasons: t.RootFailureReasons,
		Lambda: nullfloat.NaN(), Nu: nullfloat.NaN(), AxisJc: nullfloat.NaN(),
		Variational: Variational{VariationalGap: nullfloat.NaN(), KLLearned: nullfloat.NaN(), KLMin: nullfloat.NaN(),
			GapDistance: nullfloat.NaN(), OracleAxisJc: nullfloat.NaN(), OracleLambda: nullfloat.NaN(), OracleNu: nullfloat.NaN(),
			FixedPointDistance: nullfloat.NaN(), AxisJcDistance: nullfloat.NaN(), FixedPointShift: nullfloat.NaN(), Verdict: []string{}},
	}
	med, q1, q3 := quantile.Quartiles(t.Roots)
	s.JcMedian, s.JcQ1, s.JcQ3 = nullfloat.Float(med), nullfloat.Float(q1), nullfloat.Float(q3)
	if t.Epoch > 0 {
		s.SecondsPerEpoch = t.Elapsed.Seconds() / float64(t.Epoch)
	}
	t.readOut(&s)
	s.AxisJcCMax = nullfloat.Float(AxisCMax(t.Model, t.C))
	for i := 0; i <= 160; i++ {
		x := make([]float64, t.C)
		x[0] = 0.01 * float64(i)
		s.Flow = append(s.Flow, FlowPoint{J0: x[0], Flow: t.Model.Flow(x)})
	}
	cfg := t.Cfg
	cfg.Output = OutputConfig{}
	s.Config = &cfg
	s.History = t.History.clone()
	return s
}

// minShardWork is the number of multiply-adds per leapfrog step (chains ×
// network parameters) from which HMC shares its chains among goroutines.
const minShardWork = 1 << 16

// scaleGrad turns the trajectories' divergence gradients ∂D_m/∂J′_m
// (grad, M×c) into those of the training loss in place: the mean D, or
// with the log loss the mean of log(D_m + ε), ε = loss_floor·mean, each
// trajectory's gradient divided by its own divergence, so that
// weak-coupling points, whose KL is orders of magnitude smaller, count as
// much as strong-coupling ones (the minimiser of each term is the same as
// for the KL itself). The floor keeps points at J ≈ 0, where the KL
// vanishes, from taking weights without bound.
func (c *Config) scaleGrad(loss, grad []float64, mean float64) {
	M := len(loss)
	inv := 1 / float64(M)
	if !c.LogLoss() {
		for i := range grad {
			grad[i] *= inv
		}
		return
	}
	nc := len(grad) / M
	eps := c.LossFloor * mean
	for m, l := range loss {
		w := inv / (math.Max(l, 0) + eps)
		for a := 0; a < nc; a++ {
			grad[m*nc+a] *= w
		}
	}
}
