package main

import (
	"fmt"
	"image/color"
	"math"

	"gonum.org/v1/plot"
	"gonum.org/v1/plot/plotter"
	"gonum.org/v1/plot/vg"
	"gonum.org/v1/plot/vg/draw"

	"github.com/rgflow/rgflow/engine"
	"github.com/rgflow/rgflow/internal/plotfile"
)

// The training figure's colours (Okabe–Ito, colour-blind safe).
var (
	flowColour   = color.RGBA{0, 114, 178, 255}
	exactColour  = color.RGBA{213, 94, 0, 255}
	rootColour   = color.RGBA{0, 158, 115, 255}
	axisColour   = color.RGBA{204, 121, 167, 255}
	oracleColour = color.RGBA{0, 0, 0, 255}
	lossColour   = color.RGBA{86, 180, 233, 255}
)

var dashed = []vg.Length{vg.Points(5), vg.Points(3)}

// figure sizes: the training figure has two rows of panels
const (
	figWidth  = 13 * vg.Inch
	figHeight = 9 * vg.Inch
)

// renderFigure draws the training figure (docs/formats.md, "The training
// figure") for path's format: the learned flow on the physical axis with
// the exact J_c, the recorded roots' IQR as a band and the critical
// couplings; for c > 1 the flow diagram in the plane of J_0 and the fixed
// point's off-axis direction; and below, the loss and the root against
// the epoch. flow is the learned f (nil: no flow diagram).
func renderFigure(path string, s engine.Summary, flow func([]float64) []float64) ([]byte, error) {
	axis, err := axisPanel(s)
	if err != nil {
		return nil, err
	}
	var diagram *plot.Plot
	if s.C > 1 && flow != nil {
		if diagram, err = diagramPanel(s, flow); err != nil {
			return nil, err
		}
	}
	loss, root, err := historyPanels(s)
	if err != nil {
		return nil, err
	}
	return plotfile.Render(path, figWidth, figHeight, func(c draw.Canvas) {
		top := draw.Crop(c, 0, 0, c.Size().Y/2, 0)
		bottom := draw.Crop(c, 0, 0, 0, -c.Size().Y/2)
		if diagram != nil {
			plotfile.Framed(axis, draw.Crop(top, 0, -top.Size().X/2, 0, 0))
			plotfile.Framed(diagram, draw.Crop(top, top.Size().X/2, 0, 0, 0))
		} else {
			plotfile.Framed(axis, top)
		}
		plotfile.Framed(loss, draw.Crop(bottom, 0, -bottom.Size().X/2, 0, 0))
		plotfile.Framed(root, draw.Crop(bottom, bottom.Size().X/2, 0, 0, 0))
	})
}

func finite(x float64) bool { return !math.IsNaN(x) && !math.IsInf(x, 0) }

// segment adds the line from (x0, y0) to (x1, y1) to p, and to the legend
// under label if it is not "".
func segment(p *plot.Plot, x0, y0, x1, y1 float64, c color.Color, dash []vg.Length, width float64, label string) {
	l, err := plotter.NewLine(plotter.XYs{{X: x0, Y: y0}, {X: x1, Y: y1}})
	if err != nil {
		return
	}
	l.Color, l.Dashes, l.Width = c, dash, vg.Points(width)
	p.Add(l)
	if label != "" {
		p.Legend.Add(label, l)
	}
}

// vline adds a vertical line at x from lo to hi.
func vline(p *plot.Plot, x, lo, hi float64, c color.Color, dash []vg.Length, label string) {
	segment(p, x, lo, x, hi, c, dash, 1.5, label)
}

// hline adds a horizontal line at y from x0 to x1.
func hline(p *plot.Plot, y, x0, x1 float64, c color.Color, dash []vg.Length, label string) {
	segment(p, x0, y, x1, y, c, dash, 1.2, label)
}

