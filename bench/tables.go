package bench

import (
	"bytes"
	"encoding/csv"
	"encoding/json"
	"fmt"
	"io"
	"math"
	"path/filepath"
	"slices"
	"sort"
	"strconv"
	"strings"
	"text/tabwriter"

	"gonum.org/v1/gonum/stat"

	"github.com/rgflow/rgflow/engine"
	"github.com/rgflow/rgflow/engine/oracle"
	"github.com/rgflow/rgflow/internal/atomicfile"
	"github.com/rgflow/rgflow/internal/ensemble"
	"github.com/rgflow/rgflow/internal/humanize"
	"github.com/rgflow/rgflow/internal/nullfloat"
	"github.com/rgflow/rgflow/kernels"
)

// F is a float that writes NaN as JSON null (nullfloat.Float) and as an
// empty CSV cell.
type F = nullfloat.Float

func nan() F { return nullfloat.NaN() }

func cell(f F) string {
	v := float64(f)
	if math.IsNaN(v) || math.IsInf(v, 0) {
		return ""
	}
	return strconv.FormatFloat(v, 'g', 8, 64)
}

// writeCSV writes a header and rows atomically.
func writeCSV(path string, header []string, rows [][]string) error {
	var b bytes.Buffer
	w := csv.NewWriter(&b)
	if err := w.Write(header); err != nil {
		return err
	}
	if err := w.WriteAll(rows); err != nil {
		return err
	}
	return atomicfile.Write(path, b.Bytes())
}

func writeJSON(path string, v any) error {
	b, err := json.MarshalIndent(v, "", "  ")
	if err != nil {
		return err
	}
	return atomicfile.Write(path, append(b, '\n'))
}

// writeOutputs writes a suite's tables and figures from its records and
// prints its table to out.
func writeOutputs(cfg Config, plan []runSpec, recs []Record, oracles map[string]oracle.Analysis, dir string, out io.Writer) ([]string, error) {
	w := &outputs{dir: dir, smoke: cfg.smokeTest()}
	if w.smoke {
		fmt.Fprintln(out, "SMOKE TEST (-quick): every code path ran, on runs far too short to mean anything; do not quote these numbers")
	}
	switch c := cfg.(type) {
	case *EpochTimeConfig:
		epochTimeOutputs(w, plan, recs, out)
	case *SweepsConfig:
		sweepOutputs(w, c, plan, recs, out)
	case *DistConfig:
		distOutputs(w, c, plan, recs, oracles, out)
	case *BlockConfig:
		blockOutputs(w, c, plan, recs, oracles, out)
	}
	return w.files, w.err
}

// outputs collects the files written and the first error. Every table
// of a smoke test (-quick) says so: a last CSV column smoke_test, a key
// "smoke_test" in the JSON, a note in the figures' titles and above the
// printed tables.
type outputs struct {
	dir   string
	smoke bool
	files []string
	err   error
}

func (o *outputs) path(name string) string { return filepath.Join(o.dir, name) }

func (o *outputs) did(name string, err error) {
	if err != nil && o.err == nil {
		o.err = fmt.Errorf("%s: %v", name, err)
	}
	if err == nil {
		o.files = append(o.files, o.path(name))
	}
}

func (o *outputs) csv(name string, header []string, rows [][]string) {
	mark := strconv.FormatBool(o.smoke)
	marked := make([][]string, len(rows))
	for i, r := range rows {
		marked[i] = append(slices.Clip(r), mark)
	}
	o.did(name, writeCSV(o.path(name), append(slices.Clip(header), "smoke_test"), marked))
}

func (o *outputs) json(name string, v map[string]any) {
	v["smoke_test"] = o.smoke
	o.did(name, writeJSON(o.path(name), v))
}

func (o *outputs) figure(base string, draw func(path string) error) {
	for _, ext := range []string{".png", ".svg"} {
		o.did(base+ext, draw(o.path(base+ext)))
	}
}

// ---------------------------------------------------------------------------
// epoch-time

// EpochTimeRow is one timed configuration.
type EpochTimeRow struct {
	Label        string `json:"label"`
	Rep          string `json:"rep"`
	D            int    `json:"d"`
	C            int    `json:"c"`
	Loss         string `json:"loss"`
	Model        string `json:"model"`
	Trajectories int    `json:"trajectories"`
	Network      string `json:"network"` // hidden layers × width
	Activation   string `json:"activation"`
	CDSamples    int    `json:"cd_samples,omitempty"`
	KFine        int    `json:"k_fine,omitempty"`
	KCoarse      int    `json:"k_coarse,omitempty"`
	Kernels      string `json:"kernels"`
	Repeats      int    `json:"repeats"`
	Median       F      `json:"median_s"`
	Q1           F      `json:"q1_s"`
	Q3           F      `json:"q3_s"`
	Min          F      `json:"min_s"`
	Max          F      `json:"max_s"`
	// The reference implementation's seconds per epoch for the same
	// configuration (bench/anchors.go), which one it is, and ours divided
	// by it.
	Reference       F      `json:"reference_s"`
	ReferenceSource string `json:"reference_source,omitempty"`
	Ratio           F      `json:"ratio_to_reference"`
	// Exact KL: trajectories·2^{4d} configurations per second (median),
	// the machine's measured FMA peak (per second), and their quotient,
	// the fused multiply-adds the machine could have issued per
	// configuration.
	ConfigsPerS   F      `json:"configs_per_s"`
	FMAPeak       F      `json:"fma_peak_per_s"`
	FMAsPerConfig F      `json:"peak_fmas_per_config"`
	Error         string `json:"error,omitempty"`
	Recorded      bool   `json:"recorded"`
	// VsGeneric is the median divided by the generic path's for the same
	// configuration (NaN without a generic row); SlowerThanGeneric marks
	// a row on another path whose median is the larger.
	VsGeneric         F    `json:"ratio_to_generic"`
	SlowerThanGeneric bool `json:"slower_than_generic"`
}

