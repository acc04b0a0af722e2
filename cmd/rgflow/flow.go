package main

import (
	"context"
	"flag"
	"fmt"
	"io"
	"math"
	"os"
	"strconv"
	"strings"
	"time"

	"github.com/rgflow/rgflow/engine"
	"github.com/rgflow/rgflow/engine/oracle"
	"github.com/rgflow/rgflow/internal/buildinfo"
)

// flowResult is rgflow flow's JSON (docs/formats.md).
type flowResult struct {
	Version      string      `json:"rgflow_version"`
	Commit       string      `json:"rgflow_commit"`
	Checkpoint   string      `json:"checkpoint"`
	Rep          string      `json:"rep"`
	C            int         `json:"c"`
	Model        string      `json:"model"`
	Sizes        []int       `json:"sizes"`
	Activation   string      `json:"activation"`
	LayerNorm    bool        `json:"layer_norm"`
	InputScale   float64     `json:"input_scale"`
	CoarseMirror string      `json:"coarse_mirror"`
	Bonds        string      `json:"bonds"`
	Epoch        int         `json:"epoch"`
	Epochs       int         `json:"epochs"`
	Kernels      string      `json:"kernels"`
	Points       []flowPoint `json:"points"`
	ExactNote    string      `json:"exact_note,omitempty"`
}

// flowPoint is the learned map at one coupling, and with -exact the exact
// variational map's value there.
type flowPoint struct {
	J           []float64         `json:"J"`
	Jp          []float64         `json:"Jp"`
	F           []float64         `json:"f"`
	Jacobian    [][]float64       `json:"jacobian"`
	Eigenvalues []oracle.Complex  `json:"eigenvalues"`
	ExactJp     []float64         `json:"exact_Jp,omitempty"`
	KLLearned   *float64          `json:"kl_learned,omitempty"`
	KLExact     *float64          `json:"kl_exact,omitempty"`
	exact       bool              // -exact asked for, whether or not M(J) was found
	fp          engine.FixedPoint // for the table
}

// pointsFlag collects -J: each use adds points, and one use may hold
// several separated by ";".
type pointsFlag []string

func (p *pointsFlag) String() string { return strings.Join(*p, ";") }

func (p *pointsFlag) Set(s string) error {
	for _, part := range strings.Split(s, ";") {
		*p = append(*p, part)
	}
	return nil
}

// Axis grid defaults of rgflow flow -axis: J_0 from 0 to 1.6 (the range of
// the summary's flow and of the training's axis points) every 0.05.
const (
	flowAxisFrom   = 0.0
	flowAxisTo     = 1.6
	flowAxisPoints = 33
	flowMaxPoints  = 100000
)

