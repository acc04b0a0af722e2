package oracle

import (
	"errors"
	"fmt"
	"math"
	"math/rand/v2"

	"github.com/rgflow/rgflow/engine"
	"github.com/rgflow/rgflow/internal/nullfloat"
	"github.com/rgflow/rgflow/reps"
)

// Start is a starting coupling for the fixed-point search. Stationary
// follows stationary points (saddles included) instead of minima, for the
// fixed points of saddle branches.
type Start struct {
	Name       string
	J          []float64
	Stationary bool
}

// Analysis is the oracle's whole answer for one representation and coarse
// mirror; its JSON form is rgflow oracle -json (docs/formats.md).
type Analysis struct {
	Rep          string `json:"rep"`
	CoarseMirror string `json:"coarse_mirror"`
	D            int    `json:"d"`
	C            int    `json:"c"`
	// Block is the block geometry, CoarseSites its coarse sites (every
	// KL is per coarse site) and Shells its coupling shells (c is the
	// representation's couplings times the shells).
	Block       string `json:"block"`
	CoarseSites int    `json:"coarse_sites"`
	Shells      int    `json:"shells"`
	// GaugeOrder is the number of relabellings of the coarse centre that
	// leave KL(J, ·) unchanged (the images of every minimiser);
	// OrbitActions the number of distinct two-sided relabellings of a
	// coupling vector.
	GaugeOrder   int              `json:"gauge_order"`
	OrbitActions int              `json:"orbit_actions"`
	FixedPoints  []FixedPointJSON `json:"fixed_points"`
	// KernelChoice is the path of each kernel (kernels.Path.ChoiceMap);
	// Kernels below is the choice as a spec.
	KernelChoice map[string]string `json:"kernel_choice,omitempty"`
	// AxisJc is the physical-axis critical coupling, AxisFixedPoint the
	// index in FixedPoints of the fixed point the flow from it approaches
	// (−1: none found) and AxisApproach how close it comes.
	AxisJc         nullfloat.Float `json:"axis_jc"`
	AxisFixedPoint int             `json:"axis_fixed_point"`
	AxisApproach   nullfloat.Float `json:"axis_approach"`
	AxisSteps      int             `json:"axis_approach_step"`
	AxisNote       string          `json:"axis_note,omitempty"`
	// AxisMap is the exact map at the reference axis point (the A1 fixed
	// point on the axis), from which every axis point is continued;
	// AxisPoints are the axis points whose fate was computed, with the
	// flat directions of the map there.
	AxisMap    MapPoint    `json:"axis_map"`
	AxisPoints []AxisPoint `json:"axis_points"`
	// Valley describes the valley of minima at the reference axis point,
	// when the map has one there, and the axis critical coupling from
	// other points of it.
	Valley      *Valley `json:"valley,omitempty"`
	JcExact     float64 `json:"jc_exact"`
	Kernels     string  `json:"kernels"`
	Evaluations int     `json:"kl_hessian_evaluations"`
	Seconds     float64 `json:"seconds"`
}

// MapPoint is one evaluation of the exact map in the JSON: the minimum J′
// of KL(J, ·), the numbers of its flat and soft directions (Point.Flat,
// Point.Soft), and the valley of minima through it: its dimension and an
// orthonormal basis of its directions (ValleyDirections).
type MapPoint struct {
	J               []float64   `json:"J"`
	Jp              []float64   `json:"jp"`
	KL              float64     `json:"kl"`
	FlatDirections  int         `json:"flat_directions"`
	SoftDirections  int         `json:"soft_directions"`
	ValleyDimension int         `json:"valley_dimension"`
	ValleyVectors   [][]float64 `json:"valley_vectors,omitempty"`
}

func mapPoint(p Point, valley [][]float64) MapPoint {
	return MapPoint{J: p.J, Jp: p.Jp, KL: p.KL, FlatDirections: len(p.Flat), SoftDirections: p.Soft, ValleyDimension: len(valley), ValleyVectors: valley}
}

