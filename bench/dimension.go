package bench

import (
	"fmt"
	"image/color"
	"math"
	"slices"
	"sort"
	"strings"

	"gonum.org/v1/plot"
	"gonum.org/v1/plot/plotter"
	"gonum.org/v1/plot/vg"
	"gonum.org/v1/plot/vg/draw"

	"github.com/rgflow/rgflow/engine"
	"github.com/rgflow/rgflow/internal/plotfile"
)

// dimensionFigure draws the bias-vs-dimension suite against the on-site
// dimension d: per representation, loss and coarse mirror a box of the
// trained networks' physical-axis critical couplings (the estimate to
// quote for c > 1; for A1 the fixed point itself), the exact variational
// map's value for the same representation and mirror as a marker beside
// it, the exact J_c dashed, and under the plot, in words, how the bias
// of each depends on d (dimensionReading).
func dimensionFigure(path string, rows []DistRow, smoke bool) error {
	p := plot.New()
	setTitle(p, "bias-vs-dimension: physical-axis critical coupling against the on-site dimension d", smoke)
	p.Y.Label.Text = "physical-axis J_c"
	p.Add(plotter.NewGrid())

	var axis []DistRow
	for _, r := range rows {
		if r.Quantity == "axis" {
			axis = append(axis, r)
		}
	}
	// one series per (loss, mirror), each at its own offset from d; at a
	// d with several representations (d = 7: 3A1+2E, A1+3E) they sit
	// side by side
	type series struct{ loss, mirror string }
	var ss []series
	for _, r := range axis {
		s := series{r.Loss, mirrorOf(r.CoarseMirror)}
		if !slices.Contains(ss, s) {
			ss = append(ss, s)
		}
	}
	sort.SliceStable(ss, func(i, j int) bool {
		if ss[i].loss != ss[j].loss {
			return ss[i].loss > ss[j].loss // kl before cd
		}
		return ss[i].mirror < ss[j].mirror // axis before diagonal
	})
	repsAt := map[int][]string{}
	for _, r := range axis {
		if !slices.Contains(repsAt[r.D], r.Rep) {
			repsAt[r.D] = append(repsAt[r.D], r.Rep)
		}
	}
	width := 0.8 // of one d, shared by its representations and series
	x := func(r DistRow, si int) float64 {
		rs := repsAt[r.D]
		slot := width / float64(len(rs))
		ri := slices.Index(rs, r.Rep)
		return float64(r.D) - width/2 + slot*(float64(ri)+(float64(si)+0.5)/float64(len(ss)))
	}
	box := vg.Points(math.Max(4, math.Min(14, 60/float64(max(len(ss), 1)))))
	y := yRange{engine.JcExact, engine.JcExact}
	dmin, dmax := math.Inf(1), math.Inf(-1)
	var all []float64
	// the exact map's value of a representation and mirror, the same for
	// every loss: one marker, beside the mirror's first series with it,
	// in that series' colour
	type exact struct {
		pts    plotter.XYs
		colour color.RGBA
	}
	oracles := map[string]*exact{}
	var mirrors []string
	marked := map[string]bool{}
	for si, s := range ss {
		c := colour(si)
		first := true
		for _, r := range axis {
			if r.Loss != s.loss || mirrorOf(r.CoarseMirror) != s.mirror {
				continue
			}
			dmin, dmax = math.Min(dmin, float64(r.D)), math.Max(dmax, float64(r.D))
			if v := float64(r.OracleAxisJc); !math.IsNaN(v) && !math.IsInf(v, 0) && !marked[r.Rep+" "+s.mirror] {
				marked[r.Rep+" "+s.mirror] = true
				e := oracles[s.mirror]
				if e == nil {
					e = &exact{colour: darker(c)}
					oracles[s.mirror] = e
					mirrors = append(mirrors, s.mirror)
				}
				e.pts = append(e.pts, plotter.XY{X: x(r, si), Y: v})
				y.include(v, v)
			}
			vals := finiteValues(r.Values)
			if len(vals) == 0 {
				continue
			}
			b, err := plotter.NewBoxPlot(box, x(r, si), vals)
			if err != nil {
				return err
			}
			b.FillColor = translucent(c, 110)
			b.BoxStyle.Color, b.MedianStyle.Color = c, c
			b.MedianStyle.Width = vg.Points(2)
			p.Add(b)
			if first {
				p.Legend.Add(fmt.Sprintf("trained, loss %s, %s mirror", s.loss, s.mirror), swatch{b.FillColor})
				first = false
			}
			y.include(whiskers(vals))
			all = append(all, vals...)
		}
	}
	// crosses for the axis mirror, rings for the diagonal one, so that the
	// mirrors differ in shape as well as colour
	for _, m := range mirrors {
		sc, err := plotter.NewScatter(oracles[m].pts)
		if err != nil {
			return err
		}
		var shape draw.GlyphDrawer = draw.CrossGlyph{}
		if m != "axis" {
			shape = draw.RingGlyph{}
		}
		sc.GlyphStyle = draw.GlyphStyle{Color: oracles[m].colour, Radius: vg.Points(5), Shape: shape}
		p.Add(sc)
		p.Legend.Add(fmt.Sprintf("exact variational map, %s mirror", m), sc)
	}
	if math.IsInf(dmin, 1) {
		dmin, dmax = 1, 1
	}
	exactLine(p, dmin-0.5, dmax+0.5)
	p.X.Min, p.X.Max = dmin-0.5, dmax+0.5
	var ticks []plot.Tick
	for d := int(dmin); d <= int(dmax); d++ {
		label := fmt.Sprintf("d = %d", d)
		if rs := repsAt[d]; len(rs) > 0 {
			label += "\n" + strings.Join(rs, "\n")
		}
		ticks = append(ticks, plot.Tick{Value: float64(d), Label: label})
	}
	p.X.Tick.Marker = plot.ConstantTicks(ticks)
	pad := 0.05 * math.Max(y.hi-y.lo, 0.01)
	p.Y.Min, p.Y.Max = y.lo-pad, y.hi+pad
	out := 0
	for _, v := range all {
		if v < p.Y.Min || v > p.Y.Max {
			out++
		}
	}
	words := dimensionReading(axis)
	if out > 0 {
		words = append(words, fmt.Sprintf("(%d trained estimates lie outside the plotted range; the tables have them)", out))
	}
	p.X.Label.Text = "on-site dimension d and representations\n\n" + strings.Join(words, "\n")
	p.X.Label.TextStyle.Font.Size = vg.Points(10)
	p.Legend.TextStyle.Font.Size = vg.Points(9)
	h := 5*vg.Inch + vg.Length(len(words))*vg.Points(13)
	w := vg.Length(math.Max(8, 1.3*(dmax-dmin+1)+2))*vg.Inch + legendWidth
	return plotfile.SaveFramed(p, path, w, h)
}

