package engine

import (
	"github.com/rgflow/rgflow/engine/geometry"
	"github.com/rgflow/rgflow/internal/inputfile"
	"github.com/rgflow/rgflow/internal/quote"

	"fmt"
	"math"
	"path/filepath"
	"slices"
	"strconv"
	"strings"

	"github.com/pelletier/go-toml/v2"
)

// Config is one experiment, as written in a TOML file. Every field has a
// default (DefaultConfig); zero means "automatic" where the comment says so.
// Its JSON form (checkpoints, training summaries, the bench suites'
// runs.jsonl) uses the TOML key names; UnmarshalJSON also reads the Go
// field names that checkpoints written before used.
type Config struct {
	// Preset names a protocol (Presets: "dlrg", "hou-you"; docs/presets.md)
	// whose keys are set over the defaults before every other key of the
	// file and the command line, which therefore override it.
	Preset string `toml:"preset" json:"preset" comment:"a protocol preset, applied over the defaults before every other key: dlrg or hou-you (docs/presets.md); \"\": none"`
	Rep    string `toml:"rep" json:"rep" comment:"on-site representation: an irreps sum (A1, A1+E, 2A1+E, …; built in), a plugin's name, or plugin:NAME / plugin:PATH for a plugin even where a built-in exists"`
	Loss   string `toml:"loss" json:"loss" comment:"kl (the exact KL divergence), cd (contrastive divergence) or cd-energy (Hou & You's contrastive divergence, docs/presets.md)"`
	Model  string `toml:"model" json:"model" comment:"flow (J′ = J + f(J)) or monotone (J′ = J − ∇C(J))"`
	// LossScale "log" trains on the mean of log(KL + ε), ε = loss_floor
	// (1e-4) of the batch's mean KL, instead of the mean KL (exact KL only): the
	// minimiser at each J is the same, but points whose KL is small — weak
	// couplings, the physical axis below J_c — are not drowned by those
	// whose KL is large.
	//
	// "auto" is log for the exact KL with the flow model, linear otherwise:
	// the monotone model's tanh units are global (each one's sech² bump
	// moves f along the whole axis), and the log loss's weights, up to 10⁴
	// for weak couplings, then pull its map at the critical fixed point
	// off the exact one (docs/training.md, "The monotone model for A1").
	LossScale string `toml:"loss_scale" json:"loss_scale" comment:"auto (log for the exact KL with the flow model, linear for the monotone model and CD), linear (the mean divergence) or log (the mean log KL; exact KL only)"`
	// LossFloor is ε of the log loss as a fraction of the batch's mean KL:
	// below it a trajectory's weight stops growing. Points whose KL is far
	// below the mean (2A1+E's weak couplings: 10⁻⁶–10⁻⁹ against 0.1) need
	// a lower floor to count.
	LossFloor    float64 `toml:"loss_floor" json:"loss_floor" comment:"log loss: ε of log(KL + ε) as a fraction of the batch's mean KL, in (0, 1]"`
	CoarseMirror string  `toml:"coarse_mirror" json:"coarse_mirror" comment:"the coarse block's mirror: axis (K′ = K(J′), the published convention) or diagonal (K′ = U K(J′) Uᵀ; docs/conventions.md §12)"`
	// Bonds is the bond convention (Bonds, mirror.go): "rotated", rgflow's
	// (docs/conventions.md §4), or "unrotated", the seed's reference code's.
	Bonds        string  `toml:"bonds" json:"bonds" comment:"rotated (a bond in direction r carries R^r K Rᵀ^r; docs/conventions.md §4) or unrotated (every bond carries K(J), the coarse centre the source: the seed's dlrg code, which breaks the rotation symmetry; docs/presets.md)"`
	Block        string  `toml:"block" json:"block" comment:"the block geometry (docs/conventions.md §14): plaquette (the published single block), free:LxM or torus:LxM (L×M coarse sites, free or periodic boundary), or plugin:NAME / plugin:PATH (a block plugin); the KL is per coarse site"`
	Shells       int     `toml:"shells" json:"shells" comment:"coupling shells of the hidden–visible bonds: 1 (nearest) or 2 (adds the √5/2 shell; one-spin representations on patches of two or more plaquettes); c is the representation's couplings times the shells"`
	Epochs       int     `toml:"epochs" json:"epochs" comment:"training epochs; a root is recorded in each epoch of the second half"`
	Trajectories int     `toml:"trajectories" json:"trajectories" comment:"couplings per epoch; 0: 8·3^c capped at max_trajectories"`
	MaxTraj      int     `toml:"max_trajectories" json:"max_trajectories" comment:"the cap of trajectories = 0"`
	Seed         uint64  `toml:"seed" json:"seed" comment:"random seed: the same seed and configuration give the same numbers, bit for bit"`
	Workers      int     `toml:"workers" json:"workers" comment:"goroutines for the divergence; 0: one per CPU (the results do not depend on it)"`
	InitScale    float64 `toml:"init_scale" json:"init_scale" comment:"trajectories start as N(0, init_scale²); at most 100"`
	// WarmStart starts the network from the exact variational map
	// (docs/conventions.md §13): "exact-step" sets the output bias to the
	// exact map's step M(J) − J at the axis point (newton.start, 0, …, 0),
	// which puts the network on one branch of the gauge images; "exact-map"
	// first fits the network to M(J) on warm_start_points couplings.
	WarmStart       string `toml:"warm_start" json:"warm_start" comment:"none, exact-step (output bias from the exact map's step at one axis point) or exact-map (fit to the exact map first)"`
	WarmStartPoints int    `toml:"warm_start_points" json:"warm_start_points" comment:"exact-map: couplings the network is first fitted on (half N(0, init_scale²), half on the physical axis); at most 100000"`
	WarmStartEpochs int    `toml:"warm_start_epochs" json:"warm_start_epochs" comment:"exact-map: full-batch Adam steps of the fit; at most 1000000"`

	Network   NetworkConfig   `toml:"network" json:"network" comment:"the network f_θ (or C_θ for model = monotone)"`
	HMC       HMCConfig       `toml:"hmc" json:"hmc" comment:"the sampler of the couplings (docs/conventions.md §10)"`
	Optimizer OptimizerConfig `toml:"optimizer" json:"optimizer" comment:"Adam"`
	CD        CDConfig        `toml:"cd" json:"cd" comment:"contrastive divergence (loss = cd only)"`
	Newton    NewtonConfig    `toml:"newton" json:"newton" comment:"the critical-point read-out: Newton's method on the learned flow"`
	Output    OutputConfig    `toml:"output" json:"output,omitzero" comment:"files the run writes; \"\": none"`
}

