package main

import (
	"context"
	"errors"
	"fmt"
	"math"
	"strconv"
	"strings"

	"github.com/rgflow/rgflow/engine"
	"github.com/rgflow/rgflow/reps"
)

// parseVector reads "j1,j2,…" and checks its length against c and that
// every coupling is a finite number of at most engine.MaxCoupling in size
// (beyond it the KL is lost to rounding).
func parseVector(flagName, s string, c int, rep string) ([]float64, error) {
	if strings.TrimSpace(s) == "" {
		return nil, fmt.Errorf("-%s is required (%d comma-separated couplings for %s)", flagName, c, rep)
	}
	parts := strings.Split(s, ",")
	if len(parts) != c {
		return nil, fmt.Errorf("-%s has %d values but %s has c = %d couplings", flagName, len(parts), rep, c)
	}
	v := make([]float64, c)
	for i, p := range parts {
		x, err := strconv.ParseFloat(strings.TrimSpace(p), 64)
		switch {
		case err != nil && !errors.Is(err, strconv.ErrRange):
			return nil, fmt.Errorf("-%s value %d (%q) is not a number", flagName, i+1, strings.TrimSpace(p))
		case math.IsNaN(x) || math.IsInf(x, 0) || math.Abs(x) > engine.MaxCoupling:
			return nil, fmt.Errorf("-%s value %d (%s) must be a finite coupling of magnitude at most %g (beyond it the KL is lost to rounding)", flagName, i+1, strings.TrimSpace(p), float64(engine.MaxCoupling))
		}
		v[i] = x
	}
	return v, nil
}

// evalResult is rgflow eval's JSON (docs/formats.md).
type evalResult struct {
	Rep         string    `json:"rep"`
	Mirror      string    `json:"coarse_mirror"`
	Bonds       string    `json:"bonds"`
	Block       string    `json:"block"`
	CoarseSites int       `json:"coarse_sites"`
	Shells      int       `json:"shells"`
	J           []float64 `json:"J"`
	Jp          []float64 `json:"Jp"`
	KL          float64   `json:"kl"`
	Grad        []float64 `json:"grad"`
	Kernels     string    `json:"kernels"`
	// KernelChoice is the path of each kernel (kernels.Path.ChoiceMap).
	KernelChoice map[string]string `json:"kernel_choice"`
}

func runEval(ctx context.Context, args []string) error {
	fs := newFlags("eval")
	Js := fs.String("J", "", "fine coupling vector, comma-separated")
	Jps := fs.String("Jp", "", "coarse coupling vector J′, comma-separated")
	pf := addProblemFlags(fs, "the coarse block's mirror: "+engine.Mirrors.Help())
	bonds := fs.String("bonds", engine.BondsRotated, "the bond convention: "+engine.Bonds.Help())
	jsonOut := fs.String("json", "", jsonFlagHelp+": {rep, coarse_mirror, bonds, block, coarse_sites, shells, J, Jp, kl, grad, kernels, kernel_choice}")
	if err := parse(fs, legacyJSON("eval", args)); err != nil {
		return err
	}
	bc := engine.Config{Block: *pf.block, Shells: *pf.shells, Bonds: *bonds}
	if err := bc.CheckBlock(); err != nil {
		return fmt.Errorf("-%v", err)
	}
	r, m, geom, err := pf.resolve(ctx, *jsonOut)
	if err != nil {
		return err
	}
	if err := reps.ExactLimit("the exact KL", r.Name, r.D); err != nil {
		return err
	}
	if err := engine.CheckConventions(*bonds, m.Name); err != nil {
		return fmt.Errorf("-bonds, -coarse-mirror: %v", err)
	}
	pair, err := blockPair(r, m, *bonds, *pf.block, *pf.shells, geom)
	if err != nil {
		return err
	}
	c, what := pair.Couplings(), r.Name
	if pair.Shells() > 1 {
		what = fmt.Sprintf("%s with %d shells", r.Name, pair.Shells())
	}
	J, err := parseVector("J", *Js, c, what)
	if err != nil {
		return err
	}
	Jp, err := parseVector("Jp", *Jps, c, what)
	if err != nil {
		return err
	}
	var kl float64
	var grad []float64
	kernels := ""
	if b, ok := pair.(*engine.Blocks); ok {
		// summed configuration by configuration: KL's own form loses a KL
		// far below the couplings' size to rounding (negative at |J| = 10³)
		kl, grad, err = b.KLPrecise(ctx, J, Jp)
		kernels = b.Kernels().Name()
	} else {
		// any other block: its exact divergence in Go, per coarse site
		klv, g := make([]float64, 1), make([]float64, c)
		err = pair.KLBatchContext(ctx, J, Jp, klv, g, 0)
		kl, grad = klv[0], g
		p, _ := engine.GeometryPair(pair)
		kernels = "go " + p.MethodName()
	}
	if err != nil {
		return fmt.Errorf("interrupted; nothing written")
	}
	if *jsonOut != "" {
		err := writeJSON(*jsonOut, evalResult{r.Name, m.Name, *bonds, pair.BlockName(), pair.CoarseSites(), pair.Shells(), J, Jp, kl, grad, kernels, pair.Plaquette().Kernels().ChoiceMap()})
		if err != nil || *jsonOut == "-" {
			return err
		}
	}
	fmt.Fprintf(stdout, "KL = %s\n", strconv.FormatFloat(kl, 'g', -1, 64))
	for a, g := range grad {
		fmt.Fprintf(stdout, "dKL/dJ'[%d] = %s\n", a, strconv.FormatFloat(g, 'g', -1, 64))
	}
	return nil
}
