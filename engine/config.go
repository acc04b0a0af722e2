package engine

import (
	"bytes"
	"errors"
	"fmt"
	"math"
	"os"
	"slices"
	"strconv"
	"strings"

	"github.com/pelletier/go-toml/v2"
)

// Config is one experiment, as written in a TOML file. Every field has a
// default (DefaultConfig); zero means "automatic" where the comment says so.
type Config struct {
	// Preset names a protocol (Presets: "dlrg", "hou-you"; docs/presets.md)
	// whose keys are set over the defaults before every other key of the
	// file and the command line, which therefore override it.
	Preset       string `toml:"preset" comment:"a protocol preset, applied over the defaults before every other key: dlrg or hou-you (docs/presets.md); \"\": none"`
	Rep          string `toml:"rep" comment:"on-site representation: an irreps sum (A1, A1+E, 2A1+E, …; built in), a plugin's name, or plugin:NAME / plugin:PATH for a plugin even where a built-in exists"`
	Loss         string `toml:"loss" comment:"kl (the exact KL divergence), cd (contrastive divergence) or cd-energy (Hou & You's contrastive divergence, docs/presets.md)"`
	Model        string `toml:"model" comment:"flow (J′ = J + f(J)) or monotone (J′ = J − ∇C(J))"`
	CoarseMirror string `toml:"coarse_mirror" comment:"the coarse block's mirror: axis (K′ = K(J′), the published convention) or diagonal (K′ = U K(J′) Uᵀ; docs/conventions.md §12)"`
	// Bonds is the bond convention (Bonds, mirror.go): "rotated", rgflow's
	// (docs/conventions.md §4), or "unrotated", the seed's reference code's.
	Bonds        string  `toml:"bonds" comment:"rotated (a bond in direction r carries R^r K Rᵀ^r; docs/conventions.md §4) or unrotated (every bond carries K(J), the coarse centre the source: the seed's dlrg code, which breaks the rotation symmetry; docs/presets.md)"`
	Epochs       int     `toml:"epochs"`
	Trajectories int     `toml:"trajectories" comment:"couplings per epoch; 0: 8·3^c capped at max_trajectories"`
	MaxTraj      int     `toml:"max_trajectories"`
	Seed         uint64  `toml:"seed"`
	Workers      int     `toml:"workers" comment:"goroutines for the divergence; 0: one per CPU"`
	InitScale    float64 `toml:"init_scale" comment:"trajectories start as N(0, init_scale²)"`
	// WarmStart starts the network from the exact variational map
	// (docs/conventions.md §13): "exact-step" sets the output bias to the
	// exact map's step M(J) − J at the axis point (newton.start, 0, …, 0),
	// which puts the network on one branch of the gauge images; "exact-map"
	// first fits the network to M(J) on warm_start_points couplings.
	WarmStart       string `toml:"warm_start" comment:"none, exact-step (output bias from the exact map's step at one axis point) or exact-map (fit to the exact map first)"`
	WarmStartPoints int    `toml:"warm_start_points" comment:"exact-map: couplings the network is first fitted on (half N(0, init_scale²), half on the physical axis)"`
	WarmStartEpochs int    `toml:"warm_start_epochs" comment:"exact-map: full-batch Adam steps of the fit"`

	Network   NetworkConfig   `toml:"network"`
	HMC       HMCConfig       `toml:"hmc"`
	Optimizer OptimizerConfig `toml:"optimizer"`
	CD        CDConfig        `toml:"cd"`
	Newton    NewtonConfig    `toml:"newton"`
	Output    OutputConfig    `toml:"output"`
}

