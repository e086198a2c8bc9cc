# ghlsync — build, test, lint, bench. See README.md.
GO        ?= go
PKGS      ?= ./...
BIN       := bin
GOTESTFLAGS ?= -count=1 -timeout=30m
STATICCHECK_VERSION := v0.8.2

.PHONY: all test test-short lint fmt vet staticcheck bench fuzz chaos build clean deps run chromium

all: lint test

## deps: install what the tests need (npm packages, when package.json exists).
deps:
	@if [ -f package.json ]; then \
		command -v npm >/dev/null || { echo "make deps: npm is required (Node.js 20+)" >&2; exit 1; }; \
		[ -d node_modules ] && [ node_modules/.package-lock.json -nt package-lock.json ] || npm ci --no-audit --no-fund --loglevel=error; \
	fi

## test: every test, from a fresh clone (installs its own dependencies).
test: deps
	$(GO) vet $(PKGS)
	$(GO) test $(GOTESTFLAGS) $(PKGS)

## test-short: the fast unit tests only.
test-short:
	$(GO) test -short -count=1 $(PKGS)

## lint: gofmt, go vet, staticcheck, cfn-lint on template.yaml.
lint: fmt vet staticcheck lint-template

fmt:
	@out=$$(gofmt -l $$(git ls-files '*.go' 2>/dev/null || find . -name '*.go' -not -path './node_modules/*')); \
	if [ -n "$$out" ]; then echo "gofmt needed:"; echo "$$out"; exit 1; fi

vet:
	$(GO) vet $(PKGS)

staticcheck:
	@command -v staticcheck >/dev/null 2>&1 || { echo "installing staticcheck $(STATICCHECK_VERSION)"; $(GO) install honnef.co/go/tools/cmd/staticcheck@$(STATICCHECK_VERSION); }
	PATH="$$PATH:$$($(GO) env GOPATH)/bin" staticcheck $(PKGS)

## bench: one Markdown table (README "Performance"): cold starts, sizes, peak RSS,
## warm per-event cost, the 10,000-contact backfill, the official Node SDK beside
## ghlsync. The per-event benchmarks are also in $(BENCH_OUT)/bench.txt (benchstat).
BENCHTIME  ?= 500x
BENCHCOUNT ?= 3
BENCH_OUT  ?= build/bench
bench: deps
	@mkdir -p $(BENCH_OUT)
	@echo "make bench: per-event benchmarks ($(BENCHCOUNT) × $(BENCHTIME)) → $(BENCH_OUT)/bench.txt" >&2
	@$(GO) test -run='^$$' -bench='^BenchmarkEvent$$' -benchmem -benchtime=$(BENCHTIME) -count=$(BENCHCOUNT) -timeout=30m \
		./internal/benchreport > $(BENCH_OUT)/bench.txt 2>&1 || { cat $(BENCH_OUT)/bench.txt; exit 1; }
	@echo "make bench: sweep rate and backfill request counts (sandbox's scaled clock) → $(BENCH_OUT)/bench.txt" >&2
	@$(GO) test -run='^$$' -bench='^Benchmark(SustainedRate|ContactBackfill)$$' -benchtime=1x -count=3 -timeout=30m \
		./internal/sweep >> $(BENCH_OUT)/bench.txt 2>&1 || { cat $(BENCH_OUT)/bench.txt; exit 1; }
	@echo "make bench: cold starts, backfill, Node SDK comparison → $(BENCH_OUT)/report.md" >&2
	@BENCH_TXT=$(CURDIR)/$(BENCH_OUT)/bench.txt BENCH_REPORT=$(CURDIR)/$(BENCH_OUT)/report.md \
		$(GO) test -tags bench -run='^TestBenchReport$$' -count=1 -timeout=30m -v ./internal/benchreport > $(BENCH_OUT)/report.log 2>&1 \
		|| { cat $(BENCH_OUT)/report.log; exit 1; }
	@grep -h 'SKIPPING' $(BENCH_OUT)/report.log >&2 || true
	@cat $(BENCH_OUT)/report.md

## fuzz: every fuzz target for FUZZTIME each, one after another (their seed
## corpora also run in make test).
FUZZTIME ?= 20s
FUZZ_TARGETS := ./internal/webhook:FuzzGHLVerify ./internal/webhook:FuzzStandardVerify \
	./internal/crmsync:FuzzParseGHLPayload ./internal/install:FuzzParseEvent \
	./internal/peer/stdwebhooks:FuzzReceive ./internal/ghl:FuzzDecodeResponse
