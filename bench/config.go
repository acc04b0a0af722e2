package bench

import (
	"bytes"
	"fmt"
	"slices"
	"strings"

	"github.com/pelletier/go-toml/v2"

	"github.com/rgflow/rgflow/engine"
	"github.com/rgflow/rgflow/internal/inputfile"
)

// The suites.
const (
	EpochTime       = "epoch-time"
	BiasVsDimension = "bias-vs-dimension"
	KLvsCD          = "kl-vs-cd"
	Sweeps          = "sweeps"
	BiasVsBlock     = "bias-vs-block"
)

// Suites lists the suite names.
func Suites() []string { return []string{EpochTime, BiasVsDimension, KLvsCD, Sweeps, BiasVsBlock} }

// Config is one suite's configuration: *EpochTimeConfig, *DistConfig
// (bias-vs-dimension, kl-vs-cd), *SweepsConfig or *BlockConfig
// (bias-vs-block, blocks.go).
type Config interface {
	SuiteName() string
	Validate() error
	trainBase() *engine.Config
	smokeTest() bool
}

// LargeNetwork replaces the [train] network for representations with many
// couplings: the default network (depth c, width 16c) makes 2A1+E (c = 10)
// far too slow for many instances.
type LargeNetwork struct {
	MinC  int `toml:"min_c" comment:"applies to representations with at least this many couplings; 0: never"`
	Depth int `toml:"depth" comment:"hidden layers (0: keep [train.network])"`
	Width int `toml:"width" comment:"hidden units per layer (0: keep [train.network])"`
}

// DistConfig configures a suite that trains independent instances and
// compares the distributions of their critical-coupling estimates:
// bias-vs-dimension (seed Figs. 6, 8) and kl-vs-cd (seed Fig. 10). Every
// combination of reps × losses × models is trained with every seed.
type DistConfig struct {
	Suite              string       `toml:"suite"`
	Preset             string       `toml:"preset" comment:"a protocol preset (dlrg, hou-you; docs/presets.md), applied over the defaults before every other key: it sets [train], models, losses, coarse_mirrors, epochs, trajectories and max_trajectories, and turns large_network off"`
	Reps               []string     `toml:"reps" comment:"representations: built-in irreps sums or plugin names"`
	Losses             []string     `toml:"losses" comment:"kl, cd and/or cd-energy"`
	Models             []string     `toml:"models" comment:"flow and/or monotone"`
	CoarseMirrors      []string     `toml:"coarse_mirrors" comment:"coarse-block mirrors: axis and/or diagonal (diagonal only for representations with E and without B1, B2)"`
	Oracle             bool         `toml:"oracle" comment:"bias-vs-dimension and kl-vs-cd: set the exact variational map's critical values beside each representation and mirror (rgflow oracle; minutes for c > 5)"`
	Instances          int          `toml:"instances" comment:"independent trainings per combination, seeds seed, seed+1, …"`
	Seed               uint64       `toml:"seed"`
	Seeds              []uint64     `toml:"seeds" comment:"explicit seeds; if not empty they replace seed and instances"`
	Epochs             int          `toml:"epochs"`
	Trajectories       int          `toml:"trajectories" comment:"couplings per epoch; 0: 8·3^c capped at max_trajectories"`
	MaxTraj            int          `toml:"max_trajectories"`
	MonotoneActivation string       `toml:"monotone_activation" comment:"activation of monotone models; \"\": as [train.network] (the engine runs a ReLU monotone network with tanh)"`
	LargeNetwork       LargeNetwork `toml:"large_network"`
	// Train is the engine configuration every run starts from; the keys
	// above replace its rep, loss, model, seed, epochs, trajectories and
	// max_trajectories run by run.
	Train engine.Config `toml:"train,omitempty"`
	// SmokeTest marks -quick's configuration: its tables and figures say
	// that the numbers mean nothing.
	SmokeTest bool `toml:"smoke_test" comment:"set by -quick: a smoke test of every code path, whose numbers mean nothing (tables and figures say so)"`
}