// NetworkConfig shapes the network.
type NetworkConfig struct {
	Depth      int    `toml:"depth" comment:"hidden layers; 0: c"`
	Width      int    `toml:"width" comment:"hidden units per layer; 0: 16·c"`
	Activation string `toml:"activation" comment:"relu, silu or tanh"`
	// HiddenByC gives the hidden widths for a number of couplings c (the
	// key, in decimal) when depth and width are both 0: Hou & You's
	// networks differ from one representation to the next.
	HiddenByC map[string][]int `toml:"hidden_by_c" comment:"hidden widths by the number of couplings c, used when depth and width are both 0 (e.g. 1 = [6, 12, 8])"`
	// LayerNorm normalises every hidden layer's pre-activation
	// (layernorm.go): Linear → LayerNorm → activation.
	LayerNorm bool `toml:"layer_norm" comment:"normalise every hidden layer: Linear → LayerNorm → activation (Hou & You)"`
	// InputScale s: the network sees s·J and its map is scaled back,
	// J′ = x′/s (units.go; Hou & You's J_theirs = 2J: s = 2). Couplings in
	// every output stay in rgflow's units.
	InputScale float64 `toml:"input_scale" comment:"the network sees input_scale·J and its map J′ is scaled back (Hou & You's units: 2); every output stays in rgflow's units"`
}

// HMCConfig is the coupling sampler (docs/conventions.md §10).
type HMCConfig struct {
	Dt          float64 `toml:"dt"`
	SolveSteps  int     `toml:"solve_steps"`
	SampleSteps int     `toml:"sample_steps"`
	BetaT       float64 `toml:"beta"`
	Center      float64 `toml:"anneal_center" comment:"fraction of the epochs where β reaches half of beta"`
	Sharpness   float64 `toml:"anneal_sharpness"`
	// AxisFraction of the trajectories are not HMC chains but points drawn
	// afresh each epoch on the learned flow from the physical axis:
	// (J_0, 0, …, 0) with J_0 uniform in [0, axis_max], carried n steps
	// along the network's own map, n uniform in 0…axis_steps. They teach
	// the map where the physical-axis read-out needs it — from the axis to
	// the critical manifold — and not only where |f| is small.
	AxisFraction float64 `toml:"axis_fraction" comment:"fraction of the trajectories drawn on the learned flow from the physical axis instead of by HMC (0: none)"`
	AxisMax      float64 `toml:"axis_max" comment:"axis points have J_0 uniform in [0, axis_max]"`
	AxisSteps    int     `toml:"axis_steps" comment:"axis points are carried up to this many steps along the learned map"`
	// Potential is the HMC energy's form (Potentials): "square", U = β‖f‖²
	// (the seed's), or "norm", U = β‖f‖ (Hou & You's).
	Potential string `toml:"potential" comment:"the HMC energy: square (U = β‖f‖², the seed's) or norm (U = β‖f‖, Hou & You's)"`
	// Redraw draws the HMC trajectories afresh from N(0, init_scale²) at
	// the start of every epoch, before the HMC proposals (Hou & You's A1
	// training: no proposals, sample_steps = 0).
	Redraw bool `toml:"redraw" comment:"draw the trajectories afresh from N(0, init_scale²) every epoch, before the sample_steps proposals"`
}

// OptimizerConfig is Adam's.
type OptimizerConfig struct {
	LR    float64 `toml:"lr"`
	Beta1 float64 `toml:"beta1"`
	Beta2 float64 `toml:"beta2"`
	Eps   float64 `toml:"eps"`
	// Schedule of the learning rate over the epochs: "constant", or
	// "cosine" from lr down to lr·final_lr_fraction.
	Schedule        string  `toml:"schedule" comment:"learning-rate schedule: constant or cosine (from lr to lr·final_lr_fraction)"`
	FinalLRFraction float64 `toml:"final_lr_fraction"`
}

// CDConfig is the contrastive divergence's.
type CDConfig struct {
	Samples int `toml:"samples"`
	KFine   int `toml:"k_fine"`
	KCoarse int `toml:"k_coarse"`
}