var epochTimeHeader = []string{"label", "rep", "d", "c", "loss", "model", "trajectories", "network", "activation",
	"cd_samples", "k_fine", "k_coarse", "kernels", "repeats", "median_s", "q1_s", "q3_s", "min_s", "max_s",
	"reference_s", "reference_source", "ratio_to_reference", "configs_per_s", "fma_peak_per_s", "peak_fmas_per_config",
	"ratio_to_generic", "slower_than_generic", "error"}

func networkOf(cfg engine.Config, c int) string {
	l := cfg.Layers(c)
	return fmt.Sprintf("%d×%d", len(l)-2, l[1])
}

func epochTimeRows(plan []runSpec, recs []Record) []EpochTimeRow {
	byKey := map[string]Record{}
	for _, r := range recs {
		byKey[r.Key] = r
	}
	var rows []EpochTimeRow
	for i := range plan {
		s := &plan[i]
		row := EpochTimeRow{
			Label: s.Label, Rep: s.Rep.Name, D: s.Rep.D, C: s.Rep.C(), Loss: s.Cfg.Loss, Model: s.Cfg.Model,
			Trajectories: s.Cfg.Trajectories, Network: networkOf(s.Cfg, s.Rep.C()), Activation: s.Cfg.Network.Activation,
			Kernels: s.Kernel, Median: nan(), Q1: nan(), Q3: nan(), Min: nan(), Max: nan(), Reference: nan(), Ratio: nan(),
			ConfigsPerS: nan(), FMAPeak: nan(), FMAsPerConfig: nan(), VsGeneric: nan(),
		}
		if usesCD(s.Cfg.Loss) {
			row.CDSamples, row.KFine, row.KCoarse = s.Cfg.CD.Samples, s.Cfg.CD.KFine, s.Cfg.CD.KCoarse
		}
		if s.Ref != nil {
			row.Reference, row.ReferenceSource = F(s.Ref.Seconds), s.Ref.Source
		}
		if r, ok := byKey[s.Key]; ok {
			row.Recorded = true
			row.Error = r.Error
			if t := r.Timing; t != nil {
				row.Repeats = len(t.PerRepeat)
				row.Median, row.Q1, row.Q3, row.Min, row.Max = F(t.Median), F(t.Q1), F(t.Q3), F(t.Min), F(t.Max)
				if s.Ref != nil {
					row.Ratio = F(t.Median / s.Ref.Seconds)
				}
				if s.Cfg.Loss == "kl" {
					row.ConfigsPerS = F(float64(s.Cfg.Trajectories) * math.Exp2(float64(4*s.Rep.D)) / t.Median)
				}
				if t.FMAPeak > 0 {
					row.FMAPeak = F(t.FMAPeak)
					row.FMAsPerConfig = F(t.FMAPeak / float64(row.ConfigsPerS))
				}
			}
		}
		rows = append(rows, row)
	}
	markSlowerThanGeneric(plan, rows)
	return rows
}

// markSlowerThanGeneric sets each row's ratio to the generic path's row of
// the same configuration and marks the rows on other paths that are
// slower.
func markSlowerThanGeneric(plan []runSpec, rows []EpochTimeRow) {
	generic := map[string]float64{}
	timed := func(r *EpochTimeRow) bool { return r.Recorded && r.Error == "" && float64(r.Median) > 0 }
	for i := range rows {
		if plan[i].Kernel == "generic" && timed(&rows[i]) {
			generic[configHash(plan[i].Cfg)] = float64(rows[i].Median)
		}
	}
	for i := range rows {
		g, ok := generic[configHash(plan[i].Cfg)]
		if !ok || !timed(&rows[i]) {
			continue
		}
		rows[i].VsGeneric = F(float64(rows[i].Median) / g)
		rows[i].SlowerThanGeneric = plan[i].Kernel != "generic" && float64(rows[i].Median) > g
	}
}

