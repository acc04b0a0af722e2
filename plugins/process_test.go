//go:build linux

package plugins

// Tests that start real plugin processes. TestMain builds every plugin once,
// in a single `go build` (linking is what costs; one command runs the links
// in parallel), into binDir.

import (
	"bufio"
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"math"
	"math/rand/v2"
	"os"
	"os/exec"
	"path/filepath"
	"reflect"
	"strconv"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"

	plugin "github.com/hashicorp/go-plugin"

	"github.com/rgflow/rgflow/engine"
	"github.com/rgflow/rgflow/internal/runnable"
	"github.com/rgflow/rgflow/reps"
)

var binDir string

// execProblem says why the built plugins cannot be started here ("" when
// they can); the tests that start them skip with it (needPlugins).
var execProblem string

// needPlugins skips a test that starts plugin processes where they
// cannot start.
func needPlugins(t *testing.T) {
	t.Helper()
	if execProblem != "" {
		t.Skip(execProblem)
	}
}

// Shipped plugins (cmd/), the fixture that serves built-in representations
// (testdata/rgflow-rep-builtin, built once per entry of builtins: slug →
// irreps) and the broken test plugins (testdata/), built by TestMain.
var (
	shipped  = []string{"e45"}
	builtins = map[string]string{"a1e": "A1+E", "2a1e": "2A1+E", "a12e": "A1+2E"}
	broken   = []string{"badcookie", "badversion", "crashstart", "crashdescribe", "hang", "badr", "badbasis"}
	// block plugins (testdata/rgflow-block-*): a good one and a malformed one
	blockPlugins = []string{"free2x1", "badbond"}
)

// hostEnv makes the test binary act as a host that loads the plugin named
// in it and hangs; TestNoOrphanWhenHostIsKilled kills that host.
const hostEnv = "RGFLOW_TEST_ACT_AS_HOST"

func TestMain(m *testing.M) {
	if path := os.Getenv(hostEnv); path != "" {
		actAsHost(path)
		return
	}
	os.Exit(run(m))
}

func run(m *testing.M) int {
	dir, err := os.MkdirTemp("", "rgflow-plugins-test")
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		return 1
	}
	defer os.RemoveAll(dir)
	binDir = dir
	flag.Parse() // for testing.Verbose
	start := time.Now()
	if err := buildPlugins(dir); err != nil {
		fmt.Fprintln(os.Stderr, err)
		return 1
	}
	execProblem = runnable.Check(bin("template"))
	if testing.Verbose() {
		fmt.Printf("built %d plugins in %v\n", len(shipped)+len(builtins)+len(broken)+len(blockPlugins)+1, time.Since(start).Round(time.Millisecond))
	}
	return m.Run()
}

func buildPlugins(dir string) error {
	goTool, err := exec.LookPath("go")
	if err != nil {
		return fmt.Errorf("cannot build the test plugins: %v", err)
	}
	// -s -w: no symbol table or DWARF, which makes the links much faster.
	args := []string{"build", "-ldflags=-s -w", "-o", dir + string(filepath.Separator)}
	for _, s := range shipped {
		args = append(args, "../cmd/"+Prefix+s)
	}
	for _, b := range broken {
		args = append(args, "./testdata/"+Prefix+b)
	}
	for _, b := range blockPlugins {
		args = append(args, "./testdata/"+BlockPrefix+b)
	}
	cmds := [][]string{args,
		// The template carries //go:build ignore; naming the file builds it
		// anyway, which keeps it from rotting.
		{"build", "-ldflags=-s -w", "-o", filepath.Join(dir, Prefix+"template"), "./template/main.go"}}
	for slug, irreps := range builtins {
		cmds = append(cmds, []string{"build", "-ldflags=-s -w -X main.irreps=" + irreps, "-o", filepath.Join(dir, Prefix+slug), "./testdata/" + Prefix + "builtin"})
	}
	errs := make(chan error, len(cmds))
	for _, a := range cmds {
		go func() {
			out, err := exec.Command(goTool, a...).CombinedOutput()
			if err != nil {
				err = fmt.Errorf("go %s: %v\n%s", strings.Join(a, " "), err, out)
			}
			errs <- err
		}()
	}
	for range cmds {
		if err := <-errs; err != nil {
			return err
		}
	}
	return nil
}

