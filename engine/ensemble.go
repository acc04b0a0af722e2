package engine

import (
	"fmt"
	"math"

	"github.com/rgflow/rgflow/internal/ensemble"
	"github.com/rgflow/rgflow/internal/nullfloat"
)

// EnsembleSummary is the result of N independent instances of one
// configuration, seeds s, s+1, … (rgflow train -instances N;
// docs/formats.md): the across-instance statistics as the headline, the
// exact map's values, a verdict on the whole, and every instance's own
// summary, each the one its single run with that seed writes.
type EnsembleSummary struct {
	Version      string   `json:"rgflow_version,omitempty"`
	Commit       string   `json:"rgflow_commit,omitempty"`
	Rep          string   `json:"rep"`
	D            int      `json:"d"`
	C            int      `json:"c"`
	Loss         string   `json:"loss"`
	Model        string   `json:"model"`
	CoarseMirror string   `json:"coarse_mirror"`
	Block        string   `json:"block"`
	CoarseSites  int      `json:"coarse_sites"`
	Shells       int      `json:"shells"`
	Epochs       int      `json:"epochs"`
	Trajectories int      `json:"trajectories"`
	Seeds        []uint64 `json:"seeds"`
	Kernels      string   `json:"kernels,omitempty"`
	JcExact      float64  `json:"jc_exact"`
	Ensemble     Ensemble `json:"ensemble"`
	// The exact map's values for the representation and mirror, as in
	// each instance; the fixed point as the first instance that has one
	// gives it (its gauge image nearest that instance's fixed point).
	OracleAxisJc     nullfloat.Float `json:"oracle_axis_jc"`
	OracleLambda     nullfloat.Float `json:"oracle_lambda"`
	OracleNu         nullfloat.Float `json:"oracle_nu"`
	OracleFixedPoint []float64       `json:"oracle_fixed_point,omitempty"`
	OracleNote       string          `json:"oracle_note,omitempty"`
	Verdict          []string        `json:"verdict"`
	Instances        []Summary       `json:"instances"`
}

// Ensemble is the across-instance statistics of a configuration's
// estimates: for J_c (each instance's median of its recorded roots), ν
// and the physical-axis J_c, the median and quartiles over the instances
// that have the number, and the bootstrap standard error of the median
// (internal/ensemble).
type Ensemble struct {
	N int `json:"n"` // instances
	// Headline names the estimate the verdict judges: "jc" for c = 1,
	// "axis_jc" for c > 1 (docs/conventions.md §11).
	Headline     string          `json:"headline"`
	Estimates    int             `json:"estimates"` // instances with a headline estimate
	Trusted      int             `json:"trusted"`   // instances whose own verdict found nothing wrong
	JcMedian     nullfloat.Float `json:"jc_median"`
	JcQ1         nullfloat.Float `json:"jc_q1"`
	JcQ3         nullfloat.Float `json:"jc_q3"`
	JcStdErr     nullfloat.Float `json:"jc_stderr"`
	NuMedian     nullfloat.Float `json:"nu_median"`
	NuQ1         nullfloat.Float `json:"nu_q1"`
	NuQ3         nullfloat.Float `json:"nu_q3"`
	NuStdErr     nullfloat.Float `json:"nu_stderr"`
	AxisJcMedian nullfloat.Float `json:"axis_jc_median"`
	AxisJcQ1     nullfloat.Float `json:"axis_jc_q1"`
	AxisJcQ3     nullfloat.Float `json:"axis_jc_q3"`
	AxisJcStdErr nullfloat.Float `json:"axis_jc_stderr"`
	// Distance is |headline median − the exact map's value| (NaN where the
	// exact map's value was not computed).
	Distance nullfloat.Float `json:"distance"`
}

