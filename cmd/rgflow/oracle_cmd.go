package main

import (
	"context"
	"encoding/json"
	"fmt"
	"os"

	"rgflow/engine"
)

func runOracle(ctx context.Context, args []string) error {
	fs := newFlags("oracle")
	repName := fs.String("rep", "A1", "representation (c = 1 only)")
	asJSON := fs.Bool("json", false, "print JSON")
	pluginDir := fs.String("plugins", "", "directory of representation plugins")
	if err := parse(fs, args); err != nil {
		return err
	}
	r, err := resolveRep(ctx, *repName, *pluginDir)
	if err != nil {
		return err
	}
	o, err := engine.NewOracle(engine.NewBlocks(r, engine.WithKernels(kernelPath)))
	if err != nil {
		return err
	}
	res, err := o.FixedPoint(0.3, 2)
	if err != nil {
		return err
	}
	if *asJSON {
		return json.NewEncoder(os.Stdout).Encode(res)
	}
	fmt.Printf("%s exact variational fixed point J* = %.10f (exact J_c = %.10f, bias %+.3f%%)\n", r.Name, res.Jstar, engine.JcExact, 100*(res.Jstar-engine.JcExact)/engine.JcExact)
	fmt.Printf("slope λ = dJ′*/dJ = %.8f, ν = ln√2/ln λ = %.6f, KL(J*, J*) = %.3e\n", res.Lambda, res.Nu, res.KL)
	return nil
}
