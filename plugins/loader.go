package plugins

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strings"
	"sync"
	"time"
	"unicode/utf8"

	hclog "github.com/hashicorp/go-hclog"
	plugin "github.com/hashicorp/go-plugin"
	"google.golang.org/grpc/codes"
	"google.golang.org/grpc/status"

	"github.com/rgflow/rgflow/internal/quote"
	"github.com/rgflow/rgflow/reps"
)

// MaxNameLength is the longest name a plugin's representation may have.
const MaxNameLength = 100

// Prefix starts the file name of every representation plugin.
const Prefix = "rgflow-rep-"

// DefaultTimeout bounds starting a plugin and its Describe call when the
// caller's context has no deadline of its own.
// (A variable only so that the tests can shorten it.)
var DefaultTimeout = 10 * time.Second

// Dir is the plugin directory: flagValue if non-empty, else $RGFLOW_PLUGINS,
// else the directory of the running executable (where `make build` puts the
// shipped plugins, next to bin/rgflow).
func Dir(flagValue string) string {
	if flagValue != "" {
		return flagValue
	}
	if env := os.Getenv("RGFLOW_PLUGINS"); env != "" {
		return env
	}
	exe, err := os.Executable()
	if err != nil {
		return "."
	}
	// A symlinked rgflow (say in ~/bin) should still find the plugins that
	// sit next to the real binary.
	if real, err := filepath.EvalSymlinks(exe); err == nil {
		exe = real
	}
	return filepath.Dir(exe)
}

// Slug is the file-name form of a representation name: the canonical irreps
// sum when the name parses as one (so "a1 ⊕ e" and "A1+E" agree), then
// lower-cased with everything but [a-z0-9] dropped. "A1+E" → "a1e",
// "2A1+E" → "2a1e", "A1+2E" → "a12e", "E45" → "e45".
func Slug(name string) string {
	if terms, err := reps.ParseSum(name); err == nil {
		name = reps.CanonicalName(terms)
	}
	var b strings.Builder
	for _, r := range strings.ToLower(name) {
		if (r >= 'a' && r <= 'z') || (r >= '0' && r <= '9') {
			b.WriteRune(r)
		}
	}
	return b.String()
}

var slugRE = regexp.MustCompile(`^[a-z0-9]+$`)

// Info describes one plugin binary. Discover fills Slug and Path (and Err
// for a file that cannot be a plugin); List also Name, D and C.
type Info struct {
	Name, Slug, Path string
	D, C             int
	Err              error
}

// Discover lists the plugin binaries in dir without starting them: regular
// files named rgflow-rep-<slug> with a slug of [a-z0-9] only (so editor
// back-ups and sources are skipped). A file that is not executable is listed
// with Err set. An unreadable or missing dir gives an empty list.
func Discover(dir string) []Info {
	entries, err := os.ReadDir(dir)
	if err != nil {
		return nil
	}
	var out []Info
	for _, e := range entries {
		slug, ok := strings.CutPrefix(strings.TrimSuffix(e.Name(), exeSuffix), Prefix)
		if !ok || !slugRE.MatchString(slug) {
			continue
		}
		path := filepath.Join(dir, e.Name())
		out = append(out, Info{Slug: slug, Path: path, Err: checkExecutable(path)})
	}
	return out
}

// List starts every plugin in dir at once (a few at a time), describes
// and validates it, and stops it again. A broken plugin is listed with Err
// set; it does not abort the list. ctx bounds the whole listing, or when
// it has no deadline DefaultTimeout does: plugins that never answer cost
// that once, not each.
func List(ctx context.Context, dir string) []Info {
	infos := Discover(dir)
	if _, ok := ctx.Deadline(); !ok {
		var cancel context.CancelFunc
		ctx, cancel = context.WithTimeout(ctx, DefaultTimeout)
		defer cancel()
	}
	var wg sync.WaitGroup
	slots := make(chan struct{}, listParallel)
	for i := range infos {
		in := &infos[i]
		if in.Err != nil {
			continue
		}
		wg.Add(1)
		go func() {
			defer wg.Done()
			slots <- struct{}{}
			defer func() { <-slots }()
			rep, err := Load(ctx, in.Path)
			if err != nil {
				in.Err = err
				return
			}
			in.Name, in.D, in.C = rep.Name, rep.D, rep.C()
			in.Err = checkSlug(in.Path, rep.Name, in.Slug)
		}()
	}
	wg.Wait()
	return infos
}

