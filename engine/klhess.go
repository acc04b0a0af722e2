package engine

import (
	"context"
	"fmt"
	"math"
	"runtime"
	"slices"
	"sync"

	"gonum.org/v1/gonum/blas"
	"gonum.org/v1/gonum/blas/blas64"

	"github.com/rgflow/rgflow/engine/divergence"
	"github.com/rgflow/rgflow/kernels"
)

// KLDerivatives is KL(J, J′) with its first and second derivatives, what
// the exact variational map needs (divergence.Derivatives: one type for
// the plaquette's blocks and for every block geometry).
type KLDerivatives = divergence.Derivatives

// KLSecondOrder returns KL(J, J′), its gradient and Hessian in J′ and, when
// mixed is set, the mixed derivative in J′ and J. With g_a = −∂F_c/∂J′_a =
// Σ_k tanh(φ_k) ∂φ_k/∂J′_a (φ is linear in J′), h_ab = −∂²F_c/∂J′_a∂J′_b =
// Σ_k sech²(φ_k) ∂_aφ_k ∂_bφ_k and u_b = −∂F_f/∂J_b:
//
//	∂KL/∂J′_a      = ∂_a log Z_c − E_f[g_a]
//	∂²KL/∂J′_a∂J′_b = ∂_a∂_b log Z_c − E_f[h_ab]
//	∂²KL/∂J′_a∂J_b  = −Cov_f(g_a, u_b)
//
// (∂_a log Z_c = E_c[g_a] and ∂_a∂_b log Z_c = E_c[h_ab] + Cov_c(g_a, g_b);
// the last line because only P_f depends on J, with ∂ log P_f/∂J_b =
// u_b − E_f[u_b]).
//
// The coarse block's terms come from its 2^d centre states
// (coarseSecondOrder), the fine expectations from an exact sum over the
// 2^{4d} visible configurations, one per orbit of the blocks' common
// symmetry group (visGroup: up to 16× fewer), in which every configuration
// adds only what the expectations need binned by corner states: p_f·tanh φ_k
// by one corner's state, p_f·sech²φ_k by two corners' states (and, for the
// mixed derivative, p_f·g by the two corners of each fine edge). The
// derivative tables ∂φ_k/∂J′_a, which are sums of per-corner parts, are
// contracted with those bins afterwards: the contraction is linear, so
// binning over orbit representatives with their orbit sizes gives the
// full sums. The work is spread over the CPUs by the state of corner c0,
// each state's partial sums kept apart and added in a fixed order, so the
// result does not depend on the number of goroutines; the memory is a few
// 2^{2d}-entry tables per goroutine.
func (b *Blocks) KLSecondOrder(J, Jp []float64, mixed bool) KLDerivatives {
	d, _ := b.KLSecondOrderContext(context.Background(), J, Jp, mixed)
	return d
}

// KLSecondOrderContext is KLSecondOrder that stops between the parts of
// its sum (one per state of corner c0 that leads an orbit: for six spins
// a site, a few hundredths of a second each) once ctx is done, returning
// ctx's error.
func (b *Blocks) KLSecondOrderContext(ctx context.Context, J, Jp []float64, mixed bool) (KLDerivatives, error) {
	c, S := b.C, b.S
	if len(J) != c || len(Jp) != c {
		panic(fmt.Sprintf("engine: KLSecondOrder: J has %d entries, J′ %d, %s needs %d", len(J), len(Jp), b.Rep.Name, c))
	}
	sc := b.newScratch()
	b.fineTables(J, sc)
	logZf := b.fineLogZ(sc)
	var uf [4][]float64
	if mixed {
		uf = b.fineDerivTables(J, sc)
	}
	b.coarseFields(Jp, sc)
	logZc, gradZc, hessZc := b.coarseSecondOrder(Jp)
	h := &hessSum{b: b, T: sc.T, U: sc.U, logZf: logZf, mixed: mixed, uf: uf, grp: b.visGroup()}
	h.prepare()

	// c0 takes the states that can lead an orbit, largest first: those
	// orbits are the most numerous, so the work is handed out heaviest
	// first
	var jobs []int
	for s0 := S - 1; s0 >= 0; s0-- {
		if h.grp.leads(s0) {
			jobs = append(jobs, s0)
		}
	}
	parts := make([]*hessPart, S)
	workers := min(runtime.GOMAXPROCS(0), len(jobs))
	if S*S*S*S < 1<<12 {
		workers = 1
	}
	var wg sync.WaitGroup
	next := make(chan int, len(jobs))
	for _, s0 := range jobs {
		next <- s0
	}
	close(next)
	for w := 0; w < workers; w++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			st := h.newStats()
			for s0 := range next {
				if ctx.Err() == nil {
					parts[s0] = h.run(st, s0)
				}
			}
		}()
	}
	wg.Wait()
	if err := ctx.Err(); err != nil {
		return KLDerivatives{}, err
	}
	tot := h.newPart()
	for _, p := range parts {
		if p != nil {
			tot.add(p)
		}
	}
	// Normalise by the sums actually enumerated (as KLBatch does): that
	// removes the rounding of log Z_f.
	out := KLDerivatives{
		KL:   (tot.spa-tot.spb)/tot.sp + logZc - logZf - math.Log(tot.sp),
		Grad: make([]float64, c),
		Hess: make([]float64, c*c),
	}
	Ef := make([]float64, c)
	for a := 0; a < c; a++ {
		Ef[a] = tot.gf[a] / tot.sp
		out.Grad[a] = gradZc[a] - Ef[a]
	}
	for i := range out.Hess {
		out.Hess[i] = hessZc[i] - tot.hf[i]/tot.sp
	}
	if mixed {
		out.Mixed = make([]float64, c*c)
		for a := 0; a < c; a++ {
			for bb := 0; bb < c; bb++ {
				out.Mixed[a*c+bb] = -(tot.egu[a*c+bb]/tot.sp - Ef[a]*tot.eu[bb]/tot.sp)
			}
		}
	}
	return out, nil
}

