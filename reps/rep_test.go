package reps

import (
	"math"
	"strings"
	"testing"
)

func TestParseAndCounts(t *testing.T) {
	cases := []struct {
		in   string
		name string
		d, c int
	}{
		{"A1", "A1", 1, 1},
		{"A1+E", "A1+E", 3, 5},
		{"A1⊕E", "A1+E", 3, 5},
		{" 2A1 + E ", "2A1+E", 4, 10},
		{"A1+2E", "A1+2E", 5, 13},
		{"2A1+2E", "2A1+2E", 6, 20},
		{"A1+3E", "A1+3E", 7, 25},
		{"2A1+3E", "2A1+3E", 8, 34},
		{"A1+4E", "A1+4E", 9, 41},
		{"A2", "A2", 1, 1},
		{"B1+B2", "B1+B2", 2, 2},
	}
	for _, tc := range cases {
		terms, err := ParseSum(tc.in)
		if err != nil {
			t.Fatalf("%q: %v", tc.in, err)
		}
		if got := CanonicalName(terms); got != tc.name {
			t.Errorf("%q: canonical %q, want %q", tc.in, got, tc.name)
		}
		if tc.d > MaxDim {
			if _, err := Builtin(tc.in); err == nil {
				t.Errorf("%q: d = %d accepted beyond MaxDim", tc.in, tc.d)
			}
			continue
		}
		r, err := Builtin(tc.in)
		if err != nil {
			t.Fatalf("%q: %v", tc.in, err)
		}
		if r.D != tc.d || r.C() != tc.c {
			t.Errorf("%q: d=%d c=%d, want d=%d c=%d", tc.in, r.D, r.C(), tc.d, tc.c)
		}
	}
}

func TestParseErrors(t *testing.T) {
	for _, in := range []string{"", "A3", "A1+", "+E", "0A1", "A1+F", "x"} {
		_, err := ParseSum(in)
		if err == nil {
			t.Errorf("%q: no error", in)
			continue
		}
		if !strings.Contains(err.Error(), "representation") {
			t.Errorf("%q: error %q does not say what it is about", in, err)
		}
	}
}

// The A1+E basis is fixed by docs/conventions.md §3: (0,0),(0,1),(1,0),(1,1),(2,2).
func TestA1EBasisOrder(t *testing.T) {
	r, _ := Builtin("A1+E")
	want := [][2]int{{0, 0}, {0, 1}, {1, 0}, {1, 1}, {2, 2}}
	for a, B := range r.Basis {
		for idx, v := range B {
			i, j := idx/3, idx%3
			exp := 0.0
			if i == want[a][0] && j == want[a][1] {
				exp = 1
			}
			if v != exp {
				t.Fatalf("basis %d entry (%d,%d) = %v, want %v", a, i, j, v, exp)
			}
		}
	}
}

// The unit basis must equal the null space of K ↦ σKσᵀ − K computed with
// gonum, once that is brought to canonical form.
func TestUnitBasisIsNullSpace(t *testing.T) {
	for _, name := range []string{"A1", "A2+B1", "A1+E", "2A1+E", "A1+2E", "B2+E+A2"} {
		r, err := Builtin(name)
		if err != nil {
			t.Fatal(err)
		}
		null := InvariantBasis(r.Sigma, r.D)
		if len(null) != len(r.Basis) {
			t.Fatalf("%s: null space has %d vectors, unit basis %d", name, len(null), len(r.Basis))
		}
		for a := range null {
			if maxDiff(null[a], r.Basis[a]) > 1e-12 {
				t.Fatalf("%s: basis %d differs: %v vs %v", name, a, null[a], r.Basis[a])
			}
		}
	}
}

func TestGeneratorsValid(t *testing.T) {
	for _, name := range []string{"A1", "A2", "B1", "B2", "E", "2A1+E", "A1+2E"} {
		r, err := Builtin(name)
		if err != nil {
			t.Fatal(err)
		}
		if err := ValidateGenerators(r.D, r.R, r.Sigma); err != nil {
			t.Errorf("%s: %v", name, err)
		}
	}
}