// listParallel is how many plugins List starts at once: each is a short
// process, mostly waiting for its handshake.
const listParallel = 16

// Explicit starts a representation name that asks for a plugin even where
// rgflow has the representation built in: "plugin:A1+E" is the plugin
// rgflow-rep-a1e of the plugin directory, "plugin:./bin/rgflow-rep-a1e"
// (anything with a path separator) that file.
const Explicit = "plugin:"

// Resolve finds the representation called name:
//
//   - a sum of irreps that rgflow has built in ("A1+E", "a1 ⊕ e") is the
//     built-in, whatever the plugin directory holds, and starts no process;
//   - any other name is the plugin dir/rgflow-rep-<Slug(name)>;
//   - Explicit+NAME is that plugin even for a built-in name, and
//     Explicit+PATH (PATH holds a path separator) the plugin at PATH.
//
// A plugin that is found, or asked for, and broken is an error, never a
// silent fall-back to the built-in.
func Resolve(ctx context.Context, name, dir string) (*reps.Rep, error) {
	if target, ok := strings.CutPrefix(strings.TrimSpace(name), Explicit); ok {
		return resolvePlugin(ctx, target, dir)
	}
	rep, err := reps.Builtin(name)
	if err == nil {
		return rep, nil
	}
	if path, ok := PluginFor(name, dir); ok {
		return loadNamed(ctx, path, Slug(name))
	}
	if _, perr := reps.ParseSum(name); perr != nil && strings.TrimSpace(name) != "" {
		return nil, fmt.Errorf("unknown representation %s: not a sum of D4 irreps and no plugin %s in %s", quote.Short(name), quote.Cut(Prefix+Slug(name)+exeSuffix), dir)
	}
	// It parses (or is empty) but cannot be built, e.g. d too large: the
	// built-in path's own message says why.
	return nil, err
}

// resolvePlugin loads the plugin an Explicit name asks for.
func resolvePlugin(ctx context.Context, target, dir string) (*reps.Rep, error) {
	target = strings.TrimSpace(target)
	if strings.ContainsRune(target, '/') || strings.ContainsRune(target, filepath.Separator) {
		return Load(ctx, target) // the user named the file: no slug to match
	}
	if Slug(target) == "" {
		return nil, fmt.Errorf("%s names no plugin: write %sNAME (a plugin in %s) or %sPATH", quote.Short(Explicit+target), Explicit, dir, Explicit)
	}
	path, ok := PluginFor(target, dir)
	if !ok {
		return nil, fmt.Errorf("no plugin %s in %s for %s (set the plugin directory with -plugins or $RGFLOW_PLUGINS)", quote.Cut(Prefix+Slug(target)+exeSuffix), dir, quote.Short(Explicit+target))
	}
	return loadNamed(ctx, path, Slug(target))
}

// loadNamed loads the plugin at path, found under slug, and checks that it
// serves a representation of that slug.
func loadNamed(ctx context.Context, path, slug string) (*reps.Rep, error) {
	rep, err := Load(ctx, path)
	if err != nil {
		return nil, err
	}
	if err := checkSlug(path, rep.Name, slug); err != nil {
		return nil, err
	}
	return rep, nil
}

// PluginFor returns the path of dir's plugin for the representation name,
// and whether that file exists (it is not started). For a built-in name
// such a plugin is used only when asked for with Explicit.
func PluginFor(name, dir string) (string, bool) {
	slug := Slug(name)
	if slug == "" {
		return "", false
	}
	path := filepath.Join(dir, Prefix+slug+exeSuffix)
	_, err := os.Lstat(path)
	return path, err == nil
}

// checkSlug refuses a plugin whose file name does not match the name of the
// representation it serves: asked for "A1+E", rgflow must not quietly train
// whatever a renamed file happens to serve.
func checkSlug(path, name, slug string) error {
	if Slug(name) != slug {
		return fmt.Errorf("plugin %s serves representation %s, so its file name should be %s", path, quote.Short(name), quote.Cut(Prefix+Slug(name)+exeSuffix))
	}
	return nil
}

