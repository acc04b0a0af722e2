package divergence_test

import (
	"context"
	"errors"
	"math"
	"math/rand/v2"
	"testing"

	"github.com/rgflow/rgflow/engine"
	"github.com/rgflow/rgflow/engine/divergence"
	"github.com/rgflow/rgflow/engine/geometry"
	"github.com/rgflow/rgflow/reps"
)

func pair(t testing.TB, block string, shells int, rep, mirror string) *divergence.Pair {
	t.Helper()
	g, err := geometry.Parse(block, shells)
	if err != nil {
		t.Fatal(err)
	}
	r, err := reps.Builtin(rep)
	if err != nil {
		t.Fatal(err)
	}
	p, err := divergence.New(g, r, mirror)
	if err != nil {
		t.Fatal(err)
	}
	return p
}

func randomJ(rng *rand.Rand, c int, scale float64) []float64 {
	J := make([]float64, c)
	for i := range J {
		J[i] = scale * rng.NormFloat64()
	}
	return J
}

// bruteKL is KL(J, J′) per coarse site by definition, written apart from
// the package: the bond matrices from the representation (direction r:
// R^r K Rᵀ^r, the coarse reference bond U K Uᵀ under the diagonal
// mirror; a shell-2 coupling of d = 1 the same 1×1 matrix for every
// direction), every hidden site summed over its 2^d states explicitly,
// every visible configuration visited.
func bruteKL(p *divergence.Pair, J, Jp []float64) float64 {
	g, rep, d, S := p.Geometry, p.Rep, p.D, p.S
	c1 := rep.C()
	var U []float64
	if p.Mirror == "diagonal" {
		U, _ = rep.DiagonalMirror()
	}
	bond := func(fine bool, b geometry.Bond, K []float64) []float64 {
		Ks := rep.K(K[(b.Shell-1)*c1 : b.Shell*c1])
		if b.Shell > 1 {
			return Ks
		}
		if !fine && U != nil {
			Ks = reps.Multiply(d, reps.Multiply(d, U, Ks), reps.Transpose(d, U))
		}
		return rep.Rotate(Ks, b.Dir)
	}
	// each hidden site's bonds: (its visible site, the matrix), with the
	// matrix's rows on the source's spins
	type hb struct {
		vis int
		K   []float64
	}
	fineOf := make([][]hb, len(g.FineHidden))
	for _, b := range g.FineBonds {
		fineOf[b.Source] = append(fineOf[b.Source], hb{b.Target, bond(true, b, J)})
	}
	coarseOf := make([][]hb, len(g.CoarseHidden))
	for _, b := range g.CoarseBonds {
		coarseOf[b.Target] = append(coarseOf[b.Target], hb{b.Source, bond(false, b, Jp)})
	}
	n := len(g.Visible)
	total := 1 << (d * n)
	lwf, lwc := make([]float64, total), make([]float64, total)
	terms := make([]float64, S)
	for x := 0; x < total; x++ {
		state := func(v int) int { return (x >> (d * v)) & (S - 1) }
		// log Σ_h exp(Σ_bonds energy), the hidden site's states h summed
		hiddenLog := func(bonds []hb, fine bool) float64 {
			for h := 0; h < S; h++ {
				e := 0.0
				for _, b := range bonds {
					v := state(b.vis)
					for k := 0; k < d; k++ {
						for m := 0; m < d; m++ {
							if fine { // h is the source: hᵀ K v
								e += reps.Spin(h, k) * b.K[k*d+m] * reps.Spin(v, m)
							} else { // v is the source: vᵀ K h
								e += reps.Spin(v, k) * b.K[k*d+m] * reps.Spin(h, m)
							}
						}
					}
				}
				terms[h] = e
			}
			return logSumExp(terms)
		}
		for _, bs := range fineOf {
			lwf[x] += hiddenLog(bs, true)
		}
		for _, bs := range coarseOf {
			lwc[x] += hiddenLog(bs, false)
		}
	}
	lzf, lzc := logSumExp(lwf), logSumExp(lwc)
	kl := 0.0
	for x := range lwf {
		kl += math.Exp(lwf[x]-lzf) * (lwf[x] - lwc[x])
	}
	return (kl - lzf + lzc) / float64(g.CoarseSites())
}