// NewEnsemble gathers the instances' summaries (in seed order, at least
// one) and judges the whole (AssessEnsemble).
func NewEnsemble(instances []Summary) EnsembleSummary {
	s0 := instances[0]
	e := EnsembleSummary{Version: s0.Version, Commit: s0.Commit, Rep: s0.Rep, D: s0.D, C: s0.C, Loss: s0.Loss, Model: s0.Model,
		CoarseMirror: s0.CoarseMirror, Block: s0.Block, CoarseSites: s0.CoarseSites, Shells: s0.Shells, Epochs: s0.Epochs, Trajectories: s0.Trajectories, Kernels: s0.Kernels, JcExact: s0.JcExact,
		OracleAxisJc: s0.OracleAxisJc, OracleLambda: s0.OracleLambda, OracleNu: s0.OracleNu, OracleNote: s0.OracleNote,
		Seeds: []uint64{}, Instances: instances}
	var jc, nu, axis []float64
	for _, s := range instances {
		e.Seeds = append(e.Seeds, s.Seed)
		jc, nu, axis = append(jc, float64(s.JcMedian)), append(nu, float64(s.Nu)), append(axis, float64(s.AxisJc))
		if len(s.Verdict) == 0 {
			e.Ensemble.Trusted++
		}
		if e.OracleFixedPoint == nil && len(s.OracleFixedPoint) > 0 {
			e.OracleFixedPoint = s.OracleFixedPoint
		}
	}
	en := &e.Ensemble
	en.N = len(instances)
	st := func(x []float64, med, q1, q3, se *nullfloat.Float) ensemble.Stats {
		s := ensemble.Of(x)
		*med, *q1, *q3, *se = nullfloat.Float(s.Median), nullfloat.Float(s.Q1), nullfloat.Float(s.Q3), nullfloat.Float(s.StdErr)
		return s
	}
	jcS := st(jc, &en.JcMedian, &en.JcQ1, &en.JcQ3, &en.JcStdErr)
	st(nu, &en.NuMedian, &en.NuQ1, &en.NuQ3, &en.NuStdErr)
	axS := st(axis, &en.AxisJcMedian, &en.AxisJcQ1, &en.AxisJcQ3, &en.AxisJcStdErr)
	en.Headline, en.Estimates = "jc", jcS.N
	if e.C > 1 {
		en.Headline, en.Estimates = "axis_jc", axS.N
	}
	med, _ := e.Headline()
	en.Distance = nullfloat.Float(math.Abs(med - e.exactValue()))
	e.Verdict = e.Assess()
	return e
}

// Headline is the headline estimate's median over the instances and its
// standard error.
func (e EnsembleSummary) Headline() (median, stderr float64) {
	if e.C > 1 {
		return float64(e.Ensemble.AxisJcMedian), float64(e.Ensemble.AxisJcStdErr)
	}
	return float64(e.Ensemble.JcMedian), float64(e.Ensemble.JcStdErr)
}

// exactValue is the exact map's value the headline is set beside
// (Summary.Estimate): NaN if it was not computed.
func (e EnsembleSummary) exactValue() float64 {
	for _, s := range e.Instances {
		if _, exact, _ := s.Estimate(); !math.IsNaN(exact) {
			return exact
		}
	}
	return math.NaN()
}

// Assess is the verdict on the ensemble, empty (never nil) when nothing
// is wrong: fewer than two instances with an estimate (no error bar);
// with the exact KL, a median farther from the exact map's value than
// StdErrs standard errors and Resolution; and more than half of the
// instances failing their own verdict for another reason than their
// distance from the exact map (their scatter is what the standard error
// measures).
func (e EnsembleSummary) Assess() []string {
	out := []string{}
	en := e.Ensemble
	what := "J_c"
	if e.C > 1 {
		what = "physical-axis J_c"
	}
	if en.Estimates < 2 {
		out = append(out, fmt.Sprintf("only %d of %d instances gave a %s estimate: no error bar", en.Estimates, en.N, what))
	}
	med, se := e.Headline()
	if exact := e.exactValue(); e.Loss == LossKL && en.Estimates >= 2 && !math.IsNaN(med) && !math.IsNaN(exact) {
		d := med - exact
		if math.Abs(d) > math.Max(StdErrs*se, Resolution) {
			out = append(out, fmt.Sprintf("not converged to the variational map: the median %s %.5f of %d instances lies %.4f %s the exact map's %.5f, farther than %d standard errors (%d × %.2g) and the verdict's resolution (%g)",
				what, med, en.Estimates, math.Abs(d), aboveBelow(d), exact, StdErrs, StdErrs, se, Resolution))
		}
	}
	bad, example := 0, ""
	for _, s := range e.Instances {
		for _, f := range s.findings() {
			if !f.distance {
				bad++
				if example == "" {
					example = fmt.Sprintf("seed %d: %s", s.Seed, f.text)
				}
				break
			}
		}
	}
	if 2*bad > en.N {
		out = append(out, fmt.Sprintf("%d of %d instances fail their own verdict for another reason than their distance from the exact map (%s)", bad, en.N, example))
	}
	return out
}
