package engine

import (
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"maps"
	"math"
	"math/rand/v2"
	"os"
	"slices"
	"strings"
	"time"

	"rgflow/internal/atomicfile"
	"rgflow/kernels"
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
	// History is every epoch so far; checkpoints older than it lack it,
	// and a run resumed from one records its history from there on.
	History *History `json:"history,omitempty"`
	// Kernels and KernelChoice are the kernel choice the run was on (as in
	// the summary; older checkpoints lack them): KernelsChanged compares
	// a resumed run's with them.
	Kernels      string            `json:"kernels,omitempty"`
	KernelChoice map[string]string `json:"kernel_choice,omitempty"`
}

const checkpointFormat = 1

// Checkpoint captures the trainer's state at the end of its last whole
// epoch, as a copy. It may be called from another goroutine while an epoch
// runs (the command does so when an interruption does not stop a long
// epoch soon enough): it then returns the state at that epoch's start,
// from which a resumed run computes the same epoch again.
func (t *Trainer) Checkpoint() (*Checkpoint, error) {
	t.mu.Lock()
	defer t.mu.Unlock()
	pcg, J := t.pcg, t.J
	if t.stepping || t.ahead {
		pcg, J = &t.prevPCG, t.prevJ
	}
	rng, err := pcg.MarshalBinary()
	if err != nil {
		return nil, err
	}
	n := t.Model.Net()
	return &Checkpoint{
		Format: checkpointFormat, Config: t.Cfg, Rep: t.Rep.Name, Epoch: t.Epoch,
		Sizes: slices.Clone(n.Sizes), Params: slices.Clone(n.Params),
		AdamM: slices.Clone(t.Opt.M), AdamV: slices.Clone(t.Opt.V), AdamT: t.Opt.T,
		J: slices.Clone(J), RNG: rng, Roots: slices.Clone(t.Roots), RootFailures: t.RootFailures,
		RootFailureReasons: maps.Clone(t.RootFailureReasons), LastRoot: slices.Clone(t.LastRoot),
		ElapsedNs: int64(t.Elapsed), History: t.History.clone(),
		Kernels: t.Blocks.Kernels().Name(), KernelChoice: t.Blocks.Kernels().ChoiceMap(),
	}, nil
}

// KernelsChanged says, in one sentence, whether a run resumed from ck on
// kernel choice p computes other bits than the run that wrote ck would
// have (a kernel whose paths differ in the last bits on another path:
// the enumeration, tanh, the products on generic against assembly); ""
// when not, or when ck does not record its choice. Such a run is
// continued, not refused (a checkpoint may move to another machine),
// and its numbers from there on are those of p.
func KernelsChanged(ck *Checkpoint, p kernels.Path) string {
	if len(ck.KernelChoice) == 0 {
		return ""
	}
	diff := p.BitsDiffer(ck.KernelChoice)
	if len(diff) == 0 {
		return ""
	}
	hint := ""
	if _, err := kernels.Lookup(ck.Kernels); err == nil {
		hint = fmt.Sprintf("; RGFLOW_KERNELS=%s repeats them", ck.Kernels)
	}
	return fmt.Sprintf("the checkpoint's run was on kernels %s, this one is on %s (%s): from here on the numbers will differ in the last bits from an uninterrupted run%s",
		ck.Kernels, p.Name(), strings.Join(diff, "; "), hint)
}

