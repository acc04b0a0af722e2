// Package dense holds rgflow's dense float64 matrix products: the three
// row-major cases the network needs (engine/mlp.go),
//
//	NT: C[m×n] = beta·C + A[m×k] · B[n×k]ᵀ   (forward: activations × weightsᵀ)
//	TN: C[m×n] = beta·C + A[k×m]ᵀ · B[k×n]   (weight gradient)
//	NN: C[m×n] = beta·C + A[m×k] · B[k×n]    (input gradient)
//
// with leading dimensions lda, ldb, ldc. Like package kernels, every path has
// the pure-Go generic path (generic.go) as its reference, and a path is a
// value (Path) that the caller chooses.
//
// Paths, fastest first:
//   - avx512 (AVX512F; gemm_avx512_amd64.s): 8×16 register tiles (16 zmm
//     accumulators), tiles of one or two rows four or two panels wide (8
//     accumulators), one zmm per row when at most 8 columns are left, n
//     tails under a mask;
//   - avx2 (AVX2 + FMA3; gemm_avx2_amd64.s): 6×8 register tiles (12 ymm
//     accumulators), n tails from a zero-padded copy of B; NT products of
//     at most 12 rows by ntRows (below);
//   - generic (generic.go): 4×4 register tiles in Go, everywhere (it is the
//     whole story under the purego tag and on other architectures).
//
// The assembly paths (driver.go) read A and, for NN and TN, B in place;
// Bᵀ (NT) is packed into panels of the tile width once per call, except
// that an NT product of a few rows is done as Cᵀ = B·Aᵀ, packing A instead
// (swapNT), or, where the CPU has AVX2, for at most ntRowsMax = 12 rows (and at
// least 4 columns), by a kernel that reads B's rows in place and
// transposes them in registers (ntRows, ntrows_avx2_amd64.s). Tiny
// products need no special case: nothing is allocated per call.
//
// Summation order. Every path computes each element of C as
// s = Σ_p a_ip·b_pj, summed in order of p and starting from zero, and then
// sets C = s when beta = 0 (C is not read, so garbage there, NaN included,
// is overwritten), C += s when beta = 1, and C = beta·C + s otherwise
// (C scaled first). The assembly paths use fused multiply-adds and, for
// k > kBlock (256), do this block of p by block, adding each block's sum to
// C in turn. The order depends only on the path, k and beta: not on m,
// on where the element lies in its tile or on the route (so a row of C
// comes out with the same bits whether it is computed alone or in a
// batch; the network's Eval and Jacobian rely on that), nor on how rows
// are shared out: large products (m·n·k ≥ 2^20) split their rows between
// two goroutines at a multiple of 24. Paths differ from each other by
// rounding only.
package dense

import (
	"fmt"
	"runtime"
	"strings"
	"sync"

	"github.com/rgflow/rgflow/kernels/internal/dispatch"
)

// Path is an implementation of the products: a value, so that callers
// choose it per use (package kernels bundles it with the enumeration of the
// same name). It runs each shape class (Class) on one path; Fastest and
// Lookup put every class on the same one, Select gives each its own. The
// zero Path is Fastest().
type Path struct{ s *selection }

// selection is what a Path runs: a path for each shape class.
type selection struct {
	name string
	by   [NumClasses]*path
}

// Class is a shape class of products, which a Path may run on a path of
// its own (Select): paths differ in speed by shape (the few-row NT
// products above all), not only by CPU.
type Class int

const (
	ClassNT    Class = iota // NT of many rows (a batch through a layer)
	ClassNTFew              // NT of a few rows, computed as Cᵀ = B·Aᵀ (swapNT: a point through the network)
	ClassTN                 // TN (weight gradients)
	ClassNN                 // NN (input gradients)
	NumClasses
)

var classNames = [NumClasses]string{"gemmNT", "gemmNTFew", "gemmTN", "gemmNN"}

// String is the class's name as kernel choices spell it (gemmNT, …).
func (c Class) String() string { return classNames[c] }

// ClassOf is the shape class of the product Gemm(tA, tB, m, n, k, …).
func ClassOf(tA, tB bool, m, n, k int) Class {
	switch {
	case tA:
		return ClassTN
	case !tB:
		return ClassNN
	case swapNT(m, n, k):
		return ClassNTFew
	}
	return ClassNT
}

