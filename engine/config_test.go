package engine

import (
	"errors"
	"math"
	"os"
	"reflect"
	"regexp"
	"slices"
	"strings"
	"testing"

	"github.com/rgflow/rgflow/reps"
)

func TestConfigDefaultsValid(t *testing.T) {
	c := DefaultConfig()
	if err := c.Validate(); err != nil {
		t.Fatal(err)
	}
	if got := c.TrajectoriesFor(1); got != 24 {
		t.Errorf("A1 trajectories %d, want 8·3 = 24", got)
	}
	if got := c.TrajectoriesFor(10); got != 1024 {
		t.Errorf("2A1+E trajectories %d, want the cap 1024", got)
	}
	if got := c.Layers(5); len(got) != 7 || got[1] != 80 || got[6] != 5 {
		t.Errorf("A1+E layers %v, want depth 5 width 80", got)
	}
}

func TestConfigDecode(t *testing.T) {
	cfg := DefaultConfig()
	err := DecodeConfig([]byte("rep = \"A1+E\"\nepochs = 7\n[hmc]\nbeta = 4.5\n[network]\nactivation = \"silu\"\n"), &cfg)
	if err != nil {
		t.Fatal(err)
	}
	if cfg.Rep != "A1+E" || cfg.Epochs != 7 || cfg.HMC.BetaT != 4.5 || cfg.Network.Activation != "silu" || cfg.HMC.SolveSteps != 32 {
		t.Errorf("decoded %+v", cfg)
	}
}

func TestConfigErrorsNameTheKey(t *testing.T) {
	cases := map[string]string{
		"epochs = 0":                      "epochs",
		"epochs = \"many\"":               "epochs",
		"ephocs = 10":                     "ephocs",
		"[hmc]\nbeta = -1":                "hmc.beta",
		"[hmc]\nsteps = 3":                "hmc.steps",
		"loss = \"mse\"":                  "loss",
		"model = \"mlp\"":                 "model",
		"[network]\nactivation = \"elu\"": "network.activation",
		"[newton]\ntol = inf":             "newton.tol",
		"[optimizer]\nlr = 0":             "optimizer.lr",
		"[output]\nplot = \"flow.pdf\"":   "output.plot",
		"rep = ":                          "line 1",
	}
	for src, key := range cases {
		cfg := DefaultConfig()
		err := DecodeConfig([]byte(src), &cfg)
		if err == nil {
			t.Errorf("%q: no error", src)
			continue
		}
		if !strings.Contains(err.Error(), key) {
			t.Errorf("%q: error %q does not name %q", src, err, key)
		}
	}
}

func TestRegistry(t *testing.T) {
	if got := Losses.Names(); len(got) != 3 || got[0] != LossKL || got[1] != LossCD || got[2] != LossCDEnergy {
		t.Errorf("losses %v", got)
	}
	if err := Losses.Check("mse"); err == nil || err.Error() != `loss must be "kl", "cd" or "cd-energy" (got "mse")` {
		t.Errorf("Check: %v", err)
	}
	if h := Models.Help(); h != "flow (J′ = J + f(J)) or monotone (J′ = J − ∇C(J))" {
		t.Errorf("Help: %q", h)
	}
	for _, name := range Losses.Names() {
		if l, _ := Losses.Lookup(name); l.New == nil || l.Cost == nil || !(l.Cost(DefaultConfig(), 1) > 0) {
			t.Errorf("loss %s is incomplete", name)
		}
	}
	for _, name := range Models.Names() {
		if m, _ := Models.Lookup(name); m.New == nil || !(m.NetCost > 0) {
			t.Errorf("model %s is incomplete", name)
		}
	}
	if _, ok := Presets.Lookup("anything"); ok {
		t.Error("a preset that was never registered")
	}
}

// The TOML comments of the config keys that take registered names name
// every one of them, so the example files cannot fall behind.
func TestConfigCommentsListTheRegistries(t *testing.T) {
	typ := reflect.TypeFor[Config]()
	for field, names := range map[string][]string{"Loss": Losses.Names(), "Model": Models.Names()} {
		f, _ := typ.FieldByName(field)
		for _, n := range names {
			if !strings.Contains(f.Tag.Get("comment"), n) {
				t.Errorf("the comment of %s does not mention %q", f.Tag.Get("toml"), n)
			}
		}
	}
}

