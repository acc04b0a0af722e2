package kernels

import (
	"math"
	"math/bits"
	"math/rand/v2"
	"slices"
	"testing"
)

// SplitMix64 seeded with 0 starts 0xe220a8397b1dcdaf, 0x6e789e6aa1b965f4,
// 0x06c45d188009454f (the published reference sequence).
func TestRandIsSplitMix64(t *testing.T) {
	want := []uint64{0xe220a8397b1dcdaf, 0x6e789e6aa1b965f4, 0x06c45d188009454f}
	for i, w := range want {
		if got := Rand(0, uint64(i)); got != w {
			t.Errorf("Rand(0, %d) = %#x, want %#x", i, got, w)
		}
	}
	dst := make([]uint64, 37)
	RandFill(dst, 0xdeadbeef, Sub(3, 2)+5)
	for i, v := range dst {
		if w := Rand(0xdeadbeef, Sub(3, 2)+5+uint64(i)); v != w {
			t.Fatalf("RandFill[%d] = %#x, want Rand = %#x", i, v, w)
		}
	}
	if Sub(1, 0) == Sub(0, 7) || Sub(0, 1)-Sub(0, 0) != 1<<32 {
		t.Fatal("sub-streams overlap")
	}
}

// The phases of the stream layout never share a sub-stream, and every site
// fits Sub's three bits.
func TestStreamLayout(t *testing.T) {
	for kFine := 1; kFine <= 40; kFine++ {
		seen := map[int]string{StartPhase: "start"}
		use := func(ph int, what string) {
			if prev, ok := seen[ph]; ok {
				t.Fatalf("k_fine %d: phase %d is both %s and %s", kFine, ph, prev, what)
			}
			seen[ph] = what
		}
		for s := 0; s < kFine; s++ {
			use(FinePhase(s), "fine hidden")
			use(FinePhase(s)+1, "fine corners")
		}
		for s := 0; s < 8; s++ {
			use(CoarsePhase(kFine, s), "coarse centre")
			use(CoarsePhase(kFine, s)+1, "coarse corners")
		}
	}
	if CentreSite < 4 || CentreSite+1 >= 8 {
		t.Fatalf("CentreSite %d collides with the corner sites or overflows Sub's site bits", CentreSite)
	}
}

// half returns the 32-bit uniform of draw n of a stream at base.
func half(key, base uint64, n int) uint32 {
	return uint32(Rand(key, base+uint64(n/2)) >> (32 * (n & 1)))
}

// linearState is the inverse-CDF draw by counting, the definition that the
// binary searches must reproduce.
func linearState(row []uint32, u uint32) uint8 {
	s := uint8(0)
	for _, t := range row[:len(row)-1] {
		if t <= u {
			s++
		}
	}
	return s
}

// catTable returns rows of sorted thresholds with ties, zeros and
// saturated entries mixed in, as tables of near-deterministic conditionals
// have.
func catTable(rng *rand.Rand, rows, S int) []uint32 {
	tab := make([]uint32, rows*S)
	for r := 0; r < rows; r++ {
		row := tab[r*S : (r+1)*S]
		for j := range row[:S-1] {
			switch rng.IntN(6) {
			case 0:
				row[j] = 0
			case 1:
				row[j] = ^uint32(0)
			case 2:
				if j > 0 {
					row[j] = row[j-1]
					continue
				}
				fallthrough
			default:
				row[j] = rng.Uint32()
			}
		}
		for i := 1; i < S-1; i++ {
			for j := i; j > 0 && row[j] < row[j-1]; j-- {
				row[j], row[j-1] = row[j-1], row[j]
			}
		}
		row[S-1] = ^uint32(0)
	}
	return tab
}

// allPaths returns every implementation this CPU and build run, generic
// last.
func allPaths() []*impl {
	return append(fastPaths(), generic)
}