// uniform holds one selection per path, every class on it, so that
// Lookup(name) is the same value every time.
var uniform = func() map[*path]*selection {
	m := map[*path]*selection{}
	for _, p := range paths {
		s := &selection{name: p.name}
		for c := range s.by {
			s.by[c] = p
		}
		m[p] = s
	}
	return m
}()

func uniformOf(p *path) *selection { return uniform[p] }

// Fastest returns the fastest path this CPU and build support.
func Fastest() Path { return Path{uniformOf(fastest)} }

// Lookup returns the path called name (generic, avx2 or avx512), or
// Fastest() for "". Naming a path this CPU or build lacks, or an unknown
// one, is an error that lists the available paths.
func Lookup(name string) (Path, error) {
	p, err := dispatch.Choose(paths, name)
	if err != nil {
		return Path{}, err
	}
	return Path{uniformOf(p)}, nil
}

// Select returns a Path that runs each class c on the path called
// names[c] (a name Lookup takes). The classes must all be on assembly
// paths or all on the generic one: the assembly paths give the same bits
// (fused multiply-adds in the same order; TestAssemblyPathsAgree), the
// generic one other bits, and a row of C must come out with the same bits
// computed alone (ClassNTFew) as in a batch (ClassNT).
func Select(names [NumClasses]string) (Path, error) {
	var s selection
	for c, name := range names {
		p, err := dispatch.Choose(paths, name)
		if err != nil {
			return Path{}, fmt.Errorf("%s: %v", Class(c), err)
		}
		s.by[c] = p
	}
	var parts []string
	for c, p := range s.by {
		if (p.kern == nil) != (s.by[0].kern == nil) {
			return Path{}, fmt.Errorf("%s on %s and %s on %s: the products' classes must all be on assembly paths or all on generic (their bits differ, and a row must come out the same alone as in a batch)",
				Class(0), s.by[0].name, Class(c), p.name)
		}
		if p != s.by[0] {
			parts = append(parts, fmt.Sprintf("%s=%s", Class(c), p.name))
		}
	}
	if len(parts) == 0 {
		return Path{uniformOf(s.by[0])}, nil
	}
	s.name = s.by[0].name + "," + strings.Join(parts, ",")
	return Path{&s}, nil
}

// SameBits reports whether the paths called a and b compute every product
// with the same bits: both assembly paths, or both generic.
func SameBits(a, b string) bool { return (a == generic.name) == (b == generic.name) }

// Available lists the paths this CPU and build can run, fastest first.
func Available() []string { return dispatch.Names(paths) }

func (p Path) get() *selection {
	if p.s == nil {
		return uniformOf(fastest)
	}
	return p.s
}

// Name is the path's name, as Lookup takes it when every class is on one
// path; otherwise the first class's path and the others', as
// "avx512,gemmNTFew=avx2".
func (p Path) Name() string { return p.get().name }

// String is the path's name.
func (p Path) String() string { return p.Name() }

// ClassPath is the name of the path that runs class c.
func (p Path) ClassPath(c Class) string { return p.get().by[c].name }

// Gemm computes C = beta·C + op(A)·op(B) on this path, where op(A) is A
// (m×k, row i at a[i*lda:]) or, if tA, Aᵀ with A k×m; op(B) is B (k×n) or,
// if tB, Bᵀ with B n×k. C is m×n with row i at c[i*ldc:]. The supported
// cases are NT (tA = false, tB = true), TN and NN; TT panics. Only the
// elements C[i][j], i < m, j < n, are written.
func (p Path) Gemm(tA, tB bool, m, n, k int, a []float64, lda int, b []float64, ldb int, beta float64, c []float64, ldc int) {
	gemmWith(p.get().by[ClassOf(tA, tB, m, n, k)], tA, tB, m, n, k, a, lda, b, ldb, beta, c, ldc)
}

// path is one implementation: kern, if not nil, is its assembly kernel
// (driver.go); otherwise the generic Go loops run.
type path struct {
	name      string
	available bool // this CPU and build run it
	kern      *asmKernel
}

// problem is one checked call of Gemm, with beta ∈ {0, 1} and k ≥ 1.
type problem struct {
	tA, tB  bool
	m, n, k int
	a       []float64
	lda     int
	b       []float64
	ldb     int
	beta    float64
	c       []float64
	ldc     int
}

// rows computes rows [i0, i1) of C; pk is what prep made of B.
func (pt *path) rows(p *problem, pk *packed, i0, i1 int) {
	if pt.kern == nil {
		genericRows(p, i0, i1)
		return
	}
	pt.kern.rows(p, pk, i0, i1)
}

