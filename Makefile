# ghlsync — build, test, lint, bench. See README.md.
GO        ?= go
PKGS      ?= ./...
BIN       := bin
GOTESTFLAGS ?= -count=1 -timeout=30m
STATICCHECK_VERSION := v0.8.2

.PHONY: all test test-short lint fmt vet staticcheck bench build clean deps

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

## lint: gofmt, go vet, staticcheck.
lint: fmt vet staticcheck

fmt:
	@out=$$(gofmt -l $$(git ls-files '*.go' 2>/dev/null || find . -name '*.go' -not -path './node_modules/*')); \
	if [ -n "$$out" ]; then echo "gofmt needed:"; echo "$$out"; exit 1; fi

vet:
	$(GO) vet $(PKGS)

staticcheck:
	@command -v staticcheck >/dev/null 2>&1 || { echo "installing staticcheck $(STATICCHECK_VERSION)"; $(GO) install honnef.co/go/tools/cmd/staticcheck@$(STATICCHECK_VERSION); }
	PATH="$$PATH:$$($(GO) env GOPATH)/bin" staticcheck $(PKGS)

## bench: benchmarks with figures a person can compare.
bench: deps
	$(GO) test -run='^$$' -bench=. -benchmem -count=1 $(PKGS)

## build: compile every package and command.
build:
	$(GO) build $(PKGS)

clean:
	rm -rf $(BIN) build .aws-sam
