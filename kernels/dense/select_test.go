package dense

import (
	"math"
	"math/rand/v2"
	"strings"
	"testing"
)

// TestAssemblyPathsAgree checks what Select relies on: the assembly paths
// compute every product with the same bits (fused multiply-adds summed in
// order of p, in the same blocks of kBlock), for every case, both betas,
// tails of every width, k beyond kBlock and the few-row route.
func TestAssemblyPathsAgree(t *testing.T) {
	var asm []*path
	for _, p := range allPaths() {
		if p.kern != nil {
			asm = append(asm, p)
		}
	}
	if len(asm) < 2 {
		t.Skipf("fewer than two assembly paths on this CPU and build (%d): nothing to compare", len(asm))
	}
	rng := rand.New(rand.NewPCG(21, 22))
	shapes := [][3]int{{1, 80, 80}, {1, 5, 80}, {3, 160, 160}, {64, 80, 80}, {7, 13, 300}, {50, 1, 17}, {1, 1, 1}, {30, 23, 600}}
	for range 40 {
		shapes = append(shapes, [3]int{1 + rng.IntN(60), 1 + rng.IntN(70), 1 + rng.IntN(520)})
	}
	for _, s := range shapes {
		m, n, k := s[0], s[1], s[2]
		a, b := make([]float64, m*k), make([]float64, k*n)
		for i := range a {
			a[i] = rng.NormFloat64()
		}
		for i := range b {
			b[i] = rng.NormFloat64()
		}
		for _, cs := range cases {
			lda, ldb := k, n
			if cs.tA {
				lda = m
			}
			if cs.tB {
				ldb = k
			}
			for _, beta := range []float64{0, 1, 0.5} {
				c0 := make([]float64, m*n)
				for i := range c0 {
					c0[i] = rng.NormFloat64()
				}
				var ref []float64
				for _, p := range asm {
					c := append([]float64(nil), c0...)
					gemmWith(p, cs.tA, cs.tB, m, n, k, a, lda, b, ldb, beta, c, n)
					if ref == nil {
						ref = c
						continue
					}
					for i := range c {
						if math.Float64bits(c[i]) != math.Float64bits(ref[i]) {
							t.Fatalf("%s %dx%dx%d beta=%v: C[%d] = %v on %s, %v on %s", cs.name, m, n, k, beta, i, c[i], p.name, ref[i], asm[0].name)
						}
					}
				}
			}
		}
	}
}

// TestSelect checks that a selection runs each class on its path, is
// refused when it mixes the generic path with assembly ones, and names
// itself.
func TestSelect(t *testing.T) {
	avail := Available()
	var all [NumClasses]string
	for c := range all {
		all[c] = avail[0]
	}
	p, err := Select(all)
	if err != nil || p != Fastest() {
		t.Fatalf("Select(every class on %s) = %v, %v; want Fastest()", avail[0], p, err)
	}
	mixed := all
	mixed[ClassTN] = "nonsense"
	if _, err := Select(mixed); err == nil || !strings.Contains(err.Error(), "gemmTN") {
		t.Errorf("an unknown path for gemmTN gave %v", err)
	}
	if len(avail) < 2 {
		t.Skipf("one path on this CPU and build (%v): no selection to mix", avail)
	}
	mixed = all
	mixed[ClassNTFew] = "generic"
	if avail[0] != "generic" {
		if _, err := Select(mixed); err == nil || !strings.Contains(err.Error(), "gemmNTFew") {
			t.Errorf("generic few-row products beside %s batches gave %v; want a refusal naming the class", avail[0], err)
		}
	}
	if len(avail) < 3 {
		t.Skipf("one assembly path on this CPU and build (%v): no selection of two", avail)
	}
	two := all
	two[ClassNTFew] = avail[1]
	p, err = Select(two)
	if err != nil {
		t.Fatal(err)
	}
	if want := avail[0] + ",gemmNTFew=" + avail[1]; p.Name() != want {
		t.Errorf("Name() = %q, want %q", p.Name(), want)
	}
	for c := range NumClasses {
		if p.ClassPath(c) != two[c] {
			t.Errorf("%s runs on %s, want %s", c, p.ClassPath(c), two[c])
		}
	}
	// the routing: each class's shapes reach that class
	for _, s := range []struct {
		tA, tB  bool
		m, n, k int
		want    Class
	}{{false, true, 1, 80, 80, ClassNTFew}, {false, true, 64, 80, 80, ClassNT}, {true, false, 80, 80, 64, ClassTN}, {false, false, 64, 80, 80, ClassNN}, {false, true, 80, 5, 80, ClassNT}} {
		if got := ClassOf(s.tA, s.tB, s.m, s.n, s.k); got != s.want {
			t.Errorf("ClassOf(%v, %v, %d, %d, %d) = %s, want %s", s.tA, s.tB, s.m, s.n, s.k, got, s.want)
		}
	}
}
