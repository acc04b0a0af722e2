package engine

import (
	"math"
	"slices"
	"sync"
)

// visGroup is a group of symmetries of the visible configurations that
// both blocks share, whatever their couplings: each element g moves corner
// i to corner To[i] and maps its state s to St[s], (g·v)_{To[i]} = St[v_i],
// with
//
//	−F_f(g·v; J) = −F_f(v; J)  and  −F_c(g·v; J′) = −F_c(v; J′)
//
// for every J and J′. The exact sums over v (KLSecondOrder) can then visit
// one configuration per orbit: every summand there — P_f, F_f, F_c, the
// derivatives of −F_c in J′ and of −F_f in J — is a function of v alone
// for fixed J and J′, and invariant, since the derivative of an invariant
// function of the parameters is invariant.
//
// Which symmetries hold depends on the representation and the
// conventions (docs/conventions.md): the global flip v → −v always; the
// rotation (c_i → c_{i+1}, v → R v) with rotated bonds; a mirror only
// where the fine block's and the coarse block's mirrors coincide — the
// fine block's diagonal mirror acts on the spins by R σ, the coarse
// block's by σ under the "axis" coarse mirror and by R σ under
// "diagonal", so the full D4 × flip (order 16) is common only to the
// diagonal convention (and to representations without E, where σ and R σ
// agree on everything). Rather than list cases, newVisGroup tests every
// candidate: the eight symmetries of the square acting on the corners,
// combined with the sixteen matrices ±R^k σ^m acting on the spins, and
// keeps those under which each block's bond fields transform by a signed
// permutation N of the hidden spins (which leaves Σ_k lc(ψ_k) unchanged):
//
//	fine:   K_{r′}(B_a) M = N_e K_r(B_a)  for each edge e, both its corners
//	        and every basis matrix B_a (a bond's field is linear in J, so
//	        the basis decides it for every J);
//	coarse: K′_{π(i)}(B_a)ᵀ M = N K′_i(B_a)ᵀ  for every corner i and B_a,
//	        one N (the centre's relabelling) for all corners,
//
// where corner i's bond in direction r is mapped to corner π(i)'s bond in
// the image edge. The test is exact up to the rounding of the basis
// entries (±1, ±1/√2, products of them).
type visGroup struct {
	To [][4]int
	St [][]int
}

// Order is the number of elements.
func (g *visGroup) Order() int { return len(g.To) }

// visGroup returns the blocks' common symmetry group, computed once.
func (b *Blocks) visGroup() *visGroup {
	b.sym.once.Do(func() { b.sym.g = newVisGroup(b) })
	return b.sym.g
}

// symCache holds the group once computed.
type symCache struct {
	once sync.Once
	g    *visGroup
}

func newVisGroup(b *Blocks) *visGroup {
	d, S := b.D, b.S
	// candidate spin matrices ±R^k σ^m that map spin states to spin states
	type spinMap struct {
		M  []float64
		st []int
	}
	var mats []spinMap
	Rk := identityMat(d)
	for k := 0; k < 4; k++ {
		for _, m := range [][]float64{Rk, matMulSq(d, Rk, b.Rep.Sigma)} {
			for _, sign := range []float64{1, -1} {
				M := make([]float64, d*d)
				for i := range M {
					M[i] = sign * m[i]
				}
				st := make([]int, S)
				ok := true
				for s := 0; s < S && ok; s++ {
					st[s], ok = stateOfMatVec(d, M, b.Spins[s])
				}
				if ok {
					mats = append(mats, spinMap{M, st})
				}
			}
		}
		Rk = matMulSq(d, b.Rep.R, Rk)
	}
	// the eight symmetries of the square c0 (0,0), c1 (1,0), c2 (1,1),
	// c3 (0,1): rotations i → i+k and reflections i → k−i (mod 4)
	var perms [][4]int
	for k := 0; k < 4; k++ {
		var rot, ref [4]int
		for i := 0; i < 4; i++ {
			rot[i] = (i + k) % 4
			ref[i] = (k - i + 4) % 4
		}
		perms = append(perms, rot, ref)
	}
	Ns := make([][]float64, len(mats))
	for i, sm := range mats {
		Ns[i] = sm.M
	}
	g := &visGroup{}
	for _, pi := range perms {
		for _, sm := range mats {
			if !g.has(pi, sm.st) && fineSymmetric(b, pi, sm.M, Ns) && coarseSymmetric(b, pi, sm.M, Ns) {
				g.To = append(g.To, pi)
				g.St = append(g.St, sm.st)
			}
		}
	}
	if !g.closed() {
		// cannot happen for a group of candidates; keep the sums exact
		// with the trivial group rather than trust a broken one
		id := make([]int, S)
		for s := range id {
			id[s] = s
		}
		return &visGroup{To: [][4]int{{0, 1, 2, 3}}, St: [][]int{id}}
	}
	return g
}