func bin(slug string) string { return filepath.Join(binDir, Prefix+slug) }

// watched is what testHookStarted saw of one Load.
type watched struct {
	client *plugin.Client
	cmd    *exec.Cmd
}

// watch records the process of the next Load(s), which List runs at once.
func watch(t *testing.T) *[]watched {
	t.Helper()
	var seen []watched
	var mu sync.Mutex
	testHookStarted = func(c *plugin.Client, cmd *exec.Cmd) {
		mu.Lock()
		defer mu.Unlock()
		seen = append(seen, watched{c, cmd})
	}
	t.Cleanup(func() { testHookStarted = nil })
	return &seen
}

// assertGone fails unless every process the Loads started has exited and
// been reaped, both in go-plugin's view and in the kernel's.
func assertGone(t *testing.T, seen []watched) {
	t.Helper()
	for _, w := range seen {
		if w.cmd.Process == nil {
			continue // never started
		}
		pid := w.cmd.Process.Pid
		if !w.client.Exited() {
			t.Errorf("go-plugin says plugin process %d has not exited", pid)
		}
		if err := syscall.Kill(pid, 0); !errors.Is(err, syscall.ESRCH) {
			t.Errorf("plugin process %d is still there after Load returned (kill -0: %v)", pid, err)
		}
	}
}

// load runs Load on path, then checks that the plugin process is gone.
func load(t *testing.T, ctx context.Context, path string) (*reps.Rep, error) {
	t.Helper()
	seen := watch(t)
	rep, err := Load(ctx, path)
	assertGone(t, *seen)
	return rep, err
}

func sameAsBuiltin(t *testing.T, rep *reps.Rep, name, path string) {
	t.Helper()
	want, err := reps.Builtin(name)
	if err != nil {
		t.Fatal(err)
	}
	// Exact equality, not a tolerance: the plugin path must reproduce the
	// built-in numbers bit for bit.
	if rep.Name != want.Name || rep.D != want.D || !reflect.DeepEqual(rep.R, want.R) ||
		!reflect.DeepEqual(rep.Sigma, want.Sigma) || !reflect.DeepEqual(rep.Basis, want.Basis) ||
		!reflect.DeepEqual(rep.Terms, want.Terms) {
		t.Errorf("%s from %s differs from the built-in:\n got %+v\nwant %+v", name, path, rep, want)
	}
	if rep.Source != path {
		t.Errorf("Source = %q, want %q", rep.Source, path)
	}
}

// A plugin serving a built-in representation is the built-in one: the same
// matrices and basis bit for bit, and so the same KL, bit for bit.
func TestPluginAgreesWithBuiltin(t *testing.T) {
	needPlugins(t)
	rng := rand.New(rand.NewPCG(3, 4))
	for slug, name := range builtins {
		rep, err := load(t, context.Background(), bin(slug))
		if err != nil {
			t.Fatal(err)
		}
		sameAsBuiltin(t, rep, name, bin(slug))
		want, _ := reps.Builtin(name)
		J, Jp := make([]float64, want.C()), make([]float64, want.C())
		for a := range J {
			J[a], Jp[a] = 0.8*rng.NormFloat64(), 0.8*rng.NormFloat64()
		}
		klPlugin, gPlugin := engine.NewBlocks(rep).KL(J, Jp)
		klBuiltin, gBuiltin := engine.NewBlocks(want).KL(J, Jp)
		if klPlugin != klBuiltin || !reflect.DeepEqual(gPlugin, gBuiltin) {
			t.Errorf("%s: KL %v (gradient %v) from the plugin, %v (%v) built in", name, klPlugin, gPlugin, klBuiltin, gBuiltin)
		}
	}
}

// A built-in name is the built-in representation even when the plugin
// directory has a plugin of that name: no process is started.
func TestResolvePrefersBuiltin(t *testing.T) {
	seen := watch(t)
	for _, name := range []string{"A1+E", "2A1+E", "a1 ⊕ 2e", "A2"} {
		if _, ok := PluginFor(name, binDir); !ok && name != "A2" {
			t.Fatalf("the test needs a plugin for %s in %s", name, binDir)
		}
		rep, err := Resolve(context.Background(), name, binDir)
		if err != nil {
			t.Fatal(err)
		}
		if rep.Source != reps.BuiltinSource {
			t.Errorf("%s: from %s, want the built-in", name, rep.Source)
		}
	}
	if len(*seen) != 0 {
		t.Errorf("resolving built-in names started %d plugin processes", len(*seen))
	}
}