// SweepValues are the hyperparameter values a sweeps suite tries, one
// parameter at a time (an empty list is not swept).
type SweepValues struct {
	CDSamples    []int `toml:"cd_samples" comment:"CD samples (seed Fig. 11)"`
	KFine        []int `toml:"k_fine" comment:"fine-block Gibbs steps (Fig. 11)"`
	KCoarse      []int `toml:"k_coarse" comment:"coarse-block Gibbs steps (Fig. 11)"`
	Trajectories []int `toml:"trajectories" comment:"HMC trajectories (Fig. 12)"`
	SolveSteps   []int `toml:"solve_steps" comment:"HMC leapfrog steps (Fig. 12)"`
	SampleSteps  []int `toml:"sample_steps" comment:"HMC sampling steps (Fig. 12)"`
}

// SweepsConfig varies one hyperparameter at a time with the others fixed at
// their [train] (and top-level) values (seed Figs. 11, 12).
type SweepsConfig struct {
	DistConfig
	Sweep SweepValues `toml:"sweep"`
}

// EpochTimeConfig times epochs of every combination of reps × losses ×
// models × trajectories × kernel paths (seed Fig. 9 generalised), plus the
// reference configurations of ReferenceSpeed (anchors.go).
type EpochTimeConfig struct {
	Suite              string        `toml:"suite"`
	Preset             string        `toml:"preset" comment:"a protocol preset (dlrg, hou-you; docs/presets.md), applied over the defaults before every other key: it sets [train], models and losses"`
	Reps               []string      `toml:"reps"`
	Losses             []string      `toml:"losses"`
	Models             []string      `toml:"models"`
	Trajectories       []int         `toml:"trajectories"`
	Kernels            []string      `toml:"kernels" comment:"kernel paths: available (every path this CPU runs), fastest (rgflow's per-kernel choice), or a path name (generic, avx2, avx512)"`
	Reference          bool          `toml:"reference" comment:"also time the reference configurations of bench/anchors.go (the seed's: default network, CD 512/32/1; Hou & You's: monotone 2×8c, CD 512/5/1)"`
	LargeKL            []string      `toml:"large_kl" comment:"representations whose exact-KL epoch is also timed, flow model, on the assembly paths only"`
	LargeKLTraj        int           `toml:"large_kl_trajectories" comment:"trajectories of the large_kl rows"`
	Seed               uint64        `toml:"seed"`
	Warmup             int           `toml:"warmup" comment:"untimed epochs before the first repeat"`
	Epochs             int           `toml:"epochs" comment:"timed epochs per repeat"`
	Repeats            int           `toml:"repeats"`
	MaxSeconds         float64       `toml:"max_seconds" comment:"stop repeating a configuration once its repeats took this long (at least 2 repeats; 0: no limit)"`
	MonotoneActivation string        `toml:"monotone_activation" comment:"activation of monotone models; \"\": as [train.network]"`
	Train              engine.Config `toml:"train,omitempty"`
	SmokeTest          bool          `toml:"smoke_test" comment:"set by -quick: a smoke test of every code path, whose numbers mean nothing (tables and figures say so)"`
}

func (c *DistConfig) SuiteName() string      { return c.Suite }
func (c *SweepsConfig) SuiteName() string    { return c.Suite }
func (c *EpochTimeConfig) SuiteName() string { return c.Suite }

func (c *DistConfig) smokeTest() bool      { return c.SmokeTest }
func (c *EpochTimeConfig) smokeTest() bool { return c.SmokeTest }

func (c *DistConfig) trainBase() *engine.Config      { return &c.Train }
func (c *SweepsConfig) trainBase() *engine.Config    { return &c.Train }
func (c *EpochTimeConfig) trainBase() *engine.Config { return &c.Train }

