package main

import (
	"encoding/csv"
	"encoding/json"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"slices"
	"strings"
	"testing"
)

// debianPython is the interpreter of Debian's python3-pandas, which
// .ci/run installs; another python3 on PATH is the fallback.
func debianPython(t *testing.T) string {
	t.Helper()
	for _, py := range []string{"/usr/bin/python3", "python3"} {
		if path, err := exec.LookPath(py); err == nil && exec.Command(path, "-c", "import pandas").Run() == nil {
			return path
		}
	}
	skipUnlessCI(t, "no python3 with pandas (apt-get install python3-pandas; .ci/run installs it), so docs/formats.md's pandas example is not run")
	return ""
}

// skipUnlessCI skips a test whose tool is missing, saying why — or, where
// CI is set (.ci/run sets it after installing the tools), fails it, so
// that CI cannot pass by skipping.
func skipUnlessCI(t *testing.T, why string) {
	t.Helper()
	if os.Getenv("CI") != "" {
		t.Fatal("CI is set, but " + why)
	}
	t.Skip("SKIPPED: " + why)
}

// The pandas example of docs/formats.md runs against real output: a
// training summary and a kl-vs-cd -quick results directory.
func TestFormatsPandasExample(t *testing.T) {
	doc, err := os.ReadFile(filepath.Join("..", "..", "docs", "formats.md"))
	if err != nil {
		t.Fatal(err)
	}
	m := regexp.MustCompile("(?s)## Reading them with pandas.*?```python\n(.*?)```").FindSubmatch(doc)
	if m == nil {
		t.Fatal("docs/formats.md has no pandas example")
	}
	py := debianPython(t)
	dir := t.TempDir()
	if _, stderr, code := run(t, dir, "train", "-epochs", "40", "-quiet", "-json", "s.json"); code != 0 && code != 3 {
		t.Fatalf("train: exit %d: %s", code, stderr)
	}
	if _, stderr, code := run(t, dir, "bench", "kl-vs-cd", "-quick", "-quiet", "-out", "b"); code != 0 && code != 3 { // 3: a smoke test's runs are too short to be trusted
		t.Fatalf("bench: exit %d: %s", code, stderr)
	}
	script := filepath.Join(dir, "example.py")
	if err := os.WriteFile(script, m[1], 0o644); err != nil {
		t.Fatal(err)
	}
	cmd := exec.Command(py, script)
	cmd.Dir = dir
	out, err := cmd.CombinedOutput()
	if err != nil {
		t.Fatalf("the pandas example fails: %v\n%s", err, out)
	}
	for _, want := range []string{"A1", "max_trajectories", "hmc.beta", "smoke_test"} {
		if !strings.Contains(string(out), want) {
			t.Errorf("the example's output lacks %q:\n%s", want, out)
		}
	}
}

// formatsDoc is docs/formats.md.
func formatsDoc(t *testing.T) string {
	t.Helper()
	doc, err := os.ReadFile(filepath.Join("..", "..", "docs", "formats.md"))
	if err != nil {
		t.Fatal(err)
	}
	return string(doc)
}

// docSection is one part of docs/formats.md: every identifier it mentions
// in backticks (a key written must be among them) and those in the first
// cell of its tables (each must be written somewhere).
type docSection struct {
	name              string
	mentioned, listed map[string]bool
}

var (
	backticked = regexp.MustCompile("`([^`]*)`")
	identifier = regexp.MustCompile(`[A-Za-z_][A-Za-z0-9_]*`)
)

// section is the part of doc under the heading that starts with heading,
// up to the next heading of the same or a higher level.
func section(t *testing.T, doc, heading string) docSection {
	t.Helper()
	i := strings.Index(doc, "\n"+heading)
	if i < 0 {
		t.Fatalf("docs/formats.md has no section %q", heading)
	}
	level := strings.Index(heading, " ")
	body := doc[i+1:]
	lines := strings.Split(body, "\n")
	end := len(lines)
	for k, l := range lines[1:] {
		if h := strings.Index(l, " "); strings.HasPrefix(l, "#") && h > 0 && h <= level && strings.Trim(l[:h], "#") == "" {
			end = k + 1
			break
		}
	}
	s := docSection{name: heading, mentioned: map[string]bool{}, listed: map[string]bool{}}
	// a code span may run over a line break
	for _, m := range backticked.FindAllStringSubmatch(strings.Join(lines[:end], "\n"), -1) {
		for _, w := range identifier.FindAllString(m[1], -1) {
			s.mentioned[w] = true
		}
	}
	for _, l := range lines[:end] {
		if strings.HasPrefix(l, "| `") {
			cell := strings.SplitN(l[1:], " | ", 2)[0]
			for _, m := range backticked.FindAllStringSubmatch(cell, -1) {
				if identifier.FindString(m[1]) == m[1] {
					s.listed[m[1]] = true
				}
			}
		}
	}
	return s
}

