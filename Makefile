# rgflow — see README.md. `make run` trains A1 with the exact KL on defaults;
# `make test` runs every test (default kernels, then the pure-Go build).
GO      ?= go
BIN     := bin
PLUGINS := $(notdir $(wildcard cmd/rgflow-rep-*))

.PHONY: all build run test bench lint clean

all: build

build:
	$(GO) build -o $(BIN)/rgflow ./cmd/rgflow
	@for p in $(PLUGINS); do $(GO) build -o $(BIN)/$$p ./cmd/$$p || exit 1; done

run: build
	./$(BIN)/rgflow train -config examples/a1-kl.toml

test: build
	$(GO) test -count=1 ./...
	$(GO) test -count=1 -tags purego ./...

bench:
	$(GO) test -run '^$$' -bench . -benchtime 1x ./kernels/ ./engine/

# The benchmark suites on their defaults (bench/README.md: about 1–2 hours
# on 2 cores), each into results/<suite>-<timestamp>. An interrupted suite
# continues with `./bin/rgflow bench SUITE -resume`.
SUITES := epoch-time bias-vs-dimension kl-vs-cd sweeps
.PHONY: bench-suites
bench-suites: build
	@for s in $(SUITES); do ./$(BIN)/rgflow bench $$s || exit 1; done

lint:
	@out=$$(gofmt -l $$(git ls-files '*.go')); if [ -n "$$out" ]; then echo "gofmt would change:"; echo "$$out"; exit 1; fi
	$(GO) vet ./...
	GOARCH=arm64 $(GO) vet ./...

clean:
	rm -rf $(BIN)

# Regenerate the committed gRPC code of the representation-plugin protocol.
# Needs protoc (apt-get install protobuf-compiler) and
#   go install google.golang.org/protobuf/cmd/protoc-gen-go@latest
#   go install google.golang.org/grpc/cmd/protoc-gen-go-grpc@latest
# CI never runs this: the generated files are in git.
.PHONY: proto
proto:
	PATH="$$($(GO) env GOPATH)/bin:$$PATH" protoc -I plugins/proto \
		--go_out=plugins/proto --go_opt=paths=source_relative \
		--go-grpc_out=plugins/proto --go-grpc_opt=paths=source_relative \
		plugins/proto/representation.proto
