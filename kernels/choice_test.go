package kernels

import (
	"math"
	"reflect"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/rgflow/rgflow/kernels/dense"
	"github.com/rgflow/rgflow/kernels/internal/dispatch"
)

func codeOf(f any) uintptr { return reflect.ValueOf(f).Pointer() }

// Every kernel of every plain path resolves to a path that has it, the
// generic path to generic, and a Path runs the implementation its choice
// names.
func TestChoiceResolves(t *testing.T) {
	for _, name := range Available() {
		p, err := Lookup(name)
		if err != nil {
			t.Fatal(err)
		}
		if p.Name() != name {
			t.Errorf("Lookup(%q).Name() = %q", name, p.Name())
		}
		for j, c := range p.Choices() {
			k := &kernelDefs[j]
			if c.Kernel != k.name || c.Why != whyPinned {
				t.Errorf("%s: choice %d is %+v", name, j, c)
			}
			if !slices.Contains(k.candidates(), c.Path) {
				t.Errorf("%s: %s on %s, which is not among its paths %v", name, c.Kernel, c.Path, k.candidates())
			}
			if name == "generic" && c.Path != "generic" {
				t.Errorf("generic: %s on %s", c.Kernel, c.Path)
			}
			if k.fn != nil && codeOf(k.fn(p.get())) != codeOf(k.fn(implNamed(c.Path))) {
				t.Errorf("%s: %s does not run %s's implementation", name, c.Kernel, c.Path)
			}
			if k.fn == nil && p.Dense().ClassPath(k.class) != c.Path {
				t.Errorf("%s: %s runs on %s, the choice says %s", name, c.Kernel, p.Dense().ClassPath(k.class), c.Path)
			}
		}
	}
	if got := KernelNames(); len(got) != len(kernelDefs) || got[0] != "enumerate" {
		t.Errorf("KernelNames() = %v", got)
	}
}

// A spec pins single kernels over a path, its canonical name gives the
// same choice back, and what it cannot give is an error that names it.
func TestSpecs(t *testing.T) {
	avail := Available()
	fast := avail[0]
	p, err := Lookup(fast + ",catPair=generic, gemm = " + fast)
	if err != nil {
		t.Fatal(err)
	}
	if fast != "generic" {
		if want := fast + ",catPair=generic"; p.Name() != want {
			t.Errorf("Name() = %q, want %q", p.Name(), want)
		}
	}
	if codeOf(p.get().catPair) != codeOf(CatPairGeneric) {
		t.Error("catPair=generic does not run CatPairGeneric")
	}
	m := p.ChoiceMap()
	if m["catPair"] != "generic" || m["enumerate"] != fast || m["gemmNT"] != fast {
		t.Errorf("ChoiceMap() = %v", m)
	}
	back, err := Lookup(p.Name())
	if err != nil || !maps(back.ChoiceMap(), m) {
		t.Errorf("Lookup(%q) = %v, %v: not the same choice", p.Name(), back.ChoiceMap(), err)
	}
	// kernels alone: the rest as the rule chooses
	q, err := Lookup("tanh=generic")
	if err != nil || q.ChoiceMap()["tanh"] != "generic" || q.ChoiceMap()["enumerate"] != Fastest().ChoiceMap()["enumerate"] {
		t.Errorf(`Lookup("tanh=generic") = %v, %v`, q.ChoiceMap(), err)
	}
	for _, bad := range []struct{ spec, want string }{
		{"sse9", `unknown kernel path "sse9"`},
		{"catPiar=generic", `unknown kernel "catPiar"`},
		{"catPair=sse9", `catPair: unknown kernel path "sse9"`},
		{"generic,,tanh=generic", "empty entry"},
		{"tanh=generic,generic", "comes first"},
		{"tanh=generic,tanh=generic", "pinned twice"},
	} {
		if _, err := Lookup(bad.spec); err == nil || !strings.Contains(err.Error(), bad.want) {
			t.Errorf("Lookup(%q) = %v; want an error with %q", bad.spec, err, bad.want)
		}
	}
	// a kernel pinned to a path whose table holds another path's code
	for j := range kernelDefs {
		k := &kernelDefs[j]
		for _, im := range available() {
			if r := k.resolve(im); r != im.name {
				_, err := Lookup(k.name + "=" + im.name)
				if err == nil || !strings.Contains(err.Error(), "has no "+im.name+" implementation") {
					t.Errorf("%s=%s (which runs %s's code) gave %v", k.name, im.name, r, err)
				}
			}
		}
	}
	// the products must not mix the generic path with assembly ones
	if len(avail) > 1 {
		if _, err := Lookup("gemmNTFew=generic"); err == nil || !strings.Contains(err.Error(), "gemmNTFew") {
			t.Errorf("generic single rows beside %s batches gave %v", fast, err)
		}
	}
}