// keyWalker collects the keys of JSON values by the section that
// documents them.
type keyWalker struct {
	written map[string]map[string]bool // section → keys
	where   map[string]string          // section+key → a file that has it
	nulls   []string                   // lists written as null
}

// lists are keys whose values are lists wherever they are written: never
// null.
var lists = map[string]bool{"verdict": true, "seeds": true, "instances": true, "values": true, "rows": true, "fixed_points": true, "eigenvalues": true}

func (w *keyWalker) add(sec, key, file string) {
	if w.written == nil {
		w.written, w.where = map[string]map[string]bool{}, map[string]string{}
	}
	if w.written[sec] == nil {
		w.written[sec] = map[string]bool{}
	}
	w.written[sec][key] = true
	if _, ok := w.where[sec+"\x00"+key]; !ok {
		w.where[sec+"\x00"+key] = file
	}
}

// walk records every key of v under sec; sub says under which section the
// value of a key is documented instead ("" for the same, "-" for not at
// all: the configuration, counts keyed by a reason).
// dataMaps are the objects whose keys are data rather than a schema:
// kernel_choice maps each kernel's name to its path.
var dataMaps = map[string]bool{"kernel_choice": true}

func (w *keyWalker) walk(v any, sec, file string, sub func(key string) string) {
	switch x := v.(type) {
	case map[string]any:
		for k, val := range x {
			w.add(sec, k, file)
			if lists[k] && val == nil {
				w.nulls = append(w.nulls, file+": "+k)
			}
			next := sec
			if dataMaps[k] {
				continue // its keys are data (kernel names), documented as such
			}
			if sub != nil {
				if s := sub(k); s == "-" {
					continue
				} else if s != "" {
					w.walk(val, s, file, nil)
					continue
				}
			}
			w.walk(val, next, file, sub)
		}
	case []any:
		for _, e := range x {
			w.walk(e, sec, file, sub)
		}
	}
}

func readJSON(t *testing.T, path string) any {
	t.Helper()
	data, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	var v any
	if err := json.Unmarshal(data, &v); err != nil {
		t.Fatalf("%s: %v", path, err)
	}
	return v
}

