package main

import (
	"encoding/json"
	"fmt"
	"math"
	"math/cmplx"
	"os"
	"path/filepath"
	"reflect"
	"regexp"
	"strings"
	"testing"

	"gonum.org/v1/gonum/mat"

	"github.com/rgflow/rgflow/engine"
	"github.com/rgflow/rgflow/engine/oracle"
	"github.com/rgflow/rgflow/kernels"
)

// flowJSON reads rgflow flow's JSON.
type flowJSON struct {
	Rep, Model string
	C          int
	Sizes      []int
	LayerNorm  bool    `json:"layer_norm"`
	InputScale float64 `json:"input_scale"`
	Points     []struct {
		J, Jp, F    []float64
		Jacobian    [][]float64
		Eigenvalues []oracle.Complex
		ExactJp     []float64 `json:"exact_Jp"`
		KLLearned   *float64  `json:"kl_learned"`
		KLExact     *float64  `json:"kl_exact"`
	}
	ExactNote string `json:"exact_note"`
}

// trainCheckpoint trains a short run with these extra arguments and
// returns its checkpoint's path.
func trainCheckpoint(t *testing.T, dir string, args ...string) string {
	t.Helper()
	ck := filepath.Join(dir, "run.ckpt")
	args = append([]string{"train", "-quiet", "-oracle", "off", "-checkpoint", ck}, args...)
	if _, stderr, code := run(t, dir, args...); code != 0 && code != 3 {
		t.Fatalf("train %v: exit %d: %s", args, code, stderr)
	}
	return ck
}

func flowRun(t *testing.T, dir string, args ...string) flowJSON {
	t.Helper()
	out, stderr, code := run(t, dir, append([]string{"flow", "-json", "-"}, args...)...)
	if code != 0 {
		t.Fatalf("flow %v: exit %d: %s", args, code, stderr)
	}
	var res flowJSON
	if err := json.Unmarshal([]byte(out), &res); err != nil {
		t.Fatalf("flow %v: not JSON: %v\n%s", args, err, out)
	}
	return res
}

