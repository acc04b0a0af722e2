package engine

import (
	"fmt"
	"math"
	"strings"

	"github.com/rgflow/rgflow/internal/quote"
)

// Registry is one list of named choices a configuration can make — the
// losses, the models, the training presets. Everything that reads such a
// name asks the registry: Config.Validate, the bench suites' name checks and
// cost estimate, and the command's flag help. Adding a choice is adding one
// Entry.
type Registry[T any] struct {
	// Key is the configuration key that takes the names ("loss").
	Key     string
	entries []Entry[T]
}

// Entry is one choice: its name in configurations and on the command line,
// a few words for help texts, and what it stands for.
type Entry[T any] struct {
	Name  string
	Doc   string
	Value T
}

// NewRegistry makes the registry of key's choices, in the order given
// (which is the order of help texts and of Names).
func NewRegistry[T any](key string, entries ...Entry[T]) *Registry[T] {
	return &Registry[T]{Key: key, entries: entries}
}

// Names lists the choices in order.
func (r *Registry[T]) Names() []string {
	out := make([]string, len(r.entries))
	for i, e := range r.entries {
		out[i] = e.Name
	}
	return out
}

// Lookup returns the value registered under name.
func (r *Registry[T]) Lookup(name string) (T, bool) {
	for _, e := range r.entries {
		if e.Name == name {
			return e.Value, true
		}
	}
	var zero T
	return zero, false
}

// Check returns nil if name is registered, else an error naming the key
// and the choices: `loss must be "kl", "cd" or "cd-energy" (got "mse")`.
func (r *Registry[T]) Check(name string) error {
	if _, ok := r.Lookup(name); ok {
		return nil
	}
	quoted := make([]string, len(r.entries))
	for i, e := range r.entries {
		quoted[i] = fmt.Sprintf("%q", e.Name)
	}
	return fmt.Errorf("%s must be %s (got %s)", r.Key, orList(quoted), quote.Short(name))
}

// Help is the choices with their docs, for flag help:
// "kl (the exact KL divergence) or cd (contrastive divergence)".
func (r *Registry[T]) Help() string {
	parts := make([]string, len(r.entries))
	for i, e := range r.entries {
		parts[i] = e.Name
		if e.Doc != "" {
			parts[i] += " (" + e.Doc + ")"
		}
	}
	return orList(parts)
}

// orList joins "a", "b" and "c" as "a, b or c".
func orList(s []string) string {
	switch len(s) {
	case 0:
		return "nothing"
	case 1:
		return s[0]
	}
	return strings.Join(s[:len(s)-1], ", ") + " or " + s[len(s)-1]
}

// ---------------------------------------------------------------------------
// Losses

// The names of the built-in losses and models, for code that must single
// one out (the registries below are the list of them).
const (
	LossKL        = "kl"
	LossCD        = "cd"
	LossCDEnergy  = "cd-energy"
	ModelFlow     = "flow"
	ModelMonotone = "monotone"
)

// LossKind is what the engine knows of a loss.
type LossKind struct {
	// New builds the divergence for a configuration's block pair.
	New func(cfg Config, b BlockPair) (Divergence, error)
	// UsesCD reports that the loss reads the [cd] settings.
	UsesCD bool
	// Cost is a rough relative cost of one evaluation for one trajectory
	// of a representation with d spins per site (the bench suites weight
	// their progress bars with it).
	Cost func(cfg Config, d int) float64
}

// Losses are the divergences a configuration's loss can name.
var Losses = NewRegistry("loss",
	Entry[LossKind]{Name: LossKL, Doc: "the exact KL divergence", Value: LossKind{
		New: func(cfg Config, b BlockPair) (Divergence, error) { return ExactKL{B: b, Workers: cfg.Workers}, nil },
		// every visible configuration, tables of d² terms
		Cost: func(_ Config, d int) float64 { fd := float64(d); return math.Exp2(4*fd) * (16 + 6*fd*fd) },
	}},
	Entry[LossKind]{Name: LossCD, Doc: "contrastive divergence", Value: LossKind{
		New:    func(cfg Config, b BlockPair) (Divergence, error) { return newCDFor(b, cfg) },
		UsesCD: true,
		Cost:   cdCost,
	}},
	Entry[LossKind]{Name: LossCDEnergy, Doc: "Hou & You's contrastive divergence: the coarse block's energy difference, the centre drawn from the fine samples", Value: LossKind{
		New: func(cfg Config, b BlockPair) (Divergence, error) {
			plaq, ok := b.(*Blocks)
			if !ok {
				return nil, fmt.Errorf("loss %q runs on the plaquette only (its energy difference is the single centre's); block %s takes loss \"kl\" or \"cd\"", LossCDEnergy, b.BlockName())
			}
			return NewCDEnergy(plaq, cfg.CD, cfg.Seed, cfg.Workers)
		},
		UsesCD: true,
		Cost:   cdCost,
	}},
)

// cdCost is the cost of the contrastive divergences: Gibbs sweeps over the
// samples.
func cdCost(cfg Config, d int) float64 {
	fd := float64(d)
	return float64(cfg.CD.Samples) * float64(cfg.CD.KFine+cfg.CD.KCoarse) * 8 * fd * (fd + 4)
}

// ---------------------------------------------------------------------------
// Models

// ModelKind is what the engine knows of a model.
type ModelKind struct {
	// New wraps a network (input c, output c) into the model; a model
	// that needs a network family's internals says so to another family.
	New func(net Network) (Model, error)
	// NetCost is the cost of the model's network passes relative to the
	// flow model's (the monotone model's second derivatives make it ≈ 3).
	NetCost float64
}

// Models are the RG maps a configuration's model can name.
var Models = NewRegistry("model",
	Entry[ModelKind]{Name: ModelFlow, Doc: "J′ = J + f(J)", Value: ModelKind{
		New:     func(net Network) (Model, error) { return NewFlowModel(net), nil },
		NetCost: 1,
	}},
	Entry[ModelKind]{Name: ModelMonotone, Doc: "J′ = J − ∇C(J)", Value: ModelKind{
		New: func(net Network) (Model, error) {
			mlp, ok := net.(*MLP)
			if !ok {
				return nil, fmt.Errorf("the monotone model differentiates twice through an MLP's layers and runs on no other network")
			}
			return NewMonotoneModel(mlp)
		},
		NetCost: 3,
	}},
)

// ---------------------------------------------------------------------------
// Coarse mirrors

// Mirrors are the conventions for the coarse block's reference bond
// (docs/conventions.md §12); ResolveCoarseMirror builds one for a
// representation.
var Mirrors = NewRegistry("coarse_mirror",
	Entry[struct{}]{Name: "axis", Doc: "K′ = K(J′), σ-invariant: the published convention"},
	Entry[struct{}]{Name: "diagonal", Doc: "K′ = U K(J′) Uᵀ, invariant under the diagonal mirror R σ that fixes the coarse bond"},
)

// ---------------------------------------------------------------------------
// Presets

// Preset is a named training protocol: it sets keys of a configuration
// that holds the defaults. A preset is one Entry of Presets; a
// configuration names it with the key preset (or -preset), and every key
// set explicitly overrides it (Config.ApplyPreset, docs/presets.md).
type Preset func(*Config)

// Presets are the named training protocols (presets.go).
var Presets = NewRegistry("preset",
	Entry[Preset]{Name: PresetDLRG, Doc: "the seed's reference implementation, github.com/jshe2304/dlrg", Value: presetDLRG},
	Entry[Preset]{Name: PresetHouYou, Doc: "Hou & You's MLRG code, github.com/EverettYou/MLRG", Value: presetHouYou},
)
