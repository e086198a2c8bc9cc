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

## bench: benchmarks with figures a person can compare.
bench: deps
	$(GO) test -run='^$$' -bench=. -benchmem -count=1 $(PKGS)

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
