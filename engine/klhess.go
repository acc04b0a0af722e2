package engine

import (
	"context"
	"fmt"
	"math"
	"runtime"
	"sync"

	"rgflow/engine/divergence"
	"rgflow/kernels"
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
//	∂KL/∂J′_a      = E_c[g_a] − E_f[g_a]
//	∂²KL/∂J′_a∂J′_b = E_c[h_ab] − E_f[h_ab] + Cov_c(g_a, g_b)
//	∂²KL/∂J′_a∂J_b  = −Cov_f(g_a, u_b)
//
// (the last because only P_f depends on J, with ∂ log P_f/∂J_b =
// u_b − E_f[u_b]). Every expectation is an exact sum over the 2^{4d}
// visible configurations, spread over the CPUs by the state of corner c0;
// the partial sums are added in a fixed order, so the result does not
// depend on the number of goroutines.
func (b *Blocks) KLSecondOrder(J, Jp []float64, mixed bool) KLDerivatives {
	d, _ := b.KLSecondOrderContext(context.Background(), J, Jp, mixed)
	return d
}

// KLSecondOrderContext is KLSecondOrder that stops between the parts of
// its sum (2^d of them: for six spins a site, a few hundredths of a
// second each) once ctx is done, returning ctx's error.
func (b *Blocks) KLSecondOrderContext(ctx context.Context, J, Jp []float64, mixed bool) (KLDerivatives, error) {
	c, d, S := b.C, b.D, b.S
	if len(J) != c || len(Jp) != c {
		panic(fmt.Sprintf("engine: KLSecondOrder: J has %d entries, J′ %d, %s needs %d", len(J), len(Jp), b.Rep.Name, c))
	}
	sc := b.newScratch()
	// fine block: edge tables, log Z_f, and per edge and corner pair the
	// vector u_e[sa,sb][b] = Σ_k tanh(ψ_ek) ∂ψ_ek/∂J_b
	b.fineTables(J, sc)
	logZf := b.fineLogZ(sc)
	T := sc.T
	var uf [4][]float64
	if mixed {
		uf = b.fineDerivTables(J, sc)
	}
	// coarse block: field tables U_i[s][k], log Z_c, and D_i[s][a][k] =
	// ∂φ_k/∂J′_a contributed by corner i in state s
	b.coarseFields(Jp, sc)
	U := sc.U
	logZc := b.coarseLogZ(Jp, nil, sc)
	Dc := b.coarseDerivTables()

	// Sparsity: ∂φ_k/∂J′_a vanishes for most (a, k) (for the unit basis,
	// coupling a reaches only the centre components of its column's
	// irrep block), so the loops run over the pairs that can be non-zero.
	pat := b.coarsePattern(Dc)
	nz := len(pat.ak)

	type acc struct {
		pf, pfa, pfb float64 // Σ p_f, Σ p_f (−F_f), Σ p_f (−F_c)
		pc           float64
		gf, gc       []float64 // Σ p_f g, Σ p_c g
		uf           []float64 // Σ p_f u
		hh           []float64 // Σ (p_c − p_f) h over the pattern's pairs
		cc           []float64 // Σ p_c g gᵀ, upper triangle of c×c
		fu           []float64 // Σ p_f g uᵀ
		visited      int
	}
	newAcc := func() *acc {
		a := &acc{gf: make([]float64, c), gc: make([]float64, c), hh: make([]float64, len(pat.pairs)), cc: make([]float64, c*c)}
		if mixed {
			a.uf, a.fu = make([]float64, c), make([]float64, c*c)
		}
		return a
	}
	// Dz_i[s][n] = D_i[s][a_n][k_n] over the pattern's entries n
	var Dz [4][]float64
	for i := range Dz {
		Dz[i] = make([]float64, S*nz)
		for st := 0; st < S; st++ {
			for n, ak := range pat.ak {
				Dz[i][st*nz+n] = Dc[i][(st*c+ak[0])*d+ak[1]]
			}
		}
	}
	// Symmetry: every summand (P_f, P_c, g, h and u) is invariant under the
	// global flip v → −v and under the rotation (c_i → c_{i+1}, v → R v)
	// of both blocks (docs/conventions.md), a group of order 8 acting on
	// the configurations. Only one configuration per orbit is visited —
	// the ones whose c0 state is the largest of the eight states the
	// group brings to c0 — with weight 8/m, m the number of group elements
	// that bring c0's own state back. When R is not a signed permutation
	// (a representation given by rotated matrices) R v is not a spin state,
	// and only the flip is used.
	orb := b.orbitTables()
	parts := make([]*acc, S)
	run := func(s0 int) {
		A := newAcc()
		phi := make([]float64, 2*d) // partial fields after c0+c1 and c0+c1+c2
		Dp := make([]float64, 2*nz) // partial ∂φ/∂J′ likewise
		th, q := make([]float64, d), make([]float64, d)
		Dall := make([]float64, nz)
		g := make([]float64, c)
		u := make([]float64, c)
		// the states allowed at c1, c2, c3 for this c0, and whether each
		// ties with it (adds to m)
		var allow [4][]int
		var tie [4][]bool
		for i := 1; i < 4; i++ {
			tie[i] = make([]bool, S)
			for st := 0; st < S; st++ {
				if !orb.rot {
					allow[i] = append(allow[i], st)
					continue
				}
				a := orb.back[i][st]
				if a <= s0 && S-1-a <= s0 {
					allow[i] = append(allow[i], st)
					tie[i][st] = a == s0 || S-1-a == s0
				}
			}
		}
		for _, s1 := range allow[1] {
			for k := 0; k < d; k++ {
				phi[k] = U[0][s0*d+k] + U[1][s1*d+k]
			}
			for n := 0; n < nz; n++ {
				Dp[n] = Dz[0][s0*nz+n] + Dz[1][s1*nz+n]
			}
			for _, s2 := range allow[2] {
				for k := 0; k < d; k++ {
					phi[d+k] = phi[k] + U[2][s2*d+k]
				}
				for n := 0; n < nz; n++ {
					Dp[nz+n] = Dp[n] + Dz[2][s2*nz+n]
				}
				a012 := T[0][s0*S+s1] + T[1][s1*S+s2]
				m12 := 1
				if tie[1][s1] {
					m12++
				}
				if tie[2][s2] {
					m12++
				}
				for _, s3 := range allow[3] {
					m := m12
					if tie[3][s3] {
						m++
					}
					w := orb.order / float64(m)
					A.visited++
					af := a012 + T[2][s2*S+s3] + T[3][s0*S+s3]
					pf := w * math.Exp(af-logZf)
					// −F_c = Σ_k lc(φ_k) with lc = |φ| + log(2 + m) and
					// tanh = sign(φ)·(−m)/(2 + m), m = expm1(−2|φ|) (the
					// formulas of kernels.LcTanh): p_c needs only the
					// product of the (2 + m), not its logarithm.
					abs, prod := 0.0, 1.0
					for k := 0; k < d; k++ {
						x := phi[d+k] + U[3][s3*d+k]
						ax := math.Abs(x)
						m := math.Expm1(-2 * ax)
						t := -m / (2 + m)
						if x < 0 {
							t = -t
						}
						abs += ax
						prod *= 2 + m
						th[k], q[k] = t, 1-t*t
					}
					pc := w * math.Exp(abs-logZc) * prod
					dz3 := Dz[3][s3*nz : s3*nz+nz]
					clear(g)
					for n, ak := range pat.ak {
						v := Dp[nz+n] + dz3[n]
						Dall[n] = v
						g[ak[0]] += th[ak[1]] * v
					}
					A.pf += pf
					A.pfa += pf * af
					if pf != 0 {
						A.pfb += pf * (abs + math.Log(prod))
					}
					A.pc += pc
					dp := pc - pf
					for n, pr := range pat.pairs {
						A.hh[n] += dp * q[pr[2]] * Dall[pr[0]] * Dall[pr[1]]
					}
					for a := 0; a < c; a++ {
						A.gf[a] += pf * g[a]
						pg := pc * g[a]
						A.gc[a] += pg
						row := A.cc[a*c : a*c+c]
						for bb := a; bb < c; bb++ {
							row[bb] += pg * g[bb]
						}
					}
					if mixed {
						u0, u1 := uf[0][(s0*S+s1)*c:], uf[1][(s1*S+s2)*c:]
						u2, u3 := uf[2][(s2*S+s3)*c:], uf[3][(s0*S+s3)*c:]
						for bb := 0; bb < c; bb++ {
							u[bb] = u0[bb] + u1[bb] + u2[bb] + u3[bb]
							A.uf[bb] += pf * u[bb]
						}
						for a := 0; a < c; a++ {
							pg := pf * g[a]
							row := A.fu[a*c : a*c+c]
							for bb := 0; bb < c; bb++ {
								row[bb] += pg * u[bb]
							}
						}
					}
				}
			}
		}
		parts[s0] = A
	}
	// c0 takes the upper half of its states (the flip of a visited
	// configuration has c0 in the lower half), largest first: those orbits
	// are the most numerous, so the work is handed out heaviest first
	workers := min(runtime.GOMAXPROCS(0), S/2)
	if S*S*S*S < 1<<12 {
		workers = 1
	}
	var wg sync.WaitGroup
	next := make(chan int, S)
	for s0 := S - 1; s0 >= S/2; s0-- {
		next <- s0
	}
	close(next)
	for w := 0; w < workers; w++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for s0 := range next {
				if ctx.Err() == nil {
					run(s0)
				}
			}
		}()
	}
	wg.Wait()
	if err := ctx.Err(); err != nil {
		return KLDerivatives{}, err
	}
	tot := newAcc()
	for _, p := range parts {
		if p == nil {
			continue
		}
		tot.pf += p.pf
		tot.pfa += p.pfa
		tot.pfb += p.pfb
		tot.pc += p.pc
		addTo(tot.gf, p.gf)
		addTo(tot.gc, p.gc)
		addTo(tot.hh, p.hh)
		addTo(tot.cc, p.cc)
		if mixed {
			addTo(tot.uf, p.uf)
			addTo(tot.fu, p.fu)
		}
	}
	// Normalise by the sums actually enumerated (as KLBatch does): that
	// removes the rounding of both log Z.
	out := KLDerivatives{
		KL:   (tot.pfa-tot.pfb)/tot.pf + logZc - logZf - math.Log(tot.pf),
		Grad: make([]float64, c),
		Hess: make([]float64, c*c),
	}
	Ef, Ec := make([]float64, c), make([]float64, c)
	for a := 0; a < c; a++ {
		Ef[a], Ec[a] = tot.gf[a]/tot.pf, tot.gc[a]/tot.pc
		out.Grad[a] = Ec[a] - Ef[a]
	}
	// the (p_c − p_f) weights of hh were normalised with the exact log Z;
	// the rounding of Σp is far below what the Hessian needs
	for a := 0; a < c; a++ {
		for bb := a; bb < c; bb++ {
			v := tot.cc[a*c+bb]/tot.pc - Ec[a]*Ec[bb]
			out.Hess[a*c+bb], out.Hess[bb*c+a] = v, v
		}
	}
	for n, pr := range pat.pairs {
		a, bb := pat.ak[pr[0]][0], pat.ak[pr[1]][0]
		out.Hess[a*c+bb] += tot.hh[n]
		if a != bb {
			out.Hess[bb*c+a] += tot.hh[n]
		}
	}
	if mixed {
		out.Mixed = make([]float64, c*c)
		for a := 0; a < c; a++ {
			for bb := 0; bb < c; bb++ {
				out.Mixed[a*c+bb] = -(tot.fu[a*c+bb]/tot.pf - Ef[a]*tot.uf[bb]/tot.pf)
			}
		}
	}
	return out, nil
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

