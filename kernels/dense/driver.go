package dense

import "sync"

// kBlock is the length of the blocks of p the assembly paths sum over before
// adding to C (so that a tile's slice of A and a panel of B stay in cache
// when k is the batch size).
const kBlock = 256

// asmKernel describes an assembly micro-kernel and how to drive it.
type asmKernel struct {
	run     func(mr, k, n int, a *float64, rsA, csA int, b *float64, rsB, psB int, c *float64, ldc, beta int)
	heights []int // tile heights it takes, largest first; rowGrain is a multiple of the first
	nr      int   // panel width
	maskedB bool  // it reads a partial last panel of B under a mask

	// ntRows, if not nil, computes NT products of at most ntRowsMax rows
	// and at least 4 columns (gemmNTRows) instead of the tiles: m ∈ 1…4
	// rows a call, with the tiles' sums in the tiles' order.
	ntRows func(m, k, n int, a *float64, lda int, b *float64, ldb int, c *float64, ldc, beta int)
}

// packed is op(B) prepared for a kernel: element (p, j) at
// b[p*rs + (j/nr)*ps + j%nr] for j < n (main), and, if tail is not nil,
// the last n − nMain columns zero-padded as tail[p*nr + (j−nMain)].
type packed struct {
	main, tail []float64
	rs, ps     int
	nMain      int
	bufs       [2]*[]float64 // from bufPool, to give back
}

// release gives pk's buffers back to the pool.
func (pk *packed) release() {
	for i, b := range pk.bufs {
		if b != nil {
			bufPool.Put(b)
			pk.bufs[i] = nil
		}
	}
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

// prep packs B when the kernel cannot read it in place: Bᵀ (NT) as panels
// of nr columns, p by p, unless it is a single column that a kernel with
// masked loads can read as it is; a partial last panel of B (NN, TN) for a
// kernel without masked loads of B.
func (kn *asmKernel) prep(p *problem) (pk packed) {
	nr, n, k := kn.nr, p.n, p.k
	if p.tB && n == 1 && kn.maskedB {
		// Bᵀ is one column, contiguous in p: read in place under a mask.
		pk.main, pk.rs, pk.ps, pk.nMain = p.b, 1, nr, 1
		return pk
	}
	if p.tB {
		np := (n + nr - 1) / nr
		buf := getBuf(np * k * nr)
		pk.bufs[0] = buf
		packNT(*buf, p.b, p.ldb, n, k, nr)
		pk.main, pk.rs, pk.ps, pk.nMain = *buf, nr, k*nr, n
		return pk
	}
	pk.main, pk.rs, pk.ps, pk.nMain = p.b, p.ldb, nr, n
	if rem := n % nr; rem != 0 && !kn.maskedB {
		pk.nMain = n - rem
		buf := getBuf(k * nr)
		pk.bufs[0] = buf
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
		if w < nr {
			clear(panel)
		}
		jj := 0
		for ; jj+4 <= w; jj += 4 {
			s0 := b[(j0+jj)*ldb:][:k]
			s1 := b[(j0+jj+1)*ldb:][:k]
			s2 := b[(j0+jj+2)*ldb:][:k]
			s3 := b[(j0+jj+3)*ldb:][:k]
			off := jj
			for q := range k {
				d := panel[off : off+4]
				d[0], d[1], d[2], d[3] = s0[q], s1[q], s2[q], s3[q]
				off += nr
			}
		}
		for ; jj < w; jj++ {
			off := jj
			for _, v := range b[(j0+jj)*ldb:][:k] {
				panel[off] = v
				off += nr
			}
		}
	}
}

// rows computes rows [i0, i1) of C: for each block of kBlock values of p,
// tiles of the tallest height that fits, each across all n columns.
func (kn *asmKernel) rows(p *problem, pk *packed, i0, i1 int) {
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

// swapNT reports whether NT on an assembly path should compute Cᵀ = B·Aᵀ
// instead: when A has few rows, packing A (m×k) and transposing the m×n
// result costs less than packing B (n×k), which would dominate a product
// of a few rows (a single point through the network). On the AVX-512
// path this is 2-3× faster for 1-24 rows of 80×80 or 160×160 weights and
// breaks even at about m·(n+k) = n·k.
func swapNT(m, n, k int) bool {
	return m < n && m*(n+k) < n*k
}

// gemmNTSwapped computes the NT product C = beta·C + A·Bᵀ as
// T = beta·Cᵀ + B·Aᵀ (n×m, NT again, with A the small operand to pack)
// and C = Tᵀ. Since FMA(a, b, s) = FMA(b, a, s), every element comes out
// with the same bits as on the direct route.
func gemmNTSwapped(pt *path, m, n, k int, a []float64, lda int, b []float64, ldb int, beta float64, c []float64, ldc int) {
	if m == 1 {
		// Cᵀ is C's only row with a leading dimension of 1: no copies.
		gemmWith(pt, false, true, n, 1, k, b, ldb, a, lda, beta, c, 1)
		return
	}
	buf := getBuf(n * m)
	t := *buf
	if beta != 0 {
		for i := range m {
			for j, v := range c[i*ldc : i*ldc+n] {
				t[j*m+i] = v
			}
		}
	}
	gemmWith(pt, false, true, n, m, k, b, ldb, a, lda, beta, t, m)
	for i := range m {
		ci := c[i*ldc : i*ldc+n]
		for j := range ci {
			ci[j] = t[j*m+i]
		}
	}
	bufPool.Put(buf)
}

// ntRowsMax is the most rows an NT product goes to a kernel's ntRows for:
// with one row every element of B serves a single multiply-add, so packing
// B (the tiles' route) or A (swapNT) costs about as much as the product,
// and the tiles waste lanes on padding. ntRows reads B's rows in place and
// transposes them in registers.
const ntRowsMax = 12

// gemmNTRows computes the NT product C = beta·C + A·Bᵀ of m ≤ ntRowsMax
// rows and n ≥ 4 columns (beta ∈ {0, 1}, k ≥ 1) with kn.ntRows, 4 rows a
// call, block of p by block of p as rows does.
func gemmNTRows(kn *asmKernel, m, n, k int, a []float64, lda int, b []float64, ldb int, beta float64, c []float64, ldc int) {
	for p0 := 0; p0 < k; p0 += kBlock {
		kc := min(kBlock, k-p0)
		bb := 1
		if p0 == 0 && beta == 0 {
			bb = 0
		}
		for i := 0; i < m; i += 4 {
			kn.ntRows(min(4, m-i), kc, n, &a[i*lda+p0], lda, &b[p0], ldb, &c[i*ldc], ldc, bb)
		}
	}
}
