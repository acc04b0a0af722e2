package oracle

import (
	"fmt"
	"math"

	"rgflow/engine"
	"rgflow/internal/nullfloat"
	"rgflow/reps"
)

// Gap compares a learned map with the exact one at one fine coupling J:
// the KL the learned J′ achieves, the minimum of KL(J, ·) reached from it
// (the minimiser continued from the learned J′, so the same branch and
// gauge image), their relative difference and the distance between the two
// J′.
type Gap struct {
	J         []float64 `json:"J"`
	JpLearned []float64 `json:"jp_learned"`
	JpMin     []float64 `json:"jp_min"`
	KLLearned float64   `json:"kl_learned"`
	KLMin     float64   `json:"kl_min"`
	// Gap = (KLLearned − KLMin)/KLLearned: the fraction of the learned KL
	// that the exact map would remove (0 when the network has reached the
	// variational map; 0.33 means the exact minimum is 33 % lower).
	Gap      float64 `json:"variational_gap"`
	Distance float64 `json:"distance"` // max-norm |J′_learned − J′_min|
}

// Gap evaluates the variational gap of the learned image JpLearned of J.
func (o *Oracle) Gap(J, JpLearned []float64) (Gap, error) {
	klL, _ := o.B.KL(J, JpLearned)
	p, err := o.Minimize(J, JpLearned)
	if err != nil {
		return Gap{}, fmt.Errorf("minimising KL(J, ·) from the learned J′ at J = %v: %w", J, err)
	}
	g := Gap{J: append([]float64(nil), J...), JpLearned: append([]float64(nil), JpLearned...), JpMin: p.Jp,
		KLLearned: klL, KLMin: p.KL, Distance: maxDist(JpLearned, p.Jp)}
	if klL > 0 {
		g.Gap = math.Max(0, (klL-p.KL)/klL)
	}
	return g, nil
}

// ModelImage is the learned map J ↦ J + f(J) of a trained model.
func ModelImage(m engine.Model) func(J []float64) []float64 {
	return func(J []float64) []float64 {
		f := m.Flow(J)
		Jp := make([]float64, len(J))
		for i := range J {
			Jp[i] = J[i] + f[i]
		}
		return Jp
	}
}

// LearnedGaps is the variational gap of a learned map at its critical
// fixed point and along the physical axis.
type LearnedGaps struct {
	// AtFixedPoint is the gap at the learned critical fixed point (nil if
	// the network has none).
	AtFixedPoint *Gap  `json:"at_fixed_point"`
	Axis         []Gap `json:"axis"` // at J_0 = 0.1, 0.2, …, 1.5 on (J_0, 0, …, 0)
}

// ModelGaps evaluates the gaps of a learned map J ↦ image(J): at
// fixedPoint (may be nil) and every 0.1 on the physical axis from 0.1 to
// 1.5.
func (o *Oracle) ModelGaps(image func(J []float64) []float64, fixedPoint []float64) (LearnedGaps, error) {
	var out LearnedGaps
	if fixedPoint != nil {
		g, err := o.Gap(fixedPoint, image(fixedPoint))
		if err != nil {
			return out, err
		}
		out.AtFixedPoint = &g
	}
	for k := 1; k <= 15; k++ {
		J := make([]float64, o.B.C)
		J[0] = 0.1 * float64(k)
		g, err := o.Gap(J, image(J))
		if err != nil {
			return out, err
		}
		out.Axis = append(out.Axis, g)
	}
	return out, nil
}

// FillGaps sets the variational gap of a trained model in its summary: at
// the learned critical fixed point (if it has one) and along the physical
// axis; and the scaling dimensions of the fine block at that fixed point.
func (o *Oracle) FillGaps(s *engine.Summary, m engine.Model) error {
	if err := reps.ExactLimit("the variational gap (the exact map)", o.B.Rep.Name, o.B.D); err != nil {
		return err
	}
	gs, err := o.ModelGaps(ModelImage(m), s.FixedPoint)
	if err != nil {
		return err
	}
	if g := gs.AtFixedPoint; g != nil {
		s.VariationalGap, s.KLLearned, s.KLMin = nullfloat.Float(g.Gap), nullfloat.Float(g.KLLearned), nullfloat.Float(g.KLMin)
		s.GapDistance = nullfloat.Float(g.Distance)
	}
	s.ScalingDimensions = nil
	if s.FixedPoint != nil {
		s.ScalingDimensions = ScalingDimensions(o.B, s.FixedPoint, 4)
	}
	s.GapAxis = s.GapAxis[:0]
	for _, g := range gs.Axis {
		s.GapAxis = append(s.GapAxis, engine.AxisGap{J0: g.J[0], Gap: nullfloat.Float(g.Gap), KLLearned: nullfloat.Float(g.KLLearned),
			KLMin: nullfloat.Float(g.KLMin), Distance: nullfloat.Float(g.Distance)})
	}
	return nil
}

// FillLimit sets the exact map's critical values beside a trained run.
func FillLimit(s *engine.Summary, an Analysis) {
	s.OracleAxisJc, s.OracleNote = an.AxisJc, an.AxisNote
	if i := an.Critical(); i >= 0 {
		fp := an.FixedPoints[i]
		s.OracleLambda, s.OracleNu = fp.Lambda, fp.Nu
		s.OracleFixedPoint = append([]float64(nil), fp.J...)
		s.OracleScalingDimensions = append([]float64(nil), fp.ScalingDimensions...)
	} else if s.OracleNote == "" {
		s.OracleNote = "the exact map has no critical fixed point with one relevant direction"
	}
}

// ExactMap is the exact variational map as the trainer's warm start needs
// it (engine.WithExactMap): M(J) for each J, all on the branch continued
// from the minimiser at ref (found there from several starts), so that the
// images are of one gauge branch; a J the branch cannot be followed to gets
// a row of NaN.
func ExactMap(ref []float64) func(*engine.Blocks) engine.ExactMap {
	return func(b *engine.Blocks) engine.ExactMap {
		return func(Js [][]float64) ([][]float64, error) {
			o := New(b)
			p, err := o.MapFrom(ref, nil)
			if err != nil {
				return nil, err
			}
			out := make([][]float64, len(Js))
			for k, J := range Js {
				q, err := o.Continue(p, J)
				if err != nil {
					out[k] = make([]float64, len(J))
					for i := range out[k] {
						out[k][i] = math.NaN()
					}
					continue
				}
				out[k] = q.Jp
			}
			return out, nil
		}
	}
}
