package divergence

import (
	"math"

	"github.com/rgflow/rgflow/kernels"
)

// table is one factor class's values for one coupling vector, over its
// local configurations x (the scope's states, slot 0 fastest, x =
// Σ_m s_m S^m): log w(x), its largest value, and when asked the first
// derivatives d[x·c+a] = ∂ log w/∂J_a (g for a coarse factor, u for a fine
// one) and the second ones h[x·nh+t] over the upper triangle t = (a ≤ b)
// in row-major order.
type table struct {
	lw  []float64
	max float64
	w   []float64 // exp(lw − max)
	d   []float64
	h   []float64
}

// classTable evaluates a class at couplings K (J for a fine class, J′ for
// a coarse one). With field_k(x) = Σ_bonds (K_bond v(x_slot))_k (the
// transpose for a coarse bond), log w = Σ_k lc(field_k), ∂_a log w =
// Σ_k tanh(field_k) ∂_a field_k and ∂_a∂_b log w = Σ_k sech²(field_k)
// ∂_a field_k ∂_b field_k (the field is linear in K).
func (p *Pair) classTable(cl *class, K []float64, first, second bool) table {
	c, d, S := p.C, p.D, p.S
	nb := len(cl.slots)
	// the field of each bond with the couplings contracted: fk[b][s·d+k]
	fk := make([][]float64, nb)
	for b := range fk {
		fk[b] = make([]float64, S*d)
		F := cl.field[b]
		for s := 0; s < S; s++ {
			for a := 0; a < c; a++ {
				if K[a] == 0 {
					continue
				}
				for k := 0; k < d; k++ {
					fk[b][s*d+k] += K[a] * F[(s*c+a)*d+k]
				}
			}
		}
	}
	nx := 1
	for i := 0; i < cl.m; i++ {
		nx *= S
	}
	nh := c * (c + 1) / 2
	t := table{lw: make([]float64, nx), max: math.Inf(-1)}
	if first {
		t.d = make([]float64, nx*c)
	}
	if second {
		t.h = make([]float64, nx*nh)
	}
	field := make([]float64, d)
	th, q := make([]float64, d), make([]float64, d)
	D := make([]float64, c*d) // ∂_a field_k
	st := make([]int, nb)     // each bond's visible state
	for x := 0; x < nx; x++ {
		clear(field)
		for b, slot := range cl.slots {
			s := (x >> (uint(p.D) * uint(slot))) & (S - 1)
			st[b] = s
			for k := 0; k < d; k++ {
				field[k] += fk[b][s*d+k]
			}
		}
		lw := 0.0
		for k := 0; k < d; k++ {
			l, tk := kernels.LcTanh(field[k])
			lw += l
			th[k], q[k] = tk, 1-tk*tk
		}
		t.lw[x] = lw
		t.max = math.Max(t.max, lw)
		if !first && !second {
			continue
		}
		clear(D)
		for b, s := range st {
			F := cl.field[b][s*c*d : (s+1)*c*d]
			for i, v := range F {
				D[i] += v
			}
		}
		if first {
			row := t.d[x*c : (x+1)*c]
			for a := 0; a < c; a++ {
				g := 0.0
				for k := 0; k < d; k++ {
					g += th[k] * D[a*d+k]
				}
				row[a] = g
			}
		}
		if second {
			row := t.h[x*nh : (x+1)*nh]
			n := 0
			for a := 0; a < c; a++ {
				for b := a; b < c; b++ {
					h := 0.0
					for k := 0; k < d; k++ {
						h += q[k] * D[a*d+k] * D[b*d+k]
					}
					row[n] = h
					n++
				}
			}
		}
	}
	t.w = make([]float64, nx)
	for x, lw := range t.lw {
		t.w[x] = math.Exp(lw - t.max)
	}
	return t
}

// triangle returns the index of (a, b), a ≤ b, in the upper triangle of a
// c×c matrix taken row by row.
func triangle(a, b, c int) int {
	if a > b {
		a, b = b, a
	}
	return a*c - a*(a-1)/2 + (b - a)
}
