package main

import (
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
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
	t.Skip("SKIPPED: no python3 with pandas (apt-get install python3-pandas; .ci/run installs it), so docs/formats.md's pandas example is not run")
	return ""
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
	if _, stderr, code := run(t, dir, "bench", "kl-vs-cd", "-quick", "-quiet", "-out", "b"); code != 0 {
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
