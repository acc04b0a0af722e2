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

	"rgflow/internal/atomicfile"
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
