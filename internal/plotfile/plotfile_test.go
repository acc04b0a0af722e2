package plotfile

import (
	"bytes"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"gonum.org/v1/plot"
	"gonum.org/v1/plot/vg"
)

func TestSave(t *testing.T) {
	dir := t.TempDir()
	p := plot.New()
	p.Title.Text = "test"
	for name, magic := range map[string]string{"f.png": "\x89PNG", "f.SVG": "<?xml"} {
		path := filepath.Join(dir, name)
		if err := Save(p, path, 2*vg.Inch, 2*vg.Inch); err != nil {
			t.Fatal(err)
		}
		if b, _ := os.ReadFile(path); !bytes.HasPrefix(b, []byte(magic)) {
			t.Errorf("%s starts with %q, want %q", name, b[:min(len(b), 8)], magic)
		}
	}
	if err := Save(p, filepath.Join(dir, "f.pdf"), vg.Inch, vg.Inch); err == nil || !strings.Contains(err.Error(), ".png or .svg") {
		t.Errorf("a .pdf figure: %v", err)
	}
}
