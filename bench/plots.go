package bench

import (
	"fmt"
	"image/color"
	"math"
	"sort"
	"strings"

	"gonum.org/v1/plot"
	"gonum.org/v1/plot/plotter"
	"gonum.org/v1/plot/vg"
	"gonum.org/v1/plot/vg/draw"

	"github.com/rgflow/rgflow/engine"
	"github.com/rgflow/rgflow/internal/plotfile"
	"github.com/rgflow/rgflow/internal/quantile"
)

// palette is a colour-blind-safe set (Okabe–Ito).
var palette = []color.RGBA{
	{0, 114, 178, 255}, {230, 159, 0, 255}, {0, 158, 115, 255}, {204, 121, 167, 255},
	{86, 180, 233, 255}, {213, 94, 0, 255}, {240, 228, 66, 255}, {0, 0, 0, 255},
}

func colour(i int) color.RGBA { return palette[i%len(palette)] }

var exactColour = color.RGBA{R: 200, A: 255}

// translucent is c with opacity a (color.RGBA is premultiplied, so a
// translucent colour must be an NRGBA).
func translucent(c color.RGBA, a uint8) color.NRGBA { return color.NRGBA{c.R, c.G, c.B, a} }

// smokeNote is the second title line of a quick suite's figures.
const smokeNote = "SMOKE TEST (-quick): every code path ran, the numbers mean nothing"

// setTitle sets a figure's title, marked as a smoke test if it is one.
func setTitle(p *plot.Plot, title string, smoke bool) {
	if smoke {
		title += "\n" + smokeNote
	}
	p.Title.Text = title
	p.Title.Padding = vg.Points(6)
}

// legendWidth is the room a figure leaves for its legend column.
const legendWidth = 3 * vg.Inch

// exactLine is the exact J_c as a dashed horizontal line from x0 to x1.
func exactLine(p *plot.Plot, x0, x1 float64) {
	l, _ := plotter.NewLine(plotter.XYs{{X: x0, Y: engine.JcExact}, {X: x1, Y: engine.JcExact}})
	l.Color = exactColour
	l.Width = vg.Points(1.2)
	l.Dashes = []vg.Length{vg.Points(5), vg.Points(3)}
	p.Add(l)
	p.Legend.Add(fmt.Sprintf("exact J_c = %.6f", engine.JcExact), l)
}

// swatch is a legend entry: a filled rectangle.
type swatch struct{ c color.Color }

func (s swatch) Thumbnail(c *draw.Canvas) {
	r := c.Rectangle
	c.FillPolygon(s.c, []vg.Point{r.Min, {X: r.Max.X, Y: r.Min.Y}, r.Max, {X: r.Min.X, Y: r.Max.Y}})
}

// ---------------------------------------------------------------------------
// grouped bars on a log axis (epoch-time)

// bars draws one series of a grouped bar chart from the bottom of the Y
// axis, so that it works on a log scale, with error bars from lo to hi.
type bars struct {
	xs, ys, lo, hi []float64 // NaN y: no bar
	width          float64   // in X data units
	fill           color.Color
}

func (b *bars) Plot(c draw.Canvas, plt *plot.Plot) {
	trX, trY := plt.Transforms(&c)
	outline := draw.LineStyle{Color: color.Gray{Y: 40}, Width: vg.Points(0.4)}
	whisker := draw.LineStyle{Color: color.Black, Width: vg.Points(0.8)}
	for i, x := range b.xs {
		y := b.ys[i]
		if math.IsNaN(y) || y <= 0 {
			continue
		}
		x0, x1 := trX(x-b.width/2), trX(x+b.width/2)
		y0, y1 := trY(plt.Y.Min), trY(y)
		pts := []vg.Point{{X: x0, Y: y0}, {X: x1, Y: y0}, {X: x1, Y: y1}, {X: x0, Y: y1}}
		c.FillPolygon(b.fill, c.ClipPolygonY(pts))
		c.StrokeLines(outline, c.ClipLinesY(append(pts, pts[0]))...)
		if lo, hi := b.lo[i], b.hi[i]; !math.IsNaN(lo) && !math.IsNaN(hi) && hi > lo && lo > 0 {
			xm := trX(x)
			c.StrokeLines(whisker, c.ClipLinesY([]vg.Point{{X: xm, Y: trY(lo)}, {X: xm, Y: trY(hi)}})...)
		}
	}
}