// Resume rebuilds a trainer from a checkpoint. epochs, if positive,
// replaces the configured total (to train on past the original end). The
// options are NewTrainer's: the kernel choice is recorded in the
// checkpoint but not imposed, so a run may continue on another machine's
// paths (KernelsChanged says when that changes its bits).
func Resume(ck *Checkpoint, rep *reps.Rep, epochs int, opts ...Option) (*Trainer, error) {
	if ck.Format != checkpointFormat {
		return nil, fmt.Errorf("checkpoint format %d is not supported (want %d)", ck.Format, checkpointFormat)
	}
	if ck.Rep != rep.Name {
		return nil, fmt.Errorf("checkpoint is for representation %s, not %s", ck.Rep, rep.Name)
	}
	cfg := ck.Config
	cfg.fillAbsent()
	if epochs > 0 {
		if epochs < ck.Epoch {
			return nil, fmt.Errorf("the checkpoint has done %d epochs, more than the %d asked for", ck.Epoch, epochs)
		}
		cfg.Epochs = epochs
	}
	if ck.Epoch < 0 || ck.Epoch > cfg.Epochs {
		return nil, fmt.Errorf("checkpoint is at epoch %d of %d, which cannot be", ck.Epoch, cfg.Epochs)
	}
	if err := cfg.Validate(); err != nil {
		return nil, fmt.Errorf("the checkpoint's configuration: %v", err)
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
	t.Roots = make([]float64, len(ck.Roots))
	for i, r := range ck.Roots {
		t.Roots[i] = math.Abs(r) // older checkpoints kept the sign of J_0
	}
	t.RootFailures = ck.RootFailures
	t.RootFailureReasons = ck.RootFailureReasons
	t.LastRoot = ck.LastRoot
	t.Elapsed = time.Duration(ck.ElapsedNs)
	if h := ck.History; h != nil {
		if !h.consistent() || h.Len() > ck.Epoch {
			return nil, fmt.Errorf("checkpoint history does not fit its %d epochs", ck.Epoch)
		}
		t.History = *h.clone()
	}
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
	var head struct {
		Format *int    `json:"format"`
		Rep    *string `json:"rep"`
		Params *[]any  `json:"params"`
	}
	if err := json.Unmarshal(data, &head); err != nil {
		return nil, fmt.Errorf("%s is not an rgflow checkpoint: %v", path, jsonError(err))
	}
	if head.Format == nil || head.Rep == nil || head.Params == nil {
		return nil, fmt.Errorf("%s is not an rgflow checkpoint (it lacks \"format\", \"rep\" or \"params\"; a checkpoint is what -checkpoint FILE writes)", path)
	}
	var ck Checkpoint
	if err := json.Unmarshal(data, &ck); err != nil {
		return nil, fmt.Errorf("%s is not a valid rgflow checkpoint: %v", path, jsonError(err))
	}
	ck.Config.fillAbsent()
	return &ck, nil
}

// fillAbsent gives the keys a checkpoint written before they existed
// lacks the values that reproduce how it was trained then: the mean KL,
// a constant learning rate, no axis trajectories and no warm start (the
// defaults of today would change the run it resumes).
func (c *Config) fillAbsent() {
	d := DefaultConfig()
	if c.CoarseMirror == "" {
		c.CoarseMirror = "axis"
	}
	if c.LossScale == "" {
		c.LossScale = "linear"
	}
	if c.Optimizer.Schedule == "" {
		c.Optimizer.Schedule = "constant"
	}
	if c.Optimizer.FinalLRFraction == 0 {
		c.Optimizer.FinalLRFraction = d.Optimizer.FinalLRFraction
	}
	if c.HMC.AxisMax == 0 {
		c.HMC.AxisMax = d.HMC.AxisMax
	}
	if c.WarmStart == "" {
		c.WarmStart = "none"
	}
	if c.WarmStartPoints == 0 {
		c.WarmStartPoints = d.WarmStartPoints
	}
	if c.WarmStartEpochs == 0 {
		c.WarmStartEpochs = d.WarmStartEpochs
	}
	if c.Bonds == "" {
		c.Bonds = d.Bonds
	}
	if c.LossFloor == 0 {
		c.LossFloor = d.LossFloor
	}
	if c.Network.InputScale == 0 {
		c.Network.InputScale = d.Network.InputScale
	}
	if c.HMC.Potential == "" {
		c.HMC.Potential = d.HMC.Potential
	}
	if c.Newton.Step == 0 {
		c.Newton.Step = d.Newton.Step
	}
}

// jsonError says what is wrong with a JSON file in its own terms: the
// key and what it holds, not the Go type it was decoded into.
func jsonError(err error) error {
	var te *json.UnmarshalTypeError
	var se *json.SyntaxError
	switch {
	case errors.As(err, &te):
		want := strings.Replace(typeWords(te.Type), "a table", "an object", 1)
		if want == "" {
			want = "something else"
		}
		return fmt.Errorf("%q holds a JSON %s where it should hold %s", te.Field, te.Value, want)
	case errors.Is(err, io.ErrUnexpectedEOF) || errors.As(err, &se) && strings.Contains(se.Error(), "unexpected end"):
		return errors.New("the file ends in the middle (a truncated copy?)")
	case errors.As(err, &se):
		return fmt.Errorf("broken JSON at byte %d (%v)", se.Offset, se)
	}
	return err
}