// rgflow flow is the checkpoint's map: J′ = J + f bit for bit as the
// engine's model computes it, the Jacobian ∂J′/∂J = I + ∂f/∂J agreeing
// with central differences of the command's own J′, and eigenvalues whose
// sum and product are the Jacobian's trace and determinant. A1+E with the
// monotone model, layer norm and Hou & You's input scale (a smooth map,
// so differences are accurate), and A1 with the default flow model.
func TestFlowIsTheCheckpointsMap(t *testing.T) {
	// the binary and the model built here on one kernel path, the generic
	// one: a purego build of this test has no other, the binary all
	t.Setenv("RGFLOW_KERNELS", "generic")
	generic, err := kernels.Lookup("generic")
	if err != nil {
		t.Fatal(err)
	}
	dir := t.TempDir()
	small := filepath.Join(dir, "small.toml")
	os.WriteFile(small, []byte("[network]\ndepth = 2\nwidth = 8\nactivation = \"tanh\"\nlayer_norm = true\ninput_scale = 2\n"), 0o644)
	mono := trainCheckpoint(t, dir, "-config", small, "-rep", "A1+E", "-model", "monotone", "-epochs", "4", "-trajectories", "8")
	ck, err := engine.LoadCheckpoint(mono)
	if err != nil {
		t.Fatal(err)
	}
	m, err := ck.Model(engine.WithKernels(generic))
	if err != nil {
		t.Fatal(err)
	}
	pts := []string{"0.8,0,0,0,0", "0.3,-0.2,0.5,0.1,-0.4", "-1.1,0.7,0.05,-0.3,0.2"}
	res := flowRun(t, dir, "-checkpoint", mono, "-J", pts[0]+";"+pts[1], "-J", pts[2])
	if res.Rep != "A1+E" || res.C != 5 || res.Model != "monotone" || !res.LayerNorm || res.InputScale != 2 || !reflect.DeepEqual(res.Sizes, []int{5, 8, 8, 1}) {
		t.Errorf("header %+v", res)
	}
	if len(res.Points) != 3 {
		t.Fatalf("%d points, want 3 (two in one -J, one in another)", len(res.Points))
	}
	for k, p := range res.Points {
		f, jac := m.FlowJacobian(p.J)
		if fmt.Sprint(p.J) != "["+strings.ReplaceAll(pts[k], ",", " ")+"]" {
			t.Errorf("point %d is %v, want %s", k, p.J, pts[k])
		}
		for i := range p.J {
			if p.F[i] != f[i] || p.Jp[i] != p.J[i]+f[i] {
				t.Errorf("point %d: f %v, J′ %v; the model's f is %v", k, p.F, p.Jp, f)
			}
			for j := range p.J {
				want := jac[i*5+j]
				if i == j {
					want++
				}
				if p.Jacobian[i][j] != want {
					t.Errorf("point %d: jacobian[%d][%d] = %v, want %v", k, i, j, p.Jacobian[i][j], want)
				}
			}
		}
		checkSpectrum(t, fmt.Sprintf("point %d", k), p.Jacobian, p.Eigenvalues)
		// central differences of the command's own J′
		const h = 1e-5
		for j := 0; j < 5; j++ {
			shift := func(s float64) string {
				x := append([]float64(nil), p.J...)
				x[j] += s
				return strings.Trim(strings.ReplaceAll(fmt.Sprint(x), " ", ","), "[]")
			}
			d := flowRun(t, dir, "-checkpoint", mono, "-J", shift(h)+";"+shift(-h))
			for i := 0; i < 5; i++ {
				fd := (d.Points[0].Jp[i] - d.Points[1].Jp[i]) / (2 * h)
				if math.Abs(fd-p.Jacobian[i][j]) > 1e-6*math.Max(1, math.Abs(fd)) {
					t.Errorf("point %d: ∂J′_%d/∂J_%d = %v, central difference %v", k, i, j, p.Jacobian[i][j], fd)
				}
			}
		}
	}

	a1 := trainCheckpoint(t, t.TempDir(), "-epochs", "40")
	axis := flowRun(t, dir, "-checkpoint", a1, "-axis")
	if len(axis.Points) != 33 || axis.Points[0].J[0] != 0 || axis.Points[32].J[0] != 1.6 || math.Abs(axis.Points[1].J[0]-0.05) > 1e-15 {
		t.Errorf("default axis grid: %d points from %v to %v", len(axis.Points), axis.Points[0].J, axis.Points[len(axis.Points)-1].J)
	}
	grid := flowRun(t, dir, "-checkpoint", a1, "-axis", "-from", "0.5", "-to", "1", "-points", "3")
	if len(grid.Points) != 3 || grid.Points[1].J[0] != 0.75 || grid.Points[2].J[0] != 1 {
		t.Errorf("-from 0.5 -to 1 -points 3: %v", grid.Points)
	}
	// for c = 1 the Jacobian is the one eigenvalue, and J′ = J + f
	for _, p := range grid.Points {
		if len(p.Eigenvalues) != 1 || p.Eigenvalues[0].Re != p.Jacobian[0][0] || p.Eigenvalues[0].Im != 0 || p.Jp[0] != p.J[0]+p.F[0] {
			t.Errorf("A1 at %v: jacobian %v, eigenvalues %v", p.J, p.Jacobian, p.Eigenvalues)
		}
	}
	// the table: a header line, a column line and a row per point
	out, _, code := run(t, dir, "flow", "-checkpoint", a1, "-J", "0.8")
	if lines := strings.Split(strings.TrimSpace(out), "\n"); code != 0 || len(lines) != 3 || !strings.HasPrefix(lines[2], "0.800000") || !strings.Contains(lines[1], "eigenvalues of ∂J′/∂J") {
		t.Errorf("table (exit %d):\n%s", code, out)
	}
}