// NetworkConfig shapes the network.
type NetworkConfig struct {
	Depth      int    `toml:"depth" json:"depth" comment:"hidden layers; 0: c"`
	Width      int    `toml:"width" json:"width" comment:"hidden units per layer; 0: 16·c"`
	Activation string `toml:"activation" json:"activation" comment:"relu, silu or tanh"`
	// HiddenByC gives the hidden widths for a number of couplings c (the
	// key, in decimal) when depth and width are both 0: Hou & You's
	// networks differ from one representation to the next.
	HiddenByC map[string][]int `toml:"hidden_by_c" json:"hidden_by_c,omitempty" comment:"hidden widths by the number of couplings c, used when depth and width are both 0 (e.g. 1 = [6, 12, 8])"`
	// LayerNorm normalises every hidden layer's pre-activation
	// (layernorm.go): Linear → LayerNorm → activation.
	LayerNorm bool `toml:"layer_norm" json:"layer_norm" comment:"normalise every hidden layer: Linear → LayerNorm → activation (Hou & You)"`
	// InputScale s: the network sees s·J and its map is scaled back,
	// J′ = x′/s (units.go; Hou & You's J_theirs = 2J: s = 2). Couplings in
	// every output stay in rgflow's units.
	InputScale float64 `toml:"input_scale" json:"input_scale" comment:"the network sees input_scale·J and its map J′ is scaled back (Hou & You's units: 2); every output stays in rgflow's units"`
}

// HMCConfig is the coupling sampler (docs/conventions.md §10).
type HMCConfig struct {
	Dt          float64 `toml:"dt" json:"dt" comment:"leapfrog step, in (0, 1]"`
	SolveSteps  int     `toml:"solve_steps" json:"solve_steps" comment:"leapfrog steps per proposal"`
	SampleSteps int     `toml:"sample_steps" json:"sample_steps" comment:"proposals per epoch, each with a Metropolis test; 0: the trajectories stay where they are"`
	BetaT       float64 `toml:"beta" json:"beta" comment:"final inverse temperature β_T of U(J) = β‖f(J)‖²"`
	Center      float64 `toml:"anneal_center" json:"anneal_center" comment:"fraction of the epochs where β reaches half of beta"`
	Sharpness   float64 `toml:"anneal_sharpness" json:"anneal_sharpness" comment:"steepness of the logistic annealing of β"`
	// AxisFraction of the trajectories are not HMC chains but points drawn
	// afresh each epoch on the learned flow from the physical axis:
	// (J_0, 0, …, 0) with J_0 uniform in [0, axis_max], carried n steps
	// along the network's own map, n uniform in 0…axis_steps. They teach
	// the map where the physical-axis read-out needs it — from the axis to
	// the critical manifold — and not only where |f| is small.
	AxisFraction float64 `toml:"axis_fraction" json:"axis_fraction" comment:"fraction of the trajectories drawn on the learned flow from the physical axis instead of by HMC (0: none), in [0, 1]"`
	AxisMax      float64 `toml:"axis_max" json:"axis_max" comment:"axis points have J_0 uniform in [0, axis_max]; at most 100"`
	AxisSteps    int     `toml:"axis_steps" json:"axis_steps" comment:"axis points are carried up to this many steps along the learned map; at most 1000"`
	// Potential is the HMC energy's form (Potentials): "square", U = β‖f‖²
	// (the seed's), or "norm", U = β‖f‖ (Hou & You's).
	Potential string `toml:"potential" json:"potential" comment:"the HMC energy: square (U = β‖f‖², the seed's) or norm (U = β‖f‖, Hou & You's)"`
	// Redraw draws the HMC trajectories afresh from N(0, init_scale²) at
	// the start of every epoch, before the HMC proposals (Hou & You's A1
	// training: no proposals, sample_steps = 0).
	Redraw bool `toml:"redraw" json:"redraw" comment:"draw the trajectories afresh from N(0, init_scale²) every epoch, before the sample_steps proposals"`
}

