package main

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"math"
	"os"
	"path/filepath"
	"runtime"
	"strings"
	"sync"
	"time"

	"github.com/schollz/progressbar/v3"

	"github.com/rgflow/rgflow/engine"
	"github.com/rgflow/rgflow/engine/oracle"
	"github.com/rgflow/rgflow/internal/atomicfile"
	"github.com/rgflow/rgflow/internal/buildinfo"
	"github.com/rgflow/rgflow/internal/humanize"
	"github.com/rgflow/rgflow/internal/inputfile"
	"github.com/rgflow/rgflow/reps"
)

// rgflow train -instances N: N independent instances of one configuration,
// seeds s, s+1, …, trained in parallel, each exactly the run its single
// `rgflow train -seed` would be, and the median over them with a bootstrap
// standard error as the headline (engine.EnsembleSummary).

// maxInstances bounds -instances.
const maxInstances = 10000

// maxManifestBytes bounds the instance manifest read: a few hundred
// bytes an instance.
const maxManifestBytes = 1 << 20

// instancesKind marks the file -checkpoint names with -instances N > 1:
// not a checkpoint but the list of the instances' own checkpoints.
const instancesKind = "rgflow-instances"

// instanceManifest is that file (docs/formats.md, "The instances'
// checkpoint list"): the instances' checkpoints, each a single run's
// (resumable alone), by file name in the manifest's directory, and the
// outputs the ensemble was started with.
type instanceManifest struct {
	Kind      string          `json:"kind"`
	Format    int             `json:"format"`
	Instances []instanceEntry `json:"instances"`
	JSON      string          `json:"json,omitempty"`
	Plot      string          `json:"plot,omitempty"`
}

type instanceEntry struct {
	Seed       uint64 `json:"seed"`
	Checkpoint string `json:"checkpoint"`
}

// instancePath is the checkpoint file of the instance with this seed
// beside the manifest at path: run.json → run.seed3.json.
func instancePath(path string, seed uint64) string {
	ext := filepath.Ext(path)
	return fmt.Sprintf("%s.seed%d%s", strings.TrimSuffix(path, ext), seed, ext)
}

// readManifest returns the instance manifest at path, or nil if the file
// is something else (a checkpoint, whose loader then says what is wrong
// with it). Only the file's first key is read to tell.
func readManifest(path string) (*instanceManifest, error) {
	f, err := inputfile.Open(path, inputfile.MemoryLimit())
	if err != nil {
		return nil, nil // LoadCheckpoint says why
	}
	defer f.Close()
	dec := json.NewDecoder(f)
	if t, err := dec.Token(); err != nil || t != json.Delim('{') {
		return nil, nil
	}
	if k, err := dec.Token(); err != nil || k != "kind" {
		return nil, nil
	}
	var kind string
	if err := dec.Decode(&kind); err != nil || kind != instancesKind {
		return nil, nil
	}
	if _, err := f.Seek(0, io.SeekStart); err != nil {
		return nil, fmt.Errorf("cannot read %s: %v", path, err)
	}
	data, err := io.ReadAll(io.LimitReader(f, maxManifestBytes))
	if err != nil {
		return nil, fmt.Errorf("cannot read %s: %v", path, err)
	}
	var m instanceManifest
	if err := json.Unmarshal(data, &m); err != nil {
		return nil, fmt.Errorf("%s is not a valid list of instance checkpoints: %v", path, err)
	}
	if m.Format != 1 || len(m.Instances) == 0 {
		return nil, fmt.Errorf("%s is not a valid list of instance checkpoints (format %d, %d instances)", path, m.Format, len(m.Instances))
	}
	for i := range m.Instances {
		m.Instances[i].Checkpoint = filepath.Join(filepath.Dir(path), m.Instances[i].Checkpoint)
	}
	return &m, nil
}

