package plugins

import (
	"fmt"
	"os"
	"path/filepath"
	"reflect"
	"strings"
	"testing"

	"github.com/rgflow/rgflow/reps"
)

func TestSlug(t *testing.T) {
	for name, want := range map[string]string{
		"A1+E":      "a1e",
		"2A1+E":     "2a1e",
		"A1+2E":     "a12e",
		"E45":       "e45",
		"a1 ⊕ e":    "a1e",
		"1A1+1E":    "a1e", // canonicalised before slugging
		"My-Rep_2!": "myrep2",
		"":          "",
	} {
		if got := Slug(name); got != want {
			t.Errorf("Slug(%q) = %q, want %q", name, got, want)
		}
	}
}

func TestDir(t *testing.T) {
	t.Setenv("RGFLOW_PLUGINS", "/from/env")
	if got := Dir("/from/flag"); got != "/from/flag" {
		t.Errorf("flag: got %q", got)
	}
	if got := Dir(""); got != "/from/env" {
		t.Errorf("env: got %q", got)
	}
	t.Setenv("RGFLOW_PLUGINS", "")
	exe, _ := os.Executable()
	exe, _ = filepath.EvalSymlinks(exe)
	if got := Dir(""); got != filepath.Dir(exe) {
		t.Errorf("executable: got %q, want %q", got, filepath.Dir(exe))
	}
}

func builtinDesc(t *testing.T, irreps string) *Description {
	t.Helper()
	d, err := BuiltinDescription(irreps)
	if err != nil {
		t.Fatal(err)
	}
	return &d
}

func TestValidateAcceptsBuiltin(t *testing.T) {
	for _, name := range []string{"A1", "A1+E", "2A1+E", "A1+2E", "B2+A2+E"} {
		rep, err := validate("/p", builtinDesc(t, name))
		if err != nil {
			t.Fatalf("%s: %v", name, err)
		}
		want, _ := reps.Builtin(name)
		want.Source = "/p"
		if !reflect.DeepEqual(rep, want) {
			t.Errorf("%s: got %+v, want %+v", name, rep, want)
		}
	}
}

// The host checks the irreps label against the matrices, not just d.
func TestValidateRejects(t *testing.T) {
	e := builtinDesc(t, "E")
	withIrreps := func(d *Description, irreps string) *Description {
		c := *d
		c.Irreps = irreps
		return &c
	}
	for _, c := range []struct {
		what string
		desc *Description
		want []string
	}{
		{"no name", &Description{D: 1, R: []float64{1}, Sigma: []float64{1}}, []string{"/p", "without a name"}},
		{"wrong d", withIrreps(e, "A1+E"), []string{"/p", `irreps "A1+E"`, "d = 3", "d = 2"}},
		{"wrong characters", withIrreps(e, "A1+B2"), []string{"/p", "not equivalent", "trace of"}},
		{"mirror character", withIrreps(builtinDesc(t, "A1+E"), "A2+E"), []string{"/p", "trace of σ is 1, want -1"}},
		{"unreadable label", withIrreps(e, "F"), []string{"/p", "unusable", `unknown irrep "F"`}},
		{"sizes", &Description{Name: "X", D: 2, R: []float64{1}, Sigma: []float64{1}}, []string{"/p", `invalid representation "X"`, "want 2×2"}},
		{"d too large", &Description{Name: "X", D: reps.MaxDim + 1}, []string{"/p", fmt.Sprintf("outside 1..%d", reps.MaxDim)}},
		{"a name of 100,000 characters", &Description{Name: strings.Repeat("x", 100000), D: 1, R: []float64{1}, Sigma: []float64{1}}, []string{"/p", "at most 100 characters"}},
		{"a name of two lines", &Description{Name: "A1\nE", D: 1, R: []float64{1}, Sigma: []float64{1}}, []string{"/p", "on one line"}},
	} {
		_, err := validate("/p", c.desc)
		if err == nil {
			t.Errorf("%s: accepted", c.what)
			continue
		}
		for _, s := range c.want {
			if !strings.Contains(err.Error(), s) {
				t.Errorf("%s: error %q does not mention %q", c.what, err, s)
			}
		}
	}
}
