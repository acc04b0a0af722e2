// Package engine holds rgflow's physics and learning: the fine (square) and
// coarse (cross) Lieb blocks, the divergences between them, the flow
// network, the HMC sampler, the optimiser, the trainer and the read-out of
// the critical point. Conventions: docs/conventions.md.
package engine

import (
	"fmt"
	"math"
	"sync"

	"github.com/rgflow/rgflow/kernels"
	"github.com/rgflow/rgflow/reps"
)

// Blocks precomputes what every evaluation for one representation needs:
// the spin vectors of the 2^d site states and the rotated coupling bases.
type Blocks struct {
	Rep   *reps.Rep
	D, S  int         // spins per site, states per site (2^d)
	C     int         // couplings
	Spins [][]float64 // Spins[s][k] = ±1
	// RotBasis[r][a] = R^r B_a (Rᵀ)^r, the derivative of the fine block's
	// direction-r bond matrix with respect to J_a.
	RotBasis [4][][]float64
	// CoarseBasis[r][a] = ∂K′_r/∂J′_a for the coarse block: RotBasis under
	// the "axis" coarse mirror, R^r U B_a Uᵀ (Rᵀ)^r under "diagonal"
	// (docs/conventions.md, "Coarse mirror").
	CoarseBasis [4][][]float64
	Mirror      CoarseMirror
	// Bonds is the bond convention, "rotated" or "unrotated" (WithBonds):
	// unrotated blocks have no rotation symmetry.
	Bonds string

	kern kernels.Path // runs the enumeration of KLBatch
	pool sync.Pool    // of *workspace, for batches evaluated without new goroutines
	sym  symCache     // the symmetry group of KLSecondOrder's sums
}

// Fine-block edges as (site a, direction to a, site b, direction to b); the
// hidden edge site is the source of both bonds (docs/conventions.md §5). The edge
// tables of the kernels follow this order: (c0,c1), (c1,c2), (c2,c3), (c0,c3).
var fineEdges = [4][4]int{
	{0, 0, 1, 2}, // e0: c0 (−x), c1 (+x)
	{1, 1, 2, 3}, // e1: c1 (−y), c2 (+y)
	{2, 2, 3, 0}, // e2: c2 (+x), c3 (−x)
	{0, 1, 3, 3}, // e3: c0 (−y), c3 (+y)
}

// NewBlocks prepares the block pair for a representation. Options:
// WithKernels, WithCoarseMirror, WithBonds (unrotated bonds ignore the
// coarse mirror: NewTrainer refuses the pair).
func NewBlocks(rep *reps.Rep, opts ...Option) *Blocks {
	o := newOptions(opts)
	b := &Blocks{Rep: rep, D: rep.D, S: rep.States(), C: rep.C(), RotBasis: rep.RotatedBasis(), kern: o.kernels, Mirror: o.mirror}
	if b.Mirror.Name == "" {
		b.Mirror.Name = "axis"
	}
	b.CoarseBasis = rep.CoarseRotatedBasis(b.Mirror.U)
	b.Bonds = BondsRotated
	if o.unrotated {
		b.Bonds = BondsUnrotated
		b.RotBasis, b.CoarseBasis = unrotatedBases(rep)
	}
	b.Spins = make([][]float64, b.S)
	for s := range b.Spins {
		b.Spins[s] = make([]float64, b.D)
		for k := range b.Spins[s] {
			b.Spins[s][k] = reps.Spin(s, k)
		}
	}
	return b
}

// Kernels is the kernel path the blocks' enumeration runs on.
func (b *Blocks) Kernels() kernels.Path { return b.kern }

// scratch holds the buffers of one goroutine's table building, so the hot
// path allocates nothing.
type scratch struct {
	K      [4][]float64 // bond matrices K_r, d×d
	fields [4][]float64 // fields[r][s*d+i] = (K_r v(s))_i
	T      [4][]float64 // fine edge tables, S×S
	U      [4][]float64 // coarse field tables, S×d
	buf    []float64    // S
	all    []float64    // S×S
	logw   []float64    // S
	x      []float64    // S×4×d
}

func (b *Blocks) newScratch() *scratch {
	d, S := b.D, b.S
	sc := &scratch{buf: make([]float64, S), all: make([]float64, S*S), logw: make([]float64, S), x: make([]float64, S*4*d)}
	for r := 0; r < 4; r++ {
		sc.K[r] = make([]float64, d*d)
		sc.fields[r] = make([]float64, S*d)
		sc.T[r] = make([]float64, S*S)
		sc.U[r] = make([]float64, S*d)
	}
	return sc
}

