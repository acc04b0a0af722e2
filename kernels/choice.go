package kernels

import (
	"fmt"
	"reflect"
	"slices"
	"strings"
	"sync"

	"github.com/rgflow/rgflow/kernels/dense"
	"github.com/rgflow/rgflow/kernels/internal/dispatch"
)

// How a Path chooses each kernel (kernels/README.md, "Choosing the
// kernels"). Every hot kernel is chosen on its own from the paths this CPU
// and build run:
//
//   - kernels whose paths give the same bits (bitsSame: the Gibbs
//     kernels, Relu, ReluMask, Adam) take the first path in the flag order
//     (avx512, avx2, generic) that has its own implementation, unless the
//     start-up calibration (Calibrate) finds another clearly faster;
//   - kernels whose paths differ in the last bits (bitsPath: Enumerate,
//     Tanh) take the flag order's first path not listed for this CPU model
//     in dispatch.Pathologies: no timing, so that one machine gives the
//     same numbers run after run;
//   - the products' shape classes (bitsFMA: gemmNT, gemmNTFew, gemmTN,
//     gemmNN) take the rule's path family (assembly or generic, which
//     differ in bits), and within it, where the calibration runs, each
//     class the path it finds clearly faster (the assembly paths give the
//     same bits: dense.TestAssemblyPathsAgree).
//
// A spec (Lookup, Calibrate, RGFLOW_KERNELS) pins paths: "avx2" every
// kernel on avx2 where it has an implementation there and generic
// otherwise, "avx2,catPair=generic" with per-kernel overrides,
// "catPair=generic" one kernel and the rest as above. Pinned kernels are
// not calibrated.

// bitsKind says whether a kernel's paths give the same bits.
type bitsKind int

const (
	bitsSame bitsKind = iota // every path gives the generic twin's bits
	bitsPath                 // every path its own last bits
	bitsFMA                  // the assembly paths agree with each other, not with generic
)

// kernelDef is one kernel a Path chooses on its own.
type kernelDef struct {
	name string
	bits bitsKind
	// impl kernels: the function value of an implementation (its code
	// pointer tells which path's code it is) and how to take it over.
	fn  func(*impl) any
	set func(dst, src *impl)
	// the products' classes (fn == nil)
	class dense.Class
	// work makes the calibration workload (calibrate.go: set by its init,
	// nil for the kernels that are not calibrated): inputs once, then a
	// call on a given path.
	work func() func(p Path) func()
}

func implKernel[F any](name string, bits bitsKind, f func(*impl) *F) kernelDef {
	return kernelDef{
		name: name, bits: bits,
		fn:  func(im *impl) any { return *f(im) },
		set: func(dst, src *impl) { *f(dst) = *f(src) },
	}
}

func gemmKernel(c dense.Class) kernelDef {
	return kernelDef{name: c.String(), bits: bitsFMA, class: c}
}

// kernelDefs lists the kernels in the order rgflow version prints them.
var kernelDefs = []kernelDef{
	implKernel("enumerate", bitsPath, func(im *impl) *func(*Enum) { return &im.enumerate }),
	implKernel("tanh", bitsPath, func(im *impl) *func(dst, x []float64) { return &im.tanh }),
	gemmKernel(dense.ClassNT),
	gemmKernel(dense.ClassNTFew),
	gemmKernel(dense.ClassTN),
	gemmKernel(dense.ClassNN),
	implKernel("relu", bitsSame, func(im *impl) *func(dst, z []float64) { return &im.relu }),
	implKernel("reluMask", bitsSame, func(im *impl) *func(g, z []float64) { return &im.reluMask }),
	implKernel("adam", bitsSame, func(im *impl) *func(params, grad, m, v []float64, c *AdamCoef) { return &im.adam }),
	implKernel("fineChainBits", bitsSame, func(im *impl) *func(*FineBits) { return &im.fineBits }),
	implKernel("fineChain", bitsSame, func(im *impl) *func(*FineChain) { return &im.fineChain }),
	implKernel("catPair", bitsSame, func(im *impl) *func(dst, a, b []uint8, tab []uint32, d int, key, base uint64) { return &im.catPair }),
	implKernel("catOne", bitsSame, func(im *impl) *func(dst, a []uint8, tab []uint32, d int, key, base uint64) { return &im.catOne }),
	implKernel("centreStates", bitsSame, func(im *impl) *func(dst []uint8, th []float64, d int, key, base uint64) { return &im.centre }),
	implKernel("cdStats", bitsSame, func(im *impl) *func(*CDStats, *LcLanes) { return &im.cdStats }),
	implKernel("cornerSums", bitsSame, func(im *impl) *func(W *[4][]float64, C *[4][]uint8, th []float64, d int, sign float64) {
		return &im.cornerSums
	}),
	implKernel("uniformStates", bitsSame, func(im *impl) *func(dst []uint8, d int, key, base uint64) { return &im.uniform }),
	implKernel("lcTanh", bitsSame, func(im *impl) *func(th, x []float64, abs, prod *[8]float64) { return &im.lcTanh }),
	implKernel("sigmoidPairs", bitsSame, func(im *impl) *func(plus, minus, x []float64) { return &im.sigmoids }),
	implKernel("catRows", bitsSame, func(im *impl) *func(tab []uint32, plus, minus []float64, R, d int) { return &im.catRows }),
	implKernel("prodPair", bitsSame, func(im *impl) *func(dst, a, b []uint8, ea, eb []float64, d int, key, base uint64) {
		return &im.prodPair
	}),
}

