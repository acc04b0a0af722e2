package engine

import (
	"fmt"
	"os"
	"regexp"
	"strings"
	"testing"
)

// TestTrainingDocDefaults keeps docs/training.md's sentence on rgflow
// train's defaults (between <!-- train-defaults --> markers) in step with
// DefaultConfig.
func TestTrainingDocDefaults(t *testing.T) {
	doc, err := os.ReadFile("../docs/training.md")
	if err != nil {
		t.Fatal(err)
	}
	m := regexp.MustCompile(`(?s)<!-- train-defaults -->(.*?)<!-- /train-defaults -->`).FindSubmatch(doc)
	if m == nil {
		t.Fatal("docs/training.md has no <!-- train-defaults --> sentence")
	}
	c := DefaultConfig()
	if c.Trajectories != 0 || c.Network.Depth != 0 || c.Network.Width != 0 {
		t.Fatalf("the defaults are no longer 8·3^c trajectories and a depth c × width 16c network: rewrite docs/training.md's sentence and this test")
	}
	want := fmt.Sprintf("%d epochs of 8·3^c trajectories capped at %d, network depth c × width 16c", c.Epochs, c.MaxTraj)
	if got := strings.Join(strings.Fields(string(m[1])), " "); got != want {
		t.Errorf("docs/training.md says %q; DefaultConfig gives %q", got, want)
	}
}
