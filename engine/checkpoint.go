package engine

import (
	"bytes"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"maps"
	"math"
	"math/rand/v2"
	"slices"
	"strings"
	"time"

	"github.com/rgflow/rgflow/internal/atomicfile"
	"github.com/rgflow/rgflow/internal/inputfile"
	"github.com/rgflow/rgflow/internal/quote"
	"github.com/rgflow/rgflow/kernels"
	"github.com/rgflow/rgflow/reps"
)

// Checkpoint is everything a run needs to continue exactly where it
// stopped: the configuration, the network, the optimiser, the trajectories,
// the random generator and the roots recorded so far. It is stored as JSON
// (Go writes float64 in shortest round-trip form, so nothing is lost),
// sealed with a SHA-256 checksum of its content (Encode), and every field
// is checked against the configuration before a run resumes from it
// (Resume), so that a damaged or edited checkpoint is refused with a
// sentence naming the field instead of resuming to other numbers or
// failing in the middle of the run.
//
// The network is stored as the Network interface gives it: its
// description's sizes and its parameters (network.go). Its activation is
// the configuration's. Older checkpoints also
// carry it as a key "activation" of its own; decoding ignores that key, as
// it ignores any it does not know, and an older checkpoint has no
// "root_failure_reasons" and no checksum (format 1).
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
	// Options are the settings of the command that change a run's
	// outputs but are not part of its configuration (rgflow train's
	// -oracle), kept so that a resumed run writes what the uninterrupted
	// one would have (Trainer.Options).
	Options map[string]string `json:"options,omitempty"`
	// Finished says that the run's results were written after its last
	// epoch: the final read-out is complete. A checkpoint at its last
	// epoch that is not finished was stopped during the read-out (or its
	// results could not be written), and a resumed run does the read-out
	// again.
	Finished bool `json:"finished,omitempty"`
	// BlockDigest fingerprints the block geometry of a run on any block but
	// the plaquette (geometry.Digest): a resumed run whose block (a
	// plugin's) is another geometry now is refused.
	BlockDigest string `json:"block_digest,omitempty"`
	// Kernels and KernelChoice are the kernel choice the run was on (as in
	// the summary; older checkpoints lack them): KernelsChanged compares
	// a resumed run's with them.
	Kernels      string            `json:"kernels,omitempty"`
	KernelChoice map[string]string `json:"kernel_choice,omitempty"`
}

// checkpointFormat is the format Encode writes: 2, sealed with a
// checksum. Format 1, without one, is still read.
const checkpointFormat = 2

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
		Sizes: slices.Clone(n.Describe().Sizes), Params: slices.Clone(n.Parameters()),
		AdamM: slices.Clone(t.Opt.M), AdamV: slices.Clone(t.Opt.V), AdamT: t.Opt.T,
		J: slices.Clone(J), RNG: rng, Roots: slices.Clone(t.Roots), RootFailures: t.RootFailures,
		RootFailureReasons: maps.Clone(t.RootFailureReasons), LastRoot: slices.Clone(t.LastRoot),
		ElapsedNs: int64(t.Elapsed), History: t.History.clone(), Options: maps.Clone(t.Options),
		BlockDigest: t.blockDigest(),
		Kernels:     t.Blocks.Kernels().Name(), KernelChoice: t.Blocks.Kernels().ChoiceMap(),
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

// blockDigest is the digest of the trainer's block geometry, "" for the
// plaquette's Blocks.
func (t *Trainer) blockDigest() string {
	if p, ok := GeometryPair(t.Pair); ok {
		return p.Geometry.Digest()
	}
	return ""
}