// gemmGroup pins every product class at once in a spec ("gemm=generic").
const gemmGroup = "gemm"

// KernelNames lists the kernels a spec may name, in kernelDefs' order.
func KernelNames() []string {
	out := make([]string, len(kernelDefs))
	for i, k := range kernelDefs {
		out[i] = k.name
	}
	return out
}

// available lists the implementations this CPU and build run, fastest
// first (generic last).
func available() []*impl {
	var out []*impl
	for _, im := range impls {
		if im.available {
			out = append(out, im)
		}
	}
	return out
}

func implNamed(name string) *impl {
	for _, im := range impls {
		if im.available && im.name == name {
			return im
		}
	}
	return nil
}

// resolve is the path whose implementation of k the path im runs: the
// slowest available path from im on with the same code (a path's table
// may hold a slower path's function: avx2's CornerSums is the generic
// twin, and an AVX512F CPU without AVX512DQ runs the avx2 Gibbs kernels
// on the avx512 path). The products' paths are their own.
func (k *kernelDef) resolve(im *impl) string {
	if k.fn == nil {
		return im.name
	}
	pc := reflect.ValueOf(k.fn(im)).Pointer()
	name := im.name
	av := available()
	for _, other := range av[slices.Index(av, im)+1:] {
		if reflect.ValueOf(k.fn(other)).Pointer() == pc {
			name = other.name
		}
	}
	return name
}

// candidates lists the paths with an implementation of k of their own,
// fastest first.
func (k *kernelDef) candidates() []string {
	var out []string
	for _, im := range available() {
		if r := k.resolve(im); !slices.Contains(out, r) {
			out = append(out, r)
		}
	}
	return out
}

// Choice is how one kernel of a Path was chosen.
type Choice struct {
	Kernel string
	Path   string // the path whose implementation runs
	// Why: "flags" (the first path in the flag order with an
	// implementation), "pathology" (dispatch.Pathologies), "pinned" (the
	// spec), "calibrated" or "calibrated (cached)".
	Why string
	// Note: a pathology's evidence, or the default a calibration replaced.
	Note string
	// Timings are the calibrated candidates' median seconds per call on
	// the calibration workload.
	Timings []Timing
	// SameBits: every path gives this kernel the same bits.
	SameBits bool
}

// Timing is one candidate's median seconds per call in a calibration.
type Timing struct {
	Path    string
	Seconds float64
}

// Reasons a kernel was chosen (Choice.Why).
const (
	whyFlags     = "flags"
	whyPathology = "pathology"
	whyPinned    = "pinned"
	whyCal       = "calibrated"
	whyCached    = "calibrated (cached)"
)

// CalibrationInfo describes the calibration behind a Path: Ran is false
// when there was none (every candidate kernel pinned, one path only, or
// Lookup's choice); Cached says the result came from File.
type CalibrationInfo struct {
	Ran     bool
	Cached  bool
	File    string  // the cache file ("" when nothing could be cached)
	Clock   string  // what was measured
	Seconds float64 // the measurement's cost on that clock (the cached run's)
	Err     string  // why the cache could not be read or written
}

// selection is what a Path runs: one implementation of every kernel,
// assembled from the paths' tables, and how each was chosen.
type selection struct {
	name    string // the canonical spec, which Lookup turns into the same choice
	base    string
	im      impl
	dense   dense.Path
	choices []Choice
	cal     CalibrationInfo
}

// spec is a parsed RGFLOW_KERNELS value.
type spec struct {
	base string         // "" : the rule's choice for every kernel not pinned
	pins map[int]string // kernelDefs index → path
}

