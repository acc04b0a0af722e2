package engine

import (
	"fmt"
	"math"
	"runtime"
	"sort"
	"strings"

	"github.com/rgflow/rgflow/engine/geometry"
	"github.com/rgflow/rgflow/internal/humanize"
	"github.com/rgflow/rgflow/internal/sysmem"
	"github.com/rgflow/rgflow/reps"
)

// Resources is what a configuration will need, estimated before anything
// is allocated: the memory (bytes, the largest parts by the key that
// drives each) and the time of one epoch. The estimates are meant to be
// right within a factor of two or so; their purpose is to refuse what
// cannot run at all before it fails with the runtime's "out of memory"
// (docs/formats.md, "Limits").
type Resources struct {
	Bytes float64
	// Parts are the memory's components, largest first.
	Parts []ResourcePart
	// EpochSeconds is the estimated time of one epoch on this machine
	// (rough: from the cost model the bench suites weight their progress
	// with).
	EpochSeconds float64
	// SummaryBytes and CheckpointBytes are about the sizes of the run's
	// JSON summary and of its checkpoint at its end (measured: about 110
	// and 80 bytes an epoch of history, 22 bytes a number of the
	// checkpoint's network, moments and trajectories), for the check that
	// the outputs' file systems have room for them before the first
	// epoch.
	SummaryBytes, CheckpointBytes float64
	// WarmStartSeconds is the estimated time of the warm start (the exact
	// map at its points and the fit to it; 0 without one), ReadOutSeconds
	// that of the final read-out (the variational gap on the axis and at
	// the fixed point; the exact map's own analysis, train -oracle, is
	// OracleSeconds on top).
	WarmStartSeconds, ReadOutSeconds float64
}

// ExactKLEvalSeconds is the rough time of one second-order evaluation of
// the exact KL (KLSecondOrder) on 2 cores, which the exact map's
// minimiser makes at each step: a sum over one visible configuration per
// orbit of the blocks' symmetry group (about 2^{4d}/16), each adding to
// bins whose contraction with the derivative tables costs little beside
// it (BenchmarkKLSecondOrder, with the mixed derivative, on a shared
// 2-core Intel Xeon with AVX-512: 0.0032, 0.029 and 0.47 CPU seconds for
// 2A1+E, A1+2E and 2A1+2E; c no longer matters to first order).
func ExactKLEvalSeconds(d, c int) float64 {
	return 1.5e-8 * math.Pow(2, 4*float64(d))
}

// OracleSeconds is the rough time of the exact map's whole analysis of a
// representation (rgflow oracle; train -oracle on): about 1000 + 250c
// second-order evaluations (measured with the axis mirror: 721 for A1,
// 2463 for A1+E, 4903 for 2A1+E, 4620 for A1+2E, 6867 for 2A1+2E; the
// diagonal mirror's are similar), each ExactKLEvalSeconds (2A1+2E: 6867
// evaluations in 1315 s on 2 cores).
func OracleSeconds(d, c int) float64 {
	return (1000 + 250*float64(c)) * ExactKLEvalSeconds(d, c)
}

// ResourcePart is one component of the memory estimate and the key that
// drives it, with the key's value.
type ResourcePart struct {
	Key   string
	Value any
	What  string
	Bytes float64
}

// secondsPerCostUnit converts EpochCost to seconds, from A1, A1+E and
// 2A1+E with KL and CD on a 2-core x86-64 with AVX-512: right within a
// factor of four either way, which is enough to say that a run takes
// minutes or weeks.
const secondsPerCostUnit = 0.3e-9