// Resume rebuilds a trainer from a checkpoint. epochs, if positive,
// replaces the configured total (to train on past the original end). The
// options are NewTrainer's: the kernel choice is recorded in the
// checkpoint but not imposed, so a run may continue on another machine's
// paths (KernelsChanged says when that changes its bits). A checkpoint
// that does not fit its own configuration is refused (check).
func Resume(ck *Checkpoint, rep *reps.Rep, epochs int, opts ...Option) (*Trainer, error) {
	if ck.Rep != rep.Name {
		return nil, fmt.Errorf("checkpoint is for representation %s, not %s", quote.Short(ck.Rep), rep.Name)
	}
	cfg := ck.Config
	cfg.fillAbsent()
	if epochs > 0 {
		if epochs < ck.Epoch {
			return nil, fmt.Errorf("the checkpoint has done %d epochs, more than the %d asked for", ck.Epoch, epochs)
		}
		cfg.Epochs = epochs
	}
	if err := cfg.Validate(); err != nil {
		return nil, fmt.Errorf("the checkpoint's configuration: %v", err)
	}
	t, err := NewTrainer(cfg, rep, append(opts, func(o *options) { o.resuming = true })...)
	if err != nil {
		return nil, err
	}
	net := t.Model.Net()
	if err := ck.check(cfg, t.C, net.Describe().Sizes, len(net.Parameters())); err != nil {
		return nil, err
	}
	if d := t.blockDigest(); d != ck.BlockDigest {
		return nil, &CheckpointError{Field: "block_digest", Problem: fmt.Sprintf("is %q, but block %s is the geometry %q now: its plugin serves another geometry than the run was trained on", ck.BlockDigest, cfg.Block, d)}
	}
	copy(net.Parameters(), ck.Params)
	copy(t.Opt.M, ck.AdamM)
	copy(t.Opt.V, ck.AdamV)
	t.Opt.T = ck.AdamT
	copy(t.J, ck.J)
	if err := t.pcg.UnmarshalBinary(ck.RNG); err != nil {
		return nil, &CheckpointError{Field: "rng", Problem: "is not a random generator's state"}
	}
	t.rng = rand.New(t.pcg)
	t.Epoch = ck.Epoch
	t.Roots = make([]float64, len(ck.Roots))
	for i, r := range ck.Roots {
		t.Roots[i] = math.Abs(r) // older checkpoints kept the sign of J_0
	}
	t.RootFailures = ck.RootFailures
	t.RootFailureReasons = maps.Clone(ck.RootFailureReasons)
	t.LastRoot = slices.Clone(ck.LastRoot)
	t.Elapsed = time.Duration(ck.ElapsedNs)
	if h := ck.History; h != nil {
		t.History = *h.clone()
	}
	t.Options = maps.Clone(ck.Options)
	return t, nil
}

// CheckpointError is a field of a checkpoint that does not fit the run
// it describes: Field is its JSON key ("last_root"), Problem what is
// wrong with it.
type CheckpointError struct {
	Field, Problem string
}

func (e *CheckpointError) Error() string {
	return fmt.Sprintf("the checkpoint's %q %s", e.Field, e.Problem)
}

