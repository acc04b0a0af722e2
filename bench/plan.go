package bench

import (
	"encoding/json"
	"fmt"
	"hash/fnv"
	"iter"
	"strings"

	"github.com/rgflow/rgflow/engine"
	"github.com/rgflow/rgflow/kernels"
	"github.com/rgflow/rgflow/reps"
)

// runSpec is one planned run.
type runSpec struct {
	Key   string
	Label string // the configuration without the seed (and, in sweeps, without the swept value)
	Param string // swept parameter (sweeps)
	Value float64
	Rep   *reps.Rep
	Cfg   engine.Config

	// epoch-time only
	Kernel     string       // name of the resolved kernel path
	kernelPath kernels.Path // the path itself, when KernelErr is nil
	KernelErr  error        // the path cannot run here
	Ref        *SpeedAnchor // this is a reference configuration (ReferenceSpeed)
	timing     *EpochTimeConfig

	cost float64 // rough relative cost of one epoch, for the progress bar
}

// units is the run's weight on the overall progress bar.
func (s *runSpec) units() float64 {
	if s.timing != nil {
		return s.cost * float64(s.timing.Warmup+s.timing.Epochs*s.timing.Repeats)
	}
	return s.cost * float64(s.Cfg.Epochs)
}

// hashOf is a short hash of v's JSON form.
func hashOf(v any) string {
	b, err := json.Marshal(v)
	if err != nil {
		panic(err) // configs are plain data
	}
	h := fnv.New64a()
	h.Write(b)
	return fmt.Sprintf("%08x", h.Sum64()>>32)
}

// configHash identifies an engine configuration regardless of its seed and
// worker count (neither changes what a configuration is; the seed is part
// of the key on its own and results do not depend on the workers).
//
// The hash is of the configuration's Go-field-name form
// (engine.GoNamesForm), which its JSON had when the first results
// directories were made, so that their keys still match.
func configHash(cfg engine.Config, extra ...any) string {
	cfg.Seed, cfg.Workers = 0, 0
	return hashOf(append([]any{engine.GoNamesForm(cfg)}, extra...))
}

func runKey(suite, label, hash string, seed uint64) string {
	return fmt.Sprintf("%s/%s#%s/seed=%d", suite, strings.ReplaceAll(label, " ", ":"), hash, seed)
}

// estimateCost is a rough relative cost of one epoch (engine.EpochCost).
// It only weights the progress bar; a configuration the engine refuses
// costs as much as its network (it fails at once anyway).
func estimateCost(cfg engine.Config, rep *reps.Rep) float64 {
	return engine.EpochCost(cfg, rep.D, cfg.CouplingsFor(rep.C()))
}

// runConfig is the engine configuration of one training run.
func (c *DistConfig) runConfig(repName string, rep *reps.Rep, loss, model string, seed uint64) engine.Config {
	cfg := c.Train
	cfg.Rep, cfg.Loss, cfg.Model, cfg.Seed = repName, loss, model, seed
	cfg.Epochs, cfg.Trajectories, cfg.MaxTraj = c.Epochs, c.Trajectories, c.MaxTraj
	cfg.Workers = 1
	cfg.Output = engine.OutputConfig{}
	if model == engine.ModelMonotone && c.MonotoneActivation != "" {
		cfg.Network.Activation = c.MonotoneActivation
	}
	if ln := c.LargeNetwork; ln.MinC > 0 && rep.C() >= ln.MinC {
		if ln.Depth > 0 {
			cfg.Network.Depth = ln.Depth
		}
		if ln.Width > 0 {
			cfg.Network.Width = ln.Width
		}
	}
	return cfg
}

// usesCD reports whether the loss reads the [cd] settings.
func usesCD(loss string) bool {
	l, _ := engine.Losses.Lookup(loss)
	return l.UsesCD
}

func label(parts ...string) string { return strings.Join(parts, " ") }

// instances yields the base run (label, representation, engine
// configuration) of every instance of every combination of reps × losses ×
// models: instance by instance (so that an interrupted suite has some of
// every configuration), combinations in the order of the file.
func (c *DistConfig) instances(rs map[string]*reps.Rep) iter.Seq[runSpec] {
	return func(yield func(runSpec) bool) {
		for _, seed := range c.seeds() {
			for _, rn := range c.Reps {
				r := rs[rn]
				for _, mirror := range mirrorsFor(r, c.CoarseMirrors) {
					for _, loss := range c.Losses {
						if !usesCD(loss) && r.D > reps.MaxExactDim {
							continue // beyond the exact KL: the contrastive divergences only
						}
						for _, model := range c.Models {
							cfg := c.runConfig(rn, r, loss, model, seed)
							cfg.CoarseMirror = mirror
							l := label(rn, loss, model)
							if mirror != "axis" {
								l = label(l, mirror)
							}
							l = label(append([]string{l}, blockLabel(cfg)...)...)
							if !yield(runSpec{Label: l, Rep: r, Cfg: cfg}) {
								return
							}
						}
					}
				}
			}
		}
	}
}

