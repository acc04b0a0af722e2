//go:build amd64 && gc && !purego

package kernels

// The declarations of the Gibbs kernels' assembly (gibbs_avx512_amd64.s,
// gibbs_avx2_amd64.s), each with the pure-Go twin it computes;
// gibbs_asm.go holds the paths' tables and the wrappers.

// fineBitsAVX2 is fineChainBitsWords (FineChainBitsGeneric) on words 0 …
// 4·nblk−1 of the planes, 4 words a ymm.
//
//go:noescape
func fineBitsAVX2(c0, c1, c2, c3 *uint64, nblk, steps int, p, key uint64)

// catAVX2 is CatPairGeneric (shift d) or CatOneGeneric (a = b, shift 0) on n
// sites, n a multiple of 8, by a binary search with gathers.
//
//go:noescape
func catAVX2(dst, a, b *uint8, n int, tab *uint32, logR, d, shift int, key, base uint64)

// prodAVX2 is ProdPairGeneric on n sites, n a multiple of 4, the factors
// gathered.
//
//go:noescape
func prodAVX2(dst, a, b *uint8, n int, ea, eb *float64, d int, key, base uint64)

// prodRowsAVX2 is ProdPairGeneric for d = 3, 4 (m = 2^d − 1) on n sites, n
// even, from the factor rows of prodRows.
//
//go:noescape
func prodRowsAVX2(dst, a, b *uint8, n int, ear, ebr *float64, m int, key, base uint64)

// centreAVX2 is centreStates (CentreStatesGeneric) on sites 0 … n−1 of N, n
// a multiple of 4.
//
//go:noescape
func centreAVX2(dst *uint8, th *float64, n, N, d int, key, base uint64)

// lcTanhAVX2 is LcTanhGeneric on n elements, n a multiple of 8.
//
//go:noescape
func lcTanhAVX2(th, x *float64, n int, abs, prod *float64)

// sigmoidAVX2 is SigmoidPairsGeneric on n elements, n a multiple of 4.
//
//go:noescape
func sigmoidAVX2(plus, minus, x *float64, n int)

// catRows2AVX2 is catRowsFrom (CatRowsGeneric) for d = 2 on rows 0 … n−1 of
// R, n a multiple of 4.
//
//go:noescape
func catRows2AVX2(tab *uint32, plus, minus *float64, R, n int)

// catRows3AVX2 is catRowsFrom (CatRowsGeneric) for d = 3 on rows 0 … n−1 of
// R, n a multiple of 4.
//
//go:noescape
func catRows3AVX2(tab *uint32, plus, minus *float64, R, n int)

// catRows4AVX2 is catRowsFrom (CatRowsGeneric) for d = 4 on rows 0 … n−1 of
// R, n a multiple of 4.
//
//go:noescape
func catRows4AVX2(tab *uint32, plus, minus *float64, R, n int)

// cornerSumsAVX2 is CornerSumsGeneric (sub = 1: sign −1) for 2 ≤ d ≤ 4 on
// samples 0 … n−1 of N, n a multiple of 4, the sums in acc's layout
// (cornerSumsAVX2Go).
//
//go:noescape
func cornerSumsAVX2(acc *float64, c *[4]*uint8, th *float64, n, N, d, sub int)

// cdFieldsAVX2 is cdFieldsFrom's loop (CDStatsGeneric's fields) for d ≤ 4 on
// samples 0 … n−1 of N, n a multiple of 4, from ut's rows (cdStatsAVX2Go).
//
//go:noescape
func cdFieldsAVX2(phi *float64, c *[4]*uint8, ut *float64, n, N, d int)

// uniformAVX2 is UniformStatesGeneric (mask = 2^d − 1) on n draws, n a
// multiple of 16.
//
//go:noescape
func uniformAVX2(dst *uint8, n int, mask uint32, key, base uint64)

// catPrepAVX2 is catBytes.prep's byte table for R ∈ {8, 16, 64} rows and nt
// thresholds (the Go loop in prep does R ≤ 4).
//
//go:noescape
func catPrepAVX2(ptab *byte, tab *uint32, R, nt int)