// check tests every field of the checkpoint against cfg (its
// configuration, with any new total of epochs), c, the number of
// couplings of its representation, and the network the configuration
// makes (its layer sizes and number of parameters): lengths, finiteness,
// ranges and counts. It is the one place that knows what a checkpoint may
// hold; a checkpoint it passes resumes without a panic.
func (ck *Checkpoint) check(cfg Config, c int, sizes []int, params int) error {
	bad := func(field, format string, args ...any) error {
		return &CheckpointError{Field: field, Problem: fmt.Sprintf(format, args...)}
	}
	finite := func(field string, x []float64, nonNegative bool) error {
		for i, v := range x {
			if math.IsNaN(v) || math.IsInf(v, 0) {
				return bad(field, "holds %v at position %d, not a finite number", v, i+1)
			}
			if nonNegative && v < 0 {
				return bad(field, "holds %v at position %d, which cannot be negative", v, i+1)
			}
		}
		return nil
	}
	m := cfg.TrajectoriesFor(c)
	recorded := len(ck.Roots) + ck.RootFailures
	switch {
	case ck.Format != 1 && ck.Format != checkpointFormat:
		return bad("format", "is %d, which this rgflow cannot read (it reads 1 and %d)", ck.Format, checkpointFormat)
	case ck.Epoch < 0 || ck.Epoch > cfg.Epochs:
		return bad("epoch", "is %d, outside the run's 0 to %d epochs", ck.Epoch, cfg.Epochs)
	case !slices.Equal(ck.Sizes, sizes):
		return bad("sizes", "are %v, but its configuration makes a network of %v", shortInts(ck.Sizes), sizes)
	case len(ck.Params) != params:
		return bad("params", "has %d numbers, but a network of %v has %d parameters", len(ck.Params), sizes, params)
	case len(ck.AdamM) != params:
		return bad("adam_m", "has %d numbers, not one per parameter (%d)", len(ck.AdamM), params)
	case len(ck.AdamV) != params:
		return bad("adam_v", "has %d numbers, not one per parameter (%d)", len(ck.AdamV), params)
	case ck.AdamT < 0 || ck.AdamT > ck.Epoch:
		return bad("adam_t", "is %d, but the optimiser takes one step an epoch (%d epochs done)", ck.AdamT, ck.Epoch)
	case len(ck.J) != m*c:
		return bad("trajectories", "has %d numbers, but %d trajectories of %d couplings are %d", len(ck.J), m, c, m*c)
	case ck.RootFailures < 0:
		return bad("root_failures", "is %d, which cannot be negative", ck.RootFailures)
	case recorded > ck.Epoch:
		return bad("roots", "and \"root_failures\" record %d epochs, more than the %d done", recorded, ck.Epoch)
	case ck.LastRoot != nil && len(ck.LastRoot) != c:
		return bad("last_root", "has %d numbers, but the representation has %d couplings", len(ck.LastRoot), c)
	case ck.ElapsedNs < 0:
		return bad("elapsed_ns", "is %d, a negative time", ck.ElapsedNs)
	}
	for _, f := range []struct {
		field       string
		x           []float64
		nonNegative bool
	}{{"params", ck.Params, false}, {"adam_m", ck.AdamM, false}, {"adam_v", ck.AdamV, true},
		{"trajectories", ck.J, false}, {"roots", ck.Roots, false}, {"last_root", ck.LastRoot, false}} {
		if err := finite(f.field, f.x, f.nonNegative); err != nil {
			return err
		}
	}
	if ck.RootFailureReasons != nil {
		sum := 0
		for _, why := range slices.Sorted(maps.Keys(ck.RootFailureReasons)) {
			n := ck.RootFailureReasons[why]
			if !slices.Contains(newtonStatusNames[NewtonConverged+1:], why) {
				return bad("root_failure_reasons", "names %s, which is not a reason Newton stops for", quote.Short(why))
			}
			if n < 0 {
				return bad("root_failure_reasons", "counts %d for %q", n, why)
			}
			sum += n
		}
		if sum != ck.RootFailures {
			return bad("root_failure_reasons", "count %d failures, but \"root_failures\" is %d", sum, ck.RootFailures)
		}
	}
	var rng rand.PCG
	if err := rng.UnmarshalBinary(ck.RNG); err != nil {
		return bad("rng", "is not a random generator's state")
	}
	if h := ck.History; h != nil {
		if err := h.check(ck.Epoch); err != nil {
			return err
		}
	}
	for k, v := range ck.Options {
		if k != "oracle" || v != "auto" && v != "on" && v != "off" {
			return bad("options", "hold %s = %s, which this rgflow does not know", quote.Short(k), quote.Short(v))
		}
	}
	return nil
}

// check tests a checkpoint's history of its last epochs up to epoch.
func (h *History) check(epoch int) error {
	bad := func(format string, args ...any) error {
		return &CheckpointError{Field: "history", Problem: fmt.Sprintf(format, args...)}
	}
	n := h.Len()
	if !h.consistent() {
		return bad("has columns of different lengths")
	}
	if n > epoch {
		return bad("has %d epochs, more than the %d done", n, epoch)
	}
	for i := 0; i < n; i++ {
		root := float64(h.Root[i])
		switch {
		case h.Epoch[i] != epoch-n+1+i:
			return bad("lists epoch %d where epoch %d belongs", h.Epoch[i], epoch-n+1+i)
		case math.IsNaN(h.Loss[i]) || math.IsInf(h.Loss[i], 0):
			return bad("has a loss of %v at epoch %d", h.Loss[i], h.Epoch[i])
		case !(h.Beta[i] >= 0 && h.Beta[i] <= MaxBeta):
			return bad("has β = %v at epoch %d", h.Beta[i], h.Epoch[i])
		case !(h.Acceptance[i] >= 0 && h.Acceptance[i] <= 1):
			return bad("has an acceptance of %v at epoch %d", h.Acceptance[i], h.Epoch[i])
		case math.IsInf(root, 0) || root < 0:
			return bad("has a root of %v at epoch %d", root, h.Epoch[i])
		}
	}
	return nil
}

// SaveCheckpoint writes the trainer's state to path atomically.
func (t *Trainer) SaveCheckpoint(path string) error {
	ck, err := t.Checkpoint()
	if err != nil {
		return err
	}
	return ck.Save(path)
}