// OptimizerConfig is Adam's.
type OptimizerConfig struct {
	LR    float64 `toml:"lr" json:"lr" comment:"learning rate"`
	Beta1 float64 `toml:"beta1" json:"beta1" comment:"decay of the first moment, in [0, 1)"`
	Beta2 float64 `toml:"beta2" json:"beta2" comment:"decay of the second moment, in [0, 1)"`
	Eps   float64 `toml:"eps" json:"eps" comment:"added to the root of the second moment"`
	// Schedule of the learning rate over the epochs: "constant", or
	// "cosine" from lr down to lr·final_lr_fraction.
	Schedule        string  `toml:"schedule" json:"schedule" comment:"learning-rate schedule: constant or cosine (from lr to lr·final_lr_fraction)"`
	FinalLRFraction float64 `toml:"final_lr_fraction" json:"final_lr_fraction" comment:"the cosine schedule's last learning rate over lr, in (0, 1]"`
}

// CDConfig is the contrastive divergence's.
type CDConfig struct {
	Samples int `toml:"samples" json:"samples" comment:"Gibbs chains per trajectory"`
	KFine   int `toml:"k_fine" json:"k_fine" comment:"block-Gibbs sweeps of the fine block from a uniform start"`
	KCoarse int `toml:"k_coarse" json:"k_coarse" comment:"block-Gibbs sweeps of the coarse block after them"`
}

// NewtonConfig controls the critical-point read-out.
type NewtonConfig struct {
	Start   float64 `toml:"start" json:"start" comment:"J_0 of the starting point (others 0)"`
	Tol     float64 `toml:"tol" json:"tol" comment:"convergence: ‖f(J)‖ below this, in (0, 1)"`
	MaxIter int     `toml:"max_iter" json:"max_iter" comment:"iterations before Newton gives up"`
	Every   int     `toml:"every" json:"every" comment:"record a root every this many epochs over the second half"`
	// Step is the Newton step's size: 1, full steps halved until ‖f‖
	// decreases; below 1, fixed steps of that fraction of the Newton step
	// (Hou & You's Newton_step, 0.1), until the full step is below tol.
	Step float64 `toml:"step" json:"step" comment:"1: full Newton steps, halved until |f| decreases; below 1: fixed steps of this fraction of the Newton step (Hou & You: 0.1), in (0, 1]"`
	// StartByC gives the whole starting point for a number of couplings c
	// (the key, in decimal), instead of (start, 0, …, 0).
	StartByC map[string][]float64 `toml:"start_by_c" json:"start_by_c,omitempty" comment:"the whole starting point by the number of couplings c, instead of (start, 0, …, 0) (e.g. 5 = [0.8, 0, 0, 0.8, 0.8])"`
}

// OutputConfig names the files a run writes ("" = none).
type OutputConfig struct {
	JSON            string `toml:"json" json:"json" comment:"the summary, the configuration and the per-epoch history as JSON (docs/formats.md); \"-\": standard output"`
	Checkpoint      string `toml:"checkpoint" json:"checkpoint" comment:"the trained state, saved periodically, at the end and on an interruption (rgflow train -resume FILE continues it)"`
	CheckpointEvery int    `toml:"checkpoint_every" json:"checkpoint_every" comment:"epochs between checkpoints; 0: every 10 seconds of training; -1: only at the end and on an interruption"`
	Plot            string `toml:"plot" json:"plot" comment:"figure of the learned flow and the training history, .png or .svg"`
}

// DefaultConfig is the seed's set-up (A1, exact KL, flow, ReLU, HMC and
// Adam as in docs/conventions.md §10) with three changes that make exact-KL
// training reach the exact variational map for c > 1 (docs/training.md):
// the mean log KL as the loss, a quarter of the trajectories on the learned
// flow from the physical axis, and a cosine learning-rate schedule.
func DefaultConfig() Config {
	return Config{
		Rep: "A1", Loss: LossKL, Model: ModelFlow, CoarseMirror: "axis", LossScale: "auto", LossFloor: 1e-4, Bonds: BondsRotated,
		Block: geometry.PlaquetteName, Shells: 1,
		Epochs: 3000, MaxTraj: 1024, Seed: 1, InitScale: 1, WarmStart: "none", WarmStartPoints: 256, WarmStartEpochs: 1000,
		Network:   NetworkConfig{Activation: "relu", InputScale: 1},
		HMC:       HMCConfig{Dt: 0.001, SolveSteps: 32, SampleSteps: 1, BetaT: 16, Center: 0.25, Sharpness: 16, AxisFraction: 0.25, AxisMax: 1.6, AxisSteps: 8, Potential: "square"},
		Optimizer: OptimizerConfig{LR: 1e-3, Beta1: 0.9, Beta2: 0.999, Eps: 1e-8, Schedule: "cosine", FinalLRFraction: 0.01},
		CD:        CDConfig{Samples: 512, KFine: 32, KCoarse: 1},
		Newton:    NewtonConfig{Start: 0.8, Tol: 1e-10, MaxIter: 50, Every: 1, Step: 1},
	}
}

