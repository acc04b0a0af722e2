package bench

// The bias-vs-block suite (docs/conventions.md §14): the exact
// variational map's critical fixed point J* and its λ on the free patches
// free:LxL and the tori torus:LxL, side by side, against 1/L, with their
// extrapolations to the infinite patch; and beside them ensembles of
// exact-KL trainings on the small blocks, judged against their own
// block's exact map. The free sequence comes down from the plaquette's
// 0.81392 and the periodic one up, so the two bracket the infinite-patch
// limit, which the figure shows with the exact J_c.

import (
	"context"
	"encoding/json"
	"fmt"
	"image/color"
	"io"
	"math"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"text/tabwriter"
	"time"

	"gonum.org/v1/gonum/mat"
	"gonum.org/v1/plot"
	"gonum.org/v1/plot/plotter"
	"gonum.org/v1/plot/vg"
	"gonum.org/v1/plot/vg/draw"

	"github.com/rgflow/rgflow/engine"
	"github.com/rgflow/rgflow/engine/geometry"
	"github.com/rgflow/rgflow/engine/oracle"
	"github.com/rgflow/rgflow/internal/atomicfile"
	"github.com/rgflow/rgflow/internal/inputfile"
	"github.com/rgflow/rgflow/internal/plotfile"
	"github.com/rgflow/rgflow/reps"
)

// BlockConfig configures bias-vs-block.
type BlockConfig struct {
	Suite      string   `toml:"suite"`
	Preset     string   `toml:"preset" comment:"a protocol preset (dlrg, hou-you; docs/presets.md), applied over the defaults before every other key: it sets [train], epochs, trajectories and max_trajectories"`
	Rep        string   `toml:"rep" comment:"the representation: with one coupling (A1) the exact map's fixed point is the critical point, and its J_c the fixed point itself"`
	Shells     int      `toml:"shells" comment:"coupling shells of every block (docs/conventions.md §14): 1, or 2 on patches of two or more plaquettes"`
	FreeSides  []int    `toml:"free_sides" comment:"the exact map's critical fixed point on free:LxL for these L (1: the plaquette)"`
	TorusSides []int    `toml:"torus_sides" comment:"and on torus:LxL for these L (at least 2)"`
	FitMinSide int      `toml:"fit_min_side" comment:"the extrapolations in 1/L fit the sides from this one on"`
	Trained    []string `toml:"trained" comment:"blocks trained with instances each (built-in names: plaquette, free:LxM, torus:LxM), judged against their own block's exact map"`
	Instances  int      `toml:"instances" comment:"independent trainings per trained block, seeds seed, seed+1, …"`
	Seed       uint64   `toml:"seed"`
	Seeds      []uint64 `toml:"seeds" comment:"explicit seeds; if not empty they replace seed and instances"`
	Epochs     int      `toml:"epochs"`
	// Trajectories and MaxTraj are the trained runs' (0: 8·3^c capped).
	Trajectories int           `toml:"trajectories" comment:"couplings per epoch; 0: 8·3^c capped at max_trajectories"`
	MaxTraj      int           `toml:"max_trajectories"`
	Train        engine.Config `toml:"train,omitempty"`
	SmokeTest    bool          `toml:"smoke_test" comment:"set by -quick: a smoke test of every code path, whose numbers mean nothing (tables and figures say so)"`
}

func (c *BlockConfig) SuiteName() string         { return c.Suite }
func (c *BlockConfig) smokeTest() bool           { return c.SmokeTest }
func (c *BlockConfig) trainBase() *engine.Config { return &c.Train }

// defaultBlocks is bias-vs-block's default configuration: A1, the free
// patches to 12×12 and the tori to 6×6 (some 10 minutes of CPU for the
// exact maps, most of it free:12x12 and torus:6x6; each side more costs
// about twice as much free and four times as much periodic), and five
// instances each of the plaquette, free:2x2, free:3x3, torus:2x2 and
// torus:3x3.
func defaultBlocks(train engine.Config) *BlockConfig {
	return &BlockConfig{
		Suite: BiasVsBlock, Rep: "A1", Shells: 1,
		FreeSides: []int{1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12}, TorusSides: []int{2, 3, 4, 5, 6}, FitMinSide: 3,
		Trained:   []string{geometry.PlaquetteName, "free:2x2", "free:3x3", "torus:2x2", "torus:3x3"},
		Instances: 5, Seed: 1, Seeds: []uint64{}, Epochs: train.Epochs, MaxTraj: train.MaxTraj, Train: train,
	}
}

// quicken cuts the suite to its smoke test: the smallest blocks, two
// short instances of one patch.
func (c *BlockConfig) quicken() {
	c.SmokeTest = true
	c.FreeSides, c.TorusSides, c.FitMinSide = []int{1, 2, 3}, []int{2, 3}, 1
	c.Trained = []string{"free:2x2"}
	c.Instances, c.Epochs, c.Trajectories = 2, 40, 16
}

