package reps

import (
	"fmt"
	"math"

	"gonum.org/v1/gonum/mat"
)

// Rep is an on-site representation ρ of D4 together with the coupling basis
// of a bond. Matrices are d×d, row-major, in flat slices.
type Rep struct {
	Name   string // canonical name, e.g. "2A1+E"
	Source string // where it came from: BuiltinSource or a plugin path
	Terms  []Term // irreps content; nil for a representation given by matrices
	D      int    // spins per site
	R      []float64
	Sigma  []float64
	// Basis holds the c coupling matrices B_a; a coupling vector J means
	// K(J) = Σ_a J_a B_a.
	Basis [][]float64
}

// BuiltinSource is the Source of every representation Builtin makes.
const BuiltinSource = "built-in"

// Builtin builds the representation named by an irreps sum.
func Builtin(name string) (*Rep, error) {
	terms, err := ParseSum(name)
	if err != nil {
		return nil, err
	}
	d := 0
	for _, t := range terms {
		ir, _ := irrepByName(t.Irrep)
		d += t.Mult * ir.Dim
	}
	if d > MaxDim {
		return nil, fmt.Errorf("representation %s has d = %d spins per site; at most %d are supported (the samplers keep a site state in a byte; the exact KL stops at %d)", CanonicalName(terms), d, MaxDim, MaxExactDim)
	}
	R := make([]float64, d*d)
	S := make([]float64, d*d)
	off := 0
	for _, t := range terms {
		ir, _ := irrepByName(t.Irrep)
		for m := 0; m < t.Mult; m++ {
			for i := 0; i < ir.Dim; i++ {
				for j := 0; j < ir.Dim; j++ {
					R[(off+i)*d+off+j] = ir.R[i][j]
					S[(off+i)*d+off+j] = ir.Sigma[i][j]
				}
			}
			off += ir.Dim
		}
	}
	rep := &Rep{Name: CanonicalName(terms), Source: BuiltinSource, Terms: terms, D: d, R: R, Sigma: S}
	rep.Basis = UnitBasis(S, d)
	return rep, nil
}

// FromMatrices builds a representation from explicit generator matrices, as
// a plugin serves it. basis may be nil, in which case the canonical basis of
// mirror-invariant matrices is computed (see InvariantBasis). Everything is
// validated; the error names what is wrong.
func FromMatrices(name string, d int, R, sigma []float64, basis [][]float64) (*Rep, error) {
	if d < 1 || d > MaxDim {
		return nil, fmt.Errorf("representation %q: dimension d = %d is outside 1..%d", name, d, MaxDim)
	}
	if len(R) != d*d || len(sigma) != d*d {
		return nil, fmt.Errorf("representation %q: R has %d entries and σ has %d, want %d×%d = %d each", name, len(R), len(sigma), d, d, d*d)
	}
	if err := ValidateGenerators(d, R, sigma); err != nil {
		return nil, fmt.Errorf("representation %q: %v", name, err)
	}
	if basis == nil {
		basis = InvariantBasis(sigma, d)
	} else if err := ValidateBasis(d, sigma, basis); err != nil {
		return nil, fmt.Errorf("representation %q: %v", name, err)
	}
	return &Rep{Name: name, D: d, R: clone(R), Sigma: clone(sigma), Basis: basis}, nil
}

// C is the number of couplings.
func (r *Rep) C() int { return len(r.Basis) }

// States is the number of spin states of one site, 2^d.
func (r *Rep) States() int { return 1 << r.D }

// K returns K(J) = Σ_a J_a B_a.
func (r *Rep) K(J []float64) []float64 {
	if len(J) != r.C() {
		panic(fmt.Sprintf("reps: coupling vector has %d entries, %s needs %d", len(J), r.Name, r.C()))
	}
	K := make([]float64, r.D*r.D)
	for a, B := range r.Basis {
		for i, b := range B {
			K[i] += J[a] * b
		}
	}
	return K
}

// Rotate returns R^n K (Rᵀ)^n, the matrix of a bond turned n quarter turns.
func (r *Rep) Rotate(K []float64, n int) []float64 {
	out := clone(K)
	for ; n > 0; n-- {
		out = mul(r.D, mul(r.D, r.R, out), transpose(r.D, r.R))
	}
	return out
}

