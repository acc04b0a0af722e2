package engine

import (
	"math"
	"math/rand/v2"
	"strings"
	"testing"

	"github.com/rgflow/rgflow/reps"
)

func mustBlocks(t testing.TB, name string) *Blocks {
	t.Helper()
	rep, err := reps.Builtin(name)
	if err != nil {
		t.Fatal(err)
	}
	return NewBlocks(rep)
}

func randomJ(rng *rand.Rand, c int, scale float64) []float64 {
	J := make([]float64, c)
	for i := range J {
		J[i] = scale * rng.NormFloat64()
	}
	return J
}

// matVec returns K v for a d×d row-major K.
func matVec(d int, K, v []float64) []float64 {
	out := make([]float64, d)
	for i := 0; i < d; i++ {
		for j := 0; j < d; j++ {
			out[i] += K[i*d+j] * v[j]
		}
	}
	return out
}

func dot(a, b []float64) float64 {
	s := 0.0
	for i := range a {
		s += a[i] * b[i]
	}
	return s
}

// bruteFine sums P(v, h) ∝ exp(Σ_bonds h_eᵀ K_r v_c) over all hidden spin
// configurations of the four edge sites explicitly, bond by bond.
func bruteFine(b *Blocks, J []float64) []float64 {
	K := b.Rep.BondMatrices(J)
	S, d := b.S, b.D
	out := make([]float64, S*S*S*S)
	for v := range out {
		s := [4]int{v / (S * S * S), v / (S * S) % S, v / S % S, v % S}
		// bonds (hidden edge, corner, direction), docs/conventions.md §5
		type bond struct{ e, c, r int }
		bonds := []bond{{0, 0, 0}, {0, 1, 2}, {1, 1, 1}, {1, 2, 3}, {2, 2, 2}, {2, 3, 0}, {3, 0, 1}, {3, 3, 3}}
		fields := make([][]float64, len(bonds))
		for n, bd := range bonds {
			fields[n] = matVec(d, K[bd.r], b.Spins[s[bd.c]])
		}
		terms := make([]float64, 0, 1<<(4*d))
		for h := 0; h < 1<<(4*d); h++ {
			E := 0.0
			for n, bd := range bonds {
				hs := b.Spins[(h>>(bd.e*d))&(S-1)]
				E += dot(hs, fields[n])
			}
			terms = append(terms, E)
		}
		out[v] = logSumExp(terms)
	}
	return out
}

// bruteCoarse sums over the centre spins explicitly.
// The coarse reference bond is K(J′), or U K(J′) Uᵀ under the diagonal
// mirror, turned by R for each corner (docs/conventions.md).
func bruteCoarse(b *Blocks, Jp []float64) []float64 {
	S, d := b.S, b.D
	K0 := b.Rep.K(Jp)
	if U := b.Mirror.U; U != nil {
		K0 = reps.Multiply(d, reps.Multiply(d, U, K0), reps.Transpose(d, U))
	}
	var K [4][]float64
	for i := range K {
		K[i] = b.Rep.Rotate(K0, i)
	}
	out := make([]float64, S*S*S*S)
	for v := range out {
		s := [4]int{v / (S * S * S), v / (S * S) % S, v / S % S, v % S}
		terms := make([]float64, S)
		for h := 0; h < S; h++ {
			E := 0.0
			for i := 0; i < 4; i++ {
				E += dot(b.Spins[s[i]], matVec(d, K[i], b.Spins[h]))
			}
			terms[h] = E
		}
		out[v] = logSumExp(terms)
	}
	return out
}

func normalise(logw []float64) []float64 {
	z := logSumExp(logw)
	p := make([]float64, len(logw))
	for i, v := range logw {
		p[i] = math.Exp(v - z)
	}
	return p
}

func bruteKL(b *Blocks, J, Jp []float64) float64 { return klOf(bruteFine(b, J), bruteCoarse(b, Jp)) }

// klOf is KL(P_f ‖ P_c) from the blocks' visible log-weights −F.
func klOf(lf, lcw []float64) float64 {
	zf, zc := logSumExp(lf), logSumExp(lcw)
	kl := 0.0
	for v := range lf {
		p := math.Exp(lf[v] - zf)
		kl += p * ((lf[v] - zf) - (lcw[v] - zc))
	}
	return kl
}

