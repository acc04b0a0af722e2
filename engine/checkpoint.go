package engine

import (
	"encoding/json"
	"fmt"
	"math/rand/v2"
	"os"
	"time"

	"rgflow/internal/atomicfile"
	"rgflow/reps"
)

// Checkpoint is everything a run needs to continue exactly where it
// stopped: the configuration, the network, the optimiser, the trajectories,
// the random generator and the roots recorded so far. It is stored as JSON
// (Go writes float64 in shortest round-trip form, so nothing is lost).
//
// The network's activation is the configuration's. Older checkpoints also
// carry it as a key "activation" of its own; decoding ignores that key, as
// it ignores any it does not know, and an older checkpoint has no
// "root_failure_reasons".
type Checkpoint struct {
	Format             int            `json:"format"`
	Config             Config         `json:"config"`
	Rep                string         `json:"rep"`
	Epoch              int            `json:"epoch"`
	Sizes              []int          `json:"sizes"`
	Params             []float64      `json:"params"`
	AdamM              []float64      `json:"adam_m"`
	AdamV              []float64      `json:"adam_v"`
	AdamT              int            `json:"adam_t"`
	J                  []float64      `json:"trajectories"`
	RNG                []byte         `json:"rng"`
	Roots              []float64      `json:"roots"`
	RootFailures       int            `json:"root_failures"`
	RootFailureReasons map[string]int `json:"root_failure_reasons,omitempty"`
	LastRoot           []float64      `json:"last_root"`
	ElapsedNs          int64          `json:"elapsed_ns"`
}

const checkpointFormat = 1

// Checkpoint captures the trainer's state.
func (t *Trainer) Checkpoint() (*Checkpoint, error) {
	rng, err := t.pcg.MarshalBinary()
	if err != nil {
		return nil, err
	}
	n := t.Model.Net()
	return &Checkpoint{
		Format: checkpointFormat, Config: t.Cfg, Rep: t.Rep.Name, Epoch: t.Epoch,
		Sizes: n.Sizes, Params: n.Params,
		AdamM: t.Opt.M, AdamV: t.Opt.V, AdamT: t.Opt.T,
		J: t.J, RNG: rng, Roots: t.Roots, RootFailures: t.RootFailures, RootFailureReasons: t.RootFailureReasons, LastRoot: t.LastRoot,
		ElapsedNs: int64(t.Elapsed),
	}, nil
}

// Resume rebuilds a trainer from a checkpoint. epochs, if positive,
// replaces the configured total (to train on past the original end). The
// options are NewTrainer's: the kernel path is not part of the checkpoint,
// so a run may continue on another machine's path.
func Resume(ck *Checkpoint, rep *reps.Rep, epochs int, opts ...Option) (*Trainer, error) {
	if ck.Format != checkpointFormat {
		return nil, fmt.Errorf("checkpoint format %d is not supported (want %d)", ck.Format, checkpointFormat)
	}
	if ck.Rep != rep.Name {
		return nil, fmt.Errorf("checkpoint is for representation %s, not %s", ck.Rep, rep.Name)
	}
	cfg := ck.Config
	// keys written before their options existed take their defaults
	def := DefaultConfig()
	if cfg.CoarseMirror == "" {
		cfg.CoarseMirror = def.CoarseMirror
	}
	if cfg.Bonds == "" {
		cfg.Bonds = def.Bonds
	}
	if cfg.Network.InputScale == 0 {
		cfg.Network.InputScale = def.Network.InputScale
	}
	if cfg.HMC.Potential == "" {
		cfg.HMC.Potential = def.HMC.Potential
	}
	if cfg.Newton.Step == 0 {
		cfg.Newton.Step = def.Newton.Step
	}
	if epochs > 0 {
		cfg.Epochs = epochs
	}
	t, err := NewTrainer(cfg, rep, append(opts, func(o *options) { o.resuming = true })...)
	if err != nil {
		return nil, err
	}
	net := t.Model.Net()
	if fmt.Sprint(ck.Sizes) != fmt.Sprint(net.Sizes) || len(ck.Params) != len(net.Params) ||
		len(ck.AdamM) != len(net.Params) || len(ck.AdamV) != len(net.Params) || len(ck.J) != len(t.J) {
		return nil, fmt.Errorf("checkpoint does not fit its own configuration (network %v, %d trajectories)", ck.Sizes, len(ck.J)/max(1, t.C))
	}
	copy(net.Params, ck.Params)
	copy(t.Opt.M, ck.AdamM)
	copy(t.Opt.V, ck.AdamV)
	t.Opt.T = ck.AdamT
	copy(t.J, ck.J)
	if err := t.pcg.UnmarshalBinary(ck.RNG); err != nil {
		return nil, fmt.Errorf("checkpoint random state: %v", err)
	}
	t.rng = rand.New(t.pcg)
	t.Epoch = ck.Epoch
	t.Roots = append([]float64(nil), ck.Roots...)
	t.RootFailures = ck.RootFailures
	t.RootFailureReasons = ck.RootFailureReasons
	t.LastRoot = ck.LastRoot
	t.Elapsed = time.Duration(ck.ElapsedNs)
	return t, nil
}

// SaveCheckpoint writes the trainer's state to path atomically.
func (t *Trainer) SaveCheckpoint(path string) error {
	ck, err := t.Checkpoint()
	if err != nil {
		return err
	}
	data, err := json.Marshal(ck)
	if err != nil {
		return err
	}
	return atomicfile.Write(path, data)
}

// LoadCheckpoint reads a checkpoint file.
func LoadCheckpoint(path string) (*Checkpoint, error) {
	data, err := os.ReadFile(path)
	if err != nil {
		return nil, fmt.Errorf("cannot read checkpoint: %v", err)
	}
	var ck Checkpoint
	if err := json.Unmarshal(data, &ck); err != nil {
		return nil, fmt.Errorf("checkpoint %s is not a valid rgflow checkpoint: %v", path, err)
	}
	return &ck, nil
}
