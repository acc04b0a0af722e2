package dense

import (
	"fmt"
	"math"
	"math/rand/v2"
	"runtime"
	"slices"
	"testing"
)

// allPaths returns every path this CPU and build can run, generic included.
func allPaths() []*path {
	var out []*path
	for _, p := range paths {
		if p.available {
			out = append(out, p)
		}
	}
	return out
}

var cases = []struct {
	name   string
	tA, tB bool
}{
	{"NT", false, true},
	{"TN", true, false},
	{"NN", false, false},
}

// matrix is a rows×cols matrix stored with leading dimension ld from s[off]
// on, inside a buffer whose other elements are guards.
type matrix struct {
	buf            []float64
	off, ld        int
	rows, cols     int
	guard          float64
	window, outset []int // indices of the matrix elements and of the guards
}

// newMatrix lays out a rows×cols matrix with padding pad beyond the minimum
// leading dimension and off guard elements before it and tail after it.
func newMatrix(rng *rand.Rand, rows, cols, pad, off, tail int, guard float64) *matrix {
	ld := max(1, cols) + pad
	size := off + tail
	if rows > 0 {
		size += (rows-1)*ld + cols
	}
	mt := &matrix{buf: make([]float64, size), off: off, ld: ld, rows: rows, cols: cols, guard: guard}
	for i := range mt.buf {
		mt.buf[i] = guard
	}
	inside := make([]bool, size)
	for i := range rows {
		for j := range cols {
			idx := off + i*ld + j
			mt.buf[idx] = 2*rng.Float64() - 1
			inside[idx] = true
			mt.window = append(mt.window, idx)
		}
	}
	for i, in := range inside {
		if !in {
			mt.outset = append(mt.outset, i)
		}
	}
	return mt
}

func (mt *matrix) at(i, j int) float64 { return mt.buf[mt.off+i*mt.ld+j] }

// s is the slice handed to Gemm: from the first element to the last one of
// the matrix (or empty), so that a read beyond it would panic in Go code.
func (mt *matrix) s() []float64 {
	if mt.rows == 0 || mt.cols == 0 {
		return mt.buf[mt.off:mt.off]
	}
	return mt.buf[mt.off : mt.off+(mt.rows-1)*mt.ld+mt.cols]
}

// reference is the triple loop: want[i][j] = Σ_p op(A)[i][p]·op(B)[p][j] and
// bound[i][j] = Σ_p |op(A)[i][p]·op(B)[p][j]|.
func reference(tA, tB bool, m, n, k int, a, b *matrix) (want, bound []float64) {
	want = make([]float64, m*n)
	bound = make([]float64, m*n)
	for i := range m {
		for j := range n {
			var s, t float64
			for p := range k {
				var x, y float64
				if tA {
					x = a.at(p, i)
				} else {
					x = a.at(i, p)
				}
				if tB {
					y = b.at(j, p)
				} else {
					y = b.at(p, j)
				}
				s += x * y
				t += math.Abs(x * y)
			}
			want[i*n+j] = s
			bound[i*n+j] = t
		}
	}
	return want, bound
}

// gemmCase is one shape of one case with its operands and reference.
type gemmCase struct {
	tA, tB      bool
	m, n, k     int
	a, b        *matrix
	want, bound []float64
}

func newCase(rng *rand.Rand, tA, tB bool, m, n, k int) *gemmCase {
	ar, ac := m, k
	if tA {
		ar, ac = k, m
	}
	br, bc := k, n
	if tB {
		br, bc = n, k
	}
	gc := &gemmCase{tA: tA, tB: tB, m: m, n: n, k: k,
		a: newMatrix(rng, ar, ac, rng.IntN(4), 1+rng.IntN(7), rng.IntN(3), math.NaN()),
		b: newMatrix(rng, br, bc, rng.IntN(4), 1+rng.IntN(7), rng.IntN(3), math.NaN()),
	}
	gc.want, gc.bound = reference(tA, tB, m, n, k, gc.a, gc.b)
	return gc
}

