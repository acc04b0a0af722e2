package main

import (
	"fmt"
	"image/color"
	"math"

	"gonum.org/v1/plot"
	"gonum.org/v1/plot/plotter"
	"gonum.org/v1/plot/vg"
	"gonum.org/v1/plot/vg/draw"

	"rgflow/engine"
	"rgflow/internal/plotfile"
)

// plotFlow draws the learned flow f_0 on the physical axis (seed Fig. 5)
// with the exact critical coupling and the estimate, and writes it
// atomically as PNG or SVG.
func flowPlot(s engine.Summary) (*plot.Plot, error) {
	p := plot.New()
	p.Title.Text = fmt.Sprintf("learned RG flow, %s, %s loss, %s model", s.Rep, s.Loss, s.Model)
	p.X.Label.Text = "J₀"
	p.Y.Label.Text = "f₀(J₀, 0, …) = J′₀ − J₀"
	p.Add(plotter.NewGrid())
	pts := make(plotter.XYs, len(s.Flow))
	lo, hi := math.Inf(1), math.Inf(-1)
	for i, f := range s.Flow {
		pts[i].X, pts[i].Y = f.J0, f.Flow[0]
		lo, hi = math.Min(lo, f.Flow[0]), math.Max(hi, f.Flow[0])
	}
	line, err := plotter.NewLine(pts)
	if err != nil {
		return nil, fmt.Errorf("plot: %v", err)
	}
	line.Color = color.RGBA{R: 200, A: 255}
	line.Width = vg.Points(1.5)
	p.Add(line)
	p.Legend.Add("f₀", line)
	zero, _ := plotter.NewLine(plotter.XYs{{X: 0, Y: 0}, {X: s.Flow[len(s.Flow)-1].J0, Y: 0}})
	zero.Color = color.Gray{Y: 80}
	p.Add(zero)
	vline := func(x float64, c color.Color, dashed bool, label string) {
		l, _ := plotter.NewLine(plotter.XYs{{X: x, Y: lo}, {X: x, Y: hi}})
		l.Color = c
		if dashed {
			l.Dashes = []vg.Length{vg.Points(4), vg.Points(3)}
		}
		p.Add(l)
		p.Legend.Add(label, l)
	}
	vline(s.JcExact, color.RGBA{B: 200, A: 255}, true, fmt.Sprintf("exact J_c = %.4f", s.JcExact))
	if m := float64(s.JcMedian); !math.IsNaN(m) {
		vline(m, color.RGBA{G: 140, A: 255}, false, fmt.Sprintf("estimate %.4f", m))
	}
	p.Legend.Top = true
	p.Legend.Left = true
	return p, nil
}

// renderFigure draws the training figure for path's format.
func renderFigure(path string, s engine.Summary) ([]byte, error) {
	p, err := flowPlot(s)
	if err != nil {
		return nil, err
	}
	return plotfile.Render(path, 6*vg.Inch, 4*vg.Inch, func(c draw.Canvas) { p.Draw(c) })
}