func epochTimeOutputs(o *outputs, plan []runSpec, recs []Record, out io.Writer) {
	rows := epochTimeRows(plan, recs)
	var csvRows [][]string
	for _, r := range rows {
		csvRows = append(csvRows, []string{r.Label, r.Rep, itoa(r.D), itoa(r.C), r.Loss, r.Model, itoa(r.Trajectories),
			r.Network, r.Activation, itoaZ(r.CDSamples), itoaZ(r.KFine), itoaZ(r.KCoarse), r.Kernels, itoa(r.Repeats),
			cell(r.Median), cell(r.Q1), cell(r.Q3), cell(r.Min), cell(r.Max), cell(r.Reference), r.ReferenceSource, cell(r.Ratio),
			cell(r.ConfigsPerS), cell(r.FMAPeak), cell(r.FMAsPerConfig), cell(r.VsGeneric), strconv.FormatBool(r.SlowerThanGeneric), r.Error})
	}
	o.csv(EpochTime+".csv", epochTimeHeader, csvRows)
	o.json(EpochTime+".json", map[string]any{
		"suite": EpochTime, "unit": "seconds per epoch (warm-up excluded)", "rows": rows,
		"reference_speed": allSpeed, "reference_monotone_factor": ReferenceMonotoneFactor,
		"reference_source": "bench/anchors.go: the seed's PyTorch implementation (CPU, 2 threads) and Hou & You's (measured on this machine, CPU, 2 threads)",
	})
	o.figure(EpochTime, func(path string) error { return epochTimeFigure(path, rows, o.smoke) })

	tw := tabwriter.NewWriter(out, 0, 0, 2, ' ', 0)
	fmt.Fprintln(tw, "configuration\tnetwork\ttime/epoch (median)\tIQR\treference\tours/reference\tconfigs/s\tpeak FMAs/config\t/generic")
	for _, r := range rows {
		switch {
		case !r.Recorded:
			fmt.Fprintf(tw, "%s\t%s\tnot run\t\t\t\t\t\t\n", r.Label, r.Network)
		case r.Error != "":
			fmt.Fprintf(tw, "%s\t%s\tFAILED: %s\t\t\t\t\t\t\n", r.Label, r.Network, r.Error)
		default:
			ref, ratio, thr, fpc, vg := "", "", "", "", ""
			if !math.IsNaN(float64(r.Reference)) {
				ref = fmt.Sprintf("%s (%s)", humanize.Duration(float64(r.Reference)), shortSource(r.ReferenceSource))
				ratio = fmt.Sprintf("%.3g× faster", 1/float64(r.Ratio))
			}
			if !math.IsNaN(float64(r.ConfigsPerS)) {
				thr = fmt.Sprintf("%.3g", float64(r.ConfigsPerS))
			}
			if !math.IsNaN(float64(r.FMAsPerConfig)) {
				fpc = fmt.Sprintf("%.3g", float64(r.FMAsPerConfig))
			}
			if !math.IsNaN(float64(r.VsGeneric)) {
				vg = fmt.Sprintf("%.3g", float64(r.VsGeneric))
				if r.SlowerThanGeneric {
					vg += " SLOWER"
				}
			}
			fmt.Fprintf(tw, "%s\t%s\t%s\t%s–%s\t%s\t%s\t%s\t%s\t%s\n", r.Label, r.Network, humanize.Duration(float64(r.Median)),
				humanize.Duration(float64(r.Q1)), humanize.Duration(float64(r.Q3)), ref, ratio, thr, fpc, vg)
		}
	}
	tw.Flush()
	fmt.Fprintln(out, slowerSummary(plan, rows, o.smoke))
	// monotone against flow, as the reference's ≈ 2.8×
	type k struct {
		rep, loss, kern, net string
		traj                 int
	}
	flow := map[k]float64{}
	for _, r := range rows {
		if r.Model == engine.ModelFlow && r.Error == "" && r.Recorded {
			flow[k{r.Rep, r.Loss, r.Kernels, r.Network, r.Trajectories}] = float64(r.Median)
		}
	}
	for _, r := range rows {
		if r.Model != engine.ModelMonotone || r.Error != "" || !r.Recorded {
			continue
		}
		if f, ok := flow[k{r.Rep, r.Loss, r.Kernels, r.Network, r.Trajectories}]; ok {
			fmt.Fprintf(out, "monotone/flow %s %s traj=%d %s: %.2f× (reference ≈ %.1f×)\n", r.Rep, r.Loss, r.Trajectories, r.Kernels, float64(r.Median)/f, ReferenceMonotoneFactor)
		}
	}
}

// slowerSummary is the table's line on the paths: which rows on an
// assembly path were slower than generic, and which row is rgflow's own
// per-kernel choice.
func slowerSummary(plan []runSpec, rows []EpochTimeRow, smoke bool) string {
	var slow []string
	compared := 0
	for i, r := range rows {
		if plan[i].Kernel != "generic" && !math.IsNaN(float64(r.VsGeneric)) {
			compared++
			if r.SlowerThanGeneric {
				slow = append(slow, fmt.Sprintf("%s (%.3g×)", r.Label, float64(r.VsGeneric)))
			}
		}
	}
	var line string
	switch {
	case compared == 0:
		line = "slower than generic: nothing to compare (no row on both generic and another path)"
	case len(slow) == 0:
		line = fmt.Sprintf("slower than generic: none of the %d rows on other paths", compared)
	default:
		line = fmt.Sprintf("SLOWER THAN GENERIC: %d of the %d rows on other paths: %s", len(slow), compared, strings.Join(slow, "; "))
	}
	if smoke {
		line += " (a smoke test: its timings mean nothing)"
	}
	if p, err := kernels.Calibrate(""); err == nil {
		line += fmt.Sprintf("\nrgflow's per-kernel choice on this CPU (RGFLOW_KERNELS unset) is %s", p.Name())
	}
	return line
}