// writeManifest writes the manifest listing the instances' checkpoints.
func writeManifest(path string, trs []*engine.Trainer, out engine.OutputConfig) error {
	m := instanceManifest{Kind: instancesKind, Format: 1, JSON: out.JSON, Plot: out.Plot}
	for _, tr := range trs {
		m.Instances = append(m.Instances, instanceEntry{Seed: tr.Cfg.Seed, Checkpoint: filepath.Base(tr.Cfg.Output.Checkpoint)})
	}
	data, err := json.MarshalIndent(m, "", "  ")
	if err != nil {
		return err
	}
	return atomicfile.Write(path, append(data, '\n'))
}

// runInstances trains the instances of cfg (man nil) or resumes those man
// lists, and writes the ensemble's results.
func runInstances(ctx context.Context, f *trainFlags, cfg engine.Config, keys map[string]bool, man *instanceManifest) error {
	n := *f.instances
	manifest := cfg.Output.Checkpoint
	var cks []*engine.Checkpoint
	if man != nil {
		manifest = *f.resume
		release, err := lockCheckpoint(manifest)
		if err != nil {
			return err
		}
		defer release()
		if f.set["instances"] && n != len(man.Instances) {
			return fmt.Errorf("-resume %s holds %d instances, not %d; leave -instances out", manifest, len(man.Instances), n)
		}
		if keys["output.checkpoint"] && canonicalPath(cfg.Output.Checkpoint) != canonicalPath(manifest) {
			return fmt.Errorf("-resume %s: the instances keep saving to the checkpoints it lists; leave -checkpoint out", manifest)
		}
		n = len(man.Instances)
		if cks, err = f.resumeInstances(man, cfg, keys); err != nil {
			return err
		}
		cfg = cks[0].Config
		if !keys["output.json"] {
			cfg.Output.JSON = man.JSON
		}
		if !keys["output.plot"] {
			cfg.Output.Plot = man.Plot
		}
		cfg.Output.Checkpoint = manifest
	}
	if err := checkPluginDir(*f.pluginDir); err != nil {
		return err
	}
	repName := cfg.Rep
	if f.set["rep"] {
		repName = *f.rep
	}
	r, err := resolveRep(ctx, repName, *f.pluginDir)
	if err != nil {
		return err
	}
	geom, blockFile, err := loadBlock(ctx, cfg.Block, *f.pluginDir)
	if err != nil {
		return err
	}
	if err := checkInstanceOutputs(cfg, r, n, manifest, *f.configPath, man != nil, blockFile); err != nil {
		return err
	}
	if man == nil {
		release, err := lockCheckpoint(manifest)
		if err != nil {
			return err
		}
		defer release()
	}
	var first *engine.Checkpoint
	if cks != nil {
		first = cks[0]
	}
	ex, err := f.exactFor(first)
	if err != nil {
		return err
	}
	noteWarmStart(cfg, r, man != nil)
	trs := make([]*engine.Trainer, n)
	for k := range trs {
		if cks != nil {
			if cks[k].Rep != r.Name {
				return fmt.Errorf("-resume %s: the instances are of representation %s, not %s; leave -rep out", manifest, cks[k].Rep, r.Name)
			}
			if trs[k], err = engine.Resume(cks[k], r, 0, engine.WithKernels(kernelPath), engine.WithGeometry(geom)); err != nil {
				if ce := (*engine.CheckpointError)(nil); errors.As(err, &ce) {
					return fmt.Errorf("-resume %s: seed %d: %v", manifest, cks[k].Config.Seed, err)
				}
			}
		} else {
			c := cfg
			c.Seed = cfg.Seed + uint64(k)
			// an instance's checkpoint is its single run's: it names no
			// outputs of its own, the ensemble's are in the manifest
			c.Output = engine.OutputConfig{CheckpointEvery: cfg.Output.CheckpointEvery}
			if manifest != "" {
				c.Output.Checkpoint = instancePath(manifest, c.Seed)
			}
			trs[k], err = setUp(ctx, func() (*engine.Trainer, error) {
				return engine.NewTrainer(c, r, engine.WithKernels(kernelPath), exactMapFor(c, r), engine.WithContext(ctx), engine.WithGeometry(geom))
			})
		}
		if err != nil && ctx.Err() != nil {
			return fmt.Errorf("interrupted during the warm start (warm_start = %q); nothing written", cfg.WarmStart)
		}
		if err != nil {
			return f.named(err)
		}
		trs[k].Options = map[string]string{"oracle": ex.mode}
	}
	tr0 := trs[0]
	parallel := min(n, runtime.GOMAXPROCS(0))
	resumed := ""
	if man != nil {
		resumed = ", resumed"
	}
	fmt.Fprintf(os.Stderr, "rgflow: %s (d=%d, c=%d, %s)%s, loss %s, model %s, %d epochs × %d trajectories, %d instances (seeds %s), %d at a time, kernels %s%s\n",
		r.Name, r.D, tr0.C, origin(r, repName, *f.pluginDir), blockNote(tr0.Pair), tr0.Cfg.Loss, tr0.Cfg.Model, tr0.Cfg.Epochs, tr0.M, n, seedRange(trs), parallel, tr0.Blocks.Kernels().Name(), resumed)
	if err := checkInstanceResources(trs, parallel); err != nil {
		return f.named(err)
	}
	// each instance's checkpoint is one run's, which may be resumed alone:
	// locked too, for as long as the ensemble works on it
	for _, tr := range trs {
		release, err := lockCheckpoint(tr.Cfg.Output.Checkpoint)
		if err != nil {
			return err
		}
		defer release()
	}
	if manifest != "" && man == nil {
		if prev, err := engine.LoadCheckpoint(manifest); err == nil {
			fmt.Fprintf(os.Stderr, "rgflow: note: -checkpoint %s held the checkpoint of a run at epoch %d of %d; this run replaces it\n", manifest, prev.Epoch, prev.Config.Epochs)
		}
		// every instance's first checkpoint at once, then the list of them
		for _, tr := range trs {
			if err := tr.SaveCheckpoint(tr.Cfg.Output.Checkpoint); err != nil {
				return err
			}
		}
		if err := writeManifest(manifest, trs, cfg.Output); err != nil {
			return err
		}
	}
	if err := trainInstances(ctx, trs, parallel, *f.quiet, manifest); err != nil {
		return err
	}
	return writeEnsembleResults(ctx, trs, ex, cfg.Output, manifest)
}

