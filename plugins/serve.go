package plugins

import (
	"context"

	plugin "github.com/hashicorp/go-plugin"

	"github.com/rgflow/rgflow/reps"
)

// Serve runs a representation plugin; call it from the plugin's main. It
// blocks until the host stops the plugin, then returns. Run by hand (without
// the host's magic cookie) the binary says it is a plugin and exits 1.
func Serve(impl Representation) {
	plugin.Serve(&plugin.ServeConfig{
		HandshakeConfig: Handshake,
		Plugins: map[string]plugin.Plugin{
			PluginName: &RepresentationPlugin{Impl: impl},
		},
		GRPCServer: plugin.DefaultGRPCServer,
	})
}

// Static is a Representation that always describes the same thing; most
// plugins need nothing more.
type Static Description

// Describe returns a copy of the description.
func (s Static) Describe(context.Context) (*Description, error) {
	d := Description(s)
	return &d, nil
}

// FromRep describes a built representation, e.g. one from reps.Builtin, with
// its matrices and coupling basis exactly as built. irreps is the optional
// irreps label.
func FromRep(rep *reps.Rep, irreps string) Description {
	d := Description{
		Name:   rep.Name,
		Irreps: irreps,
		D:      rep.D,
		R:      append([]float64(nil), rep.R...),
		Sigma:  append([]float64(nil), rep.Sigma...),
	}
	for _, B := range rep.Basis {
		d.Basis = append(d.Basis, append([]float64(nil), B...))
	}
	return d
}

// BuiltinDescription describes the irreps sum irreps with the matrices and
// basis of reps.Builtin, labelled with its irreps, so that a plugin serving
// it is indistinguishable from the built-in path.
func BuiltinDescription(irreps string) (Description, error) {
	rep, err := reps.Builtin(irreps)
	if err != nil {
		return Description{}, err
	}
	return FromRep(rep, rep.Name), nil
}