// shortSource is a reference implementation's name for the table.
func shortSource(src string) string {
	switch src {
	case SourceSeed:
		return "seed"
	case SourceHouYou:
		return "Hou & You"
	}
	return src
}

func itoa(i int) string { return strconv.Itoa(i) }
func itoaZ(i int) string {
	if i == 0 {
		return ""
	}
	return strconv.Itoa(i)
}

// ---------------------------------------------------------------------------
// bias-vs-dimension, kl-vs-cd

// DistRow summarises the critical-coupling estimates of one configuration's
// instances: Quantity "j0" is each instance's J_0 median of the Newton
// roots over the second half of training, "axis" its physical-axis
// critical coupling. Bias is median − exact J_c.
type DistRow struct {
	Label     string `json:"label"`
	Rep       string `json:"rep"`
	D         int    `json:"d"`
	C         int    `json:"c"`
	Loss      string `json:"loss"`
	Model     string `json:"model"`
	Network   string `json:"network"`
	Quantity  string `json:"quantity"`
	Instances int    `json:"instances"` // planned
	OK        int    `json:"ok"`        // with an estimate
	Failed    int    `json:"failed"`    // recorded with an error
	Median    F      `json:"median"`
	Q1        F      `json:"q1"`
	Q3        F      `json:"q3"`
	IQR       F      `json:"iqr"`
	StdErr    F      `json:"stderr"` // bootstrap standard error of the median (internal/ensemble)
	Mean      F      `json:"mean"`
	Std       F      `json:"std"`
	Bias      F      `json:"bias"`
	RelBias   F      `json:"rel_bias_percent"`
	Values    []F    `json:"values"` // per instance, in seed order (null: no estimate)
	// NuMedian is the instances' median ν; Trusted and Untrusted count the
	// recorded trainings whose own verdict found nothing wrong and
	// something wrong; Verdict is the verdict on the configuration's
	// ensemble (engine.EnsembleSummary.Assess), [] when nothing is wrong.
	NuMedian  F        `json:"nu_median"`
	Trusted   int      `json:"trusted"`
	Untrusted int      `json:"untrusted"`
	Verdict   []string `json:"verdict"`
	Published *Anchor  `json:"published,omitempty"`
	Errors    []string `json:"errors,omitempty"`
	// CoarseMirror is the runs' coarse_mirror; the Oracle… values are the
	// exact variational map's critical fixed point for the same
	// representation and mirror (NaN: not computed, or none), and
	// MedianGap the median over instances of the variational gap at each
	// network's critical fixed point.
	CoarseMirror string `json:"coarse_mirror"`
	Bonds        string `json:"bonds"`
	OracleAxisJc F      `json:"oracle_axis_jc"`
	OracleLambda F      `json:"oracle_lambda"`
	OracleNu     F      `json:"oracle_nu"`
	MedianGap    F      `json:"median_variational_gap"`
	// OracleAxisJcMin and Max span the physical-axis J_c over the valley
	// of minima of the exact map at the reference axis point, where it has
	// one (docs/conventions.md §13); otherwise both are OracleAxisJc.
	OracleAxisJcMin F `json:"oracle_axis_jc_min"`
	OracleAxisJcMax F `json:"oracle_axis_jc_max"`
}

var distHeader = []string{"label", "rep", "d", "c", "loss", "model", "coarse_mirror", "network", "quantity", "instances", "ok", "failed",
	"median", "q1", "q3", "iqr", "stderr", "mean", "std", "bias", "rel_bias_percent", "nu_median",
	"oracle_axis_jc", "oracle_lambda", "oracle_nu", "oracle_axis_jc_min", "oracle_axis_jc_max", "median_variational_gap", "trusted", "untrusted", "verdict",
	"published_source", "published_loss", "published_median", "published_q1", "published_q3", "error"}

var runsHeader = []string{"label", "rep", "loss", "model", "coarse_mirror", "param", "value", "seed", "trajectories", "epochs",
	"jc_median", "jc_q1", "jc_q3", "roots", "root_failures", "axis_jc", "lambda", "nu", "fixed_point",
	"variational_gap", "kl_learned", "kl_min", "fixed_point_distance", "axis_jc_distance", "fixed_point_shift", "verdict",
	"seconds_per_epoch", "seconds", "error"}

// stats of the finite values: the ensemble statistics every error bar of
// rgflow uses (internal/ensemble: median, quartiles, the bootstrap
// standard error of the median), and the mean, standard deviation and
// range.
type stats struct {
	n                                           int
	median, q1, q3, stderr, mean, std, min, max F
}

func statsOf(v []float64) stats {
	var x []float64
	for _, f := range v {
		if !math.IsNaN(f) && !math.IsInf(f, 0) {
			x = append(x, f)
		}
	}
	e := ensemble.Of(x)
	s := stats{n: e.N, median: F(e.Median), q1: F(e.Q1), q3: F(e.Q3), stderr: F(e.StdErr), mean: nan(), std: nan(), min: nan(), max: nan()}
	if len(x) == 0 {
		return s
	}
	s.mean = F(stat.Mean(x, nil))
	if len(x) > 1 {
		s.std = F(stat.StdDev(x, nil))
	}
	sort.Float64s(x)
	s.min, s.max = F(x[0]), F(x[len(x)-1])
	return s
}