// Default is a suite's full configuration, sized for a 2-core machine
// (bench/README.md gives the expected run times).
func Default(suite string) (Config, error) {
	train := engine.DefaultConfig()
	train.Output = engine.OutputConfig{}
	switch suite {
	case EpochTime:
		return &EpochTimeConfig{
			Suite: suite, Reps: []string{"A1", "A1+E", "2A1+E"}, Losses: engine.Losses.Names(),
			Models: engine.Models.Names(), Trajectories: []int{24, 64, 256},
			Kernels: []string{"available", "fastest"}, Reference: true, Seed: 1,
			LargeKL: []string{"A1+2E", "2A1+2E"}, LargeKLTraj: 64,
			Warmup: 2, Epochs: 3, Repeats: 5, MaxSeconds: 30, Train: train,
		}, nil
	case BiasVsDimension:
		// d = 1 to 8: the exact KL to d = 6 (the representations beyond
		// it train with the contrastive divergence only), both losses
		return &DistConfig{
			Suite: suite, Reps: []string{"A1", "A1+E", "2A1+E", "A1+2E", "2A1+2E", "3A1+2E", "A1+3E", "2A1+3E"},
			Losses: []string{engine.LossKL, engine.LossCD}, Models: []string{engine.ModelFlow},
			CoarseMirrors: []string{"axis", "diagonal"}, Oracle: true, Instances: 10, Seed: 1, Seeds: []uint64{}, Epochs: 4000, MaxTraj: 128, LargeNetwork: LargeNetwork{MinC: 5, Depth: 3, Width: 64},
			Train: train,
		}, nil
	case KLvsCD:
		return &DistConfig{
			Suite: suite, Reps: []string{"A1"}, Losses: []string{engine.LossKL, engine.LossCD}, Models: []string{engine.ModelFlow},
			CoarseMirrors: []string{"axis"}, Oracle: true, Instances: 20, Seed: 1, Seeds: []uint64{}, Epochs: 3000, MaxTraj: 128, LargeNetwork: LargeNetwork{MinC: 5, Depth: 3, Width: 64},
			Train: train,
		}, nil
	case Sweeps:
		return &SweepsConfig{
			DistConfig: DistConfig{
				Suite: suite, Reps: []string{"A1"}, Losses: []string{engine.LossCD}, Models: []string{engine.ModelFlow},
				CoarseMirrors: []string{"axis"}, Instances: 8, Seed: 1, Seeds: []uint64{}, Epochs: 2000, Trajectories: 24, MaxTraj: 128, LargeNetwork: LargeNetwork{MinC: 5, Depth: 3, Width: 64},
				Train: train,
			},
			Sweep: SweepValues{
				CDSamples:    []int{32, 64, 128, 256, 512, 1024},
				KFine:        []int{1, 2, 4, 8, 16, 32, 64},
				KCoarse:      []int{1, 2, 4, 8, 16},
				Trajectories: []int{4, 8, 16, 24, 48, 96, 192},
				SolveSteps:   []int{1, 2, 4, 8, 16, 32, 64},
				SampleSteps:  []int{1, 2, 4, 8, 16},
			},
		}, nil
	case BiasVsBlock:
		return defaultBlocks(train), nil
	}
	return nil, unknownSuite(suite)
}

// Quick is a suite's smoke-test configuration: every code path, a few
// seconds in all.
func Quick(suite string) (Config, error) {
	cfg, err := Default(suite)
	if err != nil {
		return nil, err
	}
	quicken(cfg)
	return cfg, nil
}

