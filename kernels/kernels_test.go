package kernels

import (
	"math"
	"math/rand/v2"
	"slices"
	"testing"
	"time"

	"github.com/rgflow/rgflow/kernels/dense"
)

// fastPaths returns the non-generic implementations this CPU and build can
// run; each is compared against the generic twin.
func fastPaths() []*impl {
	var out []*impl
	for _, p := range impls {
		if p != generic && p.available {
			out = append(out, p)
		}
	}
	return out
}

func TestPathSelection(t *testing.T) {
	avail := Available()
	if len(avail) == 0 || avail[len(avail)-1] != "generic" {
		t.Fatalf("Available() = %v, want generic last", avail)
	}
	if !slices.Equal(avail, dense.Available()) {
		t.Fatalf("kernels offers %v, kernels/dense %v: a name must mean the same in both", avail, dense.Available())
	}
	for _, name := range avail {
		p, err := Lookup(name)
		if err != nil {
			t.Fatalf("Lookup(%q): %v", name, err)
		}
		if p.Name() != name || p.Dense().Name() != name {
			t.Fatalf("Lookup(%q) gave %q with network products on %q", name, p.Name(), p.Dense().Name())
		}
	}
	for _, p := range []Path{Fastest(), {}} {
		if p.Name() != avail[0] || p.Dense().Name() != avail[0] {
			t.Fatalf("Fastest() or the zero Path is %q (products %q), want %q", p.Name(), p.Dense().Name(), avail[0])
		}
	}
	if p, err := Lookup(""); err != nil || p != Fastest() {
		t.Fatalf(`Lookup("") = %v, %v; want Fastest()`, p, err)
	}
	if _, err := Lookup("nonsense"); err == nil {
		t.Fatal(`Lookup("nonsense") succeeded`)
	}
	// A path this build or CPU lacks must be refused, not silently replaced.
	for _, name := range []string{"avx2", "avx512"} {
		if slices.Contains(avail, name) {
			continue
		}
		if _, err := Lookup(name); err == nil {
			t.Fatalf("Lookup(%q) succeeded but the path is not available (%v)", name, avail)
		}
	}
	if Features() == "" {
		t.Fatal("Features() is empty")
	}
	t.Logf("CPU: %s; paths: %v", Features(), avail)
}

// Every path's Tanh method reaches its own kernel.
func TestPathTanh(t *testing.T) {
	x := []float64{-3, -1e-9, 0, 0.5, 20}
	want := make([]float64, len(x))
	TanhGeneric(want, x)
	for _, name := range Available() {
		p, _ := Lookup(name)
		got := make([]float64, len(x))
		p.Tanh(got, x)
		for i := range x {
			if relErr(got[i], want[i]) > 1e-13 {
				t.Errorf("%s: tanh(%g) = %g, want %g", name, x[i], got[i], want[i])
			}
		}
	}
}

// --- Enumerate ---

// enumCase builds an Enum with D spins per site. fineAmp[l] and fieldAmp[l]
// are the per-lane amplitudes of the uniform random table entries; sym makes
// the tables exactly flip-symmetric, as the engine's are. LogZf is the exact
// log-sum-exp of a over all configurations, as the engine passes it.
func enumCase(rng *rand.Rand, d int, fineAmp, fieldAmp [Lanes]float64, sym bool) *Enum {
	S := 1 << d
	M := S - 1
	const L = Lanes
	e := &Enum{
		D:     d,
		Fine:  make([]float64, 4*S*S*L),
		LogZf: make([]float64, L),
		Field: make([]float64, 4*S*d*L),
		Sums:  make([]float64, 3*L),
		W:     make([]float64, 4*S*d*L),
	}
	for t := 0; t < 4; t++ {
		for sa := 0; sa < S; sa++ {
			for sb := 0; sb < S; sb++ {
				for l := 0; l < L; l++ {
					i := ((t*S+sa)*S+sb)*L + l
					if sym && sa > sa^M {
						e.Fine[i] = e.Fine[((t*S+(sa^M))*S+(sb^M))*L+l]
						continue
					}
					e.Fine[i] = fineAmp[l] * (2*rng.Float64() - 1)
				}
			}
		}
	}
	for i := 0; i < 4; i++ {
		for s := 0; s < S; s++ {
			for j := 0; j < d*L; j++ {
				o := (i*S+s)*d*L + j
				if sym && s > s^M {
					e.Field[o] = -e.Field[(i*S+(s^M))*d*L+j]
					continue
				}
				e.Field[o] = fieldAmp[j%L] * (2*rng.Float64() - 1)
			}
		}
	}
	setLogZ(e)
	return e
}