// Every path's categorical draws against the definition (count the
// thresholds at or below the draw's uniform), for tables with ties, zeros
// and saturated entries, and sizes that leave every kind of tail.
func TestCatPairAndCatOne(t *testing.T) {
	rng := rand.New(rand.NewPCG(3, 4))
	for d := 1; d <= 6; d++ {
		S := 1 << d
		for _, N := range []int{0, 1, 2, 7, 15, 16, 17, 33, 64, 301, 512} {
			pairRows := catTable(rng, S*S, S)
			oneRows := catTable(rng, S, S)
			pair, one := thresholdMajor(pairRows, S*S, S), thresholdMajor(oneRows, S, S)
			a, b := make([]uint8, N), make([]uint8, N)
			for n := range a {
				a[n], b[n] = uint8(rng.IntN(S)), uint8(rng.IntN(S))
			}
			key, base := rng.Uint64(), Sub(rng.IntN(100), rng.IntN(8))+uint64(rng.IntN(1000))
			for _, im := range allPaths() {
				p := Path{impl: im}
				got := make([]uint8, N+1)
				got[N] = 0xee // guard
				p.CatPair(got[:N], a, b, pair, d, key, base)
				for n := range N {
					row := (int(a[n])*S + int(b[n])) * S
					if w := linearState(pairRows[row:row+S], half(key, base, n)); got[n] != w {
						t.Fatalf("%s d=%d N=%d: CatPair draw %d = %d, want %d", im.name, d, N, n, got[n], w)
					}
				}
				p.CatOne(got[:N], a, one, d, key, base)
				for n := range N {
					row := int(a[n]) * S
					if w := linearState(oneRows[row:row+S], half(key, base, n)); got[n] != w {
						t.Fatalf("%s d=%d N=%d: CatOne draw %d = %d, want %d", im.name, d, N, n, got[n], w)
					}
				}
				if got[N] != 0xee {
					t.Fatalf("%s d=%d N=%d: wrote past the end", im.name, d, N)
				}
			}
			for _, im := range allPaths() {
				got := make([]uint8, N+1)
				got[N] = 0xee
				Path{impl: im}.UniformStates(got[:N], d, key, base)
				for n := range N {
					if w := uint8(half(key, base, n)) & uint8(S-1); got[n] != w {
						t.Fatalf("%s d=%d N=%d: UniformStates[%d] = %d, want %d", im.name, d, N, n, got[n], w)
					}
				}
				if got[N] != 0xee {
					t.Fatalf("%s d=%d N=%d: UniformStates wrote past the end", im.name, d, N)
				}
			}
		}
	}
}

// Draws whose uniform's high 16 bits equal a threshold's, on every path
// against the definition: the assembly twins that compare high halves
// (or high bytes) first must count those draws exactly. Each row of the
// tables has thresholds straddling, by their low halves, the uniform of a
// draw that reads the row (one of them equal to it), and the sizes leave
// blocks of every assembly twin and tails.
func TestCatEqualHighHalves(t *testing.T) {
	rng := rand.New(rand.NewPCG(33, 34))
	for d := 1; d <= 4; d++ {
		S := 1 << d
		for _, N := range []int{32, 100, 515} {
			key, base := rng.Uint64(), Sub(rng.IntN(100), rng.IntN(8))+uint64(rng.IntN(1000))
			a, b := make([]uint8, N), make([]uint8, N)
			for n := range a {
				a[n], b[n] = uint8(rng.IntN(S)), uint8(rng.IntN(S))
			}
			trap := func(R int, row func(n int) int) ([]uint32, []uint32) {
				rows := catTable(rng, R, S)
				for n := N - 1; n >= 0; n-- { // the first draw of a row wins
					u := half(key, base, n)
					r := rows[row(n)*S : (row(n)+1)*S]
					for j := 0; j < S-1; j++ {
						r[j] = u&0xffff0000 | uint32(min(0xffff, max(0, int(u&0xffff)+0x100*(j-S/2+1))))
					}
				}
				return rows, thresholdMajor(rows, R, S)
			}
			check := func(name string, rows []uint32, row func(n int) int, draw func(p Path, dst []uint8)) {
				for _, im := range allPaths() {
					got := make([]uint8, N+1)
					got[N] = 0xee
					draw(Path{impl: im}, got[:N])
					for n := range N {
						if w := linearState(rows[row(n)*S:(row(n)+1)*S], half(key, base, n)); got[n] != w {
							t.Fatalf("%s %s d=%d N=%d: draw %d = %d, want %d", im.name, name, d, N, n, got[n], w)
						}
					}
					if got[N] != 0xee {
						t.Fatalf("%s %s d=%d N=%d: wrote past the end", im.name, name, d, N)
					}
				}
			}
			if d <= 3 {
				row := func(n int) int { return int(a[n])*S + int(b[n]) }
				rows, tab := trap(S*S, row)
				check("CatPair", rows, row, func(p Path, dst []uint8) { p.CatPair(dst, a, b, tab, d, key, base) })
			}
			row := func(n int) int { return int(a[n]) }
			rows, tab := trap(S, row)
			check("CatOne", rows, row, func(p Path, dst []uint8) { p.CatOne(dst, a, tab, d, key, base) })
		}
	}
}

func TestCentreStates(t *testing.T) {
	rng := rand.New(rand.NewPCG(5, 6))
	for d := 1; d <= 8; d++ {
		for _, N := range []int{0, 1, 7, 8, 9, 50, 512} {
			th := make([]float64, N*d)
			for i := range th {
				th[i] = []float64{-1, 1, 0, 2*rng.Float64() - 1, math.NaN(), -1e-300}[rng.IntN(6)]
			}
			key, base := rng.Uint64(), Sub(9, 4)+uint64(rng.IntN(100))
			for _, im := range allPaths() {
				got := make([]uint8, N+1)
				got[N] = 0xee
				Path{impl: im}.CentreStates(got[:N], th, d, key, base)
				for n := range N {
					want := uint8(0)
					for k := 0; k < d; k++ {
						u := float64(Rand(key, base+uint64(n*d+k))>>11) * 0x1p-53
						if u >= 0.5+0.5*th[k*N+n] {
							want |= 1 << k
						}
					}
					if got[n] != want {
						t.Fatalf("%s d=%d: CentreStates[%d] = %b, want %b", im.name, d, n, got[n], want)
					}
				}
				if got[N] != 0xee {
					t.Fatalf("%s d=%d N=%d: wrote past the end", im.name, d, N)
				}
			}
		}
	}
}

