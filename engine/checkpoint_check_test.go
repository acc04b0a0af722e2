package engine

import (
	"bytes"
	"encoding/json"
	"errors"
	"math"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/rgflow/rgflow/reps"
)

// midRun is the checkpoint of a short A1 run stopped in its second half,
// with roots, a last root and a history, and the representation.
func midRun(t testing.TB) (*Checkpoint, *reps.Rep) {
	t.Helper()
	rep, _ := reps.Builtin("A1")
	cfg := DefaultConfig()
	cfg.Epochs, cfg.Workers = 30, 1
	tr, err := NewTrainer(cfg, rep)
	if err != nil {
		t.Fatal(err)
	}
	for tr.Epoch < 20 {
		if _, err := tr.Step(); err != nil {
			t.Fatal(err)
		}
	}
	ck, err := tr.Checkpoint()
	if err != nil {
		t.Fatal(err)
	}
	if ck.LastRoot == nil || len(ck.Roots) == 0 {
		t.Fatalf("the run recorded no root (%d failures); the damage below needs one", ck.RootFailures)
	}
	return ck, rep
}

// reload is ck written and read back, as a file would be.
func reload(t *testing.T, ck *Checkpoint) *Checkpoint {
	t.Helper()
	data, err := ck.Encode()
	if err != nil {
		t.Fatal(err)
	}
	out, err := DecodeCheckpoint(data)
	if err != nil {
		t.Fatal(err)
	}
	return out
}

// A checkpoint whose fields do not fit its configuration — however it came
// to be: a bug, a hand edit resealed, a file from another version — is
// refused before the run resumes, in a sentence naming the field, and
// never panics later (an empty or too long last_root made Newton panic).
func TestDamagedCheckpointsAreRefused(t *testing.T) {
	good, rep := midRun(t)
	if _, err := Resume(reload(t, good), rep, 0); err != nil {
		t.Fatalf("the undamaged checkpoint: %v", err)
	}
	for _, tc := range []struct {
		field  string
		damage func(ck *Checkpoint)
	}{
		{"last_root", func(ck *Checkpoint) { ck.LastRoot = []float64{} }},
		{"last_root", func(ck *Checkpoint) { ck.LastRoot = []float64{0.8, 0.1} }},
		{"params", func(ck *Checkpoint) { ck.Params = ck.Params[1:] }},
		{"adam_m", func(ck *Checkpoint) { ck.AdamM = append(ck.AdamM, 0) }},
		{"adam_v", func(ck *Checkpoint) { ck.AdamV[0] = -1 }},
		{"adam_t", func(ck *Checkpoint) { ck.AdamT = -1 }},
		{"adam_t", func(ck *Checkpoint) { ck.AdamT = ck.Epoch + 1 }},
		{"epoch", func(ck *Checkpoint) { ck.Epoch = -1 }},
		{"epoch", func(ck *Checkpoint) { ck.Epoch = ck.Config.Epochs + 1 }},
		{"sizes", func(ck *Checkpoint) { ck.Sizes = []int{1, 2, 1} }},
		{"trajectories", func(ck *Checkpoint) { ck.J = ck.J[:3] }},
		{"rng", func(ck *Checkpoint) { ck.RNG = []byte("pcg:short") }},
		{"roots", func(ck *Checkpoint) { ck.Roots = make([]float64, ck.Epoch+1) }},
		{"root_failures", func(ck *Checkpoint) { ck.RootFailures = -2 }},
		{"root_failure_reasons", func(ck *Checkpoint) { ck.RootFailureReasons = map[string]int{"bored": ck.RootFailures} }},
		{"root_failure_reasons", func(ck *Checkpoint) {
			ck.RootFailureReasons = map[string]int{"singular Jacobian": ck.RootFailures + 1}
		}},
		{"elapsed_ns", func(ck *Checkpoint) { ck.ElapsedNs = -5 }},
		{"history", func(ck *Checkpoint) { ck.History.Epoch[3] = 99 }},
		{"history", func(ck *Checkpoint) { ck.History.Loss = ck.History.Loss[1:] }},
		{"history", func(ck *Checkpoint) { ck.History.Acceptance[0] = 2 }},
		{"options", func(ck *Checkpoint) { ck.Options = map[string]string{"oracle": "sometimes"} }},
		{"format", func(ck *Checkpoint) { ck.Format = 7 }},
	} {
		ck := reload(t, good)
		tc.damage(ck)
		data, err := json.Marshal(ck) // as Encode, keeping a damaged format
		if err != nil {
			t.Fatal(err)
		}
		ck, err = DecodeCheckpoint(seal(data))
		if err != nil {
			t.Errorf("%s: the resealed checkpoint does not decode: %v", tc.field, err)
			continue
		}
		_, err = Resume(ck, rep, 0)
		var ce *CheckpointError
		if !errors.As(err, &ce) || ce.Field != tc.field || strings.Contains(err.Error(), "\n") {
			t.Errorf("damaged %s: %v", tc.field, err)
		}
	}
	// non-finite numbers cannot be written as JSON, but a decoder could be
	// handed them
	ck := reload(t, good)
	ck.Params[2] = math.Inf(1)
	if err := ck.check(ck.Config, 1, ck.Sizes, len(ck.Params)); err == nil || !strings.Contains(err.Error(), `"params" holds +Inf at position 3`) {
		t.Errorf("a parameter of +Inf: %v", err)
	}
}

