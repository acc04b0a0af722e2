package main

import (
	"context"
	"encoding/json"
	"fmt"
	"math"
	"os"
	"os/exec"
	"path/filepath"
	"reflect"
	"strings"
	"testing"
	"time"

	"github.com/rgflow/rgflow/engine"
	"github.com/rgflow/rgflow/plugins"
	"github.com/rgflow/rgflow/reps"
)

// trainJSON trains a few epochs of rep with the plugins of dir and returns
// the summary.
func trainJSON(t *testing.T, dir, rep string) map[string]any {
	t.Helper()
	out, stderr, code := run(t, t.TempDir(), "train", "-rep", rep, "-plugins", dir, "-epochs", "6", "-trajectories", "8",
		"-oracle", "off", "-quiet", "-json", "-")
	if code != 0 && code != 3 {
		t.Fatalf("train -rep %s: exit %d: %s", rep, code, stderr)
	}
	var s map[string]any
	if err := json.Unmarshal([]byte(out), &s); err != nil {
		t.Fatalf("train -rep %s: %v", rep, err)
	}
	return s
}

// The example module examples/plugin-outside — a module of its own that
// imports rgflow/plugins through a replace directive, as a plugin kept
// anywhere would — builds with its own go.mod and go.sum, loads, serves
// the built-in A1+E with the E spins relabelled (so the KL is the
// built-in's at the relabelled couplings, and so is its gradient), and
// trains.
func TestOutOfTreeGoPlugin(t *testing.T) {
	dir := t.TempDir()
	bin := filepath.Join(dir, "rgflow-rep-a1eyx")
	build := exec.Command("go", "build", "-o", bin, ".")
	build.Dir = filepath.Join("..", "..", "examples", "plugin-outside")
	build.Env = append(os.Environ(), "GOWORK=off", "GOFLAGS=-mod=readonly -buildvcs=false")
	if out, err := build.CombinedOutput(); err != nil {
		t.Fatalf("building the out-of-tree plugin module: %v\n%s", err, out)
	}
	rep, err := plugins.Load(context.Background(), bin)
	if err != nil {
		t.Fatal(err)
	}
	a1e, _ := reps.Builtin("A1+E")
	if rep.Name != "A1Eyx" || rep.D != 3 || rep.C() != 5 {
		t.Fatalf("loaded %s (d=%d, c=%d)", rep.Name, rep.D, rep.C())
	}
	// the relabelling s′ = Q s of each site's spins, (A1, E_x, E_y) → (A1, E_y, E_x)
	Q := []float64{1, 0, 0, 0, 0, 1, 0, 1, 0}
	if !reflect.DeepEqual(conj(Q, a1e.R, 3), rep.R) || !reflect.DeepEqual(conj(Q, a1e.Sigma, 3), rep.Sigma) {
		t.Fatalf("the plugin's matrices are not the relabelled A1+E: R %v, σ %v", rep.R, rep.Sigma)
	}
	// M maps the plugin's couplings to the built-in's: K = Qᵀ K′ Q
	M := make([][]float64, 5) // M[b][a]: built-in coupling b of plugin basis matrix a
	for b := range M {
		M[b] = make([]float64, 5)
	}
	for a, B := range rep.Basis {
		K := conj(transpose(Q, 3), B, 3)
		for b, Bb := range a1e.Basis {
			M[b][a] = dot(Bb, K) / dot(Bb, Bb)
		}
		back := make([]float64, 9)
		for b, Bb := range a1e.Basis {
			for i := range back {
				back[i] += M[b][a] * Bb[i]
			}
		}
		if !reflect.DeepEqual(back, K) {
			t.Fatalf("plugin basis matrix %d, relabelled, is not in the built-in's span", a)
		}
	}
	mine, theirs := engine.NewBlocks(rep), engine.NewBlocks(a1e)
	for _, pt := range [][2][]float64{
		{{0.8, 0.1, 0.3, 0.2, 0.4}, {0.7, 0, 0.1, 0.05, 0.2}},
		{{0.4, -0.3, 0.6, 0.1, -0.2}, {0.5, 0.2, -0.1, 0.3, 0.1}},
	} {
		kl, grad := mine.KL(pt[0], pt[1])
		klB, gradB := theirs.KL(apply(M, pt[0]), apply(M, pt[1]))
		if math.Abs(kl-klB) > 1e-12*klB {
			t.Errorf("at %v: KL %v, the built-in's at the relabelled couplings %v", pt, kl, klB)
		}
		for a := range grad { // ∇′ = Mᵀ ∇
			want := 0.0
			for b := range gradB {
				want += M[b][a] * gradB[b]
			}
			if math.Abs(grad[a]-want) > 1e-12 {
				t.Errorf("at %v: gradient %v, the built-in's relabelled %v", pt, grad, gradB)
			}
		}
	}
	out, _, code := run(t, dir, "reps", "-plugins", dir)
	if code != 0 || !strings.Contains(out, "A1Eyx") || !strings.Contains(out, bin) {
		t.Errorf("rgflow reps -plugins (exit %d):\n%s", code, out)
	}
	if s := trainJSON(t, dir, "A1Eyx"); s["rep"] != "A1Eyx" || s["c"] != 5.0 {
		t.Errorf("trained %v (c = %v)", s["rep"], s["c"])
	}
}