func (b *bars) DataRange() (xmin, xmax, ymin, ymax float64) {
	xmin, xmax, ymin, ymax = math.Inf(1), math.Inf(-1), math.Inf(1), math.Inf(-1)
	for i, x := range b.xs {
		xmin, xmax = math.Min(xmin, x-b.width/2), math.Max(xmax, x+b.width/2)
		for _, y := range []float64{b.ys[i], b.lo[i], b.hi[i]} {
			if !math.IsNaN(y) && y > 0 {
				ymin, ymax = math.Min(ymin, y), math.Max(ymax, y)
			}
		}
	}
	return
}

func (b *bars) Thumbnail(c *draw.Canvas) { swatch{b.fill}.Thumbnail(c) }

// timeGroup is one group of bars of the epoch-time figure: a configuration
// without its model and kernel path.
type timeGroup struct {
	rep, loss, net  string
	traj, s, kf, kc int
}

func groupOf(r EpochTimeRow) timeGroup {
	return timeGroup{r.Rep, r.Loss, r.Network, r.Trajectories, r.CDSamples, r.KFine, r.KCoarse}
}

// label is the group's tick label.
func (g timeGroup) label() string {
	n := fmt.Sprintf("%s %s %d", g.rep, g.loss, g.traj)
	if usesCD(g.loss) {
		n += fmt.Sprintf(" (%d/%d/%d)", g.s, g.kf, g.kc)
	}
	return n + " " + g.net
}

func mapHas[K comparable, V any](m map[K]V, k K) bool { _, ok := m[k]; return ok }

// epochTimeBars lays the rows out as grouped bars: a group per
// configuration, in it a bar per model and kernel path (a series, one
// colour throughout) packed side by side, and right beside them the
// reference implementation's bar where the configuration has one (grey, a
// shade per implementation), so that each reference stands next to the
// bars it is compared with. It returns the groups, and the series with
// their names.
func epochTimeBars(rows []EpochTimeRow) ([]timeGroup, []string, []*bars) {
	var groups []timeGroup
	gi := map[timeGroup]int{}
	members := map[int][]EpochTimeRow{}
	var names []string
	si := map[string]int{}
	var refNames []string
	ri := map[string]int{}
	for _, r := range rows {
		k := groupOf(r)
		if !mapHas(gi, k) {
			gi[k] = len(groups)
			groups = append(groups, k)
		}
		members[gi[k]] = append(members[gi[k]], r)
		if s := r.Model + " · " + r.Kernels; !mapHas(si, s) {
			si[s] = len(names)
			names = append(names, s)
		}
		if src := refName(r); src != "" && !mapHas(ri, src) {
			ri[src] = len(refNames)
			refNames = append(refNames, src)
		}
	}
	series := make([]*bars, len(names)+len(refNames))
	for i := range series {
		series[i] = &bars{fill: colour(i)}
	}
	greys := []color.Color{color.Gray{Y: 110}, color.Gray{Y: 170}, color.Gray{Y: 210}}
	for k := range refNames {
		series[len(names)+k].fill = greys[k%len(greys)]
	}
	// one bar width for the whole figure: the fullest group fills 0.8
	slots := func(ms []EpochTimeRow) (n int, ref string, refS float64) {
		for _, r := range ms {
			if src := refName(r); src != "" && ref == "" {
				ref, refS = src, float64(r.Reference)
			}
		}
		n = len(ms)
		if ref != "" {
			n++
		}
		return n, ref, refS
	}
	most := 1
	for g := range groups {
		n, _, _ := slots(members[g])
		most = max(most, n)
	}
	width := 0.8 / float64(most)
	for g := range groups {
		ms := members[g]
		sort.SliceStable(ms, func(a, b int) bool {
			return si[ms[a].Model+" · "+ms[a].Kernels] < si[ms[b].Model+" · "+ms[b].Kernels]
		})
		n, ref, refS := slots(ms)
		x := float64(g) - width*float64(n)/2 + width/2
		put := func(b *bars, y, lo, hi float64) {
			b.xs, b.ys, b.lo, b.hi = append(b.xs, x), append(b.ys, y), append(b.lo, lo), append(b.hi, hi)
			x += width
		}
		for _, r := range ms {
			put(series[si[r.Model+" · "+r.Kernels]], float64(r.Median), float64(r.Q1), float64(r.Q3))
		}
		if ref != "" {
			put(series[len(names)+ri[ref]], refS, math.NaN(), math.NaN())
		}
	}
	for _, b := range series {
		b.width = width
	}
	for _, src := range refNames {
		names = append(names, "reference: "+src)
	}
	return groups, names, series
}

