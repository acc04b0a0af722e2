package reps

import (
	"os"
	"regexp"
	"strconv"
	"testing"
)

// TestDocsLimits keeps the limits the docs quote — marked
// <!-- reps.NAME -->value<!-- / --> in README.md and docs/conventions.md —
// equal to the constants they name.
func TestDocsLimits(t *testing.T) {
	consts := map[string]int{"MaxDim": MaxDim, "MaxExactDim": MaxExactDim}
	marked := regexp.MustCompile(`<!-- reps\.(\w+) -->([^<]*)<!-- / -->`)
	for _, path := range []string{"../README.md", "../docs/conventions.md"} {
		doc, err := os.ReadFile(path)
		if err != nil {
			t.Fatal(err)
		}
		found := 0
		for _, m := range marked.FindAllStringSubmatch(string(doc), -1) {
			want, ok := consts[m[1]]
			if !ok {
				t.Errorf("%s quotes reps.%s, which is not a limit this test knows", path, m[1])
				continue
			}
			found++
			if got, err := strconv.Atoi(m[2]); err != nil || got != want {
				t.Errorf("%s says reps.%s is %q; it is %d", path, m[1], m[2], want)
			}
		}
		if found == 0 {
			t.Errorf("%s quotes no marked limit", path)
		}
	}
}