func runFlow(ctx context.Context, args []string) error {
	fs := newFlags("flow")
	ckPath := fs.String("checkpoint", "", "the checkpoint of a training run (train -checkpoint FILE)")
	var Js pointsFlag
	fs.Var(&Js, "J", `couplings "j1,…,jc" at which to evaluate the map; several points as "j1,…;j1,…" or by repeating -J`)
	axis := fs.Bool("axis", false, "evaluate on the physical axis (J_0, 0, …, 0), J_0 on the grid -from … -to in -points points")
	from := fs.Float64("from", flowAxisFrom, "with -axis: the first J_0")
	to := fs.Float64("to", flowAxisTo, "with -axis: the last J_0")
	npts := fs.Int("points", flowAxisPoints, "with -axis: the number of grid points (the step is (to − from)/(points − 1))")
	exact := fs.Bool("exact", false, "also the exact variational map M(J) = argmin KL(J, ·) at each point, continued from point to point in their order (each in the gauge image nearest the learned J′), and both KL values")
	jsonOut := fs.String("json", "", jsonFlagHelp)
	pluginDir := fs.String("plugins", "", "directory of representation plugins, for -exact with a plugin's representation (default: $RGFLOW_PLUGINS, else next to rgflow)")
	fs.Usage = func() {
		fmt.Fprint(fs.Output(), "usage: rgflow flow -checkpoint CK (-J \"j1,…\" | -axis) [flags]\n\nThe trained map of a checkpoint at given couplings: J′ = J + f(J), f, the Jacobian ∂J′/∂J and its\neigenvalues; as a table, or as JSON with -json (docs/formats.md).\n\nflags:\n")
		fs.PrintDefaults()
	}
	if err := parse(fs, args); err != nil {
		return err
	}
	given := map[string]bool{}
	fs.Visit(func(f *flag.Flag) { given[f.Name] = true })
	if *ckPath == "" {
		return fmt.Errorf("-checkpoint is required (a file written by rgflow train -checkpoint)")
	}
	for _, name := range []string{"from", "to", "points"} {
		if given[name] && !*axis {
			return fmt.Errorf("-%s sets the -axis grid; add -axis", name)
		}
	}
	if len(Js) == 0 && !*axis {
		return fmt.Errorf("give -J \"j1,…\" (one or more points) or -axis")
	}
	if *axis {
		switch {
		case !finite(*from) || !finite(*to) || math.Abs(*from) > engine.MaxCoupling || math.Abs(*to) > engine.MaxCoupling:
			return fmt.Errorf("-from and -to must be finite couplings of magnitude at most %g (got %g and %g)", float64(engine.MaxCoupling), *from, *to)
		case *npts < 1 || *npts > flowMaxPoints:
			return fmt.Errorf("-points must be between 1 and %d (got %d)", flowMaxPoints, *npts)
		case *npts > 1 && !(*to > *from):
			return fmt.Errorf("-to (%g) must be larger than -from (%g)", *to, *from)
		}
	}
	if err := checkFiles([]file{{"checkpoint", *ckPath, 0}}, []file{{"json", *jsonOut, 0}}, nil); err != nil {
		return err
	}
	if err := checkPluginDir(*pluginDir); err != nil {
		return err
	}
	ck, err := engine.LoadCheckpoint(*ckPath)
	if err != nil {
		return err
	}
	m, err := ck.Model(engine.WithKernels(kernelPath))
	if err != nil {
		return fmt.Errorf("%s: %v", *ckPath, err)
	}
	c := m.Net().In()
	var points [][]float64
	for i, s := range Js {
		name := "J"
		if len(Js) > 1 {
			name = fmt.Sprintf("J (point %d)", i+1)
		}
		J, err := parseVector(name, s, c, ck.Rep)
		if err != nil {
			return err
		}
		points = append(points, J)
	}
	if *axis {
		for k := 0; k < *npts; k++ {
			J := make([]float64, c)
			J[0] = *from
			if *npts > 1 {
				J[0] = *from + (*to-*from)*float64(k)/float64(*npts-1)
			}
			points = append(points, J)
		}
	}
	cfg := ck.Config
	bi := buildinfo.Read()
	net := m.Net().Describe()
	res := flowResult{
		Version: bi.Version, Commit: bi.CommitString(), Checkpoint: *ckPath,
		Rep: ck.Rep, C: c, Model: cfg.Model, Sizes: net.Sizes, Activation: net.Activation, LayerNorm: net.LayerNorm,
		InputScale: cfg.Network.InputScale, CoarseMirror: cfg.CoarseMirror, Bonds: cfg.Bonds,
		Epoch: ck.Epoch, Epochs: cfg.Epochs, Kernels: kernelPath.Name(),
	}
	for _, J := range points {
		f, jac := m.FlowJacobian(J)
		p := flowPoint{J: J, F: f, Jp: make([]float64, c), Jacobian: make([][]float64, c), fp: engine.AnalyseFixedPoint(m, J), exact: *exact}
		for i := range J {
			p.Jp[i] = J[i] + f[i]
			p.Jacobian[i] = make([]float64, c)
			for j := range J {
				p.Jacobian[i][j] = jac[i*c+j]
				if i == j {
					p.Jacobian[i][j]++
				}
			}
		}
		for _, v := range p.fp.Eigenvalues {
			p.Eigenvalues = append(p.Eigenvalues, oracle.Complex{Re: real(v), Im: imag(v)})
		}
		res.Points = append(res.Points, p)
	}
	if *exact {
		if err := exactAlongside(ctx, &res, ck, *pluginDir); err != nil {
			return err
		}
	}
	if *jsonOut != "" {
		if err := writeJSON(*jsonOut, res); err != nil || *jsonOut == "-" {
			return err
		}
	}
	printFlow(stdout, res)
	return nil
}

