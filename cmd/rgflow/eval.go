package main

import (
	"context"
	"encoding/json"
	"fmt"
	"os"
	"strconv"
	"strings"

	"rgflow/engine"
)

// parseVector reads "j1,j2,…" and checks its length against c.
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
		if err != nil {
			return nil, fmt.Errorf("-%s value %d (%q) is not a number", flagName, i+1, strings.TrimSpace(p))
		}
		v[i] = x
	}
	return v, nil
}

func runEval(ctx context.Context, args []string) error {
	fs := newFlags("eval")
	repName := fs.String("rep", "A1", repFlagHelp)
	Js := fs.String("J", "", "fine coupling vector, comma-separated")
	Jps := fs.String("Jp", "", "coarse coupling vector J′, comma-separated")
	asJSON := fs.Bool("json", false, "print a JSON object {kl, grad}")
	pluginDir := fs.String("plugins", "", "directory of representation plugins")
	if err := parse(fs, args); err != nil {
		return err
	}
	r, err := resolveRep(ctx, *repName, *pluginDir)
	if err != nil {
		return err
	}
	J, err := parseVector("J", *Js, r.C(), r.Name)
	if err != nil {
		return err
	}
	Jp, err := parseVector("Jp", *Jps, r.C(), r.Name)
	if err != nil {
		return err
	}
	b := engine.NewBlocks(r, engine.WithKernels(kernelPath))
	kl, grad := b.KL(J, Jp)
	if *asJSON {
		return json.NewEncoder(os.Stdout).Encode(struct {
			Rep     string    `json:"rep"`
			J       []float64 `json:"J"`
			Jp      []float64 `json:"Jp"`
			KL      float64   `json:"kl"`
			Grad    []float64 `json:"grad"`
			Kernels string    `json:"kernels"`
		}{r.Name, J, Jp, kl, grad, b.Kernels().Name()})
	}
	fmt.Printf("KL = %s\n", strconv.FormatFloat(kl, 'g', -1, 64))
	for a, g := range grad {
		fmt.Printf("dKL/dJ'[%d] = %s\n", a, strconv.FormatFloat(g, 'g', -1, 64))
	}
	return nil
}
