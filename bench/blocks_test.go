package bench

import (
	"math"
	"path/filepath"
	"strconv"
	"strings"
	"testing"

	"github.com/rgflow/rgflow/engine/oracle"
	"github.com/rgflow/rgflow/reps"
)

// checkBlockOutputs checks bias-vs-block's quick tables: a row per block of
// the sequences and the trained ones, the plaquette's J* the plaquette
// kernels' own A1 fixed point (oracle.A1FixedPoint, another code path than
// the suite's fixed-point search), the free sequence falling and the
// periodic one rising toward each other, the trained block's instances
// recorded beside its exact map, and the fits' intercepts their
// coefficients' first.
func checkBlockOutputs(t *testing.T, dir string, planned int) {
	t.Helper()
	rows := checkCSV(t, filepath.Join(dir, BiasVsBlock+".csv"), blockHeader, 5)
	col := map[string]int{}
	for i, h := range blockHeader {
		col[h] = i
	}
	num := func(r []string, k string) float64 {
		v, err := strconv.ParseFloat(r[col[k]], 64)
		if err != nil {
			t.Fatalf("%s: %s = %q", r[0], k, r[col[k]])
		}
		return v
	}
	a1, err := oracle.A1FixedPoint()
	if err != nil {
		t.Fatal(err)
	}
	jstar := map[string]float64{}
	for _, r := range rows {
		jstar[r[col["block"]]] = num(r, "j_star")
		if num(r, "axis_jc") != num(r, "j_star") || r[col["fixed_point"]] == "" {
			t.Errorf("%s: one coupling, yet axis_jc %s is not j_star %s (fixed point %q)", r[0], r[col["axis_jc"]], r[col["j_star"]], r[col["fixed_point"]])
		}
		if r[col["block"]] == "free:2x2" && (r[col["instances"]] != "2" || r[col["ok"]] != "2" || math.Abs(num(r, "distance")-(num(r, "median")-num(r, "j_star"))) > 1e-7) {
			t.Errorf("free:2x2: the trained instances are not beside the exact map: %v", r)
		}
	}
	if math.Abs(jstar["plaquette"]-a1) > 1e-6 {
		t.Errorf("the plaquette's J* %v, the kernels' A1 fixed point %v", jstar["plaquette"], a1)
	}
	if !(jstar["plaquette"] > jstar["free:2x2"] && jstar["free:2x2"] > jstar["free:3x3"] && jstar["free:3x3"] > jstar["torus:3x3"] && jstar["torus:3x3"] > jstar["torus:2x2"]) {
		t.Errorf("the sequences are not ordered free from above, tori from below: %v", jstar)
	}
	fits := checkCSV(t, filepath.Join(dir, BiasVsBlock+"-fits.csv"), fitHeader, 2)
	for _, f := range fits {
		if a := strings.Fields(f[5])[0]; !strings.HasPrefix(a, f[4][:6]) {
			t.Errorf("fit %v: intercept %s, first coefficient %s", f, f[4], a)
		}
	}
	checkCSV(t, filepath.Join(dir, BiasVsBlock+"-runs.csv"), runsHeader, planned)
	checkJSON(t, filepath.Join(dir, BiasVsBlock+".json"))
	checkFigure(t, filepath.Join(dir, BiasVsBlock))
}

// powerFit recovers the coefficients of data it can fit exactly, and
// leaves a residual on data it cannot.
func TestPowerFit(t *testing.T) {
	var x, y []float64
	for L := 3; L <= 10; L++ {
		x = append(x, 1/float64(L))
		y = append(y, 0.73+0.1/float64(L)-0.05/float64(L*L))
	}
	coef, rms, ok := powerFit(x, y, []int{1, 2})
	if !ok || math.Abs(coef[0]-0.73) > 1e-12 || math.Abs(coef[1]-0.1) > 1e-11 || math.Abs(coef[2]+0.05) > 1e-10 || rms > 1e-13 {
		t.Errorf("a + b/L + c/L²: %v (rms %g)", coef, rms)
	}
	if _, rms, _ := powerFit(x, y, []int{1}); rms < 1e-5 {
		t.Errorf("a + b/L fits a quadratic in 1/L to rms %g", rms)
	}
	f := BlockFit{Powers: []int{1, 2}, Coef: coef}
	if v := f.at(0.25); math.Abs(v-(0.73+0.025-0.05/16)) > 1e-12 {
		t.Errorf("the fit at 1/L = 0.25: %v", v)
	}
}

