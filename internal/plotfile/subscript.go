package plotfile

import (
	"math"
	"strings"
	"unicode"

	"gonum.org/v1/plot"
	"gonum.org/v1/plot/font"
	"gonum.org/v1/plot/text"
	"gonum.org/v1/plot/vg"
)

// Every figure's text goes through Subscripts: this package's figures
// write J_c, J_0, k_fine as the physicist would.
func init() {
	plot.DefaultTextHandler = Subscripts{Plain: text.Plain{Fonts: font.DefaultCache}}
}

// Subscripts is a text handler that sets what follows an underscore as a
// subscript: "J_c" is J with a subscript c, "k_fine" k with a subscript
// "fine" (a run of letters and digits), "f_{0,1}" f with "0,1". Any other
// text is plain. gonum/plot's LaTeX handler would do it too, but it cannot
// typeset the Unicode (β, σ, ±, …) the labels use.
type Subscripts struct {
	text.Plain
}

// subSize and subDrop are a subscript's size and how far its baseline is
// lowered, relative to the font size.
const subSize, subDrop = 0.7, 0.22

// segment is a run of text, a subscript or not.
type segment struct {
	s   string
	sub bool
}

// segments splits a line at its subscripts.
func segments(line string) []segment {
	var out []segment
	var cur strings.Builder
	flush := func(sub bool) {
		if cur.Len() > 0 {
			out = append(out, segment{cur.String(), sub})
			cur.Reset()
		}
	}
	rs := []rune(line)
	for i := 0; i < len(rs); i++ {
		if rs[i] != '_' || i+1 == len(rs) {
			cur.WriteRune(rs[i])
			continue
		}
		j := i + 1
		var sub string
		if rs[j] == '{' {
			k := j + 1
			for k < len(rs) && rs[k] != '}' {
				k++
			}
			if k == len(rs) { // no closing brace: plain text
				cur.WriteRune(rs[i])
				continue
			}
			sub, i = string(rs[j+1:k]), k
		} else {
			k := j
			for k < len(rs) && (unicode.IsLetter(rs[k]) || unicode.IsDigit(rs[k])) {
				k++
			}
			if k == j {
				cur.WriteRune(rs[i])
				continue
			}
			sub, i = string(rs[j:k]), k-1
		}
		flush(false)
		out = append(out, segment{sub, true})
	}
	flush(false)
	return out
}

func (h Subscripts) face(fnt font.Font, sub bool) *font.Face {
	if sub {
		fnt.Size = vg.Length(float64(fnt.Size) * subSize)
	}
	f := h.Fonts.Lookup(fnt, fnt.Size)
	return &f
}

// width is the width of a line.
func (h Subscripts) width(line string, fnt font.Font) vg.Length {
	var w vg.Length
	for _, s := range segments(line) {
		w += h.face(fnt, s.sub).Width(s.s)
	}
	return w
}

// Box implements text.Handler.
func (h Subscripts) Box(txt string, fnt font.Font) (width, height, depth vg.Length) {
	ext := h.face(fnt, false).Extents()
	depth = ext.Descent
	if strings.Contains(txt, "_") {
		sub := h.face(fnt, true).Extents()
		depth = vg.Length(math.Max(float64(depth), float64(vg.Length(subDrop)*fnt.Size+sub.Descent)))
	}
	return h.width(txt, fnt), ext.Ascent, depth
}

// Draw implements text.Handler as text.Plain does, a segment at a time.
func (h Subscripts) Draw(c vg.Canvas, txt string, sty text.Style, pt vg.Point) {
	txt = strings.TrimRight(txt, "\n")
	if len(txt) == 0 {
		return
	}
	fnt := h.face(sty.Font, false)
	c.SetColor(sty.Color)
	if sty.Rotation != 0 {
		c.Push()
		c.Rotate(sty.Rotation)
	}
	sin64, cos64 := math.Sincos(sty.Rotation)
	cos, sin := vg.Length(cos64), vg.Length(sin64)
	pt.X, pt.Y = pt.Y*sin+pt.X*cos, pt.Y*cos-pt.X*sin
	lines := h.Lines(txt)
	ht := sty.Height(txt)
	pt.Y += ht*vg.Length(sty.YAlign) - fnt.Extents().Ascent
	for i, line := range lines {
		x := vg.Length(sty.XAlign) * h.width(line, sty.Font)
		n := vg.Length(len(lines) - i)
		base := pt.Add(vg.Point{X: x, Y: n * sty.Font.Size})
		for _, s := range segments(line) {
			f := h.face(sty.Font, s.sub)
			at := base
			if s.sub {
				at.Y -= vg.Length(subDrop) * sty.Font.Size
			}
			c.FillString(*f, at, s.s)
			base.X += f.Width(s.s)
		}
	}
	if sty.Rotation != 0 {
		c.Pop()
	}
}