// LoadConfig reads a TOML file over the defaults (and the preset the file
// names). Unknown keys, values of the wrong type and values out of range
// are errors naming the key.
func LoadConfig(path string) (Config, error) { return LoadConfigPreset(path, "") }

// LoadConfigPreset is LoadConfig with preset (if not "") applied instead of
// the one the file names: the order is the defaults, the preset, the
// file's keys — as for a command-line -preset, which replaces the file's
// preset key and is overridden by its other keys.
func LoadConfigPreset(path, preset string) (Config, error) {
	cfg := DefaultConfig()
	data, err := inputfile.Read(path, inputfile.ConfigLimit)
	if err != nil {
		return cfg, fmt.Errorf("cannot read config: %v", err)
	}
	if err := decodeConfig(data, &cfg, preset); err != nil {
		return cfg, fmt.Errorf("config %s: %v", path, err)
	}
	return cfg, nil
}

// DecodeConfig decodes TOML into cfg (which holds the defaults) and
// validates the result. A preset the TOML names is applied to cfg first,
// so that the TOML's other keys override it.
func DecodeConfig(data []byte, cfg *Config) error { return decodeConfig(data, cfg, "") }

func decodeConfig(data []byte, cfg *Config, preset string) error {
	if preset == "" {
		var err error
		if preset, err = PeekPreset(data); err != nil {
			return err
		}
	}
	if err := cfg.ApplyPreset(preset); err != nil {
		return err
	}
	if err := DecodeTOML(data, cfg); err != nil {
		return err
	}
	if preset != "" {
		cfg.Preset = preset // a -preset replaces the file's key
	}
	return cfg.Validate()
}

// PeekPreset returns the top-level key "preset" of a TOML document ("" if
// it has none), reading nothing else.
func PeekPreset(data []byte) (string, error) {
	var head struct {
		Preset string `toml:"preset"`
	}
	if err := toml.Unmarshal(data, &head); err != nil {
		return "", TOMLError(data, &head, err)
	}
	return head.Preset, nil
}

// ApplyPreset sets the keys of the named preset (Presets; "" is none) on c
// and records its name.
func (c *Config) ApplyPreset(name string) error {
	if name == "" {
		return nil
	}
	p, ok := Presets.Lookup(name)
	if !ok {
		return Presets.Check(name)
	}
	p(c)
	c.Preset = name
	return nil
}

// ConfigError is a bad value of one configuration key: Key is its TOML
// name ("hmc.dt"), Problem what is wrong ("must be a positive number").
type ConfigError struct {
	Key, Problem string
	Value        any // the value given; nil if there is none to show
}

func (e *ConfigError) Error() string {
	if e.Value == nil {
		return e.Key + " " + e.Problem
	}
	return fmt.Sprintf("%s %s (got %v)", e.Key, e.Problem, e.Value)
}

// The ranges of the numeric keys beyond which a value is refused: past
// them a run either means nothing physically or loses its numbers to
// rounding (docs/formats.md lists them).
const (
	MaxInitScale = 100  // couplings of |J| ≫ J_c ≈ 0.76 are deep in the ordered phase
	MaxWorkers   = 4096 // goroutines of the divergence
	MaxSteps     = 1e6  // hmc.solve_steps, hmc.sample_steps, cd.k_fine, cd.k_coarse, newton.max_iter
	MaxBeta      = 1e6  // hmc.beta
	MaxNewtonJ   = 100  // |newton.start|
	MaxCoupling  = 1e6  // |J| of a coupling given on the command line (eval, oracle -start)
	MaxLR        = 10   // optimizer.lr
	MaxAnneal    = 100  // |hmc.anneal_center|
	MaxSharpness = 1e6  // hmc.anneal_sharpness
	MaxDt        = 1    // hmc.dt
	MaxEpochs    = 1e12 // epochs (far beyond any run; the memory check refuses much less)
	// MaxDepth is the most hidden layers a network may have (network.depth,
	// a list of network.hidden_by_c): every layer costs a pass of its own
	// in each of HMC's leapfrog steps, some 2 µs whatever its width, so a
	// network of 200,000 layers of width 1 trained for hours on a
	// negligible memory estimate.
	MaxDepth = 1000
	// MinInputScale is the smallest network.input_scale: the map is
	// scaled back by its inverse, which below it turns the network's
	// rounding into couplings far beyond any that mean something (5e-324
	// gave a NaN loss at the first epoch).
	MinInputScale = 1e-3
)