func TestEnumerationMatchesBruteForce(t *testing.T) {
	rng := rand.New(rand.NewPCG(1, 2))
	for _, name := range []string{"A1", "B1", "E", "A1+E", "A2+E/diagonal", "A1+E/diagonal"} {
		if strings.HasPrefix(name, "A1+E") && testing.Short() {
			continue
		}
		var b *Blocks
		if rep, ok := strings.CutSuffix(name, "/diagonal"); ok {
			b = mirrorBlocks(t, rep, "diagonal")
		} else {
			b = mustBlocks(t, name)
		}
		J := randomJ(rng, b.C, 0.7)
		Jp := randomJ(rng, b.C, 0.7)
		pf, pfb := normalise(b.FineLogWeights(J)), normalise(bruteFine(b, J))
		pc, pcb := normalise(b.CoarseLogWeights(Jp)), normalise(bruteCoarse(b, Jp))
		for v := range pf {
			if math.Abs(pf[v]-pfb[v]) > 1e-12 || math.Abs(pc[v]-pcb[v]) > 1e-12 {
				t.Fatalf("%s v=%d: fine %g vs brute %g, coarse %g vs brute %g", name, v, pf[v], pfb[v], pc[v], pcb[v])
			}
		}
		// the normalisations from transfer matrices and from the centre sum
		if got, want := b.FineLogZ(b.FineTables(J)), logSumExp(bruteFine(b, J)); math.Abs(got-want) > 1e-12*math.Abs(want) {
			t.Errorf("%s: fine log Z %v, brute force %v", name, got, want)
		}
		if got, want := b.CoarseLogZ(Jp, nil), logSumExp(bruteCoarse(b, Jp)); math.Abs(got-want) > 1e-12*math.Abs(want) {
			t.Errorf("%s: coarse log Z %v, brute force %v", name, got, want)
		}
		kl, _ := b.KL(J, Jp)
		if want := bruteKL(b, J, Jp); math.Abs(kl-want) > 1e-12*math.Max(1, want) {
			t.Errorf("%s: KL %.16g, brute force %.16g", name, kl, want)
		}
	}
}

// A1 closed forms: P_fine(v) ∝ Π_edges 2cosh(J(v_a+v_b)), P_coarse ∝ 2cosh(J′Σv).
func TestA1ClosedForms(t *testing.T) {
	b := mustBlocks(t, "A1")
	J, Jp := 0.77, -1.3
	lf, lcw := b.FineLogWeights([]float64{J}), b.CoarseLogWeights([]float64{Jp})
	pairs := [4][2]int{{0, 1}, {1, 2}, {2, 3}, {3, 0}}
	for v := 0; v < 16; v++ {
		s := [4]float64{}
		for i := 0; i < 4; i++ {
			s[i] = float64(1 - 2*((v>>(3-i))&1))
		}
		f := 0.0
		for _, p := range pairs {
			f += math.Log(2 * math.Cosh(J*(s[p[0]]+s[p[1]])))
		}
		c := math.Log(2 * math.Cosh(Jp*(s[0]+s[1]+s[2]+s[3])))
		if math.Abs(f-lf[v]) > 1e-13 || math.Abs(c-lcw[v]) > 1e-13 {
			t.Fatalf("v=%d: fine %v vs closed form %v; coarse %v vs %v", v, lf[v], f, lcw[v], c)
		}
	}
}

func TestKLProperties(t *testing.T) {
	rng := rand.New(rand.NewPCG(3, 4))
	for _, name := range []string{"A1", "A1+E"} {
		b := mustBlocks(t, name)
		zero := make([]float64, b.C)
		if kl, g := b.KL(zero, zero); math.Abs(kl) > 1e-13 || maxAbs(g) > 1e-13 {
			t.Errorf("%s: KL(0,0) = %g, grad %v", name, kl, g)
		}
		for n := 0; n < 5; n++ {
			J, Jp := randomJ(rng, b.C, 1), randomJ(rng, b.C, 1)
			kl, g := b.KL(J, Jp)
			if kl < -1e-13 {
				t.Errorf("%s: KL = %g < 0", name, kl)
			}
			neg := func(x []float64) []float64 {
				y := make([]float64, len(x))
				for i := range x {
					y[i] = -x[i]
				}
				return y
			}
			kl2, g2 := b.KL(neg(J), neg(Jp))
			if math.Abs(kl-kl2) > 1e-12*math.Max(1, kl) {
				t.Errorf("%s: KL not even: %g vs %g", name, kl, kl2)
			}
			for a := range g {
				if math.Abs(g[a]+g2[a]) > 1e-11 {
					t.Errorf("%s: gradient not odd: %v vs %v", name, g, g2)
					break
				}
			}
		}
	}
}

