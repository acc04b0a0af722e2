package kernels

// Block Gibbs sampling for the contrastive divergence (docs/conventions.md §8):
// the random stream of a trajectory and the draws that read it. The engine
// builds the conditional tables and runs the chains (engine/gibbs.go).
//
// Random numbers. Every random word is addressed, not drawn from a running
// state: word number i of the stream with key K is
//
//	Rand(K, i) = Mix64(K + (i+1)·Gamma),
//
// which is SplitMix64 (Steele, Lea & Flood 2014; passes BigCrush) seeded
// with K, read at position i. Each CD trajectory has its own key (the
// engine's cdKey of seed, epoch and trajectory), so a draw's random bits
// depend only on where it is in the computation — never on how many
// goroutines ran, how many words an earlier lazy Bernoulli comparison
// happened to consume, or how a vectorised twin of a kernel orders its
// work: the assembly twins compute many words of the stream at once, one
// per SIMD lane, and draw exactly what the pure-Go twins draw.
//
// Stream layout, the one description of it. The 64-bit position is split
// in two: its high 32 bits name a sub-stream Sub(phase, site), its low 32
// bits index words within it. The phases of a trajectory are
//
//	StartPhase            the uniform start: corners, sites 0–3
//	FinePhase(t)          fine step t: hidden edge sites e = 0–3
//	FinePhase(t)+1        fine step t: corners i = 0–3
//	CoarsePhase(k, t)     coarse step t after k fine steps: the centre,
//	                      site CentreSite (and CentreSite+1, below)
//	CoarsePhase(k, t)+1   coarse step t: corners i = 0–3
//
// and within a sub-stream the kernels read
//   - UniformStates, CatPair, CatOne: draw n from the 32-bit half n&1 (low
//     half first) of word n/2;
//   - CentreStates: spin k of site n from word n·d + k;
//   - FineChainBits, CoarseStepBits (64 chains a word, d = 1): plane word w
//     from words w·128 + (0…63) for a Bernoulli word (BernWord) and word
//     w·128 + 64 for a fair coin; the coarse centre takes its P4 word and
//     coin from site CentreSite and its P2 word from CentreSite+1.
//
// Categorical draws. A site state (all d spins at once) is drawn with one
// 32-bit uniform u by inverse CDF over the S = 2^d states. A table has R
// rows (one per state of the neighbours the site is conditioned on) and is
// stored threshold-major, CatTableLen(R, d) entries:
//
//	tab[j·R + r] = round(2^32 · P(state ≤ j | row r)),  j < S−1,
//
// saturated at 2^32−1 (the last cumulative probability, 1, needs no
// entry). The state is #{j < S−1 : tab[j·R + r] ≤ u}; the pure-Go twins
// find it by a branchless binary search, the assembly twins by comparing
// every threshold (d ≤ 3 on AVX-512, tables looked up with VPERMT2D) or by
// a binary search with gathers (larger d, and AVX2), which give the same
// count because a row's thresholds are non-decreasing.
//
// Per-spin draws (ProdPair), for d ≥ ProdMinD. A site's spins are
// independent given its neighbours, so instead of one categorical draw
// over 2^d states each spin is drawn on its own: with the field
// f = fa_k(s_a) + fb_k(s_b) on spin k, P(spin_k = +1) = σ(2f) = 1/(1 + w),
// w = EA_k[s_a]·EB_k[s_b], EA_k[s] = e^{−2 fa_k(s)} — tables of 2^d·d
// factors instead of 2^{2d}·(2^d − 1) thresholds. Spin k of draw n reads the
// 32-bit half k&1 of word n·⌈d/2⌉ + k/2 as an integer U and is −1 (state
// bit k set) unless U + U·w < 2^32 in float64 (U exact, then the product
// and the sum each rounded).
//
// The statistics of the contrastive divergence (LcTanh, CentreStates) and
// the tables' sigmoids (SigmoidPairs) are computed with one exponential,
// negExp, whose every operation the assembly twins repeat in the same
// order (no fused multiply-adds), so that the samples and the statistics
// come out with the same bits on every path: CentreStates compares a
// uniform with (1 + tanh φ)/2, and a table's thresholds decide every draw.
//
// Kernels with an assembly twin are Path methods whose pure-Go reference is
// named …Generic (CatPairGeneric, CatOneGeneric, CentreStatesGeneric,
// FineChainBitsGeneric, CDStatsGeneric, CornerSumsGeneric, LcTanhGeneric,
// UniformStatesGeneric,
// SigmoidPairsGeneric, CatRowsGeneric, ProdPairGeneric); the others
// (Rand, RandFill, BernWord, CoarseStepBits, CountConfigs)
// are the only implementation.
//
// The files: gibbs_stream.go (the stream), gibbs_draws.go (the draws),
// gibbs_tables.go (the conditional tables' rows), gibbs_stats.go (the
// statistics), gibbs_negexp.go (their exponential), gibbs_chain.go (the
// fine chain on byte states), gibbs_bits.go (the bit-sliced d = 1 chains);
// gibbs_asm.go runs the assembly twins that gibbs_amd64.go declares.