// Decoding errors speak of keys and values, never of Go types; a typo gets
// a suggestion.
func TestConfigErrorsInUserTerms(t *testing.T) {
	for src, want := range map[string]string{
		`epochs = "ten"`:                  `epochs: expected an integer, got "ten" (line 1, column 10)`,
		`epochs = 1e8`:                    `epochs: expected an integer, got 1e8 (line 1, column 10); write it as 100000000`,
		"[network]\nwidth = 2.5":          `network.width: expected an integer, got 2.5 (line 2`,
		`seed = -1`:                       `seed: expected a non-negative integer, got -1 (line 1, column 8)`,
		`sEed = -3`:                       `sEed: expected a non-negative integer, got -3 (line 1, column 8)`,
		`init_scale = "big"`:              `init_scale: expected a number, got "big"`,
		`rep = ["A1"]`:                    `rep: expected a string, got a list`,
		`network = 3`:                     `network: expected a table, got 3`,
		"[[hmc]]\ndt = 1":                 `hmc: expected a table, got an array of tables`,
		`epochs = 99999999999999999999`:   `epochs: 99999999999999999999 is too large for an integer`,
		`ephocs = 10`:                     `unknown key "ephocs" (did you mean "epochs"?)`,
		"[hcm]\nbeta = 1":                 `unknown key "hcm" (did you mean "hmc"?)`,
		"[hmc]\nbetta = 1":                `unknown key "hmc.betta" (did you mean "hmc.beta"?)`,
		`init_scale = 1e300`:              `init_scale must be a positive number no larger than 100 (got 1e+300)`,
		"[newton]\ntol = inf":             `newton.tol must be a positive number below 1 (got +Inf)`,
		"[newton]\nstart = nan":           `newton.start must be a number from −100 to 100 (got NaN)`,
		"[hmc]\ndt = 5":                   `hmc.dt must be a positive number no larger than 1`,
		"[hmc]\nsolve_steps = 10000000":   `hmc.solve_steps must be between 1 and 1e+06`,
		"[optimizer]\nlr = inf":           `optimizer.lr must be a positive number`,
		"[output]\ncheckpoint_every = -2": `output.checkpoint_every must be`,
		"workers = 100000":                `workers must be 0 (one per CPU) up to 4096`,
	} {
		cfg := DefaultConfig()
		err := DecodeConfig([]byte(src), &cfg)
		if err == nil || !strings.Contains(err.Error(), want) {
			t.Errorf("%q: error %v, want %q", src, err, want)
		}
	}
	cfg := DefaultConfig()
	if err := DecodeConfig([]byte("[output]\nplot = \"Flow.PNG\""), &cfg); err != nil {
		t.Errorf("an upper-case .PNG: %v", err)
	}
}

// goTypeName matches what no message may show: Go types and field names.
var goTypeName = regexp.MustCompile(`engine\.|bench\.|struct field|of type|float64|uint64|\[\]string|Go value`)

// Whatever bytes a config file holds, decoding it neither panics nor
// speaks of Go types; what it accepts is valid and encodes back to itself.
func FuzzDecodeConfig(f *testing.F) {
	for _, seed := range []string{
		"", "epochs = 10", `epochs = "ten"`, "[hmc]\nbeta = 4.5\nsolve_steps = 3", "[network]\nwidth = 1e8",
		"rep = 'A1+E'\n[cd]\nsamples = 64", "[[hmc]]", "init_scale = 1e300", "[newton]\ntol = inf", "a.b.c = 1",
		"[output]\ncheckpoint_every = -1", "seed = -3", "epochs = 1979-05-27T07:32:00Z", "reps = [1, 'a']",
	} {
		f.Add([]byte(seed))
	}
	if data, err := os.ReadFile("../examples/a1-kl.toml"); err == nil {
		f.Add(data)
	}
	f.Fuzz(func(t *testing.T, data []byte) {
		cfg := DefaultConfig()
		err := DecodeConfig(data, &cfg)
		if err != nil {
			if goTypeName.MatchString(err.Error()) {
				t.Fatalf("%q: the error speaks of Go: %v", data, err)
			}
			return
		}
		enc, err := cfg.Encode()
		if err != nil {
			t.Fatal(err)
		}
		back := DefaultConfig()
		if err := DecodeConfig(enc, &back); err != nil || !reflect.DeepEqual(back, cfg) {
			t.Fatalf("%q does not read back: %v", enc, err)
		}
	})
}