// parseSpec reads "path", "path,kernel=path,…" or "kernel=path,…";
// errors name the unknown kernel or path.
func parseSpec(s string) (spec, error) {
	sp := spec{pins: map[int]string{}}
	if strings.TrimSpace(s) == "" {
		return sp, nil
	}
	for i, item := range strings.Split(s, ",") {
		item = strings.TrimSpace(item)
		k, p, isPin := strings.Cut(item, "=")
		switch {
		case item == "":
			return sp, fmt.Errorf("empty entry in %q (the form is PATH or PATH,KERNEL=PATH,…)", s)
		case !isPin:
			if i > 0 {
				return sp, fmt.Errorf("%q: the path for every kernel comes first (PATH,KERNEL=PATH,…)", item)
			}
			if _, err := dispatch.Choose(impls, item); err != nil {
				return sp, err
			}
			sp.base = item
			continue
		}
		k, p = strings.TrimSpace(k), strings.TrimSpace(p)
		var idx []int
		for j, d := range kernelDefs {
			if d.name == k || (k == gemmGroup && d.fn == nil) {
				idx = append(idx, j)
			}
		}
		if len(idx) == 0 {
			return sp, fmt.Errorf("unknown kernel %q (kernels: %s; %s for every product class)", k, strings.Join(KernelNames(), ", "), gemmGroup)
		}
		im, err := dispatch.Choose(impls, p)
		if err != nil {
			return sp, fmt.Errorf("%s: %v", k, err)
		}
		for _, j := range idx {
			d := &kernelDefs[j]
			if _, dup := sp.pins[j]; dup {
				return sp, fmt.Errorf("kernel %s is pinned twice in %q", d.name, s)
			}
			if r := d.resolve(im); r != p {
				return sp, fmt.Errorf("kernel %s has no %s implementation in this build (its paths on this CPU: %s)", d.name, p, strings.Join(d.candidates(), ", "))
			}
			sp.pins[j] = p
		}
	}
	return sp, nil
}

// ruleDefault is the path the rule gives kernel k: the flag order's first
// path with an implementation of its own, past any that a pathology of
// this CPU model names for a kernel whose paths differ in bits.
func ruleDefault(k *kernelDef, cpu dispatch.Features, table []dispatch.Pathology) (path, why, note string) {
	cands := k.candidates()
	if k.bits == bitsSame {
		return cands[0], whyFlags, ""
	}
	group := k.name
	if k.fn == nil {
		group = gemmGroup
	}
	why = whyFlags
	for _, c := range cands {
		avoid := ""
		for _, p := range table {
			if p.Kernel == group && p.Avoid == c && p.Matches(cpu) {
				avoid = p.Evidence
			}
		}
		if avoid == "" {
			return c, why, note
		}
		why, note = whyPathology, fmt.Sprintf("not %s: %s", c, avoid)
	}
	return cands[len(cands)-1], why, note
}

// calibrator measures the kernels a selection leaves to calibration
// (calibrate.go); nil for none.
type calibrator interface {
	choose(todo []calTask) CalibrationInfo
}

// calTask is one kernel to calibrate: its candidates, the default, and
// where to write the result.
type calTask struct {
	k      *kernelDef
	cands  []string
	def    string
	choice *Choice
}

// build makes the selection sp asks for, calibrating with cal (nil: none).
func build(sp spec, cal calibrator) (*selection, error) {
	base := sp.base
	if base == "" {
		base = available()[0].name
	}
	baseIm := implNamed(base)
	s := &selection{base: base, im: *baseIm}
	var todo []calTask
	s.choices = make([]Choice, len(kernelDefs))
	for j := range kernelDefs {
		k := &kernelDefs[j]
		c := &s.choices[j]
		c.Kernel, c.SameBits = k.name, k.bits == bitsSame
		switch p, pinned := sp.pins[j]; {
		case pinned:
			c.Path, c.Why = p, whyPinned
		case sp.base != "":
			c.Path, c.Why = k.resolve(baseIm), whyPinned
		default:
			c.Path, c.Why, c.Note = ruleDefault(k, dispatch.CPU, dispatch.Pathologies)
			var cands []string
			for _, q := range k.candidates() {
				if k.bits == bitsSame || (k.bits == bitsFMA && dense.SameBits(q, c.Path)) {
					cands = append(cands, q)
				}
			}
			if cal != nil && len(cands) > 1 && k.work != nil {
				todo = append(todo, calTask{k: k, cands: cands, def: c.Path, choice: c})
			}
		}
	}
	if len(todo) > 0 {
		s.cal = cal.choose(todo)
	}
	var classes [dense.NumClasses]string
	var overrides []string
	for j := range kernelDefs {
		k, c := &kernelDefs[j], &s.choices[j]
		if k.fn == nil {
			classes[k.class] = c.Path
		} else {
			k.set(&s.im, implNamed(c.Path))
		}
		if c.Path != k.resolve(baseIm) {
			overrides = append(overrides, k.name+"="+c.Path)
		}
	}
	d, err := dense.Select(classes)
	if err != nil {
		return nil, err
	}
	s.dense = d
	s.name = strings.Join(append([]string{base}, overrides...), ",")
	s.im.name = s.name
	return s, nil
}

