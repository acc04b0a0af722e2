package engine

import (
	"context"
	"errors"
	"math/rand/v2"
	"path/filepath"
	"reflect"
	"strings"
	"testing"

	"github.com/rgflow/rgflow/engine/divergence"
	"github.com/rgflow/rgflow/engine/geometry"
	"github.com/rgflow/rgflow/reps"
)

// block and shells are validated with the rest of the configuration, each
// bad value named by its key.
func TestConfigBlockValidated(t *testing.T) {
	for _, c := range []struct {
		block       string
		shells      int
		bonds       string
		key, phrase string
	}{
		{"free:0x2", 1, BondsRotated, "block", "sides must be between 1 and"},
		{"hexagon", 1, BondsRotated, "block", "unknown block"},
		{"torus:1x3", 1, BondsRotated, "block", "at least 2 coarse sites"},
		{"free:2x2", 3, BondsRotated, "shells", "1 to 2"},
		{"free:2x2", 0, BondsRotated, "shells", "1 to 2"},
		{"plaquette", 2, BondsRotated, "shells", "no shell-2 neighbour"},
		{"free:2x2", 1, BondsUnrotated, "block", "rotated bonds"},
		{"plugin:", 1, BondsRotated, "block", "names no plugin"},
	} {
		cfg := DefaultConfig()
		cfg.Block, cfg.Shells, cfg.Bonds = c.block, c.shells, c.bonds
		if c.bonds == BondsUnrotated {
			cfg.CoarseMirror = "axis"
		}
		var ce *ConfigError
		err := cfg.Validate()
		if !errors.As(err, &ce) || ce.Key != c.key || !strings.Contains(err.Error(), c.phrase) {
			t.Errorf("block %q, shells %d, bonds %s: %v; want an error of key %s saying %q", c.block, c.shells, c.bonds, err, c.key, c.phrase)
		}
	}
	for _, ok := range []struct {
		block  string
		shells int
	}{{"plaquette", 1}, {"free:1x1", 1}, {"free:3x2", 2}, {"torus:3x3", 1}, {"plugin:ring", 1}, {"plugin:./x/rgflow-block-y", 2}} {
		cfg := DefaultConfig()
		cfg.Block, cfg.Shells = ok.block, ok.shells
		if err := cfg.Validate(); err != nil {
			t.Errorf("block %q, shells %d refused: %v", ok.block, ok.shells, err)
		}
	}
}

func blockConfig(block string, shells int) Config {
	cfg := shortConfig()
	cfg.Block, cfg.Shells = block, shells
	cfg.Epochs = 12
	return cfg
}

// A trainer on a block trains on the block's divergence: its loss is
// divergence.Pair's KL per coarse site for the same couplings, its
// couplings are the representation's times the shells, and its summary
// names the block.
func TestTrainerOnBlock(t *testing.T) {
	rep, _ := reps.Builtin("A1")
	for _, c := range []struct {
		block         string
		shells, sites int
	}{{"free:2x2", 1, 4}, {"free:3x1", 2, 3}, {"torus:2x2", 1, 4}} {
		tr, err := NewTrainer(blockConfig(c.block, c.shells), rep)
		if err != nil {
			t.Fatal(err)
		}
		p, ok := GeometryPair(tr.Pair)
		if !ok || tr.C != c.shells || tr.Pair.CoarseSites() != c.sites || tr.Pair.Plaquette() != tr.Blocks {
			t.Fatalf("%s: the trainer's block pair is %T with c = %d, %d coarse sites", c.block, tr.Pair, tr.C, tr.Pair.CoarseSites())
		}
		g, _ := geometry.Parse(c.block, c.shells)
		want, err := divergence.New(g, rep, "axis")
		if err != nil {
			t.Fatal(err)
		}
		rng := rand.New(rand.NewPCG(1, 2))
		J, Jp := make([]float64, tr.C), make([]float64, tr.C)
		for a := range J {
			J[a], Jp[a] = 0.3+0.5*rng.Float64(), 0.3+0.5*rng.Float64()
		}
		loss, grad := make([]float64, 1), make([]float64, tr.C)
		tr.Loss.Eval(J, Jp, loss, grad, 0)
		kl, g2 := want.KL(J, Jp)
		if loss[0] != kl || !reflect.DeepEqual(grad, g2) || p.Geometry.Name != g.Name {
			t.Errorf("%s: the trainer's loss %v %v, the divergence's %v %v", c.block, loss[0], grad, kl, g2)
		}
		if err := tr.Run(context.Background(), nil, nil); err != nil {
			t.Fatal(err)
		}
		s := tr.Summary()
		if s.Block != g.Name || s.CoarseSites != c.sites || s.Shells != c.shells || s.C != c.shells {
			t.Errorf("%s: summary block %q, %d coarse sites, %d shells, c = %d", c.block, s.Block, s.CoarseSites, s.Shells, s.C)
		}
	}
	// the plaquette keeps the kernels' blocks
	tr, err := NewTrainer(blockConfig("free:1x1", 1), rep)
	if err != nil {
		t.Fatal(err)
	}
	if tr.Pair != BlockPair(tr.Blocks) || tr.Summary().Block != geometry.PlaquetteName {
		t.Errorf("free:1x1 trains on %T, not the plaquette's Blocks", tr.Pair)
	}
	// cd-energy is the plaquette's alone
	cfg := blockConfig("free:2x2", 1)
	cfg.Loss = LossCDEnergy
	if _, err := NewTrainer(cfg, rep); err == nil || !strings.Contains(err.Error(), "plaquette only") {
		t.Errorf("cd-energy on free:2x2: %v", err)
	}
}

