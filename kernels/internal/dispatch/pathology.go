package dispatch

import "fmt"

// Pathology is a known case of a kernel's path being slower than a slower
// path's on some CPU models, for kernels whose paths give different bits
// and so cannot be chosen by timing: where it matches, the rule that
// chooses those kernels skips Avoid.
type Pathology struct {
	Vendor   string   // cpuid's vendor string: "AuthenticAMD", "GenuineIntel"
	Family   int      // as Features.Family
	Models   [][2]int // inclusive ranges of Features.Model
	Kernel   string   // the kernel (package kernels' name: "enumerate", "tanh", "gemm")
	Avoid    string   // the path not to use for it
	Evidence string   // the measurement that put it here
}

// Matches reports whether the CPU is one of p's models.
func (p Pathology) Matches(f Features) bool {
	if f.Vendor != p.Vendor || f.Family != p.Family {
		return false
	}
	for _, r := range p.Models {
		if f.Model >= r[0] && f.Model <= r[1] {
			return true
		}
	}
	return false
}

func (p Pathology) String() string {
	return fmt.Sprintf("%s on %s family %#x: %s", p.Avoid, p.Vendor, p.Family, p.Evidence)
}

// Pathologies is the table of known pathologies. It is empty: the one
// measured slowdown of a bit-changing kernel, single-row NT products on
// the avx2 path at 0.4–0.6× the generic loop on AMD Zen 3 (family 0x19,
// models 0x00–0x0f and 0x20–0x5f; issue 19, after its fix of the avx2
// Gibbs kernels), cannot be an entry: a row must get the same bits alone
// as in a batch, so the few-row products cannot leave the assembly paths
// while the batches, several times faster there, stay; the avx2 single-row
// kernel is to be made faster instead. Every other slowdown measured so
// far (the avx2 Gibbs kernels on Zen 3, fixed) was in kernels whose paths
// give the same bits, which the calibration chooses by timing. An entry
// names its evidence (the machine, the command and the numbers).
var Pathologies []Pathology