func estimates(recs []Record, quantity string) []float64 {
	out := make([]float64, len(recs))
	for i, r := range recs {
		out[i] = math.NaN()
		if r.Summary == nil {
			continue
		}
		if quantity == "axis" {
			out[i] = float64(r.Summary.AxisJc)
		} else {
			out[i] = float64(r.Summary.JcMedian)
		}
	}
	return out
}

// first is the first of errs, or "".
func first(errs []string) string {
	if len(errs) == 0 {
		return ""
	}
	return errs[0]
}

func distinctErrors(recs []Record) []string {
	var out []string
	for _, r := range recs {
		if r.Error != "" && !contains(out, r.Error) {
			out = append(out, r.Error)
		}
	}
	return out
}

// group is the runs of one configuration (and swept value), in plan order.
type group struct {
	label, param string
	value        float64
	spec         *runSpec // the first
	planned      int
	recs         []Record
}

// name is the configuration's label, with the swept value in sweeps.
func (g *group) name() string {
	if g.param != "" {
		return fmt.Sprintf("%s %s=%g", g.label, g.param, g.value)
	}
	return g.label
}

// summaries are the group's recorded trainings' summaries, in seed order.
func (g *group) summaries() []engine.Summary {
	var out []engine.Summary
	for _, r := range g.recs {
		if r.Summary != nil {
			out = append(out, *r.Summary)
		}
	}
	return out
}

// failed counts the group's runs recorded with an error.
func (g *group) failed() int {
	n := 0
	for _, r := range g.recs {
		if r.Error != "" {
			n++
		}
	}
	return n
}

func groupRuns(plan []runSpec, recs []Record) []*group {
	byKey := map[string]Record{}
	for _, r := range recs {
		byKey[r.Key] = r
	}
	var out []*group
	idx := map[string]*group{}
	for i := range plan {
		s := &plan[i]
		k := fmt.Sprintf("%s\x00%s\x00%g", s.Label, s.Param, s.Value)
		g := idx[k]
		if g == nil {
			g = &group{label: s.Label, param: s.Param, value: s.Value, spec: s}
			idx[k] = g
			out = append(out, g)
		}
		g.planned++
		if r, ok := byKey[s.Key]; ok {
			g.recs = append(g.recs, r)
		}
	}
	return out
}

func distRows(plan []runSpec, recs []Record, oracles map[string]oracle.Analysis) []DistRow {
	var rows []DistRow
	for _, g := range groupRuns(plan, recs) {
		s := g.spec
		an, haveOracle := oracles[runOracleKey(s)]
		var gaps []float64
		for _, r := range g.recs {
			if r.Summary != nil {
				gaps = append(gaps, float64(r.Summary.VariationalGap))
			}
		}
		gap := statsOf(gaps).median
		verdict, nu := []string{}, nan()
		trusted, untrusted := 0, 0
		if sums := g.summaries(); len(sums) > 0 {
			e := engine.NewEnsemble(sums)
			verdict, nu = e.Verdict, e.Ensemble.NuMedian
			trusted, untrusted = e.Ensemble.Trusted, e.Ensemble.N-e.Ensemble.Trusted
		}
		for _, q := range []string{"j0", "axis"} {
			v := estimates(g.recs, q)
			st := statsOf(v)
			row := DistRow{
				Label: g.label, Rep: s.Rep.Name, D: s.Rep.D, C: s.Cfg.CouplingsFor(s.Rep.C()), Loss: s.Cfg.Loss, Model: s.Cfg.Model,
				Network: networkOf(s.Cfg, s.Cfg.CouplingsFor(s.Rep.C())), Quantity: q, Instances: g.planned, OK: st.n,
				Median: st.median, Q1: st.q1, Q3: st.q3, IQR: st.q3 - st.q1, StdErr: st.stderr, Mean: st.mean, Std: st.std,
				NuMedian: nu, Trusted: trusted, Untrusted: untrusted, Verdict: verdict,
				Bias: st.median - F(engine.JcExact), RelBias: 100 * (st.median - F(engine.JcExact)) / F(engine.JcExact),
				Errors: distinctErrors(g.recs), Failed: g.failed(),
				CoarseMirror: s.Cfg.CoarseMirror, Bonds: s.Cfg.Bonds, OracleAxisJc: nan(), OracleLambda: nan(), OracleNu: nan(), OracleAxisJcMin: nan(), OracleAxisJcMax: nan(), MedianGap: gap,
			}
			if haveOracle {
				row.OracleAxisJc = an.AxisJc
				row.OracleAxisJcMin, row.OracleAxisJcMax = an.AxisJc, an.AxisJc
				if v := an.Valley; v != nil {
					row.OracleAxisJcMin, row.OracleAxisJcMax = v.AxisJcMin, v.AxisJcMax
				}
				if i := an.Critical(); i >= 0 {
					row.OracleLambda, row.OracleNu = an.FixedPoints[i].Lambda, an.FixedPoints[i].Nu
				}
			}
			for _, x := range v {
				row.Values = append(row.Values, F(x))
			}
			if a, ok := bestPublished(s.Rep.Name, s.Rep.D, s.Cfg.CoarseMirror, s.Cfg.Bonds, q, s.Cfg.Loss); ok {
				row.Published = &a
			}
			rows = append(rows, row)
		}
	}
	return rows
}