// checkInstanceOutputs is checkOutputs for n instances: the ensemble's
// JSON (every instance's summary) and figure, and the manifest with the
// instances' checkpoints beside it.
func checkInstanceOutputs(cfg engine.Config, r *reps.Rep, n int, manifest, configPath string, resuming bool, block file) error {
	est := engine.EstimateResources(cfg, r.D, cfg.CouplingsFor(r.C()), cfg.Epochs)
	resume := ""
	if resuming {
		resume = manifest
	}
	return checkFiles(
		[]file{{"config", configPath, 0}, {"resume", resume, 0}, pluginFile(r), block},
		[]file{{"json", cfg.Output.JSON, int64(est.SummaryBytes) * int64(n)}, {"plot", cfg.Output.Plot, plotBytes(cfg.Epochs)},
			{"checkpoint", manifest, int64(est.CheckpointBytes) * int64(n)}},
		func(in, out file) bool { return in.flag == "resume" && out.flag == "checkpoint" })
}

// resumeInstances loads the checkpoints a manifest lists, each with the
// configuration it continues with (resumeConfig); an instance that had
// finished is read out as it is, unless -epochs gives a new total.
func (f *trainFlags) resumeInstances(man *instanceManifest, cfg engine.Config, keys map[string]bool) ([]*engine.Checkpoint, error) {
	var cks []*engine.Checkpoint
	for _, e := range man.Instances {
		ck, err := engine.LoadCheckpoint(e.Checkpoint)
		if err != nil {
			return nil, err
		}
		if ck.Epoch >= ck.Config.Epochs && !keys["epochs"] {
			cks = append(cks, ck) // finished: its read-out only
			continue
		}
		rc, err := f.resumeConfig(e.Checkpoint, ck, cfg, keys) // keeps saving to the instance's file
		if err != nil {
			return nil, err
		}
		rc.Output.JSON, rc.Output.Plot = "", ""
		ck.Config = rc
		cks = append(cks, ck)
	}
	return cks, nil
}