// Every key and column rgflow writes is documented in docs/formats.md,
// and every key its tables list is written: train (one run, several
// instances, a checkpoint and its list), eval, oracle and each bench
// suite, on tiny settings. Lists are lists: the verdict is [] when it
// is empty, never null.
func TestFormatsDocumented(t *testing.T) {
	doc := formatsDoc(t)
	dir := t.TempDir()
	mustRun := func(args ...string) {
		t.Helper()
		if _, stderr, code := run(t, dir, args...); code != 0 && code != 3 {
			t.Fatalf("rgflow %s: exit %d: %s", strings.Join(args, " "), code, stderr)
		}
	}
	mustRun("train", "-epochs", "40", "-quiet", "-json", "s1.json", "-checkpoint", "ck.json")
	mustRun("train", "-epochs", "4", "-quiet", "-oracle", "off", "-json", "s2.json")
	mustRun("train", "-rep", "A1+E", "-epochs", "20", "-trajectories", "16", "-quiet", "-oracle", "off", "-json", "s3.json", "-checkpoint", "ck3.json")
	mustRun("train", "-epochs", "40", "-instances", "2", "-quiet", "-json", "e.json", "-plot", "e.png", "-checkpoint", "eck.json")
	mustRun("train", "-epochs", "40", "-instances", "2", "-quiet", "-oracle", "off", "-json", "e2.json")
	mustRun("train", "-block", "free:2x1", "-epochs", "10", "-quiet", "-oracle", "off", "-json", "s4.json", "-checkpoint", "ck4.json")
	mustRun("eval", "-rep", "A1", "-J", "0.8", "-Jp", "0.8", "-json", "ev.json")
	mustRun("oracle", "-rep", "A1", "-quiet", "-json", "o.json")
	for _, s := range []string{"epoch-time", "bias-vs-dimension", "kl-vs-cd", "sweeps", "bias-vs-block"} {
		mustRun("bench", s, "-quick", "-quiet", "-out", "b-"+s)
	}

	const (
		summary    = "## The training summary"
		ensemble   = "## The ensemble summary"
		oracleSec  = "## The oracle"
		evalSec    = "## `rgflow eval"
		checkpoint = "## The checkpoint"
		instances  = "## The instances' checkpoint list"
		journal    = "### `runs.jsonl`"
		jsonTables = "### JSON tables"
		csvTables  = "### CSV tables"
	)
	var w keyWalker
	summarySub := func(k string) string {
		switch k {
		case "config", "root_failure_reasons":
			return "-"
		}
		return ""
	}
	for _, f := range []string{"s1.json", "s2.json", "s3.json", "s4.json"} {
		v := readJSON(t, filepath.Join(dir, f))
		if _, ok := v.(map[string]any)["verdict"].([]any); !ok {
			t.Errorf("%s: verdict is %v, not a list", f, v.(map[string]any)["verdict"])
		}
		w.walk(v, summary, f, summarySub)
	}
	for _, f := range []string{"e.json", "e2.json"} {
		v := readJSON(t, filepath.Join(dir, f))
		w.walk(v, ensemble, f, func(k string) string {
			if k == "instances" {
				return "instances"
			}
			return ""
		})
		// the instances are training summaries: walk them as such
		for _, s := range v.(map[string]any)["instances"].([]any) {
			w.walk(s, summary, f+" instances", summarySub)
		}
	}
	delete(w.written, "instances")
	w.walk(readJSON(t, filepath.Join(dir, "ev.json")), evalSec, "ev.json", nil)
	w.walk(readJSON(t, filepath.Join(dir, "o.json")), oracleSec, "o.json", nil)
	ckSub := func(k string) string {
		if k == "config" || k == "root_failure_reasons" {
			return "-"
		}
		if k == "history" {
			return summary // the summary's history columns
		}
		return ""
	}
	w.walk(readJSON(t, filepath.Join(dir, "ck.json")), checkpoint, "ck.json", ckSub)
	w.walk(readJSON(t, filepath.Join(dir, "ck3.json")), checkpoint, "ck3.json", ckSub)
	w.walk(readJSON(t, filepath.Join(dir, "ck4.json")), checkpoint, "ck4.json", ckSub)
	w.walk(readJSON(t, filepath.Join(dir, "eck.seed1.json")), checkpoint, "eck.seed1.json", ckSub)
	w.walk(readJSON(t, filepath.Join(dir, "eck.json")), instances, "eck.json", nil)

	csvHeaders := map[string][]string{}
	for _, s := range []string{"epoch-time", "bias-vs-dimension", "kl-vs-cd", "sweeps", "bias-vs-block"} {
		bdir := filepath.Join(dir, "b-"+s)
		for _, l := range strings.Split(strings.TrimSpace(readFile(t, filepath.Join(bdir, "runs.jsonl"))), "\n") {
			var rec any
			if err := json.Unmarshal([]byte(l), &rec); err != nil {
				t.Fatal(err)
			}
			w.walk(rec, journal, "b-"+s+"/runs.jsonl", func(k string) string {
				switch k {
				case "config":
					return "-"
				case "summary":
					return "summary"
				}
				return ""
			})
			if sum, ok := rec.(map[string]any)["summary"]; ok {
				w.walk(sum, summary, "b-"+s+"/runs.jsonl summary", summarySub)
			}
		}
		delete(w.written, "summary")
		names, _ := filepath.Glob(filepath.Join(bdir, "*"))
		for _, p := range names {
			base := filepath.Base(p)
			switch {
			case strings.HasPrefix(base, "oracle-") && strings.HasSuffix(base, ".json"):
				w.walk(readJSON(t, p), oracleSec, base, nil)
			case strings.HasSuffix(base, ".json"):
				w.walk(readJSON(t, p), jsonTables, base, nil)
			case strings.HasSuffix(base, ".csv"):
				rows, err := csv.NewReader(strings.NewReader(readFile(t, p))).ReadAll()
				if err != nil || len(rows) == 0 {
					t.Fatalf("%s: %v", p, err)
				}
				csvHeaders[base] = rows[0]
			}
		}
	}

	for _, n := range w.nulls {
		t.Errorf("%s is null, not a list", n)
	}
	// every key written is documented in its section
	sections := map[string]docSection{}
	for _, h := range []string{summary, ensemble, oracleSec, evalSec, checkpoint, instances, journal, jsonTables, csvTables} {
		sections[h] = section(t, doc, h)
	}
	csvDoc := csvColumns(t, doc)
	for sec, keys := range w.written {
		d := sections[sec]
		for k := range keys {
			// a JSON table's rows also hold the columns of its CSV table
			if !d.mentioned[k] && !(sec == jsonTables && csvDoc.anyColumn[k]) {
				t.Errorf("%s writes key %q, which docs/formats.md's %q does not document", w.where[sec+"\x00"+k], k, sec)
			}
		}
	}
	// every key a table of the docs lists is written
	notWritten := map[string]string{
		journal + "\x00error":       "only a run that failed has it, and no quick suite fails",
		oracleSec + "\x00axis_note": "only where the physical-axis J_c is not found, as for 2A1+E under the diagonal mirror (minutes)",
		oracleSec + "\x00valley":    "only where the map at the reference axis point has a valley of minima, as for A1+2E under the axis mirror (minutes)",
	}
	for sec, d := range sections {
		for k := range d.listed {
			if !w.written[sec][k] && notWritten[sec+"\x00"+k] == "" {
				t.Errorf("docs/formats.md's %q lists %q, which no output of this test writes", sec, k)
			}
		}
	}
	// the CSV columns are the documented ones, in order
	for name, header := range csvHeaders {
		want, ok := csvDoc.columns[csvDoc.key(name)]
		if !ok {
			t.Errorf("%s is not among docs/formats.md's CSV tables", name)
			continue
		}
		if !slices.Equal(header, want) {
			t.Errorf("%s has the columns\n  %s\ndocs/formats.md lists\n  %s", name, strings.Join(header, ", "), strings.Join(want, ", "))
		}
	}
	for k := range csvDoc.columns {
		found := false
		for name := range csvHeaders {
			found = found || csvDoc.key(name) == k
		}
		if !found {
			t.Errorf("docs/formats.md documents the CSV table %s, which no suite of this test writes", k)
		}
	}
}

