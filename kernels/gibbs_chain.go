package kernels

// The fine block's chain on byte states (FineChain): all sites of a step
// at once, by categorical or per-spin draws.

// FineChain is the table sampler's fine-block chain: Steps block-Gibbs
// steps on byte states, all sites of one step at once. The block's
// topology is FineBits': hidden site e0 sits between corners (c0, c1), e1
// between (c1, c2), e2 (c2, c3), e3 (c0, c3); so corner c0 has the hidden
// neighbours (e0, e3), c1 (e0, e1), c2 (e1, e2), c3 (e2, e3). Hid[e] is the
// pair table (CatPair) of hidden site e given its two corners in that
// order, Cor[i] that of corner i given its two hidden neighbours. Step t
// draws e0…e3 from the sub-streams Sub(FinePhase(t), e), then c0…c3 from
// Sub(FinePhase(t)+1, i) (see the stream layout in gibbs.go).
//
// For D ≥ ProdMinD the sites are drawn spin by spin (ProdPair) instead:
// HidA[e], HidB[e] are the factor tables of hidden site e's two corners
// (in fineHidden's order), CorA[i], CorB[i] those of corner i's two
// hidden neighbours, and Hid, Cor are not read.
type FineChain struct {
	D                      int
	C, H                   [4][]uint8 // corner and hidden states, N samples each
	Hid, Cor               [4][]uint32
	HidA, HidB, CorA, CorB [4][]float64
	Steps                  int
	Key                    uint64
}

// fineHidden and fineCorner are the chain's topology: the two corners of
// each hidden site, the two hidden neighbours of each corner.
var (
	fineHidden = [4][2]int{{0, 1}, {1, 2}, {2, 3}, {0, 3}}
	fineCorner = [4][2]int{{0, 3}, {0, 1}, {1, 2}, {2, 3}}
)

// FineChain runs f.Steps steps of the fine chain on f.C and f.H in place.
func (p Path) FineChain(f *FineChain) {
	N := len(f.C[0])
	for i := range 4 {
		if len(f.C[i]) != N || len(f.H[i]) != N {
			panic("kernels: FineChain states of different lengths")
		}
	}
	p.get().fineChain(f)
}

// FineChainGeneric is FineChain's reference.
func FineChainGeneric(f *FineChain) {
	if f.D >= ProdMinD {
		fineChainProd(f, ProdPairGeneric)
		return
	}
	fineChainRange(f, 0, len(f.C[0]), CatPairGeneric)
}

// fineChainProd runs the chain spin by spin, drawing with prod.
func fineChainProd(f *FineChain, prod func(dst, a, b []uint8, ea, eb []float64, d int, key, base uint64)) {
	for t := 0; t < f.Steps; t++ {
		ph := FinePhase(t)
		for e, nb := range fineHidden {
			prod(f.H[e], f.C[nb[0]], f.C[nb[1]], f.HidA[e], f.HidB[e], f.D, f.Key, Sub(ph, e))
		}
		for i, nb := range fineCorner {
			prod(f.C[i], f.H[nb[0]], f.H[nb[1]], f.CorA[i], f.CorB[i], f.D, f.Key, Sub(ph+1, i))
		}
	}
}

// fineChainRange runs the chain of samples [n0, n1) (n0 even), drawing
// with pair: the samples are independent chains, and draw n of a site
// reads word n/2 of its sub-stream, so a range of samples can run on its
// own.
func fineChainRange(f *FineChain, n0, n1 int, pair func(dst, a, b []uint8, tab []uint32, d int, key, base uint64)) {
	off := uint64(n0 / 2)
	for t := 0; t < f.Steps; t++ {
		ph := FinePhase(t)
		for e, nb := range fineHidden {
			pair(f.H[e][n0:n1], f.C[nb[0]][n0:n1], f.C[nb[1]][n0:n1], f.Hid[e], f.D, f.Key, Sub(ph, e)+off)
		}
		for i, nb := range fineCorner {
			pair(f.C[i][n0:n1], f.H[nb[0]][n0:n1], f.H[nb[1]][n0:n1], f.Cor[i], f.D, f.Key, Sub(ph+1, i)+off)
		}
	}
}