// The representation plugin written in Python (examples/plugin-python,
// go-plugin's gRPC protocol from grpcio and protobuf alone) loads, serves
// the built-in A1+E's matrices bit for bit, and trains to the built-in's
// numbers, bit for bit.
func TestPythonPlugin(t *testing.T) {
	py := ""
	for _, p := range []string{"/usr/bin/python3", "python3"} {
		if path, err := exec.LookPath(p); err == nil && exec.Command(path, "-c", "import grpc, google.protobuf").Run() == nil {
			py = path
			break
		}
	}
	if py == "" {
		skipUnlessCI(t, "no python3 with grpc and protobuf (apt-get install python3-grpcio python3-protobuf; .ci/run installs them), so the Python plugin is not tested")
	}
	src, err := filepath.Abs(filepath.Join("..", "..", "examples", "plugin-python", "rgflow-rep-pya1e"))
	if err != nil {
		t.Fatal(err)
	}
	// the plugin's #! names python3 on PATH, which may lack grpc: run it
	// with the interpreter found
	dir := t.TempDir()
	bin := filepath.Join(dir, "rgflow-rep-pya1e")
	if err := os.WriteFile(bin, []byte(fmt.Sprintf("#!/bin/sh\nexec %s %s \"$@\"\n", py, src)), 0o755); err != nil {
		t.Fatal(err)
	}
	begin := time.Now()
	rep, err := plugins.Load(context.Background(), bin)
	if err != nil {
		t.Fatal(err)
	}
	t.Logf("the Python plugin loaded in %v", time.Since(begin).Round(time.Millisecond))
	a1e, _ := reps.Builtin("A1+E")
	if rep.Name != "PyA1E" || rep.D != 3 || !reflect.DeepEqual(rep.R, a1e.R) || !reflect.DeepEqual(rep.Sigma, a1e.Sigma) ||
		!reflect.DeepEqual(rep.Basis, a1e.Basis) || !reflect.DeepEqual(rep.Terms, a1e.Terms) {
		t.Fatalf("the Python plugin's A1+E differs from the built-in: %+v", rep)
	}
	// the same summary but for the name (in rep, config.rep and the
	// oracle's note) and the timing
	got, want := trainJSON(t, dir, "PyA1E"), trainJSON(t, dir, "A1+E")
	for _, s := range []map[string]any{got, want} {
		delete(s, "rep")
		delete(s, "seconds_per_epoch")
		delete(s, "oracle_note")
		delete(s["config"].(map[string]any), "rep")
	}
	if !reflect.DeepEqual(got, want) {
		t.Error("training on the Python plugin's A1+E differs from the built-in's")
	}
	if len(want["history"].(map[string]any)["loss"].([]any)) != 6 {
		t.Errorf("the runs compared have no history of 6 epochs")
	}
	// run by hand, without rgflow's magic cookie, it says it is a plugin
	cmd := exec.Command(bin)
	cmd.Env = append(os.Environ(), "RGFLOW_REP_PLUGIN=")
	if out, err := cmd.CombinedOutput(); err == nil || !strings.Contains(string(out), "This binary is a plugin.") {
		t.Errorf("run by hand: %v, %q", err, out)
	}
}

func conj(Q, A []float64, d int) []float64 { // Q A Qᵀ
	out := make([]float64, d*d)
	for i := 0; i < d; i++ {
		for j := 0; j < d; j++ {
			for k := 0; k < d; k++ {
				for l := 0; l < d; l++ {
					out[i*d+j] += Q[i*d+k] * A[k*d+l] * Q[j*d+l]
				}
			}
		}
	}
	return out
}

func transpose(A []float64, d int) []float64 {
	out := make([]float64, d*d)
	for i := 0; i < d; i++ {
		for j := 0; j < d; j++ {
			out[j*d+i] = A[i*d+j]
		}
	}
	return out
}

func dot(a, b []float64) float64 {
	s := 0.0
	for i := range a {
		s += a[i] * b[i]
	}
	return s
}

func apply(M [][]float64, x []float64) []float64 {
	out := make([]float64, len(M))
	for i, row := range M {
		for j, v := range row {
			out[i] += v * x[j]
		}
	}
	return out
}
