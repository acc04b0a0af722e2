package dense

// genericRows computes rows [i0, i1) of C in 4×4 register tiles (4×1, 1×4
// and 1×1 at the edges). Each element is s = Σ_p a_ip·b_pj summed from zero
// in order of p, then stored by put; the order is the same in every tile
// shape, so rows come out the same however they are shared out.
func genericRows(p *problem, i0, i1 int) {
	switch {
	case !p.tA && p.tB:
		genericNT(p, i0, i1)
	case p.tA && !p.tB:
		genericTN(p, i0, i1)
	default:
		genericNN(p, i0, i1)
	}
}

// put stores s into C[i][j] under beta ∈ {0, 1}.
func put(c []float64, idx int, beta, s float64) {
	if beta == 0 {
		c[idx] = s
	} else {
		c[idx] += s
	}
}

// genericNT: C[i][j] (+)= Σ_p A[i][p]·B[j][p]; rows of A and of B are both
// contiguous in p.
func genericNT(pr *problem, i0, i1 int) {
	k, n, lda, ldb, ldc := pr.k, pr.n, pr.lda, pr.ldb, pr.ldc
	a, b, c, beta := pr.a, pr.b, pr.c, pr.beta
	i := i0
	for ; i+4 <= i1; i += 4 {
		a0 := a[i*lda:][:k]
		a1 := a[(i+1)*lda:][:k]
		a2 := a[(i+2)*lda:][:k]
		a3 := a[(i+3)*lda:][:k]
		j := 0
		for ; j+4 <= n; j += 4 {
			b0 := b[j*ldb:][:k]
			b1 := b[(j+1)*ldb:][:k]
			b2 := b[(j+2)*ldb:][:k]
			b3 := b[(j+3)*ldb:][:k]
			var s00, s01, s02, s03, s10, s11, s12, s13 float64
			var s20, s21, s22, s23, s30, s31, s32, s33 float64
			for q := range k {
				x0, x1, x2, x3 := a0[q], a1[q], a2[q], a3[q]
				y0, y1, y2, y3 := b0[q], b1[q], b2[q], b3[q]
				s00 += x0 * y0
				s01 += x0 * y1
				s02 += x0 * y2
				s03 += x0 * y3
				s10 += x1 * y0
				s11 += x1 * y1
				s12 += x1 * y2
				s13 += x1 * y3
				s20 += x2 * y0
				s21 += x2 * y1
				s22 += x2 * y2
				s23 += x2 * y3
				s30 += x3 * y0
				s31 += x3 * y1
				s32 += x3 * y2
				s33 += x3 * y3
			}
			put4(c, i*ldc+j, beta, s00, s01, s02, s03)
			put4(c, (i+1)*ldc+j, beta, s10, s11, s12, s13)
			put4(c, (i+2)*ldc+j, beta, s20, s21, s22, s23)
			put4(c, (i+3)*ldc+j, beta, s30, s31, s32, s33)
		}
		for ; j < n; j++ {
			bj := b[j*ldb:][:k]
			var s0, s1, s2, s3 float64
			for q, y := range bj {
				s0 += a0[q] * y
				s1 += a1[q] * y
				s2 += a2[q] * y
				s3 += a3[q] * y
			}
			put(c, i*ldc+j, beta, s0)
			put(c, (i+1)*ldc+j, beta, s1)
			put(c, (i+2)*ldc+j, beta, s2)
			put(c, (i+3)*ldc+j, beta, s3)
		}
	}
	for ; i < i1; i++ {
		ai := a[i*lda:][:k]
		j := 0
		for ; j+4 <= n; j += 4 {
			b0 := b[j*ldb:][:k]
			b1 := b[(j+1)*ldb:][:k]
			b2 := b[(j+2)*ldb:][:k]
			b3 := b[(j+3)*ldb:][:k]
			var s0, s1, s2, s3 float64
			for q, x := range ai {
				s0 += x * b0[q]
				s1 += x * b1[q]
				s2 += x * b2[q]
				s3 += x * b3[q]
			}
			put4(c, i*ldc+j, beta, s0, s1, s2, s3)
		}
		for ; j < n; j++ {
			bj := b[j*ldb:][:k]
			var s float64
			for q, x := range ai {
				s += x * bj[q]
			}
			put(c, i*ldc+j, beta, s)
		}
	}
}

