package bench

import (
	"bytes"
	"fmt"
	"image/color"
	"math"
	"path/filepath"
	"strings"

	"gonum.org/v1/plot"
	"gonum.org/v1/plot/plotter"
	"gonum.org/v1/plot/vg"
	"gonum.org/v1/plot/vg/draw"
	"gonum.org/v1/plot/vg/vgimg"
	"gonum.org/v1/plot/vg/vgsvg"

	"rgflow/engine"
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

// legendRoom is the fraction of a figure's plotting height (h) that a
// legend of n entries at the top takes, plus a margin.
func legendRoom(p *plot.Plot, n int, h vg.Length) float64 {
	line := p.Legend.TextStyle.Height("Xg") + p.Legend.Padding
	return math.Min(0.6, float64(vg.Length(n)*line)/float64(h-1.2*vg.Inch)+0.04)
}

// withRoom returns the axis maximum that leaves the top fraction f of the
// range [lo, hi] free (linear axis).
func withRoom(lo, hi, f float64) float64 { return lo + (hi-lo)/(1-f) }

// saveFigure renders p to PNG or SVG by the file's extension, atomically.
func saveFigure(p *plot.Plot, path string, w, h vg.Length) error {
	var buf bytes.Buffer
	switch strings.ToLower(filepath.Ext(path)) {
	case ".png":
		img := vgimg.New(w, h)
		p.Draw(draw.New(img))
		if _, err := (vgimg.PngCanvas{Canvas: img}).WriteTo(&buf); err != nil {
			return err
		}
	case ".svg":
		svg := vgsvg.New(w, h)
		p.Draw(draw.New(svg))
		if _, err := svg.WriteTo(&buf); err != nil {
			return err
		}
	default:
		return fmt.Errorf("figure %s must end in .png or .svg", path)
	}
	return engine.WriteFileAtomic(path, buf.Bytes())
}

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

// epochTimeFigure is seed Fig. 9 generalised: seconds per epoch of every
// configuration (groups: representation, loss, trajectories, network, CD
// settings) for every model and kernel path (bars), and the reference
// implementation's where anchors.md has it; log scale, IQR whiskers.
func epochTimeFigure(path string, rows []EpochTimeRow) error {
	type gkey struct {
		rep, loss, net  string
		traj, s, kf, kc int
	}
	var groups []gkey
	gi := map[gkey]int{}
	var series []string
	si := map[string]int{}
	for _, r := range rows {
		k := gkey{r.Rep, r.Loss, r.Network, r.Trajectories, r.CDSamples, r.KFine, r.KCoarse}
		if _, ok := gi[k]; !ok {
			gi[k] = len(groups)
			groups = append(groups, k)
		}
		s := r.Model + " · " + r.Kernels
		if _, ok := si[s]; !ok {
			si[s] = len(series)
			series = append(series, s)
		}
	}
	const refSeries = "reference implementation (bench/anchors.go)"
	hasRef := false
	for _, r := range rows {
		hasRef = hasRef || !math.IsNaN(float64(r.Reference))
	}
	ns := len(series)
	if hasRef {
		ns++
	}
	width := 0.8 / float64(max(ns, 1))
	vals := make([]*bars, ns)
	for i := range vals {
		vals[i] = &bars{width: width, fill: colour(i)}
		for range groups {
			vals[i].xs = append(vals[i].xs, 0)
			vals[i].ys = append(vals[i].ys, math.NaN())
			vals[i].lo = append(vals[i].lo, math.NaN())
			vals[i].hi = append(vals[i].hi, math.NaN())
		}
		for g := range groups {
			vals[i].xs[g] = float64(g) - 0.4 + width*(float64(i)+0.5)
		}
	}
	if hasRef {
		vals[ns-1].fill = color.Gray{Y: 150}
	}
	for _, r := range rows {
		g := gi[gkey{r.Rep, r.Loss, r.Network, r.Trajectories, r.CDSamples, r.KFine, r.KCoarse}]
		b := vals[si[r.Model+" · "+r.Kernels]]
		b.ys[g], b.lo[g], b.hi[g] = float64(r.Median), float64(r.Q1), float64(r.Q3)
		if hasRef && !math.IsNaN(float64(r.Reference)) {
			vals[ns-1].ys[g] = float64(r.Reference)
		}
	}
	p := plot.New()
	p.Title.Text = "seconds per epoch (median over repeats, IQR whiskers)"
	p.Y.Label.Text = "seconds per epoch"
	p.Y.Scale = plot.LogScale{}
	p.Y.Tick.Marker = plot.LogTicks{Prec: -1}
	p.Add(plotter.NewGrid())
	ymin, ymax := math.Inf(1), math.Inf(-1)
	for i, b := range vals {
		p.Add(b)
		name := refSeries
		if i < len(series) {
			name = series[i]
		}
		p.Legend.Add(name, b)
		_, _, lo, hi := b.DataRange()
		ymin, ymax = math.Min(ymin, lo), math.Max(ymax, hi)
	}
	if math.IsInf(ymin, 0) { // nothing measured
		ymin, ymax = 1e-3, 1
	}
	const h = 5 * vg.Inch
	f := legendRoom(p, ns, h)
	p.Y.Min = ymin / 2
	p.Y.Max = p.Y.Min * math.Pow(ymax*1.5/p.Y.Min, 1/(1-f))
	p.X.Min, p.X.Max = -0.5, float64(len(groups))-0.5
	var names []string
	for _, g := range groups {
		n := fmt.Sprintf("%s %s %d", g.rep, g.loss, g.traj)
		if g.loss == "cd" {
			n += fmt.Sprintf(" (%d/%d/%d)", g.s, g.kf, g.kc)
		}
		names = append(names, n+" "+g.net)
	}
	if len(names) == 0 {
		names = []string{"(no configurations)"}
	}
	p.NominalX(names...)
	p.X.Tick.Label.Rotation = math.Pi / 5
	p.X.Tick.Label.XAlign = draw.XRight
	p.X.Tick.Label.YAlign = draw.YCenter
	p.X.Label.Text = "representation, loss, trajectories (CD samples/k_fine/k_coarse), network depth×width"
	p.Legend.Top = true
	p.Legend.Left = true
	w := vg.Length(math.Max(7, 0.45*float64(len(groups)*max(ns, 2))+2)) * vg.Inch
	return saveFigure(p, path, w, h)
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
	_, q1, q3 := engine.Quartiles(v)
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
func distFigure(path, suite string, rows []DistRow, pub []Anchor) error {
	p := plot.New()
	p.Title.Text = fmt.Sprintf("%s: critical-coupling estimates over independent instances", suite)
	p.Y.Label.Text = "J_c estimate"
	p.Add(plotter.NewGrid())
	var names []string
	idx := map[string]int{}
	for _, r := range rows {
		if _, ok := idx[r.Label]; !ok {
			idx[r.Label] = len(names)
			names = append(names, r.Label+" ("+r.Network+")")
		}
	}
	n := len(names)
	exactLine(p, -0.5, float64(max(n, 1))-0.5)
	boxW := vg.Points(16)
	qcol := map[string]color.RGBA{"j0": colour(0), "axis": colour(1)}
	qoff := map[string]float64{"j0": -0.25, "axis": 0}
	qname := map[string]string{
		"j0":   "J_0 of the Newton root (median over the second half)",
		"axis": "critical coupling on the physical axis (final network)",
	}
	legend := map[string]bool{}
	ymin, ymax := engine.JcExact, engine.JcExact
	var allVals []float64
	for _, r := range rows {
		vals := finiteValues(r.Values)
		if len(vals) == 0 {
			continue
		}
		b, err := plotter.NewBoxPlot(boxW, float64(idx[r.Label])+qoff[r.Quantity], vals)
		if err != nil {
			return err
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
		// the range follows the whiskers (1.5 IQR), not far outliers
		lo, hi := whiskers(vals)
		ymin, ymax = math.Min(ymin, lo), math.Max(ymax, hi)
		allVals = append(allVals, vals...)
	}
	// published figures, one marker per source, right of the boxes
	shapes := map[string]draw.GlyphDrawer{}
	drawers := []draw.GlyphDrawer{draw.PyramidGlyph{}, draw.SquareGlyph{}, draw.CrossGlyph{}, draw.RingGlyph{}}
	used := map[string]int{}
	bySource := map[string]*pubPoints{}
	var sources []string
	for _, r := range rows {
		if r.Quantity != "j0" {
			continue
		}
		for _, a := range pub {
			if canonRep(a.Rep) != canonRep(r.Rep) {
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
			ymin, ymax = math.Min(ymin, lo), math.Max(ymax, hi)
		}
	}
	for i, src := range sources {
		pp := bySource[src]
		sc, err := plotter.NewScatter(pp)
		if err != nil {
			return err
		}
		shapes[src] = drawers[i%len(drawers)]
		sc.GlyphStyle = draw.GlyphStyle{Color: colour(i + 2), Radius: vg.Points(3.5), Shape: shapes[src]}
		eb, err := plotter.NewYErrorBars(pp)
		if err != nil {
			return err
		}
		eb.LineStyle.Color = colour(i + 2)
		eb.LineStyle.Width = vg.Points(1)
		p.Add(eb, sc)
		p.Legend.Add("published: "+src, sc)
	}
	if len(names) == 0 {
		names = []string{"(no configurations)"}
	}
	p.NominalX(names...)
	p.X.Min, p.X.Max = -0.5, float64(max(n, 1))-0.5
	p.Legend.Top = true
	p.Legend.Left = true
	p.Legend.TextStyle.Font.Size = vg.Points(8)
	const h = 5 * vg.Inch
	pad := 0.05 * math.Max(ymax-ymin, 0.01)
	p.Y.Min = ymin - pad
	p.Y.Max = withRoom(p.Y.Min, ymax+pad, legendRoom(p, 1+len(legend)+len(sources), h))
	out := 0
	for _, v := range allVals {
		if v < p.Y.Min || v > p.Y.Max {
			out++
		}
	}
	if out > 0 {
		p.X.Label.Text = fmt.Sprintf("(%d estimates outside the plotted range are not shown; the tables have them)", out)
	}
	w := vg.Length(math.Max(6, 1.8*float64(n)+1.5)) * vg.Inch
	return saveFigure(p, path, w, h)
}

// ---------------------------------------------------------------------------
// sweeps: mean ± σ against the swept value

func sweepFigure(path, title string, rows []SweepRow) error {
	p := plot.New()
	p.Title.Text = fmt.Sprintf("J_c estimate against %s (mean ± σ over instances)", title)
	p.X.Label.Text = title
	p.Y.Label.Text = "J_c estimate (J_0 of the Newton root)"
	p.Add(plotter.NewGrid())
	xmin, xmax := math.Inf(1), math.Inf(-1)
	for _, r := range rows {
		xmin, xmax = math.Min(xmin, r.Value), math.Max(xmax, r.Value)
	}
	logX := xmin > 0 && xmax/xmin >= 8
	if logX {
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
	p.X.Min, p.X.Max = x0, x1
	p.Legend.Top = true
	p.Legend.Left = true
	const h = 4 * vg.Inch
	pad := 0.05 * math.Max(ymax-ymin, 0.01)
	p.Y.Min = ymin - pad
	p.Y.Max = withRoom(p.Y.Min, ymax+pad, legendRoom(p, len(labels)+1, h))
	return saveFigure(p, path, 6*vg.Inch, h)
}