// plugin:NAME and plugin:PATH ask for a plugin explicitly.
func TestResolveExplicit(t *testing.T) {
	needPlugins(t)
	seen := watch(t)
	for _, c := range []struct{ name, irreps, path string }{
		{"plugin:A1+E", "A1+E", bin("a1e")},
		{"plugin: a1 ⊕ 2e", "A1+2E", bin("a12e")},
		{Explicit + bin("2a1e"), "2A1+E", bin("2a1e")},
	} {
		rep, err := Resolve(context.Background(), c.name, binDir)
		if err != nil {
			t.Fatal(err)
		}
		sameAsBuiltin(t, rep, c.irreps, c.path)
	}
	assertGone(t, *seen)
	if len(*seen) != 3 {
		t.Errorf("started %d plugins, want 3", len(*seen))
	}
	dir := t.TempDir()
	_, err := Resolve(context.Background(), "plugin:A1+E", dir)
	wantErr(t, err, "no plugin rgflow-rep-a1e in "+dir, `"plugin:A1+E"`)
	_, err = Resolve(context.Background(), "plugin:", dir)
	wantErr(t, err, `"plugin:" names no plugin`)
	_, err = Resolve(context.Background(), "plugin:"+filepath.Join(dir, "nosuch"), dir)
	wantErr(t, err, filepath.Join(dir, "nosuch"), "does not exist")
}

func TestResolve(t *testing.T) {
	seen := watch(t)
	// No plugin for A2: the built-in path.
	rep, err := Resolve(context.Background(), "A2", binDir)
	if err != nil || rep.Source != reps.BuiltinSource || rep.C() != 1 {
		t.Fatalf("A2: got %+v, %v; want the built-in", rep, err)
	}
	// Parses but cannot be built (d = 9, beyond reps.MaxDim): the
	// built-in's own reason.
	if _, err := Resolve(context.Background(), "A1+4E", binDir); err == nil || !strings.Contains(err.Error(), "d = 9") {
		t.Errorf("A1+4E: got %v, want the built-in's d = 9 error", err)
	}
	assertGone(t, *seen)
}

func TestE45(t *testing.T) {
	needPlugins(t)
	seen := watch(t)
	rep, err := Resolve(context.Background(), "E45", binDir)
	assertGone(t, *seen)
	if err != nil {
		t.Fatal(err)
	}
	if rep.Name != "E45" || rep.D != 2 || rep.C() != 2 || rep.Terms != nil || rep.Source != bin("e45") {
		t.Fatalf("E45: got %+v, want d = 2, c = 2, no irreps, from %s", rep, bin("e45"))
	}
	near := func(got, want []float64) bool {
		for i := range want {
			if math.Abs(got[i]-want[i]) > 1e-12 {
				return false
			}
		}
		return len(got) == len(want)
	}
	// Turned by 45°, the mirror swaps the two components and the invariant
	// couplings are the identity and the swap.
	if !near(rep.Sigma, []float64{0, 1, 1, 0}) || !near(rep.R, []float64{0, -1, 1, 0}) {
		t.Errorf("E45 matrices: R = %v, σ = %v", rep.R, rep.Sigma)
	}
	if !near(rep.Basis[0], []float64{1, 0, 0, 1}) || !near(rep.Basis[1], []float64{0, 1, 1, 0}) {
		t.Errorf("E45 basis: %v", rep.Basis)
	}
}

func TestTemplateLoads(t *testing.T) {
	needPlugins(t)
	rep, err := load(t, context.Background(), bin("template"))
	if err != nil {
		t.Fatal(err)
	}
	if rep.Name != "MyRep" || rep.D != 3 || rep.C() != 5 {
		t.Errorf("template: got %+v", rep)
	}
}

// wantErr checks that err is one sentence that names the plugin and the
// problem.
func wantErr(t *testing.T, err error, parts ...string) {
	t.Helper()
	if err == nil {
		t.Fatalf("no error, want one mentioning %q", parts)
	}
	msg := err.Error()
	t.Logf("error: %s", msg)
	if strings.Contains(msg, "\n") {
		t.Errorf("error spans several lines: %q", msg)
	}
	for _, p := range parts {
		if !strings.Contains(msg, p) {
			t.Errorf("error %q does not mention %q", msg, p)
		}
	}
}

