package reps

import (
	"math"
	"strings"
	"testing"
)

func TestGaugeGroupOrders(t *testing.T) {
	for name, want := range map[string]int{"A1": 2, "A1+E": 4, "2A1+E": 16, "A1+2E": 2 * 8, "E": 2, "A1+A2": 4, "B1+B2+E": 8} {
		r, err := Builtin(name)
		if err != nil {
			t.Fatal(err)
		}
		G := r.GaugeGroup()
		if len(G) != want {
			t.Errorf("%s: gauge group has %d elements, want %d", name, len(G), want)
		}
		d := r.D
		for i, P := range G {
			if i == 0 && maxDiff(P, identity(d)) != 0 {
				t.Errorf("%s: first element is not the identity", name)
			}
			if maxDiff(mul(d, P, r.R), mul(d, r.R, P)) > 1e-12 || maxDiff(mul(d, P, r.Sigma), mul(d, r.Sigma, P)) > 1e-12 {
				t.Errorf("%s: element %d does not commute with R and σ", name, i)
			}
			if maxDiff(mul(d, P, transpose(d, P)), identity(d)) > 1e-12 {
				t.Errorf("%s: element %d is not orthogonal", name, i)
			}
			for j := 0; j < i; j++ {
				if maxDiff(P, G[j]) == 0 {
					t.Errorf("%s: elements %d and %d are equal", name, i, j)
				}
			}
		}
	}
}

// CouplingAction must reproduce P_src K(J) P_tgtᵀ, also for a basis that is
// not the unit one.
func TestCouplingAction(t *testing.T) {
	r, _ := Builtin("2A1+E")
	G := r.GaugeGroup()
	J := make([]float64, r.C())
	for i := range J {
		J[i] = 0.1*float64(i) - 0.37
	}
	d, c := r.D, r.C()
	for _, Ps := range [][]float64{nil, G[3], G[10]} {
		for _, Pt := range [][]float64{nil, G[5], G[15]} {
			A := r.CouplingAction(Ps, Pt)
			AJ := make([]float64, c)
			for i := 0; i < c; i++ {
				for j := 0; j < c; j++ {
					AJ[i] += A[i*c+j] * J[j]
				}
			}
			src, tgt := Ps, Pt
			if src == nil {
				src = identity(d)
			}
			if tgt == nil {
				tgt = identity(d)
			}
			want := mul(d, mul(d, src, r.K(J)), transpose(d, tgt))
			if diff := maxDiff(r.K(AJ), want); diff > 1e-12 {
				t.Errorf("K(AJ) differs from P K Pᵀ by %g", diff)
			}
		}
	}
	// a rotated (non-unit) basis from a plugin-style representation
	h := 1 / math.Sqrt2
	U := []float64{1, 0, 0, 0, h, -h, 0, h, h}
	R := mul(3, mul(3, U, r3(t, "A1+E").R), transpose(3, U))
	sigma := mul(3, mul(3, U, r3(t, "A1+E").Sigma), transpose(3, U))
	m, err := FromMatrices("A1+E45", 3, R, sigma, nil)
	if err != nil {
		t.Fatal(err)
	}
	// in this basis σ swaps the E spins; ±1 on the A1 spin times ±1 on the
	// E pair still commute with R and σ, nothing else does
	if g := m.GaugeGroup(); len(g) != 4 {
		t.Errorf("A1+E45 gauge group has %d elements, want 4", len(g))
	}
	Jm := []float64{0.3, -0.2, 0.5, 0.1, 0.7}[:m.C()]
	A := m.CouplingAction(nil, m.GaugeGroup()[len(m.GaugeGroup())-1])
	AJ := make([]float64, m.C())
	for i := range AJ {
		for j := range Jm {
			AJ[i] += A[i*m.C()+j] * Jm[j]
		}
	}
	P := m.GaugeGroup()[len(m.GaugeGroup())-1]
	if diff := maxDiff(m.K(AJ), mul(3, m.K(Jm), transpose(3, P))); diff > 1e-12 {
		t.Errorf("rotated basis: K(AJ) differs from K Pᵀ by %g", diff)
	}
}

func r3(t *testing.T, name string) *Rep {
	r, err := Builtin(name)
	if err != nil {
		t.Fatal(err)
	}
	return r
}

func TestDiagonalMirror(t *testing.T) {
	for _, name := range []string{"A1", "A1+E", "2A1+E", "A1+2E", "A2+E"} {
		r := r3(t, name)
		U, err := r.DiagonalMirror()
		if err != nil {
			t.Fatal(err)
		}
		d := r.D
		if maxDiff(mul(d, U, r.R), mul(d, r.R, U)) > 1e-15 {
			t.Errorf("%s: U does not commute with R", name)
		}
		if maxDiff(mul(d, mul(d, U, r.Sigma), transpose(d, U)), mul(d, r.R, r.Sigma)) > 1e-15 {
			t.Errorf("%s: U σ Uᵀ ≠ R σ", name)
		}
		// every coarse basis matrix of direction 0 is fixed by the diagonal
		// mirror R σ
		Rs := mul(d, r.R, r.Sigma)
		for a, B := range r.CoarseRotatedBasis(U)[0] {
			if maxDiff(mul(d, mul(d, Rs, B), transpose(d, Rs)), B) > 1e-15 {
				t.Errorf("%s: coarse basis matrix %d is not invariant under R σ", name, a)
			}
		}
	}
	for _, name := range []string{"B1", "A1+B2+E"} {
		if _, err := r3(t, name).DiagonalMirror(); err == nil || !strings.Contains(err.Error(), "45°") {
			t.Errorf("%s: err = %v, want a refusal naming the 45° turn", name, err)
		}
	}
	m, _ := FromMatrices("M", 1, []float64{1}, []float64{1}, nil)
	if _, err := m.DiagonalMirror(); err == nil || !strings.Contains(err.Error(), "sum of irreps") {
		t.Errorf("matrix representation: err = %v", err)
	}
}
