package kernels

// The constants of the assembly kernels, recomputed from their definitions
// and compared bit for bit with the DATA tables of kernels_avx512_amd64.s
// and kernels_avx2_amd64.s (read as text, so this runs in every build).
// The polynomial coefficients were made by testdata/polyfit.py (mpmath's
// chebyfit: the interpolant at the Chebyshev nodes, in monomial form,
// rounded to float64); here they are recomputed in 320-bit arithmetic from
// the functions they approximate, so a coefficient pasted wrongly, or a
// table entry added without a definition, fails the test. See README.md.

import (
	"fmt"
	"math"
	"math/big"
	"os"
	"regexp"
	"strconv"
	"strings"
	"testing"
)

const bigPrec = 320

func newF() *big.Float                  { return new(big.Float).SetPrec(bigPrec) }
func bigF(x float64) *big.Float         { return newF().SetFloat64(x) }
func bigI(n int64) *big.Float           { return newF().SetInt64(n) }
func bigAdd(a, b *big.Float) *big.Float { return newF().Add(a, b) }
func bigSub(a, b *big.Float) *big.Float { return newF().Sub(a, b) }
func bigMul(a, b *big.Float) *big.Float { return newF().Mul(a, b) }
func bigQuo(a, b *big.Float) *big.Float { return newF().Quo(a, b) }

// negligible reports whether term no longer changes sum at bigPrec.
func negligible(term, sum *big.Float) bool {
	if term.Sign() == 0 {
		return true
	}
	return sum.Sign() != 0 && term.MantExp(nil)-sum.MantExp(nil) < -bigPrec-8
}

// series returns Σ_{n≥0} t_n for t_0 = first and t_n = next(t_{n−1}, n),
// a series whose terms fall off monotonically once they are negligible.
func series(first *big.Float, next func(prev *big.Float, n int) *big.Float) *big.Float {
	sum, t := newF().Set(first), first
	for n := 1; ; n++ {
		t = next(t, n)
		sum = bigAdd(sum, t)
		if n > 2 && negligible(t, sum) {
			return sum
		}
	}
}

// powI returns x^n for n ≥ 0.
func powI(x *big.Float, n int) *big.Float {
	r := bigI(1)
	for range n {
		r = bigMul(r, x)
	}
	return r
}

// oddSeries is Σ_k s^k x^(2k+1)/(2k+1) for x = 1/n: atanh(1/n) for
// s = 1, atan(1/n) for s = −1.
func oddSeries(n int64, s int64) *big.Float {
	x := bigQuo(bigI(1), bigI(n))
	step := bigMul(bigMul(x, x), bigI(s))
	pow := x // s^k x^(2k+1)
	return series(x, func(_ *big.Float, k int) *big.Float {
		pow = bigMul(pow, step)
		return bigQuo(pow, bigI(int64(2*k+1)))
	})
}

func atanhInv(n int64) *big.Float { return oddSeries(n, 1) }
func atanInv(n int64) *big.Float  { return oddSeries(n, -1) }

var (
	bigLn2   = bigMul(bigI(2), atanhInv(3))                                        // ln 2 = 2 atanh(1/3)
	bigPi    = bigSub(bigMul(bigI(16), atanInv(5)), bigMul(bigI(4), atanInv(239))) // Machin
	bigSqrt2 = newF().Sqrt(bigI(2))
)

// bigCos is cos x = Σ (−x²)^k/(2k)! (|x| ≤ π here).
func bigCos(x *big.Float) *big.Float {
	mx2 := newF().Neg(bigMul(x, x))
	return series(bigI(1), func(prev *big.Float, k int) *big.Float {
		return bigQuo(bigMul(prev, mx2), bigI(int64((2*k-1)*2*k)))
	})
}

// expHat is h(r) = (e^r − 1 − r)/r² = Σ_{n≥0} r^n/(n+2)!, the part of
// e^r − 1 = r + r²·h(r) that the exps' polynomials approximate.
func expHat(r *big.Float) *big.Float {
	return series(bigF(0.5), func(prev *big.Float, n int) *big.Float {
		return bigQuo(bigMul(prev, r), bigI(int64(n+2)))
	})
}

