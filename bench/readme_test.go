package bench

import (
	"fmt"
	"os"
	"reflect"
	"regexp"
	"strings"
	"testing"

	"github.com/pelletier/go-toml/v2"
)

// TestReadmeDefaults keeps README.md's default configurations from
// drifting: every ```toml block after a "<!-- defaults: SUITE … -->" line
// must give each of its keys the value the named suites' Default gives it
// (the [train] keys included: they are rgflow train's defaults), and every
// row of the run-time table that says "N instances × E epochs" must say
// the suite's own numbers.
func TestReadmeDefaults(t *testing.T) {
	readme, err := os.ReadFile("README.md")
	if err != nil {
		t.Fatal(err)
	}
	text := string(readme)
	marker := regexp.MustCompile("<!-- defaults: ([^>]*) -->\n+```toml\n((?s:.*?))```")
	blocks := marker.FindAllStringSubmatch(text, -1)
	if len(blocks) == 0 {
		t.Fatal("README.md has no <!-- defaults: SUITE --> block")
	}
	checked := map[string]bool{}
	for _, b := range blocks {
		var doc map[string]any
		if err := toml.Unmarshal([]byte(b[2]), &doc); err != nil {
			t.Fatalf("README.md's block for %s: %v", b[1], err)
		}
		for _, suite := range strings.Fields(b[1]) {
			checked[suite] = true
			cfg, err := Default(suite)
			if err != nil {
				t.Fatalf("README.md names %q: %v", suite, err)
			}
			enc, err := Encode(cfg)
			if err != nil {
				t.Fatal(err)
			}
			var code map[string]any
			if err := toml.Unmarshal(enc, &code); err != nil {
				t.Fatal(err)
			}
			compareKeys(t, suite, "", doc, code)
		}
	}
	for _, s := range Suites() {
		if !checked[s] {
			t.Errorf("README.md has no defaults block for the %s suite", s)
		}
	}

	row := regexp.MustCompile("(?m)^\\| `?([a-z-]+)`? \\|[^\n]*?(\\d+) instances × (\\d+) epochs")
	for _, m := range row.FindAllStringSubmatch(text, -1) {
		cfg, err := Default(m[1])
		if err != nil {
			continue // a row of another table
		}
		d := distOf(cfg)
		if d == nil {
			continue
		}
		if got := fmt.Sprintf("%s instances × %s epochs", m[2], m[3]); got != fmt.Sprintf("%d instances × %d epochs", d.Instances, d.Epochs) {
			t.Errorf("README.md's run-time table says %s for %s; the code's default is %d instances × %d epochs", got, m[1], d.Instances, d.Epochs)
		}
	}
}

// distOf is the training-suite part of a configuration, nil for epoch-time.
func distOf(cfg Config) *DistConfig {
	switch c := cfg.(type) {
	case *DistConfig:
		return c
	case *SweepsConfig:
		return &c.DistConfig
	}
	return nil
}

// compareKeys reports every key of doc whose value differs from code's.
func compareKeys(t *testing.T, suite, prefix string, doc, code map[string]any) {
	t.Helper()
	for k, v := range doc {
		name := prefix + k
		cv, ok := code[k]
		if !ok {
			t.Errorf("README.md gives %s a key %q it does not have", suite, name)
			continue
		}
		if sub, ok := v.(map[string]any); ok {
			csub, ok := cv.(map[string]any)
			if !ok {
				t.Errorf("README.md: %s's %q is a table, the code's is %v", suite, name, cv)
				continue
			}
			compareKeys(t, suite, name+".", sub, csub)
			continue
		}
		if !reflect.DeepEqual(normalise(v), normalise(cv)) {
			t.Errorf("README.md gives %s %s = %v; the code's default is %v", suite, name, v, cv)
		}
	}
}

// normalise makes TOML's integers and floats comparable (30 and 30.0).
func normalise(v any) any {
	switch x := v.(type) {
	case int64:
		return float64(x)
	case []any:
		out := make([]any, len(x))
		for i, e := range x {
			out[i] = normalise(e)
		}
		return out
	}
	return v
}
