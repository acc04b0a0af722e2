package engine

import (
	"reflect"
	"strings"
	"testing"
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