// configA calls f(l, a) for every configuration and lane.
func configA(e *Enum, f func(l int, a float64)) {
	S := 1 << e.D
	const L = Lanes
	fine := func(t, sa, sb, l int) float64 { return e.Fine[((t*S+sa)*S+sb)*L+l] }
	for s0 := 0; s0 < S; s0++ {
		for s1 := 0; s1 < S; s1++ {
			for s2 := 0; s2 < S; s2++ {
				for s3 := 0; s3 < S; s3++ {
					for l := 0; l < L; l++ {
						f(l, fine(0, s0, s1, l)+fine(1, s1, s2, l)+fine(2, s2, s3, l)+fine(3, s0, s3, l))
					}
				}
			}
		}
	}
}

func setLogZ(e *Enum) {
	var mx, sum [Lanes]float64
	for l := range mx {
		mx[l] = math.Inf(-1)
	}
	configA(e, func(l int, a float64) { mx[l] = max(mx[l], a) })
	configA(e, func(l int, a float64) { sum[l] += math.Exp(a - mx[l]) })
	for l := range sum {
		e.LogZf[l] = mx[l] + math.Log(sum[l])
	}
}

func cloneEnum(e *Enum) *Enum {
	c := *e
	c.Sums = make([]float64, len(e.Sums))
	c.W = make([]float64, len(e.W))
	// Poison the outputs: the kernel must overwrite them.
	for i := range c.Sums {
		c.Sums[i] = math.NaN()
	}
	for i := range c.W {
		c.W[i] = math.NaN()
	}
	return &c
}

// compareEnum checks got against want: sums to 1e-12 relative (Σp·a against
// Σp·|a|, which it equals unless a changes sign), W to 1e-12 of the lane's
// max|W|. It returns the largest relative deviations seen.
func compareEnum(t *testing.T, name string, e, got, want *Enum) (maxSum, maxW float64) {
	t.Helper()
	S := 1 << e.D
	const L = Lanes
	var absA [Lanes]float64 // Σ p|a|
	configA(e, func(l int, a float64) { absA[l] += math.Exp(a-e.LogZf[l]) * math.Abs(a) })
	for l := 0; l < L; l++ {
		for q := 0; q < 3; q++ {
			g, w := got.Sums[q*L+l], want.Sums[q*L+l]
			scale := math.Abs(w)
			if q == 1 {
				scale = max(scale, absA[l])
			}
			dev := math.Abs(g - w)
			if scale > 0 {
				dev /= scale
			}
			if !(dev <= 1e-12) {
				t.Errorf("%s: lane %d Sums[%d] = %.17g, generic %.17g (rel. dev %.3g)", name, l, q, g, w, dev)
			}
			maxSum = max(maxSum, dev)
		}
		mw := 0.0
		for j := l; j < 4*S*e.D*L; j += L {
			mw = max(mw, math.Abs(want.W[j]))
		}
		for j := l; j < 4*S*e.D*L; j += L {
			dev := math.Abs(got.W[j]-want.W[j]) / max(mw, 1e-4) // absolute below 1e-4: the assembly's tanh, (1−e)/(1+e), is exact to ~1e-16 absolute, not relative
			if mw == 0 {
				dev = math.Abs(got.W[j])
			}
			if !(dev <= 1e-12) {
				t.Errorf("%s: lane %d W[%d] = %.17g, generic %.17g (dev %.3g of max|W| %.3g)", name, l, j/L, got.W[j], want.W[j], dev, mw)
				return
			}
			maxW = max(maxW, dev)
		}
	}
	return
}