// The resource check refuses what cannot fit, naming the key that drives
// the estimate; the defaults fit.
func TestResourcesRefuseWhatCannotFit(t *testing.T) {
	for key, set := range map[string]func(*Config){
		"trajectories":     func(c *Config) { c.Trajectories = 3_000_000_000 },
		"max_trajectories": func(c *Config) { c.MaxTraj = 2_000_000_000; c.Network.Width = 4 },
		"network.width":    func(c *Config) { c.Network.Width = 100_000_000 },
		"cd.samples":       func(c *Config) { c.Loss, c.CD.Samples = LossCD, 1_000_000_000 },
		"epochs":           func(c *Config) { c.Epochs = 1e12 },
	} {
		cfg := DefaultConfig()
		set(&cfg)
		r := EstimateResources(cfg, 5, 20, cfg.Epochs) // 2A1+2E: 8·3^20 trajectories uncapped
		err := r.Check()
		var re *ResourceError
		if !errors.As(err, &re) || re.Key != key || !strings.HasPrefix(err.Error(), key+" = ") || !strings.Contains(err.Error(), "of memory") {
			t.Errorf("%s: %v", key, err)
		}
	}
	for _, rep := range []string{"A1", "A1+E", "2A1+E", "A1+2E"} {
		r, _ := reps.Builtin(rep)
		cfg := DefaultConfig()
		if err := EstimateResources(cfg, r.D, r.C(), cfg.Epochs).Check(); err != nil {
			t.Errorf("%s on defaults: %v", rep, err)
		}
	}
}

// The read-out's estimate counts the exact KL's evaluations where there
// are any: beyond reps.MaxExactDim the gaps are not computed, and the
// estimate is none (it said 31 hours for a 3A1+2E run's seconds).
func TestReadOutEstimateWithinTheExactRange(t *testing.T) {
	cfg := DefaultConfig()
	for _, name := range []string{"A1+2E", "2A1+2E", "3A1+2E", "2A1+3E"} {
		r, _ := reps.Builtin(name)
		got := EstimateResources(cfg, r.D, r.C(), cfg.Epochs).ReadOutSeconds
		if want := r.D <= reps.MaxExactDim; (got > 0) != want {
			t.Errorf("%s (d = %d): read-out estimate %g s", name, r.D, got)
		}
	}
}

// Every key of the configuration has a JSON name equal to its TOML name
// (checkpoints, summaries and runs.jsonl use them), and a comment that
// rgflow config prints.
func TestConfigJSONTagsAreTOMLNames(t *testing.T) {
	var walk func(typ reflect.Type, prefix string)
	walk = func(typ reflect.Type, prefix string) {
		for i := 0; i < typ.NumField(); i++ {
			f := typ.Field(i)
			tomlName := strings.Split(f.Tag.Get("toml"), ",")[0]
			jsonName := strings.Split(f.Tag.Get("json"), ",")[0]
			if tomlName == "" || jsonName != tomlName {
				t.Errorf("%s%s: toml %q, json %q", prefix, f.Name, tomlName, jsonName)
			}
			if f.Tag.Get("comment") == "" {
				t.Errorf("%s%s has no comment for rgflow config", prefix, tomlName)
			}
			if f.Type.Kind() == reflect.Struct {
				walk(f.Type, prefix+tomlName+".")
			}
		}
	}
	walk(reflect.TypeFor[Config](), "")
}

// A diverged run's message names the keys that set step sizes and scales
// and differ from the defaults (of its preset), not lr and dt blindly.
func TestDivergenceHint(t *testing.T) {
	cfg := DefaultConfig()
	if h := cfg.divergenceHint(); h != "try a smaller optimizer.lr or hmc.dt" {
		t.Errorf("defaults: %q", h)
	}
	cfg.Optimizer.Beta2 = 1e-12
	if h := cfg.divergenceHint(); !strings.Contains(h, "optimizer.beta2 = 1e-12 (default 0.999)") || strings.Contains(h, "input_scale") {
		t.Errorf("beta2 = 1e-12: %q", h)
	}
	hy := DefaultConfig()
	if err := hy.ApplyPreset(PresetHouYou); err != nil {
		t.Fatal(err)
	}
	if h := hy.divergenceHint(); h != "try a smaller optimizer.lr or hmc.dt" {
		t.Errorf("the hou-you preset's own values: %q", h)
	}
}

