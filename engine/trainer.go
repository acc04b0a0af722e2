package engine

import (
	"context"
	"fmt"
	"math"
	"math/rand/v2"
	"runtime"
	"slices"
	"time"

	"rgflow/reps"
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
// configurations.
type ExactKL struct {
	B       *Blocks
	Workers int
}

func (k ExactKL) Eval(J, Jp []float64, loss, grad []float64, _ int) {
	k.B.KLBatch(J, Jp, loss, grad, k.Workers)
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

// Trainer runs the learning loop of DESIGN.md §1.
type Trainer struct {
	Cfg    Config
	Rep    *reps.Rep
	Blocks *Blocks
	Model  Model
	Opt    *Adam
	Loss   Divergence
	M, C   int       // trajectories, couplings
	J      []float64 // current trajectories, M×c
	Epoch  int       // epochs done

	Roots        []float64 // J_0 of the Newton roots recorded so far
	RootFailures int       // recorded epochs where Newton did not converge
	LastRoot     []float64 // the latest root found, where the next search starts
	Elapsed      time.Duration

	hmc   HMC
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
	t := &Trainer{Cfg: cfg, Rep: rep, Blocks: NewBlocks(rep, opts...), C: rep.C()}
	t.M = cfg.TrajectoriesFor(t.C)
	t.pcg = rand.NewPCG(cfg.Seed, 0x5247464c4f57) // "RGFLOW"
	t.rng = rand.New(t.pcg)
	act, err := ParseActivation(cfg.Network.Activation)
	if err != nil {
		return nil, fmt.Errorf("network.activation: %v", err)
	}
	net := NewMLP(cfg.Layers(t.C), act, t.rng, opts...)
	if t.Model, err = newModel(cfg.Model, net); err != nil {
		return nil, err
	}
	if t.Loss, err = newLoss(cfg, t.Blocks); err != nil {
		return nil, err
	}
	o := cfg.Optimizer
	t.Opt = NewAdam(net.NumParams(), o.LR, o.Beta1, o.Beta2, o.Eps)
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
	t.start = make([]float64, t.C)
	t.start[0] = t.Cfg.Newton.Start
	h := t.Cfg.HMC
	workers := t.Cfg.Workers
	if workers <= 0 {
		workers = runtime.GOMAXPROCS(0)
	}
	t.hmc = HMC{Dt: h.Dt, SolveSteps: h.SolveSteps, SampleSteps: h.SampleSteps, Workers: workers}
}

// newModel builds the model a config names around a network.
func newModel(kind string, net *MLP) (Model, error) {
	switch kind {
	case "flow":
		return NewFlowModel(net), nil
	case "monotone":
		return NewMonotoneModel(net)
	}
	return nil, fmt.Errorf("model %q is not available", kind)
}

// newLoss builds the divergence a config names.
func newLoss(cfg Config, b *Blocks) (Divergence, error) {
	switch cfg.Loss {
	case "kl":
		return ExactKL{B: b, Workers: cfg.Workers}, nil
	case "cd":
		return NewCD(b, cfg.CD, cfg.Seed, cfg.Workers)
	}
	return nil, fmt.Errorf("loss %q is not available", cfg.Loss)
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
func (t *Trainer) Step() (EpochStat, error) {
	begin := time.Now()
	cfg := t.Cfg
	e := t.Epoch
	st := EpochStat{Epoch: e + 1, Root: math.NaN()}
	st.Beta = Beta(e, cfg.Epochs, cfg.HMC.BetaT, cfg.HMC.Center, cfg.HMC.Sharpness)
	h := &t.hmc
	if h.SampleSteps > 0 {
		acc := h.Sample(t.Model, t.J, t.M, t.C, st.Beta, t.rng)
		st.Accept = float64(acc) / float64(t.M*h.SampleSteps)
	}
	Jp := t.Model.Map(t.J, t.M)
	t.Loss.Eval(t.J, Jp, t.loss, t.grad, e)
	sum := 0.0
	for _, l := range t.loss {
		sum += l
	}
	st.Loss = sum / float64(t.M)
	if math.IsNaN(st.Loss) || math.IsInf(st.Loss, 0) {
		return st, fmt.Errorf("training diverged at epoch %d: the loss is %v (try a smaller optimizer.lr or hmc.dt)", e+1, st.Loss)
	}
	inv := 1 / float64(t.M)
	for i := range t.grad {
		t.grad[i] *= inv
	}
	clear(t.dpar)
	t.Model.Backward(t.grad, t.dpar)
	t.Opt.Step(t.Model.Params(), t.dpar)
	for _, p := range t.Model.Params() {
		if math.IsNaN(p) || math.IsInf(p, 0) {
			return st, fmt.Errorf("training diverged at epoch %d: the network's parameters became %v (try a smaller optimizer.lr)", e+1, p)
		}
	}
	if t.recording(e) {
		r := t.root()
		if r.Converged {
			t.LastRoot = r.J
			st.Root = r.J[0]
			t.Roots = append(t.Roots, r.J[0])
		} else {
			t.RootFailures++
		}
	}
	t.Epoch++
	st.Duration = time.Since(begin)
	t.Elapsed += st.Duration
	return st, nil
}

// root runs Newton from the last root found (the network changes little
// from one epoch to the next, so this follows one fixed point instead of
// jumping between the several roots a flow with c > 1 has), or from the
// configured start when there is none or it fails.
func (t *Trainer) root() Root {
	n := t.Cfg.Newton
	if t.LastRoot != nil {
		if r := Newton(t.Model, t.LastRoot, n.Tol, n.MaxIter); r.Converged {
			return r
		}
	}
	return Newton(t.Model, t.start, n.Tol, n.MaxIter)
}

// Run trains until the configured number of epochs, calling progress after
// each epoch and checkpoint (if not nil) every checkpoint_every epochs. It
// stops early, with the context's error, when ctx is cancelled.
func (t *Trainer) Run(ctx context.Context, progress func(EpochStat), checkpoint func() error) error {
	every := t.Cfg.Output.CheckpointEvery
	for t.Epoch < t.Cfg.Epochs {
		if err := ctx.Err(); err != nil {
			return err
		}
		st, err := t.Step()
		if err != nil {
			return err
		}
		if progress != nil {
			progress(st)
		}
		if checkpoint != nil && every > 0 && t.Epoch%every == 0 && t.Epoch < t.Cfg.Epochs {
			if err := checkpoint(); err != nil {
				return err
			}
		}
	}
	return nil
}

// FlowPoint is the learned flow at one point of the physical axis.
type FlowPoint struct {
	J0   float64   `json:"j0"`
	Flow []float64 `json:"flow"` // f(J_0, 0, …, 0), all c components
}

// Summary is the result of a run.
type Summary struct {
	Rep          string  `json:"rep"`
	D            int     `json:"d"`
	C            int     `json:"c"`
	Loss         string  `json:"loss"`
	Model        string  `json:"model"`
	Epochs       int     `json:"epochs"`
	Trajectories int     `json:"trajectories"`
	Seed         uint64  `json:"seed"`
	Kernels      string  `json:"kernels,omitempty"` // the kernel path of the run
	JcMedian     Float   `json:"jc_median"`
	JcQ1         Float   `json:"jc_q1"`
	JcQ3         Float   `json:"jc_q3"`
	JcExact      float64 `json:"jc_exact"`
	Roots        int     `json:"roots"`
	RootFailures int     `json:"root_failures"`
	// The critical fixed point of the final network, its relevant
	// eigenvalue, ν = ln√2/ln λ, and the critical coupling on the physical
	// axis (J_0, 0, …, 0).
	FixedPoint      []float64   `json:"fixed_point,omitempty"`
	Lambda          Float       `json:"lambda"`
	Nu              Float       `json:"nu"`
	AxisJc          Float       `json:"axis_jc"`
	SecondsPerEpoch float64     `json:"seconds_per_epoch"`
	Flow            []FlowPoint `json:"flow,omitempty"`
}

// Quartiles returns the median and the quartiles of x (NaN if empty),
// interpolated linearly between order statistics (Hyndman–Fan type 7, the
// default of R and NumPy): the median of an even count is the mean of the
// middle two.
func Quartiles(x []float64) (median, q1, q3 float64) {
	if len(x) == 0 {
		return math.NaN(), math.NaN(), math.NaN()
	}
	s := slices.Clone(x)
	slices.Sort(s)
	return Quantile(s, 0.5), Quantile(s, 0.25), Quantile(s, 0.75)
}

// Quantile is the p-quantile (type 7) of sorted x.
func Quantile(sorted []float64, p float64) float64 {
	h := p * float64(len(sorted)-1)
	i := int(math.Floor(h))
	if i >= len(sorted)-1 {
		return sorted[len(sorted)-1]
	}
	return sorted[i] + (h-float64(i))*(sorted[i+1]-sorted[i])
}

// Summary reads out the run: quartiles of the recorded roots, the final
// network's fixed point and exponent, and the flow on the physical axis.
func (t *Trainer) Summary() Summary {
	s := Summary{
		Rep: t.Rep.Name, D: t.Rep.D, C: t.C, Loss: t.Cfg.Loss, Model: t.Cfg.Model,
		Epochs: t.Cfg.Epochs, Trajectories: t.M, Seed: t.Cfg.Seed, Kernels: t.Blocks.Kernels().Name(),
		JcExact: JcExact, Roots: len(t.Roots), RootFailures: t.RootFailures,
		Lambda: Float(math.NaN()), Nu: Float(math.NaN()), AxisJc: Float(math.NaN()),
	}
	med, q1, q3 := Quartiles(t.Roots)
	s.JcMedian, s.JcQ1, s.JcQ3 = Float(med), Float(q1), Float(q3)
	if t.Epoch > 0 {
		s.SecondsPerEpoch = t.Elapsed.Seconds() / float64(t.Epoch)
	}
	if r := t.root(); r.Converged {
		fp := AnalyseFixedPoint(t.Model, r.J)
		s.FixedPoint, s.Lambda, s.Nu = r.J, Float(fp.Lambda), Float(fp.Nu)
		s.AxisJc = Float(AxisCritical(t.Model, fp))
	}
	for i := 0; i <= 160; i++ {
		x := make([]float64, t.C)
		x[0] = 0.01 * float64(i)
		s.Flow = append(s.Flow, FlowPoint{J0: x[0], Flow: t.Model.Flow(x)})
	}
	return s
}
