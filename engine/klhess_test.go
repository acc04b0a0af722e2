package engine

import (
	"math"
	"math/rand/v2"
	"testing"
)

func mirrorBlocks(t testing.TB, name, mirror string) *Blocks {
	t.Helper()
	b := mustBlocks(t, name)
	m, err := ResolveCoarseMirror(b.Rep, mirror)
	if err != nil {
		t.Fatal(err)
	}
	return NewBlocks(b.Rep, WithCoarseMirror(m))
}

// The second derivatives against central differences of the analytic
// gradient (itself checked against differences of the KL in kl_test.go).
func TestKLSecondOrderFiniteDifferences(t *testing.T) {
	rng := rand.New(rand.NewPCG(3, 4))
	for _, tc := range []struct{ rep, mirror string }{{"A1", "axis"}, {"A1+E", "axis"}, {"A1+E", "diagonal"}, {"2A1+E", "axis"}, {"2A1+E", "diagonal"}} {
		b := mirrorBlocks(t, tc.rep, tc.mirror)
		c := b.C
		for trial := 0; trial < 2; trial++ {
			J := randomJ(rng, c, 0.5)
			Jp := randomJ(rng, c, 0.5)
			got := b.KLSecondOrder(J, Jp, true)
			kl, grad := b.KL(J, Jp)
			if math.Abs(got.KL-kl) > 1e-12*math.Max(1, kl) {
				t.Errorf("%s/%s: KL %v, KLBatch %v", tc.rep, tc.mirror, got.KL, kl)
			}
			for a := range grad {
				if math.Abs(got.Grad[a]-grad[a]) > 1e-12 {
					t.Errorf("%s/%s: grad[%d] %v, KLBatch %v", tc.rep, tc.mirror, a, got.Grad[a], grad[a])
				}
			}
			const h = 1e-5
			for bb := 0; bb < c; bb++ {
				up, dn := append([]float64(nil), Jp...), append([]float64(nil), Jp...)
				up[bb] += h
				dn[bb] -= h
				_, gu := b.KL(J, up)
				_, gd := b.KL(J, dn)
				Ju, Jd := append([]float64(nil), J...), append([]float64(nil), J...)
				Ju[bb] += h
				Jd[bb] -= h
				_, gJu := b.KL(Ju, Jp)
				_, gJd := b.KL(Jd, Jp)
				for a := 0; a < c; a++ {
					fd := (gu[a] - gd[a]) / (2 * h)
					if math.Abs(fd-got.Hess[a*c+bb]) > 1e-7*math.Max(1, math.Abs(fd)) {
						t.Errorf("%s/%s: Hess[%d][%d] = %.10g, finite difference %.10g", tc.rep, tc.mirror, a, bb, got.Hess[a*c+bb], fd)
					}
					fdm := (gJu[a] - gJd[a]) / (2 * h)
					if math.Abs(fdm-got.Mixed[a*c+bb]) > 1e-7*math.Max(1, math.Abs(fdm)) {
						t.Errorf("%s/%s: Mixed[%d][%d] = %.10g, finite difference %.10g", tc.rep, tc.mirror, a, bb, got.Mixed[a*c+bb], fdm)
					}
				}
			}
		}
	}
}