// checkEnum compares every fast path with the generic twin on e.
func checkEnum(t *testing.T, name string, e *Enum) { checkEnumOn(t, name, e, fastPaths()) }

func checkEnumOn(t *testing.T, name string, e *Enum, paths []*impl) {
	t.Helper()
	want := cloneEnum(e)
	EnumerateGeneric(want)
	for _, p := range paths {
		got := cloneEnum(e)
		p.enumerate(got)
		s, w := compareEnum(t, name+"/"+p.name, e, got, want)
		t.Logf("%s/%s: max rel. dev. sums %.2g, W %.2g", name, p.name, s, w)
	}
}

var (
	ampModerate = [Lanes]float64{1, 1, 1, 1, 1, 1, 1, 1}
	// lanes that differ wildly, up to |x| = 50
	ampWild  = [Lanes]float64{1e-3, 0.05, 0.3, 1, 2.5, 7, 20, 50}
	ampWild2 = [Lanes]float64{50, 3, 1e-2, 12, 0.7, 30, 0, 4}
	// fields that differ wildly but stay ≥ 0.1 (the exp-free AVX-512 block
	// takes these)
	ampWild3 = [Lanes]float64{0.1, 50, 0.3, 12, 1, 30, 0.5, 4}
	// a few lanes with huge fields
	ampHuge = [Lanes]float64{1, 1e3, 2, 800, 0.5, 1e3, 5, 3e2}
)

func TestEnumerate(t *testing.T) {
	if len(fastPaths()) == 0 {
		t.Skip("only the generic path in this build")
	}
	rng := rand.New(rand.NewPCG(1, 2))
	for d := 1; d <= 4; d++ {
		for _, sym := range []bool{false, true} {
			tag := "D" + string(rune('0'+d))
			if sym {
				tag += "/sym"
			}
			checkEnum(t, tag+"/moderate", enumCase(rng, d, ampModerate, ampModerate, sym))
			checkEnum(t, tag+"/wild", enumCase(rng, d, ampWild, ampWild2, sym))
			checkEnum(t, tag+"/wild3", enumCase(rng, d, ampWild, ampWild3, sym))
			checkEnum(t, tag+"/hugefields", enumCase(rng, d, ampWild2, ampHuge, sym))
			checkEnum(t, tag+"/zerofields", enumCase(rng, d, ampWild, [Lanes]float64{}, sym))
		}
	}
}

func TestEnumerateD5(t *testing.T) {
	if len(fastPaths()) == 0 {
		t.Skip("only the generic path in this build")
	}
	if testing.Short() {
		t.Skip("D = 5 is 2^20 configurations × 8 lanes")
	}
	rng := rand.New(rand.NewPCG(3, 4))
	checkEnum(t, "D5/sym", enumCase(rng, 5, ampWild, ampWild3, true))
	checkEnum(t, "D5", enumCase(rng, 5, ampModerate, ampWild, false))
}

// --- Tanh ---

// vecRef pairs a vector kernel's paths with its generic twin.
type vecKernel struct {
	name    string
	generic func(dst, x []float64)
	get     func(p *impl) func(dst, x []float64)
}

var vecKernels = []vecKernel{
	{"Tanh", TanhGeneric, func(p *impl) func(dst, x []float64) { return p.tanh }},
}

// relErr is |got − want| / |want|, with exact agreement required for
// non-finite values, zeros (sign included) and NaN.
func relErr(got, want float64) float64 {
	switch {
	case math.IsNaN(want):
		if math.IsNaN(got) {
			return 0
		}
		return math.Inf(1)
	case math.IsInf(want, 0) || want == 0:
		if got == want && math.Signbit(got) == math.Signbit(want) {
			return 0
		}
		return math.Inf(1)
	}
	return math.Abs(got-want) / math.Abs(want)
}

