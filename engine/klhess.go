package engine

import (
	"fmt"
	"math"
	"runtime"
	"sync"

	"rgflow/kernels"
)

// KLDerivatives is KL(J, J′) with its first and second derivatives, what
// the exact variational map needs: its Newton steps (Grad, Hess) and its
// slope by the implicit-function theorem, dM/dJ = −Hess⁻¹ Mixed.
type KLDerivatives struct {
	KL   float64
	Grad []float64 // ∂KL/∂J′_a, c
	Hess []float64 // ∂²KL/∂J′_a∂J′_b, c×c row-major, symmetric
	// Mixed[a·c+b] = ∂²KL/∂J′_a∂J_b (nil unless asked for).
	Mixed []float64
}

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

	type acc struct {
		pf, pfa, pfb float64 // Σ p_f, Σ p_f (−F_f), Σ p_f (−F_c)
		pc           float64
		gf, gc       []float64 // Σ p_f g, Σ p_c g
		uf           []float64 // Σ p_f u
		hh           []float64 // Σ (p_c − p_f) h, upper triangle in full c×c
		cc           []float64 // Σ p_c g gᵀ
		fu           []float64 // Σ p_f g uᵀ
	}
	newAcc := func() *acc {
		a := &acc{gf: make([]float64, c), gc: make([]float64, c), hh: make([]float64, c*c), cc: make([]float64, c*c)}
		if mixed {
			a.uf, a.fu = make([]float64, c), make([]float64, c*c)
		}
		return a
	}
	parts := make([]*acc, S)
	run := func(s0 int) {
		A := newAcc()
		phi := make([]float64, 3*d)  // partial fields after c0, c0+c1, c0+c1+c2
		Dp := make([]float64, 3*c*d) // partial ∂φ/∂J′ likewise
		phiAll, th, q := make([]float64, d), make([]float64, d), make([]float64, d)
		Dall := make([]float64, c*d)
		g := make([]float64, c)
		u := make([]float64, c)
		for s1 := 0; s1 < S; s1++ {
			for k := 0; k < d; k++ {
				phi[k] = U[0][s0*d+k] + U[1][s1*d+k]
			}
			for i := 0; i < c*d; i++ {
				Dp[i] = Dc[0][s0*c*d+i] + Dc[1][s1*c*d+i]
			}
			for s2 := 0; s2 < S; s2++ {
				for k := 0; k < d; k++ {
					phi[d+k] = phi[k] + U[2][s2*d+k]
				}
				for i := 0; i < c*d; i++ {
					Dp[c*d+i] = Dp[i] + Dc[2][s2*c*d+i]
				}
				a012 := T[0][s0*S+s1] + T[1][s1*S+s2]
				for s3 := 0; s3 < S; s3++ {
					af := a012 + T[2][s2*S+s3] + T[3][s0*S+s3]
					pf := math.Exp(af - logZf)
					bc := 0.0
					for k := 0; k < d; k++ {
						x := phi[d+k] + U[3][s3*d+k]
						phiAll[k] = x
						l, t := kernels.LcTanh(x)
						bc += l
						th[k], q[k] = t, 1-t*t
					}
					pc := math.Exp(bc - logZc)
					for i := 0; i < c*d; i++ {
						Dall[i] = Dp[c*d+i] + Dc[3][s3*c*d+i]
					}
					for a := 0; a < c; a++ {
						s := 0.0
						for k := 0; k < d; k++ {
							s += th[k] * Dall[a*d+k]
						}
						g[a] = s
					}
					A.pf += pf
					A.pfa += pf * af
					A.pfb += pf * bc
					A.pc += pc
					w := pc - pf
					for a := 0; a < c; a++ {
						A.gf[a] += pf * g[a]
						A.gc[a] += pc * g[a]
						Da := Dall[a*d : a*d+d]
						for bb := a; bb < c; bb++ {
							Db := Dall[bb*d : bb*d+d]
							h := 0.0
							for k := 0; k < d; k++ {
								h += q[k] * Da[k] * Db[k]
							}
							A.hh[a*c+bb] += w * h
							A.cc[a*c+bb] += pc * g[a] * g[bb]
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
	workers := min(runtime.GOMAXPROCS(0), S)
	if S*S*S*S < 1<<12 {
		workers = 1
	}
	var wg sync.WaitGroup
	next := make(chan int, S)
	for s0 := 0; s0 < S; s0++ {
		next <- s0
	}
	close(next)
	for w := 0; w < workers; w++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for s0 := range next {
				run(s0)
			}
		}()
	}
	wg.Wait()
	tot := newAcc()
	for _, p := range parts {
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
			v := tot.hh[a*c+bb] + tot.cc[a*c+bb]/tot.pc - Ec[a]*Ec[bb]
			out.Hess[a*c+bb], out.Hess[bb*c+a] = v, v
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
	return out
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
