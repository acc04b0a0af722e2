// Package kernels holds rgflow's hot loops behind a small API. Every
// assembly kernel has a pure-Go reference implementation named …Generic,
// and tests compare every path this CPU runs with it. A Path is one
// implementation of each kernel (and of kernels/dense's matrix products),
// each kernel chosen on its own from the paths this CPU runs (choice.go);
// callers make one with Fastest, Lookup or Calibrate and pass it on, so
// that the choice is a value, never process state. (The rgflow command
// reads RGFLOW_KERNELS, a spec such as "avx2,catPair=generic", and
// calibrates what it leaves free.)
//
// The Gibbs sampler's kernels (gibbs.go) are Path methods too: every path
// draws the same samples from the same seed, bit for bit.
//
// Paths, fastest first:
//   - avx512 (AVX512F; kernels_avx512_amd64.s) and avx2 (AVX2 + FMA3;
//     kernels_avx2_amd64.s), built on amd64 with the gc toolchain unless
//     the purego tag is set (asm.go lists them and holds the wrappers,
//     kernels_amd64.go declares the assembly, kernels_noasm.go is the
//     complement);
//   - generic (generic.go), everywhere.
//
// The assembly paths evaluate exp, log1p and the quotients with their own
// range reductions and polynomials (no calls into package math), run the
// two inner loops of the enumeration in assembly and the two outer ones in
// Go (enum_asm.go), and, when the tables are exactly symmetric under the
// global spin flip (the engine's are), enumerate half of the
// configurations. For D ≥ 3 and moderate tables (fields summing to at most
// 300 and not all below 0.1, fine tables spanning at most 200: the
// physical range) they use an exp-free block in which exp(−2φ) and
// exp(a − log Z_f) are products of precomputed per-site exponentials;
// other tables take the general block. Results agree with the generic
// twins to ~1e-15 relative, ~1e-14 with table entries of ~50 (tests
// require 1e-12 for Enumerate and 1e-13 for Tanh).
package kernels

import (
	"fmt"
	"math"
	"sync"
	"time"

	"github.com/rgflow/rgflow/kernels/dense"
	"github.com/rgflow/rgflow/kernels/internal/dispatch"
)

// Lanes is the number of couplings one enumeration call handles at once,
// laid out structure-of-arrays (lane index fastest), so that a SIMD register
// holds the same quantity for Lanes different couplings.
const Lanes = 8

// Enum is one call of the enumeration kernel: a group of Lanes couplings of a
// block pair with D spins per site and S = 2^D states per site.
//
// Inputs (lane index fastest everywhere):
//   - Fine: the four fine-block edge tables, −F_f split by edge, as
//     Fine[((e*S+sa)*S+sb)*Lanes+l] for the site pairs
//     e = 0: (c0,c1), 1: (c1,c2), 2: (c2,c3), 3: (c0,c3).
//   - LogZf: log Z of the fine block, per lane.
//   - Field: the coarse block's per-site field tables, φ_k(v) = Σ_i U_i[s_i][k],
//     as Field[((i*S+s)*D+k)*Lanes+l].
//
// Outputs (overwritten):
//   - Sums[0*Lanes+l] = Σ_v p(v), Sums[1*Lanes+l] = Σ_v p(v) a(v),
//     Sums[2*Lanes+l] = Σ_v p(v) b(v), with a = −F_f, b = −F_c = Σ_k lc(φ_k)
//     and p(v) = exp(a(v) − LogZf).
//   - W[((i*S+s)*D+k)*Lanes+l] = Σ_{v: s_i = s} p(v) tanh(φ_k(v)).
type Enum struct {
	D     int
	Fine  []float64
	LogZf []float64
	Field []float64
	Sums  []float64
	W     []float64
}