// NewtonConfig controls the critical-point read-out.
type NewtonConfig struct {
	Start   float64 `toml:"start" comment:"J_0 of the starting point (others 0)"`
	Tol     float64 `toml:"tol"`
	MaxIter int     `toml:"max_iter"`
	Every   int     `toml:"every" comment:"record a root every this many epochs over the second half"`
	// Step is the Newton step's size: 1, full steps halved until ‖f‖
	// decreases; below 1, fixed steps of that fraction of the Newton step
	// (Hou & You's Newton_step, 0.1), until the full step is below tol.
	Step float64 `toml:"step" comment:"1: full Newton steps, halved until |f| decreases; below 1: fixed steps of this fraction of the Newton step (Hou & You: 0.1)"`
	// StartByC gives the whole starting point for a number of couplings c
	// (the key, in decimal), instead of (start, 0, …, 0).
	StartByC map[string][]float64 `toml:"start_by_c" comment:"the whole starting point by the number of couplings c, instead of (start, 0, …, 0) (e.g. 5 = [0.8, 0, 0, 0.8, 0.8])"`
}

// OutputConfig names the files a run writes ("" = none).
type OutputConfig struct {
	JSON            string `toml:"json"`
	Checkpoint      string `toml:"checkpoint"`
	CheckpointEvery int    `toml:"checkpoint_every" comment:"epochs between checkpoints; 0: only at the end"`
	Plot            string `toml:"plot" comment:"figure of the learned flow, .png or .svg"`
}

