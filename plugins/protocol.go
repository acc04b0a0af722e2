// Package plugins connects rgflow to representation plugins: separate
// executables, named rgflow-rep-<slug>, that serve an on-site representation
// of D4 over github.com/hashicorp/go-plugin (gRPC transport).
//
// This file is the protocol shared by the host (rgflow) and every plugin:
// the Representation interface, the handshake and the plugin map. The wire
// format lives in plugins/proto; grpc.go adapts between the two; loader.go
// is the host side and serve.go the plugin side.
//
// A representation is consulted at set-up only (plugins/README.md): the
// host starts the plugin, asks for its description once, validates it and
// stops the plugin. No plugin runs in the training loop.
package plugins

import (
	"context"

	plugin "github.com/hashicorp/go-plugin"
)

// Representation is what a plugin implements.
type Representation interface {
	// Describe returns the representation. It is called once per Load; the
	// host gives it a deadline (10 s unless the caller chose another).
	Describe(ctx context.Context) (*Description, error)
}

// Description is an on-site representation of D4 as a plugin serves it.
// Conventions are those of docs/conventions.md §2–§4: R is the image of the rotation C4,
// Sigma that of the mirror which fixes a bond, and a coupling vector J means
// K(J) = Σ_a J_a Basis[a].
type Description struct {
	// Name identifies the representation, e.g. "A1+E" or "E45". The plugin's
	// file name must be rgflow-rep-<Slug(Name)> for Resolve to find it.
	Name string
	// Irreps optionally gives the irreps content, e.g. "2A1+E". It is
	// informational, but the host checks it against the matrices (same d,
	// same characters), so a wrong label cannot slip through.
	Irreps string
	// D is the number of spins per site.
	D int
	// R and Sigma are d×d, row-major.
	R, Sigma []float64
	// Basis optionally fixes the coupling basis: d×d row-major matrices,
	// each mirror-invariant (σ B σᵀ = B), linearly independent. Nil (or
	// empty) means the canonical basis of mirror-invariant matrices, which
	// for a diagonal σ is the unit-matrix basis of the built-in path.
	Basis [][]float64
}

// PluginName is the key of the representation service in the plugin map.
const PluginName = "representation"

// Handshake is the go-plugin handshake between rgflow and its representation
// plugins. These values are part of the protocol and never change:
// ProtocolVersion is bumped only for an incompatible change of the wire
// format (a new proto package), and the magic cookie is a fixed random
// value whose only job is to make a plugin refuse to run when it is started
// by hand or by another host (it is a UX guard, not a security measure).
var Handshake = plugin.HandshakeConfig{
	ProtocolVersion:  1,
	MagicCookieKey:   "RGFLOW_REP_PLUGIN",
	MagicCookieValue: "9744ea85e7fe90c3aafde596392e712632a7a7b7982fc843",
}

// PluginMap is the plugin set that host and plugins agree on. The host only
// needs the client half, so its entry carries no implementation.
var PluginMap = map[string]plugin.Plugin{
	PluginName:      &RepresentationPlugin{},
	BlockPluginName: &BlockPlugin{},
}

// RepresentationPlugin is the go-plugin binding of Representation. It
// supports gRPC only; net/rpc is refused so that the wire format is the
// versioned proto and nothing else.
type RepresentationPlugin struct {
	plugin.NetRPCUnsupportedPlugin
	// Impl is the plugin's implementation; unused on the host side.
	Impl Representation
}

var _ plugin.GRPCPlugin = (*RepresentationPlugin)(nil)
