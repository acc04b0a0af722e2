package kernels

// The counter-based random stream of the Gibbs sampler and its layout
// (gibbs.go).

// Gamma is SplitMix64's increment, 2^64/φ rounded to odd.
const Gamma = 0x9e3779b97f4a7c15

// The multipliers of Stafford's mix13, SplitMix64's output function.
const (
	mix64M1 = 0xbf58476d1ce4e5b9
	mix64M2 = 0x94d049bb133111eb
)

// Mix64 is SplitMix64's output function (Stafford's mix13).
func Mix64(z uint64) uint64 {
	z = (z ^ (z >> 30)) * mix64M1
	z = (z ^ (z >> 27)) * mix64M2
	return z ^ (z >> 31)
}

// Rand returns word i of the stream keyed by key.
func Rand(key, i uint64) uint64 { return Mix64(key + (i+1)*Gamma) }

// Sub is the first position of sub-stream (phase, site) (see the stream
// layout in gibbs.go): phase in the high 29 bits of the counter's upper
// half, site (< 8) in its low 3 bits.
func Sub(phase, site int) uint64 { return uint64(phase)<<35 | uint64(site)<<32 }

// StartPhase is the phase of the chains' uniform start (see the stream
// layout in gibbs.go).
const StartPhase = 0

// FinePhase is the phase of the hidden sites of fine step t; its corners
// use the next one.
func FinePhase(t int) int { return 1 + 2*t }

// CoarsePhase is the phase of the centre in coarse step t after kFine fine
// steps; its corners use the next one.
func CoarsePhase(kFine, t int) int { return FinePhase(kFine) + 2*t }

// CentreSite is the sub-stream site of the coarse block's centre (sites
// 0–3 are the four corners or the four hidden edge sites).
const CentreSite = 4

// RandFill sets dst[i] = Rand(key, base+i).
func RandFill(dst []uint64, key, base uint64) {
	x := key + base*Gamma
	for i := range dst {
		x += Gamma
		dst[i] = Mix64(x)
	}
}