// Validate checks every key and names the first bad one.
func (c *BlockConfig) Validate() error {
	if strings.TrimSpace(c.Rep) == "" {
		return fmt.Errorf("rep must name a representation (e.g. \"A1\")")
	}
	if c.Shells < 1 || c.Shells > geometry.MaxShells {
		return fmt.Errorf("shells must be 1 to %d (got %d)", geometry.MaxShells, c.Shells)
	}
	if err := checkInts("free_sides", c.FreeSides, 1, false); err != nil {
		return err
	}
	if err := checkInts("torus_sides", c.TorusSides, 2, false); err != nil {
		return err
	}
	if len(c.FreeSides)+len(c.TorusSides) == 0 {
		return fmt.Errorf("free_sides and torus_sides must list at least one side between them")
	}
	for _, L := range append(slices.Clone(c.FreeSides), c.TorusSides...) {
		if L > geometry.MaxSide {
			return fmt.Errorf("free_sides, torus_sides: %d is more than the %d coarse sites a side may have", L, geometry.MaxSide)
		}
	}
	if c.Shells > 1 && slices.Contains(c.FreeSides, 1) {
		return fmt.Errorf("free_sides: the plaquette (1) has no bond of shell 2 or beyond; with shells = %d the sides start at 2", c.Shells)
	}
	if c.FitMinSide < 1 {
		return fmt.Errorf("fit_min_side must be at least 1 (got %d)", c.FitMinSide)
	}
	if len(c.Trained) > 0 {
		if err := checkNames("trained", c.Trained); err != nil {
			return err
		}
	}
	for _, b := range c.Trained {
		if engine.IsPluginBlock(b) {
			return fmt.Errorf("trained: %s: the suite takes the built-in blocks (plaquette, free:LxM, torus:LxM)", b)
		}
		if _, err := geometry.Parse(b, c.Shells); err != nil {
			return fmt.Errorf("trained: %v", err)
		}
	}
	if len(c.Seeds) == 0 && c.Instances < 1 {
		return fmt.Errorf("instances must be at least 1 (got %d)", c.Instances)
	}
	if n := max(c.Instances, len(c.Seeds)); n > MaxInstances {
		return fmt.Errorf("instances must be at most %d (got %d)", MaxInstances, n)
	}
	switch {
	case c.Epochs < 1:
		return fmt.Errorf("epochs must be at least 1 (got %d)", c.Epochs)
	case c.Trajectories < 0:
		return fmt.Errorf("trajectories must be positive (or 0 for 8·3^c) (got %d)", c.Trajectories)
	case c.MaxTraj < 1:
		return fmt.Errorf("max_trajectories must be at least 1 (got %d)", c.MaxTraj)
	}
	return checkTrain(&c.Train)
}

func (c *BlockConfig) seeds() []uint64 {
	d := DistConfig{Seeds: c.Seeds, Instances: c.Instances, Seed: c.Seed}
	return d.seeds()
}

// ownedKeys are the [train] keys a suite sets run by run (runKeys), with
// bias-vs-block's block and shells, which it sets from its own keys.
func ownedKeys(cfg Config) map[string]string {
	if _, ok := cfg.(*BlockConfig); !ok {
		return runKeys
	}
	out := map[string]string{"block": "trained", "shells": "shells"}
	for k, v := range runKeys {
		out[k] = v
	}
	out["rep"] = "rep"
	return out
}

// blockLabel is the label words of a run's block: none for the plaquette,
// else the block and, with more than one, its shells.
func blockLabel(cfg engine.Config) []string {
	if cfg.IsPlaquette() {
		return nil
	}
	if cfg.Shells > 1 {
		return []string{cfg.Block, fmt.Sprintf("shells=%d", cfg.Shells)}
	}
	return []string{cfg.Block}
}

// SetBlock sets the block and shells every run of a suite trains on
// (rgflow bench -block, -shells): [train]'s block and shells, each kept
// where it is "" or 0. The bias-vs-block suite sets its blocks itself.
func SetBlock(cfg Config, block string, shells int) error {
	if _, ok := cfg.(*BlockConfig); ok {
		return fmt.Errorf("-block, -shells: the %s suite sets its blocks itself (its keys free_sides, torus_sides, trained and shells)", BiasVsBlock)
	}
	t := cfg.trainBase()
	if block != "" {
		t.Block = block
	}
	if shells != 0 {
		t.Shells = shells
	}
	if err := t.CheckBlock(); err != nil {
		return fmt.Errorf("-%v", err)
	}
	return cfg.Validate()
}

// sequenceBlock is one block of the exact-map sequence or of the trained
// ones: its name, boundary and sides.
type sequenceBlock struct {
	name     string
	boundary string // "free" or "torus"
	L, M     int
	trained  bool // among the trained blocks
	sequence bool // among free_sides, torus_sides
}

// size is the linear size the figure and the fits use: √(L·M).
func (b sequenceBlock) size() float64 { return math.Sqrt(float64(b.L * b.M)) }

// blocks lists the sequence (free sides, then torus sides, ascending) and
// the trained blocks not in it.
func (c *BlockConfig) blocks() []sequenceBlock {
	var out []sequenceBlock
	idx := map[string]int{}
	add := func(b sequenceBlock) {
		if i, ok := idx[b.name]; ok {
			out[i].trained = out[i].trained || b.trained
			out[i].sequence = out[i].sequence || b.sequence
			return
		}
		idx[b.name] = len(out)
		out = append(out, b)
	}
	free, torus := slices.Sorted(slices.Values(c.FreeSides)), slices.Sorted(slices.Values(c.TorusSides))
	for _, L := range free {
		add(sequenceBlock{name: blockName("free", L, L), boundary: "free", L: L, M: L, sequence: true})
	}
	for _, L := range torus {
		add(sequenceBlock{name: blockName("torus", L, L), boundary: "torus", L: L, M: L, sequence: true})
	}
	for _, t := range c.Trained {
		g, err := geometry.Parse(t, c.Shells)
		if err != nil {
			continue // Validate refuses it
		}
		b := sequenceBlock{name: g.Name, boundary: "free", L: 1, M: 1, trained: true}
		if g.Name != geometry.PlaquetteName {
			kind, size, _ := strings.Cut(g.Name, ":")
			ls, ms, _ := strings.Cut(size, "x")
			b.boundary = kind
			b.L, _ = strconv.Atoi(ls)
			b.M, _ = strconv.Atoi(ms)
		}
		add(b)
	}
	return out
}