// A bare file name means the file in the working directory, not one found
// in $PATH.
func TestLoadRelativePath(t *testing.T) {
	needPlugins(t)
	t.Chdir(binDir)
	rep, err := load(t, context.Background(), Prefix+"a1e")
	if err != nil {
		t.Fatal(err)
	}
	sameAsBuiltin(t, rep, "A1+E", Prefix+"a1e")
}

func TestLoadMissing(t *testing.T) {
	_, err := load(t, context.Background(), bin("nosuch"))
	wantErr(t, err, bin("nosuch"), "does not exist")
}

func TestLoadNotExecutable(t *testing.T) {
	dir := t.TempDir()
	path := filepath.Join(dir, Prefix+"a1e")
	copyFile(t, bin("a1e"), path, 0o644)
	_, err := load(t, context.Background(), path)
	wantErr(t, err, path, "not executable")
}

func TestLoadNotAPlugin(t *testing.T) {
	path := filepath.Join(t.TempDir(), Prefix+"hello")
	if err := os.WriteFile(path, []byte("#!/bin/sh\necho hello\n"), 0o755); err != nil {
		t.Fatal(err)
	}
	_, err := load(t, context.Background(), path)
	wantErr(t, err, path, "not an rgflow representation plugin", `"hello"`)
}

func TestLoadWrongCookie(t *testing.T) {
	needPlugins(t)
	_, err := load(t, context.Background(), bin("badcookie"))
	wantErr(t, err, bin("badcookie"), "magic cookie", "exit status 1")
}

func TestLoadWrongProtocolVersion(t *testing.T) {
	needPlugins(t)
	_, err := load(t, context.Background(), bin("badversion"))
	wantErr(t, err, bin("badversion"), "protocol version 2", "version 1")
}

func TestLoadCrashAtStart(t *testing.T) {
	needPlugins(t)
	_, err := load(t, context.Background(), bin("crashstart"))
	wantErr(t, err, bin("crashstart"), "start-up", "exit status 3", "cannot read my configuration")
}

func TestLoadCrashInDescribe(t *testing.T) {
	needPlugins(t)
	_, err := load(t, context.Background(), bin("crashdescribe"))
	wantErr(t, err, bin("crashdescribe"), "crashed while describing", "exit status 4")
}

// A panic reaches the host's stderr capture directly (the runtime writes to
// fd 2), so the message can quote it.
func TestLoadPanicInDescribe(t *testing.T) {
	needPlugins(t)
	t.Setenv("RGFLOW_TEST_CRASH", "panic")
	_, err := load(t, context.Background(), bin("crashdescribe"))
	wantErr(t, err, bin("crashdescribe"), "crashed while describing", "exit status 2", `saying "panic: describe exploded"`)
}

func TestLoadHangs(t *testing.T) {
	needPlugins(t)
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Second)
	defer cancel()
	start := time.Now()
	_, err := load(t, ctx, bin("hang"))
	wantErr(t, err, bin("hang"), "did not answer Describe within 2s")
	if el := time.Since(start); el > 4*time.Second {
		t.Errorf("Load took %v with a 2 s deadline", el)
	}
}

// Ctrl-C, as the CLI sees it: the context is cancelled mid-Load.
func TestLoadCancelled(t *testing.T) {
	needPlugins(t)
	ctx, cancel := context.WithCancel(context.Background())
	time.AfterFunc(300*time.Millisecond, cancel)
	start := time.Now()
	_, err := load(t, ctx, bin("hang"))
	wantErr(t, err, bin("hang"), "cancelled")
	if el := time.Since(start); el > 2*time.Second {
		t.Errorf("a cancelled Load took %v", el)
	}
}