// band adds a vertical band between x0 and x1, from lo to hi.
func band(p *plot.Plot, x0, x1, lo, hi float64, c color.RGBA, label string) {
	poly, err := plotter.NewPolygon(plotter.XYs{{X: x0, Y: lo}, {X: x1, Y: lo}, {X: x1, Y: hi}, {X: x0, Y: hi}})
	if err != nil {
		return
	}
	poly.Color = color.NRGBA{c.R, c.G, c.B, 70}
	poly.LineStyle.Width = 0
	p.Add(poly)
	p.Legend.Add(label, poly)
}

// axisPanel is the learned flow f_0 on the physical axis (seed Fig. 5).
func axisPanel(s engine.Summary) (*plot.Plot, error) {
	p := plotfile.New()
	p.Title.Text = fmt.Sprintf("learned RG flow on the physical axis: %s, %s loss, %s model, %d epochs, seed %d", s.Rep, s.Loss, s.Model, s.Epochs, s.Seed)
	p.X.Label.Text = "J_0 (the other couplings 0)"
	p.Y.Label.Text = "f_0 = J′_0 − J_0"
	p.Add(plotter.NewGrid())
	if len(s.Flow) == 0 {
		return p, nil
	}
	pts := make(plotter.XYs, 0, len(s.Flow))
	lo, hi := 0.0, 0.0
	for _, f := range s.Flow {
		if !finite(f.Flow[0]) {
			continue
		}
		pts = append(pts, plotter.XY{X: f.J0, Y: f.Flow[0]})
		lo, hi = math.Min(lo, f.Flow[0]), math.Max(hi, f.Flow[0])
	}
	if len(pts) < 2 {
		return nil, fmt.Errorf("plot: the learned flow is not finite on the physical axis")
	}
	pad := 0.05 * math.Max(hi-lo, 1e-3)
	lo, hi = lo-pad, hi+pad
	x0, x1 := pts[0].X, pts[len(pts)-1].X
	if q1, q3 := float64(s.JcQ1), float64(s.JcQ3); finite(q1) && finite(q3) {
		w := math.Max(q3-q1, 0.002*(x1-x0)) // a band too thin to see is drawn at a visible width
		m := (q1 + q3) / 2
		band(p, m-w/2, m+w/2, lo, hi, rootColour, fmt.Sprintf("IQR of the %d recorded roots' J_0: %.4f–%.4f", s.Roots, q1, q3))
	}
	hline(p, 0, x0, x1, color.Gray{Y: 80}, nil, "")
	line, err := plotter.NewLine(pts)
	if err != nil {
		return nil, fmt.Errorf("plot: %v", err)
	}
	line.Color, line.Width = flowColour, vg.Points(2)
	p.Add(line)
	p.Legend.Add("learned f_0(J_0, 0, …)", line)
	vline(p, s.JcExact, lo, hi, exactColour, dashed, fmt.Sprintf("exact J_c = %.4f", s.JcExact))
	if m := float64(s.JcMedian); finite(m) {
		vline(p, m, lo, hi, rootColour, nil, fmt.Sprintf("median root J_0 = %.4f", m))
	}
	if a := float64(s.AxisJc); finite(a) && s.C > 1 {
		vline(p, a, lo, hi, axisColour, []vg.Length{vg.Points(2), vg.Points(2)}, fmt.Sprintf("physical-axis J_c of the network = %.4f", a))
	}
	if o := float64(s.OracleAxisJc); finite(o) {
		vline(p, o, lo, hi, oracleColour, []vg.Length{vg.Points(1), vg.Points(3)}, fmt.Sprintf("exact variational map's J_c = %.4f", o))
	}
	if s.C == 1 && s.FixedPoint != nil && finite(s.FixedPoint[0]) { // for A1 the axis is the whole space
		if sc, err := plotter.NewScatter(plotter.XYs{{X: s.FixedPoint[0], Y: 0}}); err == nil {
			sc.GlyphStyle = draw.GlyphStyle{Color: axisColour, Radius: vg.Points(5), Shape: draw.PyramidGlyph{}}
			p.Add(sc)
			p.Legend.Add(fmt.Sprintf("critical fixed point of the final network = %.4f", s.FixedPoint[0]), sc)
		}
	}
	p.X.Min, p.X.Max = x0, x1
	p.Y.Min, p.Y.Max = lo, hi
	return p, nil
}

