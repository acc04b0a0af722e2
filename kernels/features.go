package kernels

import (
	"strings"

	"github.com/klauspost/cpuid/v2"
)

// Features returns a short human-readable list of what the CPU offers that
// matters for the kernel paths, e.g.
// "Intel(R) Xeon(R) Processor (GenuineIntel); AVX2 FMA3 AVX512F AVX512DQ".
// cpuid reports AVX and AVX-512 only when the OS saves their registers too.
func Features() string {
	c := cpuid.CPU
	var flags []string
	for _, f := range []struct {
		name string
		id   cpuid.FeatureID
	}{
		{"AVX", cpuid.AVX},
		{"AVX2", cpuid.AVX2},
		{"FMA3", cpuid.FMA3},
		{"AVX512F", cpuid.AVX512F},
		{"AVX512DQ", cpuid.AVX512DQ},
		{"AVX512VL", cpuid.AVX512VL},
	} {
		if c.Supports(f.id) {
			flags = append(flags, f.name)
		}
	}
	if len(flags) == 0 {
		flags = append(flags, "no SIMD features used by rgflow")
	}
	brand := strings.TrimSpace(c.BrandName)
	if brand == "" {
		brand = "unknown CPU"
	}
	if c.VendorString != "" {
		brand += " (" + c.VendorString + ")"
	}
	return brand + "; " + strings.Join(flags, " ")
}