// refName is the legend name of a row's reference implementation, "" if
// the row has no reference time.
func refName(r EpochTimeRow) string {
	if math.IsNaN(float64(r.Reference)) {
		return ""
	}
	if r.ReferenceSource == "" {
		return "reference implementation (bench/anchors.go)"
	}
	return r.ReferenceSource
}

// epochTimeFigure is seed Fig. 9 generalised: seconds per epoch of every
// configuration (groups: representation, loss, trajectories, network, CD
// settings) for every model and kernel path (bars), and the reference
// implementation's where ReferenceSpeed has it; log scale, IQR whiskers.
func epochTimeFigure(path string, rows []EpochTimeRow, smoke bool) error {
	groups, names, series := epochTimeBars(rows)
	p := plotfile.New()
	setTitle(p, "seconds per epoch (median over repeats, IQR whiskers)", smoke)
	p.Y.Label.Text = "seconds per epoch"
	p.Y.Scale = plot.LogScale{}
	p.Y.Tick.Marker = plot.LogTicks{Prec: -1}
	p.Add(plotter.NewGrid())
	ymin, ymax := math.Inf(1), math.Inf(-1)
	for i, b := range series {
		p.Add(b)
		p.Legend.Add(names[i], b)
		_, _, lo, hi := b.DataRange()
		ymin, ymax = math.Min(ymin, lo), math.Max(ymax, hi)
	}
	if math.IsInf(ymin, 0) { // nothing measured
		ymin, ymax = 1e-3, 1
	}
	const h = 5 * vg.Inch
	p.Y.Min = ymin / 2
	p.Y.Max = ymax * 1.5
	p.X.Min, p.X.Max = -0.5, float64(len(groups))-0.5
	labels := []string{"(no configurations)"}
	if len(groups) > 0 {
		labels = labels[:0]
		for _, g := range groups {
			labels = append(labels, g.label())
		}
	}
	p.NominalX(labels...)
	p.X.Tick.Label.Rotation = math.Pi / 5
	p.X.Tick.Label.XAlign = draw.XRight
	p.X.Tick.Label.YAlign = draw.YCenter
	p.X.Label.Text = "representation, loss, trajectories (CD samples/k_{fine}/k_{coarse}), network depth×width"
	most := 2.0 // bars in the fullest group
	if len(series) > 0 && series[0].width > 0 {
		most = math.Max(most, 0.8/series[0].width)
	}
	w := vg.Length(math.Max(7, 0.3*float64(len(groups))*most+2))*vg.Inch + legendWidth
	return plotfile.SaveFramed(p, path, w, h)
}

// ---------------------------------------------------------------------------
// box plots of the J_c estimates (bias-vs-dimension, kl-vs-cd)

// pubPoints are published medians with their IQR as error bars.
type pubPoints struct{ xs, ys, lo, hi []float64 }

func (p pubPoints) Len() int                        { return len(p.xs) }
func (p pubPoints) XY(i int) (float64, float64)     { return p.xs[i], p.ys[i] }
func (p pubPoints) YError(i int) (float64, float64) { return p.ys[i] - p.lo[i], p.hi[i] - p.ys[i] }
func finiteValues(v []F) plotter.Values {
	var out plotter.Values
	for _, x := range v {
		if f := float64(x); !math.IsNaN(f) && !math.IsInf(f, 0) {
			out = append(out, f)
		}
	}
	return out
}

// whiskers is the range of a box plot's whiskers: the most extreme values
// within 1.5 IQR of the quartiles.
func whiskers(v []float64) (lo, hi float64) {
	_, q1, q3 := quantile.Quartiles(v)
	r := 1.5 * (q3 - q1)
	lo, hi = math.Inf(1), math.Inf(-1)
	for _, x := range v {
		if x >= q1-r && x <= q3+r {
			lo, hi = math.Min(lo, x), math.Max(hi, x)
		}
	}
	return lo, hi
}