// historyPanels are the loss (log scale) and the recorded root's J_0
// against the epoch.
func historyPanels(s engine.Summary) (loss, root *plot.Plot, err error) {
	loss, root = plotfile.New(), plotfile.New()
	loss.Title.Text = "training loss: the divergence, mean over the trajectories"
	loss.X.Label.Text, loss.Y.Label.Text = "epoch", "loss"
	loss.Y.Scale, loss.Y.Tick.Marker = plot.LogScale{}, logTicks{}
	root.Title.Text = "J_0 of each epoch's Newton root (second half of training)"
	root.X.Label.Text, root.Y.Label.Text = "epoch", "root J_0"
	loss.Add(plotter.NewGrid())
	root.Add(plotter.NewGrid())
	h := s.History
	if h == nil || h.Len() == 0 {
		return loss, root, nil
	}
	var lp, rp plotter.XYs
	for i, e := range h.Epoch {
		if l := h.Loss[i]; l > 0 && finite(l) {
			lp = append(lp, plotter.XY{X: float64(e), Y: l})
		}
		if r := float64(h.Root[i]); finite(r) {
			rp = append(rp, plotter.XY{X: float64(e), Y: r})
		}
	}
	x0, x1 := float64(h.Epoch[0]), float64(h.Epoch[h.Len()-1])
	if len(lp) > 1 {
		l, err := plotter.NewLine(lp)
		if err != nil {
			return nil, nil, err
		}
		l.Color, l.Width = lossColour, vg.Points(1)
		loss.Add(l)
		loss.Legend.Add("loss", l)
	}
	if len(rp) > 0 {
		sc, err := plotter.NewScatter(rp)
		if err != nil {
			return nil, nil, err
		}
		sc.GlyphStyle = draw.GlyphStyle{Color: rootColour, Radius: vg.Points(1.2), Shape: draw.CircleGlyph{}}
		root.Add(sc)
		root.Legend.Add(fmt.Sprintf("root J_0 (%d recorded)", len(rp)), sc)
		hline(root, s.JcExact, x0, x1, exactColour, dashed, fmt.Sprintf("exact J_c = %.4f", s.JcExact))
		if o := float64(s.OracleAxisJc); finite(o) && s.C == 1 {
			hline(root, o, x0, x1, oracleColour, []vg.Length{vg.Points(1), vg.Points(3)}, fmt.Sprintf("exact variational map's J_c = %.4f", o))
		}
		root.X.Min, root.X.Max = x0, x1
	}
	return loss, root, nil
}

// logTicks labels a log axis at 1, 2 and 5 times the powers of ten when
// it spans less than three decades (plot.LogTicks labels the powers only,
// which may be none), else at the powers.
type logTicks struct{}

func (logTicks) Ticks(lo, hi float64) []plot.Tick {
	if !(lo > 0) || hi/lo >= 1000 {
		return plot.LogTicks{Prec: -1}.Ticks(lo, hi)
	}
	var out []plot.Tick
	for e := math.Floor(math.Log10(lo)); math.Pow(10, e) <= hi; e++ {
		for m := 1; m <= 9; m++ {
			v := float64(m) * math.Pow(10, e)
			if v < lo || v > hi {
				continue
			}
			t := plot.Tick{Value: v}
			if m == 1 || m == 2 || m == 5 {
				t.Label = fmt.Sprintf("%g", v)
			}
			out = append(out, t)
		}
	}
	return out
}

// plotBytes is about the size of a training figure of so many epochs
// (measured: 160–220 kB for 3000 epochs, PNG or SVG, the SVG growing by
// some 40 bytes an epoch), for the check that its file system has room.
func plotBytes(epochs int) int64 { return 512<<10 + 64*int64(epochs) }
