// Test plugin: completes the handshake, then never answers Describe (and
// ignores the request's cancellation, as a truly stuck plugin would).
package main

import (
	"context"

	"github.com/rgflow/rgflow/plugins"
)

type hang struct{}

func (hang) Describe(context.Context) (*plugins.Description, error) {
	select {}
}

func main() { plugins.Serve(hang{}) }
