package main

import (
	"context"
	"fmt"
	"io"
	"math"
	"os"
	"strings"
	"time"

	"rgflow/engine"
	"rgflow/engine/divergence"
	"rgflow/engine/geometry"
	"rgflow/engine/oracle"
	"rgflow/reps"
)

func runOracle(ctx context.Context, args []string) error {
	fs := newFlags("oracle")
	repName := fs.String("rep", "A1", repFlagHelp)
	mirror := fs.String("coarse-mirror", "axis", "the coarse block's mirror: axis (the published convention) or diagonal (docs/conventions.md §12)")
	blockName := fs.String("block", geometry.PlaquetteName, "the block geometry: "+geometry.Names+"; the KL is per coarse site (docs/conventions.md §14)")
	shells := fs.Int("shells", 1, "coupling shells of the hidden–visible bonds: 1 (nearest) or 2 (adds the √5/2 shell; one-spin representations, patches of two or more plaquettes; docs/conventions.md §14)")
	jsonOut := fs.String("json", "", jsonFlagHelp)
	starts := fs.String("start", "", `extra fixed-point starts, "j1,…,jc;j1,…,jc" (tried before the default ones)`)
	axisTol := fs.Float64("axis-tol", 1e-5, "bisection tolerance of the physical-axis critical coupling")
	quiet := fs.Bool("quiet", false, "no progress lines on stderr")
	pluginDir := fs.String("plugins", "", "directory of representation plugins (default: $RGFLOW_PLUGINS, else next to rgflow)")
	if err := parse(fs, legacyJSON("oracle", args)); err != nil {
		return err
	}
	if !(*axisTol > 0 && *axisTol < 0.1) {
		return fmt.Errorf("-axis-tol must be between 0 and 0.1 (got %g)", *axisTol)
	}
	geom, err := geometry.Parse(*blockName, *shells)
	if err != nil {
		return fmt.Errorf("-block %s -shells %d: %w", *blockName, *shells, err)
	}
	if err := checkPluginDir(*pluginDir); err != nil {
		return err
	}
	r, err := resolveRep(ctx, *repName, *pluginDir)
	if err != nil {
		return err
	}
	if err := reps.ExactLimit("the exact variational map", r.Name, r.D); err != nil {
		return err
	}
	if err := checkFiles([]file{pluginFile(r)}, []file{{"json", *jsonOut, 0}}, nil); err != nil {
		return err
	}
	m, err := engine.ResolveCoarseMirror(r, *mirror)
	if err != nil {
		return err
	}
	var extra []oracle.Start
	if s := strings.TrimSpace(*starts); s != "" {
		for i, part := range strings.Split(s, ";") {
			J, err := parseVector("start", part, r.C(), r.Name)
			if err != nil {
				return err
			}
			extra = append(extra, oracle.Start{Name: fmt.Sprintf("-start %d", i+1), J: J})
		}
	}
	if err := oracle.CheckGauge(r); err != nil {
		return err
	}
	plaq := engine.NewBlocks(r, engine.WithKernels(kernelPath), engine.WithCoarseMirror(m))
	var blocks oracle.Divergence = plaq
	kernels := plaq.Kernels().Name()
	if geom.Name != geometry.PlaquetteName || geom.Shells > 1 {
		// any other block: the exact divergence of its geometry, in Go
		p, err := divergence.New(geom, r, m.Name)
		if err != nil {
			return err
		}
		if blocks, err = oracle.OnGeometry(p, plaq); err != nil {
			return err
		}
		kernels = "go " + p.MethodName()
	} else if s := engine.OracleSeconds(r.D, r.C()); s > 60 {
		fmt.Fprintf(os.Stderr, "rgflow oracle: note: the exact map of %s may take roughly %s (a rough estimate; Ctrl-C stops it)\n", r.Name, engine.FormatDuration(s))
	}
	o := oracle.NewContext(ctx, blocks)
	begin := time.Now()
	var progress func(string)
	if !*quiet {
		progress = func(s string) {
			fmt.Fprintf(os.Stderr, "rgflow oracle: %6.1fs %s\n", time.Since(begin).Seconds(), s)
		}
	}
	done := make(chan struct{})
	var an oracle.Analysis
	var aerr error
	go func() {
		defer close(done)
		an, aerr = o.Analyse(oracle.Options{Starts: extra, AxisTol: *axisTol, Progress: progress})
	}()
	select {
	case <-done:
	case <-ctx.Done():
		return fmt.Errorf("interrupted after %.0f s; nothing written (the exact map has no partial result)", time.Since(begin).Seconds())
	}
	if aerr != nil {
		return aerr
	}
	an.Seconds = time.Since(begin).Seconds()
	an.Kernels = kernels
	if blocks == oracle.Divergence(plaq) {
		an.KernelChoice = plaq.Kernels().ChoiceMap()
	}
	if *jsonOut != "" {
		if err := writeJSON(*jsonOut, an); err != nil {
			return err
		}
		if *jsonOut == "-" {
			return nil
		}
	}
	printAnalysis(stdout, an)
	return nil
}

// printAnalysis writes the oracle's answer as a table with its reading in
// words.
func printAnalysis(w io.Writer, an oracle.Analysis) {
	fmt.Fprintf(w, "%s (d=%d, c=%d), coarse mirror %s: exact variational map M(J) = argmin KL(J, ·), gauge group of order %d (%d orbit actions)\n",
		an.Rep, an.D, an.C, an.CoarseMirror, an.GaugeOrder, an.OrbitActions)
	if an.Block != geometry.PlaquetteName || an.Shells > 1 {
		fmt.Fprintf(w, "block %s: %d coarse sites, %d coupling shell(s); KL per coarse site\n", an.Block, an.CoarseSites, an.Shells)
	}
	if len(an.FixedPoints) == 0 {
		fmt.Fprintln(w, "no non-trivial fixed point found from the starts tried")
	} else {
		fmt.Fprintf(w, "%-3s %-8s %-9s %-9s %-9s %-8s %-8s %-6s %-9s %s\n", "#", "kind", "KL", "λ", "ν", "relevant", "Δ_1", "asym", "axis J_c", "J (canonical gauge)")
		for i, fp := range an.FixedPoints {
			kind := "minimum"
			if fp.Saddle {
				kind = "saddle"
			}
			d1 := math.NaN()
			if len(fp.ScalingDimensions) > 0 {
				d1 = fp.ScalingDimensions[0]
			}
			fmt.Fprintf(w, "%-3d %-8s %-9.5g %-9s %-9s %-8d %-8.4f %-6.3f %-9s %s\n", i, kind, fp.KL, fmtF(float64(fp.Lambda), "%.5f"), fmtF(float64(fp.Nu), "%.4f"),
				fp.Relevant, d1, fp.Asymmetry, fmtF(float64(fp.AxisJc), "%.5f"), oracle.FormatVector(fp.J))
		}
	}
	for _, line := range an.Reading() {
		fmt.Fprintln(w, line)
	}
	fmt.Fprintf(w, "%d KL Hessian evaluations, %.1f s\n", an.Evaluations, an.Seconds)
}

func fmtF(x float64, format string) string {
	if math.IsNaN(x) || math.IsInf(x, 0) {
		return "—"
	}
	return fmt.Sprintf(format, x)
}