// klSecondOrderDirect is KLSecondOrder by its definitions, summed over
// every visible configuration with nothing factorised or reduced (only
// the bond matrices' products with each site state tabulated): the
// reference of the symmetric, binned sums.
func klSecondOrderDirect(b *Blocks, J, Jp []float64) KLDerivatives {
	c, d, S := b.C, b.D, b.S
	fine, coarse := b.FineLogWeights(J), b.CoarseLogWeights(Jp)
	logZf, logZc := logSumExp(fine), logSumExp(coarse)
	// cphi[i][s][a][k] = (B′_{a,i}ᵀ v(s))_k; fpsi[r][s][a][k] = (B_{a,r} v(s))_k
	var cphi, fpsi [4][][][]float64
	for i := 0; i < 4; i++ {
		cphi[i], fpsi[i] = make([][][]float64, S), make([][][]float64, S)
		for st := 0; st < S; st++ {
			v := b.Spins[st]
			cphi[i][st], fpsi[i][st] = make([][]float64, c), make([][]float64, c)
			for a := 0; a < c; a++ {
				cphi[i][st][a], fpsi[i][st][a] = make([]float64, d), make([]float64, d)
				for k := 0; k < d; k++ {
					for m := 0; m < d; m++ {
						cphi[i][st][a][k] += b.CoarseBasis[i][a][m*d+k] * v[m]
						fpsi[i][st][a][k] += b.RotBasis[i][a][k*d+m] * v[m]
					}
				}
			}
		}
	}
	lin := func(tab [][]float64, x []float64, out []float64) { // out = Σ_a x_a tab[a]
		for a, row := range tab {
			for k, y := range row {
				out[k] += x[a] * y
			}
		}
	}
	var kl float64
	Ef, Ec, Eu := make([]float64, c), make([]float64, c), make([]float64, c)
	Efh, Ech, Ecgg, Efgu := make([]float64, c*c), make([]float64, c*c), make([]float64, c*c), make([]float64, c*c)
	g, u, hv := make([]float64, c), make([]float64, c), make([]float64, c*c)
	phi, psi := make([]float64, d), make([]float64, d)
	dphi := make([][]float64, c)
	for a := range dphi {
		dphi[a] = make([]float64, d)
	}
	for v := range fine {
		s := [4]int{v / (S * S * S), v / (S * S) % S, v / S % S, v % S}
		pf, pc := math.Exp(fine[v]-logZf), math.Exp(coarse[v]-logZc)
		kl += pf * (fine[v] - coarse[v])
		// coarse: φ = Σ_i K′_iᵀ v_i, ∂φ/∂J′_a, g and h
		clear(phi)
		for a := range dphi {
			clear(dphi[a])
		}
		for i := 0; i < 4; i++ {
			lin(cphi[i][s[i]], Jp, phi)
			for a := 0; a < c; a++ {
				for k, y := range cphi[i][s[i]][a] {
					dphi[a][k] += y
				}
			}
		}
		clear(g)
		clear(hv)
		for k := 0; k < d; k++ {
			t := math.Tanh(phi[k])
			for a := 0; a < c; a++ {
				g[a] += t * dphi[a][k]
				for bb := 0; bb < c; bb++ {
					hv[a*c+bb] += (1 - t*t) * dphi[a][k] * dphi[bb][k]
				}
			}
		}
		// fine: ψ_e = K_ra v_a + K_rb v_b, u_b = Σ_e Σ_k tanh ψ_ek ∂ψ_ek/∂J_b
		clear(u)
		for _, e := range fineEdges {
			ta, tb := fpsi[e[1]][s[e[0]]], fpsi[e[3]][s[e[2]]]
			clear(psi)
			lin(ta, J, psi)
			lin(tb, J, psi)
			for k := 0; k < d; k++ {
				t := math.Tanh(psi[k])
				for bb := 0; bb < c; bb++ {
					u[bb] += t * (ta[bb][k] + tb[bb][k])
				}
			}
		}
		for a := 0; a < c; a++ {
			Ef[a] += pf * g[a]
			Ec[a] += pc * g[a]
			Eu[a] += pf * u[a]
			for bb := 0; bb < c; bb++ {
				Efh[a*c+bb] += pf * hv[a*c+bb]
				Ech[a*c+bb] += pc * hv[a*c+bb]
				Ecgg[a*c+bb] += pc * g[a] * g[bb]
				Efgu[a*c+bb] += pf * g[a] * u[bb]
			}
		}
	}
	out := KLDerivatives{KL: kl + logZc - logZf, Grad: make([]float64, c), Hess: make([]float64, c*c), Mixed: make([]float64, c*c)}
	for a := 0; a < c; a++ {
		out.Grad[a] = Ec[a] - Ef[a]
		for bb := 0; bb < c; bb++ {
			out.Hess[a*c+bb] = Ech[a*c+bb] - Efh[a*c+bb] + Ecgg[a*c+bb] - Ec[a]*Ec[bb]
			out.Mixed[a*c+bb] = -(Efgu[a*c+bb] - Ef[a]*Eu[bb])
		}
	}
	return out
}

