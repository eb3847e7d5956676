# gokern's developer entry points. `make test` is what CI runs.
GO          ?= go
GOBIN       := $(shell $(GO) env GOPATH)/bin
STATICCHECK := $(GOBIN)/staticcheck
# Pinned so every machine lints with the same rules.
STATICCHECK_VERSION := v0.8.2
# gotestsum runs the native suite: its summary lists every skipped test with
# its reason, so a kernel path this CPU lacks shows as skipped, by name.
GOTESTSUM := $(GOBIN)/gotestsum
GOTESTSUM_VERSION := v1.13.0

.PHONY: all test lint check-generated generate test-go test-race test-purego test-arm64 bench bench-peers bench-ab train tools

all: test

## test: formatting, vet, staticcheck, stale generated code, the arm64 build
## under qemu-user, the purego build, -race on the threaded code, and last the
## full suite on every kernel path (so its summary closes the output).
test: lint check-generated test-arm64 test-purego test-race test-go

tools: $(STATICCHECK) $(GOTESTSUM)

$(STATICCHECK):
	$(GO) install honnef.co/go/tools/cmd/staticcheck@$(STATICCHECK_VERSION)

$(GOTESTSUM):
	$(GO) install gotest.tools/gotestsum@$(GOTESTSUM_VERSION)

lint: tools
	@unformatted=$$(gofmt -l $$(git ls-files '*.go')); \
	if [ -n "$$unformatted" ]; then echo "gofmt needed on:"; echo "$$unformatted"; exit 1; fi
	$(GO) vet ./...
	GOARCH=arm64 $(GO) vet ./...
	$(GO) vet -tags purego ./...
	$(STATICCHECK) ./...

## generate: rewrite every assembly file (Avo for amd64, ./asm/neon for arm64).
generate:
	$(GO) generate ./asm

## check-generated: fail when `go generate ./asm` would change anything.
check-generated:
	bash .ci/check-generated.sh

test-go: $(GOTESTSUM)
	$(GOTESTSUM) --format pkgname -- -count=1 ./...

# The threaded code: SGEMM's worker pool and everything that calls it.
test-race:
	$(GO) test -count=1 -race -short ./kernels ./conv ./nn ./internal/parallel

test-purego:
	$(GO) test -count=1 -short -tags purego ./...

test-arm64:
	bash .ci/test-arm64.sh

## bench: the full benchmark report (Markdown on stdout, charts in bench-out/).
bench:
	$(GO) run ./bench/cmd/bench -out bench-out

## bench-peers: gokern against PyTorch on the same DCGAN, tuned (jemalloc,
## OPENBLAS_NUM_THREADS=1) and default, at 1 and 2 threads. Needs Debian's
## python3-torch, libjemalloc2 and libopenblas0-pthread (apt-get install -y ...).
bench-peers:
	bash bench/peers/run.sh

## bench-ab: one Go benchmark of the working tree against BASE, alternating,
## with paired ratios (bench/ab/run.sh lists the settings), e.g.
## BASE=HEAD~1 BENCH='Conv/D/conv2d_1/forward/avx2' BENCHTIME=150x make bench-ab
bench-ab:
	bash bench/ab/run.sh

## train: the main job with its defaults.
train:
	$(GO) run ./gan/cmd/train