// negExp against math.Exp and math.Expm1: within 2 ulp over the whole
// range it serves, tiny arguments included.
func TestNegExp(t *testing.T) {
	rng := rand.New(rand.NewPCG(15, 16))
	xs := []float64{0, math.Copysign(0, -1), -1e-300, -5e-324, -1e-17, -1e-9, -0.34657, -0.34658, -0.5, -1, -2, -40, -700, -699.9, -745, -1e6, math.Inf(-1)}
	for range 20000 {
		xs = append(xs, -rng.ExpFloat64()*4, -rng.Float64()*700, -math.Ldexp(rng.Float64(), -rng.IntN(60)))
	}
	ulps := func(got, want float64) float64 {
		if got == want {
			return 0
		}
		return math.Abs(got-want) / math.Abs(math.Nextafter(want, math.Inf(1))-want)
	}
	worstE, worstM := 0.0, 0.0
	for _, x := range xs {
		e, m := negExp(x)
		xc := max(x, negExpMin)
		we, wm := math.Exp(xc), math.Expm1(xc)
		ue, um := ulps(e, we), ulps(m, wm)
		worstE, worstM = max(worstE, ue), max(worstM, um)
		if ue > 2 || um > 2 {
			t.Fatalf("negExp(%v) = %v, %v; exp %v, expm1 %v (%.1f, %.1f ulp)", x, e, m, we, wm, ue, um)
		}
	}
	t.Logf("worst: exp %.2f ulp, expm1 %.2f ulp", worstE, worstM)
	if e, m := negExp(math.NaN()); !math.IsNaN(e) || !math.IsNaN(m) {
		t.Fatalf("negExp(NaN) = %v, %v", e, m)
	}
}

// vecCases returns inputs for the elementwise Gibbs kernels: every length
// up to 40 (all tails), long ones, and special values.
func vecCases(rng *rand.Rand) [][]float64 {
	var out [][]float64
	special := []float64{0, math.Copysign(0, -1), 1e-300, -1e-300, 1e-9, -1e-9, 0.17328, -0.17329, 20, -20, 350, -350, 400, 1e6, math.Inf(1), math.Inf(-1), math.NaN()}
	for n := 0; n <= 40; n++ {
		x := make([]float64, n)
		for i := range x {
			x[i] = rng.NormFloat64() * 3
		}
		out = append(out, x)
	}
	for _, n := range []int{511, 512, 4096, 4097, 9000} {
		x := make([]float64, n)
		for i := range x {
			switch rng.IntN(8) {
			case 0:
				x[i] = special[rng.IntN(len(special))]
			case 1:
				x[i] = rng.NormFloat64() * 1e-8
			default:
				x[i] = rng.NormFloat64() * 3
			}
		}
		out = append(out, x)
	}
	out = append(out, special)
	return out
}

func sameBits(a, b float64) bool {
	return math.Float64bits(a) == math.Float64bits(b) || (math.IsNaN(a) && math.IsNaN(b))
}

// LcTanh on every path gives the generic twin's bits (tanh and the lane
// sums), and the generic twin agrees with the scalar LcTanh.
func TestLcTanhPaths(t *testing.T) {
	rng := rand.New(rand.NewPCG(17, 18))
	for _, x := range vecCases(rng) {
		var ref LcLanes
		want := make([]float64, len(x))
		Path{impl: generic}.LcTanh(want, x, &ref)
		lcSum := 0.0
		for i, v := range x {
			lc, th := LcTanh(v)
			lcSum += lc
			if !(math.Abs(want[i]-th) <= 1e-15*math.Abs(th)) && !(math.IsNaN(th) && math.IsNaN(want[i])) {
				t.Fatalf("tanh(%v): generic %v, LcTanh %v", v, want[i], th)
			}
		}
		if s := ref.Sum(); !(math.Abs(s-lcSum) <= 1e-13*math.Max(1, math.Abs(lcSum))) && !(math.IsNaN(s) && math.IsNaN(lcSum)) && !(math.IsInf(s, 1) && math.IsInf(lcSum, 1)) {
			t.Fatalf("n=%d: Σ lc = %v, LcTanh gives %v", len(x), s, lcSum)
		}
		for _, im := range fastPaths() {
			var acc LcLanes
			got := make([]float64, len(x)+1)
			got[len(x)] = 12345
			Path{impl: im}.LcTanh(got[:len(x)], x, &acc)
			for i := range x {
				if !sameBits(got[i], want[i]) {
					t.Fatalf("%s n=%d: tanh(%v) = %v, generic %v", im.name, len(x), x[i], got[i], want[i])
				}
			}
			if got[len(x)] != 12345 {
				t.Fatalf("%s n=%d: wrote past the end", im.name, len(x))
			}
			for l := range acc.abs {
				if !sameBits(acc.abs[l], ref.abs[l]) || !sameBits(acc.logs[l], ref.logs[l]) {
					t.Fatalf("%s n=%d: lane %d sums %v, %v; generic %v, %v", im.name, len(x), l, acc.abs[l], acc.logs[l], ref.abs[l], ref.logs[l])
				}
			}
		}
	}
}