// plain holds the selection of each path name this CPU runs (every
// kernel pinned to it) and, under "", the rule's choice (Fastest), built
// once so that equal choices are equal Paths.
var plain = func() map[string]*selection {
	m := map[string]*selection{}
	for _, im := range available() {
		sp, err := parseSpec(im.name)
		if err == nil {
			m[im.name], err = build(sp, nil)
		}
		if err != nil {
			panic("kernels: the " + im.name + " path: " + err.Error())
		}
	}
	s, err := build(spec{}, nil)
	if err != nil {
		panic("kernels: the rule's choice: " + err.Error())
	}
	m[""] = s
	return m
}()

func pathOf(s *selection) Path { return Path{impl: &s.im, dense: s.dense, sel: s} }

// Fastest returns the rule's choice for every kernel (no timing): the
// flag order's first path with an implementation, past known
// pathologies. It is what a Path's zero value runs.
func Fastest() Path { return pathOf(plain[""]) }

// Lookup returns the choice that spec pins (kernels/choice.go: "avx2",
// "avx2,catPair=generic", "catPair=generic"), every kernel it leaves
// unpinned on the rule's path (no calibration); "" is Fastest(). A
// kernel, path or entry it cannot give is an error naming it (a path this
// CPU or build lacks lists the available ones).
func Lookup(specText string) (Path, error) {
	if s, ok := plain[strings.TrimSpace(specText)]; ok {
		return pathOf(s), nil
	}
	sp, err := parseSpec(specText)
	if err != nil {
		return Path{}, err
	}
	s, err := build(sp, nil)
	if err != nil {
		return Path{}, err
	}
	return pathOf(s), nil
}

var (
	calMu   sync.Mutex
	calDone = map[string]*selection{}
)

// Calibrate is Lookup with the kernels that spec leaves to the rule and
// whose candidates give the same bits chosen by a short measurement on
// this CPU (thread CPU time; well under 0.2 s), cached per CPU model and
// build in the user's cache directory (dispatch.CachePath). A process
// calibrates once per spec.
func Calibrate(specText string) (Path, error) {
	specText = strings.TrimSpace(specText)
	calMu.Lock()
	defer calMu.Unlock()
	if s, ok := calDone[specText]; ok {
		return pathOf(s), nil
	}
	sp, err := parseSpec(specText)
	if err != nil {
		return Path{}, err
	}
	s, err := build(sp, startupCalibrator{})
	if err != nil {
		return Path{}, err
	}
	calDone[specText] = s
	return pathOf(s), nil
}

// Choices says how each kernel of p was chosen, in KernelNames' order.
func (p Path) Choices() []Choice {
	s := p.selection()
	if s == nil {
		return nil
	}
	out := slices.Clone(s.choices)
	for i := range out {
		out[i].Timings = slices.Clone(out[i].Timings)
	}
	return out
}

// ChoiceMap is p's choice as results record it: kernel → path.
func (p Path) ChoiceMap() map[string]string {
	m := map[string]string{}
	for _, c := range p.Choices() {
		m[c.Kernel] = c.Path
	}
	return m
}

// Calibration describes the calibration behind p.
func (p Path) Calibration() CalibrationInfo {
	if s := p.selection(); s != nil {
		return s.cal
	}
	return CalibrationInfo{}
}

// BitsDiffer lists the kernels for which the choice rec (a ChoiceMap
// recorded with a result) gives other bits than p, as "kernel: rec's path,
// now p's path"; kernels rec does not name are not compared.
func (p Path) BitsDiffer(rec map[string]string) []string {
	var out []string
	for _, c := range p.Choices() {
		r, ok := rec[c.Kernel]
		if !ok || c.SameBits || r == c.Path {
			continue
		}
		if strings.HasPrefix(c.Kernel, gemmGroup) && dense.SameBits(r, c.Path) {
			continue
		}
		out = append(out, fmt.Sprintf("%s: %s, now %s", c.Kernel, r, c.Path))
	}
	return out
}

// selection is p's selection; a Path made of a bare implementation (the
// tests') has none.
func (p Path) selection() *selection {
	switch {
	case p.sel != nil:
		return p.sel
	case p.impl == nil:
		return plain[""]
	}
	return nil
}
