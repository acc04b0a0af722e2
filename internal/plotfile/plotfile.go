// Package plotfile writes gonum/plot figures to files: PNG or SVG by the
// file's extension, atomically (internal/atomicfile). The command's
// figures and the bench suites' are saved through it.
package plotfile

import (
	"bytes"
	"fmt"
	"path/filepath"
	"strings"

	"gonum.org/v1/plot"
	"gonum.org/v1/plot/vg"
	"gonum.org/v1/plot/vg/draw"
	"gonum.org/v1/plot/vg/vgimg"
	"gonum.org/v1/plot/vg/vgsvg"

	"github.com/rgflow/rgflow/internal/atomicfile"
)

// DPI is the resolution of PNG figures.
const DPI = 144

// Save renders p at w × h to path, which must end in .png or .svg.
func Save(p *plot.Plot, path string, w, h vg.Length) error {
	data, err := Render(path, w, h, func(c draw.Canvas) { p.Draw(c) })
	if err != nil {
		return err
	}
	return atomicfile.Write(path, data)
}

// Render draws a figure of w × h with drawFig and encodes it in the format
// path's extension names (.png at DPI, or .svg), without writing anything.
func Render(path string, w, h vg.Length, drawFig func(draw.Canvas)) ([]byte, error) {
	var buf bytes.Buffer
	switch strings.ToLower(filepath.Ext(path)) {
	case ".png":
		img := vgimg.NewWith(vgimg.UseWH(w, h), vgimg.UseDPI(DPI))
		drawFig(draw.New(img))
		if _, err := (vgimg.PngCanvas{Canvas: img}).WriteTo(&buf); err != nil {
			return nil, fmt.Errorf("cannot draw %s: %v", path, err)
		}
	case ".svg":
		svg := vgsvg.New(w, h)
		drawFig(draw.New(svg))
		if _, err := svg.WriteTo(&buf); err != nil {
			return nil, fmt.Errorf("cannot draw %s: %v", path, err)
		}
	default:
		return nil, fmt.Errorf("figure %s must end in .png or .svg", path)
	}
	return buf.Bytes(), nil
}

// margin is the blank border round every figure, so that no title or
// label touches the canvas's edge; legendGap separates the legend column
// from the plot.
const margin, legendGap = vg.Length(8), vg.Length(10)

// Framed draws p inside a margin with its legend, if it has entries, off
// the data: in a column of its own right of the plot, or, when that column
// would take more than a third of the width, in rows below the plot. A
// title too wide for the canvas is set smaller. Every figure of rgflow is
// drawn through it (SaveFramed, or a panel of a larger figure).
func Framed(p *plot.Plot, c draw.Canvas) {
	c = draw.Crop(c, margin, -margin, margin, -margin)
	leg := p.Legend
	lr := leg.Rectangle(c)
	lw, lh := lr.Size().X, lr.Size().Y
	below := lw > c.Size().X/3
	if below {
		lw = 0
	} else if lw > 0 {
		lw += legendGap
	}
	for p.Title.Text != "" && p.Title.TextStyle.Width(p.Title.Text) > c.Size().X-lw && p.Title.TextStyle.Font.Size > 7 {
		p.Title.TextStyle.Font.Size -= 0.5
	}
	if lr.Size().X == 0 {
		p.Draw(c)
		return
	}
	p.Legend = plot.NewLegend() // none over the data
	defer func() { p.Legend = leg }()
	leg.Top, leg.Left = true, true
	leg.XOffs, leg.YOffs = 0, 0
	if below {
		p.Draw(draw.Crop(c, 0, 0, lh+legendGap, 0))
		leg.Draw(draw.Crop(c, 0, 0, 0, -(c.Size().Y - lh)))
		return
	}
	p.Draw(draw.Crop(c, 0, -lw, 0, 0))
	top := vg.Length(0)
	if p.Title.Text != "" {
		top = p.Title.TextStyle.Rectangle(p.Title.Text).Size().Y + p.Title.Padding
	}
	leg.Draw(draw.Crop(c, c.Size().X-lw+legendGap, 0, 0, -top))
}

// SaveFramed is Save through Framed.
func SaveFramed(p *plot.Plot, path string, w, h vg.Length) error {
	data, err := Render(path, w, h, func(c draw.Canvas) { Framed(p, c) })
	if err != nil {
		return err
	}
	return atomicfile.Write(path, data)
}
