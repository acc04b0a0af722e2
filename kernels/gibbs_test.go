package kernels

import (
	"math/bits"
	"math/rand/v2"
	"testing"
)

// SplitMix64 seeded with 0 starts 0xe220a8397b1dcdaf, 0x6e789e6aa1b965f4,
// 0x06c45d188009454f (the published reference sequence).
func TestRandIsSplitMix64(t *testing.T) {
	want := []uint64{0xe220a8397b1dcdaf, 0x6e789e6aa1b965f4, 0x06c45d188009454f}
	for i, w := range want {
		if got := Rand(0, uint64(i)); got != w {
			t.Errorf("Rand(0, %d) = %#x, want %#x", i, got, w)
		}
	}
	dst := make([]uint64, 37)
	RandFill(dst, 0xdeadbeef, Sub(3, 2)+5)
	for i, v := range dst {
		if w := Rand(0xdeadbeef, Sub(3, 2)+5+uint64(i)); v != w {
			t.Fatalf("RandFill[%d] = %#x, want Rand = %#x", i, v, w)
		}
	}
	if Sub(1, 0) == Sub(0, 7) || Sub(0, 1)-Sub(0, 0) != 1<<32 {
		t.Fatal("sub-streams overlap")
	}
}

// The phases of the stream layout never share a sub-stream, and every site
// fits Sub's three bits.
func TestStreamLayout(t *testing.T) {
	for kFine := 1; kFine <= 40; kFine++ {
		seen := map[int]string{StartPhase: "start"}
		use := func(ph int, what string) {
			if prev, ok := seen[ph]; ok {
				t.Fatalf("k_fine %d: phase %d is both %s and %s", kFine, ph, prev, what)
			}
			seen[ph] = what
		}
		for s := 0; s < kFine; s++ {
			use(FinePhase(s), "fine hidden")
			use(FinePhase(s)+1, "fine corners")
		}
		for s := 0; s < 8; s++ {
			use(CoarsePhase(kFine, s), "coarse centre")
			use(CoarsePhase(kFine, s)+1, "coarse corners")
		}
	}
	if CentreSite < 4 || CentreSite+1 >= 8 {
		t.Fatalf("CentreSite %d collides with the corner sites or overflows Sub's site bits", CentreSite)
	}
}

// half returns the 32-bit uniform of draw n of a stream at base.
func half(key, base uint64, n int) uint32 {
	return uint32(Rand(key, base+uint64(n/2)) >> (32 * (n & 1)))
}

// linearState is the inverse-CDF draw by counting, the definition that the
// binary searches must reproduce.
func linearState(row []uint32, u uint32) uint8 {
	s := uint8(0)
	for _, t := range row[:len(row)-1] {
		if t <= u {
			s++
		}
	}
	return s
}

// catTable returns rows of sorted thresholds with ties, zeros and
// saturated entries mixed in, as tables of near-deterministic conditionals
// have.
func catTable(rng *rand.Rand, rows, S int) []uint32 {
	tab := make([]uint32, rows*S)
	for r := 0; r < rows; r++ {
		row := tab[r*S : (r+1)*S]
		for j := range row[:S-1] {
			switch rng.IntN(6) {
			case 0:
				row[j] = 0
			case 1:
				row[j] = ^uint32(0)
			case 2:
				if j > 0 {
					row[j] = row[j-1]
					continue
				}
				fallthrough
			default:
				row[j] = rng.Uint32()
			}
		}
		for i := 1; i < S-1; i++ {
			for j := i; j > 0 && row[j] < row[j-1]; j-- {
				row[j], row[j-1] = row[j-1], row[j]
			}
		}
		row[S-1] = ^uint32(0)
	}
	return tab
}

func TestCatPairAndCatOne(t *testing.T) {
	rng := rand.New(rand.NewPCG(3, 4))
	for d := 1; d <= 5; d++ {
		S := 1 << d
		for _, N := range []int{0, 1, 2, 7, 64, 301} {
			pair := catTable(rng, S*S, S)
			one := catTable(rng, S, S)
			a, b := make([]uint8, N), make([]uint8, N)
			for n := range a {
				a[n], b[n] = uint8(rng.IntN(S)), uint8(rng.IntN(S))
			}
			key, base := rng.Uint64(), Sub(rng.IntN(100), rng.IntN(8))
			got := make([]uint8, N)
			CatPair(got, a, b, pair, d, key, base)
			for n := range got {
				row := (int(a[n])*S + int(b[n])) * S
				if w := linearState(pair[row:row+S], half(key, base, n)); got[n] != w {
					t.Fatalf("d=%d N=%d: CatPair draw %d = %d, want %d", d, N, n, got[n], w)
				}
			}
			CatOne(got, a, one, d, key, base)
			for n := range got {
				row := int(a[n]) * S
				if w := linearState(one[row:row+S], half(key, base, n)); got[n] != w {
					t.Fatalf("d=%d N=%d: CatOne draw %d = %d, want %d", d, N, n, got[n], w)
				}
			}
			UniformStates(got, d, key, base)
			for n := range got {
				if w := uint8(half(key, base, n)) & uint8(S-1); got[n] != w {
					t.Fatalf("d=%d N=%d: UniformStates[%d] = %d, want %d", d, N, n, got[n], w)
				}
			}
		}
	}
}