// Check reports whether the slices have the sizes D asks for.
func (e *Enum) Check() error {
	if e.D < 1 || e.D > 8 {
		return fmt.Errorf("kernels: D = %d out of range", e.D)
	}
	S := 1 << e.D
	want := []struct {
		name string
		got  int
		n    int
	}{
		{"Fine", len(e.Fine), 4 * S * S * Lanes},
		{"LogZf", len(e.LogZf), Lanes},
		{"Field", len(e.Field), 4 * S * e.D * Lanes},
		{"Sums", len(e.Sums), 3 * Lanes},
		{"W", len(e.W), 4 * S * e.D * Lanes},
	}
	for _, w := range want {
		if w.got < w.n {
			return fmt.Errorf("kernels: %s has %d entries, need %d", w.name, w.got, w.n)
		}
	}
	return nil
}

// Path is one implementation of every hot loop: the enumeration, the
// vector kernels and the Gibbs sampler's kernels of this package and the
// matrix products of kernels/dense, each kernel chosen on its own from
// the paths this CPU runs (choice.go). A Path is a value handed to
// whatever runs the loops (engine.WithKernels), so that runs on different
// choices can share a process; nothing here holds a current path.
// Fastest, Lookup and Calibrate make one; the zero Path is Fastest().
type Path struct {
	impl  *impl
	dense dense.Path
	sel   *selection // how each kernel was chosen (nil for a bare implementation)
}

// impl is this package's half of a path.
type impl struct {
	name      string
	available bool // this CPU and build run it
	enumerate func(*Enum)
	tanh      func(dst, x []float64)
	relu      func(dst, z []float64)
	reluMask  func(g, z []float64)
	adam      func(params, grad, m, v []float64, c *AdamCoef)
	fmaLoop   func(x *[12]float64, a, b float64, n int)
	fmaLanes  int // doubles per FMA instruction of fmaLoop
	gibbs
}

// gibbs is an implementation of the Gibbs sampler's kernels (gibbs.go).
type gibbs struct {
	fineBits   func(*FineBits)
	fineChain  func(*FineChain)
	catPair    func(dst, a, b []uint8, tab []uint32, d int, key, base uint64)
	catOne     func(dst, a []uint8, tab []uint32, d int, key, base uint64)
	centre     func(dst []uint8, th []float64, d int, key, base uint64)
	cdStats    func(*CDStats, *LcLanes)
	cornerSums func(W *[4][]float64, C *[4][]uint8, th []float64, d int, sign float64)
	uniform    func(dst []uint8, d int, key, base uint64)
	lcTanh     func(th, x []float64, abs, prod *[8]float64)
	sigmoids   func(plus, minus, x []float64)
	catRows    func(tab []uint32, plus, minus []float64, R, d int)
	prodPair   func(dst, a, b []uint8, ea, eb []float64, d int, key, base uint64)
}

var genericGibbs = gibbs{
	fineBits:   FineChainBitsGeneric,
	fineChain:  FineChainGeneric,
	catPair:    CatPairGeneric,
	catOne:     CatOneGeneric,
	centre:     CentreStatesGeneric,
	cdStats:    CDStatsGeneric,
	cornerSums: CornerSumsGeneric,
	uniform:    UniformStatesGeneric,
	lcTanh:     LcTanhGeneric,
	sigmoids:   SigmoidPairsGeneric,
	catRows:    CatRowsGeneric,
	prodPair:   ProdPairGeneric,
}

var generic = &impl{
	name:      "generic",
	available: true,
	enumerate: EnumerateGeneric,
	tanh:      TanhGeneric,
	relu:      ReluGeneric,
	reluMask:  ReluMaskGeneric,
	adam:      AdamGeneric,
	fmaLoop:   FMALoopGeneric,
	fmaLanes:  1,
	gibbs:     genericGibbs,
}

// impls lists the implementations from fastest to slowest: the assembly
// paths of this build (archImpls, empty under purego or on other
// architectures) and then the generic one.
var impls = append(append([]*impl(nil), archImpls...), generic)

// Available lists the paths this CPU and build can run, fastest first.
func Available() []string { return dispatch.Names(impls) }

// Features describes the CPU for the CLI: its brand and the features the
// paths use.
func Features() string { return dispatch.CPU.String() }

