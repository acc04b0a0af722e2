package main

import (
	"context"
	"fmt"
	"runtime"
	"strings"

	"rgflow/internal/buildinfo"
	"rgflow/kernels"
)

func runVersion(ctx context.Context, args []string) error {
	if err := parse(newFlags("version"), args); err != nil {
		return err
	}
	bi := buildinfo.Read()
	fmt.Printf("rgflow %s, commit %s, %s %s/%s\n", bi.Version, bi.CommitString(), runtime.Version(), runtime.GOOS, runtime.GOARCH)
	fmt.Printf("cpu: %s\n", kernels.Features())
	fmt.Printf("kernels: enumeration %s, network products %s (available: %s; force with RGFLOW_KERNELS)\n",
		kernelPath.Name(), kernelPath.Dense().Name(), strings.Join(kernels.Available(), ", "))
	return nil
}