// checkExecutable catches the file-level problems before go-plugin turns
// them into a less readable exec error.
func checkExecutable(path string) error {
	fi, err := os.Stat(path)
	switch {
	case errors.Is(err, os.ErrNotExist):
		if _, lerr := os.Lstat(path); lerr == nil {
			return fmt.Errorf("plugin %s is a symbolic link to a file that does not exist", path)
		}
		return fmt.Errorf("plugin %s does not exist", path)
	case err != nil:
		return fmt.Errorf("plugin %s cannot be read: %v", path, unwrapPathError(err))
	case fi.IsDir():
		return fmt.Errorf("plugin %s is a directory, not an executable", path)
	case !fi.Mode().IsRegular():
		return fmt.Errorf("plugin %s is not a regular file", path)
	case exeSuffix == "" && fi.Mode().Perm()&0o111 == 0:
		return fmt.Errorf("plugin %s is not executable (mode %v; try chmod +x)", path, fi.Mode().Perm())
	}
	return nil
}

// testHookStarted, when set (by tests only), is called once the plugin
// process has been started or failed to start, with the go-plugin client
// and the command, so that tests can check that the process is gone after
// Load returns, and can panic in the middle of Load.
var testHookStarted func(*plugin.Client, *exec.Cmd)

// Load starts the plugin at path, asks for its description, validates it
// (reps.FromMatrices: R⁴ = I, σ² = I, σRσ = R⁻¹, orthogonality, sizes, the
// basis' mirror invariance and independence; plus the irreps label against
// the matrices) and returns the representation with Source set to path.
//
// The plugin process never outlives Load: it is stopped as soon as it has
// answered, and on every error path. Starting and Describe share one
// time-out, ctx's deadline or DefaultTimeout; cancelling ctx (say on Ctrl-C)
// kills the process at once. On Linux the child also gets SIGKILL if the
// host dies without running its defers (a second Ctrl-C, kill -9). Callers
// that stop on a signal while Loads may be in flight should still call
// go-plugin's plugin.CleanupClients() before exiting: Load's clients are
// managed, so that kills any that are running.
//
// Errors are one sentence that names path and the problem. Set
// RGFLOW_PLUGIN_DEBUG=1 to see go-plugin's log and the plugin's stderr.
func Load(ctx context.Context, path string) (*reps.Rep, error) {
	var desc *Description
	err := call(ctx, path, representationKind, func(ctx context.Context, raw any) error {
		impl, ok := raw.(Representation)
		if !ok {
			return fmt.Errorf("plugin %s served a %T instead of a representation", path, raw)
		}
		var err error
		if desc, err = impl.Describe(ctx); err != nil {
			return rpcError{err}
		}
		return nil
	})
	if err != nil {
		return nil, err
	}
	return validate(path, desc)
}

// kind is one kind of plugin as the host loads it: the key of its service
// in the plugin map, what it serves and the call that asks for it, for
// messages.
type kind struct {
	key, noun, rpc string
}

var (
	representationKind = kind{PluginName, "representation", "Describe"}
	blockKind          = kind{BlockPluginName, "block geometry", "Geometry"}
)

// rpcError marks an error that call's function returned from the
// plugin's RPC (as opposed to one it made itself), which call explains.
type rpcError struct{ err error }

func (e rpcError) Error() string { return e.err.Error() }