// specials are inputs whose results must come out exactly as the generic
// twin's (or within 1e-13 where finite and nonzero).
var specials = []float64{
	0, math.Copysign(0, -1), math.Inf(1), math.Inf(-1), math.NaN(),
	math.MaxFloat64, -math.MaxFloat64, math.SmallestNonzeroFloat64, -math.SmallestNonzeroFloat64,
	2.2250738585072014e-308, -2.2250738585072014e-308, 1e-310, -3e-320,
	1e-300, 1e-20, -1e-17, 1e-9, 1.5e-8, 1e-5, 0.01, -0.125, 0.3, 0.5, 0.625, 1, -1, 2, 5,
	18, 19.1, -20, 22, 100, 354, -355, 370, 710, 711, 744, 745, 746, -1e4, 1e15, 1e300,
	math.Ln2 / 16, -math.Ln2 / 16, math.Ln2 / 32, 0.0433, 0.0434,
}

// randomInputs returns n values with log-uniform magnitudes from 1e-320 to
// 1e300 and both signs, mixed with moderate ones where the functions bend.
func randomInputs(rng *rand.Rand, n int) []float64 {
	x := make([]float64, n)
	for i := range x {
		switch rng.IntN(3) {
		case 0:
			x[i] = math.Pow(10, -320+620*rng.Float64())
		case 1:
			x[i] = 40 * (2*rng.Float64() - 1)
		default:
			x[i] = 0.5 * (2*rng.Float64() - 1)
		}
		if rng.IntN(2) == 0 {
			x[i] = -x[i]
		}
	}
	return x
}

// checkVec runs every fast path of k on x placed at offset off of a larger
// array with guard elements around dst, and returns the largest relative
// error against the generic twin.
func checkVec(t *testing.T, k vecKernel, x []float64, off int) float64 {
	t.Helper()
	const guard = 9
	want := make([]float64, len(x))
	k.generic(want, x)
	worst := 0.0
	for _, p := range fastPaths() {
		// x sits at an odd offset of a larger array, dst likewise with
		// sentinels on both sides.
		xs := make([]float64, off+len(x)+3)
		copy(xs[off:], x)
		buf := make([]float64, off+guard+len(x)+guard)
		for i := range buf {
			buf[i] = -7.25
		}
		dst := buf[off+guard : off+guard+len(x)]
		k.get(p)(dst, xs[off:off+len(x)])
		for i, v := range buf {
			if (i < off+guard || i >= off+guard+len(x)) && v != -7.25 {
				t.Fatalf("%s/%s n=%d off=%d: guard element %d overwritten with %g", k.name, p.name, len(x), off, i, v)
			}
		}
		for i := range x {
			e := relErr(dst[i], want[i])
			if !(e <= 1e-13) {
				t.Errorf("%s/%s: x = %.17g: got %.17g, generic %.17g (rel. err %.3g)", k.name, p.name, x[i], dst[i], want[i], e)
			}
			worst = max(worst, e)
		}
	}
	return worst
}

func TestVectorKernels(t *testing.T) {
	if len(fastPaths()) == 0 {
		t.Skip("only the generic path in this build")
	}
	rng := rand.New(rand.NewPCG(5, 6))
	for _, k := range vecKernels {
		worst := checkVec(t, k, specials, 1)
		for n := 0; n <= 40; n++ {
			for off := 0; off < 4; off++ {
				worst = max(worst, checkVec(t, k, randomInputs(rng, n), off))
			}
		}
		for _, n := range []int{1000, 4099} {
			worst = max(worst, checkVec(t, k, randomInputs(rng, n), 3))
		}
		t.Logf("%s: max rel. err. %.3g", k.name, worst)
	}
}

// TestVectorKernelsSweep measures the largest relative error over dense
// sweeps of the ranges where the reductions and polynomials change regime.
func TestVectorKernelsSweep(t *testing.T) {
	if len(fastPaths()) == 0 {
		t.Skip("only the generic path in this build")
	}
	var x []float64
	for v := 1e-12; v < 800; v *= 1.0007 {
		x = append(x, v, -v)
	}
	for i := 0; i < 200000; i++ {
		x = append(x, float64(i-100000)*1e-4)
	}
	for _, k := range vecKernels {
		t.Logf("%s: max rel. err. over %d sweep points %.3g", k.name, len(x), checkVec(t, k, x, 1))
	}
}

// --- fuzzing ---