func maps(a, b map[string]string) bool {
	if len(a) != len(b) {
		return false
	}
	for k, v := range a {
		if b[k] != v {
			return false
		}
	}
	return true
}

// The rule skips a path that a pathology names for this CPU model, for
// kernels whose paths differ in bits only, and says why.
func TestPathologyRule(t *testing.T) {
	avail := Available()
	if len(avail) < 2 {
		t.Skip("one path on this CPU and build: nothing to avoid")
	}
	cpu := dispatch.Features{Vendor: "AuthenticAMD", Family: 0x19, Model: 0x21}
	table := []dispatch.Pathology{
		{Vendor: "AuthenticAMD", Family: 0x19, Models: [][2]int{{0x00, 0x0f}, {0x20, 0x5f}}, Kernel: "tanh", Avoid: avail[0], Evidence: "planted"},
		{Vendor: "AuthenticAMD", Family: 0x19, Models: [][2]int{{0x20, 0x5f}}, Kernel: "catPair", Avoid: avail[0], Evidence: "planted"},
	}
	tanh, catPair := &kernelDefs[slices.Index(KernelNames(), "tanh")], &kernelDefs[slices.Index(KernelNames(), "catPair")]
	if p, why, note := ruleDefault(tanh, cpu, table); p != avail[1] || why != whyPathology || !strings.Contains(note, "planted") {
		t.Errorf("tanh on a matching CPU: %s, %s, %s; want %s for a pathology", p, why, note, avail[1])
	}
	if p, why, _ := ruleDefault(catPair, cpu, table); p != catPair.candidates()[0] || why != whyFlags {
		t.Errorf("catPair (same bits: calibrated, never a pathology) gave %s, %s", p, why)
	}
	other := cpu
	other.Model = 0x11 // Zen 4
	if p, why, _ := ruleDefault(tanh, other, table); p != avail[0] || why != whyFlags {
		t.Errorf("tanh on a CPU the table does not name: %s, %s", p, why)
	}
	if !table[0].Matches(cpu) || table[0].Matches(other) || table[0].Matches(dispatch.Features{Vendor: "GenuineIntel", Family: 0x19, Model: 0x21}) {
		t.Error("Pathology.Matches")
	}
}

// The calibration replaces a default only when the injected timings say
// a candidate wins clearly, caches what it found, reuses it, and
// measures again for another build.
func TestCalibrateWithInjectedTimings(t *testing.T) {
	skipUnlessPaths(t, "avx512", "avx2")
	t.Setenv("XDG_CACHE_HOME", t.TempDir())
	t.Setenv("HOME", t.TempDir())
	tasks := func() ([]calTask, []Choice) {
		choices := make([]Choice, 2)
		defs := []*kernelDef{&kernelDefs[slices.Index(KernelNames(), "catPair")], &kernelDefs[slices.Index(KernelNames(), "relu")]}
		var out []calTask
		for i, k := range defs {
			choices[i] = Choice{Kernel: k.name, Path: "avx512", Why: whyFlags, SameBits: true}
			out = append(out, calTask{k: k, cands: []string{"avx512", "avx2", "generic"}, def: "avx512", choice: &choices[i]})
		}
		return out, choices
	}
	// catPair: avx2 20 % faster in every trial; relu: avx2 faster in the
	// median by 30 % but in only 3 of 5 trials (noise)
	timings := map[string][][]float64{
		"catPair": {{10, 10, 11, 10, 10}, {8, 8, 8, 8, 8.5}, {30, 30, 30, 30, 30}},
		"relu":    {{10, 10, 10, 10, 10}, {7, 7, 7, 12, 12}, {30, 30, 30, 30, 30}},
	}
	calls := 0
	todo, choices := tasks()
	i := 0
	inject := func(c []dispatch.Candidate, r dispatch.Rule) ([][]float64, time.Duration) {
		s := timings[todo[i].k.name]
		i++
		calls++
		return s, time.Millisecond
	}
	info := calibrateWith(todo, "key one", inject, dispatch.DefaultRule)
	if !info.Ran || info.Cached || info.File == "" || info.Err != "" || math.Abs(info.Seconds-0.002) > 1e-12 {
		t.Fatalf("first calibration: %+v", info)
	}
	if choices[0].Path != "avx2" || choices[0].Why != whyCal || choices[0].Note != "instead of avx512" {
		t.Errorf("catPair: %+v; want avx2, calibrated", choices[0])
	}
	if choices[1].Path != "avx512" || choices[1].Why != whyCal || len(choices[1].Timings) != 3 || choices[1].Timings[1].Seconds != 7 {
		t.Errorf("relu: %+v; want the default kept, with the timings", choices[1])
	}
	todo, choices = tasks()
	info = calibrateWith(todo, "key one", func([]dispatch.Candidate, dispatch.Rule) ([][]float64, time.Duration) {
		t.Fatal("measured although the cache holds the answer")
		return nil, 0
	}, dispatch.DefaultRule)
	if !info.Cached || choices[0].Path != "avx2" || choices[0].Why != whyCached || choices[1].Path != "avx512" {
		t.Errorf("from the cache: %+v, %+v", info, choices)
	}
	todo, choices = tasks()
	i, calls = 0, 0
	info = calibrateWith(todo, "key two", inject, dispatch.DefaultRule)
	if info.Cached || calls != 2 || choices[0].Why != whyCal {
		t.Errorf("another build: %+v after %d measurements", info, calls)
	}
}