// Valley is the valley of minima at the reference axis point: its points
// as TraceValley follows it (one gauge-distinct stretch, in order), the
// spread of the KL over them (zero up to rounding on a true valley), and
// the physical-axis critical coupling found from several of them
// (AxisValley), with its range over them and the reference point's.
type Valley struct {
	Points    [][]float64     `json:"points"`
	KLSpread  float64         `json:"kl_spread"`
	AxisJc    []ValleyJc      `json:"axis_jc"`
	AxisJcMin nullfloat.Float `json:"axis_jc_min"`
	AxisJcMax nullfloat.Float `json:"axis_jc_max"`
}

// Complex is an eigenvalue in JSON.
type Complex struct {
	Re float64 `json:"re"`
	Im float64 `json:"im"`
}

// FixedPointJSON is one fixed point in the oracle's JSON output.
type FixedPointJSON struct {
	J           []float64       `json:"J"`
	KL          float64         `json:"kl"`
	Eigenvalues []Complex       `json:"eigenvalues"`
	Relevant    int             `json:"relevant"`
	Lambda      nullfloat.Float `json:"lambda"`
	Nu          nullfloat.Float `json:"nu"`
	AxisJc      nullfloat.Float `json:"axis_jc"`
	Saddle      bool            `json:"saddle"`
	MinHessEig  float64         `json:"min_hessian_eigenvalue"`
	// FlatDirections and SoftDirections are those of KL(J, ·) at the
	// fixed point's image M(J) (Point.Flat, Point.Soft), ValleyDimension
	// the dimension of the valley of minima through it (ValleyDirections).
	FlatDirections  int `json:"flat_directions"`
	SoftDirections  int `json:"soft_directions"`
	ValleyDimension int `json:"valley_dimension"`
	// Asymmetry is the antisymmetric fraction of the exact map's Jacobian
	// at J (FixedPoint.Asymmetry): above 0 a monotone model, whose
	// Jacobian is symmetric, cannot follow the exact map there.
	Asymmetry float64 `json:"jacobian_asymmetry"`
	// Stabiliser is the number of gauge actions that fix J; above 1 the
	// eigenvalues depend on the gauge choice in the symmetry-breaking
	// directions: LambdaRange and RelevantRange span the choices (the
	// reported ones have the fewest relevant directions), and
	// SymmetricEigenvalues are those of the symmetric directions, which do
	// not depend on it.
	Stabiliser           int             `json:"stabiliser"`
	LambdaMin            nullfloat.Float `json:"lambda_min"`
	LambdaMax            nullfloat.Float `json:"lambda_max"`
	RelevantMin          int             `json:"relevant_min"`
	RelevantMax          int             `json:"relevant_max"`
	SymmetricEigenvalues []Complex       `json:"symmetric_eigenvalues,omitempty"`
	// ScalingDimensions are the leading Δ_i of the fine block's transfer
	// matrix at J (exact Δ_σ = 1/8).
	ScalingDimensions []float64 `json:"scaling_dimensions"`
	Found             string    `json:"found_from"`
}

// Options tune Analyse.
type Options struct {
	Starts   []Start      // extra fixed-point starts, tried first
	AxisTol  float64      // bisection tolerance of the axis critical coupling (default 1e-5)
	Progress func(string) // progress lines (nil: none)
	// ValleySamples is the number of points of a valley at the reference
	// axis point from which the axis search is repeated (0: 2, the ends
	// of the traced stretch, beside the reference point's own search;
	// 3 adds the middle; negative: none), to a tolerance of ValleyTol
	// (0: the larger of AxisTol and 5e-4). Each search is a few
	// trajectories near the critical coupling: at d = 6 about five
	// minutes.
	ValleySamples int
	ValleyTol     float64
}