// prep readies B for rows (packing it where the kernel needs that), once
// per call before the rows are shared out; done gives the buffers back.
func (pt *path) prep(p *problem) packed {
	if pt.kern == nil {
		return packed{}
	}
	return pt.kern.prep(p)
}

func (pt *path) done(pk *packed) { pk.release() }

var generic = path{
	name:      "generic",
	available: true,
}

// paths lists the implementations from fastest to slowest: the assembly
// paths of this build (archPaths, empty under purego or on other
// architectures) and then the generic one.
var paths = append(append([]*path(nil), archPaths...), &generic)

// fastest is the first path this CPU runs (generic at worst).
var fastest, _ = dispatch.Choose(paths, "")

func (p *path) Name() string    { return p.name }
func (p *path) Available() bool { return p.available }

// parallelWork is the m·n·k from which a product's rows are shared between
// two goroutines, and rowGrain the granularity of the split (a multiple of
// every path's tile height, so that every row is computed by the same code
// either way).
const (
	parallelWork = 1 << 20
	rowGrain     = 24
)

func gemmWith(pt *path, tA, tB bool, m, n, k int, a []float64, lda int, b []float64, ldb int, beta float64, c []float64, ldc int) {
	if tA && tB {
		panic("dense: Aᵀ·Bᵀ is not supported")
	}
	check(tA, tB, m, n, k, a, lda, b, ldb, c, ldc)
	if m == 0 || n == 0 {
		return
	}
	if beta != 0 && beta != 1 {
		for i := range m {
			ci := c[i*ldc : i*ldc+n]
			for j := range ci {
				ci[j] *= beta
			}
		}
		beta = 1
	}
	if k == 0 {
		if beta == 0 {
			for i := range m {
				clear(c[i*ldc : i*ldc+n])
			}
		}
		return
	}
	if pt.kern != nil && pt.kern.ntRows != nil && !tA && tB && m <= ntRowsMax && n >= 4 {
		gemmNTRows(pt.kern, m, n, k, a, lda, b, ldb, beta, c, ldc)
		return
	}
	if pt.kern != nil && !tA && tB && swapNT(m, n, k) {
		gemmNTSwapped(pt, m, n, k, a, lda, b, ldb, beta, c, ldc)
		return
	}
	p := problem{tA: tA, tB: tB, m: m, n: n, k: k, a: a, lda: lda, b: b, ldb: ldb, beta: beta, c: c, ldc: ldc}
	pk := pt.prep(&p)
	if m*n*k >= parallelWork && m >= 2*rowGrain && runtime.GOMAXPROCS(0) > 1 {
		parallel(pt, &p, &pk)
	} else {
		pt.rows(&p, &pk, 0, m)
	}
	pt.done(&pk)
}

// parallel shares the rows of p between this goroutine and another one, at
// a multiple of rowGrain. It works on copies of p and pk, so that they do
// not escape in the common, serial case.
func parallel(pt *path, p *problem, pk *packed) {
	pc, pkc := *p, *pk
	half := (pc.m/2 + rowGrain - 1) / rowGrain * rowGrain
	var wg sync.WaitGroup
	wg.Add(1)
	go func() {
		defer wg.Done()
		pt.rows(&pc, &pkc, half, pc.m)
	}()
	pt.rows(&pc, &pkc, 0, half)
	wg.Wait()
}

// check panics, as gonum's BLAS does, when a size or leading dimension is
// negative or too small or a slice too short for the shape.
func check(tA, tB bool, m, n, k int, a []float64, lda int, b []float64, ldb int, c []float64, ldc int) {
	if m < 0 || n < 0 || k < 0 {
		panic(fmt.Sprintf("dense: negative size m=%d n=%d k=%d", m, n, k))
	}
	ar, ac := m, k
	if tA {
		ar, ac = k, m
	}
	br, bc := k, n
	if tB {
		br, bc = n, k
	}
	need := func(name string, s []float64, rows, cols, ld int) {
		if ld < max(1, cols) {
			panic(fmt.Sprintf("dense: ld%s = %d < max(1, %d)", name, ld, cols))
		}
		if rows > 0 && cols > 0 && len(s) < (rows-1)*ld+cols {
			panic(fmt.Sprintf("dense: %s has %d elements, a %d×%d matrix with leading dimension %d needs %d", name, len(s), rows, cols, ld, (rows-1)*ld+cols))
		}
	}
	need("a", a, ar, ac, lda)
	need("b", b, br, bc, ldb)
	need("c", c, m, n, ldc)
}