// coarseSecondOrder returns log Z_c, its gradient and its Hessian in J′,
// summed over the centre's 2^d states h, given which the corners are
// independent: log Z_c = log Σ_h exp L(h), L(h) = Σ_{i,m} lc(ψ_im),
// ψ_i = K′_i h, so that with weights π(h) ∝ exp L(h), G_a = ∂_a L =
// Σ tanh(ψ_im) ∂_aψ_im and H_ab = ∂_a∂_b L = Σ sech²(ψ_im) ∂_aψ_im ∂_bψ_im,
//
//	∂_a log Z_c = E_π[G_a],  ∂_a∂_b log Z_c = E_π[H_ab] + Cov_π(G_a, G_b).
func (b *Blocks) coarseSecondOrder(Jp []float64) (float64, []float64, []float64) {
	c, d, S := b.C, b.D, b.S
	sc := b.newScratch()
	b.bondMatrices(&b.CoarseBasis, Jp, &sc.K)
	logw := make([]float64, S)
	G := make([]float64, S*c)
	H := make([]float64, S*c*c)
	dpsi := make([]float64, c)
	for h := 0; h < S; h++ {
		v := b.Spins[h]
		sum := 0.0
		Gh, Hh := G[h*c:(h+1)*c], H[h*c*c:(h+1)*c*c]
		for i := 0; i < 4; i++ {
			K := sc.K[i]
			for m := 0; m < d; m++ {
				x := 0.0
				for k := 0; k < d; k++ {
					x += K[m*d+k] * v[k]
				}
				l, t := kernels.LcTanh(x)
				sum += l
				q := 1 - t*t
				for a := 0; a < c; a++ {
					row := b.CoarseBasis[i][a][m*d : m*d+d]
					y := 0.0
					for k, bk := range row {
						y += bk * v[k]
					}
					dpsi[a] = y
				}
				for a := 0; a < c; a++ {
					if dpsi[a] == 0 {
						continue
					}
					Gh[a] += t * dpsi[a]
					qa := q * dpsi[a]
					for bb := 0; bb < c; bb++ {
						Hh[a*c+bb] += qa * dpsi[bb]
					}
				}
			}
		}
		logw[h] = sum
	}
	logZ := logSumExp(logw)
	grad := make([]float64, c)
	pi := make([]float64, S)
	for h := range pi {
		pi[h] = math.Exp(logw[h] - logZ)
		for a := 0; a < c; a++ {
			grad[a] += pi[h] * G[h*c+a]
		}
	}
	// the covariance about the mean, for accuracy where π is sharp
	hess := make([]float64, c*c)
	for h, p := range pi {
		Gh, Hh := G[h*c:(h+1)*c], H[h*c*c:(h+1)*c*c]
		for a := 0; a < c; a++ {
			da := p * (Gh[a] - grad[a])
			for bb := 0; bb < c; bb++ {
				hess[a*c+bb] += p*Hh[a*c+bb] + da*(Gh[bb]-grad[bb])
			}
		}
	}
	return logZ, grad, hess
}