// Analyse finds the fixed points of the exact map from the configured and
// the default starts, linearises them and finds the physical-axis critical
// coupling.
func (o *Oracle) Analyse(opt Options) (Analysis, error) {
	say := func(format string, args ...any) {
		if opt.Progress != nil {
			opt.Progress(fmt.Sprintf(format, args...))
		}
	}
	b, c := o.B.Plaquette(), o.B.Couplings()
	if err := reps.ExactLimit("the exact variational map", b.Rep.Name, b.D); err != nil {
		return Analysis{}, err
	}
	if b.Bonds == engine.BondsUnrotated {
		return Analysis{}, fmt.Errorf("the exact map's fixed points and gauge group assume rotated bonds (docs/conventions.md §4); %s's bonds are unrotated", b.Rep.Name)
	}
	if err := o.gauge(); err != nil {
		return Analysis{}, err
	}
	an := o.newAnalysis()
	a1, err := A1FixedPoint()
	if err != nil {
		return an, err
	}
	say("%s (c = %d, coarse mirror %s, block %s): gauge group of order %d, %d orbit actions; A1 fixed point %.6f", b.Rep.Name, c, b.Mirror.Name, an.Block, an.GaugeOrder, an.OrbitActions, a1)
	axis := func(x float64) []float64 {
		J := make([]float64, c)
		J[0] = x
		return J
	}
	// one global search, at the A1 fixed point on the axis; every other
	// axis point continues from it
	ref, err := o.MapFrom(axis(a1), nil)
	if err != nil {
		return an, fmt.Errorf("the map at the axis point %.5f: %w", a1, err)
	}
	say("the map at the reference axis point: J′ = %s, %d flat and %d soft directions (%d evaluations so far)", FormatVector(ref.Jp), len(ref.Flat), ref.Soft, o.Evals)
	// the axis scan first, under the bounds of no fixed point: its
	// trajectories' slowest iterates start fixed-point searches, and its
	// bracket, checked against the fixed points' bounds, starts the
	// bisection of the critical coupling
	ax := AxisResult{Jc: math.NaN(), Approach: -1, Distance: math.Inf(1)}
	search := o.newAxisSearch(ref, nil, scanBounds, &ax, opt.Progress)
	bracket := search.scan()
	if err := o.ctx.Err(); err != nil {
		return an, err
	}
	// the scan's slow iterates first: at d = 6 they are the starts that
	// lead to the critical fixed point, while the generic ones spend
	// their budgets
	starts := append([]Start(nil), opt.Starts...)
	starts = append(starts, search.slowStarts()...)
	starts = append(starts, o.defaultStarts(a1)...)
	var fps []FixedPoint
	for _, s := range starts {
		say("fixed-point search from %s (%d evaluations so far)", s.Name, o.Evals)
		budget := max(startBudget*c, minStartBudget)
		fp, err := o.searchFrom(ref, s, budget)
		if errors.Is(err, errBudget) {
			say("start %s: gave up after %d evaluations of the KL's derivatives (not near a fixed point)", s.Name, budget)
			continue
		}
		if err != nil {
			say("start %s: %v", s.Name, err)
			if ctxErr := o.ctx.Err(); ctxErr != nil {
				return an, ctxErr
			}
			continue
		}
		fp.Found = s.Name
		if maxAbs(fp.J) < Trivial {
			say("start %s: flows to the trivial fixed point J = 0", s.Name)
			continue
		}
		dup := false
		for _, q := range fps {
			if o.SameOrbit(fp.J, q.J, 1e-6) && fp.Saddle == q.Saddle {
				dup = true
				break
			}
		}
		if !dup {
			if len(fp.point.Flat) > 0 && !fp.Saddle {
				fp.valley = o.ValleyDirections(fp.point, valleyStep)
			}
			say("fixed point from %s: J = %s, λ = %.5f, %d relevant, saddle %v, %d flat directions (a valley of dimension %d)", s.Name, FormatVector(o.G.Canonical(fp.J)), fp.Lambda, fp.Relevant, fp.Saddle, len(fp.point.Flat), len(fp.valley))
			fps = append(fps, fp)
		}
	}
	// the axis critical coupling, with the minimum fixed points as the
	// candidates its flow may approach
	var minima []FixedPoint
	var index []int
	for i, fp := range fps {
		if !fp.Saddle {
			minima = append(minima, fp)
			index = append(index, i)
		}
	}
	tol := opt.AxisTol
	if tol == 0 {
		tol = 1e-5
	}
	bounds := DefaultBounds(minima)
	ok, err := false, error(nil)
	if bracket {
		ok, err = search.retarget(minima, bounds)
	}
	switch {
	case err != nil:
		ax.Note = err.Error()
	case ok:
		search.bisect(search.lo, search.hi, search.trLo, search.trHi, tol)
	case bounds != scanBounds:
		// the fixed points' bounds decide some flow differently: the
		// scan again under them
		say("the axis scan again under the fixed points' bounds")
		ax = o.AxisCritical(ref, minima, bounds, tol, opt.Progress)
	}
	an.AxisJc, an.AxisNote = nullfloat.Float(ax.Jc), ax.Note
	refValley := o.ValleyDirections(ref, valleyStep)
	an.AxisMap, an.AxisPoints = mapPoint(ref, refValley), ax.Points
	if len(refValley) > 0 {
		an.Valley = o.valley(ref, refValley[0], minima, bounds, ax, opt, say)
	}
	if ax.Approach >= 0 {
		an.AxisFixedPoint = index[ax.Approach]
		an.AxisApproach = nullfloat.Float(ax.Distance)
		an.AxisSteps = ax.Steps
		fps[an.AxisFixedPoint].AxisJc = ax.Jc
	}
	for _, fp := range fps {
		an.FixedPoints = append(an.FixedPoints, o.fixedPointJSON(fp))
	}
	an.Evaluations = o.Evals
	return an, nil
}

