package bench

import (
	"github.com/rgflow/rgflow/engine"
	"github.com/rgflow/rgflow/internal/nullfloat"
	"github.com/rgflow/rgflow/reps"
)

// ---------------------------------------------------------------------------
// PUBLISHED NUMBERS. Every number rgflow's suites are compared with lives
// here and nowhere else: the results collected by the seed paper (Shen,
// "Learning Renormalization Group Flows for Lattices", reviewing the
// reference PyTorch implementation, github.com/jshe2304/dlrg), Hou & You
// (arXiv:2306.11054), and the reference implementation's timings on the
// project's 2-core machine. All couplings are in rgflow's units
// (docs/conventions.md §6). Change them only if a source is corrected.
// ---------------------------------------------------------------------------

// Anchor is one published critical-coupling estimate (±1-spin units).
type Anchor struct {
	Source string `json:"source"` // who published it
	Short  string `json:"short"`  // a short name for tables and legends
	Rep    string `json:"rep"`
	Loss   string `json:"loss,omitempty"` // "" for the exact variational fixed point
	Model  string `json:"model,omitempty"`
	// Quantity is what the number measures: "j0" (J_0 of the Newton root
	// of the learned flow, the reference implementation's measure) or
	// "axis" (the critical coupling on the physical axis (J_0, 0, …, 0)).
	Quantity string          `json:"quantity"`
	Median   float64         `json:"median"`
	Q1       nullfloat.Float `json:"q1"` // NaN (JSON null) where no spread was published
	Q3       nullfloat.Float `json:"q3"`
	Note     string          `json:"note,omitempty"`
	// Bonds is the bond convention of the published blocks: "" for
	// rgflow's rotated bonds, "unrotated" for the seed's A1+E code
	// (docs/presets.md). A row is compared only with anchors of its own
	// convention, and of the published coarse mirror, axis (comparableAnchor).
	Bonds string `json:"bonds,omitempty"`
}

const (
	srcPyTorch = "reference PyTorch implementation reviewed in the seed (flow f_θ, J_0 of Newton root)"
	srcHouYou  = "Hou & You's code (monotone C, physical-axis J_0)"
	srcOracle  = "exact variational fixed point (argmin KL map)"
	// oracleAnchorShort is the exact map's entry among the published
	// values: figures label it as the exact map, not as an estimate.
	oracleAnchorShort = "argmin-KL fixed point"
)

// Published holds the published critical-coupling estimates (and the exact
// variational fixed point for A1).
var Published = []Anchor{
	{Source: srcPyTorch, Short: "seed PyTorch", Rep: "A1", Loss: "cd", Model: "flow", Quantity: "j0", Median: 0.817, Q1: 0.799, Q3: 0.831},
	{Source: srcPyTorch, Short: "seed PyTorch", Rep: "A1", Loss: "kl", Model: "flow", Quantity: "j0", Median: 0.819, Q1: 0.816, Q3: 0.822},
	{Source: srcPyTorch, Short: "seed PyTorch", Rep: "A1+E", Loss: "cd", Model: "flow", Quantity: "j0", Median: 0.787, Q1: 0.769, Q3: 0.808,
		Note: "no bond rotation of the E parts (rgflow rotates them, docs/conventions.md §4): comparable only with bonds = \"unrotated\" (the dlrg preset)", Bonds: engine.BondsUnrotated},
	{Source: srcHouYou, Short: "Hou & You", Rep: "A1", Loss: "cd", Model: "monotone", Quantity: "axis", Median: 0.8253, Q1: 0.8197, Q3: 0.8409},
	{Source: srcHouYou, Short: "Hou & You", Rep: "A1+E", Loss: "cd", Model: "monotone", Quantity: "axis", Median: 0.7961, Q1: 0.7810, Q3: 0.8052},
	{Source: srcHouYou, Short: "Hou & You", Rep: "2A1+E", Loss: "cd", Model: "monotone", Quantity: "axis", Median: 0.7700, Q1: 0.7652, Q3: 0.7766},
	{Source: srcOracle, Short: oracleAnchorShort, Rep: "A1", Quantity: "j0", Median: 0.81392, Q1: nullfloat.NaN(), Q3: nullfloat.NaN()},
}

// SpeedAnchor is one reference timing: seconds per training epoch of
// another implementation on CPU with 2 threads, for a configuration that
// the epoch-time suite times too.
type SpeedAnchor struct {
	// Source names the implementation: SourceSeed or SourceHouYou.
	Source       string `json:"source"`
	Rep          string `json:"rep"`
	Loss         string `json:"loss"`
	Model        string `json:"model"` // flow or monotone
	Trajectories int    `json:"trajectories"`
	Samples      int    `json:"cd_samples,omitempty"` // CD only
	KFine        int    `json:"k_fine,omitempty"`
	KCoarse      int    `json:"k_coarse,omitempty"`
	// Depth and WidthPerC shape the network rgflow runs for the row:
	// hidden layers and their width as a multiple of c (0: the default,
	// depth c and width 16c, the seed's network).
	Depth     int     `json:"depth,omitempty"`
	WidthPerC int     `json:"width_per_c,omitempty"`
	Seconds   float64 `json:"seconds_per_epoch"`
}

// The implementations the reference timings are of.
const (
	SourceSeed   = "seed PyTorch (github.com/jshe2304/dlrg)"
	SourceHouYou = "Hou & You (github.com/EverettYou/MLRG)"
)

