package engine

import (
	"encoding/json"
	"unicode"
	"unicode/utf8"
)

// UnmarshalJSON reads a configuration in its JSON form, whose keys are the
// TOML names ("max_trajectories", "hmc": {"beta": …}), or in the form
// checkpoints and runs.jsonl had before, whose keys were the Go field
// names ("MaxTraj", "HMC": {"BetaT": …}); a key that is missing keeps the
// value cfg already holds. The old form is told apart by its top-level
// keys, which start with a capital letter.
func (c *Config) UnmarshalJSON(data []byte) error {
	type plain Config // the same fields and tags, without this method
	var keys map[string]json.RawMessage
	if err := json.Unmarshal(data, &keys); err != nil {
		return err
	}
	legacy := false
	for k := range keys {
		if r, _ := utf8.DecodeRuneInString(k); unicode.IsUpper(r) {
			legacy = true
			break
		}
	}
	if !legacy {
		return json.Unmarshal(data, (*plain)(c))
	}
	old := legacyConfig(*c)
	if err := json.Unmarshal(data, &old); err != nil {
		return err
	}
	*c = old.config()
	return nil
}

// goNamesConfig is Config as checkpoints before the TOML-named JSON wrote
// it: the same fields, keyed by their Go names. Struct conversion ignores
// tags, so each table converts to its Config type.
type goNamesConfig struct {
	Rep, Loss, Model, CoarseMirror string
	Epochs, Trajectories, MaxTraj  int
	Seed                           uint64
	Workers                        int
	InitScale                      float64
	Network                        goNamesNetwork
	HMC                            goNamesHMC
	Optimizer                      goNamesOptimizer
	CD                             goNamesCD
	Newton                         goNamesNewton
	Output                         goNamesOutput
}

type (
	goNamesNetwork struct {
		Depth, Width int
		Activation   string
	}
	goNamesHMC struct {
		Dt                       float64
		SolveSteps, SampleSteps  int
		BetaT, Center, Sharpness float64
	}
	goNamesOptimizer struct{ LR, Beta1, Beta2, Eps float64 }
	goNamesCD        struct{ Samples, KFine, KCoarse int }
	goNamesNewton    struct {
		Start, Tol     float64
		MaxIter, Every int
	}
	goNamesOutput struct {
		JSON, Checkpoint string
		CheckpointEvery  int
		Plot             string
	}
)

// GoNamesForm is c in the JSON form checkpoints and runs.jsonl had before,
// keyed by Go field names. The bench suites hash it into their run keys,
// so that the keys of results directories made before stay the same.
func GoNamesForm(c Config) any { return legacyConfig(c) }

func legacyConfig(c Config) goNamesConfig {
	return goNamesConfig{
		Rep: c.Rep, Loss: c.Loss, Model: c.Model, CoarseMirror: c.CoarseMirror,
		Epochs: c.Epochs, Trajectories: c.Trajectories, MaxTraj: c.MaxTraj, Seed: c.Seed, Workers: c.Workers, InitScale: c.InitScale,
		Network: goNamesNetwork(c.Network), HMC: goNamesHMC(c.HMC), Optimizer: goNamesOptimizer(c.Optimizer),
		CD: goNamesCD(c.CD), Newton: goNamesNewton(c.Newton), Output: goNamesOutput(c.Output),
	}
}

func (g goNamesConfig) config() Config {
	return Config{
		Rep: g.Rep, Loss: g.Loss, Model: g.Model, CoarseMirror: g.CoarseMirror,
		Epochs: g.Epochs, Trajectories: g.Trajectories, MaxTraj: g.MaxTraj, Seed: g.Seed, Workers: g.Workers, InitScale: g.InitScale,
		Network: NetworkConfig(g.Network), HMC: HMCConfig(g.HMC), Optimizer: OptimizerConfig(g.Optimizer),
		CD: CDConfig(g.CD), Newton: NewtonConfig(g.Newton), Output: OutputConfig(g.Output),
	}
}