// Validate checks every value and names the first bad key (a
// *ConfigError, or the registry's error for a name it does not know): the
// checks of configKeys, in its order.
func (c *Config) Validate() error {
	for i := range configKeys {
		if k := &configKeys[i]; k.check != nil {
			if err := k.check(c, k); err != nil {
				return err
			}
		}
	}
	return nil
}

// configKey is one key of the configuration (its TOML name, "hmc.dt") and
// its check. A bound the key's comment states is the row's (atMost, span),
// and the check reads it from there: TestConfigKeysTable holds the
// comments to the table, and every key of the configuration to a row.
type configKey struct {
	key string
	// atMost is the largest value the comment states ("at most 100"), 0 if
	// it states none.
	atMost float64
	// span is the interval the comment states ("in (0, 1]"), nil if none.
	span *interval
	// check returns the key's error, if any, for c; nil: any value of the
	// key's type will do.
	check func(c *Config, k *configKey) error
}

// bad is the key's error: its value v is wrong for reason why.
func (k *configKey) bad(why string, v any) error {
	return &ConfigError{Key: k.key, Problem: why, Value: v}
}

// interval is a range of numbers, closed or open at either end.
type interval struct {
	lo, hi         float64
	openLo, openHi bool
}

// contains reports whether x lies in the interval (never for NaN).
func (iv *interval) contains(x float64) bool {
	return (x > iv.lo || !iv.openLo && x == iv.lo) && (x < iv.hi || !iv.openHi && x == iv.hi)
}

// String writes the interval as the comments do: "(0, 1]".
func (iv *interval) String() string {
	l, r := "[", "]"
	if iv.openLo {
		l = "("
	}
	if iv.openHi {
		r = ")"
	}
	return fmt.Sprintf("%s%s, %s%s", l, plainNumber(iv.lo), plainNumber(iv.hi), r)
}

// plainNumber writes x without an exponent (1000000, not 1e+06).
func plainNumber(x float64) string { return strconv.FormatFloat(x, 'f', -1, 64) }

// The intervals the comments state.
var (
	unitOpenClosed = &interval{0, 1, true, false} // (0, 1]
	unitClosedOpen = &interval{0, 1, false, true} // [0, 1)
	unitClosed     = &interval{0, 1, false, false}
	unitOpen       = &interval{0, 1, true, true}
)

// finite reports whether x is neither NaN nor infinite.
func finite(x float64) bool { return !math.IsNaN(x) && !math.IsInf(x, 0) }

// positiveUpTo reports whether 0 < x ≤ hi for a finite x.
func positiveUpTo(x, hi float64) bool { return finite(x) && x > 0 && x <= hi }

// inSpan checks that the float the key names lies in its interval:
// "must be in (0, 1]".
func inSpan(get func(*Config) float64) func(*Config, *configKey) error {
	return func(c *Config, k *configKey) error {
		if v := get(c); !k.span.contains(v) {
			return k.bad("must be in "+k.span.String(), v)
		}
		return nil
	}
}

// stepCount checks a number of steps: from lo to MaxSteps.
func stepCount(get func(*Config) int, lo int) func(*Config, *configKey) error {
	return func(c *Config, k *configKey) error {
		if v := get(c); v < lo || v > MaxSteps {
			return k.bad(fmt.Sprintf("must be between %d and %g", lo, float64(MaxSteps)), v)
		}
		return nil
	}
}

// oneOf checks a name against a fixed list: `must be "a", "b" or "c"`.
func oneOf(get func(*Config) string, names ...string) func(*Config, *configKey) error {
	return func(c *Config, k *configKey) error {
		v := get(c)
		if slices.Contains(names, v) {
			return nil
		}
		quoted := make([]string, len(names))
		for i, n := range names {
			quoted[i] = fmt.Sprintf("%q", n)
		}
		return k.bad("must be "+orList(quoted), quote.Short(v))
	}
}

// registered checks a name against a registry (its own error).
func registered[T any](r *Registry[T], get func(*Config) string) func(*Config, *configKey) error {
	return func(c *Config, _ *configKey) error { return r.Check(get(c)) }
}