// BondMatrices returns K_r for the four directions r = 0..3.
func (r *Rep) BondMatrices(J []float64) [4][]float64 {
	K := r.K(J)
	var out [4][]float64
	for n := 0; n < 4; n++ {
		out[n] = r.Rotate(K, n)
	}
	return out
}

// RotatedBasis returns B_{a,r} = R^r B_a (Rᵀ)^r: ∂K_r/∂J_a.
func (r *Rep) RotatedBasis() [4][][]float64 {
	var out [4][][]float64
	for n := 0; n < 4; n++ {
		out[n] = make([][]float64, r.C())
		for a, B := range r.Basis {
			out[n][a] = r.Rotate(B, n)
		}
	}
	return out
}

// Characters returns the traces of R, R², σ and Rσ: with the dimension
// (the trace of the identity) they are the character of the representation
// on the conjugacy classes of D4 — {R, R³}, {R²}, {σ, R²σ}, {Rσ, R³σ} — and
// two representations are equivalent exactly when their characters agree.
func (r *Rep) Characters() [4]float64 {
	d := r.D
	tr := func(a []float64) float64 {
		t := 0.0
		for i := 0; i < d; i++ {
			t += a[i*d+i]
		}
		return t
	}
	return [4]float64{tr(r.R), tr(mul(d, r.R, r.R)), tr(r.Sigma), tr(mul(d, r.R, r.Sigma))}
}

// Spin returns component k (±1) of site state s: bit k set means spin −1.
func Spin(s, k int) float64 { return float64(1 - 2*((s>>k)&1)) }

// UnitBasis is the coupling basis for a diagonal σ: the unit matrices E_ij
// with σ_ii σ_jj = +1, in row-major order of (i, j).
func UnitBasis(sigma []float64, d int) [][]float64 {
	var basis [][]float64
	for i := 0; i < d; i++ {
		for j := 0; j < d; j++ {
			if sigma[i*d+i]*sigma[j*d+j] > 0 {
				B := make([]float64, d*d)
				B[i*d+j] = 1
				basis = append(basis, B)
			}
		}
	}
	return basis
}

// InvariantBasis computes a basis of {K : σ K σᵀ = K} for any orthogonal
// involution σ: the null space of K ↦ σKσᵀ − K (from an SVD), brought to
// reduced row-echelon form so that it is canonical. For a diagonal σ it
// equals UnitBasis.
func InvariantBasis(sigma []float64, d int) [][]float64 {
	n := d * d
	L := mat.NewDense(n, n, nil)
	for i := 0; i < d; i++ {
		for j := 0; j < d; j++ {
			// column (i,j): image of E_ij, which is σ_{:,i} σ_{:,j}ᵀ − E_ij.
			for p := 0; p < d; p++ {
				for q := 0; q < d; q++ {
					v := sigma[p*d+i] * sigma[q*d+j]
					if p == i && q == j {
						v--
					}
					L.Set(p*d+q, i*d+j, v)
				}
			}
		}
	}
	var svd mat.SVD
	if !svd.Factorize(L, mat.SVDFull) {
		panic("reps: SVD failed")
	}
	vals := svd.Values(nil)
	var V mat.Dense
	svd.VTo(&V)
	var null [][]float64
	for k := 0; k < n; k++ {
		if vals[k] < 1e-9 {
			null = append(null, mat.Col(nil, k, &V))
		}
	}
	return rref(null)
}

// rref brings the rows to reduced row-echelon form and rounds off noise.
func rref(rows [][]float64) [][]float64 {
	if len(rows) == 0 {
		return nil
	}
	n := len(rows[0])
	lead := 0
	for r := 0; r < len(rows) && lead < n; r++ {
		// pivot: largest magnitude in column lead at or below r
		for lead < n {
			best := r
			for i := r + 1; i < len(rows); i++ {
				if math.Abs(rows[i][lead]) > math.Abs(rows[best][lead]) {
					best = i
				}
			}
			if math.Abs(rows[best][lead]) > 1e-9 {
				rows[r], rows[best] = rows[best], rows[r]
				break
			}
			lead++
		}
		if lead == n {
			break
		}
		p := rows[r][lead]
		for j := range rows[r] {
			rows[r][j] /= p
		}
		for i := range rows {
			if i != r {
				f := rows[i][lead]
				for j := range rows[i] {
					rows[i][j] -= f * rows[r][j]
				}
			}
		}
		lead++
	}
	for _, row := range rows {
		for j, v := range row {
			if math.Abs(v) < 1e-12 {
				row[j] = 0
			} else if math.Abs(v-math.Round(v)) < 1e-12 {
				row[j] = math.Round(v)
			}
		}
	}
	return rows
}

