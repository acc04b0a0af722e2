package plugins

// Block plugins: executables named rgflow-block-<slug> that serve a block
// geometry (docs/conventions.md §14) as representation plugins serve a
// representation — the same handshake, a second service in the plugin map
// ("block", the wire format of plugins/proto/block.proto), consulted once
// at set-up and validated on load (geometry.Validate). A plugin may serve
// a representation, a block, or both.

import (
	"context"
	"errors"
	"fmt"
	"math"
	"os"
	"path/filepath"
	"strings"
	"unicode/utf8"

	plugin "github.com/hashicorp/go-plugin"
	"google.golang.org/grpc"
	"google.golang.org/grpc/codes"
	"google.golang.org/grpc/status"

	"github.com/rgflow/rgflow/engine/geometry"
	"github.com/rgflow/rgflow/internal/quote"
	pb "github.com/rgflow/rgflow/plugins/proto"
)

// Block is what a block plugin implements.
type Block interface {
	// Geometry returns the block geometry. It is called once per
	// LoadBlock, with the deadline of Describe.
	Geometry(ctx context.Context) (*geometry.Geometry, error)
}

// BlockPluginName is the key of the block service in the plugin map.
const BlockPluginName = "block"

// BlockPrefix starts the file name of every block plugin.
const BlockPrefix = "rgflow-block-"

// MaxBlockSites bounds each list of sites and of bonds a block plugin may
// serve: far beyond any patch a divergence can sum (free:64x64 has 16,384
// fine hidden sites), and small enough that a runaway plugin cannot fill
// the host's memory.
const MaxBlockSites = 1 << 18

// BlockPlugin is the go-plugin binding of Block (gRPC only, as
// RepresentationPlugin).
type BlockPlugin struct {
	plugin.NetRPCUnsupportedPlugin
	// Impl is the plugin's implementation; unused on the host side.
	Impl Block
}

var _ plugin.GRPCPlugin = (*BlockPlugin)(nil)

// GRPCServer registers the plugin's implementation on the plugin side.
func (p *BlockPlugin) GRPCServer(_ *plugin.GRPCBroker, s *grpc.Server) error {
	if p.Impl == nil {
		return errors.New("plugins: BlockPlugin served without an implementation")
	}
	pb.RegisterBlockServer(s, &blockServer{impl: p.Impl})
	return nil
}

// GRPCClient returns the host-side Block that talks to the plugin.
func (p *BlockPlugin) GRPCClient(_ context.Context, _ *plugin.GRPCBroker, c *grpc.ClientConn) (interface{}, error) {
	return &blockClient{client: pb.NewBlockClient(c)}, nil
}

type blockClient struct{ client pb.BlockClient }

// Geometry returns the gRPC error untouched, as Describe does.
func (c *blockClient) Geometry(ctx context.Context) (*geometry.Geometry, error) {
	resp, err := c.client.Geometry(ctx, &pb.GeometryRequest{})
	if err != nil {
		return nil, err
	}
	return geometryFromProto(resp)
}

type blockServer struct {
	pb.UnimplementedBlockServer
	impl Block
}

func (s *blockServer) Geometry(ctx context.Context, _ *pb.GeometryRequest) (*pb.GeometryResponse, error) {
	g, err := s.impl.Geometry(ctx)
	if err != nil {
		if _, ok := status.FromError(err); ok {
			return nil, err
		}
		return nil, status.Error(codes.Unknown, err.Error())
	}
	if g == nil {
		return nil, status.Error(codes.Internal, "Geometry returned no geometry")
	}
	return geometryToProto(g)
}

