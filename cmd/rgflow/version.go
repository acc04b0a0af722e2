package main

import (
	"context"
	"fmt"
	"io"
	"os"
	"runtime"
	"strings"
	"text/tabwriter"

	"github.com/rgflow/rgflow/internal/buildinfo"
	"github.com/rgflow/rgflow/kernels"
)

func runVersion(ctx context.Context, args []string) error {
	if err := parse(newFlags("version"), args); err != nil {
		return err
	}
	bi := buildinfo.Read()
	fmt.Printf("rgflow %s, commit %s, %s %s/%s\n", bi.Version, bi.CommitString(), runtime.Version(), runtime.GOOS, runtime.GOARCH)
	fmt.Printf("cpu: %s (%s)\n", kernels.Features(), kernels.CPUModel())
	fmt.Printf("kernels: %s (paths available: %s; RGFLOW_KERNELS=%s repeats this choice)\n",
		kernelPath.Name(), strings.Join(kernels.Available(), ", "), kernelPath.Name())
	printChoices(os.Stdout, kernelPath)
	return nil
}

// printChoices prints how each kernel of p was chosen: its path, why, and
// the calibration's timings (microseconds per call of its workload).
func printChoices(w io.Writer, p kernels.Path) {
	tw := tabwriter.NewWriter(w, 0, 0, 2, ' ', 0)
	fmt.Fprintln(tw, "  kernel\tpath\twhy\tbits\tcalibration (µs a call)")
	for _, c := range p.Choices() {
		bits := "same on every path"
		if !c.SameBits {
			bits = "differ by path"
			if strings.HasPrefix(c.Kernel, "gemm") {
				bits = "assembly ≠ generic"
			}
		}
		var ts []string
		for _, t := range c.Timings {
			ts = append(ts, fmt.Sprintf("%s %.3g", t.Path, t.Seconds*1e6))
		}
		why := c.Why
		if c.Note != "" {
			why += ", " + c.Note
		}
		fmt.Fprintf(tw, "  %s\t%s\t%s\t%s\t%s\n", c.Kernel, c.Path, why, bits, strings.Join(ts, ", "))
	}
	tw.Flush()
	cal := p.Calibration()
	switch {
	case !cal.Ran:
		fmt.Fprintln(w, "calibration: none (every kernel pinned, one path only, or nothing to choose)")
	case cal.Cached:
		fmt.Fprintf(w, "calibration: cached in %s (it took %.3g s of %s)\n", cal.File, cal.Seconds, cal.Clock)
	default:
		where := "not cached"
		if cal.File != "" {
			where = "cached in " + cal.File
		}
		fmt.Fprintf(w, "calibration: %.3g s of %s, %s\n", cal.Seconds, cal.Clock, where)
	}
	if cal.Err != "" {
		fmt.Fprintf(w, "calibration cache: %s\n", cal.Err)
	}
}