// blockName is the name geometry.Parse gives free:LxM or torus:LxM (the
// plaquette for free:1x1).
func blockName(kind string, L, M int) string {
	if kind == "free" && L == 1 && M == 1 {
		return geometry.PlaquetteName
	}
	return fmt.Sprintf("%s:%dx%d", kind, L, M)
}

// planBlocks lists bias-vs-block's trainings: every trained block with
// every seed, instance by instance.
func planBlocks(c *BlockConfig, rs map[string]*reps.Rep) []runSpec {
	r := rs[c.Rep]
	var out []runSpec
	for _, seed := range c.seeds() {
		for _, b := range c.Trained {
			cfg := c.Train
			cfg.Rep, cfg.Seed, cfg.Block, cfg.Shells = c.Rep, seed, b, c.Shells
			cfg.Epochs, cfg.Trajectories, cfg.MaxTraj = c.Epochs, c.Trajectories, c.MaxTraj
			cfg.Workers = 1
			cfg.Output = engine.OutputConfig{}
			if g, err := geometry.Parse(b, c.Shells); err == nil {
				cfg.Block = g.Name // one spelling per block: free:1x1 is the plaquette
			}
			s := runSpec{Label: label(append([]string{c.Rep, cfg.Loss, cfg.Model}, blockLabel(cfg)...)...), Rep: r, Cfg: cfg}
			if cfg.IsPlaquette() {
				s.Label = label(s.Label, geometry.PlaquetteName)
			}
			s.Key = runKey(c.Suite, s.Label, configHash(s.Cfg), seed)
			s.cost = estimateCost(s.Cfg, r)
			out = append(out, s)
		}
	}
	return out
}

// blockOracles is the exact map's critical fixed point on every block of
// the suite (oracle.CriticalFixedPoint, from the axis point newton.start),
// keyed as the runs are (blockOracleKey): read from its file in the
// results directory, or computed (smallest first, with a line on
// progress) and written there. A block that cannot be computed is left
// out with a note; once ctx is done nothing more is computed.
func blockOracles(ctx context.Context, c *BlockConfig, plan []runSpec, dir string, progress io.Writer) map[string]oracle.Analysis {
	out := map[string]oracle.Analysis{}
	var rep *reps.Rep
	if len(plan) > 0 {
		rep = plan[0].Rep // as the suite resolved it (a plugin's too)
	} else {
		var err error
		if rep, err = reps.Builtin(c.Rep); err != nil {
			fmt.Fprintf(progress, "rgflow bench: no exact maps: representation %s: %v\n", c.Rep, err)
			return out
		}
	}
	mirror := c.Train.CoarseMirror
	for _, b := range c.blocks() {
		key := blockOracleKey(rep.Name, mirror, b.name, c.Shells)
		path := filepath.Join(dir, blockOracleFile(rep.Name, mirror, b.name, c.Shells))
		if data, err := inputfile.Read(path, inputfile.ConfigLimit); err == nil {
			var an oracle.Analysis
			if json.Unmarshal(data, &an) == nil {
				out[key] = an
				continue
			}
		}
		// the process's memo under a key of its own: another suite's
		// analysis of the plaquette bisects the axis J_c to 1e-4, where
		// this one's is the fixed point itself
		memoKey := key + "\x00critical fixed point"
		if an, ok := memo.get(memoKey, rep); ok {
			out[key] = an
			writeOracle(path, an, progress)
			continue
		}
		if ctx.Err() != nil {
			fmt.Fprintf(progress, "rgflow bench: exact map on %s not computed: interrupted\n", b.name)
			continue
		}
		cfg := c.Train
		cfg.Rep, cfg.Block, cfg.Shells = rep.Name, b.name, c.Shells
		pair, err := engine.NewBlockPair(cfg, rep, nil)
		if err != nil {
			fmt.Fprintf(progress, "rgflow bench: no exact map on %s: %v\n", b.name, err)
			continue
		}
		begin := time.Now()
		o := oracle.NewContext(ctx, pair)
		an, err := o.CriticalFixedPoint(c.Train.Newton.Start)
		if err != nil {
			fmt.Fprintf(progress, "rgflow bench: exact map on %s failed: %v\n", b.name, err)
			continue
		}
		an.Seconds = time.Since(begin).Seconds()
		an.Kernels = pair.Plaquette().Kernels().Name()
		if p, ok := engine.GeometryPair(pair); ok {
			an.Kernels = "go " + p.MethodName()
		}
		fmt.Fprintf(progress, "rgflow bench: exact map on %s: J* %s, λ %s (%d evaluations, %.1f s, %s)\n", b.name, fixedPointOf(an), lambdaOf(an), an.Evaluations, an.Seconds, an.Kernels)
		writeOracle(path, an, progress)
		memo.put(memoKey, rep, an)
		out[key] = an
	}
	return out
}

