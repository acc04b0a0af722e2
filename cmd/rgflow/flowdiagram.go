package main

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
)

// plane is the plane of a flow diagram: the points J = x e_0 + y u, with
// e_0 the physical axis and u a unit vector orthogonal to it.
type plane struct {
	c     int
	u     []float64
	uName string
}

func (pl plane) point(x, y float64) []float64 {
	J := make([]float64, pl.c)
	for i := range J {
		J[i] = y * pl.u[i]
	}
	J[0] += x
	return J
}

// project is the plane's coordinates of J and its distance from the plane.
func (pl plane) project(J []float64) (x, y, off float64) {
	x = J[0]
	for i := 1; i < pl.c; i++ {
		y += J[i] * pl.u[i]
	}
	for i := 1; i < pl.c; i++ {
		r := J[i] - y*pl.u[i]
		off += r * r
	}
	return x, y, math.Sqrt(off)
}

// diagramPlane is the plane through the physical axis and the learned
// critical fixed point: u is the fixed point's off-axis direction (its
// leading off-axis direction), or the coupling J_1 when it has none.
func diagramPlane(s engine.Summary) plane {
	pl := plane{c: s.C, u: make([]float64, s.C)}
	norm := 0.0
	for i := 1; i < s.C && s.FixedPoint != nil; i++ {
		norm += s.FixedPoint[i] * s.FixedPoint[i]
	}
	if norm = math.Sqrt(norm); norm < 1e-9 {
		pl.u[1], pl.uName = 1, "u = J_1 (the fixed point lies on the axis)"
		return pl
	}
	type comp struct {
		i int
		w float64
	}
	var cs []comp
	for i := 1; i < s.C; i++ {
		pl.u[i] = s.FixedPoint[i] / norm
		cs = append(cs, comp{i, pl.u[i]})
	}
	sort.Slice(cs, func(a, b int) bool { return math.Abs(cs[a].w) > math.Abs(cs[b].w) })
	var parts []string
	for _, c := range cs[:min(3, len(cs))] {
		if math.Abs(c.w) >= 0.05 {
			parts = append(parts, fmt.Sprintf("%+.2f J_%d", c.w, c.i))
		}
	}
	pl.uName = "u = " + strings.Join(parts, " ")
	if len(cs) > 3 {
		pl.uName += " …"
	}
	return pl
}

// streamlines draws curves along a planar field, each with an arrowhead
// at its middle pointing along the flow.
type streamlines struct {
	lines []plotter.XYs
	style draw.LineStyle
}

func (s *streamlines) Plot(c draw.Canvas, p *plot.Plot) {
	trX, trY := p.Transforms(&c)
	for _, l := range s.lines {
		pts := make([]vg.Point, len(l))
		for i, xy := range l {
			pts[i] = vg.Point{X: trX(xy.X), Y: trY(xy.Y)}
		}
		c.StrokeLines(s.style, c.ClipLinesXY(pts)...)
		m := len(pts) / 2
		if m < 1 {
			continue
		}
		a, b := pts[m-1], pts[m]
		dx, dy := float64(b.X-a.X), float64(b.Y-a.Y)
		n := math.Hypot(dx, dy)
		if n == 0 || !c.Contains(b) {
			continue
		}
		dx, dy = dx/n, dy/n
		const size = 5 // points
		left := vg.Point{X: b.X - vg.Length(size*(dx+0.5*dy)), Y: b.Y - vg.Length(size*(dy-0.5*dx))}
		right := vg.Point{X: b.X - vg.Length(size*(dx-0.5*dy)), Y: b.Y - vg.Length(size*(dy+0.5*dx))}
		c.FillPolygon(s.style.Color, []vg.Point{b, left, right})
	}
}

func (s *streamlines) Thumbnail(c *draw.Canvas) {
	y := c.Center().Y
	c.StrokeLine2(s.style, c.Min.X, y, c.Max.X, y)
}

