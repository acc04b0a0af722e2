//go:build linux

package plugins

import (
	"context"
	"os"
	"path/filepath"
	"reflect"
	"strings"
	"testing"

	"github.com/rgflow/rgflow/engine/divergence"
	"github.com/rgflow/rgflow/engine/geometry"
	"github.com/rgflow/rgflow/reps"
)

func blockBin(slug string) string { return filepath.Join(binDir, BlockPrefix+slug) }

// loadBlock runs LoadBlock on path, then checks that the plugin process is
// gone.
func loadBlock(t *testing.T, path string) (*geometry.Geometry, error) {
	t.Helper()
	seen := watch(t)
	g, err := LoadBlock(context.Background(), path)
	assertGone(t, *seen)
	return g, err
}

// A block plugin's geometry crosses the wire whole: the test plugin's
// free:2x1, built from its coarse sites, is the built-in free:2x1 site for
// site and bond for bond, and its KL is the built-in's, bit for bit.
func TestBlockPluginIsTheBuiltIn(t *testing.T) {
	g, err := loadBlock(t, blockBin("free2x1"))
	if err != nil {
		t.Fatal(err)
	}
	want, err := geometry.Free(2, 1, 1)
	if err != nil {
		t.Fatal(err)
	}
	if g.Name != "free2x1" {
		t.Errorf("name %q, want free2x1", g.Name)
	}
	g.Name = want.Name
	if !reflect.DeepEqual(g, want) {
		t.Fatalf("the plugin's geometry differs from the built-in free:2x1:\n got %+v\nwant %+v", g, want)
	}
	rep, err := reps.Builtin("A1+E")
	if err != nil {
		t.Fatal(err)
	}
	pg, err := divergence.New(g, rep, "axis")
	if err != nil {
		t.Fatal(err)
	}
	pw, err := divergence.New(want, rep, "axis")
	if err != nil {
		t.Fatal(err)
	}
	J, Jp := []float64{0.7, 0.1, -0.2, 0.3, 0.05}, []float64{0.6, 0.2, 0.1, -0.1, 0.3}
	klg, gg := pg.KL(J, Jp)
	klw, gw := pw.KL(J, Jp)
	if klg != klw || !reflect.DeepEqual(gg, gw) {
		t.Errorf("KL on the plugin's block %v %v, on the built-in %v %v", klg, gg, klw, gw)
	}
}

// A malformed block is refused on load in one sentence naming the plugin
// and what is wrong with the geometry.
func TestMalformedBlockRefused(t *testing.T) {
	_, err := loadBlock(t, blockBin("badbond"))
	if err == nil {
		t.Fatal("a block with a bond turned the wrong way was accepted")
	}
	msg := err.Error()
	for _, want := range []string{blockBin("badbond"), "invalid block", "fine bond", "direction"} {
		if !strings.Contains(msg, want) {
			t.Errorf("error %q does not say %q", msg, want)
		}
	}
	if strings.Contains(msg, "\n") {
		t.Errorf("error is not one line: %q", msg)
	}
}

// A representation plugin is no block plugin and a block plugin no
// representation plugin: each is refused as the other, saying so.
func TestPluginKindsApart(t *testing.T) {
	_, err := loadBlock(t, bin("e45"))
	if err == nil || !strings.Contains(err.Error(), "serves no block geometry") {
		t.Errorf("a representation plugin loaded as a block: %v", err)
	}
	_, err = load(t, context.Background(), blockBin("free2x1"))
	if err == nil || !strings.Contains(err.Error(), "serves no representation") {
		t.Errorf("a block plugin loaded as a representation: %v", err)
	}
}

// ResolveBlock finds plugin:NAME in the directory by its slug, takes
// plugin:PATH as it is, and refuses a missing plugin, a file whose name
// does not match the block it serves, and a name that is not a plugin's.
func TestResolveBlock(t *testing.T) {
	ctx := context.Background()
	g, err := ResolveBlock(ctx, "plugin:free2x1", binDir)
	if err != nil || g.Name != "free2x1" {
		t.Fatalf("plugin:free2x1: %v, %v", g, err)
	}
	if g, err = ResolveBlock(ctx, "plugin:"+blockBin("free2x1"), "/nonexistent"); err != nil || g.Name != "free2x1" {
		t.Fatalf("plugin:PATH: %v, %v", g, err)
	}
	dir := t.TempDir()
	data, err := os.ReadFile(blockBin("free2x1"))
	if err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(filepath.Join(dir, BlockPrefix+"other"), data, 0o755); err != nil {
		t.Fatal(err)
	}
	for name, want := range map[string]string{
		"plugin:missing": "no block plugin rgflow-block-missing",
		"plugin:other":   "its file name should be rgflow-block-free2x1",
		"plugin:":        "names no plugin",
		"free:2x1":       "is not a plugin's",
	} {
		_, err := ResolveBlock(ctx, name, dir)
		if err == nil || !strings.Contains(err.Error(), want) {
			t.Errorf("%s: error %v, want one saying %q", name, err, want)
		}
	}
}
