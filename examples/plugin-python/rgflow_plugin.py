"""Serve an rgflow representation plugin from Python.

rgflow's representation plugins speak go-plugin's gRPC protocol
(plugins/protocol.go, plugins/proto/representation.proto), which any
language can serve: rgflow starts the plugin with the magic cookie in its
environment, reads one handshake line from its standard output,

    1|1|tcp|127.0.0.1:PORT|grpc

(go-plugin's core protocol 1, rgflow's plugin protocol 1, where to
connect, gRPC), calls rgflow.rep.v1.Representation/Describe once, and
stops the plugin with plugin.GRPCController/Shutdown. This module does all
of that; a plugin only describes its representation:

    import rgflow_plugin
    rgflow_plugin.serve({"name": "MyRep", "irreps": "A1+E", "d": 3,
                         "r": [...], "sigma": [...]})          # d×d, row-major

It needs Debian's python3-grpcio and python3-protobuf. The message
classes are built at run time from descriptors that mirror
representation.proto field for field (so no protoc is needed); gRPC's
health service is served too, as go-plugin's protocol asks.
"""

import os
import signal
import sys
import threading
from concurrent import futures

import grpc
from google.protobuf import descriptor_pb2, descriptor_pool, message_factory

# plugins/protocol.go's Handshake: these never change.
MAGIC_COOKIE_KEY = "RGFLOW_REP_PLUGIN"
MAGIC_COOKIE_VALUE = "9744ea85e7fe90c3aafde596392e712632a7a7b7982fc843"
PROTOCOL_VERSION = 1
CORE_PROTOCOL_VERSION = 1  # go-plugin's


def _file(name, package, messages, enums=()):
    """A FileDescriptorProto: messages are (name, [(field, number, type,
    label, type_name)]); enums (name, [(value, number)])."""
    f = descriptor_pb2.FileDescriptorProto(name=name, package=package, syntax="proto3")
    for mname, fields in messages:
        m = f.message_type.add(name=mname)
        for fname, number, ftype, label, type_name in fields:
            fd = m.field.add(name=fname, number=number, type=ftype, label=label)
            if type_name:
                fd.type_name = type_name
    for ename, values in enums:
        e = f.enum_type.add(name=ename)
        for vname, number in values:
            e.value.add(name=vname, number=number)
    return f


F = descriptor_pb2.FieldDescriptorProto
OPT, REP = F.LABEL_OPTIONAL, F.LABEL_REPEATED

# plugins/proto/representation.proto, field for field
REPRESENTATION = _file("rgflow/rep/v1/representation.proto", "rgflow.rep.v1", [
    ("DescribeRequest", []),
    ("Matrix", [("values", 1, F.TYPE_DOUBLE, REP, None)]),
    ("DescribeResponse", [
        ("name", 1, F.TYPE_STRING, OPT, None),
        ("irreps", 2, F.TYPE_STRING, OPT, None),
        ("d", 3, F.TYPE_INT32, OPT, None),
        ("r", 4, F.TYPE_DOUBLE, REP, None),
        ("sigma", 5, F.TYPE_DOUBLE, REP, None),
        ("basis", 6, F.TYPE_MESSAGE, REP, ".rgflow.rep.v1.Matrix"),
    ]),
])
# grpc/health/v1/health.proto (Check only)
HEALTH = _file("grpc/health/v1/health.proto", "grpc.health.v1", [
    ("HealthCheckRequest", [("service", 1, F.TYPE_STRING, OPT, None)]),
    ("HealthCheckResponse", [("status", 1, F.TYPE_ENUM, OPT, ".grpc.health.v1.ServingStatus")]),
], enums=[("ServingStatus", [("UNKNOWN", 0), ("SERVING", 1), ("NOT_SERVING", 2), ("SERVICE_UNKNOWN", 3)])])
# go-plugin's internal/plugin/grpc_controller.proto
CONTROLLER = _file("plugin/grpc_controller.proto", "plugin", [("Empty", [])])