// rotState returns the state of R v(s); it exists for signed-permutation R.
func rotState(t *testing.T, b *Blocks, s int) int {
	v := matVec(b.D, b.Rep.R, b.Spins[s])
	out := 0
	for k, x := range v {
		switch x {
		case 1:
		case -1:
			out |= 1 << k
		default:
			t.Fatalf("R does not map spins to spins")
		}
	}
	return out
}

// Both blocks are invariant under the rotation c_i → c_{i+1}, v → R v.
func TestRotationInvariance(t *testing.T) {
	rng := rand.New(rand.NewPCG(5, 6))
	for _, name := range []string{"A1", "B2", "E", "A1+E", "2A1+E"} {
		b := mustBlocks(t, name)
		S := b.S
		J, Jp := randomJ(rng, b.C, 0.8), randomJ(rng, b.C, 0.8)
		lf, lcw := b.FineLogWeights(J), b.CoarseLogWeights(Jp)
		for v := range lf {
			s := [4]int{v / (S * S * S), v / (S * S) % S, v / S % S, v % S}
			// new configuration: site i+1 holds R v_i
			var r [4]int
			for i := 0; i < 4; i++ {
				r[(i+1)%4] = rotState(t, b, s[i])
			}
			w := ((r[0]*S+r[1])*S+r[2])*S + r[3]
			if math.Abs(lf[v]-lf[w]) > 1e-12 || math.Abs(lcw[v]-lcw[w]) > 1e-12 {
				t.Fatalf("%s: v=%d and its rotation %d differ: fine %v/%v coarse %v/%v", name, v, w, lf[v], lf[w], lcw[v], lcw[w])
			}
		}
	}
}

// stateOf returns the state of M v(s) for a signed-permutation matrix M.
func stateOf(t *testing.T, b *Blocks, M []float64, s int) int {
	out := 0
	for k, x := range matVec(b.D, M, b.Spins[s]) {
		switch x {
		case 1:
		case -1:
			out |= 1 << k
		default:
			t.Fatalf("matrix does not map spins to spins")
		}
	}
	return out
}

// The geometric mirror x ↔ y fixes c0 and c2 and exchanges c1 and c3; on
// the spins it acts as R σ. The fine block has every symmetry of the
// square, so it is invariant; the coarse block is invariant under the
// "diagonal" coarse mirror and, for a representation with E, not under
// "axis", whose coarse bonds are σ-invariant although they run along the
// diagonals (docs/conventions.md).
func TestDiagonalMirrorSymmetry(t *testing.T) {
	rng := rand.New(rand.NewPCG(9, 10))
	for _, name := range []string{"A1+E", "2A1+E"} {
		for _, mirror := range []string{"axis", "diagonal"} {
			b := mirrorBlocks(t, name, mirror)
			S, d := b.S, b.D
			Rs := reps.Multiply(d, b.Rep.R, b.Rep.Sigma)
			J, Jp := randomJ(rng, b.C, 0.8), randomJ(rng, b.C, 0.8)
			lf, lcw := b.FineLogWeights(J), b.CoarseLogWeights(Jp)
			coarseDiff := 0.0
			for v := range lf {
				s := [4]int{v / (S * S * S), v / (S * S) % S, v / S % S, v % S}
				var m [4]int
				for i, to := range [4]int{0, 3, 2, 1} {
					m[to] = stateOf(t, b, Rs, s[i])
				}
				w := ((m[0]*S+m[1])*S+m[2])*S + m[3]
				if math.Abs(lf[v]-lf[w]) > 1e-12 {
					t.Fatalf("%s: fine block not invariant under the diagonal mirror: v=%d %v, image %v", name, v, lf[v], lf[w])
				}
				coarseDiff = math.Max(coarseDiff, math.Abs(lcw[v]-lcw[w]))
			}
			if mirror == "diagonal" && coarseDiff > 1e-12 {
				t.Errorf("%s/diagonal: coarse block changes by %g under the diagonal mirror", name, coarseDiff)
			}
			if mirror == "axis" && coarseDiff < 1e-3 {
				t.Errorf("%s/axis: coarse block is invariant under the diagonal mirror (max change %g), so the convention has no effect", name, coarseDiff)
			}
		}
	}
}

