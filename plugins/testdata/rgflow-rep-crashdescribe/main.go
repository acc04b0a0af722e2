// Test plugin: completes the handshake, then dies inside Describe: by
// os.Exit(4), or by a panic when RGFLOW_TEST_CRASH=panic (the host passes
// its environment on to plugins).
package main

import (
	"context"
	"fmt"
	"os"

	"github.com/rgflow/rgflow/plugins"
)

type crash struct{}

func (crash) Describe(context.Context) (*plugins.Description, error) {
	if os.Getenv("RGFLOW_TEST_CRASH") == "panic" {
		panic("describe exploded")
	}
	// Best effort only: after Serve, go-plugin forwards os.Stderr over
	// gRPC, and os.Exit may win the race against that copy.
	fmt.Fprintln(os.Stderr, "crashdescribe: out of luck")
	os.Exit(4)
	return nil, nil
}

func main() { plugins.Serve(crash{}) }