// genericNN: C[i][j] (+)= Σ_p A[i][p]·B[p][j]; rows of A are contiguous in
// p, rows of B in j.
func genericNN(pr *problem, i0, i1 int) {
	k, n, lda, ldb, ldc := pr.k, pr.n, pr.lda, pr.ldb, pr.ldc
	a, b, c, beta := pr.a, pr.b, pr.c, pr.beta
	i := i0
	for ; i+4 <= i1; i += 4 {
		a0 := a[i*lda:][:k]
		a1 := a[(i+1)*lda:][:k]
		a2 := a[(i+2)*lda:][:k]
		a3 := a[(i+3)*lda:][:k]
		j := 0
		for ; j+4 <= n; j += 4 {
			var s00, s01, s02, s03, s10, s11, s12, s13 float64
			var s20, s21, s22, s23, s30, s31, s32, s33 float64
			off := j
			for q := range k {
				y := b[off : off+4]
				off += ldb
				y0, y1, y2, y3 := y[0], y[1], y[2], y[3]
				x0, x1, x2, x3 := a0[q], a1[q], a2[q], a3[q]
				s00 += x0 * y0
				s01 += x0 * y1
				s02 += x0 * y2
				s03 += x0 * y3
				s10 += x1 * y0
				s11 += x1 * y1
				s12 += x1 * y2
				s13 += x1 * y3
				s20 += x2 * y0
				s21 += x2 * y1
				s22 += x2 * y2
				s23 += x2 * y3
				s30 += x3 * y0
				s31 += x3 * y1
				s32 += x3 * y2
				s33 += x3 * y3
			}
			put4(c, i*ldc+j, beta, s00, s01, s02, s03)
			put4(c, (i+1)*ldc+j, beta, s10, s11, s12, s13)
			put4(c, (i+2)*ldc+j, beta, s20, s21, s22, s23)
			put4(c, (i+3)*ldc+j, beta, s30, s31, s32, s33)
		}
		for ; j < n; j++ {
			var s0, s1, s2, s3 float64
			off := j
			for q := range k {
				y := b[off]
				off += ldb
				s0 += a0[q] * y
				s1 += a1[q] * y
				s2 += a2[q] * y
				s3 += a3[q] * y
			}
			put(c, i*ldc+j, beta, s0)
			put(c, (i+1)*ldc+j, beta, s1)
			put(c, (i+2)*ldc+j, beta, s2)
			put(c, (i+3)*ldc+j, beta, s3)
		}
	}
	for ; i < i1; i++ {
		ai := a[i*lda:][:k]
		j := 0
		for ; j+4 <= n; j += 4 {
			var s0, s1, s2, s3 float64
			off := j
			for _, x := range ai {
				y := b[off : off+4]
				off += ldb
				s0 += x * y[0]
				s1 += x * y[1]
				s2 += x * y[2]
				s3 += x * y[3]
			}
			put4(c, i*ldc+j, beta, s0, s1, s2, s3)
		}
		for ; j < n; j++ {
			var s float64
			off := j
			for _, x := range ai {
				s += x * b[off]
				off += ldb
			}
			put(c, i*ldc+j, beta, s)
		}
	}
}

// genericTN: C[i][j] (+)= Σ_p A[p][i]·B[p][j]; rows of A are contiguous in
// i, rows of B in j.
func genericTN(pr *problem, i0, i1 int) {
	k, n, lda, ldb, ldc := pr.k, pr.n, pr.lda, pr.ldb, pr.ldc
	a, b, c, beta := pr.a, pr.b, pr.c, pr.beta
	i := i0
	for ; i+4 <= i1; i += 4 {
		j := 0
		for ; j+4 <= n; j += 4 {
			var s00, s01, s02, s03, s10, s11, s12, s13 float64
			var s20, s21, s22, s23, s30, s31, s32, s33 float64
			aoff, boff := i, j
			for range k {
				x := a[aoff : aoff+4]
				y := b[boff : boff+4]
				aoff += lda
				boff += ldb
				x0, x1, x2, x3 := x[0], x[1], x[2], x[3]
				y0, y1, y2, y3 := y[0], y[1], y[2], y[3]
				s00 += x0 * y0
				s01 += x0 * y1
				s02 += x0 * y2
				s03 += x0 * y3
				s10 += x1 * y0
				s11 += x1 * y1
				s12 += x1 * y2
				s13 += x1 * y3
				s20 += x2 * y0
				s21 += x2 * y1
				s22 += x2 * y2
				s23 += x2 * y3
				s30 += x3 * y0
				s31 += x3 * y1
				s32 += x3 * y2
				s33 += x3 * y3
			}
			put4(c, i*ldc+j, beta, s00, s01, s02, s03)
			put4(c, (i+1)*ldc+j, beta, s10, s11, s12, s13)
			put4(c, (i+2)*ldc+j, beta, s20, s21, s22, s23)
			put4(c, (i+3)*ldc+j, beta, s30, s31, s32, s33)
		}
		for ; j < n; j++ {
			var s0, s1, s2, s3 float64
			aoff, boff := i, j
			for range k {
				x := a[aoff : aoff+4]
				y := b[boff]
				aoff += lda
				boff += ldb
				s0 += x[0] * y
				s1 += x[1] * y
				s2 += x[2] * y
				s3 += x[3] * y
			}
			put(c, i*ldc+j, beta, s0)
			put(c, (i+1)*ldc+j, beta, s1)
			put(c, (i+2)*ldc+j, beta, s2)
			put(c, (i+3)*ldc+j, beta, s3)
		}
	}
	for ; i < i1; i++ {
		j := 0
		for ; j+4 <= n; j += 4 {
			var s0, s1, s2, s3 float64
			aoff, boff := i, j
			for range k {
				x := a[aoff]
				y := b[boff : boff+4]
				aoff += lda
				boff += ldb
				s0 += x * y[0]
				s1 += x * y[1]
				s2 += x * y[2]
				s3 += x * y[3]
			}
			put4(c, i*ldc+j, beta, s0, s1, s2, s3)
		}
		for ; j < n; j++ {
			var s float64
			aoff, boff := i, j
			for range k {
				s += a[aoff] * b[boff]
				aoff += lda
				boff += ldb
			}
			put(c, i*ldc+j, beta, s)
		}
	}
}

// put4 stores four consecutive sums from C[idx] on.
func put4(c []float64, idx int, beta, s0, s1, s2, s3 float64) {
	ci := c[idx : idx+4]
	if beta == 0 {
		ci[0], ci[1], ci[2], ci[3] = s0, s1, s2, s3
	} else {
		ci[0] += s0
		ci[1] += s1
		ci[2] += s2
		ci[3] += s3
	}
}