// distFigure draws seed Figs. 6/8/10: per configuration a box of the
// instances' J_0 estimates and one of their physical-axis critical
// couplings, the published figures for the same representation beside
// them (median with IQR bars), and the exact J_c dashed.
func distFigure(path, suite string, rows []DistRow, pub []Anchor, smoke bool) error {
	p := plotfile.New()
	setTitle(p, fmt.Sprintf("%s: critical-coupling estimates over independent instances", suite), smoke)
	p.Y.Label.Text = "J_c estimate"
	p.Add(plotter.NewGrid())
	var names []string
	idx := map[string]int{} // configuration label → x position
	for _, r := range rows {
		if _, ok := idx[r.Label]; !ok {
			idx[r.Label] = len(names)
			names = append(names, tickLabel(r.Label, r.Network))
		}
	}
	n := len(names)
	exactLine(p, -0.5, float64(max(n, 1))-0.5)
	y := yRange{engine.JcExact, engine.JcExact}
	_, vals, err := distBoxes(p, rows, idx, &y)
	if err != nil {
		return err
	}
	_, err = publishedMarkers(p, rows, pub, idx, &y)
	if err != nil {
		return err
	}
	if _, err := oracleMarkers(p, rows, idx, &y); err != nil {
		return err
	}
	if len(names) == 0 {
		names = []string{"(no configurations)"}
	}
	p.NominalX(names...)
	p.X.Min, p.X.Max = -0.5, float64(max(n, 1))-0.5
	p.Legend.TextStyle.Font.Size = vg.Points(9)
	const h = 5 * vg.Inch
	pad := 0.05 * math.Max(y.hi-y.lo, 0.01)
	p.Y.Min, p.Y.Max = y.lo-pad, y.hi+pad
	out := 0
	for _, v := range vals {
		if v < p.Y.Min || v > p.Y.Max {
			out++
		}
	}
	if out > 0 {
		p.X.Label.Text = fmt.Sprintf("(%d estimates outside the plotted range are not shown; the tables have them)", out)
	}
	w := vg.Length(math.Max(6, 1.8*float64(n)+1.5))*vg.Inch + legendWidth
	return plotfile.SaveFramed(p, path, w, h)
}

// variationalLimit is the exact variational map's fixed point J* of the
// rows' representation on the plaquette under the axis mirror (the sweeps'
// default; sweepFigure draws it only for runs there) where anchors.go
// records it, the J_c every exact-KL training of it
// approaches however its parameters are set.
func variationalLimit(rows []SweepRow) (float64, bool) {
	if len(rows) == 0 {
		return 0, false
	}
	for _, r := range rows[1:] {
		if r.Rep != rows[0].Rep {
			return 0, false // one line would not fit every row
		}
	}
	for _, a := range Published {
		if a.Source == srcOracle && a.Rep == rows[0].Rep {
			return a.Median, true
		}
	}
	return 0, false
}

// tickLabel writes a configuration's label over lines — representation,
// then the rest, then the network — so that long labels of neighbouring
// boxes do not run into each other.
func tickLabel(label, network string) string {
	rep, rest, _ := strings.Cut(label, " ")
	return rep + "\n" + rest + "\n(" + network + ")"
}

// yRange is the range of data a figure's Y axis must show.
type yRange struct{ lo, hi float64 }

func (y *yRange) include(lo, hi float64) { y.lo, y.hi = math.Min(y.lo, lo), math.Max(y.hi, hi) }

// distBoxes adds a box plot of each row's estimates at its configuration's
// position (J_0 estimates left of the physical-axis ones) and widens y to
// their whiskers (1.5 IQR; far outliers do not stretch the axis). It
// returns how many quantities it put in the legend, and every value drawn.
func distBoxes(p *plot.Plot, rows []DistRow, idx map[string]int, y *yRange) (int, []float64, error) {
	qcol := map[string]color.RGBA{"j0": colour(0), "axis": colour(1)}
	qoff := map[string]float64{"j0": -0.25, "axis": 0}
	qname := map[string]string{
		"j0":   "J_0 of the Newton root (median over the second half)",
		"axis": "critical coupling on the physical axis (final network)",
	}
	legend := map[string]bool{}
	var all []float64
	for _, r := range rows {
		vals := finiteValues(r.Values)
		if len(vals) == 0 {
			continue
		}
		b, err := plotter.NewBoxPlot(vg.Points(16), float64(idx[r.Label])+qoff[r.Quantity], vals)
		if err != nil {
			return 0, nil, err
		}
		b.FillColor = translucent(qcol[r.Quantity], 110)
		b.BoxStyle.Color = qcol[r.Quantity]
		b.MedianStyle.Color = qcol[r.Quantity]
		b.MedianStyle.Width = vg.Points(2)
		p.Add(b)
		if !legend[r.Quantity] {
			legend[r.Quantity] = true
			p.Legend.Add(qname[r.Quantity], swatch{b.FillColor})
		}
		y.include(whiskers(vals))
		all = append(all, vals...)
	}
	return len(legend), all, nil
}