// atanhHat is P(w) = 2 atanh(√w)/√w = Σ_{n≥0} 2w^n/(2n+1), so that
// log y = ln√2 + zz·P(zz²) for zz = (y − √2)/(y + √2).
func atanhHat(w *big.Float) *big.Float {
	pow := bigI(2) // 2w^n
	return series(pow, func(_ *big.Float, n int) *big.Float {
		pow = bigMul(pow, w)
		return bigQuo(pow, bigI(int64(2*n+1)))
	})
}

// chebyshevFit returns, highest degree first as the assembly holds them,
// the monomial coefficients of the polynomial of degree N−1 that
// interpolates f at the N Chebyshev nodes a + (b−a)(1 + cos(π(k−½)/N))/2,
// k = 1…N: what mpmath.chebyfit(f, [a, b], N) returns.
func chebyshevFit(f func(*big.Float) *big.Float, a, b *big.Float, N int) []*big.Float {
	mid, half := bigQuo(bigAdd(a, b), bigI(2)), bigQuo(bigSub(b, a), bigI(2))
	x := make([]*big.Float, N)
	c := make([]*big.Float, N) // divided differences, in place
	for k := 1; k <= N; k++ {
		theta := bigQuo(bigMul(bigPi, bigSub(bigI(int64(k)), bigF(0.5))), bigI(int64(N)))
		x[k-1] = bigAdd(mid, bigMul(half, bigCos(theta)))
		c[k-1] = f(x[k-1])
	}
	for j := 1; j < N; j++ {
		for i := N - 1; i >= j; i-- {
			c[i] = bigQuo(bigSub(c[i], c[i-1]), bigSub(x[i], x[i-j]))
		}
	}
	// Newton form to monomials: p = c0 + (x−x0)(c1 + (x−x1)(c2 + …)).
	p := []*big.Float{c[N-1]} // ascending powers
	for i := N - 2; i >= 0; i-- {
		q := make([]*big.Float, len(p)+1)
		q[0] = bigMul(p[0], newF().Neg(x[i]))
		for j := 1; j < len(p); j++ {
			q[j] = bigSub(p[j-1], bigMul(p[j], x[i]))
		}
		q[len(p)] = p[len(p)-1]
		q[0] = bigAdd(q[0], c[i])
		p = q
	}
	for i, j := 0, len(p)-1; i < j; i, j = i+1, j-1 {
		p[i], p[j] = p[j], p[i]
	}
	return p
}

// rounded returns the float64 nearest each coefficient.
func rounded(c []*big.Float) []float64 {
	out := make([]float64, len(c))
	for i, v := range c {
		out[i], _ = v.Float64()
	}
	return out
}

// fitError is max |p(x) − f(x)| over 2001 points of [a, b] for the float64
// coefficients c (highest degree first), evaluated exactly.
func fitError(f func(*big.Float) *big.Float, a, b *big.Float, c []float64) float64 {
	worst := 0.0
	for i := 0; i <= 2000; i++ {
		x := bigAdd(a, bigQuo(bigMul(bigSub(b, a), bigI(int64(i))), bigI(2000)))
		p := newF()
		for _, ci := range c {
			p = bigAdd(bigMul(p, x), bigF(ci))
		}
		e, _ := bigSub(p, f(x)).Float64()
		worst = max(worst, math.Abs(e))
	}
	return worst
}

// asmData reads the DATA tables of an assembly file: table name → byte
// offset → the 8 bytes as a uint64, and the #define names of table
// entries (name → "table+offset").
func asmData(t *testing.T, file string) (data map[string]map[int]uint64, names map[string]string) {
	t.Helper()
	src, err := os.ReadFile(file)
	if err != nil {
		t.Fatal(err)
	}
	dataRE := regexp.MustCompile(`^DATA\s+(\w+)<>\+(0x[0-9a-fA-F]+)\(SB\)/8,\s*\$(\S+)`)
	defRE := regexp.MustCompile(`^#define\s+(\w+)\s+(\w+)<>\+(0x[0-9a-fA-F]+)\(SB\)\s*$`)
	data, names = map[string]map[int]uint64{}, map[string]string{}
	for _, line := range strings.Split(string(src), "\n") {
		if m := dataRE.FindStringSubmatch(line); m != nil {
			off, err := strconv.ParseInt(m[2], 0, 64)
			if err != nil {
				t.Fatalf("%s: %q: %v", file, line, err)
			}
			var bits uint64
			if v := m[3]; strings.HasPrefix(v, "0x") || !strings.ContainsAny(v, ".eE") {
				// an integer: the assembler stores its two's complement
				n, err := strconv.ParseInt(v, 0, 64)
				if err != nil {
					u, uerr := strconv.ParseUint(v, 0, 64)
					if uerr != nil {
						t.Fatalf("%s: %q: %v", file, line, err)
					}
					n = int64(u)
				}
				bits = uint64(n)
			} else {
				x, err := strconv.ParseFloat(v, 64)
				if err != nil {
					t.Fatalf("%s: %q: %v", file, line, err)
				}
				bits = math.Float64bits(x)
			}
			if data[m[1]] == nil {
				data[m[1]] = map[int]uint64{}
			}
			data[m[1]][int(off)] = bits
		}
		if m := defRE.FindStringSubmatch(line); m != nil {
			off, _ := strconv.ParseInt(m[3], 0, 64)
			names[m[1]] = fmt.Sprintf("%s+%d", m[2], off)
		}
	}
	return data, names
}

