// Package dispatch is what the packages under kernels/ share to choose,
// kernel by kernel, among their implementations ("paths"): one table of the
// CPU features the paths need, read once; the choice of a path by name; the
// start-up calibration (calibrate.go) and its cache (cache.go); and the table
// of known slow paths on some CPU models (pathology.go).
//
// kernels and kernels/dense name their paths alike (avx512, avx2, generic)
// and decide from the same table whether this CPU runs them, so a path is
// available to both or to neither. A path's name says which CPU features it
// needs, not that each of its kernels has code of its own: a path's table may
// hold a slower path's function (kernels/README.md, "Choosing the kernels").
package dispatch

import (
	"fmt"
	"slices"
	"strings"

	"github.com/klauspost/cpuid/v2"
)

// Features are the CPU features the kernel paths use. cpuid reports AVX
// and AVX-512 only when the OS also saves the wider registers (XGETBV), so
// a true field is all a path needs to know.
type Features struct {
	AVX, AVX2, FMA3             bool
	AVX512F, AVX512DQ, AVX512VL bool
	AVX512BW                    bool // word and byte lanes (the fused d = 3 fine chain)
	Brand, Vendor               string
	// Family, Model and Stepping are cpuid's (the extended family and
	// model folded in, as vendors' documents number them: AMD Zen 3 is
	// family 0x19); the table of known pathologies matches on them.
	Family, Model, Stepping int
}

// CPU is this machine's table, detected once when the program starts.
var CPU = detect()

func detect() Features {
	c := cpuid.CPU
	return Features{
		AVX: c.Supports(cpuid.AVX), AVX2: c.Supports(cpuid.AVX2), FMA3: c.Supports(cpuid.FMA3),
		AVX512F: c.Supports(cpuid.AVX512F), AVX512DQ: c.Supports(cpuid.AVX512DQ), AVX512VL: c.Supports(cpuid.AVX512VL),
		AVX512BW: c.Supports(cpuid.AVX512BW),
		Brand:    strings.TrimSpace(c.BrandName), Vendor: c.VendorString,
		Family: c.Family, Model: c.Model, Stepping: c.Stepping,
	}
}

// AVX2Path reports whether the CPU runs the avx2 paths (AVX2 and FMA3
// instructions on ymm registers).
func (f Features) AVX2Path() bool { return f.AVX && f.AVX2 && f.FMA3 }

// AVX512Path reports whether the CPU runs the avx512 paths. They use
// AVX512F instructions only (logic on doubles with VPORQ/VPXORQ/VPTERNLOGQ
// rather than the AVX512DQ VORPD family, masks moved with KMOVW).
func (f Features) AVX512Path() bool { return f.AVX512F }

// String is a short human-readable list of what the CPU offers that
// matters here, e.g.
// "Intel(R) Xeon(R) Processor (GenuineIntel); AVX2 FMA3 AVX512F AVX512DQ".
func (f Features) String() string {
	var flags []string
	for _, x := range []struct {
		name string
		ok   bool
	}{
		{"AVX", f.AVX}, {"AVX2", f.AVX2}, {"FMA3", f.FMA3},
		{"AVX512F", f.AVX512F}, {"AVX512DQ", f.AVX512DQ}, {"AVX512VL", f.AVX512VL}, {"AVX512BW", f.AVX512BW},
	} {
		if x.ok {
			flags = append(flags, x.name)
		}
	}
	if len(flags) == 0 {
		flags = append(flags, "no SIMD features used by rgflow")
	}
	brand := f.Brand
	if brand == "" {
		brand = "unknown CPU"
	}
	if f.Vendor != "" {
		brand += " (" + f.Vendor + ")"
	}
	return brand + "; " + strings.Join(flags, " ")
}

// ID names the CPU model as the pathology table and the calibration cache
// key it: "GenuineIntel family 0x6 model 0xa7 stepping 1".
func (f Features) ID() string {
	v := f.Vendor
	if v == "" {
		v = "unknown vendor"
	}
	return fmt.Sprintf("%s family %#x model %#x stepping %d", v, f.Family, f.Model, f.Stepping)
}

// Path is what dispatch needs to know of an implementation.
type Path interface {
	Name() string
	Available() bool // this CPU and build can run it
}

// Choose returns the path called want, or the first available one when want
// is "". Naming a path this CPU or build lacks, or an unknown one, is an
// error that lists the available paths.
func Choose[P Path](paths []P, want string) (P, error) {
	for _, p := range paths {
		if p.Available() && (want == "" || want == p.Name()) {
			return p, nil
		}
		if want == p.Name() {
			var zero P
			return zero, fmt.Errorf("kernel path %q is not supported on this CPU (available: %s)", want, strings.Join(Names(paths), ", "))
		}
	}
	var zero P
	if slices.Contains(allNames, want) {
		return zero, fmt.Errorf("kernel path %q is not in this build (a purego build, or not amd64; available: %s)", want, strings.Join(Names(paths), ", "))
	}
	return zero, fmt.Errorf("unknown kernel path %q (available: %s)", want, strings.Join(Names(paths), ", "))
}

// allNames are the paths of every build, fastest first: kernels and
// kernels/dense list the subset their build has.
var allNames = []string{"avx512", "avx2", "generic"}

// Names lists the available paths, fastest first.
func Names[P Path](paths []P) []string {
	var out []string
	for _, p := range paths {
		if p.Available() {
			out = append(out, p.Name())
		}
	}
	return out
}
