package engine

import (
	"encoding/json"
	"strings"
	"testing"

	"github.com/rgflow/rgflow/kernels"
	"github.com/rgflow/rgflow/reps"
)

// The summary and the checkpoint record the kernel choice, and a run
// resumed on a choice that changes bits is told so.
func TestKernelChoiceRecorded(t *testing.T) {
	rep, _ := reps.Builtin("A1")
	fast := kernels.Fastest()
	tr, err := NewTrainer(shortConfig(), rep, WithKernels(fast))
	if err != nil {
		t.Fatal(err)
	}
	s := tr.Summary()
	if s.Kernels != fast.Name() || s.KernelChoice["catPair"] != fast.ChoiceMap()["catPair"] || len(s.KernelChoice) != len(kernels.KernelNames()) {
		t.Errorf("summary: kernels %q, choice %v", s.Kernels, s.KernelChoice)
	}
	ck, err := tr.Checkpoint()
	if err != nil {
		t.Fatal(err)
	}
	data, _ := json.Marshal(ck)
	var back Checkpoint
	if err := json.Unmarshal(data, &back); err != nil {
		t.Fatal(err)
	}
	if back.Kernels != fast.Name() || back.KernelChoice["enumerate"] != fast.ChoiceMap()["enumerate"] {
		t.Errorf("checkpoint: kernels %q, choice %v", back.Kernels, back.KernelChoice)
	}
	if w := KernelsChanged(&back, fast); w != "" {
		t.Errorf("the same choice: %q", w)
	}
	older := back
	older.Kernels, older.KernelChoice = "", nil
	if w := KernelsChanged(&older, fast); w != "" {
		t.Errorf("a checkpoint without a recorded choice: %q", w)
	}
	if len(kernels.Available()) < 2 {
		t.Skip("one kernel path on this CPU and build: no other choice to resume on")
	}
	generic, _ := kernels.Lookup("generic")
	w := KernelsChanged(&back, generic)
	for _, want := range []string{"enumerate: " + fast.ChoiceMap()["enumerate"] + ", now generic", "RGFLOW_KERNELS=" + fast.Name() + " repeats them"} {
		if !strings.Contains(w, want) {
			t.Errorf("resumed on generic: %q lacks %q", w, want)
		}
	}
	if strings.Contains(w, "catPair") {
		t.Errorf("resumed on generic: %q names catPair, whose bits are the same on every path", w)
	}
}
