package bench

import (
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/rgflow/rgflow/engine"
)

// dimensionRows are axis rows of the bias-vs-dimension table: the exact
// map's value per representation and mirror (the same for each loss),
// and trained values.
func dimensionRows() []DistRow {
	row := func(rep string, d int, loss, mirror string, exact float64, vals ...float64) DistRow {
		r := DistRow{Rep: rep, D: d, Loss: loss, CoarseMirror: mirror, Quantity: "axis", OracleAxisJc: F(exact), Median: nan(), Instances: 2, OK: len(vals)}
		for _, v := range vals {
			r.Values = append(r.Values, F(v))
		}
		if len(vals) > 0 {
			r.Median = F(vals[len(vals)/2])
		}
		return r
	}
	return []DistRow{
		row("A1", 1, engine.LossKL, "axis", 0.81392, 0.80, 0.81, 0.82),
		row("A1", 1, engine.LossCD, "axis", 0.81392, 0.70, 0.75, 0.79),
		row("A1+E", 3, engine.LossKL, "axis", 0.40148, 0.39, 0.40, 0.41),
		row("A1+E", 3, engine.LossKL, "diagonal", 0.85, 0.84),
		row("A1+2E", 5, engine.LossCD, "axis", 0.44852, 0.60, 0.65),
		row("A1+2E", 5, engine.LossCD, "diagonal", 0.87701),
		row("3A1+2E", 7, engine.LossCD, "axis", float64(nan()), 0.70),
		row("A1+3E", 7, engine.LossCD, "axis", float64(nan())),
		row("A1+3E", 7, engine.LossCD, "diagonal", float64(nan())),
	}
}

// The reading in words: the relative bias of the exact map per mirror,
// each representation once whatever its losses, and of the trained
// medians; larger representations reduce the bias only where the largest
// d has the smallest.
func TestDimensionReading(t *testing.T) {
	lines := dimensionReading(dimensionRows())
	text := strings.Join(lines, "\n")
	want := []string{
		// (0.81392 − J_c)/J_c = +6.5 %, (0.40148 − J_c)/J_c = −47.5 %,
		// (0.44852 − J_c)/J_c = −41.3 %
		"exact map, axis mirror: A1 +6.5%, A1+E -47.5%, A1+2E -41.3% — |bias| smallest at d = 1 (A1): larger representations do not reduce it",
		// (0.85 − J_c)/J_c = +11.2 %, (0.87701 − J_c)/J_c = +14.7 %
		"exact map, diagonal mirror: A1+E +11.2%, A1+2E +14.7% — |bias| smallest at d = 3 (A1+E): larger representations do not reduce it",
		// medians 0.75, 0.65, 0.70: −1.9 %, −15.0 %, −8.4 %
		"trained (median), loss cd, axis mirror: A1 -1.9%, A1+2E -15.0%, 3A1+2E -8.4%",
		"; no estimate from any instance of A1+3E",
		// a series with no estimate at all still says so
		"trained (median), loss cd, diagonal mirror: no estimate from any instance of A1+2E, A1+3E",
	}
	for _, w := range want {
		if !strings.Contains(text, w) {
			t.Errorf("reading lacks\n  %s\nin\n  %s", w, strings.ReplaceAll(text, "\n", "\n  "))
		}
	}
	if n := strings.Count(text, "A1 +6.5%"); n != 1 {
		t.Errorf("A1's exact value read %d times (once per loss?), want once:\n%s", n, text)
	}
	// the largest d with the smallest |bias|
	down := []DistRow{
		{Rep: "A1", D: 1, Loss: engine.LossKL, CoarseMirror: "axis", Quantity: "axis", OracleAxisJc: 0.9, Median: nan()},
		{Rep: "A1+E", D: 3, Loss: engine.LossKL, CoarseMirror: "axis", Quantity: "axis", OracleAxisJc: 0.8, Median: nan()},
	}
	if l := dimensionReading(down); len(l) != 1 || !strings.Contains(l[0], "larger representations reduce it here") {
		t.Errorf("a bias falling with d read as %q", l)
	}
}

// The figure is drawn, with its reading under the plot, for rows with and
// without the exact map's values.
func TestDimensionFigure(t *testing.T) {
	dir := t.TempDir()
	for name, rows := range map[string][]DistRow{"full": dimensionRows(), "empty": nil} {
		path := filepath.Join(dir, name+".png")
		if err := dimensionFigure(path, rows, false); err != nil {
			t.Fatalf("%s: %v", name, err)
		}
		if st, err := os.Stat(path); err != nil || st.Size() < 1000 {
			t.Errorf("%s: %v, %v", name, st, err)
		}
	}
}