// hiPart is RN(x) with its low 20 mantissa bits cleared (33 significant
// bits), so that k·hi is exact for |k| < 2^20; lo is RN(x − hi).
func hiLo(x *big.Float) (hi, lo float64) {
	v, _ := x.Float64()
	hi = math.Float64frombits(math.Float64bits(v) &^ (1<<20 - 1))
	lo, _ = bigSub(x, bigF(hi)).Float64()
	return hi, lo
}

func rn(x *big.Float) float64 { v, _ := x.Float64(); return v }

// constCheck is what one named constant must hold: the float64 want, or the
// raw bits if isBits.
type constCheck struct {
	name   string
	want   float64
	bits   uint64
	isBits bool
}

func fc(name string, want float64) constCheck { return constCheck{name: name, want: want} }
func bc(name string, bits uint64) constCheck  { return constCheck{name: name, bits: bits, isBits: true} }

// polyChecks names the coefficients of a fit, highest degree first:
// prefix_{N−1} … prefix_0.
func polyChecks(prefix string, c []float64) []constCheck {
	var out []constCheck
	for i, v := range c {
		out = append(out, fc(fmt.Sprintf("%s%d", prefix, len(c)-1-i), v))
	}
	return out
}

// The fits, on the intervals polyfit.py uses (1.01 is the float64 1.01, as
// there). Each comes with the claim its error must meet.
type fit struct {
	name  string
	f     func(*big.Float) *big.Float
	a, b  *big.Float
	n     int
	scale float64 // what an error of p is multiplied by in the kernel's result
}

func fits() (h8, h1, p fit) {
	r8 := bigMul(bigQuo(bigLn2, bigI(16)), bigF(1.01)) // |r| ≤ 1.01·ln2/16 (AVX-512 exp, 8-entry table)
	r1 := bigMul(bigQuo(bigLn2, bigI(2)), bigF(1.01))  // |r| ≤ 1.01·ln2/2 (AVX2 exp, no table)
	zmax := bigQuo(bigSub(bigSqrt2, bigI(1)), bigAdd(bigSqrt2, bigI(1)))
	w := bigMul(bigMul(zmax, zmax), bigF(1.01)) // w = zz² ≤ 1.01·(3−2√2)²
	sq := func(x *big.Float) float64 { v, _ := bigMul(x, x).Float64(); return v }
	zm, _ := zmax.Float64()
	return fit{"h8", expHat, newF().Neg(r8), r8, 6, sq(r8)},
		fit{"h1", expHat, newF().Neg(r1), r1, 10, sq(r1)},
		// log y = ln√2 + zz·P(zz²): an error of P counts |zz| ≤ zmax times
		fit{"P", atanhHat, newF(), w, 8, zm}
}