// darker is c at two thirds of its brightness, for markers over its boxes.
func darker(c color.RGBA) color.RGBA {
	return color.RGBA{R: c.R / 3 * 2, G: c.G / 3 * 2, B: c.B / 3 * 2, A: 255}
}

// dimensionReading says in words how the bias of the physical-axis
// critical coupling depends on d: for the exact map of each mirror and
// for the trained networks of each loss and mirror (their medians), the
// relative bias at each d, and whether it is smaller at the largest d
// than at the smallest — the claim that larger representations reduce
// the bias, tested on the data shown.
func dimensionReading(axis []DistRow) []string {
	type point struct {
		d    int
		rep  string
		bias float64 // relative, %
	}
	collect := func(keep func(DistRow) bool, val func(DistRow) float64) []point {
		var out []point
		for _, r := range axis {
			if v := val(r); keep(r) && !math.IsNaN(v) && !math.IsInf(v, 0) {
				out = append(out, point{r.D, r.Rep, 100 * (v - engine.JcExact) / engine.JcExact})
			}
		}
		sort.SliceStable(out, func(i, j int) bool { return out[i].d < out[j].d })
		return out
	}
	describe := func(name string, pts []point) string {
		if len(pts) == 0 {
			return ""
		}
		var parts []string
		for _, p := range pts {
			parts = append(parts, fmt.Sprintf("%s %+.1f%%", p.rep, p.bias))
		}
		line := name + ": " + strings.Join(parts, ", ")
		lo, hi := pts[0], pts[len(pts)-1]
		// the largest d against the smallest, and against the best
		best := lo
		for _, p := range pts {
			if math.Abs(p.bias) < math.Abs(best.bias) {
				best = p
			}
		}
		switch {
		case hi.d == lo.d:
		case math.Abs(hi.bias) < math.Abs(lo.bias) && best.d == hi.d:
			line += fmt.Sprintf(" — |bias| smallest at the largest d (%d): larger representations reduce it here", hi.d)
		case math.Abs(hi.bias) < math.Abs(lo.bias):
			line += fmt.Sprintf(" — |bias| smaller at d = %d than at d = %d, but smallest at d = %d (%s): not monotone in d", hi.d, lo.d, best.d, best.rep)
		default:
			line += fmt.Sprintf(" — |bias| smallest at d = %d (%s): larger representations do not reduce it", best.d, best.rep)
		}
		return line
	}
	var lines []string
	mirrors := []string{"axis", "diagonal"}
	for _, m := range mirrors {
		// the exact map's value is the same for every loss: once a
		// representation
		seen := map[string]bool{}
		pts := collect(func(r DistRow) bool {
			keep := mirrorOf(r.CoarseMirror) == m && !seen[r.Rep] && !math.IsNaN(float64(r.OracleAxisJc))
			if keep {
				seen[r.Rep] = true
			}
			return keep
		}, func(r DistRow) float64 { return float64(r.OracleAxisJc) })
		if l := describe("exact map, "+m+" mirror", pts); l != "" {
			lines = append(lines, l)
		}
	}
	var losses []string
	for _, r := range axis {
		if !slices.Contains(losses, r.Loss) {
			losses = append(losses, r.Loss)
		}
	}
	for _, loss := range losses {
		for _, m := range mirrors {
			pts := collect(func(r DistRow) bool { return r.Loss == loss && mirrorOf(r.CoarseMirror) == m }, func(r DistRow) float64 { return float64(r.Median) })
			name := fmt.Sprintf("trained (median), loss %s, %s mirror", loss, m)
			l := describe(name, pts)
			// the representations none of whose instances gave an
			// estimate, which the plot cannot show
			var none []string
			for _, r := range axis {
				if r.Loss == loss && mirrorOf(r.CoarseMirror) == m && r.OK == 0 && r.Instances > 0 {
					none = append(none, r.Rep)
				}
			}
			switch {
			case len(none) > 0 && l == "":
				l = name + ": no estimate from any instance of " + strings.Join(none, ", ")
			case len(none) > 0:
				l += "; no estimate from any instance of " + strings.Join(none, ", ")
			}
			if l != "" {
				lines = append(lines, l)
			}
		}
	}
	return lines
}