// publishedMarkers adds, right of each configuration's boxes, the
// published J_0 estimates for its representation (median, IQR bars), one
// marker shape and colour per source, and widens y to them. It returns the
// number of sources.
func publishedMarkers(p *plot.Plot, rows []DistRow, pub []Anchor, idx map[string]int, y *yRange) (int, error) {
	used := map[string]int{} // markers already beside a configuration
	bySource := map[string]*pubPoints{}
	var sources []string
	for _, r := range rows {
		if r.Quantity != "j0" {
			continue
		}
		for _, a := range pub {
			if !comparableAnchor(a, r.Rep, r.D, r.CoarseMirror, r.Bonds) {
				continue
			}
			src := fmt.Sprintf("%s (%s %s)", a.Short, a.Loss, a.Model)
			if a.Loss == "" {
				src = a.Short
			}
			pp := bySource[src]
			if pp == nil {
				pp = &pubPoints{}
				bySource[src] = pp
				sources = append(sources, src)
			}
			k := used[r.Label]
			used[r.Label]++
			lo, hi := float64(a.Q1), float64(a.Q3)
			if math.IsNaN(lo) {
				lo, hi = a.Median, a.Median
			}
			pp.xs = append(pp.xs, float64(idx[r.Label])+0.2+0.08*float64(k))
			pp.ys = append(pp.ys, a.Median)
			pp.lo, pp.hi = append(pp.lo, lo), append(pp.hi, hi)
			y.include(lo, hi)
		}
	}
	shapes := []draw.GlyphDrawer{draw.PyramidGlyph{}, draw.SquareGlyph{}, draw.CrossGlyph{}, draw.RingGlyph{}}
	for i, src := range sources {
		pp := bySource[src]
		sc, err := plotter.NewScatter(pp)
		if err != nil {
			return 0, err
		}
		sc.GlyphStyle = draw.GlyphStyle{Color: colour(i + 2), Radius: vg.Points(3.5), Shape: shapes[i%len(shapes)]}
		eb, err := plotter.NewYErrorBars(pp)
		if err != nil {
			return 0, err
		}
		eb.LineStyle.Color = colour(i + 2)
		eb.LineStyle.Width = vg.Points(1)
		p.Add(eb, sc)
		if strings.HasPrefix(src, oracleAnchorShort) {
			// not a published estimate: the exact map, recorded in anchors.go
			p.Legend.Add("exact variational map: fixed point J* (rgflow oracle)", sc)
		} else {
			p.Legend.Add("published: "+src, sc)
		}
	}
	return len(sources), nil
}

// oracleMarkers marks, on each configuration's physical-axis box, the exact
// variational map's physical-axis critical coupling for its representation
// and coarse mirror — what a network that reached the map would give — and
// widens y to it. It returns 1 if it drew any (one legend entry), else 0.
func oracleMarkers(p *plot.Plot, rows []DistRow, idx map[string]int, y *yRange) (int, error) {
	var xys plotter.XYs
	for _, r := range rows {
		v := float64(r.OracleAxisJc)
		if r.Quantity != "axis" || math.IsNaN(v) || math.IsInf(v, 0) {
			continue
		}
		xys = append(xys, plotter.XY{X: float64(idx[r.Label]), Y: v})
		y.include(v, v)
	}
	if len(xys) == 0 {
		return 0, nil
	}
	sc, err := plotter.NewScatter(xys)
	if err != nil {
		return 0, err
	}
	sc.GlyphStyle = draw.GlyphStyle{Color: color.RGBA{R: 200, A: 255}, Radius: vg.Points(5), Shape: draw.CrossGlyph{}}
	p.Add(sc)
	p.Legend.Add("exact variational map: physical-axis J_c (rgflow oracle)", sc)
	return 1, nil
}

// ---------------------------------------------------------------------------
// sweeps: mean ± σ against the swept value