// Fits need a residual degree of freedom, use square patches of the
// sequence from fit_min_side on, and the figure draws one form a
// boundary; the bracket runs from the largest torus J* to the smallest
// free one.
func TestBlockFitsAndBracket(t *testing.T) {
	c := &BlockConfig{FitMinSide: 2}
	var rows []BlockRow
	for L := 1; L <= 5; L++ {
		rows = append(rows, BlockRow{Boundary: "free", L: L, M: L, InSequence: true, JStar: F(0.73 + 0.1/float64(L)), Lambda: nan()})
	}
	rows = append(rows,
		BlockRow{Boundary: "free", L: 3, M: 2, InSequence: false, JStar: 9, Lambda: nan()},
		BlockRow{Boundary: "torus", L: 2, M: 2, InSequence: true, JStar: 0.64, Lambda: 1.5},
		BlockRow{Boundary: "torus", L: 3, M: 3, InSequence: true, JStar: 0.69, Lambda: 1.49})
	fits := blockFits(c, rows)
	drawn := 0
	for _, f := range fits {
		if f.Boundary != "free" || f.Quantity != "j_star" || len(f.Sides) != 4 || f.Sides[0] != 2 {
			t.Errorf("unexpected fit %+v", f)
		}
		if f.Form == "a + b/L" && math.Abs(float64(f.Intercept)-0.73) > 1e-12 {
			t.Errorf("a + b/L: intercept %v", f.Intercept)
		}
		if f.Drawn {
			drawn++
		}
	}
	if len(fits) != len(fitForms) || drawn != 1 {
		t.Errorf("%d fits, %d drawn: %+v", len(fits), drawn, fits)
	}
	if lo, hi := blockBracket(rows); lo != 0.69 || math.Abs(hi-0.75) > 1e-12 {
		t.Errorf("bracket [%v, %v], want [0.69, 0.75]", lo, hi)
	}
}

// bias-vs-block refuses what it cannot compute, naming the key, and sets
// its blocks itself.
func TestBlockConfigErrors(t *testing.T) {
	for _, tc := range []struct {
		edit func(*BlockConfig)
		want string
	}{
		{func(c *BlockConfig) { c.Shells = 2 }, "free_sides: the plaquette"},
		{func(c *BlockConfig) { c.Shells = 3 }, "shells must be 1 to 2"},
		{func(c *BlockConfig) { c.TorusSides = []int{1} }, "torus_sides"},
		{func(c *BlockConfig) { c.FreeSides, c.TorusSides = nil, nil }, "at least one side"},
		{func(c *BlockConfig) { c.Trained = []string{"plugin:foo"} }, "trained: plugin:foo"},
		{func(c *BlockConfig) { c.Trained = []string{"free:0x2"} }, "trained:"},
		{func(c *BlockConfig) { c.FitMinSide = 0 }, "fit_min_side"},
	} {
		cfg, _ := Default(BiasVsBlock)
		tc.edit(cfg.(*BlockConfig))
		if err := cfg.Validate(); err == nil || !strings.Contains(err.Error(), tc.want) {
			t.Errorf("want an error naming %q, got %v", tc.want, err)
		}
	}
	cfg, _ := Default(BiasVsBlock)
	if err := SetBlock(cfg, "free:2x2", 0); err == nil || !strings.Contains(err.Error(), "sets its blocks itself") {
		t.Errorf("SetBlock on %s: %v", BiasVsBlock, err)
	}
}

// The plan trains every trained block with every seed, on its block, with
// keys that differ block by block.
func TestPlanBlocks(t *testing.T) {
	cfg, _ := Quick(BiasVsBlock)
	c := cfg.(*BlockConfig)
	c.Trained = []string{"free:1x1", "free:2x2", "torus:2x2"}
	plan := planSuite(c, builtinReps(t, c))
	if len(plan) != 3*len(c.seeds()) {
		t.Fatalf("%d runs planned", len(plan))
	}
	keys := map[string]bool{}
	for _, s := range plan {
		if keys[s.Key] || s.Cfg.Rep != "A1" || s.Cfg.Shells != c.Shells || s.Cfg.Epochs != c.Epochs {
			t.Errorf("run %s: %+v", s.Key, s.Cfg)
		}
		keys[s.Key] = true
	}
	if plan[0].Cfg.Block != "plaquette" || !strings.Contains(plan[2].Label, "torus:2x2") {
		t.Errorf("blocks %s (%s), %s (%s)", plan[0].Cfg.Block, plan[0].Label, plan[2].Cfg.Block, plan[2].Label)
	}
}

func builtinReps(t *testing.T, c *BlockConfig) map[string]*reps.Rep {
	t.Helper()
	r, err := reps.Builtin(c.Rep)
	if err != nil {
		t.Fatal(err)
	}
	return map[string]*reps.Rep{c.Rep: r}
}

// rgflow bench -block and -shells set every run's block in the other
// suites, and refuse a block that does not exist before any work.
func TestSetBlock(t *testing.T) {
	cfg, _ := Quick(KLvsCD)
	if err := SetBlock(cfg, "free:2x2", 0); err != nil {
		t.Fatal(err)
	}
	c := cfg.(*DistConfig)
	plan := planSuite(c, map[string]*reps.Rep{"A1": mustRep(t, "A1")})
	if len(plan) == 0 {
		t.Fatal("no runs planned")
	}
	for _, s := range plan {
		if s.Cfg.Block != "free:2x2" || s.Cfg.Shells != 1 || !strings.Contains(s.Label, "free:2x2") {
			t.Errorf("run %s trains on %s with %d shells", s.Label, s.Cfg.Block, s.Cfg.Shells)
		}
	}
	if err := SetBlock(cfg, "free:0x2", 0); err == nil || !strings.Contains(err.Error(), "free:0x2") {
		t.Errorf("a bad block: %v", err)
	}
}

func mustRep(t *testing.T, name string) *reps.Rep {
	t.Helper()
	r, err := reps.Builtin(name)
	if err != nil {
		t.Fatal(err)
	}
	return r
}