func logSumExp(x []float64) float64 {
	m := math.Inf(-1)
	for _, v := range x {
		m = math.Max(m, v)
	}
	s := 0.0
	for _, v := range x {
		s += math.Exp(v - m)
	}
	return m + math.Log(s)
}

// near reports |a − b| ≤ tol·max(1, |b|).
func near(a, b, tol float64) bool { return math.Abs(a-b) <= tol*math.Max(1, math.Abs(b)) }

func nearAll(a, b []float64, tol float64) bool {
	if len(a) != len(b) {
		return false
	}
	for i := range a {
		if !near(a[i], b[i], tol) {
			return false
		}
	}
	return true
}

// finiteDifferences returns central differences of kl (a function of J
// and J′): the gradient and the Hessian in J′ and the mixed derivative,
// in the layout of Derivatives.
func finiteDifferences(kl func(J, Jp []float64) float64, J, Jp []float64) divergence.Derivatives {
	c := len(J)
	const h = 1e-4
	shift := func(x []float64, i int, by float64) []float64 {
		y := append([]float64(nil), x...)
		y[i] += by
		return y
	}
	out := divergence.Derivatives{KL: kl(J, Jp), Grad: make([]float64, c), Hess: make([]float64, c*c), Mixed: make([]float64, c*c)}
	for a := 0; a < c; a++ {
		out.Grad[a] = (kl(J, shift(Jp, a, h)) - kl(J, shift(Jp, a, -h))) / (2 * h)
		for b := 0; b < c; b++ {
			if b >= a {
				out.Hess[a*c+b] = (kl(J, shift(shift(Jp, a, h), b, h)) - kl(J, shift(shift(Jp, a, h), b, -h)) -
					kl(J, shift(shift(Jp, a, -h), b, h)) + kl(J, shift(shift(Jp, a, -h), b, -h))) / (4 * h * h)
				out.Hess[b*c+a] = out.Hess[a*c+b]
			}
			out.Mixed[a*c+b] = (kl(shift(J, b, h), shift(Jp, a, h)) - kl(shift(J, b, -h), shift(Jp, a, h)) -
				kl(shift(J, b, h), shift(Jp, a, -h)) + kl(shift(J, b, -h), shift(Jp, a, -h))) / (4 * h * h)
		}
	}
	return out
}

// compareFD compares analytic derivatives with finite differences: the
// gradient to tol, the second derivatives (differences of differences) to
// 100·tol.
func compareFD(t *testing.T, name string, d, fd divergence.Derivatives, tol float64) {
	t.Helper()
	c := len(d.Grad)
	for a := 0; a < c; a++ {
		if !near(d.Grad[a], fd.Grad[a], tol) {
			t.Errorf("%s: ∂KL/∂J′_%d = %v, finite differences %v", name, a, d.Grad[a], fd.Grad[a])
		}
		for b := 0; b < c; b++ {
			if !near(d.Hess[a*c+b], fd.Hess[a*c+b], 100*tol) {
				t.Errorf("%s: ∂²KL/∂J′_%d∂J′_%d = %v, finite differences %v", name, a, b, d.Hess[a*c+b], fd.Hess[a*c+b])
			}
			if d.Mixed != nil && !near(d.Mixed[a*c+b], fd.Mixed[a*c+b], 100*tol) {
				t.Errorf("%s: ∂²KL/∂J′_%d∂J_%d = %v, finite differences %v", name, a, b, d.Mixed[a*c+b], fd.Mixed[a*c+b])
			}
		}
	}
}