// diagramPanel is the flow diagram of a run with c > 1: streamlines of the
// learned map's displacement f(J), projected onto the plane of J_0 and the
// fixed point's off-axis direction, with the fixed points in it.
func diagramPanel(s engine.Summary, flow func([]float64) []float64) (*plot.Plot, error) {
	pl := diagramPlane(s)
	p := plotfile.New()
	p.Title.Text = "flow diagram: streamlines of f(J) in the plane of J_0 and the fixed point's off-axis direction\n" + pl.uName
	p.X.Label.Text = "J_0"
	p.Y.Label.Text = "off-axis coordinate J·u"
	xlo, xhi, ylo, yhi := -0.1, 1.6, -0.6, 0.6
	mark := func(J []float64) {
		if J == nil {
			return
		}
		x, y, _ := pl.project(J)
		if finite(x) && finite(y) {
			xlo, xhi = math.Min(xlo, x-0.2), math.Max(xhi, x+0.2)
			ylo, yhi = math.Min(ylo, y-0.3), math.Max(yhi, y+0.3)
		}
	}
	mark(s.FixedPoint)
	mark(s.OracleFixedPoint)
	xlo, xhi = math.Max(xlo, -3), math.Min(xhi, 3)
	ylo, yhi = math.Max(ylo, -3), math.Min(yhi, 3)
	field := func(x, y float64) (float64, float64, bool) {
		f := flow(pl.point(x, y))
		fx := f[0]
		fy := 0.0
		for i := 1; i < pl.c; i++ {
			fy += f[i] * pl.u[i]
		}
		return fx, fy, finite(fx) && finite(fy)
	}
	sl := &streamlines{style: draw.LineStyle{Color: color.Gray{Y: 110}, Width: vg.Points(0.9)}}
	sx, sy := (xhi-xlo)/100, (yhi-ylo)/100
	trace := func(x, y, dir float64) plotter.XYs {
		var out plotter.XYs
		for k := 0; k < 160; k++ {
			if x < xlo || x > xhi || y < ylo || y > yhi {
				break
			}
			out = append(out, plotter.XY{X: x, Y: y})
			// a midpoint step along the field, normalised in the axes' units
			step := func(x, y float64) (float64, float64, bool) {
				fx, fy, ok := field(x, y)
				n := math.Hypot(fx/sx, fy/sy)
				if !ok || n < 1e-12 {
					return 0, 0, false
				}
				return dir * fx / n, dir * fy / n, true
			}
			dx, dy, ok := step(x, y)
			if !ok {
				break
			}
			mx, my, ok := step(x+dx/2, y+dy/2)
			if !ok {
				break
			}
			x, y = x+mx, y+my
		}
		return out
	}
	const seeds = 7
	for i := 0; i < seeds; i++ {
		for j := 0; j < seeds; j++ {
			x := xlo + (float64(i)+0.5)*(xhi-xlo)/seeds
			y := ylo + (float64(j)+0.5)*(yhi-ylo)/seeds
			back, fwd := trace(x, y, -1), trace(x, y, 1)
			line := make(plotter.XYs, 0, len(back)+len(fwd))
			for k := len(back) - 1; k > 0; k-- {
				line = append(line, back[k])
			}
			line = append(line, fwd...)
			if len(line) > 2 {
				sl.lines = append(sl.lines, line)
			}
		}
	}
	p.Add(sl)
	p.Legend.Add("streamline of the learned flow (arrow: direction)", sl)
	hline(p, 0, xlo, xhi, color.Gray{Y: 60}, dashed, "physical axis")
	point := func(x, y float64, shape draw.GlyphDrawer, c color.Color, r vg.Length, label string) {
		sc, err := plotter.NewScatter(plotter.XYs{{X: x, Y: y}})
		if err != nil {
			return
		}
		sc.GlyphStyle = draw.GlyphStyle{Color: c, Radius: r, Shape: shape}
		p.Add(sc)
		p.Legend.Add(label, sc)
	}
	point(0, 0, draw.RingGlyph{}, color.Gray{Y: 40}, vg.Points(4), "trivial fixed point J = 0")
	if s.FixedPoint != nil {
		x, y, _ := pl.project(s.FixedPoint)
		point(x, y, draw.CircleGlyph{}, flowColour, vg.Points(5), fmt.Sprintf("learned critical fixed point (λ = %.3f)", float64(s.Lambda)))
	}
	if a := float64(s.AxisJc); finite(a) {
		point(a, 0, draw.PyramidGlyph{}, axisColour, vg.Points(5), fmt.Sprintf("physical-axis J_c of the network = %.4f", a))
	}
	point(s.JcExact, 0, draw.SquareGlyph{}, exactColour, vg.Points(4), fmt.Sprintf("exact J_c = %.4f", s.JcExact))
	if s.OracleFixedPoint != nil {
		x, y, off := pl.project(s.OracleFixedPoint)
		label := "exact variational map's critical fixed point"
		if off > 1e-3 {
			label += fmt.Sprintf(" (projected; %.2f off the plane)", off)
		}
		point(x, y, draw.CrossGlyph{}, oracleColour, vg.Points(6), label)
	}
	p.X.Min, p.X.Max, p.Y.Min, p.Y.Max = xlo, xhi, ylo, yhi
	return p, nil
}