// seedRange writes the instances' seeds: "1–8", or a list when they are
// not consecutive.
func seedRange(trs []*engine.Trainer) string {
	first, last := trs[0].Cfg.Seed, trs[len(trs)-1].Cfg.Seed
	if last-first == uint64(len(trs)-1) {
		return fmt.Sprintf("%d–%d", first, last)
	}
	var s []string
	for _, tr := range trs {
		s = append(s, fmt.Sprint(tr.Cfg.Seed))
	}
	return strings.Join(s, ", ")
}

// checkInstanceResources refuses instances that cannot fit in memory
// together (all of them are built at once) and says when they will take
// more than ten minutes.
func checkInstanceResources(trs []*engine.Trainer, parallel int) error {
	cfg := trs[0].Cfg
	d, c := trs[0].Rep.D, trs[0].C
	left := 0
	for _, tr := range trs {
		left = max(left, cfg.Epochs-tr.EpochsDone())
	}
	est := engine.EstimateResources(cfg, d, c, left)
	n := float64(len(trs))
	all := est
	all.Bytes *= n
	all.Parts = append([]engine.ResourcePart(nil), est.Parts...)
	for i := range all.Parts {
		all.Parts[i].Bytes *= n
	}
	if err := all.Check(); err != nil {
		return fmt.Errorf("%v (for %d instances; fewer with -instances)", err, len(trs))
	}
	rounds := math.Ceil(n / float64(parallel))
	if t := est.EpochSeconds * float64(left) * rounds; t > 600 {
		fmt.Fprintf(os.Stderr, "rgflow: note: these %d instances may take roughly %s (about %s an epoch each, %d at a time; a rough estimate)\n",
			len(trs), humanize.Duration(t), humanize.Duration(est.EpochSeconds), parallel)
	}
	return nil
}

// trainInstances trains the instances, parallel at a time, each as its
// single run trains (train: its checkpoints, and its state saved on an
// interruption), with one progress display for all. A failure of one
// stops the others and is returned.
func trainInstances(ctx context.Context, trs []*engine.Trainer, parallel int, quiet bool, manifest string) error {
	run, cancel := context.WithCancel(ctx)
	defer cancel()
	stop := instancesProgress(trs, quiet)
	var failure error
	var once sync.Once
	jobs := make(chan int)
	var wg sync.WaitGroup
	for w := 0; w < parallel; w++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for i := range jobs {
				if run.Err() != nil {
					continue // not started: its checkpoint is its start
				}
				if trs[i].EpochsDone() >= trs[i].Cfg.Epochs {
					continue // resumed after it had finished
				}
				if err := train(run, trs[i], true); err != nil && run.Err() == nil {
					// a failure, not the stop it causes the others: they stop
					once.Do(func() { failure = fmt.Errorf("seed %d: %w", trs[i].Cfg.Seed, err) })
					cancel()
				}
			}
		}()
	}
	for i := range trs {
		jobs <- i
	}
	close(jobs)
	wg.Wait()
	stop()
	if ctx.Err() == nil {
		return failure
	}
	lo, hi := trs[0].Cfg.Epochs, 0
	for _, tr := range trs {
		lo, hi = min(lo, tr.EpochsDone()), max(hi, tr.EpochsDone())
	}
	at := fmt.Sprintf("interrupted with the %d instances at epochs %d–%d of %d", len(trs), lo, hi, trs[0].Cfg.Epochs)
	if manifest == "" {
		return fmt.Errorf("%s; nothing written (set -checkpoint to keep partial runs)", at)
	}
	return fmt.Errorf("%s; their states are saved, listed in %s (continue with -resume %s)", at, manifest, manifest)
}

