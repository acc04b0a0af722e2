//go:build amd64 && gc && !purego

package kernels

// blockFunc is the signature of the assembly (s2, s3) blocks.
type blockFunc func(d, nS int, a01, phi01, t12, t23, t03, u2, u3, w2, w3, logZ, out, scr *float64)

// maxBlockD is the largest D the assembly blocks take: their scratch keeps
// acc2 at row 8. Larger D (2^32 configurations and more) goes to the
// generic loop.
const maxBlockD = 8

// enumerateBlocks is EnumerateGeneric with the two inner loops in assembly.
// It runs the s0 and s1 levels (with their own partial sums, as the generic
// loop does) and calls block once per (s0, s1) and group of step lanes.
//
// When the tables are symmetric under the global spin flip v → −v (the flip
// of a site state s is s^(S−1)), as the engine's tables are, a, b and p are
// even and tanh φ is odd, so the configurations with s0 ≥ S/2 repeat those
// with s0 < S/2: the sums are twice the half sums and
// W_i[s] = Wh_i[s] − Wh_i[s^(S−1)], Wh being the half accumulators.
// The symmetry is tested exactly on every call, so any tables work.
func enumerateBlocks(e *Enum, block blockFunc, step int) {
	if err := e.Check(); err != nil {
		panic(err)
	}
	d := e.D
	if d > maxBlockD {
		EnumerateGeneric(e)
		return
	}
	S := 1 << d
	const L = Lanes
	row := d * L // doubles per field or W row (one site state, all k)
	fine := func(t, sa, sb int) []float64 { return e.Fine[((t*S+sa)*S+sb)*L:] }
	field := func(i, s int) []float64 { return e.Field[(i*S+s)*row:] }
	W := e.W[:4*S*row]
	clear(W)
	w := func(i, s int) []float64 { o := (i*S + s) * row; return W[o : o+row] }

	sym := flipSymmetric(e)
	n0 := S
	if sym {
		n0 = S / 2
	}

	var (
		phi01          [maxBlockD * L]float64
		scr            [(2*maxBlockD + 7) * L]float64
		out            [(3 + maxBlockD) * L]float64
		acc0           [maxBlockD * L]float64
		sum0, sumAll   [3 * L]float64
		u2, u3         = field(2, 0), field(3, 0)
		W2, W3         = W[2*S*row:], W[3*S*row:]
		logZ           = e.LogZf
		acc1, sum1     = out[3*L : 3*L+row], out[:3*L]
		phi, acc0r     = phi01[:row], acc0[:row]
		tab23          = fine(2, 0, 0)
		u0rows, u1rows = e.Field[:S*row], e.Field[S*row : 2*S*row]
	)
	for s0 := 0; s0 < n0; s0++ {
		clear(acc0r)
		sum0 = [3 * L]float64{}
		u0 := u0rows[s0*row : (s0+1)*row]
		t01, t03 := fine(0, s0, 0), fine(3, s0, 0)
		for s1 := 0; s1 < S; s1++ {
			u1 := u1rows[s1*row : (s1+1)*row]
			for j := range phi {
				phi[j] = u0[j] + u1[j]
			}
			t12 := fine(1, s1, 0)
			for h := 0; h < L; h += step {
				block(d, S, &t01[s1*L+h], &phi01[h], &t12[h], &tab23[h], &t03[h],
					&u2[h], &u3[h], &W2[h], &W3[h], &logZ[h], &out[h], &scr[h])
			}
			w1 := w(1, s1)
			for j, v := range acc1 {
				w1[j] += v
				acc0r[j] += v
			}
			for j, v := range sum1 {
				sum0[j] += v
			}
		}
		w0 := w(0, s0)
		for j, v := range acc0r {
			w0[j] += v
		}
		for j, v := range sum0 {
			sumAll[j] += v
		}
	}
	if sym {
		M := S - 1
		for i := 0; i < 4; i++ {
			for s := 0; s < S/2; s++ {
				a, b := w(i, s), w(i, s^M)
				for j := range a {
					a[j], b[j] = a[j]-b[j], b[j]-a[j]
				}
			}
		}
		for j := range sumAll {
			sumAll[j] *= 2
		}
	}
	copy(e.Sums[:3*L], sumAll[:])
}

// flipSymmetric reports whether the tables are exactly symmetric under the
// global spin flip: Fine[t][sa^M][sb^M] = Fine[t][sa][sb] and
// Field[i][s^M][k] = −Field[i][s][k], M = S−1, for every lane. The engine's
// tables are (its fields are sums of ±K terms, negated exactly by the flip,
// and lc is even); NaNs make it false.
func flipSymmetric(e *Enum) bool {
	d := e.D
	S := 1 << d
	M := S - 1
	const L = Lanes
	for t := 0; t < 4; t++ {
		for sa := 0; sa < S; sa++ {
			for sb := 0; sb < S; sb++ {
				p := e.Fine[((t*S+sa)*S+sb)*L:][:L]
				q := e.Fine[((t*S+(sa^M))*S+(sb^M))*L:][:L]
				for l := range p {
					if p[l] != q[l] {
						return false
					}
				}
			}
		}
	}
	row := d * L
	for i := 0; i < 4; i++ {
		for s := 0; s < S; s++ {
			p := e.Field[(i*S+s)*row:][:row]
			q := e.Field[(i*S+(s^M))*row:][:row]
			for j := range p {
				if p[j] != -q[j] {
					return false
				}
			}
		}
	}
	return true
}