// configKeys are the keys of the configuration with their checks, in the
// order Validate runs them (a key's check may rely on the keys before it).
var configKeys = []configKey{
	{key: "preset", check: func(c *Config, _ *configKey) error {
		if c.Preset == "" {
			return nil
		}
		return Presets.Check(c.Preset)
	}},
	{key: "rep", check: func(c *Config, k *configKey) error {
		if strings.TrimSpace(c.Rep) == "" {
			return k.bad(`must name a representation (e.g. "A1")`, nil)
		}
		return nil
	}},
	{key: "loss", check: registered(Losses, func(c *Config) string { return c.Loss })},
	{key: "model", check: registered(Models, func(c *Config) string { return c.Model })},
	{key: "coarse_mirror", check: registered(Mirrors, func(c *Config) string { return c.CoarseMirror })},
	{key: "loss_scale", check: func(c *Config, k *configKey) error {
		if err := oneOf(func(c *Config) string { return c.LossScale }, "auto", "linear", "log")(c, k); err != nil {
			return err
		}
		if c.LossScale == "log" && c.Loss != LossKL {
			return k.bad(`"log" needs loss = "kl" (a CD estimate can be negative)`, quote.Short(c.LossScale))
		}
		return nil
	}},
	{key: "loss_floor", span: unitOpenClosed, check: inSpan(func(c *Config) float64 { return c.LossFloor })},
	{key: "bonds", check: func(c *Config, _ *configKey) error { return CheckConventions(c.Bonds, c.CoarseMirror) }},
	// block and shells depend on each other: CheckBlock checks both
	{key: "block", check: func(c *Config, _ *configKey) error { return c.CheckBlock() }},
	{key: "shells"},
	{key: "epochs", check: func(c *Config, k *configKey) error {
		switch {
		case c.Epochs < 1:
			return k.bad("must be at least 1", c.Epochs)
		case float64(c.Epochs) > MaxEpochs:
			return k.bad(fmt.Sprintf("must be at most %g", float64(MaxEpochs)), c.Epochs)
		}
		return nil
	}},
	{key: "trajectories", check: func(c *Config, k *configKey) error {
		if c.Trajectories < 0 {
			return k.bad("must be positive (or 0 for 8·3^c)", c.Trajectories)
		}
		return nil
	}},
	{key: "max_trajectories", check: func(c *Config, k *configKey) error {
		if c.MaxTraj < 1 {
			return k.bad("must be at least 1", c.MaxTraj)
		}
		return nil
	}},
	{key: "seed"},
	{key: "workers", check: func(c *Config, k *configKey) error {
		if c.Workers < 0 || c.Workers > MaxWorkers {
			return k.bad(fmt.Sprintf("must be 0 (one per CPU) up to %d", MaxWorkers), c.Workers)
		}
		return nil
	}},
	{key: "init_scale", atMost: MaxInitScale, check: func(c *Config, k *configKey) error {
		if !positiveUpTo(c.InitScale, k.atMost) {
			return k.bad("must be a positive number no larger than "+plainNumber(k.atMost), c.InitScale)
		}
		return nil
	}},
	{key: "warm_start", check: oneOf(func(c *Config) string { return c.WarmStart }, "none", "exact-step", "exact-map")},
	{key: "warm_start_points", atMost: 100000, check: func(c *Config, k *configKey) error {
		if c.WarmStartPoints < 1 || float64(c.WarmStartPoints) > k.atMost {
			return k.bad("must be 1 up to "+plainNumber(k.atMost), c.WarmStartPoints)
		}
		return nil
	}},
	{key: "warm_start_epochs", atMost: 1000000, check: func(c *Config, k *configKey) error {
		if c.WarmStartEpochs < 1 || float64(c.WarmStartEpochs) > k.atMost {
			return k.bad("must be 1 up to "+plainNumber(k.atMost), c.WarmStartEpochs)
		}
		return nil
	}},
	{key: "network.depth", check: func(c *Config, k *configKey) error {
		if c.Network.Depth < 0 || c.Network.Depth > MaxDepth {
			return k.bad(fmt.Sprintf("must be 0 (= c) up to %d", MaxDepth), c.Network.Depth)
		}
		return nil
	}},
	{key: "network.width", check: func(c *Config, k *configKey) error {
		if c.Network.Width < 0 {
			return k.bad("must be 0 (= 16·c) or more", c.Network.Width)
		}
		return nil
	}},
	{key: "network.activation", check: func(c *Config, k *configKey) error {
		if _, err := ParseActivation(c.Network.Activation); err != nil {
			return k.bad("must be relu, silu or tanh", quote.Short(c.Network.Activation))
		}
		return nil
	}},
	{key: "network.layer_norm"},
	{key: "network.input_scale", check: func(c *Config, k *configKey) error {
		if s := c.Network.InputScale; !(s >= MinInputScale && s <= MaxInitScale) {
			return k.bad(fmt.Sprintf("must be a number from %g to %d", MinInputScale, MaxInitScale), s)
		}
		return nil
	}},
	{key: "hmc.potential", check: registered(Potentials, func(c *Config) string { return c.HMC.Potential })},
	{key: "newton.step", span: unitOpenClosed, check: inSpan(func(c *Config) float64 { return c.Newton.Step })},
	{key: "hmc.dt", span: &interval{0, MaxDt, true, false}, check: func(c *Config, k *configKey) error {
		if !k.span.contains(c.HMC.Dt) {
			return k.bad("must be a positive number no larger than "+plainNumber(k.span.hi), c.HMC.Dt)
		}
		return nil
	}},
	{key: "hmc.solve_steps", check: stepCount(func(c *Config) int { return c.HMC.SolveSteps }, 1)},
	{key: "hmc.sample_steps", check: stepCount(func(c *Config) int { return c.HMC.SampleSteps }, 0)},
	{key: "hmc.beta", check: func(c *Config, k *configKey) error {
		if b := c.HMC.BetaT; !(b >= 0 && b <= MaxBeta) {
			return k.bad(fmt.Sprintf("must be a number from 0 to %g", float64(MaxBeta)), b)
		}
		return nil
	}},
	{key: "hmc.anneal_center", check: func(c *Config, k *configKey) error {
		if !(math.Abs(c.HMC.Center) <= MaxAnneal) {
			return k.bad(fmt.Sprintf("must be a number from −%d to %d", MaxAnneal, MaxAnneal), c.HMC.Center)
		}
		return nil
	}},
	{key: "hmc.anneal_sharpness", check: func(c *Config, k *configKey) error {
		if !positiveUpTo(c.HMC.Sharpness, MaxSharpness) {
			return k.bad(fmt.Sprintf("must be a positive number no larger than %g", float64(MaxSharpness)), c.HMC.Sharpness)
		}
		return nil
	}},
	{key: "optimizer.lr", check: func(c *Config, k *configKey) error {
		if !positiveUpTo(c.Optimizer.LR, MaxLR) {
			return k.bad(fmt.Sprintf("must be a positive number no larger than %d", MaxLR), c.Optimizer.LR)
		}
		return nil
	}},
	{key: "optimizer.beta1", span: unitClosedOpen, check: inSpan(func(c *Config) float64 { return c.Optimizer.Beta1 })},
	{key: "optimizer.beta2", span: unitClosedOpen, check: inSpan(func(c *Config) float64 { return c.Optimizer.Beta2 })},
	{key: "optimizer.eps", check: func(c *Config, k *configKey) error {
		if !positiveUpTo(c.Optimizer.Eps, 1) {
			return k.bad("must be a positive number no larger than 1", c.Optimizer.Eps)
		}
		return nil
	}},
	{key: "optimizer.schedule", check: oneOf(func(c *Config) string { return c.Optimizer.Schedule }, "constant", "cosine")},
	{key: "optimizer.final_lr_fraction", span: unitOpenClosed, check: inSpan(func(c *Config) float64 { return c.Optimizer.FinalLRFraction })},
	{key: "hmc.axis_fraction", span: unitClosed, check: inSpan(func(c *Config) float64 { return c.HMC.AxisFraction })},
	{key: "hmc.axis_max", atMost: 100, check: func(c *Config, k *configKey) error {
		if !positiveUpTo(c.HMC.AxisMax, k.atMost) {
			return k.bad("must be a positive number no larger than "+plainNumber(k.atMost), c.HMC.AxisMax)
		}
		return nil
	}},
	{key: "hmc.axis_steps", atMost: 1000, check: func(c *Config, k *configKey) error {
		if c.HMC.AxisSteps < 0 || float64(c.HMC.AxisSteps) > k.atMost {
			return k.bad("must be 0 up to "+plainNumber(k.atMost), c.HMC.AxisSteps)
		}
		return nil
	}},
	{key: "hmc.redraw"},
	{key: "cd.samples", check: func(c *Config, k *configKey) error {
		if c.CD.Samples < 1 {
			return k.bad("must be at least 1", c.CD.Samples)
		}
		return nil
	}},
	{key: "cd.k_fine", check: stepCount(func(c *Config) int { return c.CD.KFine }, 1)},
	{key: "cd.k_coarse", check: stepCount(func(c *Config) int { return c.CD.KCoarse }, 1)},
	{key: "newton.start", check: func(c *Config, k *configKey) error {
		if !(math.Abs(c.Newton.Start) <= MaxNewtonJ) {
			return k.bad(fmt.Sprintf("must be a number from −%d to %d", MaxNewtonJ, MaxNewtonJ), c.Newton.Start)
		}
		return nil
	}},
	{key: "newton.tol", span: unitOpen, check: func(c *Config, k *configKey) error {
		if !k.span.contains(c.Newton.Tol) {
			return k.bad("must be a positive number below "+plainNumber(k.span.hi), c.Newton.Tol)
		}
		return nil
	}},
	{key: "newton.max_iter", check: stepCount(func(c *Config) int { return c.Newton.MaxIter }, 1)},
	{key: "newton.every", check: func(c *Config, k *configKey) error {
		if c.Newton.Every < 1 {
			return k.bad("must be at least 1", c.Newton.Every)
		}
		return nil
	}},
	{key: "output.json"},
	{key: "output.checkpoint"},
	{key: "output.checkpoint_every", check: func(c *Config, k *configKey) error {
		if c.Output.CheckpointEvery < -1 {
			return k.bad("must be a number of epochs, 0 (every 10 seconds) or -1 (only at the end)", c.Output.CheckpointEvery)
		}
		return nil
	}},
	{key: "output.plot", check: func(c *Config, k *configKey) error {
		if p := c.Output.Plot; p != "" && !IsFigurePath(p) {
			return k.bad("must end in .png or .svg", quote.Short(p))
		}
		return nil
	}},
	{key: "network.hidden_by_c", check: func(c *Config, k *configKey) error {
		for key, widths := range c.Network.HiddenByC {
			if _, err := couplingsKey(k.key, key); err != nil {
				return err
			}
			if len(widths) == 0 || len(widths) > MaxDepth || slices.Min(widths) < 1 {
				return &ConfigError{Key: k.key + "." + key, Problem: fmt.Sprintf("must list 1 to %d widths, each at least 1", MaxDepth), Value: shortInts(widths)}
			}
		}
		return nil
	}},
	{key: "newton.start_by_c", check: func(c *Config, k *configKey) error {
		for key, start := range c.Newton.StartByC {
			n, err := couplingsKey(k.key, key)
			if err != nil {
				return err
			}
			if len(start) != n || slices.ContainsFunc(start, func(x float64) bool { return !finite(x) }) {
				return &ConfigError{Key: k.key + "." + key, Problem: fmt.Sprintf("must list %d numbers", n), Value: start}
			}
		}
		return nil
	}},
}