func floatsFromBytes(b []byte) []float64 {
	x := make([]float64, len(b)/8)
	for i := range x {
		var u uint64
		for j := 0; j < 8; j++ {
			u |= uint64(b[8*i+j]) << (8 * j)
		}
		x[i] = math.Float64frombits(u)
	}
	return x
}

func fuzzVec(f *testing.F, k vecKernel) {
	f.Add([]byte{0, 0, 0, 0, 0, 0, 0xf0, 0x3f}, 1.0)
	f.Add([]byte{}, 0.5)
	f.Add(make([]byte, 8*13), math.Inf(-1))
	f.Fuzz(func(t *testing.T, raw []byte, x0 float64) {
		if len(fastPaths()) == 0 {
			t.Skip("only the generic path in this build")
		}
		x := append(floatsFromBytes(raw), x0, x0/3, -x0*7)
		checkVec(t, k, x, len(raw)%5)
	})
}

func FuzzTanh(f *testing.F) { fuzzVec(f, vecKernels[0]) }

// FuzzEnumerate fills the tables of a small block (D = 1..3) from the
// fuzzer's bytes, scaled by up to 60, optionally made flip-symmetric.
func FuzzEnumerate(f *testing.F) {
	f.Add(uint8(0), 1.0, false, []byte{1, 2, 3, 250, 7, 99})
	f.Add(uint8(1), 40.0, true, []byte{200, 3, 17})
	f.Add(uint8(1), 0.01, false, []byte{0})
	f.Fuzz(func(t *testing.T, dsel uint8, scale float64, sym bool, data []byte) {
		if len(fastPaths()) == 0 {
			t.Skip("only the generic path in this build")
		}
		if len(data) == 0 {
			return
		}
		if !(math.Abs(scale) <= 60) {
			scale = 1
		}
		d := 1 + int(dsel%3)
		S := 1 << d
		M := S - 1
		const L = Lanes
		e := &Enum{
			D:     d,
			Fine:  make([]float64, 4*S*S*L),
			LogZf: make([]float64, L),
			Field: make([]float64, 4*S*d*L),
			Sums:  make([]float64, 3*L),
			W:     make([]float64, 4*S*d*L),
		}
		n := 0
		next := func(l int) float64 {
			v := float64(int8(data[n%len(data)])) / 128 * scale * float64(1+l%3)
			n++
			return v
		}
		for t := 0; t < 4; t++ {
			for sa := 0; sa < S; sa++ {
				for sb := 0; sb < S; sb++ {
					for l := 0; l < L; l++ {
						if sym && sa > sa^M {
							e.Fine[((t*S+sa)*S+sb)*L+l] = e.Fine[((t*S+(sa^M))*S+(sb^M))*L+l]
						} else {
							e.Fine[((t*S+sa)*S+sb)*L+l] = next(l)
						}
					}
				}
			}
		}
		for i := 0; i < 4; i++ {
			for s := 0; s < S; s++ {
				for j := 0; j < d*L; j++ {
					o := (i*S+s)*d*L + j
					if sym && s > s^M {
						e.Field[o] = -e.Field[(i*S+(s^M))*d*L+j]
					} else {
						e.Field[o] = next(j % L)
					}
				}
			}
		}
		setLogZ(e)
		want := cloneEnum(e)
		EnumerateGeneric(want)
		for _, p := range fastPaths() {
			got := cloneEnum(e)
			p.enumerate(got)
			compareEnum(t, p.name, e, got, want)
		}
	})
}

// The generic enumeration's tanh keeps full relative precision for tiny
// fields (no cancellation in (1−e)/(1+e)).
func TestLcTanhTinyFields(t *testing.T) {
	for _, x := range []float64{1e-4, -3e-7, 1e-12, 2.5e-300} {
		_, th := LcTanh(x)
		if want := math.Tanh(x); math.Abs(th-want) > 4e-16*math.Abs(want) {
			t.Errorf("tanh(%g) = %.17g, want %.17g", x, th, want)
		}
	}
}

