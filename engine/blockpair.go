package engine

import "rgflow/engine/geometry"

// The blocks as one block pair among the geometries (the oracle's
// Divergence, engine/oracle): the published plaquette, one coarse site,
// one coupling shell; a block geometry's divergence.Pair answers the same.

// Couplings is the length of J and J′.
func (b *Blocks) Couplings() int { return b.C }

// BlockName is the geometry's name, "plaquette".
func (b *Blocks) BlockName() string { return geometry.PlaquetteName }

// CoarseSites is the number of coarse sites the KL is per: one.
func (b *Blocks) CoarseSites() int { return 1 }

// Shells is the number of coupling shells: one.
func (b *Blocks) Shells() int { return 1 }

// Plaquette is the plaquette's blocks of the same representation and
// conventions: b itself.
func (b *Blocks) Plaquette() *Blocks { return b }