// call starts the plugin at path, dispenses its service of kind k and runs
// f on it, which asks for what the plugin serves (and returns the RPC's
// error wrapped in rpcError, or an error of its own); then it stops the
// plugin. Load and LoadBlock are built on it (see Load).
func call(ctx context.Context, path string, k kind, f func(ctx context.Context, raw any) error) error {
	if err := checkExecutable(path); err != nil {
		return err
	}
	if _, ok := ctx.Deadline(); !ok {
		var cancel context.CancelFunc
		ctx, cancel = context.WithTimeout(ctx, DefaultTimeout)
		defer cancel()
	}
	deadline, _ := ctx.Deadline()
	budget := time.Until(deadline)
	if err := ctx.Err(); err != nil || budget <= 0 {
		return fmt.Errorf("plugin %s was not started: %v", path, context.Cause(ctx))
	}

	// A bare file name would be looked up in $PATH; the plugin is the file
	// at path, so run it by absolute name (messages keep path as given).
	execPath, err := filepath.Abs(path)
	if err != nil {
		return fmt.Errorf("plugin %s cannot be located: %v", path, err)
	}
	// ctx also bounds the process itself: on a deadline or a cancellation
	// os/exec kills it, which unblocks a start-up or a call that hangs
	// (go-plugin's own StartTimeout only gives up waiting). A healthy plugin
	// is stopped gracefully by client.Kill before any cancel of ours runs.
	cmd := exec.CommandContext(ctx, execPath)
	setDeathSignal(cmd)
	stderr := &tailBuffer{max: 4096}
	client := plugin.NewClient(&plugin.ClientConfig{
		HandshakeConfig:  Handshake,
		Plugins:          PluginMap,
		RunnerFunc:       groupRunnerFor(cmd),
		AllowedProtocols: []plugin.Protocol{plugin.ProtocolGRPC},
		Logger:           newLogger(),
		// Before Serve a plugin's stderr is the process's; after it,
		// go-plugin carries os.Stderr over gRPC. Keep the tail of both.
		Stderr:       stderr,
		SyncStderr:   stderr,
		StartTimeout: budget,
		// Managed, so that plugin.CleanupClients() in a signal handler of
		// the caller reaches a Load that is in flight.
		Managed: true,
	})
	// Kill is safe to call more than once and blocks until the process has
	// exited and been reaped; deferred, it also covers a panic in Load.
	// release (see startClient) must wait until the process is gone.
	release := func() {}
	defer func() {
		client.Kill()
		release()
	}()

	rpc, release, err := startClient(client)
	if testHookStarted != nil {
		testHookStarted(client, cmd)
	}
	if err != nil {
		client.Kill()
		return startError(ctx, path, err, cmd, stderr, budget)
	}
	raw, err := rpc.Dispense(k.key)
	if err != nil {
		return fmt.Errorf("plugin %s does not serve a %s: %v", path, k.noun, firstLine(err.Error()))
	}
	if err := f(ctx, raw); err != nil {
		var re rpcError
		if errors.As(err, &re) {
			return describeError(ctx, path, k, re.err, client, cmd, stderr, budget)
		}
		return err
	}
	// The plugin has done its job; stop it before the (pure) validation.
	client.Kill()
	return nil
}

// validate turns a description into a representation, or says in one
// sentence what is wrong with it.
func validate(path string, desc *Description) (*reps.Rep, error) {
	name := strings.TrimSpace(desc.Name)
	switch {
	case name == "":
		return nil, fmt.Errorf("plugin %s served a representation without a name", path)
	case utf8.RuneCountInString(name) > MaxNameLength || strings.ContainsAny(name, "\n\r"):
		// the name heads every line and result about the run
		return nil, fmt.Errorf("plugin %s served a representation named %s, which is not a name of at most %d characters on one line", path, quote.Short(name), MaxNameLength)
	}
	rep, err := reps.FromMatrices(name, desc.D, desc.R, desc.Sigma, desc.Basis)
	if err != nil {
		msg := strings.TrimPrefix(err.Error(), fmt.Sprintf("representation %q: ", name))
		return nil, fmt.Errorf("plugin %s served an invalid representation %q: %s", path, name, msg)
	}
	if desc.Irreps != "" {
		terms, err := checkIrreps(desc.Irreps, rep)
		if err != nil {
			return nil, fmt.Errorf("plugin %s serves %q with irreps %q, %v", path, name, desc.Irreps, err)
		}
		rep.Terms = terms
	}
	rep.Source = path
	return rep, nil
}

// checkIrreps checks an irreps label against the matrices. Two
// representations of a finite group are equivalent exactly when their
// characters agree, so beyond the dimension it compares the traces on the
// conjugacy classes of D4: {R, R³}, {R²}, {σ, R²σ}, {Rσ, R³σ} (the identity
// is the dimension).
func checkIrreps(irreps string, rep *reps.Rep) ([]reps.Term, error) {
	want, err := reps.Builtin(irreps)
	if err != nil {
		return nil, fmt.Errorf("but the label is unusable: %v", err)
	}
	if want.D != rep.D {
		return nil, fmt.Errorf("but %s has d = %d and the matrices have d = %d", want.Name, want.D, rep.D)
	}
	got, exp := rep.Characters(), want.Characters()
	for c, name := range []string{"R", "R²", "σ", "Rσ"} {
		if diff := got[c] - exp[c]; diff > 1e-6 || diff < -1e-6 {
			return nil, fmt.Errorf("but the matrices are not equivalent to it (trace of %s is %g, want %g)", name, got[c], exp[c])
		}
	}
	return want.Terms, nil
}