def _classes(*files):
    pool = descriptor_pool.DescriptorPool()
    out = {}
    for f in files:
        pool.AddSerializedFile(f.SerializeToString())
        for m in f.message_type:
            desc = pool.FindMessageTypeByName(f"{f.package}.{m.name}")
            if hasattr(message_factory, "GetMessageClass"):  # protobuf >= 4.22
                out[desc.full_name] = message_factory.GetMessageClass(desc)
            else:
                out[desc.full_name] = message_factory.MessageFactory(pool).GetPrototype(desc)
    return out


MESSAGES = _classes(REPRESENTATION, HEALTH, CONTROLLER)


def _unary(fn, request, response):
    return grpc.unary_unary_rpc_method_handler(
        fn, request_deserializer=MESSAGES[request].FromString, response_serializer=MESSAGES[response].SerializeToString)


def serve(describe):
    """Serve a representation until rgflow stops the plugin. describe is a
    dict — name, irreps (optional), d, r and sigma (d×d, row-major), basis
    (optional list of d×d matrices) — or a function returning one, called
    for each Describe."""
    if os.environ.get(MAGIC_COOKIE_KEY) != MAGIC_COOKIE_VALUE:
        # go-plugin's words, which rgflow recognises
        print("This binary is a plugin. These are not meant to be executed directly.\n"
              "Please execute the program that consumes these plugins, which will\n"
              "load any plugins automatically", file=sys.stderr)
        sys.exit(1)
    versions = os.environ.get("PLUGIN_PROTOCOL_VERSIONS", "")
    if versions and str(PROTOCOL_VERSION) not in versions.split(","):
        print(f"rgflow speaks plugin protocol {versions}; this plugin speaks {PROTOCOL_VERSION}", file=sys.stderr)
        sys.exit(1)
    # the host handles Ctrl-C and stops the plugin itself
    signal.signal(signal.SIGINT, signal.SIG_IGN)

    done = threading.Event()

    def describe_rpc(request, context):
        d = describe() if callable(describe) else describe
        try:
            return MESSAGES["rgflow.rep.v1.DescribeResponse"](
                name=d["name"], irreps=d.get("irreps", ""), d=int(d["d"]),
                r=[float(x) for x in d["r"]], sigma=[float(x) for x in d["sigma"]],
                basis=[MESSAGES["rgflow.rep.v1.Matrix"](values=[float(x) for x in B]) for B in d.get("basis") or []])
        except (KeyError, TypeError, ValueError) as e:
            context.abort(grpc.StatusCode.INVALID_ARGUMENT, f"the plugin's description is malformed: {e!r}")

    def health(request, context):
        return MESSAGES["grpc.health.v1.HealthCheckResponse"](status=1)  # SERVING

    def shutdown(request, context):
        done.set()
        return MESSAGES["plugin.Empty"]()

    server = grpc.server(futures.ThreadPoolExecutor(max_workers=4))
    server.add_generic_rpc_handlers((
        grpc.method_handlers_generic_handler("rgflow.rep.v1.Representation", {
            "Describe": _unary(describe_rpc, "rgflow.rep.v1.DescribeRequest", "rgflow.rep.v1.DescribeResponse")}),
        grpc.method_handlers_generic_handler("grpc.health.v1.Health", {
            "Check": _unary(health, "grpc.health.v1.HealthCheckRequest", "grpc.health.v1.HealthCheckResponse")}),
        grpc.method_handlers_generic_handler("plugin.GRPCController", {
            "Shutdown": _unary(shutdown, "plugin.Empty", "plugin.Empty")}),
    ))
    # any free port on the loopback (go-plugin's own servers use a range)
    port = server.add_insecure_port("127.0.0.1:0")
    if not port:
        print("cannot listen on 127.0.0.1", file=sys.stderr)
        sys.exit(1)
    server.start()
    signal.signal(signal.SIGTERM, lambda *_: done.set())
    print(f"{CORE_PROTOCOL_VERSION}|{PROTOCOL_VERSION}|tcp|127.0.0.1:{port}|grpc", flush=True)
    while not done.wait(0.5):  # a timed wait lets SIGTERM in
        pass
    server.stop(grace=1).wait()