// bondMatrices sets K[r] = Σ_a J_a basis[r][a] (linear in J, so no
// matrix products are needed per coupling); basis is RotBasis for the fine
// block and CoarseBasis for the coarse one.
func (b *Blocks) bondMatrices(basis *[4][][]float64, J []float64, K *[4][]float64) {
	if len(J) != b.C {
		panic(fmt.Sprintf("engine: coupling vector has %d entries, %s needs %d", len(J), b.Rep.Name, b.C))
	}
	for r := 0; r < 4; r++ {
		k := K[r]
		clear(k)
		for a, B := range basis[r] {
			if J[a] == 0 {
				continue
			}
			for i, v := range B {
				k[i] += J[a] * v
			}
		}
	}
}

// FineTables returns the four edge tables of −F_f for coupling J:
// T[e][sa*S+sb] = Σ_k lc((K_{ra} v(sa) + K_{rb} v(sb))_k), lc being
// kernels.LcTanh's log(2 cosh).
func (b *Blocks) FineTables(J []float64) [4][]float64 {
	sc := b.newScratch()
	b.fineTables(J, sc)
	return sc.T
}

func (b *Blocks) fineTables(J []float64, sc *scratch) {
	d, S := b.D, b.S
	b.bondMatrices(&b.RotBasis, J, &sc.K)
	// fields[r][s] = K_r v(s): the field a corner in state s puts on a hidden
	// edge site that reaches it in direction r.
	b.siteFields(&sc.K, &sc.fields, nil)
	for e, edge := range fineEdges {
		fa, fb := sc.fields[edge[1]], sc.fields[edge[3]]
		T := sc.T[e]
		for sa := 0; sa < S; sa++ {
			for sb := 0; sb < S; sb++ {
				sum := 0.0
				for k := 0; k < d; k++ {
					lc, _ := kernels.LcTanh(fa[sa*d+k] + fb[sb*d+k])
					sum += lc
				}
				T[sa*S+sb] = sum
			}
		}
	}
}

// FineLogZ sums the fine block's cycle c0–c1–c2–c3–c0 as a trace of
// transfer matrices in the log domain: O(S³) instead of O(S⁴), and exact
// for any coupling size.
func (b *Blocks) FineLogZ(T [4][]float64) float64 {
	sc := b.newScratch()
	sc.T = T
	return b.fineLogZ(sc)
}

func (b *Blocks) fineLogZ(sc *scratch) float64 {
	S, T, buf := b.S, sc.T, sc.buf
	// A[s0][s2] = log Σ_{s1} exp(T01[s0,s1] + T12[s1,s2])
	// B[s0][s2] = log Σ_{s3} exp(T23[s2,s3] + T03[s0,s3])
	for s0 := 0; s0 < S; s0++ {
		for s2 := 0; s2 < S; s2++ {
			for s1 := 0; s1 < S; s1++ {
				buf[s1] = T[0][s0*S+s1] + T[1][s1*S+s2]
			}
			A := logSumExp(buf)
			for s3 := 0; s3 < S; s3++ {
				buf[s3] = T[2][s2*S+s3] + T[3][s0*S+s3]
			}
			sc.all[s0*S+s2] = A + logSumExp(buf)
		}
	}
	return logSumExp(sc.all)
}

// CoarseFields returns the coarse block's per-site field tables for J′:
// U[i][s*d+k] = (K′_iᵀ v(s))_k, so that φ(v) = Σ_i U_i[s_i].
func (b *Blocks) CoarseFields(Jp []float64) [4][]float64 {
	sc := b.newScratch()
	b.coarseFields(Jp, sc)
	return sc.U
}

func (b *Blocks) coarseFields(Jp []float64, sc *scratch) {
	b.bondMatrices(&b.CoarseBasis, Jp, &sc.K)
	b.siteFields(&sc.K, nil, &sc.U)
}