func startError(ctx context.Context, path string, err error, cmd *exec.Cmd, stderr *tailBuffer, budget time.Duration) error {
	msg := err.Error()
	var v int
	switch {
	case timedOut(ctx, err):
		return ctxError(ctx, path, "start", budget)
	case scanf(msg, "incompatible API version with plugin. Plugin version: %d", &v):
		return fmt.Errorf("plugin %s speaks representation-plugin protocol version %d, but this rgflow speaks version %d; rebuild the plugin against this rgflow", path, v, Handshake.ProtocolVersion)
	case strings.HasPrefix(msg, "incompatible core API version"):
		return fmt.Errorf("plugin %s was built with an incompatible go-plugin (core protocol mismatch); rebuild it against this rgflow", path)
	case strings.HasPrefix(msg, "unsupported plugin protocol"):
		return fmt.Errorf("plugin %s does not serve gRPC, the only transport rgflow accepts", path)
	case strings.HasPrefix(msg, "timeout while waiting for plugin to start"):
		return fmt.Errorf("plugin %s did not complete the handshake within %v", path, round(budget))
	}
	if line, ok := strings.CutPrefix(firstLine(msg), "Unrecognized remote plugin message: "); ok && line != "" {
		return fmt.Errorf("plugin %s is not an rgflow representation plugin: it printed %q instead of the go-plugin handshake", path, truncate(line, 80))
	}
	// Killed (and so reaped) by the caller before we get here, so
	// ProcessState is set if the process ran at all.
	if ps := cmd.ProcessState; ps != nil {
		out := stderr.lastLine()
		if strings.Contains(stderr.String(), "This binary is a plugin.") {
			// go-plugin's Serve prints this and exits 1 when the magic
			// cookie is missing or different.
			return fmt.Errorf("plugin %s refused the handshake (%v): its magic cookie differs, so it is not a plugin for this rgflow", path, ps)
		}
		if out != "" {
			return fmt.Errorf("plugin %s stopped during start-up (%v) before the handshake, saying %q", path, ps, truncate(out, 120))
		}
		return fmt.Errorf("plugin %s stopped during start-up (%v) before the handshake", path, ps)
	}
	return fmt.Errorf("plugin %s could not be started: %s", path, strings.TrimPrefix(firstLine(msg), "fork/exec "+cmd.Path+": "))
}

// describeError explains a failed call of kind k (Describe, Geometry): a
// time-out, a cancellation, a crash of the plugin, a plugin of another
// kind, or an error the plugin returned.
func describeError(ctx context.Context, path string, k kind, err error, client *plugin.Client, cmd *exec.Cmd, stderr *tailBuffer, budget time.Duration) error {
	if timedOut(ctx, err) {
		return ctxError(ctx, path, "answer "+k.rpc, budget)
	}
	// A plugin that died mid-call shows up as a broken connection; give the
	// client a moment to notice the exit, which also reaps the process and
	// sets ProcessState.
	for wait := time.Now().Add(time.Second); !client.Exited() && time.Now().Before(wait); {
		time.Sleep(10 * time.Millisecond)
	}
	if ctx.Err() != nil {
		// The deadline came while we waited, and os/exec killed the
		// process: that is our doing, not a crash.
		return ctxError(ctx, path, "answer "+k.rpc, budget)
	}
	if client.Exited() {
		if out := stderr.lastLine(); out != "" {
			return fmt.Errorf("plugin %s crashed while describing its %s (%v), saying %q", path, k.noun, cmd.ProcessState, truncate(out, 120))
		}
		return fmt.Errorf("plugin %s crashed while describing its %s (%v)", path, k.noun, cmd.ProcessState)
	}
	if st, ok := status.FromError(err); ok && st.Code() == codes.Unimplemented {
		return fmt.Errorf("plugin %s serves no %s (it is a plugin of another kind: %s)", path, k.noun, firstLine(st.Message()))
	}
	if st, ok := status.FromError(err); ok && st.Code() != codes.OK {
		return fmt.Errorf("plugin %s failed to describe its %s: %s", path, k.noun, firstLine(st.Message()))
	}
	return fmt.Errorf("plugin %s failed to describe its %s: %s", path, k.noun, firstLine(err.Error()))
}