// valley traces the valley at the reference axis point and repeats the
// axis search from some of its points.
func (o *Oracle) valley(ref Point, dir []float64, minima []FixedPoint, bounds FateBounds, ax AxisResult, opt Options, say func(string, ...any)) *Valley {
	pts := o.TraceValley(ref, dir, valleyStep, 12)
	v := &Valley{AxisJcMin: nullfloat.NaN(), AxisJcMax: nullfloat.NaN()}
	lo, hi := math.Inf(1), math.Inf(-1)
	for _, q := range pts {
		v.Points = append(v.Points, q.Jp)
		lo, hi = math.Min(lo, q.KL), math.Max(hi, q.KL)
	}
	v.KLSpread = hi - lo
	say("the map at the reference axis point: %d flat direction(s), a valley of minima along at least one; %d points traced along it (KL spread %.2g)", len(ref.Flat), len(pts), v.KLSpread)
	samples, tol := opt.ValleySamples, opt.ValleyTol
	if samples == 0 {
		samples = 2
	}
	if tol == 0 {
		tol = math.Max(opt.AxisTol, 5e-4)
	}
	if samples < 0 || math.IsNaN(ax.Jc) {
		return v
	}
	v.AxisJc = o.AxisValley(pts, ref, minima, bounds, ax.Jc, tol, samples, opt.Progress)
	jmin, jmax := ax.Jc, ax.Jc
	for _, r := range v.AxisJc {
		if x := float64(r.AxisJc); !math.IsNaN(x) {
			jmin, jmax = math.Min(jmin, x), math.Max(jmax, x)
		}
	}
	v.AxisJcMin, v.AxisJcMax = nullfloat.Float(jmin), nullfloat.Float(jmax)
	return v
}

// scanBounds are the bounds of Analyse's axis scan, which runs before any
// fixed point is known: DefaultBounds of none. retarget checks the
// bracket's ends again where the fixed points' bounds are less strict,
// and a scan that finds no bracket is run again under them.
var scanBounds = DefaultBounds(nil)

// valleyStep is the step of ValleyDirections and TraceValley.
const valleyStep = 0.1

// startBudget is the number of KL second-order evaluations, per coupling
// and at least minStartBudget, after which a fixed-point search gives a
// start up, its first continuation to the start included: the searches
// that converge take 3–13 per coupling at d = 5, 6, or up to 550 in all
// (A1+E's decoupled copies, symmetric, where Newton halves often), and a
// failing one would otherwise run its forty Newton steps, each with
// twelve continued halvings (at d = 6 the four generic starts spent ten
// minutes failing).
const (
	startBudget    = 20
	minStartBudget = 600
)