// ValidateGenerators checks that R and σ generate a representation of D4:
// both orthogonal, R⁴ = I, σ² = I and σRσ = R⁻¹.
func ValidateGenerators(d int, R, sigma []float64) error {
	for _, v := range append(clone(R), sigma...) {
		if math.IsNaN(v) || math.IsInf(v, 0) {
			return fmt.Errorf("generator matrices contain NaN or Inf")
		}
	}
	I := identity(d)
	Rt := transpose(d, R)
	checks := []struct {
		what string
		got  []float64
		want []float64
	}{
		{"R is not orthogonal (R Rᵀ ≠ I)", mul(d, R, Rt), I},
		{"σ is not orthogonal (σ σᵀ ≠ I)", mul(d, sigma, transpose(d, sigma)), I},
		{"R⁴ ≠ I", mul(d, mul(d, R, R), mul(d, R, R)), I},
		{"σ² ≠ I", mul(d, sigma, sigma), I},
		{"σRσ ≠ R⁻¹", mul(d, mul(d, sigma, R), sigma), Rt},
	}
	for _, c := range checks {
		if maxDiff(c.got, c.want) > 1e-9 {
			return fmt.Errorf("%s", c.what)
		}
	}
	return nil
}

// ValidateBasis checks that every basis matrix has d×d entries, is invariant
// under the bond mirror (σBσᵀ = B), and that the matrices are linearly
// independent.
func ValidateBasis(d int, sigma []float64, basis [][]float64) error {
	if len(basis) == 0 {
		return fmt.Errorf("coupling basis is empty")
	}
	St := transpose(d, sigma)
	for a, B := range basis {
		if len(B) != d*d {
			return fmt.Errorf("coupling basis matrix %d has %d entries, want %d", a, len(B), d*d)
		}
		if maxDiff(mul(d, mul(d, sigma, B), St), B) > 1e-9 {
			return fmt.Errorf("coupling basis matrix %d is not mirror-invariant (σBσᵀ ≠ B)", a)
		}
	}
	M := mat.NewDense(len(basis), d*d, nil)
	for a, B := range basis {
		M.SetRow(a, B)
	}
	var svd mat.SVD
	if !svd.Factorize(M, mat.SVDNone) {
		return fmt.Errorf("coupling basis: SVD failed")
	}
	vals := svd.Values(nil)
	if len(basis) > d*d || vals[len(vals)-1] < 1e-9*math.Max(1, vals[0]) {
		return fmt.Errorf("coupling basis matrices are linearly dependent")
	}
	return nil
}

func clone(a []float64) []float64 { return append([]float64(nil), a...) }

func identity(d int) []float64 {
	I := make([]float64, d*d)
	for i := 0; i < d; i++ {
		I[i*d+i] = 1
	}
	return I
}

func mul(d int, a, b []float64) []float64 {
	c := make([]float64, d*d)
	for i := 0; i < d; i++ {
		for k := 0; k < d; k++ {
			aik := a[i*d+k]
			if aik == 0 {
				continue
			}
			for j := 0; j < d; j++ {
				c[i*d+j] += aik * b[k*d+j]
			}
		}
	}
	return c
}

func transpose(d int, a []float64) []float64 {
	t := make([]float64, d*d)
	for i := 0; i < d; i++ {
		for j := 0; j < d; j++ {
			t[j*d+i] = a[i*d+j]
		}
	}
	return t
}

func maxDiff(a, b []float64) float64 {
	m := 0.0
	for i := range a {
		m = math.Max(m, math.Abs(a[i]-b[i]))
	}
	return m
}