// siteFields sets, for every bond direction r and site state s, the field
// f[r][s·d+k] = (K_r v(s))_k that a site in state s puts on the source end
// of the bond, and ft[r][s·d+k] = (K_rᵀ v(s))_k that it puts on the target
// end. Either may be nil.
func (b *Blocks) siteFields(K *[4][]float64, f, ft *[4][]float64) {
	d, S := b.D, b.S
	for r := 0; r < 4; r++ {
		Kr := K[r][:d*d]
		var fr, ftr []float64
		if f != nil {
			fr = f[r][:S*d]
		}
		if ft != nil {
			ftr = ft[r][:S*d]
		}
		for s := 0; s < S; s++ {
			v := b.Spins[s][:d]
			for k := 0; k < d; k++ {
				// row k and column k of K_r, summed in the order of m
				row := Kr[k*d : (k+1)*d]
				x, y := 0.0, 0.0
				for m, vm := range v {
					x += row[m] * vm
					y += Kr[m*d+k] * vm
				}
				if fr != nil {
					fr[s*d+k] = x
				}
				if ftr != nil {
					ftr[s*d+k] = y
				}
			}
		}
	}
}

// CoarseLogZ sums the coarse block over its 2^d hidden centre states instead
// of the 2^{4d} visible ones: for fixed centre spins h the corners are
// independent, Z_c = Σ_h Π_i Π_m 2cosh((K′_i h)_m). If grad is not nil it
// receives ∂ log Z_c / ∂J′_a = E_{P_c}[−∂F_c/∂J′_a].
func (b *Blocks) CoarseLogZ(Jp []float64, grad []float64) float64 {
	return b.coarseLogZ(Jp, grad, b.newScratch())
}

func (b *Blocks) coarseLogZ(Jp []float64, grad []float64, sc *scratch) float64 {
	d, S := b.D, b.S
	b.bondMatrices(&b.CoarseBasis, Jp, &sc.K)
	logw, th := sc.logw, sc.x // th[(h*4+i)*d+m] = tanh (K′_i h)_m
	for h := 0; h < S; h++ {
		sum := 0.0
		for i := 0; i < 4; i++ {
			K := sc.K[i]
			for m := 0; m < d; m++ {
				v := 0.0
				for k := 0; k < d; k++ {
					v += K[m*d+k] * b.Spins[h][k]
				}
				l, t := kernels.LcTanh(v)
				th[(h*4+i)*d+m] = t
				sum += l
			}
		}
		logw[h] = sum
	}
	logZ := logSumExp(logw)
	if grad == nil {
		return logZ
	}
	clear(grad)
	for h := 0; h < S; h++ {
		q := math.Exp(logw[h] - logZ)
		for i := 0; i < 4; i++ {
			for m := 0; m < d; m++ {
				t := q * th[(h*4+i)*d+m]
				// Σ_a t · (B_{a,i} h)_m
				for a := range grad {
					B := b.CoarseBasis[i][a][m*d : m*d+d]
					bh := 0.0
					for k, v := range B {
						bh += v * b.Spins[h][k]
					}
					grad[a] += t * bh
				}
			}
		}
	}
	return logZ
}

// logSumExp returns log Σ exp(x_i), stable for any range.
func logSumExp(x []float64) float64 {
	m := math.Inf(-1)
	for _, v := range x {
		if v > m {
			m = v
		}
	}
	if math.IsInf(m, 0) {
		return m
	}
	s := 0.0
	for _, v := range x {
		s += math.Exp(v - m)
	}
	return m + math.Log(s)
}

// FineLogWeights returns −F_f(v) for all 2^{4d} visible configurations,
// indexed v = ((s0·S + s1)·S + s2)·S + s3. It is for checks and analysis;
// training goes through the kernels.
func (b *Blocks) FineLogWeights(J []float64) []float64 {
	T := b.FineTables(J)
	S := b.S
	out := make([]float64, S*S*S*S)
	for v := range out {
		s0, s1, s2, s3 := v/(S*S*S), v/(S*S)%S, v/S%S, v%S
		out[v] = T[0][s0*S+s1] + T[1][s1*S+s2] + T[2][s2*S+s3] + T[3][s0*S+s3]
	}
	return out
}

// CoarseLogWeights returns −F_c(v; J′) for all visible configurations, in
// the order of FineLogWeights.
func (b *Blocks) CoarseLogWeights(Jp []float64) []float64 {
	U := b.CoarseFields(Jp)
	S, d := b.S, b.D
	out := make([]float64, S*S*S*S)
	for v := range out {
		s := [4]int{v / (S * S * S), v / (S * S) % S, v / S % S, v % S}
		sum := 0.0
		for k := 0; k < d; k++ {
			phi := 0.0
			for i := 0; i < 4; i++ {
				phi += U[i][s[i]*d+k]
			}
			lc, _ := kernels.LcTanh(phi)
			sum += lc
		}
		out[v] = sum
	}
	return out
}