func readFile(t *testing.T, path string) string {
	t.Helper()
	data, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	return string(data)
}

// csvDocs are the CSV tables of docs/formats.md: each bullet of "CSV
// tables" names its files (`<suite>-runs.csv` for every training suite's)
// and lists its columns.
type csvDocs struct {
	columns   map[string][]string // file name (or <suite>-runs.csv) → columns
	anyColumn map[string]bool
}

func (c csvDocs) key(name string) string {
	if strings.HasSuffix(name, "-runs.csv") {
		return "<suite>-runs.csv"
	}
	return name
}

func csvColumns(t *testing.T, doc string) csvDocs {
	t.Helper()
	i := strings.Index(doc, "\n### CSV tables")
	j := strings.Index(doc[i+1:], "\n### ")
	if i < 0 || j < 0 {
		t.Fatal("docs/formats.md has no CSV tables section")
	}
	out := csvDocs{columns: map[string][]string{}, anyColumn: map[string]bool{}}
	for _, l := range strings.Split(doc[i+1:i+1+j], "\n") {
		if !strings.HasPrefix(l, "- `") {
			continue
		}
		head, rest, ok := strings.Cut(l, ": `")
		if !ok {
			t.Fatalf("docs/formats.md: a CSV bullet without its columns: %s", l)
		}
		cols := strings.Split(rest[:strings.Index(rest, "`")], ", ")
		for _, m := range backticked.FindAllStringSubmatch(head, -1) {
			out.columns[m[1]] = cols
		}
		for _, c := range cols {
			out.anyColumn[c] = true
		}
	}
	return out
}