// quicken cuts a suite's configuration to its quick variant.
func quicken(cfg Config) {
	switch c := cfg.(type) {
	case *EpochTimeConfig:
		c.SmokeTest = true
		c.Reps, c.Trajectories = []string{"A1"}, []int{24}
		c.Reference = false
		c.LargeKL = []string{}
		c.Warmup, c.Epochs, c.Repeats, c.MaxSeconds = 1, 2, 2, 5
		c.Train.CD.Samples = 64
	case *SweepsConfig:
		c.SmokeTest = true
		c.Instances, c.Epochs, c.Trajectories = 2, 30, 8
		c.Train.CD.Samples, c.Train.CD.KFine = 32, 4
		c.Train.HMC.SolveSteps = 4
		c.Sweep = SweepValues{
			CDSamples: []int{16, 32}, KFine: []int{2, 4}, KCoarse: []int{1, 2},
			Trajectories: []int{4, 8}, SolveSteps: []int{2, 4}, SampleSteps: []int{1, 2},
		}
	case *DistConfig:
		c.SmokeTest = true
		c.Instances, c.Epochs, c.Trajectories = 3, 40, 16
		c.LargeNetwork = LargeNetwork{MinC: 5, Depth: 2, Width: 16}
		c.Train.CD.Samples, c.Train.CD.KFine = 32, 4
		c.Train.HMC.SolveSteps = 4
		if c.Suite == BiasVsDimension {
			c.Reps = []string{"A1", "A1+E"}
		}
	case *BlockConfig:
		c.quicken()
	}
}

// ApplyPreset sets the named protocol preset (engine.Presets; "" is none)
// on a suite's configuration: its engine keys on [train], and the suite's
// own keys that would override them — the models, losses and coarse
// mirrors (the preset's one each), epochs, trajectories and
// max_trajectories — from them; the
// large-network substitution and the monotone activation are turned off,
// since the preset gives the network.
func ApplyPreset(cfg Config, name string) error {
	if name == "" {
		return nil
	}
	t := cfg.trainBase()
	if err := t.ApplyPreset(name); err != nil {
		return err
	}
	setPresetName(cfg, name)
	dist := func(c *DistConfig) {
		c.Models, c.Losses, c.CoarseMirrors = []string{t.Model}, []string{t.Loss}, []string{t.CoarseMirror}
		c.Epochs, c.Trajectories, c.MaxTraj = t.Epochs, t.Trajectories, t.MaxTraj
		c.LargeNetwork, c.MonotoneActivation = LargeNetwork{}, ""
	}
	switch c := cfg.(type) {
	case *DistConfig:
		dist(c)
	case *SweepsConfig:
		dist(&c.DistConfig)
	case *EpochTimeConfig:
		c.Models, c.Losses = []string{t.Model}, []string{t.Loss}
		c.MonotoneActivation = ""
	case *BlockConfig:
		c.Epochs, c.Trajectories, c.MaxTraj = t.Epochs, t.Trajectories, t.MaxTraj
	}
	return nil
}

// setPresetName records the preset a configuration was built with.
func setPresetName(cfg Config, name string) {
	cfg.trainBase().Preset = name
	switch c := cfg.(type) {
	case *DistConfig:
		c.Preset = name
	case *SweepsConfig:
		c.Preset = name
	case *EpochTimeConfig:
		c.Preset = name
	case *BlockConfig:
		c.Preset = name
	}
}

// MaxInstances bounds instances (and seeds, and epoch-time's repeats): a
// plan is held in memory, run by run.
const MaxInstances = 100000

// KernelNames are the names kernels may list: "available" (every kernel
// path this CPU and build run, each a row), "fastest" (the choice rgflow
// makes when RGFLOW_KERNELS is unset: each kernel on its own, calibrated;
// a row of its own only where it differs from every path's) and every
// kernel path of any build; a path this CPU or build lacks is a failed
// run, a name that is none of these an error.
var KernelNames = []string{"available", "fastest", "generic", "avx2", "avx512"}

func unknownSuite(s string) error {
	return fmt.Errorf("unknown suite %q (suites: %s)", s, strings.Join(Suites(), ", "))
}

// runKeys are the engine keys a suite sets run by run; [train] must not
// set them.
var runKeys = map[string]string{
	"rep": "reps", "loss": "losses", "model": "models", "seed": "seed", "epochs": "epochs",
	"trajectories": "trajectories", "max_trajectories": "max_trajectories",
	"workers": "", "output": "", "preset": "preset",
}

// Load reads a suite's TOML file over its defaults (or over its quick
// configuration). Unknown keys, bad values and keys the suite sets itself
// are errors naming the key.
func Load(suite, path string, quick bool) (Config, error) { return Configure(suite, path, quick, "") }

