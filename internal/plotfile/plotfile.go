// Package plotfile writes a gonum/plot figure to a file: PNG or SVG by the
// file's extension, atomically (internal/atomicfile). The command's flow
// plot and the bench suites' figures are saved through it.
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

// Save renders p at w × h to path, which must end in .png or .svg.
func Save(p *plot.Plot, path string, w, h vg.Length) error {
	var buf bytes.Buffer
	switch strings.ToLower(filepath.Ext(path)) {
	case ".png":
		img := vgimg.New(w, h)
		p.Draw(draw.New(img))
		if _, err := (vgimg.PngCanvas{Canvas: img}).WriteTo(&buf); err != nil {
			return fmt.Errorf("cannot draw %s: %v", path, err)
		}
	case ".svg":
		svg := vgsvg.New(w, h)
		p.Draw(draw.New(svg))
		if _, err := svg.WriteTo(&buf); err != nil {
			return fmt.Errorf("cannot draw %s: %v", path, err)
		}
	default:
		return fmt.Errorf("figure %s must end in .png or .svg", path)
	}
	return atomicfile.Write(path, buf.Bytes())
}
