package main

import (
	"context"
	"fmt"
	"io"
	"math"
	"os"
	"strings"
	"time"

	"github.com/rgflow/rgflow/engine"
	"github.com/rgflow/rgflow/engine/geometry"
	"github.com/rgflow/rgflow/engine/oracle"
	"github.com/rgflow/rgflow/internal/humanize"
	"github.com/rgflow/rgflow/reps"
)

func runOracle(ctx context.Context, args []string) error {
	fs := newFlags("oracle")
	pf := addProblemFlags(fs, "the coarse block's mirror: axis (the published convention) or diagonal (docs/conventions.md §12)")
	jsonOut := fs.String("json", "", jsonFlagHelp)
	starts := fs.String("start", "", `extra fixed-point starts, "j1,…,jc;j1,…,jc" (tried before the default ones)`)
	axisTol := fs.Float64("axis-tol", 1e-5, "bisection tolerance of the physical-axis critical coupling")
	quiet := fs.Bool("quiet", false, "no progress lines on stderr")
	if err := parse(fs, legacyJSON("oracle", args)); err != nil {
		return err
	}
	if !(*axisTol > 0 && *axisTol < 0.1) {
		return fmt.Errorf("-axis-tol must be between 0 and 0.1 (got %g)", *axisTol)
	}
	if !engine.IsPluginBlock(*pf.block) {
		if _, err := geometry.Parse(*pf.block, *pf.shells); err != nil {
			return fmt.Errorf("-block %s -shells %d: %w", *pf.block, *pf.shells, err)
		}
	}
	r, m, geom, err := pf.resolve(ctx, *jsonOut)
	if err != nil {
		return err
	}
	if err := reps.ExactLimit("the exact variational map", r.Name, r.D); err != nil {
		return err
	}
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
	blocks, err := blockPair(r, m, engine.BondsRotated, *pf.block, *pf.shells, geom)
	if err != nil {
		return err
	}
	kernels := blocks.Plaquette().Kernels().Name()
	if p, ok := engine.GeometryPair(blocks); ok {
		// any other block: the exact divergence of its geometry, in Go
		kernels = "go " + p.MethodName()
	} else if s := engine.OracleSeconds(r.D, r.C()); s > 60 {
		fmt.Fprintf(os.Stderr, "rgflow oracle: note: the exact map of %s may take roughly %s (a rough estimate; Ctrl-C stops it)\n", r.Name, humanize.Duration(s))
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
	if _, onGeometry := engine.GeometryPair(blocks); !onGeometry {
		an.KernelChoice = blocks.Plaquette().Kernels().ChoiceMap()
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