// exactAlongside sets the exact variational map of the checkpoint's blocks
// at every point: the minimiser of KL(J, ·) found from several starts at
// the first point and continued from each point to the next (the oracle's
// rule: no fresh global search per point), expressed in the gauge image
// nearest the learned J′ (the images of a minimiser are equally good,
// and the network learns one of them). A point the branch cannot be
// continued to has no exact value, and the note says so.
func exactAlongside(ctx context.Context, res *flowResult, ck *engine.Checkpoint, pluginDir string) error {
	cfg := ck.Config
	if cfg.Bonds == engine.BondsUnrotated {
		return fmt.Errorf("-exact: the exact map's gauge images assume rotated bonds (docs/conventions.md §4); this checkpoint's bonds are unrotated")
	}
	r, err := resolveRep(ctx, ck.Rep, pluginDir)
	if err != nil {
		return fmt.Errorf("-exact needs the checkpoint's representation: %v", err)
	}
	mirror, err := engine.ResolveCoarseMirror(r, cfg.CoarseMirror)
	if err != nil {
		return fmt.Errorf("-exact: coarse_mirror: %v", err)
	}
	geom, _, err := loadBlock(ctx, cfg.Block, pluginDir)
	if err != nil {
		return fmt.Errorf("-exact needs the checkpoint's block: %v", err)
	}
	pair, err := blockPair(r, mirror, cfg.Bonds, cfg.Block, max(1, cfg.Shells), geom)
	if err != nil {
		return fmt.Errorf("-exact: %v", err)
	}
	if pair.Couplings() != res.C {
		return fmt.Errorf("-exact: representation %s on block %s has c = %d, but the checkpoint's network takes %d couplings", r.Name, pair.BlockName(), pair.Couplings(), res.C)
	}
	o := oracle.NewContext(ctx, pair)
	if pair.Shells() == 1 {
		g, err := oracle.BuildGauge(ctx, r)
		if err != nil {
			return fmt.Errorf("-exact: %v", err)
		}
		o.G = g
	}
	var branch *oracle.Point
	failed := 0
	begin, said := time.Now(), time.Now()
	for k := range res.Points {
		if err := ctx.Err(); err != nil {
			return fmt.Errorf("interrupted at point %d of %d of the exact map; nothing written", k+1, len(res.Points))
		}
		if time.Since(said) > 5*time.Second {
			fmt.Fprintf(os.Stderr, "rgflow flow: exact map, point %d of %d, %.0f s\n", k+1, len(res.Points), time.Since(begin).Seconds())
			said = time.Now()
		}
		p := &res.Points[k]
		var q oracle.Point
		if branch == nil {
			q, err = o.MapFrom(p.J, nil)
		} else {
			q, err = o.Continue(*branch, p.J)
		}
		klL, _ := o.B.KL(p.J, p.Jp)
		p.KLLearned = &klL
		if err != nil {
			failed++
			continue
		}
		branch = &q
		p.ExactJp = nearestCentreImage(o.G, q.Jp, p.Jp)
		klE := q.KL
		p.KLExact = &klE
	}
	if failed > 0 {
		res.ExactNote = fmt.Sprintf("the exact map's branch could not be followed to %d of the %d points (no exact_Jp there)", failed, len(res.Points))
	}
	return nil
}