// ReferenceSpeed is the speed of the seed's reference PyTorch
// implementation (CPU, 2 threads, one machine of the kind the project runs
// on), seconds per epoch of the flow model. CD runs use 512 samples, k_fine 32,
// k_coarse 1 (the seed's defaults).
var ReferenceSpeed = []SpeedAnchor{
	{Source: SourceSeed, Rep: "A1", Loss: "kl", Model: "flow", Trajectories: 24, Seconds: 0.0084},
	{Source: SourceSeed, Rep: "A1", Loss: "cd", Model: "flow", Trajectories: 24, Samples: 512, KFine: 32, KCoarse: 1, Seconds: 0.048},
	{Source: SourceSeed, Rep: "A1+E", Loss: "cd", Model: "flow", Trajectories: 64, Samples: 512, KFine: 32, KCoarse: 1, Seconds: 0.37},
	{Source: SourceSeed, Rep: "A1+E", Loss: "cd", Model: "flow", Trajectories: 1944, Samples: 512, KFine: 32, KCoarse: 1, Seconds: 15.2}, // its default 8·3^c
}

// HouYouSpeed is Hou & You's implementation timed on this project's
// machine (not published numbers; bench/README.md describes the
// measurement): MLRG.py at commit 539c3da of github.com/EverettYou/MLRG,
// run with Debian 12's python3-torch 1.13.1 on CPU with
// torch.set_num_threads(2), on the project's 2-core AMD EPYC (Zen 5) VM,
// 2026-12-01. One epoch is their notebook's loop body — propose (HMC,
// steps = 1), loss (CD from the teacher's samples: 512 samples, 5 Gibbs
// sweeps, 1 CD step), backward, Adam step — with 64 trajectories and their
// default monotone network (hidden widths 8c, 4c with LayerNorm and tanh).
// rgflow's row runs its monotone model with two hidden layers of width 8c
// (tanh, no LayerNorm: more multiply-adds than theirs).
var HouYouSpeed = []SpeedAnchor{
	{Source: SourceHouYou, Rep: "A1+E", Loss: "cd", Model: "monotone", Trajectories: 64, Samples: 512, KFine: 5, KCoarse: 1, Depth: 2, WidthPerC: 8, Seconds: houYouA1E},
	{Source: SourceHouYou, Rep: "2A1+E", Loss: "cd", Model: "monotone", Trajectories: 64, Samples: 512, KFine: 5, KCoarse: 1, Depth: 2, WidthPerC: 8, Seconds: houYou2A1E},
}

// The measured seconds per epoch: the median over 35 epochs (after 5
// warm-up epochs) of one process each, taken while the machine was least
// loaded (1-minute load about 4, other users' jobs; quartiles 0.37–0.40 s
// and 0.57–1.75 s, the last ten 2A1+E epochs slowed by other jobs). Runs
// of 5 processes × 20 epochs taken later under a load of 7–10 gave
// medians of 2.3–9 s, PyTorch's two threads stalling on the shared cores,
// and are not used: these are the fastest epochs we saw, the comparison
// least favourable to rgflow.
const (
	houYouA1E  = 0.384
	houYou2A1E = 0.601
)

// allSpeed lists every reference timing, the seed's then Hou & You's (the
// plan points into it).
var allSpeed = append(append([]SpeedAnchor(nil), ReferenceSpeed...), HouYouSpeed...)

// ReferenceMonotoneFactor is how much slower per epoch the reference's
// monotone variant ran than its flow variant (≈ 2.8×).
const ReferenceMonotoneFactor = 2.8

// ---------------------------------------------------------------------------

// canonRep is the canonical irreps-sum name of a representation name (so
// "a1 ⊕ e" matches "A1+E"), or the name itself if it is not a sum.
func canonRep(name string) string {
	if t, err := reps.ParseSum(name); err == nil {
		return reps.CanonicalName(t)
	}
	return name
}

// publishedFor lists the published estimates for a representation.
func publishedFor(rep string) []Anchor {
	var out []Anchor
	for _, a := range Published {
		if canonRep(a.Rep) == canonRep(rep) {
			out = append(out, a)
		}
	}
	return out
}

// comparableAnchor reports whether a published estimate describes the same
// blocks as runs of rep (d spins per site) with that coarse mirror and bond
// convention: every publication uses the axis mirror, and each its own
// bonds. With one spin per site K is a number, so rotating it with the bond
// or transposing it at the centre changes nothing and the two bond
// conventions are one.
func comparableAnchor(a Anchor, rep string, d int, mirror, bonds string) bool {
	ab := a.Bonds
	if ab == "" {
		ab = engine.BondsRotated
	}
	if bonds == "" {
		bonds = engine.BondsRotated
	}
	return canonRep(a.Rep) == canonRep(rep) && (mirror == "" || mirror == "axis") && (ab == bonds || d == 1)
}

// bestPublished picks the published estimate to set beside ours: same
// blocks (comparableAnchor) and quantity, the same loss if there is one, the
// learned estimates before the exact variational one. ok is false if
// nothing matches.
func bestPublished(rep string, d int, mirror, bonds, quantity, loss string) (Anchor, bool) {
	var best Anchor
	score := -1
	for _, a := range publishedFor(rep) {
		if a.Quantity != quantity || !comparableAnchor(a, rep, d, mirror, bonds) {
			continue
		}
		s := 0
		if a.Loss == loss {
			s += 2
		}
		if a.Loss != "" {
			s++
		}
		if s > score {
			best, score = a, s
		}
	}
	return best, score >= 0
}