const guardC = -12345.678

// run runs the case on path pt with the given beta and reports mismatches.
// Guards around and between the rows of C must stay untouched; with
// beta = 0, C starts as NaN, which must not leak into the result.
func (gc *gemmCase) run(t *testing.T, rng *rand.Rand, pt *path, beta float64) {
	t.Helper()
	c := newMatrix(rng, gc.m, gc.n, rng.IntN(4), 1+rng.IntN(7), 1+rng.IntN(9), guardC)
	c0 := slices.Clone(c.buf)
	if beta == 0 {
		for _, idx := range c.window {
			c.buf[idx] = math.NaN()
		}
	}
	gemmWith(pt, gc.tA, gc.tB, gc.m, gc.n, gc.k, gc.a.s(), gc.a.ld, gc.b.s(), gc.b.ld, beta, c.s(), c.ld)
	tag := fmt.Sprintf("%s tA=%v tB=%v %dx%dx%d beta=%v lda=%d ldb=%d ldc=%d", pt.name, gc.tA, gc.tB, gc.m, gc.n, gc.k, beta, gc.a.ld, gc.b.ld, c.ld)
	for _, idx := range c.outset {
		if math.Float64bits(c.buf[idx]) != math.Float64bits(guardC) {
			t.Fatalf("%s: guard element %d of C changed to %v", tag, idx, c.buf[idx])
		}
	}
	bad := 0
	for i := range gc.m {
		for j := range gc.n {
			got := c.at(i, j)
			idx := c.off + i*c.ld + j
			want := gc.want[i*gc.n+j] + beta*c0[idx]
			tol := 1e-13*(gc.bound[i*gc.n+j]+math.Abs(beta*c0[idx])) + 1e-300
			if !(math.Abs(got-want) <= tol) {
				if bad < 5 {
					t.Errorf("%s: C[%d][%d] = %v, want %v (tolerance %.3g)", tag, i, j, got, want, tol)
				}
				bad++
			}
		}
	}
	if bad > 0 {
		t.Fatalf("%s: %d wrong elements", tag, bad)
	}
}

func TestSmallShapes(t *testing.T) {
	rng := rand.New(rand.NewPCG(1, 2))
	for _, cs := range cases {
		for m := range 10 {
			for n := range 10 {
				for k := range 10 {
					gc := newCase(rng, cs.tA, cs.tB, m, n, k)
					for _, pt := range allPaths() {
						for _, beta := range []float64{0, 1} {
							gc.run(t, rng, pt, beta)
						}
					}
				}
			}
		}
	}
}

var (
	sizesM  = []int{1, 5, 24, 64, 128, 256, 1024, 1944}
	sizesNK = []int{1, 5, 10, 16, 80, 160, 320}
)

// TestSizesOfInterest covers the network's shapes: every m with every n and
// k up to m·n·k = 2^22 (2^19 under -short), plus the largest ones of each
// case.
func TestSizesOfInterest(t *testing.T) {
	rng := rand.New(rand.NewPCG(3, 4))
	limit := 1 << 22
	if testing.Short() {
		limit = 1 << 19
	}
	for _, cs := range cases {
		for _, m := range sizesM {
			for _, n := range sizesNK {
				for _, k := range sizesNK {
					if m*n*k > limit {
						continue
					}
					gc := newCase(rng, cs.tA, cs.tB, m, n, k)
					for _, pt := range allPaths() {
						for _, beta := range []float64{0, 1} {
							gc.run(t, rng, pt, beta)
						}
					}
				}
			}
		}
		big := [][3]int{{1944, 160, 160}, {1944, 5, 80}, {1944, 80, 5}, {160, 160, 1944}, {5, 80, 1944}, {80, 5, 1944}}
		if testing.Short() {
			big = big[:1]
		}
		for _, s := range big {
			gc := newCase(rng, cs.tA, cs.tB, s[0], s[1], s[2])
			for _, pt := range allPaths() {
				gc.run(t, rng, pt, 1)
			}
		}
	}
}

