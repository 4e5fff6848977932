# Guest Accounts for Mattermost. `make help` lists the targets.
GO ?= go
NPM ?= npm
SHELL := /bin/bash

PLUGIN_ID      := guest-accounts
PLUGIN_VERSION := $(shell sed -n 's/^ *"version": *"\([^"]*\)".*/\1/p' plugin.json | head -1)
BUNDLE         := dist/$(PLUGIN_ID)-$(PLUGIN_VERSION).tar.gz
PLATFORMS      := linux-amd64 linux-arm64 darwin-amd64 darwin-arm64 windows-amd64
server_bin      = server/dist/plugin-$(1)$(if $(findstring windows,$(1)),.exe,)
SERVER_BINS    := $(foreach p,$(PLATFORMS),$(call server_bin,$(p)))
# The tests, `make run` and `make bench` start a server on this machine, so
# their bundle carries this machine's server binary only (dist-test).
HOST_PLATFORM  := $(shell $(GO) env GOOS)-$(shell $(GO) env GOARCH)
TEST_BUNDLE    := dist/test/$(PLUGIN_ID)-$(PLUGIN_VERSION)-$(HOST_PLATFORM).tar.gz
GO_SOURCES     := $(shell find server build -name '*.go' -not -path 'build/testserver/*') go.mod go.sum
WEBAPP_SOURCES := $(shell find webapp/src webapp/standin -type f 2>/dev/null) webapp/package.json webapp/build.mjs webapp/tsconfig.json
RUN_DIR        ?= .run
BIN            := bin
# Packages whose tests need the real server (run by test-integration).
INTEGRATION_PKGS := ./server/integration/... ./server/testhelper/stack/...
# Real-server packages that unit runs leave out.
REAL_SERVER_PKGS := -e /server/integration -e /server/testhelper/stack -e /server/browsertest -e /server/bench
GO_TEST_FLAGS  ?= -count=1
# The pinned Mattermost server, built once into the cache (see build/mattermost-server.sh).
MM_DIR = $(shell build/mattermost-server.sh)
# What the real-server targets pass to the tests and the dev stack.
STACK_ENV = GA_MATTERMOST_DIR=$(MM_DIR) GA_BUNDLE=$(CURDIR)/$(TEST_BUNDLE)

.PHONY: all help apply i18n-extract server webapp dist dist-test check-style test test-unit test-integration test-webapp test-browser \
	bench bench-table fuzz run stop deploy clean deps mattermost-server webapp-deps

all: check-style test dist ## style checks, every test, the bundle

help: ## list the targets
	@grep -E '^[a-z-]+:.*## ' $(MAKEFILE_LIST) | sed 's/:.*## /\t/' | expand -t 20

apply: ## embed plugin.json into the server and webapp code; write the webapp's per-guest settings from server/policy
	@$(GO) run ./build/manifest apply
	@$(GO) run ./build/guestfields

i18n-extract: ## regenerate assets/i18n/server.en.json from the server code
	@$(GO) run ./build/i18n extract

deps: ## install what a fresh machine lacks: Debian packages (as root) and the pinned golangci-lint
	@build/deps.sh

# ---- build ------------------------------------------------------------------

server/manifest.go webapp/src/manifest.ts: plugin.json build/manifest/main.go
	$(GO) run ./build/manifest apply

# The webapp's side of the per-guest settings and restrictions, from their
# one definition in server/policy (a test fails when it is out of date).
webapp/src/generated/guest_fields.ts: server/policy/restrictions.go server/policy/guestfields.go build/guestfields/main.go
	$(GO) run ./build/guestfields

server/dist/plugin-%: $(GO_SOURCES) server/manifest.go
	@mkdir -p server/dist
	$(eval p := $(basename $*))
	CGO_ENABLED=0 GOOS=$(word 1,$(subst -, ,$(p))) GOARCH=$(word 2,$(subst -, ,$(p))) \
		$(GO) build -trimpath -ldflags '-s -w' -o $@ ./server

server: $(SERVER_BINS) ## build the server binaries for every platform

webapp/node_modules/.installed: webapp/package.json webapp/package-lock.json
	cd webapp && $(NPM) ci --no-audit --no-fund --loglevel=error
	@touch $@

webapp-deps: webapp/node_modules/.installed