// Configure builds a suite's configuration in the order: its defaults; the
// preset (preset, or else the file's key "preset"); the quick variant's
// cuts (quick); the keys of the TOML file at path ("" for none), which
// override everything before them.
func Configure(suite, path string, quick bool, preset string) (Config, error) {
	cfg, err := Default(suite)
	if err != nil {
		return nil, err
	}
	var data []byte
	if path != "" {
		if data, err = inputfile.Read(path, inputfile.ConfigLimit); err != nil {
			return nil, fmt.Errorf("cannot read config: %v", err)
		}
	}
	in := func(err error) error {
		if path == "" {
			return err
		}
		return fmt.Errorf("config %s: %v", path, err)
	}
	if preset == "" && data != nil {
		if preset, err = engine.PeekPreset(data); err != nil {
			return nil, in(err)
		}
	}
	if err := ApplyPreset(cfg, preset); err != nil {
		return nil, in(err)
	}
	if quick {
		quicken(cfg)
	}
	if data == nil {
		return cfg, cfg.Validate()
	}
	if err := decode(data, cfg); err != nil {
		return nil, in(err)
	}
	if preset != "" { // a -preset replaces the file's key, which named another
		setPresetName(cfg, preset)
	}
	return cfg, nil
}

// Decode decodes TOML over cfg (which holds the defaults) and validates it;
// a preset the TOML names is applied to cfg first, under the TOML's other
// keys.
func Decode(data []byte, cfg Config) error {
	name, err := engine.PeekPreset(data)
	if err != nil {
		return err
	}
	if err := ApplyPreset(cfg, name); err != nil {
		return err
	}
	return decode(data, cfg)
}

func decode(data []byte, cfg Config) error {
	suite := cfg.SuiteName()
	// First the raw tables, to refuse [train] keys the suite owns.
	var raw map[string]any
	if err := toml.Unmarshal(data, &raw); err != nil {
		return engine.TOMLError(data, cfg, err)
	}
	if tr, ok := raw["train"].(map[string]any); ok {
		owned := ownedKeys(cfg)
		var bad []string
		for k := range tr {
			if _, own := owned[k]; own {
				bad = append(bad, k)
			}
		}
		if len(bad) > 0 {
			k := slices.Min(bad) // the first in order, so the message is stable
			if top := owned[k]; top != "" {
				return fmt.Errorf("key \"train.%s\" is set by the suite; use the top-level key %q", k, top)
			}
			return fmt.Errorf("key \"train.%s\" is set by the suite and cannot be configured", k)
		}
	}
	dec := toml.NewDecoder(bytes.NewReader(data))
	dec.DisallowUnknownFields()
	if err := dec.Decode(cfg); err != nil {
		return engine.TOMLError(data, cfg, err)
	}
	if s := cfg.SuiteName(); s != suite {
		return fmt.Errorf("key \"suite\" is %q but this is the %s suite", s, suite)
	}
	return cfg.Validate()
}

// Encode writes the configuration as TOML that Decode reads back: the
// suite's keys, then [train] without the keys the suite sets.
func Encode(cfg Config) ([]byte, error) {
	train := *cfg.trainBase()
	var top []byte
	var err error
	switch c := cfg.(type) {
	case *DistConfig:
		cp := *c
		cp.Train = engine.Config{}
		top, err = toml.Marshal(&cp)
	case *SweepsConfig:
		cp := *c
		cp.Train = engine.Config{}
		top, err = toml.Marshal(&cp)
	case *EpochTimeConfig:
		cp := *c
		cp.Train = engine.Config{}
		top, err = toml.Marshal(&cp)
	case *BlockConfig:
		cp := *c
		cp.Train = engine.Config{}
		top, err = toml.Marshal(&cp)
	default:
		return nil, fmt.Errorf("bench: unknown configuration type %T", cfg)
	}
	if err != nil {
		return nil, err
	}
	tb, err := toml.Marshal(&train)
	if err != nil {
		return nil, err
	}
	var m map[string]any
	if err := toml.Unmarshal(tb, &m); err != nil {
		return nil, err
	}
	for k := range ownedKeys(cfg) {
		delete(m, k)
	}
	tt, err := toml.Marshal(map[string]any{"train": m})
	if err != nil {
		return nil, err
	}
	var b bytes.Buffer
	fmt.Fprintf(&b, "# rgflow bench %s: the configuration that produced these results.\n", cfg.SuiteName())
	fmt.Fprintf(&b, "# Re-run with: rgflow bench %s -config config.toml\n\n", cfg.SuiteName())
	b.Write(top)
	b.WriteString("\n# The engine configuration every run starts from (rgflow train's keys).\n")
	b.Write(tt)
	return b.Bytes(), nil
}

