// Package kernels holds rgflow's hot loops behind a small API. Every kernel
// has a pure-Go reference implementation named …Generic; faster
// implementations (assembly, chosen from cpuid at start) must agree with it.
// RGFLOW_KERNELS=generic|avx2|avx512 forces a path.
//
// Paths, fastest first:
//   - avx512 (AVX512F; kernels_avx512_amd64.s) and avx2 (AVX2 + FMA3;
//     kernels_avx2_amd64.s), built on amd64 with the gc toolchain unless
//     the purego tag is set (kernels_amd64.go registers them,
//     kernels_noasm.go is the complement);
//   - generic (generic.go), everywhere.
//
// The assembly paths evaluate exp, log1p and the quotients with their own
// range reductions and polynomials (no calls into package math), run the
// two inner loops of the enumeration in assembly and the two outer ones in
// Go (enum_amd64.go), and, when the tables are exactly symmetric under the
// global spin flip (the engine's are), enumerate half of the
// configurations. For D ≥ 3 and moderate tables (fields summing to at most
// 300 and not all below 0.1, fine tables spanning at most 200: the
// physical range) they use an exp-free block in which exp(−2φ) and
// exp(a − log Z_f) are products of precomputed per-site exponentials;
// other tables take the general block. Results agree with the generic
// twins to ~1e-15 relative, ~1e-14 with table entries of ~50 (tests
// require 1e-12 for Enumerate and 1e-13 for Tanh).
// Features describes the CPU for the CLI.
package kernels

import (
	"fmt"
	"os"

	"rgflow/kernels/dense"
	"rgflow/kernels/internal/dispatch"
)

// Lanes is the number of couplings one enumeration call handles at once,
// laid out structure-of-arrays (lane index fastest), so that a SIMD register
// holds the same quantity for Lanes different couplings.
const Lanes = 8

// Enum is one call of the enumeration kernel: a group of Lanes couplings of a
// block pair with D spins per site and S = 2^D states per site.
//
// Inputs (lane index fastest everywhere):
//   - Fine: the four fine-block edge tables, −F_f split by edge, as
//     Fine[((e*S+sa)*S+sb)*Lanes+l] for the site pairs
//     e = 0: (c0,c1), 1: (c1,c2), 2: (c2,c3), 3: (c0,c3).
//   - LogZf: log Z of the fine block, per lane.
//   - Field: the coarse block's per-site field tables, φ_k(v) = Σ_i U_i[s_i][k],
//     as Field[((i*S+s)*D+k)*Lanes+l].
//
// Outputs (overwritten):
//   - Sums[0*Lanes+l] = Σ_v p(v), Sums[1*Lanes+l] = Σ_v p(v) a(v),
//     Sums[2*Lanes+l] = Σ_v p(v) b(v), with a = −F_f, b = −F_c = Σ_k lc(φ_k)
//     and p(v) = exp(a(v) − LogZf).
//   - W[((i*S+s)*D+k)*Lanes+l] = Σ_{v: s_i = s} p(v) tanh(φ_k(v)).
type Enum struct {
	D     int
	Fine  []float64
	LogZf []float64
	Field []float64
	Sums  []float64
	W     []float64
}

// Check reports whether the slices have the sizes D asks for.
func (e *Enum) Check() error {
	if e.D < 1 || e.D > 8 {
		return fmt.Errorf("kernels: D = %d out of range", e.D)
	}
	S := 1 << e.D
	want := []struct {
		name string
		got  int
		n    int
	}{
		{"Fine", len(e.Fine), 4 * S * S * Lanes},
		{"LogZf", len(e.LogZf), Lanes},
		{"Field", len(e.Field), 4 * S * e.D * Lanes},
		{"Sums", len(e.Sums), 3 * Lanes},
		{"W", len(e.W), 4 * S * e.D * Lanes},
	}
	for _, w := range want {
		if w.got < w.n {
			return fmt.Errorf("kernels: %s has %d entries, need %d", w.name, w.got, w.n)
		}
	}
	return nil
}

// Enumerate runs the enumeration kernel of the selected path.
func Enumerate(e *Enum) { impl.enumerate(e) }

// Tanh sets dst[i] = tanh x[i].
func Tanh(dst, x []float64) { impl.tanh(dst[:len(x)], x) }

// path is one implementation of every kernel.
type path struct {
	name      string
	available func() bool
	enumerate func(*Enum)
	tanh      func(dst, x []float64)
}

var generic = path{
	name:      "generic",
	available: func() bool { return true },
	enumerate: EnumerateGeneric,
	tanh:      TanhGeneric,
}

// paths lists the implementations from fastest to slowest: the assembly
// paths of this build (archPaths, empty under purego or on other
// architectures) and then the generic one. It is built during package
// variable initialisation, so it is complete before init reads
// RGFLOW_KERNELS.
var paths = append(append([]path(nil), archPaths...), generic)

var impl = generic

func init() {
	if err := Use(os.Getenv("RGFLOW_KERNELS")); err != nil {
		fmt.Fprintln(os.Stderr, "rgflow:", err)
		os.Exit(2)
	}
}

// Use selects a path by name; "" picks the fastest one this CPU supports.
// Naming a path this CPU (or this build) lacks is an error. The network's
// matrix products (kernels/dense) follow the same choice, so that one name
// switches every hot loop, as RGFLOW_KERNELS does.
func Use(name string) error {
	p, err := dispatch.Choose(paths, name)
	if err != nil {
		return err
	}
	if err := dense.Use(name); err != nil {
		return err
	}
	impl = p
	return nil
}

// Path names the path in use.
func Path() string { return impl.name }

// Available lists the paths this CPU and build can run, fastest first.
func Available() []string { return dispatch.Names(paths) }

func (p path) Name() string    { return p.name }
func (p path) Available() bool { return p.available() }

// Features describes the CPU for the CLI: its brand and the features the
// paths use.
func Features() string { return dispatch.CPU.String() }