// TestAssemblyConstants recomputes every constant of the assembly's DATA
// tables and compares it bit for bit.
func TestAssemblyConstants(t *testing.T) {
	h8, h1, pf := fits()
	coef := map[string][]float64{}
	for _, f := range []fit{h8, h1, pf} {
		c := rounded(chebyshevFit(f.f, f.a, f.b, f.n))
		coef[f.name] = c
		// The claim behind the degree: the polynomial's error, as it enters
		// the kernel's result (e^r − 1 = r + r²·h, log y = ln√2 + zz·P),
		// is below a quarter of an ulp of 1.
		e := fitError(f.f, f.a, f.b, c)
		t.Logf("%s: degree %d, max |p − f| = %.3g, in the result %.3g", f.name, f.n-1, e, e*f.scale)
		if !(e*f.scale < 0x1p-55) {
			t.Errorf("%s: the fit's error %.3g reaches the result as %.3g, more than 2^-55", f.name, e, e*f.scale)
		}
	}

	ln2, sqrt2 := bigLn2, bigSqrt2
	hi8, lo8 := hiLo(bigQuo(ln2, bigI(8)))
	hi1, lo1 := hiLo(ln2)
	common := []constCheck{
		bc("SIGN", 1<<63),
		fc("ONE", 1),
		fc("MAGIC", 1.5*(1<<52)), // adding it rounds to an integer in the low mantissa bits
		fc("OPS2", rn(bigAdd(bigI(1), sqrt2))),
		fc("OMS2", rn(bigSub(bigI(1), sqrt2))),
		fc("TWO", 2),
		fc("LNSQRT2", rn(bigQuo(ln2, bigI(2)))),
		fc("SQRT2", rn(sqrt2)),
		fc("LN2", rn(ln2)),
	}
	common = append(common, polyChecks("P", coef["P"])...)
	avx512 := append(append([]constCheck(nil), common...),
		fc("LOG2E8", rn(bigQuo(bigI(8), ln2))),
		fc("CLAMPLO", -1100), fc("CLAMPHI", 1100),
		fc("NLN2O8HI", -hi8), fc("NLN2O8LO", -lo8),
		fc("EIGHTH", 0.125),
	)
	avx512 = append(avx512, polyChecks("H8_", coef["h8"])...)
	avx2 := append(append([]constCheck(nil), common...),
		fc("LOG2E", rn(bigQuo(bigI(1), ln2))),
		fc("CLAMPLO", -708), fc("CLAMPHI", 709),
		fc("NLN2HI", -hi1), fc("NLN2LO", -lo1),
		bc("EXPONE", math.Float64bits(1)),
		bc("MANTMASK", 1<<52-1),
		bc("EXPMAGIC", math.Float64bits(1<<52)),
		fc("EXPBIAS", 1<<52+1023), // (2^52 + biased exponent) − this = exponent
	)
	avx2 = append(avx2, polyChecks("H1_", coef["h1"])...)

	// The clamps' claims: ±1100 keep k = x·8/ln2 within the 1.5·2^52 rounding
	// trick's 2^51 and take exp past its overflow and underflow (AVX-512,
	// exact scaling by VSCALEFPD); −708 and 709 keep k = x/ln2 within the
	// normal exponents −1022…1023 (AVX2 builds 2^k from its bits).
	if !(1100*8/math.Ln2 < 1<<51) || !(1100 > 745.2) {
		t.Error("±1100 does not fit the AVX-512 exp's range reduction")
	}
	if k := math.Round(-708 / math.Ln2); k < -1022 {
		t.Errorf("−708 gives 2^%v, not a normal number", k)
	}
	if k := math.Round(709 / math.Ln2); k > 1023 {
		t.Errorf("709 gives 2^%v, not a normal number", k)
	}

	// The Gibbs kernels: the stream's constants, negExp's (which must be
	// those of the pure-Go twin, TestNegExpConstants), and the bit masks.
	g := uint64(Gamma) // multiples mod 2^64
	gib := []constCheck{
		bc("GAMMA", Gamma), bc("MIX1", mix64M1), bc("MIX2", mix64M2),
		bc("GAMMA128", g*128), bc("GAMMA65", g*65), bc("GAMMA8", g*8), bc("GAMMA16", g*16),
		fc("NEGEXPMIN", -700), fc("LOG2E", rn(bigQuo(bigI(1), ln2))),
		fc("LN2HI", hi1), fc("LN2LO", lo1),
		fc("EXPMAGIC", 1<<52+1023), bc("TWO52BITS", math.Float64bits(1<<52)),
		fc("ONE", 1), fc("TWO", 2), fc("HALF", 0.5), fc("MTWO", -2),
		bc("SIGN", 1<<63), bc("ABSMASK", 1<<63-1), fc("TWOM53", 0x1p-53),
	}
	for n := 13; n >= 2; n-- {
		gib = append(gib, fc(fmt.Sprintf("T%d", n), invFactorial(n)))
	}
	gib = append(gib, fc("TWO32", 1<<32), fc("MAXU32", 1<<32-1))
	gib2 := []constCheck{
		bc("GAMMA", Gamma), bc("M1LO", mix64M1&(1<<32-1)), bc("M1HI", mix64M1>>32),
		bc("M2LO", mix64M2&(1<<32-1)), bc("M2HI", mix64M2>>32),
		bc("GAMMA128", g*128), bc("GAMMA65", g*65), bc("GAMMA4", g*4),
		bc("SIGN32", 0x8000000080000000),
		bc("TWO21", math.Float64bits(1<<21)), bc("LOW21", 1<<21-1), bc("LOW32", 1<<32-1),
		// bytes (words) repeated 8 (4) times: byte sign bits, the low byte of
		// a word, and the byte tables' group offsets 0x70 and 16g
		bc("SIGN8", 0x80*0x0101010101010101), bc("LOW8W", 0xff*0x0001000100010001),
		bc("BYTE70", 0x70*0x0101010101010101), bc("BYTE10", 0x10*0x0101010101010101),
		bc("BYTE20", 0x20*0x0101010101010101), bc("BYTE30", 0x30*0x0101010101010101),
		fc("TWO31", 1<<31),
	}
	for _, c := range gib {
		switch c.name {
		case "GAMMA", "MIX1", "MIX2", "GAMMA128", "GAMMA65", "GAMMA8", "GAMMA16":
		default:
			gib2 = append(gib2, c)
		}
	}
	iota8 := []uint64{0, 1, 2, 3, 4, 5, 6, 7}
	dwords := []uint64{0x0000000100000001, 0x0000002000000020, 0x0000000700000007, 0x0007000700070007} // dword lanes of 1, 32 and 7, word lanes of 7
	var oddw []uint64                                                                                  // the word index 2i+1, i = 0…31, four words a qword
	for q := range 8 {
		var x uint64
		for w := range 4 {
			x |= uint64(2*(4*q+w)+1) << (16 * w)
		}
		oddw = append(oddw, x)
	}

	// shufq: byte 0 of qword q of a 128-bit lane to byte 2·lane + q of it,
	// zeros (0x80) elsewhere (VPSHUFB)
	shufq := make([]byte, 32)
	for i := range shufq {
		shufq[i] = 0x80
	}
	for lane := range 2 {
		for q := range 2 {
			shufq[16*lane+2*lane+q] = byte(8 * q)
		}
	}
	// perm04: dwords 0, 4, 1, 5, 2, 6, 3, 7 (VPERMD)
	perm04 := make([]byte, 32)
	for i, v := range []byte{0, 4, 1, 5, 2, 6, 3, 7} {
		perm04[4*i] = v
	}
	qwords := func(b []byte) []uint64 {
		out := make([]uint64, len(b)/8)
		for i := range out {
			for j := range 8 {
				out[i] |= uint64(b[8*i+j]) << (8 * j)
			}
		}
		return out
	}

	for _, file := range []struct {
		name   string
		table  string
		lanes  int // copies of each constant (AVX2: one per ymm lane)
		checks []constCheck
		extra  map[string][]uint64 // other tables, entry by entry
	}{
		{"kernels_avx512_amd64.s", "k512", 1, avx512, map[string][]uint64{"exp2tab": exp2Table()}},
		{"kernels_avx2_amd64.s", "k256", 4, avx2, map[string][]uint64{"iota": {0, 1, 2, 3}}},
		{"gibbs_avx512_amd64.s", "g512", 1, gib, map[string][]uint64{"iota8": iota8, "dw512": dwords, "oddw": oddw}},
		// byte 0 of each dword of a 128-bit lane, then zeros (VPSHUFB)
		{"gibbs_avx2_amd64.s", "g256", 4, gib2, map[string][]uint64{"shuf4": {0x808080800c080400, 0x8080808080808080, 0x808080800c080400, 0x8080808080808080},
			"shufq": qwords(shufq), "perm04": qwords(perm04)}},
	} {
		data, names := asmData(t, file.name)
		seen := map[int]bool{}
		for _, c := range file.checks {
			ref, ok := names[c.name]
			if !ok {
				t.Errorf("%s: no #define %s", file.name, c.name)
				continue
			}
			var off int
			if _, err := fmt.Sscanf(ref, file.table+"+%d", &off); err != nil {
				t.Errorf("%s: %s is %s, not in table %s", file.name, c.name, ref, file.table)
				continue
			}
			want := c.bits
			if !c.isBits {
				want = math.Float64bits(c.want)
			}
			for l := range file.lanes {
				o := off + 8*l
				got, ok := data[file.table][o]
				seen[o] = true
				if !ok {
					t.Errorf("%s: %s lane %d (offset %#x) missing", file.name, c.name, l, o)
				} else if got != want {
					t.Errorf("%s: %s lane %d = %v (%#x), its definition gives %v (%#x)", file.name, c.name, l,
						math.Float64frombits(got), got, math.Float64frombits(want), want)
				}
			}
		}
		for o := range data[file.table] {
			if !seen[o] {
				t.Errorf("%s: %s entry at offset %#x has no definition in this test", file.name, file.table, o)
			}
		}
		for tab, want := range file.extra {
			if len(data[tab]) != len(want) {
				t.Errorf("%s: table %s has %d entries, want %d", file.name, tab, len(data[tab]), len(want))
			}
			for i, w := range want {
				if got := data[tab][8*i]; got != w {
					t.Errorf("%s: %s[%d] = %v (%#x), want %v (%#x)", file.name, tab, i, math.Float64frombits(got), got, math.Float64frombits(w), w)
				}
			}
		}
		if len(data) != 1+len(file.extra) {
			t.Errorf("%s: %d DATA tables, this test knows %d", file.name, len(data), 1+len(file.extra))
		}
	}
}