// searchFrom continues the map from ref to the start (or finds the
// stationary point there) and runs the fixed-point Newton from it, within
// budget evaluations (errBudget beyond).
func (o *Oracle) searchFrom(ref Point, s Start, budget int) (FixedPoint, error) {
	o.limit = o.Evals + budget
	defer func() { o.limit = 0 }()
	var p Point
	var err error
	if s.Stationary {
		p, err = o.Stationary(s.J, s.J)
	} else {
		p, err = o.Continue(ref, s.J)
	}
	if err != nil {
		return FixedPoint{}, err
	}
	if s.Stationary {
		return solveFixedPoint(o.ContinueStationary, o.G, p)
	}
	return solveFixedPoint(o.Continue, o.G, p)
}

func (o *Oracle) fixedPointJSON(fp FixedPoint) FixedPointJSON {
	J := o.G.Canonical(fp.J)
	out := FixedPointJSON{J: J, KL: fp.KL, Relevant: fp.Relevant, Lambda: nullfloat.Float(fp.Lambda), Nu: nullfloat.Float(fp.Nu),
		AxisJc: nullfloat.Float(fp.AxisJc), Saddle: fp.Saddle, MinHessEig: fp.MinHessEig, Asymmetry: fp.Asymmetry,
		FlatDirections: len(fp.point.Flat), SoftDirections: fp.point.Soft, ValleyDimension: len(fp.valley),
		ScalingDimensions: o.scalingDimensions(J), Found: fp.Found}
	for _, v := range fp.Eigenvalues {
		out.Eigenvalues = append(out.Eigenvalues, Complex{real(v), imag(v)})
	}
	out.Stabiliser, out.RelevantMin, out.RelevantMax = fp.Lifts, fp.RelevantRange[0], fp.RelevantRange[1]
	out.LambdaMin, out.LambdaMax = nullfloat.NaN(), nullfloat.NaN()
	if lo, hi := fp.LambdaRange[0], fp.LambdaRange[1]; lo <= hi {
		out.LambdaMin, out.LambdaMax = nullfloat.Float(lo), nullfloat.Float(hi)
	}
	for _, v := range fp.SymmetricEigenvalues {
		out.SymmetricEigenvalues = append(out.SymmetricEigenvalues, Complex{real(v), imag(v)})
	}
	return out
}

// defaultStarts: the A1 fixed point embedded (as a minimiser branch and as
// the stationary branch it sits on), decoupled copies of it on every spin,
// and two points off the physical axis.
func (o *Oracle) defaultStarts(a1 float64) []Start {
	c := o.B.Couplings()
	axis := func(x float64) []float64 {
		J := make([]float64, c)
		J[0] = x
		return J
	}
	out := []Start{{Name: "the A1 fixed point embedded", J: axis(a1)}}
	if c > 1 {
		// every spin an Ising copy at the A1 fixed point: K = j*·1, when
		// the identity is a coupling matrix (each component σ-even with
		// itself, which it always is)
		if J, ok := o.identityCoupling(a1); ok {
			out = append(out, Start{Name: "decoupled copies of the A1 fixed point on every spin", J: J})
		}
		out = append(out, Start{Name: "the A1 fixed point embedded (stationary branch)", J: axis(a1), Stationary: true})
		rng := rand.New(rand.NewPCG(0x66697865, uint64(c))) // "fixe"
		for k := 0; k < 2; k++ {
			J := axis(a1)
			for i := 1; i < c; i++ {
				J[i] = 0.2 * rng.NormFloat64()
			}
			out = append(out, Start{Name: fmt.Sprintf("off-axis point %d", k+1), J: J})
		}
	}
	return out
}

// identityCoupling returns the coupling vector of K = x·1 on the first
// shell, if it is in the coupling space.
func (o *Oracle) identityCoupling(x float64) (J []float64, ok bool) {
	defer func() {
		if recover() != nil {
			J, ok = nil, false
		}
	}()
	plaq := o.B.Plaquette()
	d := plaq.D
	K := make([]float64, d*d)
	for i := 0; i < d; i++ {
		K[i*d+i] = x
	}
	J = make([]float64, o.B.Couplings())
	copy(J, plaq.Rep.Coefficients(K))
	return J, true
}