// instancesProgress shows the instances' progress on stderr (their total
// epochs): a bar on a terminal, else a line every plainInterval. The
// function it returns ends it.
func instancesProgress(trs []*engine.Trainer, quiet bool) func() {
	if quiet {
		return func() {}
	}
	done := func() (sum, running int) {
		for _, tr := range trs {
			e := tr.EpochsDone()
			sum += e
			if e > 0 && e < tr.Cfg.Epochs {
				running++
			}
		}
		return sum, running
	}
	total := 0
	for _, tr := range trs {
		total += tr.Cfg.Epochs
	}
	first, _ := done()
	every := plainInterval
	var bar *progressbar.ProgressBar
	if stderrIsTerminal() {
		every = 200 * time.Millisecond
		bar = progressbar.NewOptions(total, progressbar.OptionSetWriter(os.Stderr),
			progressbar.OptionSetDescription(fmt.Sprintf("training %d instances", len(trs))), progressbar.OptionShowCount(),
			progressbar.OptionSetPredictTime(true), progressbar.OptionSetWidth(30), progressbar.OptionClearOnFinish())
		_ = bar.Set(first)
	}
	begin := time.Now()
	quit := make(chan struct{})
	var wg sync.WaitGroup
	wg.Add(1)
	go func() {
		defer wg.Done()
		tick := time.NewTicker(every)
		defer tick.Stop()
		for {
			select {
			case <-quit:
				return
			case <-tick.C:
			}
			sum, running := done()
			if bar != nil {
				_ = bar.Set(sum)
				continue
			}
			per := time.Since(begin).Seconds() / float64(max(sum-first, 1))
			fmt.Fprintf(os.Stderr, "rgflow: %d instances: %d of %d epochs (%.0f%%), %d running; about %s left\n",
				len(trs), sum, total, 100*float64(sum)/float64(total), running, humanize.Duration(per*float64(total-sum)))
		}
	}()
	return func() {
		close(quit)
		wg.Wait()
		if bar != nil {
			_ = bar.Finish()
		}
	}
}

// writeEnsembleResults reads out every instance, sets each beside the
// exact map (whose analysis is computed once), gathers them
// (engine.NewEnsemble), prints the ensemble's summary and verdict and
// writes the JSON and the figure, all or none. A read-out that is
// interrupted writes nothing; results that cannot be written leave the
// instances' states listed in the manifest (or a rescue manifest), with
// the command that writes them. An ensemble whose verdict finds something
// wrong ends in errUntrusted once everything is written.
func writeEnsembleResults(ctx context.Context, trs []*engine.Trainer, ex exactOptions, out engine.OutputConfig, manifest string) error {
	bi := buildinfo.Read()
	// the read-out, the exact map's side most, may take a while: a signal
	// stops it, and a resumed ensemble does it again
	done := make(chan []engine.Summary, 1)
	go func() {
		an, note := ex.analysis(ctx, trs[0])
		sums := make([]engine.Summary, len(trs))
		for i, tr := range trs {
			sums[i] = oracle.Finish(ctx, tr, an, note)
		}
		done <- sums
	}()
	var sums []engine.Summary
	select {
	case sums = <-done:
	case <-ctx.Done():
	}
	if ctx.Err() != nil {
		if manifest == "" {
			return errors.New("interrupted during the final read-out; nothing written (set -checkpoint to keep the instances of a run whose read-out is interrupted)")
		}
		return fmt.Errorf("interrupted during the final read-out; the instances' states are listed in %s, and %s writes the results", manifest, ensembleCommand(manifest, out))
	}
	e := engine.NewEnsemble(sums)
	e.Version, e.Commit = bi.Version, bi.CommitString()
	fig := nearestMedian(e)
	figure := func(path string) ([]byte, error) { return renderFigure(path, sums[fig], trs[fig].Model.Flow) }
	if err := emit(out, e, figure, func(w io.Writer) { printEnsemble(w, e, fig, out.Plot != "") }); err != nil {
		return keepEnsemble(trs, manifest, out, err.Error())
	}
	if len(e.Verdict) > 0 {
		return errUntrusted
	}
	return nil
}