// A panic in the middle of Load (here injected right after the start) must
// still stop the plugin.
func TestLoadPanicKillsPlugin(t *testing.T) {
	needPlugins(t)
	var seen []watched
	testHookStarted = func(c *plugin.Client, cmd *exec.Cmd) {
		seen = append(seen, watched{c, cmd})
		panic("injected")
	}
	defer func() { testHookStarted = nil }()
	func() {
		defer func() {
			if p := recover(); p != "injected" {
				t.Fatalf("recovered %v, want the injected panic", p)
			}
		}()
		Load(context.Background(), bin("hang"))
	}()
	if len(seen) != 1 {
		t.Fatal("the hook did not run")
	}
	assertGone(t, seen)
}

func TestLoadInvalidMatrices(t *testing.T) {
	needPlugins(t)
	_, err := load(t, context.Background(), bin("badr"))
	wantErr(t, err, bin("badr"), `invalid representation "BadR"`, "R⁴ ≠ I")
}

func TestLoadNonInvariantBasis(t *testing.T) {
	needPlugins(t)
	_, err := load(t, context.Background(), bin("badbasis"))
	wantErr(t, err, bin("badbasis"), `invalid representation "BadBasis"`, "coupling basis matrix 0 is not mirror-invariant")
}

func TestResolveUnknown(t *testing.T) {
	dir := t.TempDir()
	_, err := Resolve(context.Background(), "XYZ", dir)
	wantErr(t, err, `unknown representation "XYZ"`, "not a sum of D4 irreps", "no plugin rgflow-rep-xyz in "+dir)
}

// A renamed plugin must not serve a representation under someone else's
// name.
func TestResolveNameMismatch(t *testing.T) {
	needPlugins(t)
	dir := t.TempDir()
	path := filepath.Join(dir, Prefix+"e45")
	if err := os.Symlink(bin("a1e"), path); err != nil {
		t.Fatal(err)
	}
	seen := watch(t)
	_, err := Resolve(context.Background(), "E45", dir)
	assertGone(t, *seen)
	wantErr(t, err, path, `serves representation "A1+E"`, Prefix+"a1e")
}

// A broken plugin that is asked for is an error, not a silent fall-back to
// the built-in; unasked (a built-in name), it is not even started.
func TestResolveBrokenPluginIsAnError(t *testing.T) {
	needPlugins(t)
	dir := t.TempDir()
	path := filepath.Join(dir, Prefix+"a1e")
	copyFile(t, bin("crashstart"), path, 0o755)
	_, err := Resolve(context.Background(), "plugin:A1+E", dir)
	wantErr(t, err, path, "exit status 3")
	rep, err := Resolve(context.Background(), "A1+E", dir)
	if err != nil || rep.Source != reps.BuiltinSource {
		t.Errorf("A1+E beside a broken plugin: %v, %v; want the built-in", rep, err)
	}
	path = filepath.Join(dir, Prefix+"mine")
	copyFile(t, bin("crashstart"), path, 0o755)
	_, err = Resolve(context.Background(), "Mine", dir)
	wantErr(t, err, path, "exit status 3")
}

func TestDiscoverAndList(t *testing.T) {
	needPlugins(t)
	dir := t.TempDir()
	for _, s := range []string{"a1e", "e45", "badr"} {
		if err := os.Symlink(bin(s), filepath.Join(dir, Prefix+s)); err != nil {
			t.Fatal(err)
		}
	}
	copyFile(t, bin("a12e"), filepath.Join(dir, Prefix+"a12e"), 0o644)
	os.Mkdir(filepath.Join(dir, Prefix+"adir"), 0o755)
	for _, junk := range []string{Prefix + "a1e.go", Prefix + "a1e~", "README", "rgflow"} {
		os.WriteFile(filepath.Join(dir, junk), nil, 0o755)
	}

	var found []string
	for _, in := range Discover(dir) {
		found = append(found, fmt.Sprintf("%s:%v", in.Slug, in.Err != nil))
	}
	if want := []string{"a12e:true", "a1e:false", "adir:true", "badr:false", "e45:false"}; !reflect.DeepEqual(found, want) {
		t.Fatalf("Discover: %v, want %v", found, want)
	}

	seen := watch(t)
	infos := List(context.Background(), dir)
	assertGone(t, *seen)
	if len(*seen) != 3 {
		t.Errorf("List started %d plugins, want 3", len(*seen))
	}
	got := map[string]Info{}
	for _, in := range infos {
		got[in.Slug] = in
	}
	if in := got["a1e"]; in.Err != nil || in.Name != "A1+E" || in.D != 3 || in.C != 5 {
		t.Errorf("a1e: %+v", in)
	}
	if in := got["e45"]; in.Err != nil || in.Name != "E45" || in.D != 2 || in.C != 2 {
		t.Errorf("e45: %+v", in)
	}
	if in := got["badr"]; in.Err == nil || !strings.Contains(in.Err.Error(), "R⁴ ≠ I") {
		t.Errorf("badr: %+v", in)
	}
	if in := got["a12e"]; in.Err == nil || !strings.Contains(in.Err.Error(), "not executable") {
		t.Errorf("a12e: %+v", in)
	}
	if in := got["adir"]; in.Err == nil || !strings.Contains(in.Err.Error(), "directory") {
		t.Errorf("adir: %+v", in)
	}
}