// TestOddShapes covers tile edges around the tile sizes of every path.
func TestOddShapes(t *testing.T) {
	rng := rand.New(rand.NewPCG(5, 6))
	dims := []int{1, 3, 7, 8, 9, 12, 15, 16, 17, 23, 24, 25, 31, 33, 64, 65, 80, 97}
	for _, cs := range cases {
		for _, m := range dims {
			for _, n := range dims {
				k := dims[rng.IntN(len(dims))] + rng.IntN(300)
				gc := newCase(rng, cs.tA, cs.tB, m, n, k)
				for _, pt := range allPaths() {
					gc.run(t, rng, pt, float64(rng.IntN(2)))
				}
			}
		}
	}
}

// TestBeta checks a beta other than 0 and 1 (C scaled first).
func TestBeta(t *testing.T) {
	rng := rand.New(rand.NewPCG(7, 8))
	for _, cs := range cases {
		gc := newCase(rng, cs.tA, cs.tB, 13, 21, 17)
		for _, pt := range allPaths() {
			gc.run(t, rng, pt, -0.75)
		}
	}
}

// TestSplitIdentical checks that products large enough to be shared between
// goroutines give the same bits as one goroutine doing all rows, and as
// rows computed in arbitrary chunks of rowGrain.
func TestSplitIdentical(t *testing.T) {
	rng := rand.New(rand.NewPCG(9, 10))
	shapes := [][3]int{{1944, 80, 80}, {160, 160, 1944}, {1027, 33, 100}}
	if testing.Short() {
		// The race run (make race) and the emulated one (make arm64):
		// an odd number of rows, and k beyond kBlock, both over
		// parallelWork; 7 % of the work.
		shapes = [][3]int{{1027, 33, 100}, {64, 64, 300}}
	}
	if runtime.GOMAXPROCS(0) < 2 {
		t.Log("GOMAXPROCS is 1: the products are not split, and this only compares the chunked rows")
	}
	for _, cs := range cases {
		for _, s := range shapes {
			m, n, k := s[0], s[1], s[2]
			if m*n*k < parallelWork {
				t.Fatalf("%v is too small to split", s)
			}
			gc := newCase(rng, cs.tA, cs.tB, m, n, k)
			for _, pt := range allPaths() {
				for _, beta := range []float64{0, 1} {
					c0 := make([]float64, m*n)
					for i := range c0 {
						c0[i] = rng.NormFloat64()
					}
					split := slices.Clone(c0)
					gemmWith(pt, gc.tA, gc.tB, m, n, k, gc.a.s(), gc.a.ld, gc.b.s(), gc.b.ld, beta, split, n)
					one := slices.Clone(c0)
					chunks := slices.Clone(c0)
					p := &problem{tA: gc.tA, tB: gc.tB, m: m, n: n, k: k, a: gc.a.s(), lda: gc.a.ld, b: gc.b.s(), ldb: gc.b.ld, beta: beta, c: one, ldc: n}
					pk := pt.prep(p)
					pt.rows(p, &pk, 0, m)
					p.c = chunks
					for i := 0; i < m; {
						j := min(m, i+rowGrain*(1+rng.IntN(5)))
						pt.rows(p, &pk, i, j)
						i = j
					}
					pt.done(&pk)
					for i := range one {
						if math.Float64bits(one[i]) != math.Float64bits(split[i]) || math.Float64bits(one[i]) != math.Float64bits(chunks[i]) {
							t.Fatalf("%s %s %v beta=%v: element %d: one goroutine %v, split %v, chunks %v", pt.name, cs.name, s, beta, i, one[i], split[i], chunks[i])
						}
					}
				}
			}
		}
	}
}