func sweepFigure(path, title string, rows []SweepRow, plaquette, smoke bool) error {
	p := plotfile.New()
	setTitle(p, fmt.Sprintf("J_c estimate against %s (mean ± σ over instances)", title), smoke)
	p.X.Label.Text = title
	p.Y.Label.Text = "J_c estimate (J_0 of the Newton root)"
	p.Add(plotter.NewGrid())
	xmin, xmax := math.Inf(1), math.Inf(-1)
	for _, r := range rows {
		xmin, xmax = math.Min(xmin, r.Value), math.Max(xmax, r.Value)
	}
	var values []float64
	for _, r := range rows {
		if !contains(values, r.Value) {
			values = append(values, r.Value)
		}
	}
	pow2 := powersOfTwo(values)
	logX := xmin > 0 && (xmax/xmin >= 8 || pow2)
	switch {
	case pow2:
		p.X.Scale = plot.LogScale{}
		p.X.Tick.Marker = valueTicks(values) // 1, 2, 4, …: a tick at each value swept
	case logX:
		p.X.Scale = plot.LogScale{}
		p.X.Tick.Marker = plot.LogTicks{Prec: -1}
	}
	var labels []string
	for _, r := range rows {
		if !contains(labels, r.Label) {
			labels = append(labels, r.Label)
		}
	}
	ymin, ymax := engine.JcExact, engine.JcExact
	for li, lb := range labels {
		var mean, up, down plotter.XYs
		for _, r := range rows {
			if r.Label != lb || math.IsNaN(float64(r.Mean)) {
				continue
			}
			m, s := float64(r.Mean), float64(r.Std)
			if math.IsNaN(s) {
				s = 0
			}
			mean = append(mean, plotter.XY{X: r.Value, Y: m})
			up = append(up, plotter.XY{X: r.Value, Y: m + s})
			down = append(down, plotter.XY{X: r.Value, Y: m - s})
			ymin, ymax = math.Min(ymin, m-s), math.Max(ymax, m+s)
		}
		if len(mean) == 0 {
			continue
		}
		c := colour(li)
		if len(mean) > 1 {
			band := append(plotter.XYs(nil), up...)
			for i := len(down) - 1; i >= 0; i-- {
				band = append(band, down[i])
			}
			poly, err := plotter.NewPolygon(band)
			if err != nil {
				return err
			}
			poly.Color = translucent(c, 60)
			poly.LineStyle.Width = 0
			p.Add(poly)
		}
		line, pts, err := plotter.NewLinePoints(mean)
		if err != nil {
			return err
		}
		line.Color = c
		line.Width = vg.Points(1.5)
		pts.GlyphStyle = draw.GlyphStyle{Color: c, Radius: vg.Points(2.5), Shape: draw.CircleGlyph{}}
		p.Add(line, pts)
		p.Legend.Add(lb+" (band: ±σ)", line, pts)
	}
	if math.IsInf(xmin, 0) {
		xmin, xmax = 1, 2
	}
	x0, x1 := xmin, xmax
	if logX {
		x0, x1 = xmin/1.3, xmax*1.3
	} else {
		pad := 0.05 * math.Max(xmax-xmin, 1)
		x0, x1 = xmin-pad, xmax+pad
	}
	exactLine(p, x0, x1)
	if v, ok := variationalLimit(rows); ok && plaquette {
		l, err := plotter.NewLine(plotter.XYs{{X: x0, Y: v}, {X: x1, Y: v}})
		if err != nil {
			return err
		}
		l.Color = color.Black
		l.Width = vg.Points(1)
		l.Dashes = []vg.Length{vg.Points(1.5), vg.Points(2.5)}
		p.Add(l)
		p.Legend.Add(fmt.Sprintf("exact variational map's J* = %.5f (what exact-KL training can reach)", v), l)
		ymin, ymax = math.Min(ymin, v), math.Max(ymax, v)
	}
	p.X.Min, p.X.Max = x0, x1
	const h = 4 * vg.Inch
	pad := 0.05 * math.Max(ymax-ymin, 0.01)
	p.Y.Min, p.Y.Max = ymin-pad, ymax+pad
	return plotfile.SaveFramed(p, path, 6*vg.Inch+legendWidth, h)
}

// powersOfTwo reports whether every value is a power of two (1, 2, 4, …)
// and there are at least two: such a sweep is drawn on a log axis.
func powersOfTwo(vs []float64) bool {
	if len(vs) < 2 {
		return false
	}
	for _, v := range vs {
		if f, e := math.Frexp(v); !(v > 0) || f != 0.5 || e < 1 {
			return false
		}
	}
	return true
}

// valueTicks puts a labelled tick at each of the values.
type valueTicks []float64

func (v valueTicks) Ticks(min, max float64) []plot.Tick {
	var out []plot.Tick
	for _, x := range v {
		if x >= min && x <= max {
			out = append(out, plot.Tick{Value: x, Label: fmt.Sprintf("%g", x)})
		}
	}
	return out
}
