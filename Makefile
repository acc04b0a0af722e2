# rgflow — see README.md. `make run` trains A1 with the exact KL on defaults;
# `make test` is what CI runs (.ci/run): lint (gofmt, go vet for amd64 and
# arm64, staticcheck), every test on the default kernels, the Python
# package's tests (python-test) and the example notebook's run, -race on the
# packages with goroutines, every test of the pure-Go build, the tests of
# the architecture-dependent packages on arm64 under qemu-user (arm64), and
# a short fuzz pass of every fuzz
# target; the Slurm tests (verbose, so that a skip
# says why) run on the cluster `make slurm-up` starts. A step whose tool
# cannot be installed says SKIPPED and why; none passes silently.
GO      ?= go
BIN     := bin
PLUGINS := $(notdir $(wildcard cmd/rgflow-rep-*))

# Pinned tools, installed from the module proxy into bin/tools.
STATICCHECK := honnef.co/go/tools/cmd/staticcheck@v0.8.2
TOOLS       := $(abspath $(BIN))/tools
# The packages that start goroutines (workers, suites, plugin processes).
RACE_PKGS   := ./engine/... ./bench/ ./plugins/ ./internal/...
# kernels/dense shares a large product's rows between two goroutines and
# kernels' FMAPeak runs workers: under -race only the tests that start them
# run, at -short sizes (the rest is single-threaded and takes minutes there).
RACE_KERNELS := -short -run '^(TestSplitIdentical|TestFMALoop)$$' ./kernels/ ./kernels/dense/
# cmd/rgflow's goroutines run in the binary its tests start, which a race
# test builds with -race too (buildrace_test.go): the tests that drive
# them — parallel instances, signals during training and read-out,
# progress — about a minute under -race on 2 cores.
RACE_CMD    := -run '^(TestInterruptAndResume|TestProgressIsPlainWithoutTerminal|TestInstancesAreTheirSingleRuns|TestInstancesInterruptAndResume|TestSignalDuringReadOut|TestSignalStopsEveryLongPhase)$$' ./cmd/rgflow/
# How much the fuzz pass spends on each fuzz target: a number of inputs
# (a few seconds each), not a duration, because Go 1.26's fuzzer can end a
# duration with a spurious "context deadline exceeded" failure
# (golang/go#75804, fixed in Go 1.27).
FUZZTIME    ?= 2000x
# The tests that submit to a real Slurm cluster (they skip, saying why,
# where none answers); the slurm-test step runs them, the others skip them.
SLURM_TESTS := ^TestSlurm

.PHONY: all build run test unit slurm-test race purego fuzz bench lint fmt vet staticcheck clean slurm-up slurm-down arm64 arm64-all arm64-run

all: build

# The commit results record (internal/buildinfo), for builds that the
# toolchain does not stamp itself (GOFLAGS=-buildvcs=false).
COMMIT  := $(shell c=$$(git rev-parse HEAD 2>/dev/null) && { git diff --quiet HEAD 2>/dev/null || c="$$c+modified"; echo "$$c"; })

# A cold build compiles gonum, gRPC and the plotting libraries first (a few
# minutes on 2 cores, with nothing printed by go build meanwhile), so it
# says what it does, and -v names the packages as they compile when the
# build cache is empty.
build:
	@echo "==> building $(BIN)/rgflow (a first build compiles the dependencies: a few minutes on 2 cores)"
	@v=; [ -d "$$($(GO) env GOCACHE)" ] && [ -n "$$(ls -A "$$($(GO) env GOCACHE)" 2>/dev/null)" ] || v=-v; \
		$(GO) build $$v -ldflags "-X github.com/rgflow/rgflow/internal/buildinfo.commit=$(COMMIT)" -o $(BIN)/rgflow ./cmd/rgflow
	@for p in $(PLUGINS); do echo "==> building $(BIN)/$$p"; $(GO) build -o $(BIN)/$$p ./cmd/$$p || exit 1; done

run: build
	./$(BIN)/rgflow train -config examples/a1-kl.toml

test: build lint unit python-test notebook slurm-test race purego arm64 fuzz

unit:
	$(GO) test -count=1 -skip '$(SLURM_TESTS)' ./...

# The Python package python/rgflow against the built binary, with Debian's
# python3 and its numpy and pandas (.ci/run installs them); without them
# the step says SKIPPED and why, or fails where CI is set.
PYTHON ?= $(shell test -x /usr/bin/python3 && echo /usr/bin/python3 || echo python3)
.PHONY: python-test
python-test: build
	@if ! $(PYTHON) -c 'import tomllib, numpy, pandas' 2>/dev/null; then \
		why="$(PYTHON) lacks Python 3.11's tomllib, numpy or pandas (apt-get install python3-numpy python3-pandas)"; \
		if [ -n "$$CI" ]; then echo "==> python-test FAILED: $$why"; exit 1; fi; \
		echo "==> python-test SKIPPED: $$why"; \
	else \
		echo "PYTHONPATH=python $(PYTHON) -m unittest discover -s python/tests"; \
		PYTHONPATH=python $(PYTHON) -m unittest discover -s python/tests; \
	fi