// Both methods against the brute force on tiny patches and several
// representations: the KL exactly, the derivatives against finite
// differences of the brute-force KL.
func TestAgainstBruteForce(t *testing.T) {
	rng := rand.New(rand.NewPCG(1, 23))
	for _, tc := range []struct {
		block, rep, mirror string
		shells             int
	}{
		{"plaquette", "A1", "axis", 1},
		{"free:2x1", "A1", "axis", 1},
		{"free:2x2", "A1", "axis", 1},
		{"torus:2x2", "A1", "axis", 1},
		{"torus:2x3", "A1", "axis", 1},
		{"free:2x1", "A1", "axis", 2},
		{"torus:2x2", "A1", "axis", 2},
		{"plaquette", "E", "axis", 1},
		{"plaquette", "E", "diagonal", 1},
		{"free:2x1", "A1+B1", "axis", 1},
		{"plaquette", "A1+E", "diagonal", 1},
	} {
		p := pair(t, tc.block, tc.shells, tc.rep, tc.mirror)
		name := tc.block + "/" + tc.rep + "/" + tc.mirror
		if tc.shells > 1 {
			name += "/shells2"
		}
		J, Jp := randomJ(rng, p.C, 0.6), randomJ(rng, p.C, 0.6)
		want := bruteKL(p, J, Jp)
		// the brute force's finite differences, once per case
		fd := finiteDifferences(func(J, Jp []float64) float64 { return bruteKL(p, J, Jp) }, J, Jp)
		for _, m := range []divergence.Method{divergence.Enumerate, divergence.Transfer} {
			p.Method = m
			d := p.KLSecondOrder(J, Jp, true)
			if !near(d.KL, want, 1e-12) {
				t.Errorf("%s, method %d: KL %.15g, brute force %.15g", name, m, d.KL, want)
			}
			compareFD(t, name, d, fd, 1e-6)
		}
	}
}

// The transfer matrix against the enumeration where both run, to about
// 1e-12 (the enumeration's 2^23 sums limit it), with the transfer matrix's
// own derivatives against its finite differences.
func TestTransferAgainstEnumeration(t *testing.T) {
	rng := rand.New(rand.NewPCG(2, 24))
	cases := []struct {
		block, rep string
		shells     int
	}{
		{"torus:3x3", "A1", 1},
		{"free:3x2", "A1", 1},
		{"torus:3x2", "A1", 2},
		{"free:2x2", "A1", 2},
		{"free:2x1", "A1+E", 1},
		{"torus:2x2", "E", 1},
	}
	if !testing.Short() {
		cases = append(cases, struct {
			block, rep string
			shells     int
		}{"free:3x3", "A1", 1})
	}
	for _, tc := range cases {
		p := pair(t, tc.block, tc.shells, tc.rep, "axis")
		name := tc.block + "/" + tc.rep
		J, Jp := randomJ(rng, p.C, 0.5), randomJ(rng, p.C, 0.5)
		J[0], Jp[0] = 0.8, 0.75
		p.Method = divergence.Enumerate
		e := p.KLSecondOrder(J, Jp, true)
		p.Method = divergence.Transfer
		m := p.KLSecondOrder(J, Jp, true)
		const tol = 1e-11
		if !near(m.KL, e.KL, tol) || !nearAll(m.Grad, e.Grad, tol) || !nearAll(m.Hess, e.Hess, tol) || !nearAll(m.Mixed, e.Mixed, tol) {
			t.Errorf("%s shells %d: transfer %+v, enumeration %+v", name, tc.shells, m, e)
		}
		kl := func(J, Jp []float64) float64 { k, _ := p.KL(J, Jp); return k }
		compareFD(t, name, m, finiteDifferences(kl, J, Jp), 1e-6)
		// the batch, its lanes and its workers give the same numbers
		M := 3
		Js, Jps := make([]float64, 0, M*p.C), make([]float64, 0, M*p.C)
		for k := 0; k < M; k++ {
			Js = append(Js, J...)
			Jps = append(Jps, Jp...)
			Jps[len(Jps)-1] += 0.01 * float64(k)
		}
		for _, meth := range []divergence.Method{divergence.Enumerate, divergence.Transfer} {
			p.Method = meth
			kls, grads := make([]float64, M), make([]float64, M*p.C)
			p.KLBatch(Js, Jps, kls, grads, 0)
			for k := 0; k < M; k++ {
				kk, gg := p.KL(Js[k*p.C:(k+1)*p.C], Jps[k*p.C:(k+1)*p.C])
				if kls[k] != kk || !nearAll(grads[k*p.C:(k+1)*p.C], gg, 0) {
					t.Errorf("%s method %d: batch lane %d gives %v %v, KL %v %v", name, meth, k, kls[k], grads[k*p.C:(k+1)*p.C], kk, gg)
				}
			}
		}
	}
}

