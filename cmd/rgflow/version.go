package main

import (
	"context"
	"fmt"
	"runtime"
	"runtime/debug"
	"strings"

	"rgflow/kernels"
)

func runVersion(ctx context.Context, args []string) error {
	if err := parse(newFlags("version"), args); err != nil {
		return err
	}
	v := "(devel)"
	if bi, ok := debug.ReadBuildInfo(); ok {
		for _, s := range bi.Settings {
			if s.Key == "vcs.revision" && len(s.Value) >= 12 {
				v = s.Value[:12]
			}
		}
	}
	fmt.Printf("rgflow %s, %s %s/%s\n", v, runtime.Version(), runtime.GOOS, runtime.GOARCH)
	fmt.Printf("cpu: %s\n", kernels.Features())
	fmt.Printf("kernels: enumeration %s, network products %s (available: %s; force with RGFLOW_KERNELS)\n",
		kernelPath.Name(), kernelPath.Dense().Name(), strings.Join(kernels.Available(), ", "))
	return nil
}