// mirrorOf is a coarse_mirror for the tables: "axis" for records written
// before the option existed.
func mirrorOf(m string) string {
	if m == "" {
		return "axis"
	}
	return m
}

func runRows(recs []Record) [][]string {
	var rows [][]string
	for _, r := range recs {
		row := []string{r.Label, r.Rep, r.Loss, r.Model, mirrorOf(r.CoarseMirror), r.Param, "", strconv.FormatUint(r.Seed, 10), itoa(r.Trajectories), itoa(r.Epochs)}
		if r.Param != "" {
			row[6] = strconv.FormatFloat(r.Value, 'g', -1, 64)
		}
		if s := r.Summary; s != nil {
			fp := make([]string, len(s.FixedPoint))
			for i, x := range s.FixedPoint {
				fp[i] = strconv.FormatFloat(x, 'g', 8, 64)
			}
			row = append(row, cell(s.JcMedian), cell(s.JcQ1), cell(s.JcQ3), itoa(s.Roots), itoa(s.RootFailures),
				cell(s.AxisJc), cell(s.Lambda), cell(s.Nu), strings.Join(fp, " "),
				cell(s.VariationalGap), cell(s.KLLearned), cell(s.KLMin), cell(s.FixedPointDistance), cell(s.AxisJcDistance), cell(s.FixedPointShift),
				strings.Join(s.Verdict, "; "), cell(F(s.SecondsPerEpoch)))
		} else {
			row = append(row, "", "", "", "", "", "", "", "", "", "", "", "", "", "", "", "", "")
		}
		row = append(row, cell(F(r.Seconds)), r.Error)
		rows = append(rows, row)
	}
	return rows
}

func distOutputs(o *outputs, c *DistConfig, plan []runSpec, recs []Record, oracles map[string]oracle.Analysis, out io.Writer) {
	rows := distRows(plan, recs, oracles)
	var csvRows [][]string
	for _, r := range rows {
		ps, pl, pm, p1, p3 := "", "", nan(), nan(), nan()
		if a := r.Published; a != nil {
			ps, pl, pm, p1, p3 = a.Source, a.Loss, F(a.Median), a.Q1, a.Q3
		}
		csvRows = append(csvRows, []string{r.Label, r.Rep, itoa(r.D), itoa(r.C), r.Loss, r.Model, mirrorOf(r.CoarseMirror), r.Network, r.Quantity,
			itoa(r.Instances), itoa(r.OK), itoa(r.Failed), cell(r.Median), cell(r.Q1), cell(r.Q3), cell(r.IQR), cell(r.StdErr),
			cell(r.Mean), cell(r.Std), cell(r.Bias), cell(r.RelBias), cell(r.NuMedian),
			cell(r.OracleAxisJc), cell(r.OracleLambda), cell(r.OracleNu), cell(r.OracleAxisJcMin), cell(r.OracleAxisJcMax), cell(r.MedianGap), itoa(r.Trusted), itoa(r.Untrusted), strings.Join(r.Verdict, "; "),
			ps, pl, cell(pm), cell(p1), cell(p3), first(r.Errors)})
	}
	o.csv(c.Suite+".csv", distHeader, csvRows)
	o.csv(c.Suite+"-runs.csv", runsHeader, runRows(recs))
	var pub []Anchor
	for _, rn := range c.Reps {
		pub = append(pub, publishedFor(rn)...)
	}
	o.json(c.Suite+".json", map[string]any{
		"suite": c.Suite, "jc_exact": engine.JcExact, "rows": rows, "published": pub,
		"published_source": "rgflow bench/anchors.go",
	})
	o.figure(c.Suite, func(path string) error {
		if c.Suite == BiasVsDimension {
			return dimensionFigure(path, rows, o.smoke)
		}
		return distFigure(path, c.Suite, rows, pub, o.smoke)
	})

	tw := tabwriter.NewWriter(out, 0, 0, 2, ' ', 0)
	fmt.Fprintf(tw, "configuration\tnetwork\testimate\tn\tmedian ± s.e.\tIQR\tbias\trel. bias\texact map\tgap\tν (exact 1)\ttrusted\tpublished\n")
	dash := dashNotes{}
	var notes []string
	for _, r := range rows {
		pub := ""
		if a := r.Published; a != nil {
			pub = fmt.Sprintf("%.4f", a.Median)
			if !math.IsNaN(float64(a.Q1)) {
				pub += fmt.Sprintf(" (%.4f–%.4f)", float64(a.Q1), float64(a.Q3))
			}
			pub += fmt.Sprintf(" %s, %s %s", a.Short, a.Loss, a.Model)
		}
		q := "J_0 of root"
		if r.Quantity == "axis" {
			q = "physical axis"
		}
		if r.OK == 0 {
			dash.add("estimates", "no instance gave the estimate (or none is recorded yet)")
		}
		// the exact map's physical-axis value, the median gap, ν and the
		// verdict counts belong to the physical-axis row
		exact, gap, nu, trusted := "", "", "", ""
		if r.Quantity == "axis" {
			exact, gap, nu = dash.fmt(r.OracleAxisJc, "%.5f", "exact", "the exact map was not computed (the suite's oracle key) or has no physical-axis J_c"),
				dash.fmt(100*r.MedianGap, "%.1f%%", "gap", "no instance had a critical fixed point to measure the variational gap at"),
				dash.fmt(r.NuMedian, "%.3f", "nu", "no instance had a relevant eigenvalue above 1")
			trusted = fmt.Sprintf("%d/%d", r.Trusted, r.Trusted+r.Untrusted)
		}
		iqr := "—"
		if r.OK > 0 {
			iqr = fmt.Sprintf("%.5f–%.5f", float64(r.Q1), float64(r.Q3))
		}
		fmt.Fprintf(tw, "%s\t%s\t%s\t%d/%d\t%s ± %s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\n", r.Label, r.Network, q, r.OK, r.Instances,
			dash.fmt(r.Median, "%.5f", "", ""), dash.fmt(r.StdErr, "%.2g", oneKey(r.OK, "stderr"), "one instance has no standard error"),
			iqr, dash.fmt(r.Bias, "%+.5f", "", ""), dash.fmt(r.RelBias, "%+.2f%%", "", ""),
			exact, gap, nu, trusted, pub)
		if r.Quantity == "axis" && len(r.Errors) > 0 {
			notes = append(notes, fmt.Sprintf("%s: %d failed: %s", r.Label, r.Failed, r.Errors[0]))
		}
		if r.Quantity == "axis" && len(r.Verdict) > 0 {
			notes = append(notes, fmt.Sprintf("%s: verdict on its %d instances: not to be trusted: %s", r.Label, r.Trusted+r.Untrusted, strings.Join(r.Verdict, "; ")))
		}
	}
	tw.Flush()
	for _, n := range notes {
		fmt.Fprintln(out, n)
	}
	dash.print(out)
	fmt.Fprintf(out, "exact J_c = %.6f; exact variational (argmin-KL) fixed point for A1: 0.81392; s.e. is the bootstrap standard error of the median; trusted counts the instances whose own verdict found nothing wrong\n", engine.JcExact)
}