// EstimateResources estimates what cfg needs for a representation with d
// spins per site and c couplings, with the history of epochs more epochs
// (a trainer's own working set is there from the start; the history grows
// with the epochs run, so NewTrainer counts none of it and Run the epochs
// it will run).
func EstimateResources(cfg Config, d, c, epochs int) Resources {
	const f64 = 8
	m := float64(cfg.TrajectoriesFor(c))
	fc := float64(c)
	sizes := cfg.Layers(c)
	params, units := 0.0, 0.0
	for i := 1; i < len(sizes); i++ {
		params += float64(sizes[i-1]+1) * float64(sizes[i])
	}
	for _, s := range sizes {
		units += float64(s)
	}
	workers := cfg.Workers
	if workers <= 0 {
		workers = runtime.GOMAXPROCS(0)
	}
	workers = max(1, min(workers, int(min(m, 1<<30))))
	var parts []ResourcePart
	values := map[string]any{"trajectories": cfg.Trajectories, "max_trajectories": cfg.MaxTraj, "network.width": cfg.Network.Width,
		"epochs": cfg.Epochs, "cd.samples": cfg.CD.Samples}
	add := func(key, what string, b float64) { parts = append(parts, ResourcePart{key, values[key], what, b}) }

	trajKey := "trajectories"
	if cfg.Trajectories == 0 {
		trajKey = "max_trajectories"
	}
	// the trajectories, their images, gradients and HMC's buffers
	add(trajKey, fmt.Sprintf("%.4g trajectories × %d couplings", m, c), f64*m*(7*fc+6))
	// the network's activations for a batch (the training pass and HMC's,
	// each keeping pre-activations, activations and gradients; the monotone
	// model's second derivatives need about eight times as much)
	act := 6.0
	if cfg.Model == ModelMonotone {
		act = 48
	}
	// the activations grow with the trajectories and the network's size:
	// name whichever is further above its default
	def := DefaultConfig()
	defUnits := 0.0
	for _, s := range def.Layers(c) {
		defUnits += float64(s)
	}
	widthKey := "network.width"
	if m/float64(def.TrajectoriesFor(c)) >= units/defUnits {
		widthKey = trajKey
	}
	add(widthKey, fmt.Sprintf("the network's activations for %.4g trajectories", m), f64*act*m*units)
	// parameters, Adam's two moments, the gradient, and a checkpoint's copy
	add("network.width", fmt.Sprintf("%.4g network parameters", params), f64*7*params)
	if cfg.Output.Checkpoint != "" {
		// a checkpoint's JSON: ~25 bytes a number
		add("network.width", "the checkpoint's JSON", 25*(3*params+m*fc))
	}
	// the per-epoch history (40 bytes an epoch, up to twice that as its
	// slices grow), the recorded roots, and the history's JSON at the end
	if epochs > 0 {
		perEpoch := 88.0
		if cfg.Output.JSON != "" || cfg.Output.Checkpoint != "" {
			perEpoch += 100
		}
		add("epochs", fmt.Sprintf("the history of %d epochs", epochs), perEpoch*float64(epochs))
	}
	if l, ok := Losses.Lookup(cfg.Loss); ok && l.UsesCD {
		// per worker: corner, hidden and centre states, the centre's
		// probabilities and fields (d numbers a chain), the d = 1 bit planes
		n := float64(cfg.CD.Samples)
		perChain := 10 + 24*float64(d)
		if g, err := geometry.Parse(cfg.Block, max(1, cfg.Shells)); err == nil && !cfg.IsPlaquette() {
			// a block's chains: a state a site, the fields and thresholds
			perChain = float64(len(g.Visible)+len(g.FineHidden)+len(g.CoarseHidden)) + 24*float64(d)
		}
		add("cd.samples", fmt.Sprintf("%d CD workers × %.4g chains", workers, n), float64(workers)*n*perChain)
	}
	sort.SliceStable(parts, func(i, j int) bool { return parts[i].Bytes > parts[j].Bytes })
	r := Resources{Parts: parts}
	for _, p := range parts {
		r.Bytes += p.Bytes
	}
	r.EpochSeconds = EpochCost(cfg, d, c) * secondsPerCostUnit / float64(min(workers, runtime.NumCPU()))
	// the warm start: the exact map from a few starts at its reference
	// point (some 200 evaluations), continued to each of its points (some
	// 15 each), and the fit's full-batch steps on them
	eval := ExactKLEvalSeconds(d, c)
	switch cfg.WarmStart {
	case "exact-step":
		r.WarmStartSeconds = 200 * eval
	case "exact-map":
		pts := float64(cfg.WarmStartPoints)
		r.WarmStartSeconds = (200+15*pts)*eval + float64(cfg.WarmStartEpochs)*pts*6*params*secondsPerCostUnit
	}
	// the read-out: the gap at the fixed point and at 15 axis points, a
	// minimisation of some 30 evaluations each; none beyond the exact
	// KL's reach (d > reps.MaxExactDim: a 3A1+2E run's estimate said 31 h
	// for a read-out of seconds)
	if d <= reps.MaxExactDim {
		r.ReadOutSeconds = 16 * 30 * eval
	}
	history := float64(cfg.Epochs)
	r.SummaryBytes = 32<<10 + 110*history + 25*161*(fc+1)
	r.CheckpointBytes = 16<<10 + 80*history + 22*(3*params+m*fc)
	return r
}