# The example notebook, run top to bottom with Debian's nbconvert and
# ipykernel (.ci/run installs them; about 2 minutes on 2 cores) into
# bin/notebook/, then checked by examples/check_notebook.py: no error
# output, its figures, the values it must show. Without the tools it says
# SKIPPED and why, or fails where CI is set.
NOTEBOOK := examples/rgflow-tour.ipynb
.PHONY: notebook
notebook: build
	@if ! $(PYTHON) -c 'import tomllib, numpy, pandas, matplotlib, nbconvert, ipykernel' 2>/dev/null; then \
		why="$(PYTHON) lacks numpy, pandas, matplotlib, nbconvert or ipykernel (apt-get install python3-numpy python3-pandas python3-matplotlib python3-nbconvert python3-ipykernel)"; \
		if [ -n "$$CI" ]; then echo "==> notebook FAILED: $$why"; exit 1; fi; \
		echo "==> notebook SKIPPED: $$why"; \
	else \
		echo "$(PYTHON) -m nbconvert --execute $(NOTEBOOK) (into $(BIN)/notebook/)"; \
		PYDEVD_DISABLE_FILE_VALIDATION=1 \
			$(PYTHON) -m nbconvert --to notebook --execute --ExecutePreprocessor.timeout=1200 \
			--output-dir $(BIN)/notebook --log-level WARN $(NOTEBOOK) && \
		$(PYTHON) examples/check_notebook.py $(BIN)/notebook/$(notdir $(NOTEBOOK)); \
	fi

slurm-test:
	$(GO) test -count=1 -v -run '$(SLURM_TESTS)' ./cmd/rgflow/

race:
	@if [ "$$($(GO) env CGO_ENABLED)" = 1 ]; then \
		echo "$(GO) test -count=1 -race $(RACE_PKGS)"; $(GO) test -count=1 -race $(RACE_PKGS) && \
		echo "$(GO) test -count=1 -race $(RACE_KERNELS)" && $(GO) test -count=1 -race $(RACE_KERNELS) && \
		echo "$(GO) test -count=1 -race $(RACE_CMD)" && $(GO) test -count=1 -race $(RACE_CMD); \
	else \
		if [ -n "$$CI" ]; then echo "==> race FAILED: cgo is off (no C compiler?), -race needs it, and CI is set"; exit 1; fi; \
		echo "==> race SKIPPED: cgo is off (no C compiler?), and -race needs it"; \
	fi

purego:
	$(GO) build -tags purego ./...
	$(GO) test -count=1 -tags purego -skip '$(SLURM_TESTS)' ./...

fuzz:
	@GO=$(GO) ./.ci/fuzz $(FUZZTIME)

# The tests on arm64, the pure-Go path, under Debian's qemu-user: test
# binaries cross-compiled with GOARCH=arm64 and run by qemu-aarch64 (go
# test -exec, -short). `make arm64` (in make test) runs the packages whose
# code differs by architecture (kernels and kernels/dense without their
# assembly, reps, internal: a few minutes); `make arm64-all` runs every
# package (about 45 minutes of emulation on 2 cores, too long for CI; the
# README gives its last result). Tests that start the arm64 programs they
# build (cmd/rgflow's, the plugins' process tests) need a binfmt_misc
# handler for qemu-aarch64 and skip, saying so, without one.
QEMU_ARM64 ?= qemu-aarch64
ARM64_PKGS ?= ./kernels/... ./reps/... ./internal/...
arm64:
	@$(MAKE) --no-print-directory arm64-run ARM64_RUN='$(ARM64_PKGS)'

arm64-all:
	@$(MAKE) --no-print-directory arm64-run ARM64_RUN='./...'

arm64-run:
	@if ! command -v $(QEMU_ARM64) >/dev/null 2>&1; then \
		if [ -n "$$CI" ]; then echo "==> arm64 FAILED: no $(QEMU_ARM64) on PATH and CI is set (Debian: apt-get install qemu-user; .ci/run installs it)"; exit 1; fi; \
		echo "==> arm64 SKIPPED: no $(QEMU_ARM64) on PATH (Debian: apt-get install qemu-user; .ci/run installs it)"; \
	else \
		[ -e /proc/sys/fs/binfmt_misc/qemu-aarch64 ] || echo "==> arm64: no binfmt_misc handler for qemu-aarch64, so the tests that start the arm64 programs they build are SKIPPED"; \
		echo "GOARCH=arm64 $(GO) test -count=1 -short -timeout 120m -exec $(QEMU_ARM64) $(ARM64_RUN)"; \
		GOARCH=arm64 CGO_ENABLED=0 $(GO) test -count=1 -short -timeout 120m -exec $(QEMU_ARM64) -skip '$(SLURM_TESTS)' $(ARM64_RUN); \
	fi