// orbitTables describes the symmetry group KLSecondOrder sums over. The
// rotation ρ puts R v_i at site i+1, so ρ^k brings the state of site j to
// c0 as R^k v_j with k = (4 − j) mod 4: back[j][s] is the state of that
// image of state s. order is 8 (rotations and the flip), or 2 (the flip
// alone) with rot unset when R is not a signed permutation.
type orbitTables struct {
	back  [4][]int
	order float64
	rot   bool
}

func (b *Blocks) orbitTables() orbitTables {
	S, d := b.S, b.D
	R := b.Rep.R
	var pow [4][]float64 // R^k
	pow[0] = make([]float64, d*d)
	for i := 0; i < d; i++ {
		pow[0][i*d+i] = 1
	}
	for k := 1; k < 4; k++ {
		pow[k] = make([]float64, d*d)
		for i := 0; i < d; i++ {
			for j := 0; j < d; j++ {
				for m := 0; m < d; m++ {
					pow[k][i*d+j] += R[i*d+m] * pow[k-1][m*d+j]
				}
			}
		}
	}
	if b.Bonds == BondsUnrotated { // no rotation symmetry
		return orbitTables{order: 2}
	}
	o := orbitTables{order: 8, rot: true}
	for j := 0; j < 4; j++ {
		o.back[j] = make([]int, S)
		for s := 0; s < S; s++ {
			st, ok := stateOfMatVec(d, pow[(4-j)%4], b.Spins[s])
			if !ok {
				return orbitTables{order: 2}
			}
			o.back[j][s] = st
		}
	}
	return o
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