// ---------------------------------------------------------------------------
// Validation

func checkNames(key string, list []string, allowed ...string) error {
	if len(list) == 0 {
		return fmt.Errorf("%s must list at least one value", key)
	}
	seen := map[string]bool{}
	for _, v := range list {
		if strings.TrimSpace(v) == "" {
			return fmt.Errorf("%s has an empty entry", key)
		}
		if len(allowed) > 0 && !contains(allowed, v) {
			return fmt.Errorf("%s: %q is not one of %s", key, v, strings.Join(allowed, ", "))
		}
		c := v
		if key == "reps" {
			c = canonRep(v)
		}
		if seen[c] {
			return fmt.Errorf("%s lists %q twice", key, v)
		}
		seen[c] = true
	}
	return nil
}

func checkInts(key string, list []int, min int, required bool) error {
	if required && len(list) == 0 {
		return fmt.Errorf("%s must list at least one value", key)
	}
	seen := map[int]bool{}
	for _, v := range list {
		if v < min {
			return fmt.Errorf("%s: %d is less than %d", key, v, min)
		}
		if seen[v] {
			return fmt.Errorf("%s lists %d twice", key, v)
		}
		seen[v] = true
	}
	return nil
}

func contains[T comparable](s []T, v T) bool {
	for _, x := range s {
		if x == v {
			return true
		}
	}
	return false
}

func checkActivation(a string) error {
	if a == "" {
		return nil
	}
	if _, err := engine.ParseActivation(a); err != nil {
		return fmt.Errorf("monotone_activation: %v", err)
	}
	return nil
}

func checkTrain(t *engine.Config) error {
	if err := t.Validate(); err != nil {
		return fmt.Errorf("train: %v", err)
	}
	if engine.IsPluginBlock(t.Block) {
		return fmt.Errorf("train: block %s: the bench suites take the built-in blocks (plaquette, free:LxM, torus:LxM); train a block plugin's with rgflow train", t.Block)
	}
	return nil
}

// checkCombos checks the lists whose cross product a suite runs: the
// representations, and the losses and models, which the engine must have.
func checkCombos(reps, losses, models []string) error {
	if err := checkNames("reps", reps); err != nil {
		return err
	}
	if err := checkNames("losses", losses, engine.Losses.Names()...); err != nil {
		return err
	}
	return checkNames("models", models, engine.Models.Names()...)
}