// If the host dies without running its defers (kill -9), the kernel must
// take the plugin down with it (Pdeathsig).
func TestNoOrphanWhenHostIsKilled(t *testing.T) {
	needPlugins(t)
	// Become a child subreaper, so that the orphaned plugin is re-parented
	// to this test, which can then reap it and see how it ended (instead of
	// leaving a zombie for init).
	const prSetChildSubreaper = 36
	if _, _, errno := syscall.RawSyscall(syscall.SYS_PRCTL, prSetChildSubreaper, 1, 0); errno != 0 {
		t.Fatalf("prctl(PR_SET_CHILD_SUBREAPER): %v", errno)
	}
	defer syscall.RawSyscall(syscall.SYS_PRCTL, prSetChildSubreaper, 0, 0)

	host := exec.Command(os.Args[0], "-test.run=^$")
	host.Env = append(os.Environ(), hostEnv+"="+bin("hang"))
	out, err := host.StdoutPipe()
	if err != nil {
		t.Fatal(err)
	}
	host.Stderr = os.Stderr
	if err := host.Start(); err != nil {
		t.Fatal(err)
	}
	line, err := bufio.NewReader(out).ReadString('\n')
	if err != nil {
		host.Process.Kill()
		host.Wait()
		t.Fatalf("host did not report its plugin: %v", err)
	}
	pid, err := strconv.Atoi(strings.TrimSpace(line))
	if err != nil {
		t.Fatalf("host said %q", line)
	}
	if err := syscall.Kill(pid, 0); err != nil {
		t.Fatalf("plugin process %d is gone before its host was killed: %v", pid, err)
	}
	host.Process.Kill()
	host.Wait()
	// The plugin is now our child: reap it, or fail if it lives on.
	for deadline := time.Now().Add(5 * time.Second); ; time.Sleep(20 * time.Millisecond) {
		var ws syscall.WaitStatus
		got, err := syscall.Wait4(pid, &ws, syscall.WNOHANG, nil)
		if err != nil {
			t.Fatalf("wait4(%d): %v", pid, err)
		}
		if got == pid {
			if !ws.Signaled() || ws.Signal() != syscall.SIGKILL {
				t.Errorf("plugin ended with %v, want SIGKILL from Pdeathsig", ws)
			}
			return
		}
		if time.Now().After(deadline) {
			syscall.Kill(pid, syscall.SIGKILL)
			syscall.Wait4(pid, &ws, 0, nil)
			t.Fatalf("plugin process %d outlived its killed host", pid)
		}
	}
}

// actAsHost is the body of the host process of TestNoOrphanWhenHostIsKilled:
// it loads a plugin that hangs, tells the test the plugin's pid, and waits
// to be killed.
func actAsHost(path string) {
	testHookStarted = func(_ *plugin.Client, cmd *exec.Cmd) {
		if cmd.Process != nil {
			fmt.Println(cmd.Process.Pid)
		}
	}
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()
	Load(ctx, path)
	os.Exit(1) // not reached unless the test forgot to kill us
}

func copyFile(t *testing.T, from, to string, mode os.FileMode) {
	t.Helper()
	in, err := os.Open(from)
	if err != nil {
		t.Fatal(err)
	}
	defer in.Close()
	out, err := os.OpenFile(to, os.O_CREATE|os.O_WRONLY|os.O_TRUNC, mode)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := io.Copy(out, in); err != nil {
		t.Fatal(err)
	}
	if err := out.Close(); err != nil {
		t.Fatal(err)
	}
}