// oneKey is the note key of a spread that is missing because one instance
// has an estimate (key), or "" where none has (the missing estimates'
// note covers it).
func oneKey(ok int, key string) string {
	if ok == 1 {
		return key
	}
	return ""
}

// dashNotes collects why a printed table shows "—" for a number, to say so
// below it (a table never prints NaN).
type dashNotes struct {
	keys  []string
	notes map[string]string
}

func (d *dashNotes) add(key, why string) {
	if d.notes == nil {
		d.notes = map[string]string{}
	}
	if _, ok := d.notes[key]; !ok {
		d.keys = append(d.keys, key)
		d.notes[key] = why
	}
}

// fmt formats a finite x, or returns "—" and records why under key ("":
// the table's general note on missing estimates covers it).
func (d *dashNotes) fmt(x F, format, key, why string) string {
	if v := float64(x); !math.IsNaN(v) && !math.IsInf(v, 0) {
		return fmt.Sprintf(format, v)
	}
	if key != "" {
		d.add(key, why)
	}
	return "—"
}

func (d *dashNotes) print(out io.Writer) {
	if len(d.keys) == 0 {
		return
	}
	var why []string
	for _, k := range d.keys {
		why = append(why, d.notes[k])
	}
	fmt.Fprintf(out, "—: no number: %s\n", strings.Join(why, "; "))
}

// ---------------------------------------------------------------------------
// sweeps

// SweepRow is the J_c estimates of one configuration at one value of one
// swept parameter: mean ± σ over the instances (and median, quartiles).
type SweepRow struct {
	Label     string   `json:"label"`
	Rep       string   `json:"rep"`
	Loss      string   `json:"loss"`
	Model     string   `json:"model"`
	Param     string   `json:"param"`
	Value     float64  `json:"value"`
	Instances int      `json:"instances"`
	OK        int      `json:"ok"`
	Failed    int      `json:"failed"`
	Mean      F        `json:"mean"`
	Std       F        `json:"std"`
	Median    F        `json:"median"`
	Q1        F        `json:"q1"`
	Q3        F        `json:"q3"`
	StdErr    F        `json:"stderr"` // bootstrap standard error of the median
	Bias      F        `json:"bias"`   // mean − exact J_c
	RelBias   F        `json:"rel_bias_percent"`
	AxisMean  F        `json:"axis_mean"`
	AxisStd   F        `json:"axis_std"`
	Trusted   int      `json:"trusted"`   // recorded trainings whose own verdict found nothing wrong
	Untrusted int      `json:"untrusted"` // and something wrong
	Errors    []string `json:"errors,omitempty"`
}