// Every key of the configuration (rgflow config's TOML) has one row in
// configKeys, and the bounds the keys' comments state are the rows':
// "at most N" is atMost, "in (a, b]" is span; a value at the bound is
// accepted and one past it refused, naming the key.
func TestConfigKeysTable(t *testing.T) {
	rows := map[string]*configKey{}
	for i := range configKeys {
		k := &configKeys[i]
		if rows[k.key] != nil {
			t.Errorf("configKeys has two rows for %s", k.key)
		}
		rows[k.key] = k
	}
	atMost := regexp.MustCompile(`at most ([0-9.e+]+)`)
	span := regexp.MustCompile(`in ([\[(]-?[0-9.]+, -?[0-9.]+[\])])`)
	seen := map[string]bool{}
	var walk func(typ reflect.Type, prefix string, index []int)
	walk = func(typ reflect.Type, prefix string, index []int) {
		for i := 0; i < typ.NumField(); i++ {
			f := typ.Field(i)
			key := prefix + strings.Split(f.Tag.Get("toml"), ",")[0]
			idx := append(slices.Clone(index), i)
			if f.Type.Kind() == reflect.Struct {
				walk(f.Type, key+".", idx)
				continue
			}
			seen[key] = true
			row := rows[key]
			if row == nil {
				t.Errorf("%s has no row in configKeys", key)
				continue
			}
			comment := f.Tag.Get("comment")
			if m := atMost.FindStringSubmatch(comment); m != nil || row.atMost != 0 {
				if m == nil || m[1] != plainNumber(row.atMost) {
					t.Errorf("%s: the comment states %q, the table at most %v", key, m, row.atMost)
				}
				boundary(t, key, idx, row.atMost)
			}
			if m := span.FindStringSubmatch(comment); m != nil || row.span != nil {
				if m == nil || row.span == nil || m[1] != row.span.String() {
					t.Errorf("%s: the comment states %q, the table %v", key, m, row.span)
				}
			}
			if row.span != nil {
				edges(t, key, idx, row.span)
			}
		}
	}
	walk(reflect.TypeFor[Config](), "", nil)
	for key := range rows {
		if !seen[key] {
			t.Errorf("configKeys has a row for %s, which is no key of the configuration", key)
		}
	}
}

// setKey sets the field at index of a default configuration to x and
// returns Validate's error.
func setKey(index []int, x float64) error {
	c := DefaultConfig()
	v := reflect.ValueOf(&c).Elem().FieldByIndex(index)
	if v.Kind() == reflect.Int {
		v.SetInt(int64(x))
	} else {
		v.SetFloat(x)
	}
	return c.Validate()
}

// boundary checks that hi is accepted and the next value above refused.
func boundary(t *testing.T, key string, index []int, hi float64) {
	t.Helper()
	if err := setKey(index, hi); err != nil {
		t.Errorf("%s = %v, its stated maximum, is refused: %v", key, hi, err)
	}
	if err := setKey(index, hi+1); err == nil || !strings.HasPrefix(err.Error(), key+" ") {
		t.Errorf("%s = %v, past its stated maximum: error %v", key, hi+1, err)
	}
}

// edges checks an interval's ends: a closed end is accepted, an open one
// refused, and so is a value just outside either end.
func edges(t *testing.T, key string, index []int, iv *interval) {
	t.Helper()
	for _, e := range []struct {
		x    float64
		open bool
	}{{iv.lo, iv.openLo}, {iv.hi, iv.openHi}} {
		if err := setKey(index, e.x); (err != nil) != e.open {
			t.Errorf("%s = %v at an end of %v: error %v", key, e.x, iv, err)
		}
	}
	for _, x := range []float64{math.Nextafter(iv.lo, math.Inf(-1)), math.Nextafter(iv.hi, math.Inf(1)), math.NaN()} {
		if err := setKey(index, x); err == nil || !strings.HasPrefix(err.Error(), key+" ") {
			t.Errorf("%s = %v, outside %v: error %v", key, x, iv, err)
		}
	}
}