fuzz:
	@for t in $(FUZZ_TARGETS); do pkg=$${t%%:*}; fn=$${t##*:}; \
		echo "fuzz $$fn in $$pkg for $(FUZZTIME)"; \
		$(GO) test -run='^$$' -fuzz="^$$fn$$" -fuzztime=$(FUZZTIME) $$pkg || exit 1; \
	done

## chaos: 10,000 events on both sides, each delivered 1–3× shuffled, under GHL, peer,
## DynamoDB (fault proxy before DynamoDB Local) and cancellation faults; then the
## redeliveries and one sweep per stream. Prints one table (events, deliveries, faults,
## retries, mismatches, duplicates, lost; targets 0) and fails when any is not 0.
## Seeded: CHAOS_SEED, CHAOS_EVENTS, CHAOS_WORKERS (0 = default 16) override.
CHAOS_SEED    ?= 1
CHAOS_EVENTS  ?= 10000
CHAOS_WORKERS ?= 0
CHAOS_OUT     ?= build/chaos
chaos: deps
	@mkdir -p $(CHAOS_OUT)
	@rm -f $(CHAOS_OUT)/report.md
	@CHAOS_SEED=$(CHAOS_SEED) CHAOS_EVENTS=$(CHAOS_EVENTS) CHAOS_WORKERS=$(CHAOS_WORKERS) CHAOS_REPORT=$(CURDIR)/$(CHAOS_OUT)/report.md \
		$(GO) test -run='^TestChaos$$' -count=1 -timeout=30m -v ./internal/chaos > $(CHAOS_OUT)/chaos.log 2>&1; rc=$$?; \
	if [ -f $(CHAOS_OUT)/report.md ]; then cat $(CHAOS_OUT)/report.md; else cat $(CHAOS_OUT)/chaos.log; fi; \
	[ $$rc -eq 0 ] || { grep -h -- '--- FAIL\|chaos_test.go' $(CHAOS_OUT)/chaos.log >&2; exit $$rc; }

## run: build ghlsync and run "ghlsync dev" (every route on 127.0.0.1:8080, the GHL sandbox,
## a local peer inbox, the page at /); no AWS or GHL account needed. See docs/local-run.md.
## DEV_FLAGS passes flags, e.g. make run DEV_FLAGS="--addr 127.0.0.1:9090 --contacts 50".
DEV_FLAGS ?=
run:
	$(GO) build -buildvcs=auto -o $(BIN)/ghlsync ./cmd/ghlsync
	./$(BIN)/ghlsync dev $(DEV_FLAGS)

## chromium: Debian's chromium for the dev page's headless browser test; installs only when
## /usr/bin/chromium is missing (needs root and apt-get).
chromium:
	@if [ -x /usr/bin/chromium ]; then echo "chromium: $$(/usr/bin/chromium --version 2>/dev/null | head -n1)"; \
	elif [ "$$(id -u)" = 0 ] && command -v apt-get >/dev/null 2>&1; then \
		apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends chromium >/dev/null && /usr/bin/chromium --version | head -n1; \
	else echo "make chromium: /usr/bin/chromium is missing; install Debian's chromium (sudo apt-get install -y chromium)" >&2; exit 1; fi

## build: compile every package and command.
build:
	$(GO) build $(PKGS)

clean:
	rm -rf $(BIN) build .aws-sam

# ---- Lambda packaging. `sam build` runs build-<LogicalId> (template.yaml: BuildMethod makefile)
# with ARTIFACTS_DIR set; each target leaves $(ARTIFACTS_DIR)/bootstrap for linux/arm64.

.PHONY: build-functions lint-template build-ContactUpsertFunction build-TaskSyncFunction \
	build-NoteSyncFunction build-AppointmentPullFunction build-AppInstallFunction

LAMBDA_FUNCTIONS := contact-upsert task-sync note-sync appointment-pull app-install
LAMBDA_GOOS      ?= linux
LAMBDA_GOARCH    ?= arm64
FUNCTIONS_OUT    ?= build

build-ContactUpsertFunction:
	GOOS=linux GOARCH=arm64 CGO_ENABLED=0 $(GO) build -tags lambda.norpc -trimpath -ldflags="-s -w" -o $(ARTIFACTS_DIR)/bootstrap ./functions/contact-upsert

build-TaskSyncFunction:
	GOOS=linux GOARCH=arm64 CGO_ENABLED=0 $(GO) build -tags lambda.norpc -trimpath -ldflags="-s -w" -o $(ARTIFACTS_DIR)/bootstrap ./functions/task-sync

build-NoteSyncFunction:
	GOOS=linux GOARCH=arm64 CGO_ENABLED=0 $(GO) build -tags lambda.norpc -trimpath -ldflags="-s -w" -o $(ARTIFACTS_DIR)/bootstrap ./functions/note-sync

build-AppointmentPullFunction:
	GOOS=linux GOARCH=arm64 CGO_ENABLED=0 $(GO) build -tags lambda.norpc -trimpath -ldflags="-s -w" -o $(ARTIFACTS_DIR)/bootstrap ./functions/appointment-pull

build-AppInstallFunction:
	GOOS=linux GOARCH=arm64 CGO_ENABLED=0 $(GO) build -tags lambda.norpc -trimpath -ldflags="-s -w" -o $(ARTIFACTS_DIR)/bootstrap ./functions/app-install

# sam build always sets ARTIFACTS_DIR; by hand, `make build-TaskSyncFunction` alone would write /bootstrap.
build-%Function: ARTIFACTS_DIR ?= $(error ARTIFACTS_DIR is not set: sam build sets it, or run make $@ ARTIFACTS_DIR=build/x)

## build-functions: every function as $(FUNCTIONS_OUT)/<name>/bootstrap for linux/arm64;
## LAMBDA_GOARCH=amd64 (and LAMBDA_GOOS) build for another machine, e.g. the host in tests.
build-functions:
	@for f in $(LAMBDA_FUNCTIONS); do \
		echo "$(FUNCTIONS_OUT)/$$f/bootstrap ($(LAMBDA_GOOS)/$(LAMBDA_GOARCH))"; \
		GOOS=$(LAMBDA_GOOS) GOARCH=$(LAMBDA_GOARCH) CGO_ENABLED=0 $(GO) build -tags lambda.norpc -trimpath -ldflags="-s -w" -o $(FUNCTIONS_OUT)/$$f/bootstrap ./functions/$$f || exit 1; \
	done

## lint-template: cfn-lint template.yaml (errors and warnings fail); loud when cfn-lint is missing.
lint-template:
	@if command -v cfn-lint >/dev/null 2>&1; then cfn-lint template.yaml && echo "cfn-lint template.yaml: clean"; \
	else echo "lint-template: SKIPPED, cfn-lint not found on PATH (it ships with the machine image's pyenv Python; see shared/AWS-LOCAL.md section 4)" >&2; fi