func fixedPointOf(an oracle.Analysis) string {
	if i := an.Critical(); i >= 0 {
		return fmt.Sprintf("%.6f", math.Abs(an.FixedPoints[i].J[0]))
	}
	return "—"
}

func lambdaOf(an oracle.Analysis) string {
	if i := an.Critical(); i >= 0 {
		return fmt.Sprintf("%.5f", float64(an.FixedPoints[i].Lambda))
	}
	return "—"
}

// BlockRow is one block of bias-vs-block: the exact map's critical fixed
// point there and, for a trained block, the statistics of its instances.
type BlockRow struct {
	Block    string `json:"block"`
	Boundary string `json:"boundary"` // free or torus
	L        int    `json:"l"`
	M        int    `json:"m"`
	// InvSize is 1/√(L·M), the figure's and the fits' abscissa.
	InvSize     float64 `json:"inv_size"`
	CoarseSites int     `json:"coarse_sites"`
	Visible     int     `json:"visible_sites"`
	InSequence  bool    `json:"in_sequence"` // among free_sides, torus_sides
	// The exact map's critical fixed point (J* its first coupling — the
	// nearest shell's —, FixedPoint all c of them joined by spaces), the
	// physical-axis J_c (J* itself for one coupling; with more shells not
	// computed here: NaN), its λ, ν = ln √2 / ln λ, KL(J*, J*) per coarse
	// site, and how it was computed.
	JStar       F      `json:"j_star"`
	FixedPoint  string `json:"fixed_point"`
	AxisJc      F      `json:"axis_jc"`
	Lambda      F      `json:"lambda"`
	Nu          F      `json:"nu"`
	KL          F      `json:"kl"`
	Evaluations int    `json:"evaluations"`
	Seconds     F      `json:"oracle_seconds"`
	Method      string `json:"method"`
	// Trained blocks: the instances' J_c estimates (each run's jc_median),
	// as in bias-vs-dimension, and Distance = median − JStar.
	Instances int      `json:"instances"`
	OK        int      `json:"ok"`
	Failed    int      `json:"failed"`
	Median    F        `json:"median"`
	Q1        F        `json:"q1"`
	Q3        F        `json:"q3"`
	StdErr    F        `json:"stderr"`
	Distance  F        `json:"distance"`
	NuMedian  F        `json:"nu_median"`
	Trusted   int      `json:"trusted"`
	Untrusted int      `json:"untrusted"`
	Verdict   []string `json:"verdict"`
	Values    []F      `json:"values,omitempty"`
	Errors    []string `json:"errors,omitempty"`
}

var blockHeader = []string{"block", "boundary", "l", "m", "inv_size", "coarse_sites", "visible_sites", "in_sequence",
	"j_star", "fixed_point", "axis_jc", "lambda", "nu", "kl", "evaluations", "oracle_seconds", "method",
	"instances", "ok", "failed", "median", "q1", "q3", "stderr", "distance", "nu_median", "trusted", "untrusted", "verdict", "error"}

// BlockFit is one extrapolation of the sequence in 1/L: a least-squares
// fit of Quantity (j_star or lambda) on the boundary's sides from
// fit_min_side on, to the Form a + Σ_k b_k/L^{p_k} (Powers the p_k: a +
// b/L, a + b/L², a + b/L + c/L²); Intercept is a, its value at the
// infinite patch, and RMS the fit's root-mean-square residual. Drawn is
// the form the figure extrapolates with (fitDrawn).
type BlockFit struct {
	Boundary  string    `json:"boundary"`
	Quantity  string    `json:"quantity"`
	Form      string    `json:"form"`
	Powers    []int     `json:"powers"`
	Sides     []int     `json:"sides"`
	Intercept F         `json:"intercept"`
	Coef      []float64 `json:"coefficients"` // a, b (, c)
	RMS       F         `json:"rms"`
	Drawn     bool      `json:"drawn"`
}

// at is the fit's value at x = 1/L.
func (f BlockFit) at(x float64) float64 {
	v := f.Coef[0]
	for k, p := range f.Powers {
		v += f.Coef[k+1] * math.Pow(x, float64(p))
	}
	return v
}

// fitForms are the extrapolations tried on each boundary's sequence.
var fitForms = []struct {
	name   string
	powers []int
}{{"a + b/L", []int{1}}, {"a + b/L^2", []int{2}}, {"a + b/L + c/L^2", []int{1, 2}}}

// fitDrawn is the form the figure extrapolates a boundary's sequence
// with: a free patch's boundary adds a 1/L term to its J* (its corrections
// are a + b/L + c/L²); a torus has no boundary, and its leading
// correction is taken as 1/L² (the rows' a + b/L fits say how much that
// choice matters).
func fitDrawn(boundary string) string {
	if boundary == "torus" {
		return "a + b/L^2"
	}
	return "a + b/L + c/L^2"
}

var fitHeader = []string{"boundary", "quantity", "form", "sides", "intercept", "coefficients", "rms", "drawn"}