// checkSpectrum checks eigenvalues against the matrix: their sum is its
// trace and their product its determinant, and complex ones come in
// conjugate pairs; they are sorted by real part, largest first.
func checkSpectrum(t *testing.T, what string, A [][]float64, eig []oracle.Complex) {
	t.Helper()
	c := len(A)
	if len(eig) != c {
		t.Fatalf("%s: %d eigenvalues for a %d×%d Jacobian", what, len(eig), c, c)
	}
	flat := make([]float64, 0, c*c)
	tr := 0.0
	for i, row := range A {
		flat = append(flat, row...)
		tr += row[i]
	}
	det := mat.Det(mat.NewDense(c, c, flat))
	sum, prod := complex(0, 0), complex(1, 0)
	for k, e := range eig {
		v := complex(e.Re, e.Im)
		sum += v
		prod *= v
		if k > 0 && e.Re > eig[k-1].Re {
			t.Errorf("%s: eigenvalues not sorted by real part: %v", what, eig)
		}
	}
	if cmplx.Abs(sum-complex(tr, 0)) > 1e-10*math.Max(1, math.Abs(tr)) || cmplx.Abs(prod-complex(det, 0)) > 1e-10*math.Max(1, math.Abs(det)) {
		t.Errorf("%s: eigenvalues %v sum to %v and multiply to %v; trace %v, determinant %v", what, eig, sum, prod, tr, det)
	}
}

// -exact sets the exact variational map beside the learned one: at the
// exact A1 map's fixed point J* = 0.8139197 (the closed form's,
// oracle.A1FixedPoint) M(J*) = J*, and nowhere is the learned KL below
// the exact minimum.
func TestFlowExact(t *testing.T) {
	dir := t.TempDir()
	ck := trainCheckpoint(t, dir, "-epochs", "40")
	star, err := oracle.A1FixedPoint()
	if err != nil {
		t.Fatal(err)
	}
	res := flowRun(t, dir, "-checkpoint", ck, "-exact", "-J", fmt.Sprint(star), "-axis", "-points", "9")
	if res.ExactNote != "" || len(res.Points) != 10 {
		t.Fatalf("%d points, note %q", len(res.Points), res.ExactNote)
	}
	if p := res.Points[0]; math.Abs(p.ExactJp[0]-star) > 1e-6 {
		t.Errorf("M(J*) = %v at J* = %v", p.ExactJp, star)
	}
	for _, p := range res.Points {
		if p.ExactJp == nil || p.KLLearned == nil || p.KLExact == nil || *p.KLExact > *p.KLLearned+1e-12 {
			t.Errorf("at %v: exact J′ %v, KL learned %v, exact %v", p.J, p.ExactJp, p.KLLearned, p.KLExact)
		}
		// the image nearest the learned J′: for A1, of the same sign
		if p.J[0] > 0.1 && p.ExactJp[0]*p.Jp[0] < 0 {
			t.Errorf("at %v: exact J′ %v is not the image nearest the learned %v", p.J, p.ExactJp, p.Jp)
		}
	}
}