// keepEnsemble is keepState for instances: their states are in the
// checkpoints the manifest lists (each saved at its end), or without a
// manifest in a rescue manifest beside the outputs (else in the temporary
// directory) with its instances' checkpoints; the error names it and the
// command that writes the results.
func keepEnsemble(trs []*engine.Trainer, manifest string, out engine.OutputConfig, why string) error {
	if manifest != "" {
		return fmt.Errorf("%s; the instances' states are listed in %s, and %s writes the results", why, manifest, ensembleCommand(manifest, out))
	}
	var dirs []string
	for _, p := range []string{out.JSON, out.Plot} {
		if p != "" && p != "-" {
			dirs = append(dirs, filepath.Dir(p))
		}
	}
	for _, dir := range append(dirs, ".", os.TempDir()) {
		f, err := os.CreateTemp(dir, "rgflow-rescue-*.json")
		if err != nil {
			continue
		}
		path := filepath.Clean(f.Name())
		f.Close()
		if saveInstances(trs, path, out) == nil {
			return fmt.Errorf("%s; the instances' states are listed in %s, and %s writes the results", why, path, ensembleCommand(path, out))
		}
		os.Remove(path)
	}
	return fmt.Errorf("%s; the instances' states could not be saved anywhere either", why)
}

// saveInstances saves every instance's checkpoint beside the manifest at
// path, then the manifest listing them.
func saveInstances(trs []*engine.Trainer, path string, out engine.OutputConfig) error {
	for _, tr := range trs {
		ck, err := tr.Checkpoint()
		if err == nil {
			tr.Cfg.Output.Checkpoint = instancePath(path, tr.Cfg.Seed)
			err = ck.Save(tr.Cfg.Output.Checkpoint)
		}
		if err != nil {
			return err
		}
	}
	return writeManifest(path, trs, out)
}

// ensembleCommand is the command that resumes the instances a manifest
// lists and writes their results.
func ensembleCommand(manifest string, out engine.OutputConfig) string {
	args := []string{"rgflow", "train", "-resume", manifest}
	if out.JSON != "" {
		args = append(args, "-json", out.JSON)
	}
	if out.Plot != "" {
		args = append(args, "-plot", out.Plot)
	}
	for i, a := range args {
		args[i] = shellWord(a)
	}
	return strings.Join(args, " ")
}

// nearestMedian is the index of the instance whose headline estimate is
// nearest the ensemble's median (the first of equals; 0 if none has one):
// the instance the figure shows.
func nearestMedian(e engine.EnsembleSummary) int {
	med, _ := e.Headline()
	best, bestD := 0, math.Inf(1)
	for i, s := range e.Instances {
		est, _, _ := s.Estimate()
		if d := math.Abs(est - med); d < bestD {
			best, bestD = i, d
		}
	}
	return best
}