// fineSymmetric reports whether every fine edge's hidden field transforms
// by one signed permutation under corners π and spins M (see visGroup).
func fineSymmetric(b *Blocks, pi [4]int, M []float64, Ns [][]float64) bool {
	for _, e := range fineEdges {
		a, ra, c, rc := e[0], e[1], e[2], e[3]
		// the image edge and the directions of π(a), π(c) in it
		ra2, rc2 := -1, -1
		for _, f := range fineEdges {
			switch {
			case f[0] == pi[a] && f[2] == pi[c]:
				ra2, rc2 = f[1], f[3]
			case f[0] == pi[c] && f[2] == pi[a]:
				ra2, rc2 = f[3], f[1]
			}
		}
		if ra2 < 0 {
			return false
		}
		found := false
		for _, N := range Ns {
			if bondsMap(b.D, b.RotBasis[ra2], b.RotBasis[ra], M, N, false) && bondsMap(b.D, b.RotBasis[rc2], b.RotBasis[rc], M, N, false) {
				found = true
				break
			}
		}
		if !found {
			return false
		}
	}
	return true
}

// coarseSymmetric reports whether the centre's field transforms by one
// signed permutation under corners π and spins M (see visGroup).
func coarseSymmetric(b *Blocks, pi [4]int, M []float64, Ns [][]float64) bool {
	for _, N := range Ns {
		ok := true
		for i := 0; i < 4 && ok; i++ {
			ok = bondsMap(b.D, b.CoarseBasis[pi[i]], b.CoarseBasis[i], M, N, true)
		}
		if ok {
			return true
		}
	}
	return false
}

// bondsMap reports whether X(B′_a) M = N X(B_a) for every a, with X the
// matrix itself (fields on a bond's source from its target) or, if
// transposed, its transpose (fields on the target from the source).
func bondsMap(d int, img, orig [][]float64, M, N []float64, transposed bool) bool {
	at := func(B []float64, i, j int) float64 {
		if transposed {
			return B[j*d+i]
		}
		return B[i*d+j]
	}
	for a := range orig {
		for i := 0; i < d; i++ {
			for j := 0; j < d; j++ {
				l, r := 0.0, 0.0
				for m := 0; m < d; m++ {
					l += at(img[a], i, m) * M[m*d+j]
					r += N[i*d+m] * at(orig[a], m, j)
				}
				if math.Abs(l-r) > 1e-12 {
					return false
				}
			}
		}
	}
	return true
}

// has reports whether the element (to, st) is in the list (candidates
// ±R^k σ^m can coincide as maps of states, e.g. for d = 1).
func (g *visGroup) has(to [4]int, st []int) bool {
	for k := range g.To {
		if g.To[k] == to && slices.Equal(g.St[k], st) {
			return true
		}
	}
	return false
}

// closed reports whether the elements form a group (closed under
// composition; with finitely many elements that suffices).
func (g *visGroup) closed() bool {
	for x := range g.To {
		for y := range g.To {
			// (x∘y)·v: corner i → To_x[To_y[i]], state St_x[St_y[s]]
			var to [4]int
			for i := range to {
				to[i] = g.To[x][g.To[y][i]]
			}
			st := make([]int, len(g.St[x]))
			for s := range st {
				st[s] = g.St[x][g.St[y][s]]
			}
			if !g.has(to, st) {
				return false
			}
		}
	}
	return true
}

func identityMat(d int) []float64 {
	I := make([]float64, d*d)
	for i := 0; i < d; i++ {
		I[i*d+i] = 1
	}
	return I
}

func matMulSq(d int, A, B []float64) []float64 {
	out := make([]float64, d*d)
	for i := 0; i < d; i++ {
		for k := 0; k < d; k++ {
			if a := A[i*d+k]; a != 0 {
				for j := 0; j < d; j++ {
					out[i*d+j] += a * B[k*d+j]
				}
			}
		}
	}
	return out
}