// SigmoidPairs on every path gives the generic twin's bits, and the twin
// is σ(±2x) to a few ulp (or below e^-700, negExp's floor).
func TestSigmoidPairsPaths(t *testing.T) {
	rng := rand.New(rand.NewPCG(19, 20))
	for _, x := range vecCases(rng) {
		plus, minus := make([]float64, len(x)), make([]float64, len(x))
		Path{impl: generic}.SigmoidPairs(plus, minus, x)
		for i, v := range x {
			for _, c := range []struct{ got, want float64 }{{plus[i], 1 / (1 + math.Exp(-2*v))}, {minus[i], 1 / (1 + math.Exp(2*v))}} {
				if !(math.Abs(c.got-c.want) <= 1e-15*c.want+1e-304) && !(math.IsNaN(v) && math.IsNaN(c.got)) {
					t.Fatalf("σ(±2·%v): %v, want %v", v, c.got, c.want)
				}
			}
		}
		for _, im := range fastPaths() {
			p, m := make([]float64, len(x)+1), make([]float64, len(x)+1)
			p[len(x)], m[len(x)] = 7, 7
			Path{impl: im}.SigmoidPairs(p[:len(x)], m[:len(x)], x)
			for i := range x {
				if !sameBits(p[i], plus[i]) || !sameBits(m[i], minus[i]) {
					t.Fatalf("%s: σ(±2·%v) = %v, %v; generic %v, %v", im.name, x[i], p[i], m[i], plus[i], minus[i])
				}
			}
			if p[len(x)] != 7 || m[len(x)] != 7 {
				t.Fatalf("%s n=%d: wrote past the end", im.name, len(x))
			}
		}
	}
}

// The d = 1 chains on every path are the generic twin's, bit for bit, for
// word counts that leave every tail, probabilities with short and long
// binary expansions, and a stream base that is not word 0.
func TestFineChainBitsPaths(t *testing.T) {
	rng := rand.New(rand.NewPCG(21, 22))
	ps := []uint64{0, ^uint64(0), 1 << 63, 722480064893763968, 3, rng.Uint64(), rng.Uint64() >> 40}
	for W := 1; W <= 19; W++ {
		for _, p := range ps {
			start := [4][]uint64{}
			for i := range start {
				start[i] = make([]uint64, W)
				for w := range start[i] {
					start[i][w] = rng.Uint64()
				}
			}
			run := func(im *impl) [4][]uint64 {
				f := FineBits{Steps: 1 + rng.IntN(4), PFlip: p, Key: 77}
				f.Steps = 3
				for i := range f.C {
					f.C[i] = append(append([]uint64(nil), start[i]...), 0xdead)[:W]
				}
				Path{impl: im}.FineChainBits(&f)
				for i := range f.C {
					if f.C[i][:W+1][W] != 0xdead {
						t.Fatalf("%s W=%d: wrote past the end", im.name, W)
					}
				}
				return f.C
			}
			want := run(generic)
			for _, im := range fastPaths() {
				got := run(im)
				for i := range got {
					for w := range got[i] {
						if got[i][w] != want[i][w] {
							t.Fatalf("%s W=%d p=%#x: corner %d word %d = %#x, generic %#x", im.name, W, p, i, w, got[i][w], want[i][w])
						}
					}
				}
			}
		}
	}
}

// BernWord must equal the full comparison of each lane's 64-bit uniform
// (bit l of words ctr…ctr+63, most significant first) with p: stopping
// early may not change any lane.
func TestBernWordIsExactComparison(t *testing.T) {
	rng := rand.New(rand.NewPCG(7, 8))
	ps := []uint64{0, 1, 1 << 63, 1<<63 + 1, ^uint64(0), 1 << 40, 3 << 58}
	for i := 0; i < 200; i++ {
		ps = append(ps, rng.Uint64(), rng.Uint64()>>rng.IntN(64))
	}
	for _, p := range ps {
		key, ctr := rng.Uint64(), rng.Uint64()>>8
		var words [64]uint64
		for r := range words {
			words[r] = Rand(key, ctr+uint64(r))
		}
		want := uint64(0)
		for l := 0; l < 64; l++ {
			u := uint64(0)
			for r := 0; r < 64; r++ {
				u = u<<1 | words[r]>>l&1
			}
			if u < p {
				want |= 1 << l
			}
		}
		if got := BernWord(p, key, ctr); got != want {
			t.Fatalf("BernWord(%#x) = %#x, want %#x", p, got, want)
		}
	}
}