// TestRowsIndependent checks that a row of C comes out with the same bits
// whether it is computed in the whole product or in a product of fewer
// rows (down to one), whichever route the shapes take.
func TestRowsIndependent(t *testing.T) {
	rng := rand.New(rand.NewPCG(15, 16))
	for _, cs := range cases {
		for _, s := range [][3]int{{100, 80, 80}, {100, 80, 300}, {40, 160, 160}, {13, 21, 300}, {30, 5, 80}, {30, 80, 5}, {9, 1, 16}} {
			m, n, k := s[0], s[1], s[2]
			gc := newCase(rng, cs.tA, cs.tB, m, n, k)
			a, b := gc.a.s(), gc.b.s()
			for _, pt := range allPaths() {
				for _, beta := range []float64{0, 1} {
					c0 := make([]float64, m*n)
					for i := range c0 {
						c0[i] = rng.NormFloat64()
					}
					whole := slices.Clone(c0)
					gemmWith(pt, gc.tA, gc.tB, m, n, k, a, gc.a.ld, b, gc.b.ld, beta, whole, n)
					parts := slices.Clone(c0)
					for i := 0; i < m; {
						j := min(m, i+1+rng.IntN(7))
						var ai []float64
						if gc.tA {
							ai = a[i:]
						} else {
							ai = a[i*gc.a.ld:]
						}
						gemmWith(pt, gc.tA, gc.tB, j-i, n, k, ai, gc.a.ld, b, gc.b.ld, beta, parts[i*n:], n)
						i = j
					}
					for i := range whole {
						if math.Float64bits(whole[i]) != math.Float64bits(parts[i]) {
							t.Fatalf("%s %s %v beta=%v: C[%d][%d] = %v in the whole product, %v in parts", pt.name, cs.name, s, beta, i/n, i%n, whole[i], parts[i])
						}
					}
				}
			}
		}
	}
}

// TestRowGrain checks that the split granularity is a multiple of every
// kernel's tile height, which the bit-identity of splits relies on.
func TestRowGrain(t *testing.T) {
	checked := 0
	for _, pt := range paths {
		if pt.kern == nil {
			continue
		}
		checked++
		if rowGrain%pt.kern.heights[0] != 0 {
			t.Errorf("%s: rowGrain %d is not a multiple of the tile height %d", pt.name, rowGrain, pt.kern.heights[0])
		}
	}
	if checked == 0 {
		t.Skip("no assembly kernel in this build: only the generic path, whose rows come out the same wherever a split falls")
	}
}

// TestLookup reaches each path through Lookup and its Gemm method.
func TestLookup(t *testing.T) {
	avail := Available()
	if len(avail) == 0 || avail[len(avail)-1] != "generic" {
		t.Fatalf("Available() = %v, want generic last", avail)
	}
	rng := rand.New(rand.NewPCG(11, 12))
	for _, name := range avail {
		p, err := Lookup(name)
		if err != nil {
			t.Fatalf("Lookup(%q): %v", name, err)
		}
		if p.Name() != name {
			t.Fatalf("Lookup(%q).Name() = %q", name, p.Name())
		}
		for _, cs := range cases {
			gc := newCase(rng, cs.tA, cs.tB, 37, 21, 45)
			c := make([]float64, gc.m*gc.n)
			p.Gemm(gc.tA, gc.tB, gc.m, gc.n, gc.k, gc.a.s(), gc.a.ld, gc.b.s(), gc.b.ld, 0, c, gc.n)
			for i, w := range gc.want {
				if math.Abs(c[i]-w) > 1e-13*gc.bound[i] {
					t.Fatalf("path %s %s: C[%d] = %v, want %v", name, cs.name, i, c[i], w)
				}
			}
		}
	}
	for _, p := range []Path{Fastest(), {}} {
		if p.Name() != avail[0] {
			t.Fatalf("Fastest() or the zero Path is %q, want the fastest, %q", p.Name(), avail[0])
		}
	}
	if p, err := Lookup(""); err != nil || p != Fastest() {
		t.Fatalf(`Lookup("") = %v, %v; want Fastest()`, p, err)
	}
	if _, err := Lookup("nonsense"); err == nil {
		t.Fatal(`Lookup("nonsense") succeeded`)
	}
	for _, name := range []string{"avx2", "avx512"} {
		if slices.Contains(avail, name) {
			continue
		}
		if _, err := Lookup(name); err == nil {
			t.Fatalf("Lookup(%q) succeeded but the path is not available (%v)", name, avail)
		}
	}
}

