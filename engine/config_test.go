package engine

import (
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
		"epochs = 0":                    "epochs",
		"epochs = \"many\"":             "epochs",
		"ephocs = 10":                   "ephocs",
		"[hmc]\nbeta = -1":              "hmc.beta",
		"[hmc]\nsteps = 3":              "hmc.steps",
		"loss = \"mse\"":                "loss",
		"[optimizer]\nlr = 0":           "optimizer.lr",
		"[output]\nplot = \"flow.pdf\"": "output.plot",
		"rep = ":                        "line 1",
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