func TestBernWordRate(t *testing.T) {
	for _, p := range []float64{0.5, 0.04, 0.9} {
		P := uint64(p * 0x1p64)
		ones := 0
		const words = 4000
		for w := 0; w < words; w++ {
			ones += bits.OnesCount64(BernWord(P, 11, uint64(w)*128))
		}
		n := float64(64 * words)
		mean := float64(ones) / n
		variance := p * (1 - p) / n
		if d := mean - p; d*d > 25*variance {
			t.Errorf("p = %v: rate %v (σ² = %v)", p, mean, variance)
		}
	}
}

func TestCountConfigs(t *testing.T) {
	rng := rand.New(rand.NewPCG(9, 10))
	const W = 5
	var c [4][]uint64
	for i := range c {
		c[i] = make([]uint64, W)
		for w := range c[i] {
			c[i][w] = rng.Uint64()
		}
	}
	mask := []uint64{^uint64(0), 0, 0xf0f0, ^uint64(0), 1}
	var got, want [16]int
	CountConfigs(&got, c, mask)
	for w := 0; w < W; w++ {
		for l := 0; l < 64; l++ {
			if mask[w]>>l&1 == 0 {
				continue
			}
			x := 0
			for i := 0; i < 4; i++ {
				x = x<<1 | int(c[i][w]>>l&1)
			}
			want[x]++
		}
	}
	if got != want {
		t.Fatalf("CountConfigs = %v, want %v", got, want)
	}
}

// With PFlip = 0 a site copies its neighbours whenever they agree, so the
// two ordered configurations are absorbing; with PFlip = 1 sites copy the
// opposite spin, so an ordered configuration alternates on the hidden
// sites and returns on the corners.
func TestFineChainBitsLimits(t *testing.T) {
	for _, p := range []uint64{0, ^uint64(0)} {
		f := FineBits{Steps: 5, PFlip: p, Key: 1}
		start := []uint64{0, ^uint64(0), 0xff00ff00ff00ff00}
		for i := range f.C {
			f.C[i] = append([]uint64(nil), start...)
		}
		FineChainBitsGeneric(&f)
		for i := range f.C {
			for w := range start {
				if f.C[i][w] != start[w] {
					t.Fatalf("PFlip %#x: corner %d word %d = %#x, want %#x", p, i, w, f.C[i][w], start[w])
				}
			}
		}
	}
}

// The fused fine chain on every path is the generic twin's, which is the
// site-by-site chain of CatPair draws it describes.
func TestFineChainPaths(t *testing.T) {
	rng := rand.New(rand.NewPCG(23, 24))
	for d := 1; d <= 5; d++ {
		S := 1 << d
		for _, N := range []int{1, 15, 16, 32, 40, 64, 80, 512} {
			var f FineChain
			f.D, f.Steps, f.Key = d, 3, rng.Uint64()
			factors := func() []float64 {
				x := make([]float64, S*d)
				for j := range x {
					x[j] = math.Exp(rng.NormFloat64())
				}
				return x
			}
			for i := range 4 {
				f.Hid[i] = thresholdMajor(catTable(rng, S*S, S), S*S, S)
				f.Cor[i] = thresholdMajor(catTable(rng, S*S, S), S*S, S)
				f.HidA[i], f.HidB[i], f.CorA[i], f.CorB[i] = factors(), factors(), factors(), factors()
				f.C[i] = make([]uint8, N)
				f.H[i] = make([]uint8, N)
				for n := range f.C[i] {
					f.C[i][n] = uint8(rng.IntN(S))
				}
			}
			start := f.C
			run := func(p Path) [4][]uint8 {
				g := f
				for i := range 4 {
					g.C[i] = append([]uint8(nil), start[i]...)
					g.H[i] = make([]uint8, N)
				}
				p.FineChain(&g)
				return g.C
			}
			want := fineChainByDefinition(f)
			for _, im := range allPaths() {
				got := run(Path{impl: im})
				for i := range got {
					for n := range got[i] {
						if got[i][n] != want[i][n] {
							t.Fatalf("%s d=%d N=%d: corner %d sample %d = %d, want %d", im.name, d, N, i, n, got[i][n], want[i][n])
						}
					}
				}
			}
		}
	}
}