// A1FixedPoint is the exact map's fixed point for A1 (≈ 0.81392), the
// embedded start of every larger representation.
func A1FixedPoint() (float64, error) {
	r, err := reps.Builtin("A1")
	if err != nil {
		return 0, err
	}
	o := New(engine.NewBlocks(r))
	p, err := o.MapFrom([]float64{0.8}, [][]float64{{0.8}})
	if err != nil {
		return 0, err
	}
	fp, err := o.SolveFixedPoint(p, true)
	if err != nil {
		return 0, err
	}
	return fp.J[0], nil
}

// newAnalysis is an Analysis of o's problem before any result: what it
// is about (representation, mirror, block, gauge) and no fixed point yet.
// The gauge must be built.
func (o *Oracle) newAnalysis() Analysis {
	b := o.B.Plaquette()
	return Analysis{Rep: b.Rep.Name, CoarseMirror: b.Mirror.Name, D: b.D, C: o.B.Couplings(),
		Block: o.B.BlockName(), CoarseSites: o.B.CoarseSites(), Shells: o.B.Shells(),
		GaugeOrder: len(o.G.Centre), OrbitActions: len(o.G.Orbit), AxisFixedPoint: -1,
		AxisJc: nullfloat.NaN(), AxisApproach: nullfloat.NaN(), JcExact: engine.JcExact}
}

// FormatVector writes couplings as "(0.56284, 0.47477, …)", five decimals
// each: how rgflow's tables and summaries print a coupling vector.
func FormatVector(v []float64) string {
	s := "("
	for i, x := range v {
		if i > 0 {
			s += ", "
		}
		s += fmt.Sprintf("%.5f", x)
	}
	return s + ")"
}

// Critical returns the index of the critical fixed point: a minimum (not
// a saddle) with exactly one relevant direction — the one the axis flow
// approaches if it is one, else the first; −1 if there is none.
func (an Analysis) Critical() int {
	ok := func(i int) bool {
		fp := an.FixedPoints[i]
		return !fp.Saddle && fp.Relevant == 1 && !math.IsNaN(float64(fp.Lambda))
	}
	if i := an.AxisFixedPoint; i >= 0 && ok(i) {
		return i
	}
	for i := range an.FixedPoints {
		if ok(i) {
			return i
		}
	}
	return -1
}

// AsymmetryLimit is the antisymmetric fraction of the exact map's Jacobian
// above which Reading says that a monotone model cannot follow the map.
const AsymmetryLimit = 0.05