// Save writes the checkpoint to path atomically (Encode).
func (ck *Checkpoint) Save(path string) error {
	data, err := ck.Encode()
	if err != nil {
		return err
	}
	return atomicfile.Write(path, data)
}

// Encode is the checkpoint's file: its JSON in format 2, whose last key
// "checksum" holds the SHA-256 of the JSON written before it (the file
// up to the checksum, closed with "}").
func (ck *Checkpoint) Encode() ([]byte, error) {
	c := *ck
	c.Format = checkpointFormat
	data, err := json.Marshal(&c)
	if err != nil {
		return nil, err
	}
	return seal(data), nil
}

// checksumKey starts the checksum at the end of a sealed checkpoint.
const checksumKey = `,"checksum":"sha256:`

// seal adds the checksum of a JSON object to its end.
func seal(payload []byte) []byte {
	sum := sha256.Sum256(payload)
	out := append(slices.Clone(payload[:len(payload)-1]), checksumKey...)
	out = hex.AppendEncode(out, sum[:])
	return append(out, `"}`...)
}

// unseal splits a sealed checkpoint into its payload (what the checksum
// covers) and reports whether the checksum matches; sealed is false for
// a file without a checksum at its end.
func unseal(data []byte) (payload []byte, sealed, ok bool) {
	data = bytes.TrimRight(data, " \t\r\n")
	i := bytes.LastIndex(data, []byte(checksumKey))
	const hexLen = 2 * sha256.Size
	if i < 0 || len(data)-i != len(checksumKey)+hexLen+2 || !bytes.HasSuffix(data, []byte(`"}`)) {
		return data, false, false
	}
	want, err := hex.DecodeString(string(data[i+len(checksumKey) : len(data)-2]))
	payload = append(slices.Clone(data[:i]), '}')
	sum := sha256.Sum256(payload)
	return payload, true, err == nil && bytes.Equal(want, sum[:])
}

// LoadCheckpoint reads a checkpoint file (DecodeCheckpoint).
func LoadCheckpoint(path string) (*Checkpoint, error) {
	data, err := inputfile.Read(path, inputfile.MemoryLimit())
	if err != nil {
		return nil, fmt.Errorf("cannot read checkpoint: %v", err)
	}
	ck, err := DecodeCheckpoint(data)
	if err != nil {
		return nil, fmt.Errorf("%s %v", path, err)
	}
	return ck, nil
}

// DecodeCheckpoint reads a checkpoint's file. A file whose checksum does
// not match its content is refused, and so is a format-2 checkpoint
// without a checksum; one of format 1 (older, never sealed) is read as it
// is. The error starts with a verb, for the caller to put the file's name
// before it ("is not an rgflow checkpoint …").
func DecodeCheckpoint(data []byte) (*Checkpoint, error) {
	payload, sealed, ok := unseal(data)
	if sealed && !ok {
		return nil, errors.New("was changed or damaged after it was written: its checksum does not match its content (a checkpoint cannot be edited; resume from another or start again)")
	}
	var head struct {
		Format   *int            `json:"format"`
		Rep      *string         `json:"rep"`
		Params   *[]any          `json:"params"`
		Checksum json.RawMessage `json:"checksum"`
	}
	if err := json.Unmarshal(payload, &head); err != nil {
		return nil, fmt.Errorf("is not an rgflow checkpoint: %v", jsonError(err))
	}
	if head.Format == nil || head.Rep == nil || head.Params == nil {
		return nil, errors.New("is not an rgflow checkpoint (it lacks \"format\", \"rep\" or \"params\"; a checkpoint is what -checkpoint FILE writes)")
	}
	switch {
	case !sealed && head.Checksum != nil:
		return nil, errors.New("was rewritten after it was written: its checksum is no longer the last key in the form rgflow writes, so its content cannot be verified (a checkpoint cannot be edited; resume from another or start again)")
	case !sealed && *head.Format >= checkpointFormat:
		return nil, fmt.Errorf("has no checksum, which a checkpoint of format %d ends with: it was edited or cut (a checkpoint cannot be edited; resume from another or start again)", *head.Format)
	}
	var ck Checkpoint
	if err := json.Unmarshal(payload, &ck); err != nil {
		return nil, fmt.Errorf("is not a valid rgflow checkpoint: %v", jsonError(err))
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
	if c.Block == "" {
		c.Block = d.Block
	}
	if c.Shells == 0 {
		c.Shells = d.Shells
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
