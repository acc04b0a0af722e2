package plugins

import (
	"context"
	"errors"
	"fmt"
	"math"

	plugin "github.com/hashicorp/go-plugin"
	"google.golang.org/grpc"
	"google.golang.org/grpc/codes"
	"google.golang.org/grpc/status"

	pb "github.com/rgflow/rgflow/plugins/proto"
)

// GRPCServer registers the plugin's implementation on the plugin side.
func (p *RepresentationPlugin) GRPCServer(_ *plugin.GRPCBroker, s *grpc.Server) error {
	if p.Impl == nil {
		return errors.New("plugins: RepresentationPlugin served without an implementation")
	}
	pb.RegisterRepresentationServer(s, &grpcServer{impl: p.Impl})
	return nil
}

// GRPCClient returns the host-side Representation that talks to the plugin.
func (p *RepresentationPlugin) GRPCClient(_ context.Context, _ *plugin.GRPCBroker, c *grpc.ClientConn) (interface{}, error) {
	return &grpcClient{client: pb.NewRepresentationClient(c)}, nil
}

// grpcClient is the host side: a Representation backed by a gRPC stub.
type grpcClient struct {
	client pb.RepresentationClient
}

// Describe returns the gRPC error untouched (status code and all), so that
// the loader can tell a crash (Unavailable) from a time-out or from an error
// the plugin returned on purpose.
func (c *grpcClient) Describe(ctx context.Context) (*Description, error) {
	resp, err := c.client.Describe(ctx, &pb.DescribeRequest{})
	if err != nil {
		return nil, err
	}
	return fromProto(resp), nil
}

// grpcServer is the plugin side: it forwards to the implementation.
type grpcServer struct {
	pb.UnimplementedRepresentationServer
	impl Representation
}

func (s *grpcServer) Describe(ctx context.Context, _ *pb.DescribeRequest) (*pb.DescribeResponse, error) {
	desc, err := s.impl.Describe(ctx)
	if err != nil {
		if _, ok := status.FromError(err); ok {
			return nil, err
		}
		return nil, status.Error(codes.Unknown, err.Error())
	}
	if desc == nil {
		return nil, status.Error(codes.Internal, "Describe returned no description")
	}
	return toProto(desc)
}

func toProto(d *Description) (*pb.DescribeResponse, error) {
	if d.D < math.MinInt32 || d.D > math.MaxInt32 {
		return nil, status.Errorf(codes.InvalidArgument, "dimension d = %d does not fit the wire format", d.D)
	}
	resp := &pb.DescribeResponse{
		Name:   d.Name,
		Irreps: d.Irreps,
		D:      int32(d.D),
		R:      d.R,
		Sigma:  d.Sigma,
	}
	for _, B := range d.Basis {
		resp.Basis = append(resp.Basis, &pb.Matrix{Values: B})
	}
	return resp, nil
}

// fromProto copies, so that the description owns its slices. An empty
// basis comes back as nil: proto3 cannot tell the two apart, and both mean
// "use the canonical basis".
func fromProto(r *pb.DescribeResponse) *Description {
	d := &Description{
		Name:   r.GetName(),
		Irreps: r.GetIrreps(),
		D:      int(r.GetD()),
		R:      append([]float64(nil), r.GetR()...),
		Sigma:  append([]float64(nil), r.GetSigma()...),
	}
	for _, m := range r.GetBasis() {
		d.Basis = append(d.Basis, append([]float64(nil), m.GetValues()...))
	}
	return d
}

// String is for debugging and test failures.
func (d *Description) String() string {
	return fmt.Sprintf("%s (irreps %q, d = %d, %d basis matrices)", d.Name, d.Irreps, d.D, len(d.Basis))
}