// hessSum is one evaluation of KLSecondOrder's fine expectations: the
// tables it reads, the derivative pattern, and the orbit enumeration.
type hessSum struct {
	b      *Blocks
	T, U   [4][]float64 // fine edge tables, coarse field tables
	logZf  float64
	mixed  bool
	uf     [4][]float64 // fine derivative tables (mixed)
	grp    *visGroup
	pat    derivPattern
	Dz     [4][]float64 // Dz[i][s·nz+n] = ∂φ_{k_n}/∂J′_{a_n} from corner i in state s
	kpairs [][2]int     // ordered pattern pairs (n, n′) with k_n = k_n′
	aStart []int        // the pattern's entries of coupling a are aStart[a] … aStart[a+1]−1
	// E2[s2·S+s3] = exp(T2[s2][s3] − m2[s2]) and E3[s0·S+s3] =
	// exp(T3[s0][s3] − m3[s0]), m the rows' largest entries
	E2, E3, m2, m3 []float64
	kOf            []int   // k_n
	byK            [][]int // pattern entries of each centre component k
}

func (h *hessSum) prepare() {
	b := h.b
	c, d, S := b.C, b.D, b.S
	Dc := b.coarseDerivTables()
	h.pat = b.coarsePattern(Dc)
	nz := len(h.pat.ak)
	for i := range h.Dz {
		h.Dz[i] = make([]float64, S*nz)
		for s := 0; s < S; s++ {
			for n, ak := range h.pat.ak {
				h.Dz[i][s*nz+n] = Dc[i][(s*c+ak[0])*d+ak[1]]
			}
		}
	}
	for _, x := range []struct {
		T       []float64
		E, mrow *[]float64
	}{{h.T[2], &h.E2, &h.m2}, {h.T[3], &h.E3, &h.m3}} {
		*x.E, *x.mrow = make([]float64, S*S), make([]float64, S)
		for r := 0; r < S; r++ {
			m := slices.Max(x.T[r*S : (r+1)*S])
			(*x.mrow)[r] = m
			for t := 0; t < S; t++ {
				(*x.E)[r*S+t] = math.Exp(x.T[r*S+t] - m)
			}
		}
	}
	h.aStart = make([]int, c+1)
	h.kOf = make([]int, nz)
	for n, ak := range h.pat.ak { // in order of a, then k
		h.aStart[ak[0]+1] = n + 1
		h.kOf[n] = ak[1]
	}
	for a := 1; a <= c; a++ {
		h.aStart[a] = max(h.aStart[a], h.aStart[a-1])
	}
	h.byK = make([][]int, d)
	for n, ak := range h.pat.ak {
		h.byK[ak[1]] = append(h.byK[ak[1]], n)
	}
	for _, ns := range h.byK {
		for _, n := range ns {
			for _, m := range ns {
				h.kpairs = append(h.kpairs, [2]int{n, m})
			}
		}
	}
}

// hessStats are one goroutine's bins for one state s0 of corner c0 (see
// run for what each holds).
type hessStats struct {
	W1, W2, W3, Qd1, Qd2, Qd3 []float64 // S×d
	Q01, Q02, Q03             []float64 // S×d: row s0 of the corner pairs with c0
	Q12, Q13, Q23             []float64 // S×S×d
	W0, Qd0                   []float64 // d
	P01, P03                  []float64 // S (mixed)
	P12, P23                  []float64 // S×S
	G01, G03                  []float64 // S×c
	G12, G23                  []float64 // S×S×c
	xth, xq, xg               []float64
	phi1, phi2, D1, D2, Y     []float64
	x, th                     []float64 // a row of c3 states: fields and their tanh
	row                       []int     // the row's c3 states
	rw                        []float64 // and their orbit weights
	acc                       kernels.LcLanes
}

func (h *hessSum) newStats() *hessStats {
	c, d, S := h.b.C, h.b.D, h.b.S
	nz := len(h.pat.ak)
	f := func(n int) []float64 { return make([]float64, n) }
	st := &hessStats{
		W1: f(S * d), W2: f(S * d), W3: f(S * d), Qd1: f(S * d), Qd2: f(S * d), Qd3: f(S * d),
		Q01: f(S * d), Q02: f(S * d), Q03: f(S * d),
		Q12: f(S * S * d), Q13: f(S * S * d), Q23: f(S * S * d),
		W0: f(d), Qd0: f(d),
		xth: f(d), xq: f(d), xg: f(c), x: f(S * d), th: f(S * d),
		row: make([]int, 0, S), rw: make([]float64, 0, S),
		phi1: f(d), phi2: f(d), D1: f(nz), D2: f(nz), Y: f(S * nz),
	}
	if h.mixed {
		st.P01, st.P03, st.P12, st.P23 = f(S), f(S), f(S*S), f(S*S)
		st.G01, st.G03, st.G12, st.G23 = f(S*c), f(S*c), f(S*S*c), f(S*S*c)
	}
	return st
}