// blockRows are the suite's rows, in the order of blocks().
func blockRows(c *BlockConfig, plan []runSpec, recs []Record, ans map[string]oracle.Analysis) []BlockRow {
	groups := map[string]*group{}
	for _, g := range groupRuns(plan, recs) {
		groups[g.spec.Cfg.Block] = g
	}
	var rows []BlockRow
	for _, b := range c.blocks() {
		r := BlockRow{Block: b.name, Boundary: b.boundary, L: b.L, M: b.M, InvSize: 1 / b.size(), InSequence: b.sequence,
			JStar: nan(), AxisJc: nan(), Lambda: nan(), Nu: nan(), KL: nan(), Seconds: nan(),
			Median: nan(), Q1: nan(), Q3: nan(), StdErr: nan(), Distance: nan(), NuMedian: nan(), Verdict: []string{}}
		if g, err := geometry.Parse(b.name, c.Shells); err == nil {
			r.CoarseSites, r.Visible = g.CoarseSites(), len(g.Visible)
		}
		key := blockOracleKey(c.Rep, c.Train.CoarseMirror, b.name, c.Shells)
		for k, an := range ans {
			if k != key && !(an.Block == b.name && an.Shells == c.Shells && sameRep(an.Rep, c.Rep)) {
				continue
			}
			if i := an.Critical(); i >= 0 {
				fp := an.FixedPoints[i]
				r.JStar, r.Lambda, r.Nu, r.KL = F(math.Abs(fp.J[0])), fp.Lambda, fp.Nu, F(fp.KL)
				r.FixedPoint, r.AxisJc = joinFloats(fp.J), F(fp.AxisJc)
			}
			r.Evaluations, r.Seconds, r.Method = an.Evaluations, F(an.Seconds), an.Kernels
			break
		}
		if g, ok := groups[b.name]; ok {
			v := estimates(g.recs, "j0")
			st := statsOf(v)
			r.Instances, r.OK, r.Failed = g.planned, st.n, g.failed()
			r.Median, r.Q1, r.Q3, r.StdErr = st.median, st.q1, st.q3, st.stderr
			r.Distance = r.Median - r.JStar
			for _, x := range v {
				r.Values = append(r.Values, F(x))
			}
			r.Errors = distinctErrors(g.recs)
			if sums := g.summaries(); len(sums) > 0 {
				e := engine.NewEnsemble(sums)
				r.Verdict, r.NuMedian = e.Verdict, e.Ensemble.NuMedian
				r.Trusted, r.Untrusted = e.Ensemble.Trusted, e.Ensemble.N-e.Ensemble.Trusted
			}
		}
		rows = append(rows, r)
	}
	return rows
}

// joinFloats is v with 8 significant digits, joined by spaces.
func joinFloats(v []float64) string {
	s := make([]string, len(v))
	for i, x := range v {
		s[i] = strconv.FormatFloat(x, 'g', 8, 64)
	}
	return strings.Join(s, " ")
}

// sameRep reports whether two representation names are one sum.
func sameRep(a, b string) bool { return canonRep(a) == canonRep(b) }

// blockFits extrapolates each boundary's sequence (the rows in it with
// sides from fit_min_side on, square patches only) in 1/L: J* and λ, in
// every form of fitForms for which there are more sides than coefficients.
func blockFits(c *BlockConfig, rows []BlockRow) []BlockFit {
	var out []BlockFit
	for _, boundary := range []string{"free", "torus"} {
		for _, q := range []string{"j_star", "lambda"} {
			var L []int
			var x, y []float64
			for _, r := range rows {
				v := float64(r.JStar)
				if q == "lambda" {
					v = float64(r.Lambda)
				}
				if !r.InSequence || r.Boundary != boundary || r.L < c.FitMinSide || r.L != r.M || math.IsNaN(v) {
					continue
				}
				L, x, y = append(L, r.L), append(x, 1/float64(r.L)), append(y, v)
			}
			for _, form := range fitForms {
				if len(x) < len(form.powers)+2 { // at least one residual degree of freedom
					continue
				}
				coef, rms, ok := powerFit(x, y, form.powers)
				if !ok {
					continue
				}
				out = append(out, BlockFit{Boundary: boundary, Quantity: q, Form: form.name, Powers: form.powers, Sides: L,
					Intercept: F(coef[0]), Coef: coef, RMS: F(rms), Drawn: form.name == fitDrawn(boundary)})
			}
		}
	}
	return out
}

// powerFit is the least-squares fit of y to a + Σ_k b_k x^{powers[k]}:
// its coefficients, a first, and the root-mean-square residual.
func powerFit(x, y []float64, powers []int) ([]float64, float64, bool) {
	n, m := len(x), len(powers)+1
	A := mat.NewDense(n, m, nil)
	for i, xi := range x {
		A.Set(i, 0, 1)
		for k, p := range powers {
			A.Set(i, k+1, math.Pow(xi, float64(p)))
		}
	}
	var qr mat.QR
	qr.Factorize(A)
	var sol mat.Dense
	if err := qr.SolveTo(&sol, false, mat.NewDense(n, 1, slices.Clone(y))); err != nil {
		return nil, 0, false
	}
	f := BlockFit{Powers: powers, Coef: make([]float64, m)}
	for j := range f.Coef {
		f.Coef[j] = sol.At(j, 0)
	}
	ss := 0.0
	for i, xi := range x {
		d := y[i] - f.at(xi)
		ss += d * d
	}
	return f.Coef, math.Sqrt(ss / float64(n)), true
}

