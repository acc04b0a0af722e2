package engine

import (
	"fmt"
	"math"
)

// Oracle is the exact variational RG map J ↦ J′*(J) = argmin_{J′} KL(J, J′)
// (docs/conventions.md §11): the map that training approximates. Its fixed point is the
// best estimate any network can reach for the representation.
type Oracle struct {
	B *Blocks
}

// OracleResult is the fixed point of the oracle map and its slope there.
type OracleResult struct {
	Rep    string  `json:"rep"`
	Jstar  float64 `json:"j_star"`
	Lambda float64 `json:"lambda"` // dJ′*/dJ at J*
	Nu     float64 `json:"nu"`     // ln √2 / ln λ
	KL     float64 `json:"kl"`     // KL(J*, J*): how well the coarse block can match
}

// NewOracle returns the oracle for a representation; only c = 1 is
// supported, because for c > 1 the argmin has gauge freedoms and several
// branches that must be fixed and followed (docs/conventions.md §11).
func NewOracle(b *Blocks) (*Oracle, error) {
	if b.C != 1 {
		return nil, fmt.Errorf("the exact oracle supports one-coupling representations (A1) only; %s has c = %d, whose argmin-KL map has several branches and a gauge to fix — not supported yet", b.Rep.Name, b.C)
	}
	return &Oracle{B: b}, nil
}

func (o *Oracle) grad(J, Jp float64) float64 {
	_, g := o.B.KL([]float64{J}, []float64{Jp})
	return g[0]
}

// Map returns J′*(J) by bisection on the sign of ∂KL/∂J′. KL(J, ·) is
// smooth with a single minimum on the side of J′ that has J's sign.
func (o *Oracle) Map(J float64) float64 {
	if J == 0 {
		return 0
	}
	s := math.Copysign(1, J)
	lo, hi := 0.0, math.Max(2*math.Abs(J), 0.5)
	below := func(x float64) bool { return o.grad(J, s*x)*s < 0 }
	for below(hi) && hi < 1e3 {
		hi *= 2
	}
	return s * bisect(below, lo, hi, 0, 1e-15)
}

// FixedPoint finds the non-trivial fixed point J* = J′*(J*) by bisection on
// J′*(J) − J in [lo, hi], and the slope λ = dJ′*/dJ there by the implicit
// function theorem, λ = −(∂²KL/∂J′∂J)/(∂²KL/∂J′²), with central differences
// of the analytic gradient.
func (o *Oracle) FixedPoint(lo, hi float64) (OracleResult, error) {
	g := func(J float64) float64 { return o.Map(J) - J }
	glo, ghi := g(lo), g(hi)
	if glo*ghi > 0 {
		return OracleResult{}, fmt.Errorf("no fixed point of the oracle map between %g and %g", lo, hi)
	}
	J := bisect(func(x float64) bool { return g(x)*glo > 0 }, lo, hi, 1e-13, 0)
	const h = 1e-5
	dJp := (o.grad(J, J+h) - o.grad(J, J-h)) / (2 * h)
	dJ := (o.grad(J+h, J) - o.grad(J-h, J)) / (2 * h)
	lambda := -dJ / dJp
	kl, _ := o.B.KL([]float64{J}, []float64{J})
	return OracleResult{Rep: o.B.Rep.Name, Jstar: J, Lambda: lambda, Nu: math.Log(math.Sqrt2) / math.Log(lambda), KL: kl}, nil
}