func (st *hessStats) clear() {
	for _, x := range [][]float64{st.W1, st.W2, st.W3, st.Qd1, st.Qd2, st.Qd3, st.Q01, st.Q02, st.Q03,
		st.Q12, st.Q13, st.Q23, st.W0, st.Qd0, st.P01, st.P03, st.P12, st.P23, st.G01, st.G03, st.G12, st.G23} {
		clear(x)
	}
}

// hessPart is the contribution of one state s0 of corner c0: Σ p_f,
// Σ p_f (−F_f), Σ p_f (−F_c), and the numerators of E_f[g] (gf), E_f[h]
// (hf, c×c), E_f[u] (eu) and E_f[g uᵀ] (egu, c×c), p_f unnormalised by
// the enumerated total.
type hessPart struct {
	sp, spa, spb float64
	gf, hf       []float64
	eu, egu      []float64
}

func (h *hessSum) newPart() *hessPart {
	c := h.b.C
	p := &hessPart{gf: make([]float64, c), hf: make([]float64, c*c)}
	if h.mixed {
		p.eu, p.egu = make([]float64, c), make([]float64, c*c)
	}
	return p
}

func (p *hessPart) add(q *hessPart) {
	p.sp += q.sp
	p.spa += q.spa
	p.spb += q.spb
	addTo(p.gf, q.gf)
	addTo(p.hf, q.hf)
	addTo(p.eu, q.eu)
	addTo(p.egu, q.egu)
}

// run sums the orbit representatives whose corner c0 is in state s0 and
// contracts the bins with the derivative tables.
func (h *hessSum) run(st *hessStats, s0 int) *hessPart {
	b := h.b
	c, d, S := b.C, b.D, b.S
	nz := len(h.pat.ak)
	T, U, mixed := h.T, h.U, h.mixed
	ol := h.grp.lists(s0, S)
	st.clear()
	var sums [3]float64 // Σ p, Σ p log w_f, Σ p log w_c over the chunk
	xth, xq, xg := st.xth, st.xq, st.xg
	phi1, phi2 := st.phi1, st.phi2
	Dz := h.Dz
	U0 := U[0][s0*d : s0*d+d]
	for _, s1 := range ol.allow[1] {
		for k := 0; k < d; k++ {
			phi1[k] = U0[k] + U[1][s1*d+k]
		}
		if mixed {
			for n := 0; n < nz; n++ {
				st.D1[n] = Dz[0][s0*nz+n] + Dz[1][s1*nz+n]
			}
		}
		q13 := st.Q13[s1*S*d : (s1+1)*S*d]
		for _, s2 := range ol.allow[2] {
			for k := 0; k < d; k++ {
				phi2[k] = phi1[k] + U[2][s2*d+k]
			}
			if mixed {
				for n := 0; n < nz; n++ {
					st.D2[n] = st.D1[n] + Dz[2][s2*nz+n]
				}
				clear(xg)
			}
			clear(xth)
			clear(xq)
			a012 := T[0][s0*S+s1] + T[1][s1*S+s2]
			m12 := ol.ties0 + ol.ties[1][s1] + ol.ties[2][s2]
			q23 := st.Q23[s2*S*d : (s2+1)*S*d]
			xp := h.row(st, &ol, s0, s1, s2, a012, m12, q13, q23, &sums)
			// the bins of corners c0, c1, c2, summed over c3
			w1, w2 := st.W1[s1*d:s1*d+d], st.W2[s2*d:s2*d+d]
			qd1, qd2 := st.Qd1[s1*d:s1*d+d], st.Qd2[s2*d:s2*d+d]
			q01, q02 := st.Q01[s1*d:s1*d+d], st.Q02[s2*d:s2*d+d]
			q12 := st.Q12[(s1*S+s2)*d : (s1*S+s2+1)*d]
			for k := 0; k < d; k++ {
				x, y := xth[k], xq[k]
				st.W0[k] += x
				w1[k] += x
				w2[k] += x
				st.Qd0[k] += y
				qd1[k] += y
				qd2[k] += y
				q01[k] += y
				q02[k] += y
				q12[k] += y
			}
			if mixed {
				g01, g12 := st.G01[s1*c:(s1+1)*c], st.G12[(s1*S+s2)*c:(s1*S+s2+1)*c]
				for a, v := range xg {
					g01[a] += v
					g12[a] += v
				}
				st.P01[s1] += xp
				st.P12[s1*S+s2] += xp
			}
		}
	}
	part := h.newPart()
	part.sp, part.spa, part.spb = sums[0], sums[1], sums[2]
	h.contract(st, s0, part)
	return part
}