// TestPanics checks argument checking.
func TestPanics(t *testing.T) {
	s := make([]float64, 100)
	Gemm := Fastest().Gemm
	for _, tc := range []struct {
		name string
		f    func()
	}{
		{"TT", func() { Gemm(true, true, 2, 2, 2, s, 2, s, 2, 0, s, 2) }},
		{"negative", func() { Gemm(false, true, -1, 2, 2, s, 2, s, 2, 0, s, 2) }},
		{"lda", func() { Gemm(false, true, 2, 2, 3, s, 2, s, 3, 0, s, 2) }},
		{"short c", func() { Gemm(false, false, 10, 10, 1, s, 1, s, 10, 0, s[:50], 10) }},
		{"short b", func() { Gemm(true, false, 2, 10, 20, s, 2, s, 10, 0, s, 10) }},
	} {
		func() {
			defer func() {
				if recover() == nil {
					t.Errorf("%s: no panic", tc.name)
				}
			}()
			tc.f()
		}()
	}
}

// FuzzGemm compares every path with the triple loop on fuzzed shapes,
// paddings and offsets.
func FuzzGemm(f *testing.F) {
	f.Add(uint8(0), uint8(24), uint8(16), uint8(1), uint8(0), uint64(1))
	f.Add(uint8(1), uint8(5), uint8(80), uint8(200), uint8(1), uint64(2))
	f.Add(uint8(2), uint8(17), uint8(33), uint8(9), uint8(3), uint64(3))
	f.Fuzz(func(t *testing.T, cs, m, n, k, beta uint8, seed uint64) {
		c := cases[int(cs)%len(cases)]
		rng := rand.New(rand.NewPCG(seed, 99))
		gc := newCase(rng, c.tA, c.tB, int(m)%70, int(n)%70, int(k))
		for _, pt := range allPaths() {
			gc.run(t, rng, pt, float64(beta%2))
		}
	})
}

// TestNTRowsRoute checks the NT products of at most ntRowsMax rows (which
// an assembly path may compute with a kernel of its own, ntRows) against
// the same rows inside a product of more rows (the tiles), bit for bit:
// every row count and column tail of the small-row kernel, odd and even
// k, and k beyond one block of kBlock.
func TestNTRowsRoute(t *testing.T) {
	rng := rand.New(rand.NewPCG(17, 18))
	const extra = 30 // rows that send the whole product to the tiles
	for _, k := range []int{1, 2, 7, 80, 257, 300} {
		for _, n := range []int{4, 5, 6, 7, 8, 9, 12, 13, 15, 16, 17, 20, 23, 31, 33, 40, 80} {
			gc := newCase(rng, false, true, ntRowsMax+extra, n, k)
			a, b := gc.a.s(), gc.b.s()
			for _, pt := range allPaths() {
				for _, beta := range []float64{0, 1} {
					c0 := make([]float64, (ntRowsMax+extra)*n)
					for i := range c0 {
						c0[i] = rng.NormFloat64()
					}
					whole := slices.Clone(c0)
					gemmWith(pt, false, true, ntRowsMax+extra, n, k, a, gc.a.ld, b, gc.b.ld, beta, whole, n)
					for m := 1; m <= ntRowsMax; m++ {
						i0 := rng.IntN(extra)
						part := slices.Clone(c0[i0*n : (i0+m)*n])
						gemmWith(pt, false, true, m, n, k, a[i0*gc.a.ld:], gc.a.ld, b, gc.b.ld, beta, part, n)
						for e, v := range part {
							if w := whole[i0*n+e]; math.Float64bits(v) != math.Float64bits(w) {
								t.Fatalf("%s %d×%d×%d beta=%v: C[%d][%d] = %v alone, %v in %d rows", pt.name, m, n, k, beta, i0+e/n, e%n, v, w, ntRowsMax+extra)
							}
						}
					}
				}
			}
		}
	}
}