// IsFigurePath reports whether path names a figure rgflow can draw: it ends
// in .png or .svg (in any case).
func IsFigurePath(path string) bool {
	ext := strings.ToLower(filepath.Ext(path))
	return ext == ".png" || ext == ".svg"
}

// couplingsKey reads the key of a table by number of couplings.
func couplingsKey(table, k string) (int, error) {
	if n, err := strconv.Atoi(k); err == nil && n >= 1 && strconv.Itoa(n) == k {
		return n, nil
	}
	return 0, fmt.Errorf("%s: key %s must be a number of couplings (1, 5, …)", table, quote.Short(k))
}

// NewtonStart is Newton's starting point for c couplings: newton.
// start_by_c's for c, else (start, 0, …, 0).
func (c *Config) NewtonStart(nc int) []float64 {
	if s, ok := c.Newton.StartByC[strconv.Itoa(nc)]; ok && len(s) == nc {
		return append([]float64(nil), s...)
	}
	s := make([]float64, nc)
	s[0] = c.Newton.Start
	return s
}

// TrajectoriesFor is the number of couplings per epoch for c couplings:
// the configured number, or 8·3^c capped at max_trajectories.
func (c *Config) TrajectoriesFor(nc int) int {
	if c.Trajectories > 0 {
		return c.Trajectories
	}
	m := 8.0 * math.Pow(3, float64(nc))
	return int(math.Min(m, float64(c.MaxTraj)))
}