// nearestCentreImage is the image of the coarse coupling Jp under the
// relabellings of the coarse centre (which leave KL(J, ·) unchanged) that
// lies nearest ref, in the max norm.
func nearestCentreImage(g *oracle.Gauge, Jp, ref []float64) []float64 {
	best, dist := Jp, math.Inf(1)
	for _, A := range g.Centre {
		x := g.Apply(A, Jp)
		d := 0.0
		for i := range x {
			d = math.Max(d, math.Abs(x[i]-ref[i]))
		}
		if d < dist {
			best, dist = x, d
		}
	}
	return best
}

// printFlow writes the points as a table: J, J′ and the eigenvalues of
// ∂J′/∂J (largest real part first), and with -exact the exact map's J′ and
// both KL values.
func printFlow(w io.Writer, res flowResult) {
	fmt.Fprintf(w, "%s (c=%d) %s model %v, %s", res.Rep, res.C, res.Model, res.Sizes, res.Activation)
	if res.LayerNorm {
		fmt.Fprint(w, ", layer norm")
	}
	if res.InputScale != 1 {
		fmt.Fprintf(w, ", input scale %g", res.InputScale)
	}
	fmt.Fprintf(w, "; epoch %d of %d, coarse mirror %s\n", res.Epoch, res.Epochs, res.CoarseMirror)
	cols := func(name string) []string {
		out := make([]string, res.C)
		for i := range out {
			out[i] = fmt.Sprintf("%s_%d", name, i)
		}
		return out
	}
	header := append(cols("J"), cols("J′")...)
	withExact := len(res.Points) > 0 && res.Points[0].exact
	if withExact {
		header = append(append(header, cols("M")...), "KL(J,J′)", "KL(J,M)")
	}
	header = append(header, "eigenvalues of ∂J′/∂J")
	rows := [][]string{header}
	num := func(x float64) string { return strconv.FormatFloat(x, 'f', 6, 64) }
	for _, p := range res.Points {
		var row []string
		for _, v := range p.J {
			row = append(row, num(v))
		}
		for _, v := range p.Jp {
			row = append(row, num(v))
		}
		if withExact {
			for i := 0; i < res.C; i++ {
				if p.ExactJp == nil {
					row = append(row, "—")
				} else {
					row = append(row, num(p.ExactJp[i]))
				}
			}
			row = append(row, fmtPtr(p.KLLearned), fmtPtr(p.KLExact))
		}
		row = append(row, eigenString(p.fp.Eigenvalues))
		rows = append(rows, row)
	}
	writeColumns(w, rows)
	if res.ExactNote != "" {
		fmt.Fprintln(w, "note:", res.ExactNote)
	}
}

func fmtPtr(x *float64) string {
	if x == nil {
		return "—"
	}
	return strconv.FormatFloat(*x, 'g', 6, 64)
}

// eigenString lists eigenvalues, a complex pair once as a ± bi.
func eigenString(vals []complex128) string {
	var parts []string
	for i := 0; i < len(vals); i++ {
		v := vals[i]
		if imag(v) == 0 {
			parts = append(parts, strconv.FormatFloat(real(v), 'g', 6, 64))
			continue
		}
		parts = append(parts, fmt.Sprintf("%s±%si", strconv.FormatFloat(real(v), 'g', 6, 64), strconv.FormatFloat(math.Abs(imag(v)), 'g', 4, 64)))
		if i+1 < len(vals) && vals[i+1] == complex(real(v), -imag(v)) {
			i++
		}
	}
	return strings.Join(parts, " ")
}

// writeColumns writes rows with every column left-aligned to its widest
// cell (counted in runes), two spaces apart.
func writeColumns(w io.Writer, rows [][]string) {
	var width []int
	for _, r := range rows {
		for i, cell := range r {
			if i == len(width) {
				width = append(width, 0)
			}
			width[i] = max(width[i], len([]rune(cell)))
		}
	}
	for _, r := range rows {
		var b strings.Builder
		for i, cell := range r {
			b.WriteString(cell)
			if i < len(r)-1 {
				b.WriteString(strings.Repeat(" ", width[i]-len([]rune(cell))+2))
			}
		}
		fmt.Fprintln(w, b.String())
	}
}