// fineChainByDefinition runs f's chain on copies of its states site by site
// with the reference draws and returns the corners.
func fineChainByDefinition(f FineChain) [4][]uint8 {
	g := f
	for i := range 4 {
		g.C[i] = append([]uint8(nil), f.C[i]...)
		g.H[i] = make([]uint8, len(f.C[i]))
	}
	d := g.D
	for s := 0; s < g.Steps; s++ {
		ph := FinePhase(s)
		for e, nb := range fineHidden {
			if d >= ProdMinD {
				ProdPairGeneric(g.H[e], g.C[nb[0]], g.C[nb[1]], g.HidA[e], g.HidB[e], d, g.Key, Sub(ph, e))
			} else {
				CatPairGeneric(g.H[e], g.C[nb[0]], g.C[nb[1]], g.Hid[e], d, g.Key, Sub(ph, e))
			}
		}
		for i, nb := range fineCorner {
			if d >= ProdMinD {
				ProdPairGeneric(g.C[i], g.H[nb[0]], g.H[nb[1]], g.CorA[i], g.CorB[i], d, g.Key, Sub(ph+1, i))
			} else {
				CatPairGeneric(g.C[i], g.H[nb[0]], g.H[nb[1]], g.Cor[i], d, g.Key, Sub(ph+1, i))
			}
		}
	}
	return g.C
}

// The fused d = 3 chain compares the high halves of thresholds and
// uniforms first and counts exactly only where they are equal (rare for
// random tables). Here every site's table has, in every row, thresholds
// whose high half is that of one draw's uniform in the first step (a
// different draw, block and half for each site), so that exact count
// decides those draws; the chain must still be the definition's.
func TestFineChainEqualHighHalves(t *testing.T) {
	const d, S, N = 3, 8, 96
	rng := rand.New(rand.NewPCG(31, 32))
	var f FineChain
	f.D, f.Steps, f.Key = d, 2, rng.Uint64()
	trap := func(sub uint64, n int) []uint32 {
		u := uint32(Rand(f.Key, sub+uint64(n/2)) >> (32 * (n & 1)))
		rows := make([]uint32, S*S*S)
		for r := 0; r < S*S; r++ {
			for j := 0; j < S-1; j++ {
				// low halves 0x2000·j − 0x1000 … straddle u's: the draw's
				// state depends on them alone
				rows[r*S+j] = u&0xffff0000 | uint32(max(0, int(u&0xffff)+0x2000*(j-3)))&0xffff
			}
		}
		for r := 0; r < S*S; r++ { // keep every row non-decreasing
			for j := 1; j < S-1; j++ {
				rows[r*S+j] = max(rows[r*S+j], rows[r*S+j-1])
			}
		}
		return thresholdMajor(rows, S*S, S)
	}
	for i := range 4 {
		f.Hid[i] = trap(Sub(FinePhase(0), i), 11*i)
		f.Cor[i] = trap(Sub(FinePhase(0)+1, i), 11*(i+4)+1)
		f.C[i] = make([]uint8, N)
		f.H[i] = make([]uint8, N)
		for n := range f.C[i] {
			f.C[i][n] = uint8(rng.IntN(S))
		}
	}
	want := fineChainByDefinition(f)
	for _, im := range allPaths() {
		g := f
		for i := range 4 {
			g.C[i] = append([]uint8(nil), f.C[i]...)
			g.H[i] = make([]uint8, N)
		}
		Path{impl: im}.FineChain(&g)
		for i := range g.C {
			for n := range g.C[i] {
				if g.C[i][n] != want[i][n] {
					t.Fatalf("%s: corner %d sample %d = %d, want %d", im.name, i, n, g.C[i][n], want[i][n])
				}
			}
		}
	}
}

// Relu and ReluMask on every path give the generic twins' bits, special
// values (signed zeros, NaNs of either sign, infinities) and every tail
// included.
func TestReluPaths(t *testing.T) {
	rng := rand.New(rand.NewPCG(25, 26))
	negNaN := math.Float64frombits(math.Float64bits(math.NaN()) | 1<<63)
	special := []float64{0, math.Copysign(0, -1), math.NaN(), negNaN, math.Inf(1), math.Inf(-1), 5e-324, -5e-324, 1, -1}
	for n := 0; n <= 37; n++ {
		z, g := make([]float64, n), make([]float64, n)
		for i := range z {
			z[i] = rng.NormFloat64()
			if rng.IntN(3) == 0 {
				z[i] = special[rng.IntN(len(special))]
			}
			g[i] = rng.NormFloat64()
		}
		want := make([]float64, n)
		ReluGeneric(want, z)
		wantG := append([]float64(nil), g...)
		ReluMaskGeneric(wantG, z)
		for i, v := range z {
			if w := max(v, 0); !sameBits(w, want[i]) {
				t.Fatalf("ReluGeneric(%v) = %v, want %v", v, want[i], w)
			}
			if keep := v > 0 || (math.IsNaN(v) && !math.Signbit(v)); (keep && wantG[i] != g[i]) || (!keep && wantG[i] != 0) {
				t.Fatalf("ReluMaskGeneric at z = %v: %v from %v", v, wantG[i], g[i])
			}
		}
		for _, im := range fastPaths() {
			p := Path{impl: im}
			got := append(make([]float64, n), 9)
			p.Relu(got[:n], z)
			gg := append(append([]float64(nil), g...), 9)
			p.ReluMask(gg[:n], z)
			for i := range z {
				if !sameBits(got[i], want[i]) || math.Float64bits(gg[i]) != math.Float64bits(wantG[i]) {
					t.Fatalf("%s n=%d: at z = %v Relu %v ReluMask %v, generic %v %v", im.name, n, z[i], got[i], gg[i], want[i], wantG[i])
				}
			}
			if got[n] != 9 || gg[n] != 9 {
				t.Fatalf("%s n=%d: wrote past the end", im.name, n)
			}
		}
	}
}