// EpochCost is a rough relative cost of one epoch: the divergence (the
// loss's own estimate, LossKind.Cost) plus the network's forward and
// backward passes in HMC and training (scaled by ModelKind.NetCost). The
// bench suites weight their progress bars with it.
func EpochCost(cfg Config, d, c int) float64 {
	m := float64(cfg.TrajectoriesFor(c))
	var div float64
	if l, ok := Losses.Lookup(cfg.Loss); ok {
		div = l.Cost(cfg, d)
		if b, ok := blockCost(cfg, d, c, l.UsesCD); ok {
			div = b
		}
	}
	params := 0.0
	sizes := cfg.Layers(c)
	for i := 1; i < len(sizes); i++ {
		params += float64(sizes[i-1]+1) * float64(sizes[i])
	}
	passes := float64(cfg.HMC.SolveSteps*cfg.HMC.SampleSteps + 2)
	net := 3 * params * passes
	if k, ok := Models.Lookup(cfg.Model); ok {
		net *= k.NetCost
	}
	// a layer's pass costs about a microsecond whatever its width (1000
	// layers of width 1: 60 ms an epoch of CPU time)
	layers := float64(len(sizes)-1) * passes * layerCost
	return m*(div+net) + layers
}

// layerCost is a layer's pass of a batch in EpochCost's units, about a
// microsecond.
const layerCost = 3000

// Check refuses a configuration whose memory estimate exceeds what the
// machine has available (sysmem.Available) with a *ResourceError. Where
// the available memory cannot be read it checks nothing.
func (r Resources) Check() error {
	avail, source, ok := sysmem.Available()
	if !ok || r.Bytes <= float64(avail) || len(r.Parts) == 0 {
		return nil
	}
	return &ResourceError{Key: r.Parts[0].Key, Part: r.Parts[0], Need: r.Bytes, Available: float64(avail), Source: source}
}

// ResourceError is a configuration that cannot fit in memory: one
// sentence naming the key that drives the largest part of the estimate,
// its value, the estimate and what is available.
type ResourceError struct {
	Key             string // as the message names it (the command may name its flag)
	Part            ResourcePart
	Need, Available float64
	Source          string
}

func (e *ResourceError) Error() string {
	sep := " = "
	if strings.HasPrefix(e.Key, "-") {
		sep = " "
	}
	return fmt.Sprintf("%s%s%v: this configuration needs about %s of memory (%s of it for %s), but %s are available (%s); make %s smaller",
		e.Key, sep, e.Part.Value, humanize.Bytes(e.Need), humanize.Bytes(e.Part.Bytes), e.Part.What, humanize.Bytes(e.Available), e.Source, e.Key)
}
