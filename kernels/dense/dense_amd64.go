//go:build amd64 && gc && !purego

package dense

import (
	"sync"

	"github.com/klauspost/cpuid/v2"
)

// The assembly paths, fastest first. cpuid only reports AVX2 and AVX-512
// when the OS also saves the wider registers (XGETBV), so Supports is the
// whole availability test. The AVX-512 code uses AVX512F instructions only.
var archPaths = []*path{
	newAsmPath("avx512", func() bool { return cpuid.CPU.Supports(cpuid.AVX512F) },
		&asmKernel{run: gemmAVX512, heights: []int{8, 4, 2, 1}, nr: 16, maskedB: true}),
	newAsmPath("avx2", func() bool { return cpuid.CPU.Supports(cpuid.AVX, cpuid.AVX2, cpuid.FMA3) },
		&asmKernel{run: gemmAVX2, heights: []int{6, 4, 2, 1}, nr: 8}),
}

// gemmAVX512 computes an mr×n block of C, mr ∈ {1, 2, 4, 8}, k ≥ 1, n ≥ 1,
// in panels of 16 columns (8×16 register tiles for mr = 8), with fused
// multiply-adds. Strides are in elements. It is this loop:
//
//	for i := range mr {
//		for j := range n {
//			s := 0.0
//			for p := range k {
//				s = math.FMA(a[i*rsA+p*csA], b[p*rsB+(j/16)*psB+j%16], s)
//			}
//			if beta == 0 {
//				c[i*ldc+j] = s
//			} else {
//				c[i*ldc+j] += s
//			}
//		}
//	}
//
// The last panel, if n is not a multiple of 16, is read from B and C and
// written under a mask, so nothing beyond column n is touched.
//
//go:noescape
func gemmAVX512(mr, k, n int, a *float64, rsA, csA int, b *float64, rsB, psB int, c *float64, ldc, beta int)

// gemmAVX2 is gemmAVX512 for AVX2+FMA3: mr ∈ {1, 2, 4, 6}, panels of 8
// columns (6×8 register tiles) and (j/8)*psB + j%8 for B's column offset.
// C is touched only below column n (VMASKMOVPD in the last panel), but B
// is read in whole panels, so a last partial panel must come from a
// zero-padded copy.
//
//go:noescape
func gemmAVX2(mr, k, n int, a *float64, rsA, csA int, b *float64, rsB, psB int, c *float64, ldc, beta int)

// kBlock is the length of the blocks of p the assembly paths sum over before
// adding to C (so that a tile's slice of A and a panel of B stay in cache
// when k is the batch size).
const kBlock = 384

// asmKernel describes an assembly micro-kernel and how to drive it.
type asmKernel struct {
	run     func(mr, k, n int, a *float64, rsA, csA int, b *float64, rsB, psB int, c *float64, ldc, beta int)
	heights []int // tile heights it takes, largest first; rowGrain is a multiple of the first
	nr      int   // panel width
	maskedB bool  // it reads a partial last panel of B under a mask
}

func newAsmPath(name string, available func() bool, kn *asmKernel) *path {
	return &path{
		name:      name,
		available: available,
		prep:      kn.prep,
		rows:      kn.rows,
		done:      kn.done,
	}
}

// packed is op(B) prepared for a kernel: element (p, j) at
// b[p*rs + (j/nr)*ps + j%nr] for j < n (main), and, if tail is not nil,
// the last n-n main columns zero-padded as tail[p*nr + j%nr].
type packed struct {
	main, tail []float64
	rs, ps     int
	nMain      int
	bufs       []*[]float64
}

var bufPool sync.Pool // of *[]float64

func getBuf(n int) *[]float64 {
	if b, ok := bufPool.Get().(*[]float64); ok && cap(*b) >= n {
		*b = (*b)[:n]
		return b
	}
	b := make([]float64, n)
	return &b
}

// prep packs B when the kernel cannot read it in place: Bᵀ (NT) always, as
// panels of nr columns, p by p; a partial last panel for a kernel without
// masked loads of B.
func (kn *asmKernel) prep(p *problem) any {
	nr, n, k := kn.nr, p.n, p.k
	pk := &packed{}
	if p.tB {
		np := (n + nr - 1) / nr
		buf := getBuf(np * k * nr)
		pk.bufs = append(pk.bufs, buf)
		packNT(*buf, p.b, p.ldb, n, k, nr)
		pk.main, pk.rs, pk.ps, pk.nMain = *buf, nr, k*nr, n
		return pk
	}
	pk.main, pk.rs, pk.ps, pk.nMain = p.b, p.ldb, nr, n
	if rem := n % nr; rem != 0 && !kn.maskedB {
		pk.nMain = n - rem
		buf := getBuf(k * nr)
		pk.bufs = append(pk.bufs, buf)
		t := *buf
		for q := range k {
			copy(t[q*nr:q*nr+nr], p.b[q*p.ldb+pk.nMain:q*p.ldb+n])
			clear(t[q*nr+rem : q*nr+nr])
		}
		pk.tail = t
	}
	return pk
}

// packNT writes B (n×k, row j contiguous in p) as panels of nr columns of
// Bᵀ: dst[(j/nr)*k*nr + p*nr + j%nr] = b[j*ldb+p], zero past column n.
func packNT(dst, b []float64, ldb, n, k, nr int) {
	for j0 := 0; j0 < n; j0 += nr {
		panel := dst[(j0/nr)*k*nr:][:k*nr]
		w := min(nr, n-j0)
		for jj := range w {
			src := b[(j0+jj)*ldb:][:k]
			for q, v := range src {
				panel[q*nr+jj] = v
			}
		}
		if w < nr {
			for q := range k {
				clear(panel[q*nr+w : q*nr+nr])
			}
		}
	}
}

func (kn *asmKernel) done(prepped any) {
	for _, b := range prepped.(*packed).bufs {
		bufPool.Put(b)
	}
}

// rows computes rows [i0, i1) of C: for each block of kBlock values of p,
// tiles of the tallest height that fits, each across all n columns.
func (kn *asmKernel) rows(p *problem, prepped any, i0, i1 int) {
	pk := prepped.(*packed)
	nr := kn.nr
	for p0 := 0; p0 < p.k; p0 += kBlock {
		kc := min(kBlock, p.k-p0)
		beta := 1
		if p0 == 0 && p.beta == 0 {
			beta = 0
		}
		for i := i0; i < i1; {
			mr := kn.heights[0]
			for _, h := range kn.heights {
				mr = h
				if i+h <= i1 {
					break
				}
			}
			var a *float64
			rsA, csA := p.lda, 1
			if p.tA {
				a = &p.a[p0*p.lda+i]
				rsA, csA = 1, p.lda
			} else {
				a = &p.a[i*p.lda+p0]
			}
			if pk.nMain > 0 {
				kn.run(mr, kc, pk.nMain, a, rsA, csA, &pk.main[p0*pk.rs], pk.rs, pk.ps, &p.c[i*p.ldc], p.ldc, beta)
			}
			if pk.tail != nil {
				kn.run(mr, kc, p.n-pk.nMain, a, rsA, csA, &pk.tail[p0*nr], nr, nr, &p.c[i*p.ldc+pk.nMain], p.ldc, beta)
			}
			i += mr
		}
	}
}