func TestValidationCatchesBadMatrices(t *testing.T) {
	I2 := []float64{1, 0, 0, 1}
	c, sn := math.Cos(math.Pi/3), math.Sin(math.Pi/3)
	cases := map[string][]float64{
		"not orthogonal": {2, 0, 0, 1},    // R stretches
		"R⁴ ≠ I":         {c, -sn, sn, c}, // a 60° rotation: orthogonal, but of order 6
	}
	for want, R := range cases {
		if err := ValidateGenerators(2, R, I2); err == nil || !strings.Contains(err.Error(), want) {
			t.Errorf("R=%v: err %v, want mention of %q", R, err, want)
		}
	}
	// σ = I with a genuine rotation: σRσ = R ≠ R⁻¹.
	if err := ValidateGenerators(2, []float64{0, -1, 1, 0}, I2); err == nil || !strings.Contains(err.Error(), "σRσ") {
		t.Errorf("σ=I with C4 rotation accepted: %v", err)
	}
	if _, err := FromMatrices("x", 2, []float64{1, 0, 0}, I2, nil); err == nil {
		t.Error("wrong size accepted")
	}
	if _, err := FromMatrices("x", 2, I2, []float64{1, 0, 0, -1}, [][]float64{{0, 1, 0, 0}}); err == nil ||
		!strings.Contains(err.Error(), "mirror-invariant") {
		t.Errorf("non-invariant basis accepted: %v", err)
	}
	if _, err := FromMatrices("x", 2, I2, []float64{1, 0, 0, -1}, [][]float64{{1, 0, 0, 0}, {2, 0, 0, 0}}); err == nil ||
		!strings.Contains(err.Error(), "dependent") {
		t.Errorf("dependent basis accepted: %v", err)
	}
}

// E written in a basis turned by 45°: σ is no longer diagonal, yet the
// invariant basis has the same dimension and is mirror-invariant.
func TestRotatedE(t *testing.T) {
	c, s := math.Cos(math.Pi/4), math.Sin(math.Pi/4)
	Q := []float64{c, -s, s, c}
	e, _ := Builtin("E")
	R := mul(2, mul(2, Q, e.R), transpose(2, Q))
	S := mul(2, mul(2, Q, e.Sigma), transpose(2, Q))
	r, err := FromMatrices("E45", 2, R, S, nil)
	if err != nil {
		t.Fatal(err)
	}
	if r.C() != 2 {
		t.Fatalf("c = %d, want 2", r.C())
	}
	if err := ValidateBasis(2, S, r.Basis); err != nil {
		t.Fatal(err)
	}
}

func TestRotateBond(t *testing.T) {
	r, _ := Builtin("A1+E")
	J := []float64{0.3, -0.2, 0.5, 0.7, -1.1}
	K := r.BondMatrices(J)
	// four quarter turns give the bond back
	if maxDiff(r.Rotate(K[0], 4), K[0]) > 1e-15 {
		t.Fatal("R^4 K R^-4 != K")
	}
	// K_1 = R K_0 Rᵀ by definition; spot-check one entry by hand:
	// E block: R=[[0,-1],[1,0]], K_E=diag(0.7,-1.1) → R K Rᵀ = diag(-1.1, 0.7).
	if K[1][1*3+1] != -1.1 || K[1][2*3+2] != 0.7 {
		t.Fatalf("K_1 E block = %v", K[1])
	}
}

// Characters on the classes of D4: A1 is all ones, E is (0, −2, 0, 0), and
// the character of a sum is the sum of characters.
func TestCharacters(t *testing.T) {
	cases := map[string][4]float64{
		"A1":    {1, 1, 1, 1},
		"B2":    {-1, 1, -1, 1},
		"E":     {0, -2, 0, 0},
		"2A1+E": {2, 0, 2, 2},
	}
	for name, want := range cases {
		r, _ := Builtin(name)
		if got := r.Characters(); got != want {
			t.Errorf("%s: characters %v, want %v", name, got, want)
		}
	}
}