// row sums one row of the orbit representatives: corners c0, c1, c2 in
// states s0, s1, s2 (their fine log-weight a012, their tie count m12) and
// every allowed c3, into st's bins and sums; it returns the row's Σ p.
func (h *hessSum) row(st *hessStats, ol *orbitLists, s0, s1, s2 int, a012 float64, m12 int, q13, q23 []float64, sums *[3]float64) float64 {
	b := h.b
	c, d, S := b.C, b.D, b.S
	nz := len(h.pat.ak)
	U, Dz, logZf, mixed := h.U, h.Dz, h.logZf, h.mixed
	T2, T3 := h.T[2][s2*S:(s2+1)*S], h.T[3][s0*S:(s0+1)*S]
	order := float64(h.grp.Order())
	dln2 := float64(d) * math.Ln2
	xth, xq, xg, phi2 := st.xth, st.xq, st.xg, st.phi2
	xp := 0.0
	// the row of c3 states: the representatives' weights, then
	// tanh φ_k for the whole row in one call of the kernels'
	// LcTanh; −F_c = Σ_k lc(φ_k), lc(φ) = |φ| + log(2 + m) with
	// 2 + m = 2/(1 + |tanh φ|) (m = expm1(−2|φ|), kernels.LcTanh's
	// formulas): one logarithm a configuration
	row, rw := st.row[:0], st.rw[:0]
	for _, s3 := range ol.allow[3] {
		w := order
		if m12+ol.ties[3][s3] > 0 {
			if w = h.grp.weight(ol, [4]int{s0, s1, s2, s3}); w == 0 {
				continue
			}
		}
		row, rw = append(row, s3), append(rw, w)
	}
	st.row, st.rw = row, rw
	xs, ths := st.x[:len(row)*d], st.th[:len(row)*d]
	for j, s3 := range row {
		u3 := U[3][s3*d : s3*d+d]
		xr := xs[j*d : j*d+d]
		for k, u := range u3 {
			xr[k] = phi2[k] + u
		}
	}
	b.kern.LcTanh(ths, xs, &st.acc)
	// p_f = exp(a012 + T2 + T3 − log Z_f) as a product of the
	// tables' exponentials, each shifted by its row's largest
	// entry (so every factor is ≤ 1), unless the row's bound A
	// is so large that e^A would overflow
	A := a012 + h.m2[s2] + h.m3[s0] - logZf
	eA, exact := math.Exp(A), A > 700
	E2, E3 := h.E2[s2*S:(s2+1)*S], h.E3[s0*S:(s0+1)*S]
	for j, s3 := range row {
		xr, th := xs[j*d:j*d+d], ths[j*d:j*d+d]
		af := a012 + T2[s3] + T3[s3]
		var p float64
		if exact {
			p = rw[j] * math.Exp(af-logZf)
		} else {
			p = rw[j] * (eA * E2[s3] * E3[s3])
		}
		if p == 0 {
			continue
		}
		abs, prod := 0.0, 1.0
		for k, t := range th {
			abs += math.Abs(xr[k])
			prod *= 1 + math.Abs(t)
		}
		sums[0] += p
		sums[1] += p * af
		sums[2] += p * (abs + dln2 - logSmall(prod))
		xp += p
		w3, qd3 := st.W3[s3*d:s3*d+d], st.Qd3[s3*d:s3*d+d]
		q03, r13, r23 := st.Q03[s3*d:s3*d+d], q13[s3*d:s3*d+d], q23[s3*d:s3*d+d]
		for k, t := range th {
			pt := p * t
			pq := p - pt*t
			w3[k] += pt
			xth[k] += pt
			qd3[k] += pq
			q03[k] += pq
			r13[k] += pq
			r23[k] += pq
			xq[k] += pq
		}
		if mixed {
			// g_a = Σ_k tanh φ_k ∂φ_k/∂J′_a over the pattern's
			// entries of a (contiguous)
			dz3 := Dz[3][s3*nz : s3*nz+nz]
			g23 := st.G23[(s2*S+s3)*c : (s2*S+s3+1)*c]
			g03 := st.G03[s3*c : (s3+1)*c]
			for a := 0; a < c; a++ {
				v := 0.0
				for n := h.aStart[a]; n < h.aStart[a+1]; n++ {
					v += th[h.kOf[n]] * (st.D2[n] + dz3[n])
				}
				pg := p * v
				g23[a] += pg
				g03[a] += pg
				xg[a] += pg
			}
			st.P23[s2*S+s3] += p
			st.P03[s3] += p
		}
	}
	return xp
}