// A run on a block stopped, checkpointed and resumed is the run that
// never stopped, bit for bit; its checkpoint fingerprints the geometry,
// and a resume on another geometry under the same block name (a plugin's
// that changed) is refused, naming the field.
func TestBlockCheckpointResume(t *testing.T) {
	rep, _ := reps.Builtin("A1")
	g, err := geometry.FromCoarse("pair", [][2]int{{0, 0}, {1, 0}, {1, 1}}, 0, 0, 1)
	if err != nil {
		t.Fatal(err)
	}
	cfg := blockConfig("plugin:pair", 1)
	full := train(t, cfg, WithGeometry(g))
	tr, err := NewTrainer(cfg, rep, WithGeometry(g))
	if err != nil {
		t.Fatal(err)
	}
	for i := 0; i < 5; i++ {
		if _, err := tr.Step(); err != nil {
			t.Fatal(err)
		}
	}
	path := filepath.Join(t.TempDir(), "run.ckpt")
	if err := tr.SaveCheckpoint(path); err != nil {
		t.Fatal(err)
	}
	ck, err := LoadCheckpoint(path)
	if err != nil {
		t.Fatal(err)
	}
	if ck.BlockDigest != g.Digest() || ck.BlockDigest == "" {
		t.Fatalf("the checkpoint's block digest is %q, the geometry's %q", ck.BlockDigest, g.Digest())
	}
	res, err := Resume(ck, rep, 0, WithGeometry(g))
	if err != nil {
		t.Fatal(err)
	}
	if err := res.Run(context.Background(), nil, nil); err != nil {
		t.Fatal(err)
	}
	if !reflect.DeepEqual(full.Model.Params(), res.Model.Params()) || !reflect.DeepEqual(full.Roots, res.Roots) {
		t.Fatal("the resumed block run differs from the uninterrupted one")
	}
	other, err := geometry.FromCoarse("pair", [][2]int{{0, 0}, {1, 0}, {0, 1}}, 0, 0, 1)
	if err != nil {
		t.Fatal(err)
	}
	ck, _ = LoadCheckpoint(path)
	var cke *CheckpointError
	if _, err := Resume(ck, rep, 0, WithGeometry(other)); !errors.As(err, &cke) || cke.Field != "block_digest" {
		t.Errorf("resume on another geometry: %v", err)
	}
	// without the plugin's geometry the block cannot be built
	if _, err := Resume(ck, rep, 0); err == nil || !strings.Contains(err.Error(), "plugin") {
		t.Errorf("resume of a plugin block without its geometry: %v", err)
	}
	// a geometry of another number of shells than the configuration's
	if _, err := NewTrainer(blockConfig("plugin:pair", 2), rep, WithGeometry(g)); err == nil || !strings.Contains(err.Error(), "shells") {
		t.Errorf("a one-shell geometry with shells = 2: %v", err)
	}
}