// CDStats on every path gives the generic twin's bits (fields, tanh and
// the lane sums), which are the fields' definition and LcTanh of them.
func TestCDStatsPaths(t *testing.T) {
	rng := rand.New(rand.NewPCG(27, 28))
	for d := 1; d <= 6; d++ {
		S := 1 << d
		for _, N := range []int{1, 8, 13, 64, 512, 1100} {
			var st CDStats
			st.D = d
			for i := range 4 {
				st.C[i] = make([]uint8, N)
				for n := range st.C[i] {
					st.C[i][n] = uint8(rng.IntN(S))
				}
				st.U[i] = make([]float64, S*d)
				for j := range st.U[i] {
					st.U[i][j] = rng.NormFloat64() * 0.7
				}
			}
			run := func(im *impl) ([]float64, []float64, LcLanes) {
				g := st
				g.Phi, g.Th = make([]float64, d*N), make([]float64, d*N)
				var acc LcLanes
				Path{impl: im}.CDStats(&g, &acc)
				return g.Phi, g.Th, acc
			}
			phi, th, acc := run(generic)
			for k := 0; k < d; k++ {
				for n := 0; n < N; n++ {
					w := st.U[0][int(st.C[0][n])*d+k] + st.U[1][int(st.C[1][n])*d+k] + st.U[2][int(st.C[2][n])*d+k] + st.U[3][int(st.C[3][n])*d+k]
					if phi[k*N+n] != w {
						t.Fatalf("d=%d N=%d: φ_%d(%d) = %v, want %v", d, N, k, n, phi[k*N+n], w)
					}
				}
			}
			var ref LcLanes
			th2 := make([]float64, d*N)
			Path{impl: generic}.LcTanh(th2, phi, &ref)
			if ref != acc || !slices.Equal(th, th2) {
				t.Fatalf("d=%d N=%d: CDStats is not LcTanh of its fields", d, N)
			}
			for _, im := range fastPaths() {
				p2, t2, a2 := run(im)
				if !slices.Equal(p2, phi) || !slices.Equal(t2, th) || a2 != acc {
					t.Fatalf("%s d=%d N=%d: CDStats differs from the generic twin", im.name, d, N)
				}
			}
		}
	}
}

// CatRows on every path gives the generic twin's tables, which are the
// thresholds of the products of the spins' probabilities; saturated,
// zero and NaN probabilities included, and row counts that leave every
// tail of the assembly twins' blocks (4 or 8 rows).
func TestCatRowsPaths(t *testing.T) {
	rng := rand.New(rand.NewPCG(29, 30))
	for d := 1; d <= 6; d++ {
		S := 1 << d
		for _, R := range []int{1, 2, 5, 8, 13, 16, 64, 72, 77, 256} {
			plus, minus := make([]float64, R*d), make([]float64, R*d)
			for i := range plus {
				switch rng.IntN(10) {
				case 0:
					plus[i], minus[i] = 1, 0
				case 1:
					plus[i], minus[i] = 0, 1
				case 2:
					plus[i], minus[i] = math.NaN(), math.NaN()
				default:
					plus[i] = rng.Float64()
					minus[i] = 1 - plus[i]
				}
			}
			want := make([]uint32, CatTableLen(R, d))
			Path{impl: generic}.CatRows(want, plus, minus, R, d)
			for r := 0; r < R; r++ {
				cum := 0.0
				for j := 0; j < S-1; j++ {
					p := 1.0
					for k := 0; k < d; k++ {
						if j>>k&1 == 0 {
							p *= plus[k*R+r]
						} else {
							p *= minus[k*R+r]
						}
					}
					cum += p
					w := Threshold(cum)
					if got := want[j*R+r]; got != w && !(math.Abs(float64(got)-float64(w)) <= 1) {
						t.Fatalf("d=%d R=%d: threshold %d of row %d = %d, want %d", d, R, j, r, got, w)
					}
				}
			}
			for _, im := range fastPaths() {
				got := make([]uint32, len(want)+1)
				got[len(want)] = 77
				Path{impl: im}.CatRows(got[:len(want)], plus, minus, R, d)
				if !slices.Equal(got[:len(want)], want) || got[len(want)] != 77 {
					t.Fatalf("%s d=%d R=%d: CatRows differs from the generic twin", im.name, d, R)
				}
			}
		}
	}
	for _, c := range []struct {
		x    float64
		want uint32
	}{{0, 0}, {1, math.MaxUint32}, {2, math.MaxUint32}, {0.5, 1 << 31}, {math.NaN(), 0}, {0x1p-33, 1}, {0x1p-34, 0}} {
		if got := Threshold(c.x); got != c.want {
			t.Errorf("Threshold(%v) = %d, want %d", c.x, got, c.want)
		}
	}
}