bench:
	$(GO) test -run '^$$' -bench . -benchtime 1x ./kernels/ ./engine/

# The benchmark suites on their defaults (bench/README.md: about 1–2 hours
# on 2 cores), each into results/<suite>-<timestamp>. An interrupted suite
# continues with `./bin/rgflow bench SUITE -resume`.
SUITES := epoch-time bias-vs-dimension kl-vs-cd sweeps
.PHONY: bench-suites
bench-suites: build
	@for s in $(SUITES); do ./$(BIN)/rgflow bench $$s || exit 1; done

lint: fmt vet staticcheck tidy proto-check

# go.mod and go.sum must be what go mod tidy makes of the imports.
.PHONY: tidy
tidy:
	@echo "go mod tidy -diff"; $(GO) mod tidy -diff || { echo "==> go.mod/go.sum are not tidy: run go mod tidy"; exit 1; }

fmt:
	@out=$$(gofmt -l $$(git ls-files '*.go')); if [ -n "$$out" ]; then echo "gofmt would change:"; echo "$$out"; exit 1; fi

vet:
	$(GO) vet ./...
	GOARCH=arm64 $(GO) vet ./...
	$(GO) vet -tags purego ./...

staticcheck:
	@if GOBIN=$(TOOLS) $(GO) install $(STATICCHECK); then \
		echo "staticcheck ./... (default and purego builds)"; \
		$(TOOLS)/staticcheck ./... && $(TOOLS)/staticcheck -tags purego ./...; \
	else \
		if [ -n "$$CI" ]; then echo "==> staticcheck FAILED: cannot install $(STATICCHECK) and CI is set (the error is above)"; exit 1; fi; \
		echo "==> staticcheck SKIPPED: cannot install $(STATICCHECK) (the error is above)"; \
	fi

clean:
	rm -rf $(BIN)

# A single-node Slurm cluster on this machine for the Slurm tests
# (scripts/slurm/up: as root; installs Debian's slurm-wlm and munge if they
# are missing; a running cluster is reused). .ci/run brings it up.
slurm-up:
	@./scripts/slurm/up

slurm-down:
	@./scripts/slurm/down

# Regenerate the committed gRPC code of the plugin protocols (representation,
# block) with protoc (apt-get install protobuf-compiler; 3.21.12 made the
# committed files) and the pinned code generators, installed into bin/tools.
PROTOC_GEN_GO      := google.golang.org/protobuf/cmd/protoc-gen-go@v1.36.12
PROTOC_GEN_GO_GRPC := google.golang.org/grpc/cmd/protoc-gen-go-grpc@v1.6.2
PROTOS             := plugins/proto/representation.proto plugins/proto/block.proto
.PHONY: proto proto-check
proto:
	@$(MAKE) --no-print-directory proto-gen PROTO_OUT=plugins/proto

# proto-check (in lint) regenerates into a temporary directory and fails if
# the committed code differs: the protocol files and their code cannot
# drift apart. Without protoc it says SKIPPED, or fails where CI is set.
proto-check:
	@if ! command -v protoc >/dev/null 2>&1; then \
		if [ -n "$$CI" ]; then echo "==> proto-check FAILED: no protoc and CI is set (apt-get install protobuf-compiler; .ci/run installs it)"; exit 1; fi; \
		echo "==> proto-check SKIPPED: no protoc (apt-get install protobuf-compiler)"; \
	else \
		tmp=$$(mktemp -d) && \
		$(MAKE) --no-print-directory proto-gen PROTO_OUT=$$tmp && \
		for f in $$(cd $$tmp && ls); do cmp -s $$tmp/$$f plugins/proto/$$f || { echo "==> plugins/proto/$$f differs from what make proto generates from the .proto files"; rm -rf $$tmp; exit 1; }; done; \
		echo "proto-check: plugins/proto/*.pb.go are what make proto generates"; rm -rf $$tmp; \
	fi

.PHONY: proto-gen
proto-gen:
	@GOBIN=$(TOOLS) $(GO) install $(PROTOC_GEN_GO) && GOBIN=$(TOOLS) $(GO) install $(PROTOC_GEN_GO_GRPC)
	PATH="$(TOOLS):$$PATH" protoc -I plugins/proto \
		--go_out=$(PROTO_OUT) --go_opt=paths=source_relative \
		--go-grpc_out=$(PROTO_OUT) --go-grpc_opt=paths=source_relative \
		$(PROTOS)