// printEnsemble writes the ensemble's result: the headline (median ±
// bootstrap standard error, quartiles), ν, a line per instance, the exact
// map beside it, and the verdict.
func printEnsemble(w io.Writer, e engine.EnsembleSummary, fig int, plotted bool) {
	en := e.Ensemble
	head := fmt.Sprintf("%s %s %s", e.Rep, e.Loss, e.Model)
	if e.CoarseMirror != "" && e.CoarseMirror != "axis" {
		head += " (coarse mirror " + e.CoarseMirror + ")"
	}
	head += blockHead(e.Block, e.Shells)
	seeds := fmt.Sprintf("%d instances (seeds %d–%d)", en.N, e.Seeds[0], e.Seeds[len(e.Seeds)-1])
	med, se := e.Headline()
	spread := func(m, q1, q3, se float64) string {
		if math.IsNaN(m) {
			return "— (no instance has one)"
		}
		return fmt.Sprintf("%.5f ± %s (median ± bootstrap standard error; quartiles %.5f–%.5f)", m, fmtF(se, "%.2g"), q1, q3)
	}
	jc := spread(float64(en.JcMedian), float64(en.JcQ1), float64(en.JcQ3), float64(en.JcStdErr))
	switch {
	case math.IsNaN(med) && e.C == 1:
		fmt.Fprintf(w, "%s, %s: no J_c estimate (exact %.6f)\n", head, seeds, e.JcExact)
	case math.IsNaN(med):
		fmt.Fprintf(w, "%s, %s: no physical-axis J_c estimate (exact %.6f); root J_0 = %s\n", head, seeds, e.JcExact, jc)
	case e.C == 1:
		fmt.Fprintf(w, "%s, %s: J_c = %s exact %.6f (%s)\n", head, seeds, jc, e.JcExact, bias(med, e.JcExact))
	default:
		fmt.Fprintf(w, "%s, %s: physical-axis J_c = %s exact %.6f (%s); root J_0 = %s\n", head, seeds,
			spread(med, float64(en.AxisJcQ1), float64(en.AxisJcQ3), se), e.JcExact, bias(med, e.JcExact), jc)
	}
	nu := "no instance has a relevant eigenvalue above 1"
	if !math.IsNaN(float64(en.NuMedian)) {
		nu = fmt.Sprintf("%.3f ± %s (exact 1; quartiles %.3f–%.3f)", float64(en.NuMedian), fmtF(float64(en.NuStdErr), "%.2g"), float64(en.NuQ1), float64(en.NuQ3))
	}
	fmt.Fprintf(w, "ν = %s; %d of %d instances with an estimate, %d trusted on their own\n", nu, en.Estimates, en.N, en.Trusted)
	for _, s := range e.Instances {
		est, _, what := s.Estimate()
		line := fmt.Sprintf("  seed %d: %s %s, ν %s, gap %s", s.Seed, what, fmtF(est, "%.5f"), fmtF(float64(s.Nu), "%.3f"), fmtF(100*float64(s.VariationalGap), "%.2f%%"))
		if s.C == 1 && s.Roots > 0 {
			line += fmt.Sprintf(" (roots' IQR %.5f–%.5f)", float64(s.JcQ1), float64(s.JcQ3))
		}
		if len(s.Verdict) == 0 {
			line += ": nothing found wrong"
		} else {
			line += ": not to be trusted: " + s.Verdict[0]
			if len(s.Verdict) > 1 {
				line += fmt.Sprintf(" (and %d more)", len(s.Verdict)-1)
			}
		}
		fmt.Fprintln(w, line)
	}
	s0 := e.Instances[0]
	printExactMap(w, e.CoarseMirror, e.OracleAxisJc, e.OracleLambda, e.OracleNu, e.OracleFixedPoint, s0.OracleScalingDimensions, e.OracleNote)
	if d := float64(en.Distance); !math.IsNaN(d) {
		line := fmt.Sprintf("in coupling units: the median is %.4f from the exact map's value", d)
		if se > 0 {
			line += fmt.Sprintf(", %.1f standard errors", d/se)
		}
		if e.Loss != engine.LossKL {
			line += fmt.Sprintf(" (information: a %s run's fixed point need not be the exact KL map's; docs/training.md)", e.Loss)
		}
		fmt.Fprintln(w, line)
	}
	if plotted {
		fmt.Fprintf(w, "figure: the instance with seed %d, whose estimate is nearest the median\n", e.Instances[fig].Seed)
	}
	printVerdict(w, e.Verdict)
}