// contract turns one state s0's bins into its part of the numerators.
func (h *hessSum) contract(st *hessStats, s0 int, part *hessPart) {
	b := h.b
	c, d, S := b.C, b.D, b.S
	nz := len(h.pat.ak)
	ak := h.pat.ak
	Dz := h.Dz
	dz0 := Dz[0][s0*nz : (s0+1)*nz]
	// E_f[g_a] = Σ_i Σ_s Σ_k ∂φ_k/∂J′_a(corner i in s) · W_i[s][k]
	for n, x := range ak {
		a, k := x[0], x[1]
		v := dz0[n] * st.W0[k]
		for i, W := range [][]float64{nil, st.W1, st.W2, st.W3} {
			if i == 0 {
				continue
			}
			for s := 0; s < S; s++ {
				v += Dz[i][s*nz+n] * W[s*d+k]
			}
		}
		part.gf[a] += v
	}
	// E_f[h_ab] = Σ_k Σ_{i,j} Σ_{s,t} ∂_aφ_k(i, s) ∂_bφ_k(j, t) Q_ij[s][t][k]:
	// the same corner (i = j, s = t) over the pattern's unordered pairs
	hf := part.hf
	addPair := func(n, m int, v float64) {
		a, bb := ak[n][0], ak[m][0]
		hf[a*c+bb] += v
		hf[bb*c+a] += v
	}
	for _, pr := range h.pat.pairs {
		n, m, k := pr[0], pr[1], pr[2]
		v := st.Qd0[k] * dz0[n] * dz0[m]
		for i, Q := range [][]float64{nil, st.Qd1, st.Qd2, st.Qd3} {
			if i == 0 {
				continue
			}
			for s := 0; s < S; s++ {
				v += Q[s*d+k] * Dz[i][s*nz+n] * Dz[i][s*nz+m]
			}
		}
		if n == m {
			hf[ak[n][0]*c+ak[n][0]] += v
		} else {
			addPair(n, m, v)
		}
	}
	// two corners i < j: X[n][m] = Σ_{s,t} Dz_i[s][n] Q_ij[s][t][k] Dz_j[t][m]
	// over ordered same-k pairs, added with its transpose. Y[s][m] =
	// Σ_t Q_ij[s][t][k_m] Dz_j[t][m] first (S²·nz), then the pairs (S per pair).
	Y := st.Y
	rowPair := func(Q []float64, j int) { // i = 0: only row s0
		for m, x := range ak {
			k := x[1]
			y := 0.0
			for t := 0; t < S; t++ {
				y += Q[t*d+k] * Dz[j][t*nz+m]
			}
			Y[m] = y
		}
		for _, pr := range h.kpairs {
			addPair(pr[0], pr[1], dz0[pr[0]]*Y[pr[1]])
		}
	}
	rowPair(st.Q01, 1)
	rowPair(st.Q02, 2)
	rowPair(st.Q03, 3)
	kOf := h.kOf
	fullPair := func(Q []float64, i, j int) {
		for s := 0; s < S; s++ {
			Ys := Y[s*nz : (s+1)*nz]
			clear(Ys)
			for t := 0; t < S; t++ {
				q := Q[(s*S+t)*d : (s*S+t+1)*d]
				dz := Dz[j][t*nz : (t+1)*nz]
				for m, k := range kOf {
					Ys[m] += q[k] * dz[m]
				}
			}
		}
		for _, pr := range h.kpairs {
			n, m := pr[0], pr[1]
			v := 0.0
			for s := 0; s < S; s++ {
				v += Dz[i][s*nz+n] * Y[s*nz+m]
			}
			addPair(n, m, v)
		}
	}
	fullPair(st.Q12, 1, 2)
	fullPair(st.Q13, 1, 3)
	fullPair(st.Q23, 2, 3)
	if !h.mixed {
		return
	}
	// E_f[u_b] and E_f[g_a u_b]: u = Σ_e u_e over the fine edges
	// (c0,c1), (c1,c2), (c2,c3), (c0,c3), binned by each edge's corners:
	// eu += Pᵀ u_e and egu += Gᵀ u_e over the edge's rows
	uf := h.uf
	blas := blas64.Implementation()
	edge := func(P, G, u []float64, rows int) {
		for r, pr := range P[:rows] {
			for bb, ub := range u[r*c : (r+1)*c] {
				part.eu[bb] += pr * ub
			}
		}
		blas.Dgemm(blas64Trans, blas64NoTrans, c, c, rows, 1, G, c, u, c, 1, part.egu, c)
	}
	edge(st.P01, st.G01, uf[0][s0*S*c:(s0+1)*S*c], S)
	edge(st.P12, st.G12, uf[1], S*S)
	edge(st.P23, st.G23, uf[2], S*S)
	edge(st.P03, st.G03, uf[3][s0*S*c:(s0+1)*S*c], S)
}

const (
	blas64Trans   = blas.Trans
	blas64NoTrans = blas.NoTrans
)