// Layers returns the network's layer sizes for c couplings: network.
// hidden_by_c's widths for c if it has them and depth and width are both 0,
// else depth (0: c) layers of width (0: 16c).
func (c *Config) Layers(nc int) []int {
	depth, width := c.Network.Depth, c.Network.Width
	if hidden, ok := c.Network.HiddenByC[strconv.Itoa(nc)]; ok && depth == 0 && width == 0 {
		return append(append([]int{nc}, hidden...), nc)
	}
	if depth == 0 {
		depth = nc
	}
	if width == 0 {
		width = 16 * nc
	}
	sizes := []int{nc}
	for i := 0; i < depth; i++ {
		sizes = append(sizes, width)
	}
	return append(sizes, nc)
}

// Encode writes the configuration as TOML.
func (c *Config) Encode() ([]byte, error) { return toml.Marshal(c) }

// LogLoss reports whether training minimises the mean log KL (loss_scale
// "log", or "auto" with the exact KL and the flow model).
func (c *Config) LogLoss() bool {
	return c.LossScale == "log" || c.LossScale == "auto" && c.Loss == LossKL && c.Model != ModelMonotone
}

// divergenceHint says what to change when training diverges: the keys
// that set step sizes and scales which differ from the defaults (of the
// preset, if one is set), as the likelier cause, else a smaller learning
// rate or leapfrog step. It is the parenthesis of the message.
func (c *Config) divergenceHint() string {
	d := DefaultConfig()
	if c.Preset != "" {
		d.ApplyPreset(c.Preset)
	}
	var changed []string
	for _, k := range []struct {
		key       string
		now, dflt float64
	}{
		{"optimizer.lr", c.Optimizer.LR, d.Optimizer.LR}, {"optimizer.beta1", c.Optimizer.Beta1, d.Optimizer.Beta1},
		{"optimizer.beta2", c.Optimizer.Beta2, d.Optimizer.Beta2}, {"optimizer.eps", c.Optimizer.Eps, d.Optimizer.Eps},
		{"hmc.dt", c.HMC.Dt, d.HMC.Dt}, {"network.input_scale", c.Network.InputScale, d.Network.InputScale},
		{"init_scale", c.InitScale, d.InitScale}, {"loss_floor", c.LossFloor, d.LossFloor},
	} {
		if k.now != k.dflt {
			changed = append(changed, fmt.Sprintf("%s = %g (default %g)", k.key, k.now, k.dflt))
		}
	}
	if len(changed) == 0 {
		return "try a smaller optimizer.lr or hmc.dt"
	}
	return "the configuration sets " + strings.Join(changed, ", ") + ", which may be why; else try a smaller optimizer.lr or hmc.dt"
}

// shortInts shows a list of at most eight numbers in a message.
func shortInts(x []int) string {
	if len(x) <= 8 {
		return fmt.Sprint(x)
	}
	return fmt.Sprintf("%v … (%d numbers)", x[:8], len(x))
}