// Validate checks every key and names the first bad one.
func (c *DistConfig) Validate() error {
	if err := checkCombos(c.Reps, c.Losses, c.Models); err != nil {
		return err
	}
	if len(c.CoarseMirrors) == 0 {
		return fmt.Errorf("coarse_mirrors must name at least one mirror (%s)", engine.Mirrors.Help())
	}
	for _, m := range c.CoarseMirrors {
		if err := engine.Mirrors.Check(m); err != nil {
			return fmt.Errorf("coarse_mirrors: %v", err)
		}
	}
	if len(c.Seeds) == 0 && c.Instances < 1 {
		return fmt.Errorf("instances must be at least 1 (got %d)", c.Instances)
	}
	if n := max(c.Instances, len(c.Seeds)); n > MaxInstances {
		return fmt.Errorf("instances must be at most %d (got %d)", MaxInstances, n)
	}
	seen := map[uint64]bool{}
	for _, s := range c.Seeds {
		if seen[s] {
			return fmt.Errorf("seeds lists %d twice", s)
		}
		seen[s] = true
	}
	switch {
	case c.Epochs < 1:
		return fmt.Errorf("epochs must be at least 1 (got %d)", c.Epochs)
	case c.Trajectories < 0:
		return fmt.Errorf("trajectories must be positive (or 0 for 8·3^c) (got %d)", c.Trajectories)
	case c.MaxTraj < 1:
		return fmt.Errorf("max_trajectories must be at least 1 (got %d)", c.MaxTraj)
	case c.LargeNetwork.MinC < 0 || c.LargeNetwork.Depth < 0 || c.LargeNetwork.Width < 0:
		return fmt.Errorf("large_network: min_c, depth and width must be 0 or more")
	}
	if err := checkActivation(c.MonotoneActivation); err != nil {
		return err
	}
	return checkTrain(&c.Train)
}

// seeds lists the seeds of the instances.
func (c *DistConfig) seeds() []uint64 {
	if len(c.Seeds) > 0 {
		return c.Seeds
	}
	out := make([]uint64, c.Instances)
	for i := range out {
		out[i] = c.Seed + uint64(i)
	}
	return out
}

// Validate checks every key and names the first bad one.
func (c *SweepsConfig) Validate() error {
	if err := c.DistConfig.Validate(); err != nil {
		return err
	}
	s := c.Sweep
	for _, l := range []struct {
		key  string
		vals []int
		min  int
	}{
		{"sweep.cd_samples", s.CDSamples, 1}, {"sweep.k_fine", s.KFine, 1}, {"sweep.k_coarse", s.KCoarse, 1},
		{"sweep.trajectories", s.Trajectories, 1}, {"sweep.solve_steps", s.SolveSteps, 1}, {"sweep.sample_steps", s.SampleSteps, 0},
	} {
		if err := checkInts(l.key, l.vals, l.min, false); err != nil {
			return err
		}
	}
	if len(s.CDSamples)+len(s.KFine)+len(s.KCoarse)+len(s.Trajectories)+len(s.SolveSteps)+len(s.SampleSteps) == 0 {
		return fmt.Errorf("sweep must list values for at least one parameter")
	}
	return nil
}

// Validate checks every key and names the first bad one.
func (c *EpochTimeConfig) Validate() error {
	if err := checkCombos(c.Reps, c.Losses, c.Models); err != nil {
		return err
	}
	if err := checkInts("trajectories", c.Trajectories, 1, true); err != nil {
		return err
	}
	if len(c.LargeKL) > 0 {
		if err := checkNames("large_kl", c.LargeKL); err != nil {
			return err
		}
		if c.LargeKLTraj < 1 {
			return fmt.Errorf("large_kl_trajectories must be at least 1 (got %d)", c.LargeKLTraj)
		}
	}
	if err := checkNames("kernels", c.Kernels, KernelNames...); err != nil {
		return err
	}
	switch {
	case c.Warmup < 0:
		return fmt.Errorf("warmup must be 0 or more (got %d)", c.Warmup)
	case c.Epochs < 1:
		return fmt.Errorf("epochs must be at least 1 (got %d)", c.Epochs)
	case c.Repeats < 1 || c.Repeats > MaxInstances:
		return fmt.Errorf("repeats must be between 1 and %d (got %d)", MaxInstances, c.Repeats)
	case c.Warmup > engine.MaxSteps || c.Epochs > engine.MaxSteps:
		return fmt.Errorf("warmup and epochs must be at most %g (got %d, %d)", float64(engine.MaxSteps), c.Warmup, c.Epochs)
	case !(c.MaxSeconds >= 0):
		return fmt.Errorf("max_seconds must be 0 or more (got %v)", c.MaxSeconds)
	}
	if err := checkActivation(c.MonotoneActivation); err != nil {
		return err
	}
	return checkTrain(&c.Train)
}