// logSmall is log x for 1 ≤ x < 2^1023, to about an ulp, several times
// faster than math.Log: x = 2^e·f with f ∈ [1, 2), log f = log c_j +
// log1p(r), c_j = 1 + j/256 the left end of f's interval (its top eight
// mantissa bits), r = (f − c_j)/c_j ∈ [0, 2^-8) and log1p(r) by its series to
// r^7 (truncation below 2^-59 of it); both terms are non-negative, so
// nothing cancels near x = 1.
func logSmall(x float64) float64 {
	bits := math.Float64bits(x)
	e := float64(int(bits>>52) - 1023)
	j := (bits >> 44) & 0xff
	f := math.Float64frombits(bits&(1<<52-1) | 1023<<52)
	r := (f - (1 + float64(j)/256)) * logTab.inv[j] // f − c_j is exact
	p := r * (1 + r*(-1.0/2+r*(1.0/3+r*(-1.0/4+r*(1.0/5+r*(-1.0/6+r*(1.0/7)))))))
	return e*math.Ln2 + logTab.log[j] + p
}

// logTab holds log c_j and 1/c_j for c_j = 1 + j/256.
var logTab = func() (t struct{ log, inv [256]float64 }) {
	for j := range t.log {
		c := 1 + float64(j)/256
		t.log[j], t.inv[j] = math.Log(c), 1/c
	}
	return t
}()

// orbitLists describe the orbit representatives whose corner c0 is in
// state s0: the lexicographically largest configuration of each orbit,
// (g·v)_{To[i]} = St[v_i] compared as (s0, s1, s2, s3). An image's c0 state
// is St_g of the state of one corner (the one g brings to c0), so allow[j]
// lists the states of corner j (1–3) that no element brings to c0 above
// s0, and tie[j][s] the elements that bring state s of corner j to c0 as
// exactly s0 (tie0: those that fix c0 and its state, the identity left
// out): only for those must the rest of the image be compared. A
// representative v stands for its orbit with weight |G|/|Stab(v)|.
type orbitLists struct {
	allow [4][]int
	tie   [4][][]int
	tie0  []int
	// ties0 and ties[j][s] are the lengths of tie0 and tie[j][s]
	ties0 int
	ties  [4][]int
}

// leads reports whether a configuration whose c0 is in state s0 can lead
// its orbit: no element that fixes c0 raises s0.
func (g *visGroup) leads(s0 int) bool {
	for k, to := range g.To {
		if to[0] == 0 && g.St[k][s0] > s0 {
			return false
		}
	}
	return true
}

func (g *visGroup) lists(s0, S int) orbitLists {
	var ol orbitLists
	var ok [4][]bool
	for j := 1; j < 4; j++ {
		ol.tie[j] = make([][]int, S)
		ol.ties[j] = make([]int, S)
		ok[j] = make([]bool, S)
		for s := range ok[j] {
			ok[j][s] = true
		}
	}
	for k, to := range g.To {
		j := slices.Index(to[:], 0) // the corner this element brings to c0
		st := g.St[k]
		if j == 0 {
			if st[s0] == s0 && !g.identity(k) {
				ol.tie0 = append(ol.tie0, k)
			}
			continue
		}
		for s := 0; s < S; s++ {
			switch {
			case st[s] > s0:
				ok[j][s] = false
			case st[s] == s0:
				ol.tie[j][s] = append(ol.tie[j][s], k)
			}
		}
	}
	ol.ties0 = len(ol.tie0)
	for j := 1; j < 4; j++ {
		for s := 0; s < S; s++ {
			ol.ties[j][s] = len(ol.tie[j][s])
			if ok[j][s] {
				ol.allow[j] = append(ol.allow[j], s)
			}
		}
	}
	return ol
}

// weight returns |G|/|Stab(v)| for a configuration v allowed by ol, or 0
// if an element whose image ties with v at c0 makes it larger.
func (g *visGroup) weight(ol *orbitLists, v [4]int) float64 {
	stab := 1
	for _, ks := range [4][]int{ol.tie0, ol.tie[1][v[1]], ol.tie[2][v[2]], ol.tie[3][v[3]]} {
		for _, k := range ks {
			var img [4]int
			for i, t := range g.To[k] {
				img[t] = g.St[k][v[i]]
			}
			switch cmp := slices.Compare(img[:], v[:]); {
			case cmp > 0:
				return 0
			case cmp == 0:
				stab++
			}
		}
	}
	return float64(len(g.To)) / float64(stab)
}

// identity reports whether element k is the identity.
func (g *visGroup) identity(k int) bool {
	if g.To[k] != [4]int{0, 1, 2, 3} {
		return false
	}
	for s, t := range g.St[k] {
		if s != t {
			return false
		}
	}
	return true
}

func addTo(dst, src []float64) {
	for i, v := range src {
		dst[i] += v
	}
}