// Reading says in words what the analysis means, and where it is not to
// be trusted.
func (an Analysis) Reading() []string {
	var out []string
	crit := an.Critical()
	if crit < 0 {
		out = append(out, "no fixed point found has exactly one relevant direction and is a minimum of the KL: the exact map gives no critical estimate of the usual kind for this representation and mirror")
	} else {
		fp := an.FixedPoints[crit]
		line := fmt.Sprintf("critical fixed point #%d: λ = %.5f, ν = ln√2/ln λ = %.4f (exact 1), leading scaling dimension %.4f (exact 1/8)",
			crit, float64(fp.Lambda), float64(fp.Nu), firstOr(fp.ScalingDimensions))
		if float64(fp.Lambda) < 1.05 {
			line += "; λ is within 5% of 1, so the fixed point is nearly marginal and ν is not a meaningful exponent"
		}
		out = append(out, line)
		if fp.Asymmetry > AsymmetryLimit {
			out = append(out, fmt.Sprintf("the exact map's Jacobian at fixed point #%d is far from symmetric (antisymmetric fraction %.2f on its best gauge image): a monotone model J′ = J − ∇C, whose Jacobian is symmetric, cannot follow the exact map there, whatever its training", crit, fp.Asymmetry))
		}
	}
	jc := float64(an.AxisJc)
	switch {
	case math.IsNaN(jc):
		note := an.AxisNote
		if note == "" {
			note = "the bisection did not converge"
		}
		out = append(out, "no physical-axis critical coupling: "+note)
	default:
		line := fmt.Sprintf("physical-axis critical coupling J_c = %.5f (exact %.6f, bias %+.2f%%)", jc, an.JcExact, 100*(jc-an.JcExact)/an.JcExact)
		if i := an.AxisFixedPoint; i >= 0 {
			fp := an.FixedPoints[i]
			line += fmt.Sprintf("; the flow from it approaches fixed point #%d to %.2g (step %d)", i, float64(an.AxisApproach), an.AxisSteps)
			if float64(an.AxisApproach) > 0.05 {
				line += ", which is not close: the fixed point that governs the axis may not be among those found"
			} else if fp.Relevant != 1 {
				line += fmt.Sprintf(", which has %d relevant directions: the axis value bounds that fixed point's basin and is not a one-parameter critical estimate", fp.Relevant)
			}
		}
		if an.AxisNote != "" {
			// the flow lingers near a nearly marginal fixed point: J_c is
			// the last axis point tried, known no better than that
			line += " (" + an.AxisNote + ": J_c is that point, not a bracket of the bisection's tolerance)"
		}
		out = append(out, line+": what a network that reached the exact variational map would estimate for this representation and mirror")
	}
	if v := an.Valley; v != nil {
		line := fmt.Sprintf("at the reference axis point the minimum of KL(J, ·) is not a point but a valley of dimension %d (%d directions flat to second order), so the map there is the point of it the minimiser's rule picks (the minimum-norm Newton step: the valley point nearest the continued one)", an.AxisMap.ValleyDimension, an.AxisMap.FlatDirections)
		lo, hi := float64(v.AxisJcMin), float64(v.AxisJcMax)
		switch {
		case len(v.AxisJc) == 0:
		case math.IsNaN(lo):
			line += "; the axis search from other points of the valley failed"
		case hi-lo <= 2e-4:
			line += fmt.Sprintf("; the physical-axis J_c from %d other points of the valley agrees within %.1g (%.5f–%.5f): it does not depend on that choice", len(v.AxisJc), hi-lo, lo, hi)
		default:
			line += fmt.Sprintf("; the physical-axis J_c depends on that choice: %.5f–%.5f over %d points of the valley", lo, hi, len(v.AxisJc)+1)
		}
		out = append(out, line)
	}
	for i, fp := range an.FixedPoints {
		if fp.Stabiliser > 1 && (fp.RelevantMin != fp.RelevantMax || float64(fp.LambdaMax)-float64(fp.LambdaMin) > 1e-6) {
			out = append(out, fmt.Sprintf("fixed point #%d is symmetric under %d gauge actions, and its linearisation depends on the gauge choice in the directions that break that symmetry: %d–%d relevant directions, λ %s–%s over the choices (the table shows the fewest); on the symmetric directions the eigenvalues are %s",
				i, fp.Stabiliser, fp.RelevantMin, fp.RelevantMax, fmtNum(float64(fp.LambdaMin)), fmtNum(float64(fp.LambdaMax)), fmtComplexes(fp.SymmetricEigenvalues)))
		}
		if fp.Saddle {
			out = append(out, fmt.Sprintf("fixed point #%d is a saddle of KL(J*, ·) (smallest Hessian eigenvalue %.3g): the exact map leaves it, and a network whose map sits there has not reached the variational optimum", i, fp.MinHessEig))
		}
	}
	return out
}

func firstOr(x []float64) float64 {
	if len(x) == 0 {
		return math.NaN()
	}
	return x[0]
}

func fmtNum(x float64) string {
	if math.IsNaN(x) || math.IsInf(x, 0) {
		return "—"
	}
	return fmt.Sprintf("%.5f", x)
}

func fmtComplexes(v []Complex) string {
	if len(v) == 0 {
		return "none"
	}
	s := ""
	for i, z := range v {
		if i > 0 {
			s += ", "
		}
		if math.Abs(z.Im) < 1e-9 {
			s += fmt.Sprintf("%.4f", z.Re)
		} else {
			s += fmt.Sprintf("%.4f%+.4fi", z.Re, z.Im)
		}
	}
	return s
}