// blockBracket is the interval the two boundaries bracket the limit in:
// from the largest torus J* to the smallest free J* of the sequence (NaN
// where a boundary has none).
func blockBracket(rows []BlockRow) (lo, hi float64) {
	lo, hi = math.NaN(), math.NaN()
	for _, r := range rows {
		v := float64(r.JStar)
		if !r.InSequence || math.IsNaN(v) {
			continue
		}
		if r.Boundary == "torus" && (math.IsNaN(lo) || v > lo) {
			lo = v
		}
		if r.Boundary == "free" && (math.IsNaN(hi) || v < hi) {
			hi = v
		}
	}
	return lo, hi
}

func blockOutputs(o *outputs, c *BlockConfig, plan []runSpec, recs []Record, ans map[string]oracle.Analysis, out io.Writer) {
	rows := blockRows(c, plan, recs, ans)
	fits := blockFits(c, rows)
	lo, hi := blockBracket(rows)
	plaq := nan()
	for _, r := range rows {
		if r.Block == geometry.PlaquetteName {
			plaq = r.JStar
		}
	}
	if math.IsNaN(float64(plaq)) && c.Rep == "A1" && c.Shells == 1 {
		if v, err := oracle.A1FixedPoint(); err == nil {
			plaq = F(v)
		}
	}
	var csvRows [][]string
	for _, r := range rows {
		csvRows = append(csvRows, []string{r.Block, r.Boundary, itoa(r.L), itoa(r.M), cell(F(r.InvSize)), itoa(r.CoarseSites), itoa(r.Visible),
			strconv.FormatBool(r.InSequence), cell(r.JStar), r.FixedPoint, cell(r.AxisJc), cell(r.Lambda), cell(r.Nu), cell(r.KL), itoa(r.Evaluations), cell(r.Seconds), r.Method,
			itoa(r.Instances), itoa(r.OK), itoa(r.Failed), cell(r.Median), cell(r.Q1), cell(r.Q3), cell(r.StdErr), cell(r.Distance), cell(r.NuMedian),
			itoa(r.Trusted), itoa(r.Untrusted), strings.Join(r.Verdict, "; "), first(r.Errors)})
	}
	o.csv(BiasVsBlock+".csv", blockHeader, csvRows)
	var fitRows [][]string
	for _, f := range fits {
		sides := make([]string, len(f.Sides))
		for i, L := range f.Sides {
			sides[i] = itoa(L)
		}
		fitRows = append(fitRows, []string{f.Boundary, f.Quantity, f.Form, strings.Join(sides, " "), cell(f.Intercept), joinFloats(f.Coef), cell(f.RMS), strconv.FormatBool(f.Drawn)})
	}
	o.csv(BiasVsBlock+"-fits.csv", fitHeader, fitRows)
	o.csv(BiasVsBlock+"-runs.csv", runsHeader, runRows(recs))
	o.json(BiasVsBlock+".json", map[string]any{
		"suite": BiasVsBlock, "rep": c.Rep, "shells": c.Shells, "jc_exact": engine.JcExact, "plaquette_j_star": plaq,
		"bracket": []F{F(lo), F(hi)}, "rows": rows, "fits": fits,
	})
	o.figure(BiasVsBlock, func(path string) error { return blockFigure(path, c, rows, fits, float64(plaq), o.smoke) })

	tw := tabwriter.NewWriter(out, 0, 0, 2, ' ', 0)
	fmt.Fprintln(tw, "block\t1/L\tcoarse sites\texact map J*\tλ\tν\tmethod\ttrained: n\tmedian ± s.e.\tmedian − J*\ttrusted")
	dash := dashNotes{}
	for _, r := range rows {
		trained := ""
		if r.Instances > 0 {
			trained = fmt.Sprintf("%d/%d\t%s ± %s\t%s\t%d/%d", r.OK, r.Instances, dash.fmt(r.Median, "%.5f", "", ""),
				dash.fmt(r.StdErr, "%.2g", oneKey(r.OK, "stderr"), "one instance has no standard error"),
				dash.fmt(r.Distance, "%+.5f", "", ""), r.Trusted, r.Trusted+r.Untrusted)
			if r.OK == 0 {
				dash.add("estimates", "no instance gave an estimate (or none is recorded yet)")
			}
		} else {
			trained = "\t\t\t"
		}
		fmt.Fprintf(tw, "%s\t%.4f\t%d\t%s\t%s\t%s\t%s\t%s\n", r.Block, r.InvSize, r.CoarseSites,
			dash.fmt(r.JStar, "%.6f", "jstar", "the exact map was not computed (interrupted, or it failed: the progress lines say why)"),
			dash.fmt(r.Lambda, "%.5f", "jstar", ""), dash.fmt(r.Nu, "%.4f", "jstar", ""), r.Method, trained)
	}
	tw.Flush()
	for _, r := range rows {
		if len(r.Verdict) > 0 {
			fmt.Fprintf(out, "%s: verdict on its %d instances: not to be trusted: %s\n", r.Block, r.Trusted+r.Untrusted, strings.Join(r.Verdict, "; "))
		}
		if len(r.Errors) > 0 {
			fmt.Fprintf(out, "%s: %d failed: %s\n", r.Block, r.Failed, r.Errors[0])
		}
	}
	dash.print(out)
	for _, f := range fits {
		fmt.Fprintf(out, "fit %s %s, %s on L = %s: %.6f at 1/L → 0 (rms residual %.2g)\n", f.Boundary, f.Quantity, f.Form, fitSides(f.Sides), float64(f.Intercept), float64(f.RMS))
	}
	switch {
	case math.IsNaN(lo) || math.IsNaN(hi):
	case lo <= hi:
		fmt.Fprintf(out, "the largest torus and the largest free patch bracket the infinite-patch J* in [%.6f, %.6f] (if both sequences are monotone)\n", lo, hi)
	default:
		fmt.Fprintf(out, "the sequences do not bracket the infinite-patch J*: the largest torus's %.6f lies above the largest free patch's %.6f\n", lo, hi)
	}
	fmt.Fprintf(out, "exact J_c = %.6f; the plaquette's exact map: %s; 1/L is 1/√(L·M); trained: the instances' J_c medians, as bias-vs-dimension's\n", engine.JcExact, fmtNum(plaq))
}