// fineDerivTables returns, for each fine edge e and corner pair (sa, sb),
// u_e[(sa·S+sb)·c+b] = Σ_k tanh(ψ_ek) ∂ψ_ek/∂J_b with ψ_e = K_{ra} v(sa) +
// K_{rb} v(sb), so that −∂F_f/∂J_b of a configuration is the sum of its
// four edges' entries. sc must hold the fine fields of J (fineTables).
func (b *Blocks) fineDerivTables(J []float64, sc *scratch) [4][]float64 {
	c, d, S := b.C, b.D, b.S
	b.bondMatrices(&b.RotBasis, J, &sc.K)
	b.siteFields(&sc.K, &sc.fields, nil)
	// F[r][(s·c+a)·d+k] = (R^r B_a Rᵀ^r v(s))_k
	var F [4][]float64
	for r := 0; r < 4; r++ {
		F[r] = make([]float64, S*c*d)
		for s := 0; s < S; s++ {
			v := b.Spins[s]
			for a, B := range b.RotBasis[r] {
				for k := 0; k < d; k++ {
					x := 0.0
					for m := 0; m < d; m++ {
						x += B[k*d+m] * v[m]
					}
					F[r][(s*c+a)*d+k] = x
				}
			}
		}
	}
	var out [4][]float64
	th := make([]float64, d)
	for e, edge := range fineEdges {
		ra, rb := edge[1], edge[3]
		fa, fb := sc.fields[ra], sc.fields[rb]
		out[e] = make([]float64, S*S*c)
		for sa := 0; sa < S; sa++ {
			for sb := 0; sb < S; sb++ {
				for k := 0; k < d; k++ {
					_, th[k] = kernels.LcTanh(fa[sa*d+k] + fb[sb*d+k])
				}
				row := out[e][(sa*S+sb)*c : (sa*S+sb+1)*c]
				for a := 0; a < c; a++ {
					x := 0.0
					for k := 0; k < d; k++ {
						x += th[k] * (F[ra][(sa*c+a)*d+k] + F[rb][(sb*c+a)*d+k])
					}
					row[a] = x
				}
			}
		}
	}
	return out
}

// stateOfMatVec returns the site state of M v if M v is a spin vector.
func stateOfMatVec(d int, M, v []float64) (int, bool) {
	st := 0
	for i := 0; i < d; i++ {
		x := 0.0
		for j := 0; j < d; j++ {
			x += M[i*d+j] * v[j]
		}
		switch {
		case math.Abs(x-1) < 1e-12:
		case math.Abs(x+1) < 1e-12:
			st |= 1 << i
		default:
			return 0, false
		}
	}
	return st, true
}

// derivPattern lists where ∂φ_k/∂J′_a can be non-zero: ak holds the (a, k)
// entries, in order of a then k; pairs holds (n, n′, k) for entries
// n = (a, k) and n′ = (b, k) with a ≤ b and the same k, the terms of
// Σ_k sech²φ_k ∂_aφ_k ∂_bφ_k. Each unordered pair of couplings appears once
// (for a < b the term counts for both (a, b) and (b, a)).
type derivPattern struct {
	ak    [][2]int
	pairs [][3]int
}

func (b *Blocks) coarsePattern(D [4][]float64) derivPattern {
	c, d, S := b.C, b.D, b.S
	var p derivPattern
	for a := 0; a < c; a++ {
		for k := 0; k < d; k++ {
			nonzero := false
			for i := 0; i < 4 && !nonzero; i++ {
				for s := 0; s < S; s++ {
					if D[i][(s*c+a)*d+k] != 0 {
						nonzero = true
						break
					}
				}
			}
			if nonzero {
				p.ak = append(p.ak, [2]int{a, k})
			}
		}
	}
	for n, x := range p.ak {
		for m := n; m < len(p.ak); m++ {
			if y := p.ak[m]; y[1] == x[1] {
				p.pairs = append(p.pairs, [3]int{n, m, x[1]})
			}
		}
	}
	return p
}

// coarseDerivTables returns D_i[(s·c+a)·d+k] = (B′_{a,i}ᵀ v(s))_k, the part
// of ∂φ_k/∂J′_a that corner i in state s contributes (φ = Σ_i K′_iᵀ v_i).
func (b *Blocks) coarseDerivTables() [4][]float64 {
	c, d, S := b.C, b.D, b.S
	var out [4][]float64
	for i := 0; i < 4; i++ {
		out[i] = make([]float64, S*c*d)
		for s := 0; s < S; s++ {
			v := b.Spins[s]
			for a, B := range b.CoarseBasis[i] {
				for k := 0; k < d; k++ {
					x := 0.0
					for m := 0; m < d; m++ {
						x += B[m*d+k] * v[m]
					}
					out[i][(s*c+a)*d+k] = x
				}
			}
		}
	}
	return out
}
