package dense

import (
	"math"
	"math/rand/v2"
	"syscall"
	"testing"
	"unsafe"
)

// pageEnd returns a slice of n float64s that ends exactly where an
// inaccessible page begins, so that any read or write past its end faults;
// free unmaps it.
func pageEnd(t *testing.T, n int) (s []float64, free func()) {
	t.Helper()
	page := syscall.Getpagesize()
	data := (n*8 + page - 1) / page * page
	mem, err := syscall.Mmap(-1, 0, data+page, syscall.PROT_READ|syscall.PROT_WRITE, syscall.MAP_ANON|syscall.MAP_PRIVATE)
	if err != nil {
		t.Skip("mmap:", err)
	}
	if err := syscall.Mprotect(mem[data:], syscall.PROT_NONE); err != nil {
		t.Skip("mprotect:", err)
	}
	if n == 0 {
		return nil, func() { syscall.Munmap(mem) }
	}
	s = unsafe.Slice((*float64)(unsafe.Pointer(&mem[data-n*8])), n)
	return s, func() { syscall.Munmap(mem) }
}

// TestGuardPages puts A, B and C right before an inaccessible page, with the
// minimal leading dimensions, and checks that no path reads or writes past
// the last element (a fault would crash the test) on shapes with partial
// panels and tiles.
func TestGuardPages(t *testing.T) {
	rng := rand.New(rand.NewPCG(13, 14))
	dims := []int{1, 2, 3, 5, 7, 9, 13, 17, 23, 33}
	for _, cs := range cases {
		for _, m := range dims {
			for _, n := range dims {
				k := dims[rng.IntN(len(dims))]
				gc := newCase(rng, cs.tA, cs.tB, m, n, k)
				a, freeA := pageEnd(t, gc.a.rows*gc.a.cols)
				b, freeB := pageEnd(t, gc.b.rows*gc.b.cols)
				c, freeC := pageEnd(t, m*n)
				for i := range gc.a.rows {
					for j := range gc.a.cols {
						a[i*gc.a.cols+j] = gc.a.at(i, j)
					}
				}
				for i := range gc.b.rows {
					for j := range gc.b.cols {
						b[i*gc.b.cols+j] = gc.b.at(i, j)
					}
				}
				for _, pt := range allPaths() {
					for _, beta := range []float64{0, 1} {
						for i := range c {
							c[i] = 1
						}
						gemmWith(pt, cs.tA, cs.tB, m, n, k, a, gc.a.cols, b, gc.b.cols, beta, c, n)
						for i, w := range gc.want {
							w += beta
							if math.Abs(c[i]-w) > 1e-13*(gc.bound[i]+1) {
								t.Fatalf("%s %s %dx%dx%d beta=%v: C[%d] = %v, want %v", pt.name, cs.name, m, n, k, beta, i, c[i], w)
							}
						}
					}
				}
				freeA()
				freeB()
				freeC()
			}
		}
	}
}