// The result does not depend on the number of goroutines, bit for bit.
func TestWorkersDoNotChangeTheResult(t *testing.T) {
	J, Jp := []float64{0.77}, []float64{0.71}
	var ref divergence.Derivatives
	for _, m := range []divergence.Method{divergence.Transfer, divergence.Enumerate} {
		// torus:4x4's frontier is large enough for the contraction's steps
		// to be split between goroutines
		p := pair(t, map[divergence.Method]string{divergence.Transfer: "torus:4x4", divergence.Enumerate: "torus:3x3"}[m], 1, "A1", "axis")
		p.Method = m
		for i, w := range []int{1, 2, 5} {
			p.Workers = w
			d := p.KLSecondOrder(J, Jp, true)
			if i == 0 {
				ref = d
				continue
			}
			if d.KL != ref.KL || d.Grad[0] != ref.Grad[0] || d.Hess[0] != ref.Hess[0] || d.Mixed[0] != ref.Mixed[0] {
				t.Errorf("method %d: %d workers give %+v, 1 gives %+v", m, w, d, ref)
			}
		}
	}
}

// The plaquette is engine.Blocks' block pair: the same KL, gradient,
// Hessian and mixed derivative, for several representations and both
// coarse mirrors.
func TestPlaquetteIsTheEngineBlocks(t *testing.T) {
	rng := rand.New(rand.NewPCG(3, 25))
	for _, tc := range []struct{ rep, mirror string }{
		{"A1", "axis"}, {"E", "axis"}, {"A1+E", "axis"}, {"A1+E", "diagonal"}, {"2A1+E", "axis"}, {"A1+A2+B1", "axis"},
	} {
		r, err := reps.Builtin(tc.rep)
		if err != nil {
			t.Fatal(err)
		}
		m, err := engine.ResolveCoarseMirror(r, tc.mirror)
		if err != nil {
			t.Fatal(err)
		}
		b := engine.NewBlocks(r, engine.WithCoarseMirror(m))
		p := pair(t, "plaquette", 1, tc.rep, tc.mirror)
		J, Jp := randomJ(rng, p.C, 0.5), randomJ(rng, p.C, 0.5)
		want := b.KLSecondOrder(J, Jp, true)
		for _, meth := range []divergence.Method{divergence.Enumerate, divergence.Transfer} {
			p.Method = meth
			got := p.KLSecondOrder(J, Jp, true)
			const tol = 1e-12
			if !near(got.KL, want.KL, tol) || !nearAll(got.Grad, want.Grad, tol) || !nearAll(got.Hess, want.Hess, tol) || !nearAll(got.Mixed, want.Mixed, tol) {
				t.Errorf("%s %s method %d: %+v, engine %+v", tc.rep, tc.mirror, meth, got, want)
			}
		}
	}
}