// LcSum adds up what LcTanh returns, across the runs after which it takes
// its logarithm, and returns LcTanh's tanh.
func TestLcSum(t *testing.T) {
	var empty LcSum
	if empty.Sum() != 0 {
		t.Fatalf("the empty sum is %g", empty.Sum())
	}
	rng := rand.New(rand.NewPCG(31, 32))
	for _, n := range []int{1, 7, lcSumRun - 1, lcSumRun, lcSumRun + 1, 3*lcSumRun + 17} {
		var s LcSum
		want := 0.0
		for range n {
			x := 30 * (2*rng.Float64() - 1) * math.Pow(10, -6*rng.Float64())
			lc, th := LcTanh(x)
			want += lc
			if got := s.Add(x); got != th {
				t.Fatalf("LcSum.Add(%g) returned tanh %.17g, LcTanh %.17g", x, got, th)
			}
		}
		if got := s.Sum(); math.Abs(got-want) > 1e-14*want {
			t.Errorf("n = %d: LcSum %.17g, Σ LcTanh %.17g", n, got, want)
		}
	}
}

// FMALoop on every path gives the generic twin's values, and FMAPeak
// counts what it ran.
func TestFMALoop(t *testing.T) {
	var want [12]float64
	for i := range want {
		want[i] = float64(i)*0.37 - 2
	}
	start := want
	FMALoopGeneric(&want, 0.999, 0.001, 1000)
	for _, im := range fastPaths() {
		x := start
		Path{impl: im}.FMALoop(&x, 0.999, 0.001, 1000)
		if x != want {
			t.Fatalf("%s: FMALoop gives %v, generic %v", im.name, x, want)
		}
	}
	if p := FMAPeak(Fastest(), 1, time.Millisecond); !(p > 0) {
		t.Fatalf("FMAPeak = %v", p)
	}
}

// Adam on every path against the reference loop, bit for bit, and the
// reference against the plain formula (one rounding per operation), for
// sizes with and without tails and gradients of every scale.
func TestAdamPaths(t *testing.T) {
	rng := rand.New(rand.NewPCG(95, 96))
	c := AdamCoef{Beta1: 0.9, OneMinusBeta1: 1 - 0.9, Beta2: 0.999, OneMinusBeta2: 1 - 0.999,
		C1: 1 - math.Pow(0.9, 3), C2: 1 - math.Pow(0.999, 3), LR: 1e-3, Eps: 1e-8}
	for _, n := range []int{0, 1, 7, 8, 9, 64, 1001} {
		p0, g := make([]float64, n), make([]float64, n)
		m0, v0 := make([]float64, n), make([]float64, n)
		for i := range g {
			p0[i], g[i] = rng.NormFloat64(), rng.NormFloat64()*math.Pow(10, float64(rng.IntN(12)-6))
			m0[i], v0[i] = 0.1*rng.NormFloat64(), math.Abs(0.01*rng.NormFloat64())
		}
		// the plain formula
		wp, wm, wv := slices.Clone(p0), slices.Clone(m0), slices.Clone(v0)
		for i, gi := range g {
			wm[i] = float64(c.Beta1*wm[i]) + float64(c.OneMinusBeta1*gi)
			wv[i] = float64(c.Beta2*wv[i]) + float64(float64(c.OneMinusBeta2*gi)*gi)
			mh, vh := wm[i]/c.C1, wv[i]/c.C2
			wp[i] -= float64(c.LR*mh) / (math.Sqrt(vh) + c.Eps)
		}
		for _, im := range allPaths() {
			p, m, v := slices.Clone(p0), slices.Clone(m0), slices.Clone(v0)
			Path{impl: im}.Adam(p, g, m, v, &c)
			for i := range p {
				if math.Float64bits(p[i]) != math.Float64bits(wp[i]) || math.Float64bits(m[i]) != math.Float64bits(wm[i]) || math.Float64bits(v[i]) != math.Float64bits(wv[i]) {
					t.Fatalf("%s n=%d: element %d: p, m, v = %v, %v, %v, want %v, %v, %v", im.name, n, i, p[i], m[i], v[i], wp[i], wm[i], wv[i])
				}
			}
		}
	}
}
