package oracle

import (
	"context"
	"fmt"
	"math"
	"strings"

	"github.com/rgflow/rgflow/internal/buildinfo"

	"github.com/rgflow/rgflow/engine"
	"github.com/rgflow/rgflow/internal/nullfloat"
	"github.com/rgflow/rgflow/reps"
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

	slope []float64 // the exact map's Jacobian at J, on the branch of J′_min
}

// Shift is the first-order shift of a fixed point J of the learned map
// from the exact map's (PredictShift), from δ = J′_min − J: at a learned
// fixed point J′_learned = J, so J′_min − J is the exact map's error
// there, on the branch (and gauge image) the learned map is on.
func (g Gap) Shift() (Shift, error) {
	delta := make([]float64, len(g.J))
	for i := range delta {
		delta[i] = g.JpMin[i] - g.J[i]
	}
	return PredictShift(g.slope, delta)
}

// Gap evaluates the variational gap of the learned image JpLearned of J.
func (o *Oracle) Gap(J, JpLearned []float64) (Gap, error) {
	klL, _ := o.B.KL(J, JpLearned)
	p, err := o.Minimize(J, JpLearned)
	if err != nil {
		return Gap{}, fmt.Errorf("minimising KL(J, ·) from the learned J′ at J = %v: %w", J, err)
	}
	g := Gap{J: append([]float64(nil), J...), JpLearned: append([]float64(nil), JpLearned...), JpMin: p.Jp,
		KLLearned: klL, KLMin: p.KL, Distance: maxDist(JpLearned, p.Jp), slope: p.Slope}
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
		J := make([]float64, o.B.Couplings())
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
// the learned critical fixed point (if it has one), with the shift of
// that fixed point the exact map's error there implies (Gap.Shift), and
// along the physical axis; and the scaling dimensions of the fine block at
// that fixed point.
func (o *Oracle) FillGaps(s *engine.Summary, m engine.Model) error {
	if err := reps.ExactLimit("the variational gap (the exact map)", o.B.Plaquette().Rep.Name, o.B.Plaquette().D); err != nil {
		return err
	}
	gs, err := o.ModelGaps(ModelImage(m), s.FixedPoint)
	if err != nil {
		return err
	}
	if g := gs.AtFixedPoint; g != nil {
		s.VariationalGap, s.KLLearned, s.KLMin = nullfloat.Float(g.Gap), nullfloat.Float(g.KLLearned), nullfloat.Float(g.KLMin)
		s.GapDistance = nullfloat.Float(g.Distance)
		if sh, err := g.Shift(); err == nil {
			s.FixedPointShift, s.FixedPointShiftVector = nullfloat.Float(sh.Relevant), sh.Vector
		}
	}
	s.ScalingDimensions = nil
	if s.FixedPoint != nil {
		s.ScalingDimensions = o.scalingDimensions(s.FixedPoint)
	}
	s.GapAxis = s.GapAxis[:0]
	for _, g := range gs.Axis {
		s.GapAxis = append(s.GapAxis, engine.AxisGap{J0: g.J[0], Gap: nullfloat.Float(g.Gap), KLLearned: nullfloat.Float(g.KLLearned),
			KLMin: nullfloat.Float(g.KLMin), Distance: nullfloat.Float(g.Distance)})
	}
	return nil
}

// FillLimit sets the exact map's critical values beside a trained run,
// its critical fixed point in the gauge image nearest the learned one (g
// is the representation's gauge), and the distances of the learned fixed
// point and physical-axis J_c from the exact map's.
func FillLimit(s *engine.Summary, an Analysis, g *Gauge) {
	s.OracleAxisJc = an.AxisJc
	if an.AxisNote != "" && !strings.Contains(s.OracleNote, an.AxisNote) {
		s.OracleNote = strings.TrimPrefix(s.OracleNote+"; "+an.AxisNote, "; ")
	}
	if i := an.Critical(); i >= 0 {
		fp := an.FixedPoints[i]
		s.OracleLambda, s.OracleNu = fp.Lambda, fp.Nu
		s.OracleFixedPoint = append([]float64(nil), fp.J...)
		s.OracleScalingDimensions = append([]float64(nil), fp.ScalingDimensions...)
		if s.FixedPoint != nil {
			var d float64
			_, s.OracleFixedPoint, d = g.Nearest(s.OracleFixedPoint, s.FixedPoint)
			s.FixedPointDistance = nullfloat.Float(d)
		}
	} else if s.OracleNote == "" {
		s.OracleNote = "the exact map has no critical fixed point with one relevant direction"
	}
	s.AxisJcDistance = nullfloat.Float(math.Abs(float64(s.AxisJc) - float64(s.OracleAxisJc)))
}

// Judge sets a trained run beside the exact variational map and gives it
// its verdict (engine.Summary.Assess): the gaps of its model m on blocks
// b (always), and where the analysis an of the same representation and
// mirror is given, the exact map's critical values and the distances from
// them; note says why an is missing. The train command and the bench
// suites both judge through it. It stops once ctx is done (the caller
// then has no judgement to keep).
func Judge(ctx context.Context, s *engine.Summary, m engine.Model, b Divergence, an *Analysis, note string) {
	o := NewContext(ctx, b)
	if err := o.FillGaps(s, m); err != nil {
		s.OracleNote = "variational gap not computed: " + err.Error()
	}
	switch {
	case an == nil && s.OracleNote == "":
		s.OracleNote = note
	case an != nil:
		if err := o.gauge(); err != nil {
			s.OracleNote = "exact map not set beside the run: " + err.Error()
			break
		}
		FillLimit(s, *an, o.G)
	}
	s.Verdict = s.Assess()
}

// Finish is how every trained run ends, whoever ran it (rgflow train, its
// -instances, the bench suites): the trainer's summary, the build that
// made it, and the judgement against the exact map (Judge, with the
// analysis an or the note saying why there is none). Interrupted by ctx,
// the summary has no judgement and the caller must not keep it.
func Finish(ctx context.Context, t *engine.Trainer, an *Analysis, note string) engine.Summary {
	s := t.Summary()
	bi := buildinfo.Read()
	s.Version, s.Commit = bi.Version, bi.CommitString()
	Judge(ctx, &s, t.Model, t.Pair, an, note)
	return s
}

// ExactMap is the exact variational map as the trainer's warm start needs
// it (engine.WithExactMap): M(J) for each J, all on the branch continued
// from the minimiser at ref (found there from several starts), so that the
// images are of one gauge branch; a J the branch cannot be followed to gets
// a row of NaN. A ref shorter than the block pair's couplings (the first
// shell's, of a pair with more) is padded with zeros.
func ExactMap(ref []float64) func(engine.BlockPair) engine.ExactMap {
	return func(b engine.BlockPair) engine.ExactMap {
		return func(ctx context.Context, Js [][]float64) ([][]float64, error) {
			o := NewContext(ctx, b)
			start := ref
			if n := b.Couplings(); len(start) < n {
				start = append(append(make([]float64, 0, n), ref...), make([]float64, n-len(ref))...)
			}
			p, err := o.MapFrom(start, nil)
			if err != nil {
				return nil, err
			}
			out := make([][]float64, len(Js))
			for k, J := range Js {
				if err := ctx.Err(); err != nil {
					return nil, err
				}
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