func fitSides(L []int) string {
	if len(L) == 0 {
		return ""
	}
	return fmt.Sprintf("%d…%d (%d sides)", L[0], L[len(L)-1], len(L))
}

func fmtNum(x F) string {
	if math.IsNaN(float64(x)) {
		return "—"
	}
	return fmt.Sprintf("%.6f", float64(x))
}

// blockFigure draws the sequence against 1/L, J* above and λ below: the
// free patches from above and the tori from below with their fits
// extrapolated to the infinite patch (1/L → 0), the interval the two
// bracket, the exact J_c (and λ = √2, ν = 1), the plaquette's value, and
// the trained ensembles' medians ± standard errors at their blocks.
func blockFigure(path string, c *BlockConfig, rows []BlockRow, fits []BlockFit, plaq float64, smoke bool) error {
	top, err := blockPanel(c, rows, fits, "j_star", plaq, smoke)
	if err != nil {
		return err
	}
	bottom, err := blockPanel(c, rows, fits, "lambda", math.NaN(), false)
	if err != nil {
		return err
	}
	// J* the figure's subject, wide on the left; λ beside it
	const w, h = 15 * vg.Inch, 8.5 * vg.Inch
	data, err := plotfile.Render(path, w, h, func(cv draw.Canvas) {
		plotfile.Framed(top, draw.Crop(cv, 0, -w*0.36, 0, 0))
		plotfile.Framed(bottom, draw.Crop(cv, w*0.64, 0, 0, 0))
	})
	if err != nil {
		return err
	}
	return atomicfile.Write(path, data)
}

// blockPanel is one panel of blockFigure: quantity j_star or lambda.
func blockPanel(c *BlockConfig, rows []BlockRow, fits []BlockFit, quantity string, plaq float64, smoke bool) (*plot.Plot, error) {
	p := plotfile.New()
	value := func(r BlockRow) float64 { return float64(r.JStar) }
	if quantity == "lambda" {
		value = func(r BlockRow) float64 { return float64(r.Lambda) }
		p.Title.Text = "its relevant eigenvalue λ (exact √2, ν = 1)"
		p.Y.Label.Text = "λ"
	} else {
		setTitle(p, fmt.Sprintf("%s: the exact variational map's critical fixed point J* against the patch size (%s, %d coupling shell(s))", BiasVsBlock, c.Rep, c.Shells), smoke)
		p.Y.Label.Text = "J* (exact map), J_c estimates (trained)"
		if c.Shells > 1 {
			p.Y.Label.Text = "J*_1, the fixed point's nearest-shell coupling (not the axis J_c)"
		}
	}
	p.X.Label.Text = "1/L (L×L coarse sites; 0: the infinite patch)"
	p.Add(plotter.NewGrid())
	xmax := 1.0
	for _, r := range rows {
		xmax = math.Max(xmax, r.InvSize)
	}
	p.X.Min, p.X.Max = -0.03, xmax+0.05
	y := yRange{math.Inf(1), math.Inf(-1)}
	// the two boundaries' sequences
	style := map[string]struct {
		col   color.RGBA
		shape draw.GlyphDrawer
		name  string
	}{
		"free":  {colour(0), draw.CircleGlyph{}, "free:LxL (free boundary)"},
		"torus": {colour(1), draw.TriangleGlyph{}, "torus:LxL (periodic)"},
	}
	for _, boundary := range []string{"free", "torus"} {
		var xys plotter.XYs
		for _, r := range rows {
			if v := value(r); r.InSequence && r.Boundary == boundary && !math.IsNaN(v) {
				xys = append(xys, plotter.XY{X: r.InvSize, Y: v})
				y.include(v, v)
			}
		}
		if len(xys) == 0 {
			continue
		}
		st := style[boundary]
		l, sc, err := plotter.NewLinePoints(xys)
		if err != nil {
			return nil, err
		}
		l.Color, l.Width = st.col, vg.Points(1)
		sc.GlyphStyle = draw.GlyphStyle{Color: st.col, Radius: vg.Points(3.5), Shape: st.shape}
		p.Add(l, sc)
		p.Legend.Add("exact map, "+st.name, l, sc)
	}
	// the fits, extrapolated to 1/L = 0: each boundary's drawn one
	for _, f := range fits {
		if f.Quantity != quantity || !f.Drawn {
			continue
		}
		st := style[f.Boundary]
		x1 := 1 / float64(f.Sides[0])
		var xys plotter.XYs
		for k := 0; k <= 60; k++ {
			x := x1 * float64(k) / 60
			xys = append(xys, plotter.XY{X: x, Y: f.at(x)})
		}
		l, err := plotter.NewLine(xys)
		if err != nil {
			return nil, err
		}
		l.Color, l.Width, l.Dashes = st.col, vg.Points(1), []vg.Length{vg.Points(2), vg.Points(2)}
		end, err := plotter.NewScatter(plotter.XYs{{X: 0, Y: float64(f.Intercept)}})
		if err != nil {
			return nil, err
		}
		end.GlyphStyle = draw.GlyphStyle{Color: st.col, Radius: vg.Points(4), Shape: draw.CrossGlyph{}}
		p.Add(l, end)
		y.include(float64(f.Intercept), float64(f.Intercept))
		p.Legend.Add(fmt.Sprintf("fit %s, L ≥ %d: %.5f at 1/L = 0", f.Form, f.Sides[0], float64(f.Intercept)), l, end)
	}
	if quantity == "j_star" {
		if err := blockReferences(p, c, rows, plaq, &y); err != nil {
			return nil, err
		}
	} else {
		l, err := plotter.NewLine(plotter.XYs{{X: p.X.Min, Y: math.Sqrt2}, {X: p.X.Max, Y: math.Sqrt2}})
		if err != nil {
			return nil, err
		}
		l.Color, l.Width, l.Dashes = exactColour, vg.Points(1.2), []vg.Length{vg.Points(5), vg.Points(3)}
		p.Add(l)
		p.Legend.Add("exact λ = √2 (ν = 1)", l)
		y.include(math.Sqrt2, math.Sqrt2)
	}
	if !math.IsInf(y.lo, 0) {
		pad := 0.06 * math.Max(y.hi-y.lo, 0.01)
		p.Y.Min, p.Y.Max = y.lo-pad, y.hi+pad
		// some eight labels: these ranges are narrow and the values close
		p.Y.Tick.Marker = plotfile.Ticks{Most: 10}
	}
	p.Legend.TextStyle.Font.Size = vg.Points(9)
	return p, nil
}

