package engine

import (
	"encoding/json"
	"path/filepath"
	"reflect"
	"strings"
	"testing"

	"github.com/rgflow/rgflow/reps"
)

// A checkpoint's Model is the trainer's map, bit for bit: J′ and the
// Jacobian at several points, after a few epochs, for both model kinds,
// with and without layer norm and Hou & You's input scale, the checkpoint
// read back from its file.
func TestCheckpointModelIsTheTrainersMap(t *testing.T) {
	cases := []struct {
		model, act string
		norm       bool
		scale      float64
	}{
		{"flow", "relu", false, 1},
		{"flow", "tanh", true, 2},
		{"monotone", "tanh", true, 2},
		{"monotone", "silu", false, 1},
	}
	rep, _ := reps.Builtin("A1+E")
	points := [][]float64{{0.8, 0, 0, 0, 0}, {0.3, -0.2, 0.5, 0.1, -0.4}, {-1.1, 0.7, 0.05, -0.3, 0.2}}
	for _, tc := range cases {
		cfg := shortConfig()
		cfg.Rep, cfg.Model = "A1+E", tc.model
		cfg.Network.Activation, cfg.Network.LayerNorm, cfg.Network.InputScale = tc.act, tc.norm, tc.scale
		cfg.Network.Depth, cfg.Network.Width = 2, 8
		cfg.Trajectories, cfg.Epochs = 8, 6
		tr, err := NewTrainer(cfg, rep)
		if err != nil {
			t.Fatal(err)
		}
		for tr.Epoch < 3 {
			if _, err := tr.Step(); err != nil {
				t.Fatal(err)
			}
		}
		path := filepath.Join(t.TempDir(), "ck.json")
		if err := tr.SaveCheckpoint(path); err != nil {
			t.Fatal(err)
		}
		ck, err := LoadCheckpoint(path)
		if err != nil {
			t.Fatal(err)
		}
		m, err := ck.Model()
		if err != nil {
			t.Fatalf("%+v: %v", tc, err)
		}
		if !reflect.DeepEqual(m.Params(), tr.Model.Params()) {
			t.Fatalf("%+v: the rebuilt model's parameters differ", tc)
		}
		for _, J := range points {
			f0, jac0 := tr.Model.FlowJacobian(J)
			f1, jac1 := m.FlowJacobian(J)
			if !reflect.DeepEqual(f0, f1) || !reflect.DeepEqual(jac0, jac1) {
				t.Errorf("%+v at %v: the checkpoint's map differs from the trainer's:\nf %v\n  %v\njac %v\n    %v", tc, J, f1, f0, jac1, jac0)
			}
			if fl := m.Flow(J); !reflect.DeepEqual(fl, f0) {
				t.Errorf("%+v at %v: Flow %v, FlowJacobian's f %v", tc, J, fl, f0)
			}
		}
	}
}

// A checkpoint whose network does not fit its configuration, or its
// representation, is refused in a sentence that says so.
func TestCheckpointModelRefusesMisfits(t *testing.T) {
	cfg := shortConfig()
	cfg.Trajectories, cfg.Epochs = 4, 2
	rep, _ := reps.Builtin("A1")
	tr, err := NewTrainer(cfg, rep)
	if err != nil {
		t.Fatal(err)
	}
	good, err := tr.Checkpoint()
	if err != nil {
		t.Fatal(err)
	}
	clone := func() *Checkpoint {
		data, _ := json.Marshal(good)
		var ck Checkpoint
		if err := json.Unmarshal(data, &ck); err != nil {
			t.Fatal(err)
		}
		return &ck
	}
	for _, tc := range []struct {
		name string
		edit func(*Checkpoint)
		want string
	}{
		{"params", func(ck *Checkpoint) { ck.Params = ck.Params[1:] }, "does not fit its own configuration"},
		{"sizes", func(ck *Checkpoint) { ck.Sizes = []int{1, 17, 1} }, "does not fit its own configuration"},
		{"rep", func(ck *Checkpoint) { ck.Rep = "A1+E" }, "representation A1+E has c = 5"},
		{"empty", func(ck *Checkpoint) { ck.Sizes = nil }, "has no layers"},
		{"format", func(ck *Checkpoint) { ck.Format = 7 }, "format 7 is not supported"},
		{"config", func(ck *Checkpoint) { ck.Config.Network.Activation = "cosh" }, "network.activation"},
	} {
		ck := clone()
		tc.edit(ck)
		if _, err := ck.Model(); err == nil || !strings.Contains(err.Error(), tc.want) {
			t.Errorf("%s: error %v, want one saying %q", tc.name, err, tc.want)
		}
	}
	if _, err := clone().Model(); err != nil {
		t.Fatalf("the unedited checkpoint: %v", err)
	}
}
