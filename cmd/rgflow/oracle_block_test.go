package main

import (
	"encoding/json"
	"strings"
	"testing"
)

// rgflow oracle -block answers on a patch, says which, and reports the KL
// per coarse site; a tree of plaquettes has the plaquette's fixed point.
// A bad block, or shells a representation cannot have, is refused before
// any work.
func TestOracleBlock(t *testing.T) {
	out, stderr, code := run(t, t.TempDir(), "oracle", "-rep", "A1", "-block", "free:2x1", "-json", "-", "-quiet", "-axis-tol", "1e-3")
	if code != 0 {
		t.Fatalf("exit %d: %s", code, stderr)
	}
	var an struct {
		Block       string           `json:"block"`
		CoarseSites int              `json:"coarse_sites"`
		Shells      int              `json:"shells"`
		Kernels     string           `json:"kernels"`
		FixedPoints []map[string]any `json:"fixed_points"`
	}
	if err := json.Unmarshal([]byte(out), &an); err != nil {
		t.Fatalf("not one JSON object: %v\n%s", err, out)
	}
	if an.Block != "free:2x1" || an.CoarseSites != 2 || an.Shells != 1 || !strings.HasPrefix(an.Kernels, "go ") || len(an.FixedPoints) != 1 {
		t.Fatalf("unexpected analysis: %+v", an)
	}
	if j := an.FixedPoints[0]["J"].([]any)[0].(float64); j < 0.81391 || j > 0.81393 {
		t.Errorf("free:2x1's fixed point %v, the plaquette's is 0.81392", j)
	}
	for _, bad := range [][]string{
		{"-block", "disk:3x3"},
		{"-block", "torus:1x3"},
		{"-block", "free:2x2", "-shells", "3"},
		{"-block", "plaquette", "-shells", "2"},
		{"-block", "free:2x2", "-shells", "2", "-rep", "A1+E"},
	} {
		_, stderr, code := run(t, t.TempDir(), append([]string{"oracle", "-quiet"}, bad...)...)
		if code == 0 || strings.Count(strings.TrimSpace(stderr), "\n") > 1 {
			t.Errorf("%v: exit %d, stderr %q", bad, code, stderr)
		}
	}
}