// Bad input is one sentence naming the problem, exit 1 (2 for an unknown
// flag), before any work and without an output file.
func TestFlowBadInput(t *testing.T) {
	dir := t.TempDir()
	ck := trainCheckpoint(t, dir, "-epochs", "4")
	summary := filepath.Join(dir, "s.json")
	if _, stderr, code := run(t, dir, "train", "-epochs", "4", "-quiet", "-oracle", "off", "-json", summary); code != 0 && code != 3 {
		t.Fatalf("train: exit %d: %s", code, stderr)
	}
	for _, tc := range []struct {
		args []string
		code int
		want string
	}{
		{[]string{"-J", "0.8"}, 1, "-checkpoint is required"},
		{[]string{"-checkpoint", ck}, 1, `give -J "j1,…" (one or more points) or -axis`},
		{[]string{"-checkpoint", ck, "-J", "0.8,0.1"}, 1, "-J has 2 values but A1 has c = 1 couplings"},
		{[]string{"-checkpoint", ck, "-J", "0.8;0.8,0.1"}, 1, "-J (point 2) has 2 values but A1 has c = 1 couplings"},
		{[]string{"-checkpoint", ck, "-J", "NaN"}, 1, "-J value 1 (NaN) must be a finite coupling"},
		{[]string{"-checkpoint", ck, "-J", "inf"}, 1, "-J value 1 (inf) must be a finite coupling"},
		{[]string{"-checkpoint", ck, "-J", "zero"}, 1, `-J value 1 ("zero") is not a number`},
		{[]string{"-checkpoint", ck, "-from", "0.2"}, 1, "-from sets the -axis grid; add -axis"},
		{[]string{"-checkpoint", ck, "-axis", "-points", "0"}, 1, "-points must be between 1 and 100000"},
		{[]string{"-checkpoint", ck, "-axis", "-from", "1", "-to", "0.5"}, 1, "-to (0.5) must be larger than -from (1)"},
		{[]string{"-checkpoint", ck, "-axis", "-to", "NaN"}, 1, "-from and -to must be finite couplings"},
		{[]string{"-checkpoint", summary, "-J", "0.8"}, 1, "is not an rgflow checkpoint"},
		{[]string{"-checkpoint", filepath.Join(dir, "nothing"), "-J", "0.8"}, 1, "cannot read checkpoint"},
		{[]string{"-checkpoint", ck, "-J", "0.8", "-json", ck}, 1, "names the input -checkpoint"},
		{[]string{"-checkpoint", ck, "-J", "0.8", "-json", filepath.Join(dir, "no", "f.json")}, 1, "does not exist"},
		{[]string{"-checkpoint", ck, "-J", "0.8", "-jsn", "x"}, 2, "flag provided but not defined: -jsn"},
	} {
		before, _ := os.ReadDir(dir)
		out, stderr, code := run(t, dir, append([]string{"flow"}, tc.args...)...)
		lines := strings.Split(strings.TrimSpace(stderr), "\n")
		if code != tc.code || len(lines) != 1 || !strings.Contains(stderr, tc.want) || out != "" {
			t.Errorf("flow %v: exit %d, stderr %q, stdout %q; want exit %d and one line with %q", tc.args, code, stderr, out, tc.code, tc.want)
		}
		if after, _ := os.ReadDir(dir); len(after) != len(before) {
			t.Errorf("flow %v left a file behind", tc.args)
		}
	}
	// the checkpoint is untouched by it all
	if _, err := engine.LoadCheckpoint(ck); err != nil {
		t.Error(err)
	}
}

// Every key of rgflow flow's JSON is in docs/formats.md's table, and the
// table names no key the JSON lacks.
func TestFlowKeysDocumented(t *testing.T) {
	doc, err := os.ReadFile(filepath.Join("..", "..", "docs", "formats.md"))
	if err != nil {
		t.Fatal(err)
	}
	m := regexp.MustCompile("(?s)## The trained map \\(`rgflow flow.*?\n(\\|.*?)\n\n").FindSubmatch(doc)
	if m == nil {
		t.Fatal("docs/formats.md has no table for rgflow flow's JSON")
	}
	documented := map[string]bool{}
	for _, row := range strings.Split(string(m[1]), "\n") {
		cells := strings.Split(row, "|")
		if len(cells) < 3 {
			continue
		}
		for _, k := range regexp.MustCompile("`([a-zA-Z_\\[\\].]+)`").FindAllStringSubmatch(cells[1], -1) {
			documented[k[1]] = true
		}
	}
	code := map[string]bool{}
	tags := func(prefix string, v any) {
		ty := reflect.TypeOf(v)
		for i := 0; i < ty.NumField(); i++ {
			if tag, _, _ := strings.Cut(ty.Field(i).Tag.Get("json"), ","); tag != "" && tag != "-" {
				code[prefix+tag] = true
			}
		}
	}
	tags("", flowResult{})
	tags("points[].", flowPoint{})
	for k := range code {
		if !documented[k] {
			t.Errorf("key %q of rgflow flow's JSON is not in docs/formats.md", k)
		}
	}
	for k := range documented {
		if !code[k] {
			t.Errorf("docs/formats.md documents %q, which rgflow flow's JSON does not have", k)
		}
	}
}