// ProdPair on every path against its definition: per spin, the 32-bit
// half of the draw's word and the rounded U + U·w against 2^32, with
// factors that saturate either way (0, huge, infinite) included.
func TestProdPairPaths(t *testing.T) {
	rng := rand.New(rand.NewPCG(31, 32))
	for d := 1; d <= 7; d++ {
		S := 1 << d
		h := (d + 1) / 2
		for _, N := range []int{1, 7, 8, 9, 64, 515} {
			ea, eb := make([]float64, S*d), make([]float64, S*d)
			for i := range ea {
				for _, p := range []*float64{&ea[i], &eb[i]} {
					switch rng.IntN(12) {
					case 0:
						*p = 0
					case 1:
						*p = math.Inf(1)
					case 2:
						*p = 1e300
					default:
						*p = math.Exp(rng.NormFloat64() * 2)
					}
				}
			}
			a, b := make([]uint8, N), make([]uint8, N)
			for n := range a {
				a[n], b[n] = uint8(rng.IntN(S)), uint8(rng.IntN(S))
			}
			key, base := rng.Uint64(), Sub(rng.IntN(50), rng.IntN(8))+uint64(rng.IntN(99))
			want := make([]uint8, N)
			for n := range want {
				for k := 0; k < d; k++ {
					r := Rand(key, base+uint64(n*h+k/2)) >> (32 * (k & 1))
					U := float64(uint32(r))
					w := ea[k*S+int(a[n])] * eb[k*S+int(b[n])]
					if !(U+U*w < 0x1p32) {
						want[n] |= 1 << k
					}
				}
			}
			for _, im := range allPaths() {
				got := make([]uint8, N+1)
				got[N] = 0xee
				Path{impl: im}.ProdPair(got[:N], a, b, ea, eb, d, key, base)
				if !slices.Equal(got[:N], want) || got[N] != 0xee {
					t.Fatalf("%s d=%d N=%d: ProdPair differs from its definition", im.name, d, N)
				}
			}
		}
	}
}

// CornerSums on every path against the reference, bit for bit: both signs,
// states with stray high bits, sizes with and without tails.
func TestCornerSumsPaths(t *testing.T) {
	rng := rand.New(rand.NewPCG(91, 92))
	for d := 1; d <= 5; d++ {
		S := 1 << d
		for _, N := range []int{0, 1, 7, 64, 513} {
			for _, sign := range []float64{1, -1} {
				var C [4][]uint8
				var W0 [4][]float64
				for i := range 4 {
					C[i] = make([]uint8, N)
					for n := range C[i] {
						C[i][n] = uint8(rng.IntN(256))
					}
					W0[i] = make([]float64, d*S)
					for j := range W0[i] {
						W0[i][j] = rng.NormFloat64()
					}
				}
				th := make([]float64, d*N)
				for j := range th {
					th[j] = math.Tanh(3 * rng.NormFloat64())
				}
				var want [4][]float64
				for _, im := range allPaths() {
					var W [4][]float64
					for i := range W {
						W[i] = append([]float64(nil), W0[i]...)
					}
					Path{impl: im}.CornerSums(&W, &C, th, d, sign)
					if want[0] == nil {
						want = W
						continue
					}
					for i := range W {
						for j := range W[i] {
							if math.Float64bits(W[i][j]) != math.Float64bits(want[i][j]) {
								t.Fatalf("%s d=%d N=%d sign %v: W[%d][%d] = %v, want %v", im.name, d, N, sign, i, j, W[i][j], want[i][j])
							}
						}
					}
				}
				// the reference is the definition
				for i := range 4 {
					for k := 0; k < d; k++ {
						for s := 0; s < S; s++ {
							sum := W0[i][k*S+s]
							for n := 0; n < N; n++ {
								if int(C[i][n])&(S-1) == s {
									sum += sign * th[k*N+n]
								}
							}
							if sum != want[i][k*S+s] {
								t.Fatalf("d=%d N=%d: W[%d][%d] = %v, the definition gives %v", d, N, i, k*S+s, want[i][k*S+s], sum)
							}
						}
					}
				}
			}
		}
	}
}