// Trees of plaquettes — coarse sites without a loop, glued at single
// visible sites — give the single plaquette's map exactly for one-spin
// representations: each factor of P_f and P_c is even under the flip of
// its own spins, so its marginal on the one spin it shares is uniform, and
// the sum over a leaf plaquette given the shared spin is a constant; both
// distributions factorise into plaquettes, and the KL per coarse site is
// the plaquette's. (For d > 1 a site's marginal is only flip-even, not
// uniform, and trees do not factorise.)
func TestTreesGiveThePlaquette(t *testing.T) {
	plq := pair(t, "plaquette", 1, "A1", "axis")
	for _, block := range []string{"free:2x1", "free:1x3", "free:4x1"} {
		p := pair(t, block, 1, "A1", "axis")
		for _, x := range [][2]float64{{0.81392, 0.81392}, {0.4, 0.3}, {1.3, 1.7}, {-0.6, 0.9}} {
			J, Jp := []float64{x[0]}, []float64{x[1]}
			want := plq.KLSecondOrder(J, Jp, true)
			got := p.KLSecondOrder(J, Jp, true)
			if !near(got.KL, want.KL, 1e-12) || !nearAll(got.Grad, want.Grad, 1e-12) || !nearAll(got.Hess, want.Hess, 1e-12) || !nearAll(got.Mixed, want.Mixed, 1e-12) {
				t.Errorf("%s at %v: %+v, plaquette %+v", block, x, got, want)
			}
		}
	}
	// a loop changes it: free:2x2's four plaquettes surround a white one
	p := pair(t, "free:2x2", 1, "A1", "axis")
	J, Jp := []float64{0.8}, []float64{0.8}
	if a, b := p.KLSecondOrder(J, Jp, false), plq.KLSecondOrder(J, Jp, false); near(a.KL, b.KL, 1e-6) {
		t.Errorf("free:2x2 has the plaquette's KL %v", a.KL)
	}
}

// Refusals: shells beyond the first for d > 1, a shell without coarse
// bonds, an unknown mirror, an inconsistent geometry.
func TestNewRefuses(t *testing.T) {
	r, _ := reps.Builtin("A1+E")
	a1, _ := reps.Builtin("A1")
	g2, _ := geometry.Parse("free:2x2", 2)
	if _, err := divergence.New(g2, r, "axis"); err == nil {
		t.Error("shell 2 with A1+E accepted")
	}
	plq2, _ := geometry.Parse("plaquette", 2)
	if _, err := divergence.New(plq2, a1, "axis"); err == nil {
		t.Error("shell 2 on the plaquette (no coarse shell-2 bond) accepted")
	}
	g, _ := geometry.Parse("free:2x2", 1)
	if _, err := divergence.New(g, a1, "sideways"); err == nil {
		t.Error("an unknown mirror accepted")
	}
	bad, _ := geometry.Parse("free:2x2", 1)
	bad.FineBonds = bad.FineBonds[1:]
	if _, err := divergence.New(bad, a1, "axis"); err == nil {
		t.Error("an inconsistent geometry accepted")
	}
}

// A done context stops both methods, and a live one gives the plain
// evaluation's numbers.
func TestContextStops(t *testing.T) {
	for _, m := range []divergence.Method{divergence.Enumerate, divergence.Transfer} {
		p := pair(t, "free:3x2", 1, "A1", "axis")
		p.Method = m
		J, Jp := []float64{0.7}, []float64{0.75}
		ctx, cancel := context.WithCancel(context.Background())
		cancel()
		if _, err := p.KLSecondOrderContext(ctx, J, Jp, true); !errors.Is(err, context.Canceled) {
			t.Errorf("method %d: KLSecondOrderContext on a cancelled context: %v", m, err)
		}
		kl, grad := make([]float64, 1), make([]float64, 1)
		if err := p.KLBatchContext(ctx, J, Jp, kl, grad, 1); !errors.Is(err, context.Canceled) {
			t.Errorf("method %d: KLBatchContext on a cancelled context: %v", m, err)
		}
		d, err := p.KLSecondOrderContext(context.Background(), J, Jp, true)
		if want := p.KLSecondOrder(J, Jp, true); err != nil || d.KL != want.KL || d.Grad[0] != want.Grad[0] || d.Hess[0] != want.Hess[0] {
			t.Errorf("method %d: with a live context %+v, %v; plainly %+v", m, d, err, want)
		}
	}
}