func skipUnlessPaths(t *testing.T, names ...string) {
	t.Helper()
	for _, n := range names {
		if implNamed(n) == nil {
			t.Skipf("path %s not on this CPU and build (the test's candidates)", n)
		}
	}
}

// The real calibration on this CPU: every kernel it measures gets a
// candidate's path and positive timings, the products stay in their bit
// family, and it costs well under 0.2 s of thread CPU time.
func TestCalibrateHere(t *testing.T) {
	if len(Available()) < 2 {
		t.Skip("one path on this CPU and build: nothing to calibrate")
	}
	sp, _ := parseSpec("")
	var info CalibrationInfo
	s, err := build(sp, calibratorFunc(func(todo []calTask) CalibrationInfo {
		info = calibrateWith(todo, "", dispatch.Measure, dispatch.DefaultRule)
		return info
	}))
	if err != nil {
		t.Fatal(err)
	}
	fast := Fastest()
	for j, c := range s.choices {
		k := &kernelDefs[j]
		if k.bits == bitsPath {
			if c.Why != whyFlags && c.Why != whyPathology {
				t.Errorf("%s (bits differ by path) was %s", c.Kernel, c.Why)
			}
			continue
		}
		if c.Why != whyCal || len(c.Timings) < 2 {
			t.Errorf("%s: %+v; want calibrated with timings", c.Kernel, c)
		}
		for _, tm := range c.Timings {
			if !(tm.Seconds > 0) {
				t.Errorf("%s: %s took %v", c.Kernel, tm.Path, tm.Seconds)
			}
		}
		if k.bits == bitsFMA && !dense.SameBits(c.Path, fast.ChoiceMap()[c.Kernel]) {
			t.Errorf("%s left its bit family: %s", c.Kernel, c.Path)
		}
	}
	t.Logf("calibration: %.3g s of %s; choice %s", info.Seconds, info.Clock, s.name)
	if info.Seconds > 0.2 {
		t.Errorf("the calibration took %.3g s of %s, want well under 0.2 s", info.Seconds, info.Clock)
	}
}

type calibratorFunc func([]calTask) CalibrationInfo

func (f calibratorFunc) choose(todo []calTask) CalibrationInfo { return f(todo) }

// A recorded choice is compared kernel by kernel where the bits can
// differ.
func TestBitsDiffer(t *testing.T) {
	avail := Available()
	if len(avail) < 2 {
		t.Skip("one path on this CPU and build")
	}
	p := Fastest()
	rec := p.ChoiceMap()
	if d := p.BitsDiffer(rec); len(d) != 0 {
		t.Errorf("the same choice differs: %v", d)
	}
	rec["catPair"] = "generic" // same bits on every path
	rec["tanh"] = "generic"
	rec["gemmTN"] = "generic"
	delete(rec, "enumerate") // an older record without it
	d := p.BitsDiffer(rec)
	if len(d) != 2 || !strings.HasPrefix(d[0], "tanh: generic, now ") || !strings.HasPrefix(d[1], "gemmTN: generic") {
		t.Errorf("BitsDiffer = %v; want tanh and gemmTN", d)
	}
	if len(avail) > 2 {
		rec = p.ChoiceMap()
		rec["gemmNT"] = avail[1] // another assembly path: the same bits
		if d := p.BitsDiffer(rec); len(d) != 0 {
			t.Errorf("gemmNT on %s: %v", avail[1], d)
		}
	}
}