func TestKLGradientFiniteDifference(t *testing.T) {
	rng := rand.New(rand.NewPCG(7, 8))
	for _, name := range []string{"A1", "E", "A1+E"} {
		b := mustBlocks(t, name)
		for n := 0; n < 3; n++ {
			J, Jp := randomJ(rng, b.C, 0.8), randomJ(rng, b.C, 0.8)
			_, g := b.KL(J, Jp)
			const h = 1e-5
			for a := range Jp {
				x := append([]float64(nil), Jp...)
				x[a] += h
				up, _ := b.KL(J, x)
				x[a] -= 2 * h
				dn, _ := b.KL(J, x)
				fd := (up - dn) / (2 * h)
				if math.Abs(fd-g[a]) > 1e-7*math.Max(1, math.Abs(fd)) {
					t.Errorf("%s: ∂KL/∂J′_%d = %.12g, finite difference %.12g", name, a, g[a], fd)
				}
			}
		}
	}
}

// A batch gives the same numbers as one coupling at a time, for any number
// of workers, including a ragged last group.
func TestKLBatchConsistent(t *testing.T) {
	rng := rand.New(rand.NewPCG(9, 10))
	b := mustBlocks(t, "A1+E")
	M := 19
	J, Jp := randomJ(rng, M*b.C, 1), randomJ(rng, M*b.C, 1)
	kl1, g1 := make([]float64, M), make([]float64, M*b.C)
	kl3, g3 := make([]float64, M), make([]float64, M*b.C)
	b.KLBatch(J, Jp, kl1, g1, 1)
	b.KLBatch(J, Jp, kl3, g3, 3)
	for m := 0; m < M; m++ {
		one, g := b.KL(J[m*b.C:(m+1)*b.C], Jp[m*b.C:(m+1)*b.C])
		if kl1[m] != kl3[m] || kl1[m] != one {
			t.Fatalf("m=%d: KL %v (1 worker) %v (3 workers) %v (alone)", m, kl1[m], kl3[m], one)
		}
		for a := 0; a < b.C; a++ {
			if g1[m*b.C+a] != g3[m*b.C+a] || g[a] != g1[m*b.C+a] {
				t.Fatalf("m=%d: gradients differ", m)
			}
		}
	}
}

// For one spin per site KLBatch takes a closed form: it agrees with the
// enumeration of the general path (a group of lanes), value and gradient.
func TestKLOneSpinClosedForm(t *testing.T) {
	rng := rand.New(rand.NewPCG(71, 72))
	for _, name := range []string{"A1", "A2", "B1", "B2"} {
		b := mustBlocks(t, name)
		for trial := 0; trial < 40; trial++ {
			scale := []float64{0.05, 0.8, 3, 30}[trial%4]
			J, Jp := randomJ(rng, b.C, scale), randomJ(rng, b.C, scale)
			kl, grad := b.KL(J, Jp)
			ws := b.newWorkspace()
			want, wantG := make([]float64, 1), make([]float64, b.C)
			ws.group(J, Jp, want, wantG)
			// the terms are of size |K|, |K′|: that is the scale of the rounding
			size := 1 + 8*(math.Abs(J[0])+math.Abs(Jp[0]))
			if math.Abs(kl-want[0]) > 1e-13*size {
				t.Fatalf("%s J=%v J′=%v: KL %v, enumeration %v", name, J, Jp, kl, want[0])
			}
			for a := range grad {
				if math.Abs(grad[a]-wantG[a]) > 1e-13*size {
					t.Fatalf("%s J=%v J′=%v: ∂KL/∂J′_%d %v, enumeration %v", name, J, Jp, a, grad[a], wantG[a])
				}
			}
		}
	}
}
