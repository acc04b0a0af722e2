//go:build amd64 && gc && !purego

package kernels

import (
	"math"
	"math/rand/v2"
	"testing"

	"github.com/rgflow/rgflow/kernels/internal/dispatch"
)

// TestEnumerateGeneralBlock runs the cases the exp-free AVX-512 block would
// take through the general one, so both stay covered.
func TestEnumerateGeneralBlock(t *testing.T) {
	if len(fastPaths()) == 0 {
		t.Skip("no assembly path on this CPU")
	}
	general := generalBlocks()
	rng := rand.New(rand.NewPCG(11, 12))
	for d := minFastD; d <= 4; d++ {
		for _, sym := range []bool{false, true} {
			tag := "D" + string(rune('0'+d))
			if sym {
				tag += "/sym"
			}
			checkEnumOn(t, tag+"/moderate", enumCase(rng, d, ampModerate, ampModerate, sym), general)
			checkEnumOn(t, tag+"/wild3", enumCase(rng, d, ampWild, ampWild3, sym), general)
		}
	}
}

// generalBlocks returns the fast paths with their exp-free block turned off.
func generalBlocks() []*impl {
	blocks := map[string]blockFunc{"avx512": enumBlockAVX512, "avx2": enumBlockAVX2}
	var out []*impl
	for _, p := range fastPaths() {
		block := blocks[p.name]
		out = append(out, &impl{
			name: p.name + "/general", available: true,
			enumerate: func(e *Enum) { enumerateBlocks(e, block, nil) },
		})
	}
	return out
}

// TestBuildFastRanges checks which tables the exp-free block accepts.
func TestBuildFastRanges(t *testing.T) {
	if !dispatch.CPU.AVX512Path() {
		t.Skip("no AVX-512")
	}
	rng := rand.New(rand.NewPCG(13, 14))
	accept := func(e *Enum) bool {
		ft := buildFast(e, expAVX512Go)
		if ft != nil {
			fastPool.Put(ft)
		}
		return ft != nil
	}
	if e := enumCase(rng, 3, ampWild, ampWild3, false); !accept(e) {
		t.Error("moderate tables (|x| ≤ 50) refused")
	}
	if e := enumCase(rng, 3, ampWild2, ampHuge, false); accept(e) {
		t.Error("fields of 1e3 accepted")
	}
	if e := enumCase(rng, 3, ampModerate, [Lanes]float64{1, 1, 1, 1, 1, 1e-3, 1, 1}, false); accept(e) {
		t.Error("a lane with fields ≤ 4e-3 accepted")
	}
	e := enumCase(rng, 3, ampModerate, ampModerate, false)
	e.Fine[2*64*Lanes+5] = 300 // table 2 spread > 200
	if accept(e) {
		t.Error("fine table spread > 200 accepted")
	}
	e = enumCase(rng, 3, ampModerate, ampModerate, false)
	e.LogZf[3] = -1000 // p would overflow
	if accept(e) {
		t.Error("LogZf far below the tables accepted")
	}
	e = enumCase(rng, 3, ampModerate, ampModerate, false)
	e.Field[17] = math.NaN()
	if accept(e) {
		t.Error("NaN field accepted")
	}
}

// TestVectorExp compares the vector exps behind the exp-free tables with
// math.Exp: AVX-512 over the whole range, AVX2 over [−708, 709], where its
// 2^k stays normal (outside it clamps).
func TestVectorExp(t *testing.T) {
	type vexp struct {
		name   string
		ok     bool
		f      func(dst, x []float64)
		lo, hi float64
	}
	for _, v := range []vexp{
		{"avx512", dispatch.CPU.AVX512Path(), expAVX512Go, math.Inf(-1), math.Inf(1)},
		{"avx2", dispatch.CPU.AVX2Path(), expAVX2Go, -708, 709},
	} {
		if !v.ok {
			continue
		}
		var x []float64
		for z := -800.0; z < 800; z += 0.0137 {
			x = append(x, z)
		}
		x = append(x, 0, math.Copysign(0, -1), 1e-300, -1e-300, 709.78, 709.79, -745.1, -745.2, -708.4, -708.3,
			-707.9, 708.9, -740, math.Inf(1), math.Inf(-1), math.NaN(), 1e300, -1e300)
		in := x[:0:0]
		for _, z := range x {
			if !(z < v.lo || z > v.hi) {
				in = append(in, z)
			}
		}
		for n := 0; n <= len(in); n += 1 + n/3 {
			got := make([]float64, n+2)
			got[n], got[n+1] = -7.25, -7.25
			v.f(got[:n], in[:n])
			if got[n] != -7.25 || got[n+1] != -7.25 {
				t.Fatalf("%s n = %d: wrote past the end", v.name, n)
			}
			for i := 0; i < n; i++ {
				want := math.Exp(in[i])
				// Both are within ~1 ulp of exp, so within ~2 ulp of each other;
				// subnormal results carry fewer bits: compare them absolutely.
				tol := 5e-16 * math.Abs(want)
				if math.Abs(want) < 0x1p-1022 {
					tol = 0x1p-1074
				}
				if !(math.Abs(got[i]-want) <= tol) && !(math.IsNaN(want) && math.IsNaN(got[i])) && got[i] != want {
					t.Fatalf("%s: exp(%.17g) = %.17g, math.Exp %.17g", v.name, in[i], got[i], want)
				}
			}
		}
	}
}