func geometryToProto(g *geometry.Geometry) (*pb.GeometryResponse, error) {
	fits := func(v int) bool { return v >= math.MinInt32 && v <= math.MaxInt32 }
	resp := &pb.GeometryResponse{Name: g.Name}
	sites := func(ps []geometry.Point) ([]*pb.Site, error) {
		var out []*pb.Site
		for _, p := range ps {
			if !fits(p.X) || !fits(p.Y) {
				return nil, status.Errorf(codes.InvalidArgument, "site %v does not fit the wire format", p)
			}
			out = append(out, &pb.Site{X: int32(p.X), Y: int32(p.Y)})
		}
		return out, nil
	}
	bonds := func(bs []geometry.Bond) ([]*pb.Bond, error) {
		var out []*pb.Bond
		for _, b := range bs {
			if !fits(b.Source) || !fits(b.Target) || !fits(b.Dir) || !fits(b.Shell) {
				return nil, status.Errorf(codes.InvalidArgument, "bond %+v does not fit the wire format", b)
			}
			out = append(out, &pb.Bond{Source: int32(b.Source), Target: int32(b.Target), Dir: int32(b.Dir), Shell: int32(b.Shell)})
		}
		return out, nil
	}
	var err error
	if resp.Visible, err = sites(g.Visible); err != nil {
		return nil, err
	}
	if resp.FineHidden, err = sites(g.FineHidden); err != nil {
		return nil, err
	}
	if resp.CoarseHidden, err = sites(g.CoarseHidden); err != nil {
		return nil, err
	}
	if resp.FineBonds, err = bonds(g.FineBonds); err != nil {
		return nil, err
	}
	if resp.CoarseBonds, err = bonds(g.CoarseBonds); err != nil {
		return nil, err
	}
	if !fits(g.PeriodI) || !fits(g.PeriodJ) || !fits(g.Shells) {
		return nil, status.Errorf(codes.InvalidArgument, "periods %d, %d or shells %d do not fit the wire format", g.PeriodI, g.PeriodJ, g.Shells)
	}
	resp.PeriodI, resp.PeriodJ, resp.Shells = int32(g.PeriodI), int32(g.PeriodJ), int32(g.Shells)
	return resp, nil
}

// geometryFromProto copies a served geometry, refusing lists longer than
// MaxBlockSites (before anything is built from them).
func geometryFromProto(r *pb.GeometryResponse) (*geometry.Geometry, error) {
	for _, n := range []struct {
		what string
		n    int
	}{{"visible sites", len(r.GetVisible())}, {"fine hidden sites", len(r.GetFineHidden())}, {"coarse hidden sites", len(r.GetCoarseHidden())},
		{"fine bonds", len(r.GetFineBonds())}, {"coarse bonds", len(r.GetCoarseBonds())}} {
		if n.n > MaxBlockSites {
			return nil, fmt.Errorf("%d %s, more than the %d a block may have", n.n, n.what, MaxBlockSites)
		}
	}
	g := &geometry.Geometry{Name: r.GetName(), PeriodI: int(r.GetPeriodI()), PeriodJ: int(r.GetPeriodJ()), Shells: int(r.GetShells())}
	sites := func(ps []*pb.Site) []geometry.Point {
		out := make([]geometry.Point, len(ps))
		for i, p := range ps {
			out[i] = geometry.Point{X: int(p.GetX()), Y: int(p.GetY())}
		}
		return out
	}
	bonds := func(bs []*pb.Bond) []geometry.Bond {
		out := make([]geometry.Bond, len(bs))
		for i, b := range bs {
			out[i] = geometry.Bond{Source: int(b.GetSource()), Target: int(b.GetTarget()), Dir: int(b.GetDir()), Shell: int(b.GetShell())}
		}
		return out
	}
	g.Visible, g.FineHidden, g.CoarseHidden = sites(r.GetVisible()), sites(r.GetFineHidden()), sites(r.GetCoarseHidden())
	g.FineBonds, g.CoarseBonds = bonds(r.GetFineBonds()), bonds(r.GetCoarseBonds())
	return g, nil
}

// ServeBlock runs a block plugin; call it from the plugin's main. It
// blocks until the host stops the plugin.
func ServeBlock(impl Block) {
	plugin.Serve(&plugin.ServeConfig{
		HandshakeConfig: Handshake,
		Plugins: map[string]plugin.Plugin{
			BlockPluginName: &BlockPlugin{Impl: impl},
		},
		GRPCServer: plugin.DefaultGRPCServer,
	})
}

// StaticBlock is a Block that always serves the same geometry.
type StaticBlock geometry.Geometry

// Geometry returns a copy of the geometry.
func (s StaticBlock) Geometry(context.Context) (*geometry.Geometry, error) {
	g := geometry.Geometry(s)
	return &g, nil
}