// invFactorial is 1/n! rounded to float64.
func invFactorial(n int) float64 {
	f := bigI(1)
	for i := 2; i <= n; i++ {
		f = bigMul(f, bigI(int64(i)))
	}
	return rn(bigQuo(bigI(1), f))
}

// The constants of negExp (gibbs_negexp.go), which the assembly twins repeat
// (TestAssemblyConstants checks theirs against the same definitions).
func TestNegExpConstants(t *testing.T) {
	hi, lo := hiLo(bigLn2)
	for _, c := range []struct {
		name      string
		got, want float64
	}{
		{"negExpMin", negExpMin, -700},
		{"negExpLog2e", negExpLog2e, rn(bigQuo(bigI(1), bigLn2))},
		{"negExpLn2Hi", negExpLn2Hi, hi},
		{"negExpLn2Lo", negExpLn2Lo, lo},
		{"negExpMagic", negExpMagic, 1<<52 + 1023},
	} {
		if math.Float64bits(c.got) != math.Float64bits(c.want) {
			t.Errorf("%s = %v, its definition gives %v", c.name, c.got, c.want)
		}
	}
	for i, v := range negExpTaylor {
		if w := invFactorial(13 - i); math.Float64bits(v) != math.Float64bits(w) {
			t.Errorf("negExpTaylor[%d] = %v, 1/%d! = %v", i, v, 13-i, w)
		}
	}
	// k·hi exact for the k that occur: |k| ≤ 700/ln2 + 1 < 2^20
	if !(700/math.Ln2+1 < 1<<20) {
		t.Error("negExp's k can exceed 2^20")
	}
}

// exp2Table is 2^(j/8), j = 0…7, correctly rounded, as float64 bits.
func exp2Table() []uint64 {
	r := newF().Sqrt(newF().Sqrt(bigSqrt2)) // 2^(1/8)
	out := make([]uint64, 8)
	for j := range out {
		out[j] = math.Float64bits(rn(powI(r, j)))
	}
	return out
}

// Gamma is SplitMix64's increment: 2^64/φ, φ the golden ratio, rounded to
// the nearest odd integer.
func TestGammaIsGoldenRatioRoundedToOdd(t *testing.T) {
	phi := bigQuo(bigAdd(bigI(1), newF().Sqrt(bigI(5))), bigI(2))
	x := bigQuo(newF().SetMantExp(bigI(1), 64), phi)
	n, _ := x.Int(nil) // floor, x > 0
	if n.Bit(0) == 0 {
		// floor+1 is nearer x than floor−1
		n.Add(n, big.NewInt(1))
	}
	if !n.IsUint64() || n.Uint64() != Gamma {
		t.Fatalf("2^64/φ rounded to odd is %#x, Gamma is %#x", n, uint64(Gamma))
	}
}