webapp/dist/main.js: webapp/node_modules/.installed $(WEBAPP_SOURCES) webapp/src/manifest.ts webapp/src/generated/guest_fields.ts
	cd webapp && $(NPM) run build

webapp: webapp/dist/main.js ## build the webapp bundle (and the stand-in client, webapp/dist/standin)

BUNDLE_INPUTS := webapp/dist/main.js plugin.json $(shell find assets -type f)

# $(call pack,server binaries): the bundle $@ with those server binaries.
define pack
@rm -rf $@.d && mkdir -p $@.d/$(PLUGIN_ID)/server/dist $@.d/$(PLUGIN_ID)/webapp/dist
cp plugin.json $@.d/$(PLUGIN_ID)/
cp -r assets $@.d/$(PLUGIN_ID)/
cp $(1) $@.d/$(PLUGIN_ID)/server/dist/
cp webapp/dist/main.js $@.d/$(PLUGIN_ID)/webapp/dist/
tar -C $@.d -czf $@ $(PLUGIN_ID)
@rm -rf $@.d
@echo "plugin bundle: $@"
endef

$(BUNDLE): $(SERVER_BINS) $(BUNDLE_INPUTS)
	$(call pack,$(SERVER_BINS))

$(TEST_BUNDLE): $(call server_bin,$(HOST_PLATFORM)) $(BUNDLE_INPUTS)
	@mkdir -p $(@D)
	$(call pack,$(call server_bin,$(HOST_PLATFORM)))

dist: $(BUNDLE) ## the plugin bundle (.tar.gz) for System Console > Plugins, every platform

dist-test: $(TEST_BUNDLE) ## the bundle with this machine's server binary only (tests, run, bench)

mattermost-server: ## build the pinned Mattermost server into the cache (once)
	@build/mattermost-server.sh

# ---- checks and tests -----------------------------------------------------------

# golangci-lint (.golangci.yml) runs gofmt, goimports, go vet and the other
# linters; build/deps.sh installs the pinned version.
check-style: webapp-deps server/manifest.go ## golangci-lint (gofmt, go vet, staticcheck, gosec, ...), i18n catalog, eslint, tsc
	build/golangci-lint.sh run ./server/... ./build/...
	$(GO) run ./build/i18n check
	cd webapp && $(NPM) run lint && $(NPM) run check-types

test: test-unit test-webapp test-integration test-browser ## every test: unit, webapp, real server, browser

# Fuzzing budgets are execution counts, not durations: on Go 1.26 a
# -fuzztime duration can end a clean run with a spurious "context deadline
# exceeded" failure (golang/go#75804, fixed in Go 1.27; seen here).
test-unit: server/manifest.go ## Go unit tests (policy, store, app logic, ...)
	$(GO) test $(GO_TEST_FLAGS) $$($(GO) list ./server/... ./build/... | grep -v $(REAL_SERVER_PKGS))
	$(GO) test -run='^$$' -fuzz=FuzzParseEmail -fuzztime=300000x -fuzzminimizetime=200x ./server/policy/
	$(GO) test -run='^$$' -fuzz=FuzzAllowList -fuzztime=150000x -fuzzminimizetime=200x ./server/policy/
	$(GO) test -run='^$$' -fuzz=FuzzParseToken -fuzztime=150000x -fuzzminimizetime=200x ./server/policy/
	$(GO) test -run='^$$' -fuzz=FuzzDecodeBody -fuzztime=40000x -fuzzminimizetime=200x ./server/api/

test-webapp: webapp-deps ## webapp component tests (jest + Testing Library)
	cd webapp && $(NPM) test

test-integration: dist-test mattermost-server ## real Mattermost + PostgreSQL + SMTP sink tests
	$(STACK_ENV) $(GO) test $(GO_TEST_FLAGS) -p 1 -timeout 40m $(INTEGRATION_PKGS)

e2e/node_modules/.installed: e2e/package.json e2e/package-lock.json
	cd e2e && $(NPM) ci --no-audit --no-fund --loglevel=error
	@touch $@

test-browser: dist-test mattermost-server webapp-deps e2e/node_modules/.installed ## headless Chromium against the real server (screenshots in build/out/screenshots)
	@test -x /usr/bin/chromium || { echo "Chromium is missing: run 'make deps' (apt-get install chromium)"; exit 1; }
	$(STACK_ENV) $(GO) test $(GO_TEST_FLAGS) -p 1 -timeout 20m ./server/browsertest/...