// LoadBlock starts the block plugin at path, asks for its geometry,
// validates it (a name of at most MaxNameLength characters on one line;
// geometry.Validate: a consistent patch of black plaquettes, its bonds
// those of docs/conventions.md §14) and stops the plugin, as Load does
// for a representation.
func LoadBlock(ctx context.Context, path string) (*geometry.Geometry, error) {
	var g *geometry.Geometry
	err := call(ctx, path, blockKind, func(ctx context.Context, raw any) error {
		impl, ok := raw.(Block)
		if !ok {
			return fmt.Errorf("plugin %s served a %T instead of a block", path, raw)
		}
		var err error
		if g, err = impl.Geometry(ctx); err != nil {
			if _, isStatus := status.FromError(err); isStatus {
				return rpcError{err}
			}
			return fmt.Errorf("plugin %s served an unreadable block: %v", path, err)
		}
		return nil
	})
	if err != nil {
		return nil, err
	}
	name := strings.TrimSpace(g.Name)
	switch {
	case name == "":
		return nil, fmt.Errorf("plugin %s served a block without a name", path)
	case utf8.RuneCountInString(name) > MaxNameLength || strings.ContainsAny(name, "\n\r"):
		return nil, fmt.Errorf("plugin %s served a block named %s, which is not a name of at most %d characters on one line", path, quote.Short(name), MaxNameLength)
	}
	g.Name = name
	if err := g.Validate(); err != nil {
		return nil, fmt.Errorf("plugin %s served an invalid block: %v", path, err)
	}
	return g, nil
}

// BlockSlug is the file-name form of a block name: lower-cased, keeping
// only [a-z0-9] ("free2x1" → "free2x1", "Ring:3" → "ring3").
func BlockSlug(name string) string {
	var b strings.Builder
	for _, r := range strings.ToLower(name) {
		if (r >= 'a' && r <= 'z') || (r >= '0' && r <= '9') {
			b.WriteRune(r)
		}
	}
	return b.String()
}

// BlockPluginPath is the file of the block plugin a name asks for
// ("plugin:NAME": dir/rgflow-block-<BlockSlug(NAME)>; "plugin:PATH": PATH)
// and whether the name asks for one at all.
func BlockPluginPath(name, dir string) (string, bool) {
	target, ok := strings.CutPrefix(strings.TrimSpace(name), Explicit)
	if !ok {
		return "", false
	}
	target = strings.TrimSpace(target)
	if strings.ContainsRune(target, '/') || strings.ContainsRune(target, filepath.Separator) {
		return target, true
	}
	slug := BlockSlug(target)
	if slug == "" {
		return "", false
	}
	return filepath.Join(dir, BlockPrefix+slug+exeSuffix), true
}

// ResolveBlock loads the block plugin a block name asks for: "plugin:NAME"
// is dir/rgflow-block-<BlockSlug(NAME)>, which must serve a block of that
// slug, and "plugin:PATH" (with a path separator) the plugin at PATH.
// Built-in blocks (plaquette, free:LxM, torus:LxM) need no plugin: name
// must start with Explicit.
func ResolveBlock(ctx context.Context, name, dir string) (*geometry.Geometry, error) {
	target, ok := strings.CutPrefix(strings.TrimSpace(name), Explicit)
	if !ok {
		return nil, fmt.Errorf("block %s is not a plugin's (write %sNAME or %sPATH)", quote.Short(name), Explicit, Explicit)
	}
	path, ok := BlockPluginPath(name, dir)
	if !ok {
		return nil, fmt.Errorf("block %s names no plugin: write %sNAME (a block plugin in %s) or %sPATH", quote.Short(name), Explicit, dir, Explicit)
	}
	target = strings.TrimSpace(target)
	if path == target {
		return LoadBlock(ctx, path) // the user named the file: no slug to match
	}
	slug := BlockSlug(target)
	if _, err := os.Lstat(path); err != nil {
		return nil, fmt.Errorf("no block plugin %s in %s for block %s (set the plugin directory with -plugins or $RGFLOW_PLUGINS)", quote.Cut(BlockPrefix+slug+exeSuffix), dir, quote.Short(name))
	}
	g, err := LoadBlock(ctx, path)
	if err != nil {
		return nil, err
	}
	if BlockSlug(g.Name) != slug {
		return nil, fmt.Errorf("plugin %s serves block %s, so its file name should be %s", path, quote.Short(g.Name), quote.Cut(BlockPrefix+BlockSlug(g.Name)+exeSuffix))
	}
	return g, nil
}