var sweepHeader = []string{"label", "rep", "loss", "model", "param", "value", "instances", "ok", "failed",
	"mean", "std", "median", "q1", "q3", "stderr", "bias", "rel_bias_percent", "axis_mean", "axis_std", "trusted", "untrusted", "error"}

func sweepRows(plan []runSpec, recs []Record) []SweepRow {
	var rows []SweepRow
	groups := groupRuns(plan, recs)
	// by parameter (in the order of sweepParams), then configuration, then value
	order := map[string]int{}
	for i, p := range sweepParams {
		order[p.Name] = i
	}
	labels := map[string]int{}
	for _, g := range groups {
		if _, ok := labels[g.label]; !ok {
			labels[g.label] = len(labels)
		}
	}
	sort.SliceStable(groups, func(i, j int) bool {
		a, b := groups[i], groups[j]
		if a.param != b.param {
			return order[a.param] < order[b.param]
		}
		if a.label != b.label {
			return labels[a.label] < labels[b.label]
		}
		return a.value < b.value
	})
	for _, g := range groups {
		s := g.spec
		j0 := statsOf(estimates(g.recs, "j0"))
		ax := statsOf(estimates(g.recs, "axis"))
		row := SweepRow{
			Label: g.label, Rep: s.Rep.Name, Loss: s.Cfg.Loss, Model: s.Cfg.Model, Param: g.param, Value: g.value,
			Instances: g.planned, OK: j0.n, Mean: j0.mean, Std: j0.std, Median: j0.median, Q1: j0.q1, Q3: j0.q3, StdErr: j0.stderr,
			Bias: j0.mean - F(engine.JcExact), RelBias: 100 * (j0.mean - F(engine.JcExact)) / F(engine.JcExact),
			AxisMean: ax.mean, AxisStd: ax.std, Errors: distinctErrors(g.recs), Failed: g.failed(),
		}
		for _, s := range g.summaries() {
			if len(s.Verdict) == 0 {
				row.Trusted++
			} else {
				row.Untrusted++
			}
		}
		rows = append(rows, row)
	}
	return rows
}

func sweepOutputs(o *outputs, c *SweepsConfig, plan []runSpec, recs []Record, out io.Writer) {
	rows := sweepRows(plan, recs)
	var csvRows [][]string
	for _, r := range rows {
		csvRows = append(csvRows, []string{r.Label, r.Rep, r.Loss, r.Model, r.Param, strconv.FormatFloat(r.Value, 'g', -1, 64),
			itoa(r.Instances), itoa(r.OK), itoa(r.Failed), cell(r.Mean), cell(r.Std), cell(r.Median), cell(r.Q1), cell(r.Q3), cell(r.StdErr),
			cell(r.Bias), cell(r.RelBias), cell(r.AxisMean), cell(r.AxisStd), itoa(r.Trusted), itoa(r.Untrusted), first(r.Errors)})
	}
	o.csv(Sweeps+".csv", sweepHeader, csvRows)
	o.csv(Sweeps+"-runs.csv", runsHeader, runRows(recs))
	o.json(Sweeps+".json", map[string]any{"suite": Sweeps, "jc_exact": engine.JcExact, "rows": rows})
	for _, p := range sweepParams {
		var sel []SweepRow
		for _, r := range rows {
			if r.Param == p.Name {
				sel = append(sel, r)
			}
		}
		if len(sel) == 0 {
			continue
		}
		o.figure(Sweeps+"-"+p.Name, func(path string) error {
			return sweepFigure(path, p.Title, sel, c.Train.IsPlaquette() && slices.Equal(c.CoarseMirrors, []string{"axis"}), o.smoke)
		})
	}

	tw := tabwriter.NewWriter(out, 0, 0, 2, ' ', 0)
	fmt.Fprintln(tw, "configuration\tparameter\tvalue\tn\tmean J_c ± σ\tmedian ± s.e.\tbias of mean\ttrusted")
	dash := dashNotes{}
	for _, r := range rows {
		if r.OK == 0 && len(r.Errors) > 0 {
			fmt.Fprintf(tw, "%s\t%s\t%g\t0/%d\tFAILED: %s\t\t\t\n", r.Label, r.Param, r.Value, r.Instances, r.Errors[0])
			continue
		}
		if r.OK == 0 {
			dash.add("estimates", "no instance gave an estimate (or none is recorded yet)")
		}
		fmt.Fprintf(tw, "%s\t%s\t%g\t%d/%d\t%s ± %s\t%s ± %s\t%s\t%d/%d\n", r.Label, r.Param, r.Value, r.OK, r.Instances,
			dash.fmt(r.Mean, "%.5f", "", ""), dash.fmt(r.Std, "%.5f", oneKey(r.OK, "std"), "one instance has no standard deviation"),
			dash.fmt(r.Median, "%.5f", "", ""), dash.fmt(r.StdErr, "%.2g", oneKey(r.OK, "stderr"), "one instance has no standard error"),
			dash.fmt(r.RelBias, "%+.2f%%", "", ""), r.Trusted, r.Trusted+r.Untrusted)
	}
	tw.Flush()
	dash.print(out)
	fmt.Fprintf(out, "exact J_c = %.6f; s.e. is the bootstrap standard error of the median\n", engine.JcExact)
}