// mirrorsFor lists the coarse mirrors of want that mean something for
// representation r: "axis" always; "diagonal" where it differs from
// "axis" (the representation has an E) and exists (no B1 or B2).
func mirrorsFor(r *reps.Rep, want []string) []string {
	var out []string
	for _, m := range want {
		if m == "diagonal" {
			cm, err := engine.ResolveCoarseMirror(r, m)
			if err != nil || isIdentity(cm.U, r.D) {
				continue
			}
		}
		out = append(out, m)
	}
	return out
}

func isIdentity(U []float64, d int) bool {
	for i := 0; i < d; i++ {
		for j := 0; j < d; j++ {
			want := 0.0
			if i == j {
				want = 1
			}
			if U[i*d+j] != want {
				return false
			}
		}
	}
	return true
}

// planDist lists the runs of bias-vs-dimension and kl-vs-cd: one per
// instance.
func planDist(c *DistConfig, rs map[string]*reps.Rep) []runSpec {
	var out []runSpec
	for s := range c.instances(rs) {
		s.Key = runKey(c.Suite, s.Label, configHash(s.Cfg), s.Cfg.Seed)
		s.cost = estimateCost(s.Cfg, s.Rep)
		out = append(out, s)
	}
	return out
}

// sweepParams names the swept parameters in the order of the seed's
// figures, with what they set.
var sweepParams = []struct {
	Name, Title string
	CDOnly      bool
	values      func(*SweepValues) []int
	set         func(*engine.Config, int)
}{
	{"cd_samples", "CD samples", true, func(s *SweepValues) []int { return s.CDSamples }, func(c *engine.Config, v int) { c.CD.Samples = v }},
	{"k_fine", "fine Gibbs steps k_fine", true, func(s *SweepValues) []int { return s.KFine }, func(c *engine.Config, v int) { c.CD.KFine = v }},
	{"k_coarse", "coarse Gibbs steps k_coarse", true, func(s *SweepValues) []int { return s.KCoarse }, func(c *engine.Config, v int) { c.CD.KCoarse = v }},
	{"trajectories", "HMC trajectories", false, func(s *SweepValues) []int { return s.Trajectories }, func(c *engine.Config, v int) { c.Trajectories = v }},
	{"solve_steps", "HMC solve steps", false, func(s *SweepValues) []int { return s.SolveSteps }, func(c *engine.Config, v int) { c.HMC.SolveSteps = v }},
	{"sample_steps", "HMC sample steps", false, func(s *SweepValues) []int { return s.SampleSteps }, func(c *engine.Config, v int) { c.HMC.SampleSteps = v }},
}

// planSweeps lists the runs of the sweeps suite. The CD parameters are
// swept only for CD configurations.
func planSweeps(c *SweepsConfig, rs map[string]*reps.Rep) []runSpec {
	var out []runSpec
	for base := range c.instances(rs) {
		for _, p := range sweepParams {
			if p.CDOnly && !usesCD(base.Cfg.Loss) {
				continue
			}
			for _, v := range p.values(&c.Sweep) {
				s := base
				p.set(&s.Cfg, v)
				s.Key = runKey(c.Suite, fmt.Sprintf("%s %s=%d", s.Label, p.Name, v), configHash(s.Cfg), s.Cfg.Seed)
				s.Param, s.Value, s.cost = p.Name, float64(v), estimateCost(s.Cfg, s.Rep)
				out = append(out, s)
			}
		}
	}
	return out
}

// resolveKernel returns the kernel path a configured name means here and
// its name (the configured one if it is not available).
func resolveKernel(name string) (kernels.Path, string, error) {
	if name == "fastest" {
		p, err := kernels.Calibrate("")
		return p, p.Name(), err
	}
	p, err := kernels.Lookup(name)
	if err != nil {
		return p, name, fmt.Errorf("kernel path %q is not available on this CPU or build (available: %s)", name, strings.Join(kernels.Available(), ", "))
	}
	return p, name, nil
}