// KLSecondOrder — coarse terms from the centre's states, fine ones from
// one configuration per orbit of the blocks' common symmetry group, binned
// by corner states — against the plain sum over every configuration, for
// every mirror and bond convention; and the group's order for each (the
// global flip always; rotations with rotated bonds; the mirrors only where
// both blocks have the same one: the full D4 × flip for the diagonal
// coarse mirror or without E, half of it for the axis coarse mirror;
// unrotated bonds, which carry K in every direction, keep every corner
// permutation with the spin maps that commute with every K).
func TestKLSecondOrderAgainstDirectSum(t *testing.T) {
	rng := rand.New(rand.NewPCG(5, 6))
	for _, tc := range []struct {
		rep, mirror, bonds string
		order              int
	}{
		{"A1", "axis", BondsRotated, 16},
		{"A1+A2", "axis", BondsRotated, 32},
		{"A1+B1", "axis", BondsRotated, 8},
		{"E", "axis", BondsRotated, 16},
		{"A1+E", "axis", BondsRotated, 8},
		{"A1+E", "diagonal", BondsRotated, 16},
		{"A1+E", "axis", BondsUnrotated, 32},
		{"2A1+E", "axis", BondsRotated, 8},
		{"2A1+E", "diagonal", BondsRotated, 16},
		{"B1+E", "axis", BondsRotated, 8},
		{"A1+2E", "axis", BondsRotated, 8},
		{"A1+2E", "diagonal", BondsRotated, 16},
	} {
		name := tc.rep + "/" + tc.mirror + "/" + tc.bonds
		b := mustBlocks(t, tc.rep)
		m, err := ResolveCoarseMirror(b.Rep, tc.mirror)
		if err != nil {
			t.Fatal(err)
		}
		b = NewBlocks(b.Rep, WithCoarseMirror(m), WithBonds(tc.bonds))
		if got := b.visGroup().Order(); got != tc.order {
			t.Errorf("%s: symmetry group of order %d, want %d", name, got, tc.order)
		}
		// d = 5: a million configurations, the direct sum half a minute;
		// one mirror covers it outside -short
		if b.D == 5 && (testing.Short() || tc.mirror != "axis") {
			continue
		}
		J, Jp := randomJ(rng, b.C, 0.6), randomJ(rng, b.C, 0.6)
		got, want := b.KLSecondOrder(J, Jp, true), klSecondOrderDirect(b, J, Jp)
		near := func(what string, x, y []float64, tol float64) {
			for i := range y {
				if math.Abs(x[i]-y[i]) > tol*math.Max(1, math.Abs(y[i])) {
					t.Errorf("%s: %s[%d] = %.15g, direct sum %.15g", name, what, i, x[i], y[i])
					return
				}
			}
		}
		near("KL", []float64{got.KL}, []float64{want.KL}, 1e-12)
		near("Grad", got.Grad, want.Grad, 1e-12)
		near("Hess", got.Hess, want.Hess, 1e-11)
		near("Mixed", got.Mixed, want.Mixed, 1e-11)
	}
}