// CPUModel names the CPU model as the pathology table and the calibration
// cache key it: "GenuineIntel family 0x6 model 0xa7 stepping 1".
func CPUModel() string { return dispatch.CPU.ID() }

func (p Path) get() *impl {
	if p.impl == nil {
		return &plain[""].im
	}
	return p.impl
}

// Name is the path's canonical spec, which Lookup turns into the same
// choice: the path of the flag order (or the pinned one) and the kernels
// chosen otherwise, "avx512" or "avx512,catPair=avx2".
func (p Path) Name() string { return p.get().name }

// String is the path's name.
func (p Path) String() string { return p.Name() }

// Dense is the path's implementation of the matrix products.
func (p Path) Dense() dense.Path {
	if p.impl == nil {
		return plain[""].dense
	}
	return p.dense
}

// Enumerate runs the enumeration kernel on this path.
func (p Path) Enumerate(e *Enum) { p.get().enumerate(e) }

// Tanh sets dst[i] = tanh x[i] for i < len(x) on this path.
func (p Path) Tanh(dst, x []float64) { p.get().tanh(dst[:len(x)], x) }

// FMALoop runs n rounds of twelve independent chains of fused
// multiply-adds, x_i ← x_i·a + b, each across FMALanes() doubles holding
// the same value, and leaves the chains' values in x. It measures the
// CPU's FMA throughput (FMAPeak); the values, the same bits on every
// path, show that the work was done.
func (p Path) FMALoop(x *[12]float64, a, b float64, n int) { p.get().fmaLoop(x, a, b, n) }

// FMALanes is the number of doubles each fused multiply-add of FMALoop
// works on: 8 (avx512), 4 (avx2) or 1 (generic).
func (p Path) FMALanes() int { return p.get().fmaLanes }

// FMAPeak measures the double-precision fused multiply-adds per second
// that workers goroutines running p's FMALoop side by side sustain for
// about dur: with the fastest path and one goroutine per core, the
// machine's FMA peak.
func FMAPeak(p Path, workers int, dur time.Duration) float64 {
	const rounds = 1 << 16
	var wg sync.WaitGroup
	counts := make([]int, workers)
	start := time.Now()
	for w := range workers {
		wg.Add(1)
		go func() {
			defer wg.Done()
			x := [12]float64{}
			for i := range x {
				x[i] = float64(i) * 0.1
			}
			for time.Since(start) < dur {
				p.FMALoop(&x, 0.999, 0.001, rounds)
				counts[w] += rounds
			}
		}()
	}
	wg.Wait()
	el := time.Since(start).Seconds()
	total := 0
	for _, c := range counts {
		total += c
	}
	return float64(total) * 12 * float64(p.FMALanes()) / el
}

// FMALoopGeneric is FMALoop's reference (scalar, math.FMA).
func FMALoopGeneric(x *[12]float64, a, b float64, n int) {
	for range n {
		for i := range x {
			x[i] = math.FMA(x[i], a, b)
		}
	}
}

// Relu sets dst[i] = max(z[i], 0) for i < len(z) (ReluGeneric).
func (p Path) Relu(dst, z []float64) { p.get().relu(dst[:len(z)], z) }

// ReluMask multiplies g[i] by the ReLU's derivative at z[i], 1 or 0, for
// i < len(z) (ReluMaskGeneric).
func (p Path) ReluMask(g, z []float64) { p.get().reluMask(g[:len(z)], z) }

// Adam takes one Adam step of params (AdamGeneric); m and v are the
// moment estimates, updated in place. All four slices have len(grad)
// elements at least.
func (p Path) Adam(params, grad, m, v []float64, c *AdamCoef) {
	n := len(grad)
	if len(params) < n || len(m) < n || len(v) < n {
		panic("kernels: Adam sizes")
	}
	p.get().adam(params[:n], grad, m[:n], v[:n], c)
}

func (im *impl) Name() string    { return im.name }
func (im *impl) Available() bool { return im.available }