BENCH_OUT := build/out/bench
# The bench's server and database live in memory (tmpfs), away from the
# virtual disk's write-back stalls, which made whole visits of a
# configuration 20-40 % slower at random (GA_BENCH_TMPDIR overrides).
BENCH_TMPDIR ?= $(if $(GA_BENCH_TMPDIR),$(GA_BENCH_TMPDIR),$(if $(wildcard /dev/shm),/dev/shm,$(TMPDIR)))
BENCH_ENV  = $(STACK_ENV) GA_BENCH_OUT=$(CURDIR)/$(BENCH_OUT) TMPDIR=$(BENCH_TMPDIR)

# The real-server run compares the plugin disabled, the no-op plugin and
# Guest Accounts in paired blocks until every ratio to the no-op plugin is
# known within ±3 % (docs/performance.md, "Method"). GA_BENCH_WORKERS,
# GA_BENCH_POSTS, GA_BENCH_JOINS, GA_BENCH_MIN_CYCLES, GA_BENCH_MAX_CYCLES,
# GA_BENCH_BUDGET_MIN, GA_BENCH_GUESTS and GA_BENCH_SCALE (e.g. 10000,100000)
# change its sizes.
bench: dist-test mattermost-server ## benchmarks: hook decisions (Go), then plugin overhead (paired, with 95% intervals) and scale on the real server; JSON in build/out/bench
	@mkdir -p $(BENCH_OUT)
	set -o pipefail; $(GO) test -run='^$$' -bench=. -benchmem -benchtime=200ms ./server/policy/ ./server/app/... ./server/store/guestcache/ | tee $(BENCH_OUT)/go-bench.txt
	$(BENCH_ENV) $(GO) test -count=1 -run='^$$' -bench=SwitchOff -benchtime=1x -timeout 30m ./server/bench/
	$(BENCH_ENV) GA_GOBENCH=$(CURDIR)/$(BENCH_OUT)/go-bench.txt \
		$(GO) test -count=1 -run='^$$' -bench=Server -benchtime=1x -timeout 145m ./server/bench/
	@echo "make bench-table writes this run's tables into docs/performance.md and README.md"

bench-table: ## write the tables of docs/performance.md and README.md from build/out/bench/latest.json
	$(GO) run ./build/benchtable -in $(BENCH_OUT)/latest.json docs/performance.md README.md

fuzz: ## longer fuzzing runs (a few minutes each)
	$(GO) test -run='^$$' -fuzz=FuzzParseEmail -fuzztime=4000000x -fuzzminimizetime=200x ./server/policy/
	$(GO) test -run='^$$' -fuzz=FuzzAllowList -fuzztime=4000000x -fuzzminimizetime=200x ./server/policy/
	$(GO) test -run='^$$' -fuzz=FuzzParseToken -fuzztime=2000000x -fuzzminimizetime=200x ./server/policy/
	$(GO) test -run='^$$' -fuzz=FuzzDecodeBody -fuzztime=1000000x -fuzzminimizetime=200x ./server/api/

# ---- running ----------------------------------------------------------------

$(BIN)/devstack: $(GO_SOURCES)
	$(GO) build -o $@ ./build/devstack

run: dist-test mattermost-server $(BIN)/devstack ## start a local Mattermost + PostgreSQL with the plugin; prints the plugin UI's URL and login
	GA_MATTERMOST_DIR=$(MM_DIR) $(BIN)/devstack up -dir $(RUN_DIR) -bundle $(TEST_BUNDLE) -standin webapp/dist/standin

stop: $(BIN)/devstack ## stop what `make run` started
	$(BIN)/devstack down -dir $(RUN_DIR)

deploy: dist ## install on an existing server: MM_SERVICESETTINGS_SITEURL + MM_ADMIN_TOKEN
	$(GO) run ./build/deploy $(PLUGIN_ID) $(BUNDLE)

clean: ## remove build output and the make-run state (stop it first)
	@if [ -f $(RUN_DIR)/mattermost.pid ]; then echo "stop the local server first: make stop"; exit 1; fi
	rm -rf dist server/dist webapp/dist $(BIN) $(RUN_DIR) build/out
