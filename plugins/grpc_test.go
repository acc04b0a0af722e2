package plugins

import (
	"context"
	"errors"
	"io"
	"reflect"
	"strings"
	"testing"

	hclog "github.com/hashicorp/go-hclog"
	plugin "github.com/hashicorp/go-plugin"
)

// dispense connects impl to a client through go-plugin's in-process gRPC
// test harness: the real adapters and the real wire format, no subprocess.
func dispense(t *testing.T, impl Representation) Representation {
	t.Helper()
	// The harness logs every stream at debug level to hclog's default
	// output; keep the test output readable.
	saved := hclog.DefaultOutput
	hclog.DefaultOutput = io.Discard
	t.Cleanup(func() { hclog.DefaultOutput = saved })
	client, server := plugin.TestPluginGRPCConn(t, false, map[string]plugin.Plugin{
		PluginName: &RepresentationPlugin{Impl: impl},
	})
	// Closing the client asks the server to shut down (go-plugin's
	// controller calls server.Stop); stopping it here too would race.
	_ = server
	t.Cleanup(func() { client.Close() })
	raw, err := client.Dispense(PluginName)
	if err != nil {
		t.Fatal(err)
	}
	rep, ok := raw.(Representation)
	if !ok {
		t.Fatalf("dispensed %T, want a Representation", raw)
	}
	return rep
}

func TestGRPCRoundTrip(t *testing.T) {
	want := Description{
		Name:   "A1+E",
		Irreps: "A1+E",
		D:      3,
		R:      []float64{1, 0, 0, 0, 0, -1, 0, 1, 0},
		Sigma:  []float64{1, 0, 0, 0, 1, 0, 0, 0, -1},
		// Values that a lossy encoding would change.
		Basis: [][]float64{
			{1, 0, 0, 0, 0, 0, 0, 0, 0},
			{0, 0.1, 0, 1e-300, 0, 0, 0, 0, 0},
			{0, 0, 0, 0, 0, 0, 0, 0, -2.5e10},
		},
	}
	got, err := dispense(t, Static(want)).Describe(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	if !reflect.DeepEqual(*got, want) {
		t.Fatalf("round trip changed the description:\n got %#v\nwant %#v", *got, want)
	}
}

func TestGRPCRoundTripNilBasis(t *testing.T) {
	want := Description{Name: "E45", D: 2, R: []float64{0, -1, 1, 0}, Sigma: []float64{0, 1, 1, 0}}
	got, err := dispense(t, Static(want)).Describe(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	if !reflect.DeepEqual(*got, want) || got.Basis != nil || got.Irreps != "" {
		t.Fatalf("round trip changed the description:\n got %#v\nwant %#v", *got, want)
	}
}

type failing struct{ err error }

func (f failing) Describe(context.Context) (*Description, error) { return nil, f.err }

func TestGRPCErrorsCrossTheWire(t *testing.T) {
	_, err := dispense(t, failing{errors.New("no table for this group")}).Describe(context.Background())
	if err == nil || !strings.Contains(err.Error(), "no table for this group") {
		t.Fatalf("got %v, want the plugin's error message", err)
	}
	_, err = dispense(t, failing{}).Describe(context.Background())
	if err == nil || !strings.Contains(err.Error(), "no description") {
		t.Fatalf("nil description: got %v, want an error", err)
	}
	_, err = dispense(t, Static{Name: "huge", D: 1 << 40}).Describe(context.Background())
	if err == nil || !strings.Contains(err.Error(), "does not fit") {
		t.Fatalf("d beyond int32: got %v, want an error", err)
	}
}