// A changed digit anywhere in a checkpoint, or a lost checksum, is
// refused with a sentence; a format-1 checkpoint (before checksums) is
// read as it is.
func TestCheckpointChecksum(t *testing.T) {
	good, rep := midRun(t)
	data, err := good.Encode()
	if err != nil {
		t.Fatal(err)
	}
	if _, err := DecodeCheckpoint(append(data, '\n')); err != nil {
		t.Errorf("a final newline: %v", err)
	}
	// one digit of a parameter, of the epoch, of the checksum itself
	for _, at := range []string{`"params":[`, `"epoch":`, `"checksum":"sha256:`} {
		i := bytes.Index(data, []byte(at)) + len(at)
		for data[i] < '0' || data[i] > '9' {
			i++
		}
		changed := bytes.Clone(data)
		changed[i] = '0' + (changed[i]-'0'+1)%10
		_, err := DecodeCheckpoint(changed)
		if err == nil || !strings.Contains(err.Error(), "checksum does not match") {
			t.Errorf("a digit changed after %s: %v", at, err)
		}
	}
	payload, sealed, ok := unseal(data)
	if !sealed || !ok {
		t.Fatal("Encode's output does not unseal")
	}
	if _, err := DecodeCheckpoint(payload); err == nil || !strings.Contains(err.Error(), "has no checksum") {
		t.Errorf("format 2 without its checksum: %v", err)
	}
	var old map[string]any
	json.Unmarshal(data, &old)
	spaced, _ := json.MarshalIndent(old, "", " ")
	if _, err := DecodeCheckpoint(spaced); err == nil || !strings.Contains(err.Error(), "was rewritten") {
		t.Errorf("rewritten with other spacing: %v", err)
	}
	delete(old, "checksum")
	old["format"] = 1
	v1, _ := json.Marshal(old)
	ck, err := DecodeCheckpoint(v1)
	if err != nil {
		t.Fatalf("format 1: %v", err)
	}
	if _, err := Resume(ck, rep, 0); err != nil {
		t.Errorf("format 1 does not resume: %v", err)
	}
}

// FuzzCheckpoint feeds the checkpoint decoder and Resume arbitrary bytes,
// as they are and resealed (so that the checks behind the checksum are
// reached): nothing may panic, every refusal is one line, and a checkpoint
// that resumes trains an epoch and reads out.
func FuzzCheckpoint(f *testing.F) {
	ck, _ := midRun(f)
	data, err := ck.Encode()
	if err != nil {
		f.Fatal(err)
	}
	f.Add(data)
	payload, _, _ := unseal(data)
	f.Add(payload)
	if old, err := os.ReadFile(filepath.Join("testdata", "checkpoint-go-names.json")); err == nil {
		f.Add(old)
	}
	f.Add([]byte(`{"format":2,"rep":"A1","params":[]}`))
	f.Fuzz(func(t *testing.T, data []byte) {
		tryCheckpoint(t, data)
		if payload, _, _ := unseal(data); json.Valid(payload) && bytes.HasPrefix(payload, []byte("{")) {
			tryCheckpoint(t, seal(payload))
		}
	})
}

func tryCheckpoint(t *testing.T, data []byte) {
	ck, err := DecodeCheckpoint(data)
	if err != nil {
		if strings.Contains(err.Error(), "\n") {
			t.Errorf("a refusal of %d lines: %v", strings.Count(err.Error(), "\n")+1, err)
		}
		return
	}
	rep, err := reps.Builtin(ck.Rep)
	if err != nil || rep.C() > 5 {
		rep, _ = reps.Builtin("A1")
	}
	// not a configuration that takes long to set up: the fuzzer wants
	// many inputs a second
	cfg := ck.Config
	if cfg.Validate() != nil {
		return
	}
	est := EstimateResources(cfg, rep.D, rep.C(), 0)
	if est.Bytes > 64<<20 || est.EpochSeconds > 1e-3 || cfg.Newton.MaxIter > 200 || cfg.WarmStart != "none" {
		return
	}
	tr, err := Resume(ck, rep, 0)
	if err != nil {
		if strings.Contains(err.Error(), "\n") {
			t.Errorf("a refusal of %d lines: %v", strings.Count(err.Error(), "\n")+1, err)
		}
		return
	}
	if tr.Epoch < tr.Cfg.Epochs {
		if _, err := tr.Step(); err != nil {
			return
		}
	}
	tr.Summary()
}