// timedOut tells whether ctx has ended. gRPC enforces the deadline with a
// timer of its own, which can fire a moment before ctx's, so its
// DeadlineExceeded and the clock count too.
func timedOut(ctx context.Context, err error) bool {
	if ctx.Err() != nil || status.Code(err) == codes.DeadlineExceeded {
		return true
	}
	deadline, ok := ctx.Deadline()
	return ok && !time.Now().Before(deadline)
}

func ctxError(ctx context.Context, path, what string, budget time.Duration) error {
	if errors.Is(ctx.Err(), context.Canceled) {
		return fmt.Errorf("plugin %s was killed because loading it was cancelled (%v)", path, context.Cause(ctx))
	}
	return fmt.Errorf("plugin %s did not %s within %v and was killed", path, what, round(budget))
}

// round keeps time-outs readable: "2s", not "1.999981s".
func round(d time.Duration) time.Duration {
	if d >= time.Second {
		return d.Round(100 * time.Millisecond)
	}
	return d.Round(time.Millisecond)
}

func scanf(s, format string, v *int) bool {
	_, err := fmt.Sscanf(s, format, v)
	return err == nil
}

func firstLine(s string) string {
	line, _, _ := strings.Cut(strings.TrimSpace(s), "\n")
	return strings.TrimSpace(line)
}

func truncate(s string, n int) string {
	if r := []rune(s); len(r) > n {
		return string(r[:n]) + "…"
	}
	return s
}

// newLogger is silent unless RGFLOW_PLUGIN_DEBUG is set: go-plugin logs
// every start and stop, and a plugin's stderr goes to the log too.
func newLogger() hclog.Logger {
	if os.Getenv("RGFLOW_PLUGIN_DEBUG") == "" {
		return hclog.NewNullLogger()
	}
	return hclog.New(&hclog.LoggerOptions{Name: "plugin", Output: os.Stderr, Level: hclog.Debug})
}

// tailBuffer keeps the last max bytes of the plugin's stderr, so that a
// crash can be reported with the plugin's own last words, and the first
// line of a Go panic, which a long goroutine dump would push out of the
// tail. (go-plugin writes the pre-Serve stderr here line by line.)
type tailBuffer struct {
	mu    sync.Mutex
	max   int
	buf   []byte
	panic string
}

var _ io.Writer = (*tailBuffer)(nil)

func (t *tailBuffer) Write(p []byte) (int, error) {
	t.mu.Lock()
	defer t.mu.Unlock()
	if t.panic == "" && bytes.HasPrefix(p, []byte("panic: ")) {
		t.panic = string(bytes.TrimSpace(p))
	}
	t.buf = append(t.buf, p...)
	if over := len(t.buf) - t.max; over > 0 {
		t.buf = append(t.buf[:0], t.buf[over:]...)
	}
	return len(p), nil
}

func (t *tailBuffer) String() string {
	t.mu.Lock()
	defer t.mu.Unlock()
	return string(t.buf)
}

// lastLine is the panic line if there was one, else the last non-empty
// line that is not go-plugin's own JSON logging.
func (t *tailBuffer) lastLine() string {
	t.mu.Lock()
	p := t.panic
	t.mu.Unlock()
	if p != "" {
		return p
	}
	lines := bytes.Split(bytes.TrimSpace([]byte(t.String())), []byte("\n"))
	for i := len(lines) - 1; i >= 0; i-- {
		l := bytes.TrimSpace(lines[i])
		if len(l) > 0 && l[0] != '{' {
			return string(l)
		}
	}
	return ""
}

func unwrapPathError(err error) error {
	var pe *os.PathError
	if errors.As(err, &pe) {
		return pe.Err
	}
	return err
}