// The orbit enumeration itself: the weights of the visited configurations
// add up to all S^4, and a sum of any invariant function over them (here
// a random function averaged over the group) equals its sum over every
// configuration.
func TestOrbitWeights(t *testing.T) {
	rng := rand.New(rand.NewPCG(7, 8))
	for _, name := range []string{"A1", "A1+E", "2A1+E"} {
		for _, mirror := range []string{"axis", "diagonal"} {
			b := mirrorBlocks(t, name, mirror)
			if name == "A1" && mirror == "diagonal" {
				continue
			}
			g, S := b.visGroup(), b.S
			r := make([]float64, S*S*S*S)
			for i := range r {
				r[i] = rng.Float64()
			}
			index := func(s [4]int) int { return ((s[0]*S+s[1])*S+s[2])*S + s[3] }
			f := func(s [4]int) float64 { // Σ_g r(g·v)
				sum := 0.0
				for k, to := range g.To {
					var img [4]int
					for i := range s {
						img[to[i]] = g.St[k][s[i]]
					}
					sum += r[index(img)]
				}
				return sum
			}
			all := 0.0
			for v := range r {
				all += f([4]int{v / (S * S * S), v / (S * S) % S, v / S % S, v % S})
			}
			weights, sum, visited := 0.0, 0.0, 0
			for s0 := 0; s0 < S; s0++ {
				if !g.leads(s0) {
					continue
				}
				ol := g.lists(s0, S)
				for _, s1 := range ol.allow[1] {
					for _, s2 := range ol.allow[2] {
						for _, s3 := range ol.allow[3] {
							w := g.weight(&ol, [4]int{s0, s1, s2, s3})
							if w == 0 {
								continue
							}
							weights += w
							sum += w * f([4]int{s0, s1, s2, s3})
							visited++
						}
					}
				}
			}
			if math.Abs(weights-float64(S*S*S*S)) > 1e-9 {
				t.Errorf("%s/%s: weights add up to %v, want %d", name, mirror, weights, S*S*S*S)
			}
			if math.Abs(sum-all) > 1e-10*all {
				t.Errorf("%s/%s: orbit sum %.15g, full sum %.15g", name, mirror, sum, all)
			}
			// small orbits (configurations with symmetries) weigh most for small S
			if red := float64(S*S*S*S) / float64(visited); b.D > 1 && red < 0.6*float64(g.Order()) {
				t.Errorf("%s/%s: %d configurations visited of %d, a reduction of %.1f for a group of order %d", name, mirror, visited, S*S*S*S, red, g.Order())
			} else {
				t.Logf("%s/%s: %d configurations visited of %d for a group of order %d", name, mirror, visited, S*S*S*S, g.Order())
			}
		}
	}
}

// BenchmarkKLSecondOrder reports the CPU seconds of an evaluation beside
// the wall time (the machines are shared), for d = 3 to 6 in both coarse
// mirrors.
func BenchmarkKLSecondOrder(b *testing.B) {
	for _, name := range []string{"A1+E", "2A1+E", "A1+2E", "2A1+2E"} {
		for _, mirror := range []string{"axis", "diagonal"} {
			for _, mixed := range []bool{false, true} {
				bl := mirrorBlocks(b, name, mirror)
				rng := rand.New(rand.NewPCG(1, 1))
				J, Jp := randomJ(rng, bl.C, 0.5), randomJ(rng, bl.C, 0.5)
				b.Run(name+"/"+mirror+map[bool]string{false: "", true: "/mixed"}[mixed], func(b *testing.B) {
					c0 := cpuSeconds()
					for b.Loop() {
						bl.KLSecondOrder(J, Jp, mixed)
					}
					b.ReportMetric((cpuSeconds()-c0)/float64(b.N), "cpu-s/op")
				})
			}
		}
	}
}

// logSmall against math.Log over its range of use (products of d factors
// in [1, 2]) and beyond.
func TestLogSmall(t *testing.T) {
	rng := rand.New(rand.NewPCG(9, 10))
	worst := 0.0
	for i := 0; i < 1000000; i++ {
		x := math.Exp2(10 * rng.Float64())
		if i < 1000 {
			x = 1 + float64(i)*math.SmallestNonzeroFloat64*1e300 // near 1
		}
		got, want := logSmall(x), math.Log(x)
		err := math.Abs(got - want)
		if want != 0 {
			err /= math.Max(math.Abs(want), 1e-300)
		}
		worst = math.Max(worst, err)
	}
	for _, x := range []float64{1, 2, 4, 1.5, 255.99, 1 + 0x1p-52} {
		if got, want := logSmall(x), math.Log(x); math.Abs(got-want) > 1e-15*math.Max(math.Abs(want), 1e-16) {
			t.Errorf("logSmall(%v) = %v, math.Log %v", x, got, want)
		}
	}
	if worst > 1e-15 {
		t.Errorf("logSmall: worst relative error %.3g", worst)
	}
}