func TestBernStates(t *testing.T) {
	rng := rand.New(rand.NewPCG(5, 6))
	for d := 1; d <= 4; d++ {
		const N = 50
		q := make([]float64, N*d)
		for i := range q {
			q[i] = []float64{0, 1, 0.5, rng.Float64()}[rng.IntN(4)]
		}
		got := make([]uint8, N)
		BernStates(got, q, d, 77, Sub(9, 4))
		for n := range got {
			want := uint8(0)
			for k := 0; k < d; k++ {
				u := float64(Rand(77, Sub(9, 4)+uint64(n*d+k))>>11) * 0x1p-53
				if u >= q[n*d+k] {
					want |= 1 << k
				}
			}
			if got[n] != want {
				t.Fatalf("d=%d: BernStates[%d] = %b, want %b", d, n, got[n], want)
			}
		}
	}
}

// BernWord must equal the full comparison of each lane's 64-bit uniform
// (bit l of words ctr…ctr+63, most significant first) with p: stopping
// early may not change any lane.
func TestBernWordIsExactComparison(t *testing.T) {
	rng := rand.New(rand.NewPCG(7, 8))
	ps := []uint64{0, 1, 1 << 63, 1<<63 + 1, ^uint64(0), 1 << 40, 3 << 58}
	for i := 0; i < 200; i++ {
		ps = append(ps, rng.Uint64(), rng.Uint64()>>rng.IntN(64))
	}
	for _, p := range ps {
		key, ctr := rng.Uint64(), rng.Uint64()>>8
		var words [64]uint64
		for r := range words {
			words[r] = Rand(key, ctr+uint64(r))
		}
		want := uint64(0)
		for l := 0; l < 64; l++ {
			u := uint64(0)
			for r := 0; r < 64; r++ {
				u = u<<1 | words[r]>>l&1
			}
			if u < p {
				want |= 1 << l
			}
		}
		if got := BernWord(p, key, ctr); got != want {
			t.Fatalf("BernWord(%#x) = %#x, want %#x", p, got, want)
		}
	}
}

func TestBernWordRate(t *testing.T) {
	for _, p := range []float64{0.5, 0.04, 0.9} {
		P := uint64(p * 0x1p64)
		ones := 0
		const words = 4000
		for w := 0; w < words; w++ {
			ones += bits.OnesCount64(BernWord(P, 11, uint64(w)*128))
		}
		n := float64(64 * words)
		mean := float64(ones) / n
		variance := p * (1 - p) / n
		if d := mean - p; d*d > 25*variance {
			t.Errorf("p = %v: rate %v (σ² = %v)", p, mean, variance)
		}
	}
}

func TestCountConfigs(t *testing.T) {
	rng := rand.New(rand.NewPCG(9, 10))
	const W = 5
	var c [4][]uint64
	for i := range c {
		c[i] = make([]uint64, W)
		for w := range c[i] {
			c[i][w] = rng.Uint64()
		}
	}
	mask := []uint64{^uint64(0), 0, 0xf0f0, ^uint64(0), 1}
	var got, want [16]int
	CountConfigs(&got, c, mask)
	for w := 0; w < W; w++ {
		for l := 0; l < 64; l++ {
			if mask[w]>>l&1 == 0 {
				continue
			}
			x := 0
			for i := 0; i < 4; i++ {
				x = x<<1 | int(c[i][w]>>l&1)
			}
			want[x]++
		}
	}
	if got != want {
		t.Fatalf("CountConfigs = %v, want %v", got, want)
	}
}

// With PFlip = 0 a site copies its neighbours whenever they agree, so the
// two ordered configurations are absorbing; with PFlip = 1 sites copy the
// opposite spin, so an ordered configuration alternates on the hidden
// sites and returns on the corners.
func TestFineChainBitsLimits(t *testing.T) {
	for _, p := range []uint64{0, ^uint64(0)} {
		f := FineBits{Steps: 5, PFlip: p, Key: 1}
		start := []uint64{0, ^uint64(0), 0xff00ff00ff00ff00}
		for i := range f.C {
			f.C[i] = append([]uint64(nil), start...)
		}
		FineChainBits(&f)
		for i := range f.C {
			for w := range start {
				if f.C[i][w] != start[w] {
					t.Fatalf("PFlip %#x: corner %d word %d = %#x, want %#x", p, i, w, f.C[i][w], start[w])
				}
			}
		}
	}
}