// DefaultConfig is the seed's set-up: A1, exact KL, flow, ReLU.
func DefaultConfig() Config {
	return Config{
		Rep: "A1", Loss: LossKL, Model: ModelFlow, CoarseMirror: "axis", Bonds: BondsRotated,
		Epochs: 3000, MaxTraj: 1024, Seed: 1, InitScale: 1, WarmStart: "none", WarmStartPoints: 256, WarmStartEpochs: 1000,
		Network:   NetworkConfig{Activation: "relu", InputScale: 1},
		HMC:       HMCConfig{Dt: 0.001, SolveSteps: 32, SampleSteps: 1, BetaT: 16, Center: 0.25, Sharpness: 16, AxisMax: 1.6, AxisSteps: 8, Potential: "square"},
		Optimizer: OptimizerConfig{LR: 1e-3, Beta1: 0.9, Beta2: 0.999, Eps: 1e-8, Schedule: "constant", FinalLRFraction: 0.01},
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
	data, err := os.ReadFile(path)
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
	dec := toml.NewDecoder(bytes.NewReader(data))
	dec.DisallowUnknownFields()
	if err := dec.Decode(cfg); err != nil {
		return TOMLError(err)
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
		return "", TOMLError(err)
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

// TOMLError turns an error of go-toml's decoder into one sentence that
// names the key (`unknown key "ephocs"`, `line 3, column 9 (key "hmc.dt"):
// …`); other errors pass through. Every TOML file rgflow reads reports its
// errors this way.
func TOMLError(err error) error {
	var strict *toml.StrictMissingError
	if errors.As(err, &strict) {
		var keys []string
		for _, e := range strict.Errors {
			keys = append(keys, fmt.Sprintf("%q", strings.Join(e.Key(), ".")))
		}
		return fmt.Errorf("unknown key %s", strings.Join(keys, ", "))
	}
	var de *toml.DecodeError
	if errors.As(err, &de) {
		row, col := de.Position()
		if key := strings.Join(de.Key(), "."); key != "" {
			return fmt.Errorf("line %d, column %d (key %q): %s", row, col, key, de.Error())
		}
		return fmt.Errorf("line %d, column %d: %s", row, col, de.Error())
	}
	return err
}

// Validate checks every value and names the first bad key.
func (c *Config) Validate() error {
	bad := func(key, why string, v any) error { return fmt.Errorf("%s %s (got %v)", key, why, v) }
	finite := func(x float64) bool { return !math.IsNaN(x) && !math.IsInf(x, 0) }
	lossErr, modelErr, mirrorErr := Losses.Check(c.Loss), Models.Check(c.Model), Mirrors.Check(c.CoarseMirror)
	_, actErr := ParseActivation(c.Network.Activation)
	switch {
	case c.Preset != "" && Presets.Check(c.Preset) != nil:
		return Presets.Check(c.Preset)
	case strings.TrimSpace(c.Rep) == "":
		return fmt.Errorf("rep must name a representation (e.g. \"A1\")")
	case lossErr != nil:
		return lossErr
	case modelErr != nil:
		return modelErr
	case mirrorErr != nil:
		return mirrorErr
	case Bonds.Check(c.Bonds) != nil:
		return Bonds.Check(c.Bonds)
	case c.Bonds == BondsUnrotated && c.CoarseMirror != "axis":
		return fmt.Errorf("coarse_mirror %q needs bonds = \"rotated\" (unrotated bonds have no mirror convention of their own)", c.CoarseMirror)
	case c.Epochs < 1:
		return bad("epochs", "must be at least 1", c.Epochs)
	case c.Trajectories < 0:
		return bad("trajectories", "must be positive (or 0 for 8·3^c)", c.Trajectories)
	case c.MaxTraj < 1:
		return bad("max_trajectories", "must be at least 1", c.MaxTraj)
	case c.Workers < 0:
		return bad("workers", "must be 0 (all CPUs) or more", c.Workers)
	case !(c.InitScale > 0) || !finite(c.InitScale):
		return bad("init_scale", "must be a positive number", c.InitScale)
	case c.WarmStart != "none" && c.WarmStart != "exact-step" && c.WarmStart != "exact-map":
		return bad("warm_start", `must be "none", "exact-step" or "exact-map"`, fmt.Sprintf("%q", c.WarmStart))
	case c.WarmStartPoints < 1:
		return bad("warm_start_points", "must be at least 1", c.WarmStartPoints)
	case c.WarmStartEpochs < 1:
		return bad("warm_start_epochs", "must be at least 1", c.WarmStartEpochs)
	case c.Network.Depth < 0:
		return bad("network.depth", "must be 0 (= c) or more", c.Network.Depth)
	case c.Network.Width < 0:
		return bad("network.width", "must be 0 (= 16·c) or more", c.Network.Width)
	case actErr != nil:
		return fmt.Errorf("network.activation: %v", actErr)
	case !(c.Network.InputScale > 0) || !finite(c.Network.InputScale):
		return bad("network.input_scale", "must be a positive number", c.Network.InputScale)
	case Potentials.Check(c.HMC.Potential) != nil:
		return Potentials.Check(c.HMC.Potential)
	case !(c.Newton.Step > 0 && c.Newton.Step <= 1):
		return bad("newton.step", "must be in (0, 1]", c.Newton.Step)
	case !(c.HMC.Dt > 0) || !finite(c.HMC.Dt):
		return bad("hmc.dt", "must be a positive number", c.HMC.Dt)
	case c.HMC.SolveSteps < 1:
		return bad("hmc.solve_steps", "must be at least 1", c.HMC.SolveSteps)
	case c.HMC.SampleSteps < 0:
		return bad("hmc.sample_steps", "must be 0 or more", c.HMC.SampleSteps)
	case !(c.HMC.BetaT >= 0) || !finite(c.HMC.BetaT):
		return bad("hmc.beta", "must be a number ≥ 0", c.HMC.BetaT)
	case !finite(c.HMC.Center):
		return bad("hmc.anneal_center", "must be a number", c.HMC.Center)
	case !(c.HMC.Sharpness > 0) || !finite(c.HMC.Sharpness):
		return bad("hmc.anneal_sharpness", "must be a positive number", c.HMC.Sharpness)
	case !(c.Optimizer.LR > 0) || !finite(c.Optimizer.LR):
		return bad("optimizer.lr", "must be a positive number", c.Optimizer.LR)
	case !(c.Optimizer.Beta1 >= 0 && c.Optimizer.Beta1 < 1):
		return bad("optimizer.beta1", "must be in [0, 1)", c.Optimizer.Beta1)
	case !(c.Optimizer.Beta2 >= 0 && c.Optimizer.Beta2 < 1):
		return bad("optimizer.beta2", "must be in [0, 1)", c.Optimizer.Beta2)
	case !(c.Optimizer.Eps > 0) || !finite(c.Optimizer.Eps):
		return bad("optimizer.eps", "must be a positive number", c.Optimizer.Eps)
	case c.Optimizer.Schedule != "constant" && c.Optimizer.Schedule != "cosine":
		return bad("optimizer.schedule", `must be "constant" or "cosine"`, fmt.Sprintf("%q", c.Optimizer.Schedule))
	case !(c.Optimizer.FinalLRFraction > 0 && c.Optimizer.FinalLRFraction <= 1):
		return bad("optimizer.final_lr_fraction", "must be in (0, 1]", c.Optimizer.FinalLRFraction)
	case !(c.HMC.AxisFraction >= 0 && c.HMC.AxisFraction <= 1):
		return bad("hmc.axis_fraction", "must be in [0, 1]", c.HMC.AxisFraction)
	case !(c.HMC.AxisMax > 0) || !finite(c.HMC.AxisMax):
		return bad("hmc.axis_max", "must be a positive number", c.HMC.AxisMax)
	case c.HMC.AxisSteps < 0:
		return bad("hmc.axis_steps", "must be 0 or more", c.HMC.AxisSteps)
	case c.CD.Samples < 1:
		return bad("cd.samples", "must be at least 1", c.CD.Samples)
	case c.CD.KFine < 1:
		return bad("cd.k_fine", "must be at least 1", c.CD.KFine)
	case c.CD.KCoarse < 1:
		return bad("cd.k_coarse", "must be at least 1", c.CD.KCoarse)
	case !finite(c.Newton.Start):
		return bad("newton.start", "must be a number", c.Newton.Start)
	case !(c.Newton.Tol > 0) || !finite(c.Newton.Tol):
		return bad("newton.tol", "must be a positive number", c.Newton.Tol)
	case c.Newton.MaxIter < 1:
		return bad("newton.max_iter", "must be at least 1", c.Newton.MaxIter)
	case c.Newton.Every < 1:
		return bad("newton.every", "must be at least 1", c.Newton.Every)
	case c.Output.CheckpointEvery < 0:
		return bad("output.checkpoint_every", "must be 0 or more", c.Output.CheckpointEvery)
	}
	if p := c.Output.Plot; p != "" && !strings.HasSuffix(p, ".png") && !strings.HasSuffix(p, ".svg") {
		return bad("output.plot", "must end in .png or .svg", fmt.Sprintf("%q", p))
	}
	for k, widths := range c.Network.HiddenByC {
		if _, err := couplingsKey("network.hidden_by_c", k); err != nil {
			return err
		}
		if len(widths) == 0 || slices.Min(widths) < 1 {
			return bad("network.hidden_by_c."+k, "must list at least one width, each at least 1", widths)
		}
	}
	for k, start := range c.Newton.StartByC {
		n, err := couplingsKey("newton.start_by_c", k)
		if err != nil {
			return err
		}
		if len(start) != n || slices.ContainsFunc(start, func(x float64) bool { return !finite(x) }) {
			return bad("newton.start_by_c."+k, fmt.Sprintf("must list %d numbers", n), start)
		}
	}
	return nil
}

// couplingsKey reads the key of a table by number of couplings.
func couplingsKey(table, k string) (int, error) {
	if n, err := strconv.Atoi(k); err == nil && n >= 1 && strconv.Itoa(n) == k {
		return n, nil
	}
	return 0, fmt.Errorf("%s: key %q must be a number of couplings (1, 5, …)", table, k)
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