// planEpochTime lists the timed configurations: the cross product, then
// the reference configurations of ReferenceSpeed not already in it, each on
// every configured kernel path.
func planEpochTime(c *EpochTimeConfig, reps map[string]*reps.Rep) []runSpec {
	type kpath struct {
		path kernels.Path
		name string
		err  error
	}
	var paths []kpath
	var names []string
	for _, k := range c.Kernels {
		if k == "available" {
			names = append(names, kernels.Available()...)
		} else {
			names = append(names, k)
		}
	}
	for _, k := range names {
		path, name, err := resolveKernel(k)
		dup := false
		for _, p := range paths {
			dup = dup || p.name == name
		}
		if !dup {
			paths = append(paths, kpath{path, name, err})
		}
	}
	var out []runSpec
	index := map[string]bool{}
	add := func(rn string, cfg engine.Config) {
		r := reps[rn]
		for _, p := range paths {
			lb := label(rn, cfg.Loss, cfg.Model, fmt.Sprintf("traj=%d", cfg.Trajectories), p.name)
			h := configHash(cfg, p.name, c.Warmup, c.Epochs, c.Repeats, c.MaxSeconds)
			key := runKey(c.Suite, lb, h, cfg.Seed)
			if index[key] {
				continue
			}
			index[key] = true
			s := runSpec{
				Key: key, Label: lb, Rep: r, Cfg: cfg, Kernel: p.name, kernelPath: p.path, KernelErr: p.err,
				timing: c, cost: estimateCost(cfg, r),
			}
			for j := range allSpeed {
				if matchesReference(cfg, r, &allSpeed[j]) {
					s.Ref = &allSpeed[j]
				}
			}
			out = append(out, s)
		}
	}
	base := func(rn, loss, model string, traj int) engine.Config {
		cfg := c.Train
		cfg.Rep, cfg.Loss, cfg.Model, cfg.Seed = rn, loss, model, c.Seed
		cfg.Trajectories = traj
		// a long schedule, timed in its second half so that the Newton
		// read-out is included (as engine/epoch_bench_test.go does)
		cfg.Epochs = 1 << 30
		cfg.Workers = 0
		// the loop the reference implementations run: every trajectory by
		// HMC (rgflow's axis trajectories are cheaper and would flatter the
		// ratios), the plain mean loss, a constant learning rate
		cfg.PublishedLoop()
		cfg.Output = engine.OutputConfig{}
		if model == engine.ModelMonotone && c.MonotoneActivation != "" {
			cfg.Network.Activation = c.MonotoneActivation
		}
		return cfg
	}
	for _, rn := range c.Reps {
		for _, loss := range c.Losses {
			for _, model := range c.Models {
				for _, traj := range c.Trajectories {
					add(rn, base(rn, loss, model, traj))
				}
			}
		}
	}
	if c.Reference {
		for i := range allSpeed {
			a := &allSpeed[i]
			cfg := base(a.Rep, a.Loss, a.Model, a.Trajectories)
			cfg.Network = anchorNetwork(cfg.Network, a, reps[a.Rep].C())
			if a.Loss == "cd" {
				cfg.CD = engine.CDConfig{Samples: a.Samples, KFine: a.KFine, KCoarse: a.KCoarse}
			}
			add(a.Rep, cfg)
		}
	}
	// the large representations' exact KL, on the assembly paths only (the
	// pure-Go one takes minutes an epoch at d = 6)
	asm := paths[:0:0]
	for _, p := range paths {
		if p.name != "generic" {
			asm = append(asm, p)
		}
	}
	all := paths
	paths = asm
	for _, rn := range c.LargeKL {
		add(rn, base(rn, "kl", "flow", c.LargeKLTraj))
	}
	paths = all
	return out
}

// anchorNetwork is the network rgflow runs for reference timing a: the
// anchor's depth and width (width a multiple of c), or the default.
func anchorNetwork(n engine.NetworkConfig, a *SpeedAnchor, c int) engine.NetworkConfig {
	n.Depth, n.Width = a.Depth, a.WidthPerC*c // 0, 0: depth c, width 16c
	return n
}

// matchesReference reports whether cfg (for rep) is the reference
// configuration a: its model and network (anchorNetwork) and, for CD, its
// sampler settings.
func matchesReference(cfg engine.Config, rep *reps.Rep, a *SpeedAnchor) bool {
	if canonRep(cfg.Rep) != canonRep(a.Rep) || cfg.Loss != a.Loss || cfg.Model != a.Model || cfg.Trajectories != a.Trajectories {
		return false
	}
	want := engine.DefaultConfig()
	want.Network = anchorNetwork(want.Network, a, rep.C())
	if fmt.Sprint(cfg.Layers(rep.C())) != fmt.Sprint(want.Layers(rep.C())) {
		return false
	}
	if usesCD(a.Loss) && cfg.CD != (engine.CDConfig{Samples: a.Samples, KFine: a.KFine, KCoarse: a.KCoarse}) {
		return false
	}
	return true
}

// repNames lists the representation names a suite uses.
func repNames(cfg Config) []string {
	var names []string
	switch c := cfg.(type) {
	case *DistConfig:
		names = c.Reps
	case *SweepsConfig:
		names = c.Reps
	case *BlockConfig:
		names = []string{c.Rep}
	case *EpochTimeConfig:
		names = append([]string(nil), c.Reps...)
		if c.Reference {
			for _, a := range allSpeed {
				if !contains(names, a.Rep) {
					names = append(names, a.Rep)
				}
			}
		}
		for _, n := range c.LargeKL {
			if !contains(names, n) {
				names = append(names, n)
			}
		}
	}
	return names
}