// catByteAVX2 is CatPairGeneric (desc's shift d) or CatOneGeneric (shift 0)
// on n sites, n a multiple of 32, for tables of at most 64 rows by the byte
// look-ups of catBytes.
//
//go:noescape
func catByteAVX2(dst, a, b *uint8, n int, ptab *byte, tab *uint32, desc *[5]int, key, base uint64)

// fineBitsAVX512 is fineChainBitsWords (FineChainBitsGeneric) on words 0 …
// 8·nblk−1 of the planes, 8 words a zmm.
//
//go:noescape
func fineBitsAVX512(c0, c1, c2, c3 *uint64, nblk, steps int, p, key uint64)

// fineChain3AVX512 is fineChainRange(f, 0, n, CatPairGeneric)
// (FineChainGeneric) for d = 3 and n a multiple of 32, desc holding each
// site's destination, neighbours and table (fineChainAVX512); it needs
// AVX512BW.
//
//go:noescape
func fineChain3AVX512(desc *[32]uintptr, n, steps int, key uint64)

// uniformAVX512 is UniformStatesGeneric (mask = 2^d − 1) on n draws, n a
// multiple of 16.
//
//go:noescape
func uniformAVX512(dst *uint8, n int, mask uint32, key, base uint64)

// cornerSums3AVX512 is CornerSumsGeneric (sub = 1: sign −1) for d = 3 on
// samples 0 … n−1 of N, the 8 states of one spin in a zmm.
//
//go:noescape
func cornerSums3AVX512(w *float64, c *[4]*uint8, th *float64, n, N, sub int)

// prodAVX512 is ProdPairGeneric for d ≥ 3 on n sites, n a multiple of 8, the
// factors looked up by VPERMPD (mode 0, S = 8), VPERMT2PD (mode 1, S = 16)
// or gathered (mode 2).
//
//go:noescape
func prodAVX512(dst, a, b *uint8, n int, ea, eb *float64, d, mode int, key, base uint64)

// catPermAVX512 is CatPairGeneric (shift d) or CatOneGeneric (shift 0) on n
// sites, n a multiple of 16, for tables of R = 16 (padded) or 64 rows, every
// threshold looked up by permutes.
//
//go:noescape
func catPermAVX512(dst, a, b *uint8, n int, tab *uint32, R, nt, shift int, key, base uint64)

// catGatherAVX512 is CatPairGeneric (shift d) or CatOneGeneric (shift 0) on
// n sites, n a multiple of 16, by a binary search with gathers (tables of
// 2^logR rows).
//
//go:noescape
func catGatherAVX512(dst, a, b *uint8, n int, tab *uint32, logR, d, shift int, key, base uint64)

// centreAVX512 is centreStates (CentreStatesGeneric) on sites 0 … n−1 of N,
// n a multiple of 8.
//
//go:noescape
func centreAVX512(dst *uint8, th *float64, n, N, d int, key, base uint64)

// cdStatsAVX512 is CDStatsGeneric fused for d ≤ 4 and n a multiple of 8
// samples in one chunk of lcTanhInto: the fields from ut's rows (wide: S =
// 16), then LcTanhGeneric's loop into abs and prod.
//
//go:noescape
func cdStatsAVX512(th, phi *float64, c0, c1, c2, c3 *uint8, ut *float64, n, d, wide int, abs, prod *float64)

// lcTanhAVX512 is LcTanhGeneric on n elements, n a multiple of 8.
//
//go:noescape
func lcTanhAVX512(th, x *float64, n int, abs, prod *float64)

// sigmoidAVX512 is SigmoidPairsGeneric on n elements, n a multiple of 8.
//
//go:noescape
func sigmoidAVX512(plus, minus, x *float64, n int)

// catRows2AVX512 is CatRowsGeneric for d = 2, R a multiple of 8.
//
//go:noescape
func catRows2AVX512(tab *uint32, plus, minus *float64, R int)

// catRows3AVX512 is CatRowsGeneric for d = 3, R a multiple of 8.
//
//go:noescape
func catRows3AVX512(tab *uint32, plus, minus *float64, R int)

// catRows4AVX512 is CatRowsGeneric for d = 4, R a multiple of 8.
//
//go:noescape
func catRows4AVX512(tab *uint32, plus, minus *float64, R int)