// blockReferences adds to the J* panel what the exact map's sequences are
// read against: the bracket of the infinite-patch limit, the exact Ising
// J_c, the plaquette's exact map, and the trained ensembles as boxes right
// of their block's exact J*.
func blockReferences(p *plot.Plot, c *BlockConfig, rows []BlockRow, plaq float64, y *yRange) error {
	// the bracket of the infinite-patch limit
	if lo, hi := blockBracket(rows); !math.IsNaN(lo) && !math.IsNaN(hi) && hi >= lo {
		band, err := plotter.NewPolygon(plotter.XYs{{X: p.X.Min, Y: lo}, {X: p.X.Max, Y: lo}, {X: p.X.Max, Y: hi}, {X: p.X.Min, Y: hi}})
		if err != nil {
			return err
		}
		band.Color = color.NRGBA{R: 120, G: 120, B: 120, A: 60}
		band.LineStyle.Width = 0
		p.Add(band)
		p.Legend.Add(fmt.Sprintf("bracketed by the largest torus and free patch: [%.5f, %.5f]", lo, hi), swatch{band.Color})
	}
	l, err := plotter.NewLine(plotter.XYs{{X: p.X.Min, Y: engine.JcExact}, {X: p.X.Max, Y: engine.JcExact}})
	if err != nil {
		return err
	}
	l.Color, l.Width, l.Dashes = exactColour, vg.Points(1.2), []vg.Length{vg.Points(5), vg.Points(3)}
	p.Add(l)
	p.Legend.Add(fmt.Sprintf("the exact Ising J_c = %.6f (a reference, not the variational map's target)", engine.JcExact), l)
	y.include(engine.JcExact, engine.JcExact)
	if !math.IsNaN(plaq) {
		l, err := plotter.NewLine(plotter.XYs{{X: p.X.Min, Y: plaq}, {X: p.X.Max, Y: plaq}})
		if err != nil {
			return err
		}
		l.Color, l.Width, l.Dashes = color.Gray{Y: 90}, vg.Points(0.8), []vg.Length{vg.Points(1), vg.Points(2)}
		p.Add(l)
		p.Legend.Add(fmt.Sprintf("the plaquette's exact map (free:1x1): %.5f", plaq), l)
		y.include(plaq, plaq)
	}
	// the trained ensembles: a box of the instances' estimates right of
	// their block's exact map, the variational limit they are judged by
	boxes := 0
	for _, r := range rows {
		vals := finiteValues(r.Values)
		if len(vals) == 0 {
			continue
		}
		b, err := plotter.NewBoxPlot(vg.Points(9), r.InvSize+0.022, vals)
		if err != nil {
			return err
		}
		b.FillColor = translucent(colour(2), 110)
		b.BoxStyle.Color, b.MedianStyle.Color, b.MedianStyle.Width = colour(2), colour(2), vg.Points(2)
		b.WhiskerStyle.Color, b.CapWidth = colour(2), vg.Points(6)
		b.GlyphStyle.Color = colour(2)
		p.Add(b)
		y.include(slices.Min(vals), slices.Max(vals)) // the outliers too
		if boxes++; boxes == 1 {
			p.Legend.Add(fmt.Sprintf("trained (%s, %s; %d instances a block): the J_c estimates' quartiles, median and whiskers, right of their block's exact J*", c.Train.Loss, c.Train.Model, r.Instances), swatch{b.FillColor})
		}
	}
	return nil
}
