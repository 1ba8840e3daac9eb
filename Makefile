# talkjs-go: the everyday commands. Only Go is needed; tools come from the module proxy.
GO        ?= go
OAPI      := github.com/oapi-codegen/oapi-codegen/v2/cmd/oapi-codegen
SPEC      := openapi/talkjs-openapi.yml
# The library is the root module; the spec's validator, the server, the CLI,
# the benchmarks and the examples are modules of their own (go.work joins
# them), so that a program importing talkjs never sees their dependencies.
MODULE    := github.com/gotalkjs/talkjs-go
MODULES   := . api bench cmd examples internal openapi talkjs/talkjstest talkjs/validate
PKGS      := $(MODULE)/...
GEN_PARTS := $(patsubst gen/%.cfg.yaml,%,$(wildcard gen/*.cfg.yaml))

.PHONY: all test generate check-generated check-modules lint lint-spec fmt vet demo bench bench-prism footprint validate-prism conformance-prism validate-talkjs-core
REDOCLY   := @redocly/cli@2.77.0
# Prism, an OpenAPI mock and validating proxy independent of kin-openapi, for validate-prism and conformance-prism.
PRISM         := @stoplight/prism-cli@5.14.2
PRISM_DIR     ?= $(or $(XDG_CACHE_HOME),$(HOME)/.cache)/talkjs-go/prism-5.14.2
PRISM_BIN     := $(PRISM_DIR)/node_modules/.bin/prism

all: test

## demo: walk through every TalkJS flow on an embedded in-memory server
demo:
	$(GO) run ./cmd/talkjs demo

## generate: regenerate gen/ from the spec (run after editing openapi/talkjs-openapi.yml)
generate:
	$(GO) generate ./...

## check-generated: fail when gen/ differs from what the generator makes
check-generated:
	@tmp=$$(mktemp -d) && trap 'rm -rf "$$tmp"' EXIT && \
	for p in $(GEN_PARTS); do \
		$(GO) run -C tools $(OAPI) -config ../gen/$$p.cfg.yaml -o "$$tmp/$$p.gen.go" ../$(SPEC) || exit 1; \
		if ! cmp -s "$$tmp/$$p.gen.go" gen/$$p.gen.go; then \
			echo "gen/$$p.gen.go differs from what the generator makes: run 'make generate' and commit"; \
			diff -u gen/$$p.gen.go "$$tmp/$$p.gen.go" | head -40; exit 1; \
		fi; \
	done; \
	for f in gen/*.gen.go; do \
		p=$$(basename $$f .gen.go); [ -f gen/$$p.cfg.yaml ] || { echo "$$f has no config: remove it"; exit 1; }; \
	done; \
	echo "gen/ is up to date"

## fmt: format the code
fmt:
	gofmt -w $$(git ls-files '*.go' 2>/dev/null || find . -name '*.go')

## lint: gofmt and go vet
lint: vet
	@out=$$(gofmt -l .); if [ -n "$$out" ]; then echo "gofmt would change:"; echo "$$out"; exit 1; fi

## lint-spec: lint the spec with Redocly's recommended rules (needs Node.js; not part of make test)
lint-spec:
	npx -y $(REDOCLY) lint --config openapi/redocly.yaml $(SPEC)

vet:
	$(GO) vet $(PKGS)

## check-modules: every module's go.mod is tidy on its own (without go.work), and go.work uses every module
check-modules:
	@for m in $(MODULES); do \
		(cd $$m && GOWORK=off $(GO) mod tidy -diff >/dev/null) || { echo "$$m/go.mod is not tidy: run (cd $$m && GOWORK=off go mod tidy)"; exit 1; }; \
	done; \
	have=$$(find . -name go.mod -not -path './tools/*' -not -path './.git/*' | sed 's#/go.mod$$##; s#^\./##; s#^\.$$#.#; s#^$$#.#' | sort); \
	want=$$(echo $(MODULES) | tr ' ' '\n' | sort); \
	used=$$($(GO) work edit -json | sed -n 's/.*"DiskPath": "\(.*\)".*/\1/p' | sed 's#^\./##' | sort); \
	[ "$$have" = "$$want" ] || { echo "Makefile MODULES ($$want) differ from the go.mod files ($$have)"; exit 1; }; \
	[ "$$used" = "$$want" ] || { echo "go.work uses ($$used), want ($$want)"; exit 1; }; \
	echo "modules are tidy: $(MODULES)"

## conformance-prism: `talkjs conformance` against Prism's stateless mock of the spec (needs Node.js and npm); prints the table
conformance-prism: $(PRISM_BIN)
	TALKJS_PRISM="$(PRISM_BIN)" $(GO) test -count=1 -run '^TestConformanceAgainstPrismMock$$' -v ./cmd/talkjs/

## staticcheck: run staticcheck, pinned, through the module proxy (go.mod is not touched)
STATICCHECK := honnef.co/go/tools/cmd/staticcheck@v0.8.2
.PHONY: staticcheck
staticcheck:
	$(GO) run $(STATICCHECK) $(PKGS)

# The race detector needs cgo, so a C compiler; where there is none, make test
# runs the tests without it and says so.
RACE := $(shell [ "$$($(GO) env CGO_ENABLED)" = 1 ] && command -v "$$($(GO) env CC)" >/dev/null 2>&1 && echo -race)

## test: lint, check gen/, then every test (with the race detector when a C compiler is there)
test: lint check-generated check-modules
	@[ -n "$(RACE)" ] || echo "make test: no C compiler for cgo, so the race detector is off (install gcc, e.g. apt-get install gcc, to turn it on)"
	$(GO) test $(RACE) -count=1 $(PKGS)

## footprint: binary size, init time and module list of a program that imports only talkjs, beside plain net/http
footprint:
	bash bench/footprint/footprint.sh

## bench: every benchmark of BENCHMARKS.md (several minutes, most of it BenchmarkScale's stores of 100,000 conversations; longer on a busy machine), then tables: ratios to the hand-written floor, the import's use of a rate limit (5 runs at 100:10 and 100:100), the server at scale, and server ÷ Prism mock throughput when Prism is installed (make bench-prism installs it)
BENCH_ROUNDS ?= 7
bench:
	@tmp=$$(mktemp -d) && trap 'rm -rf "$$tmp"' EXIT && out="$$tmp/out" && \
	$(GO) test -c -o "$$tmp/bench.test" ./bench/ && \
	$(GO) test -c -o "$$tmp/talkjs.test" ./talkjs/ && \
	$(GO) test -c -o "$$tmp/importer.test" ./cmd/talkjs/internal/importer/ && \
	run() { dir=$$1; bin=$$2; shift 2; echo "bench: $$bin $$*" >&2; \
		(cd "$$dir" && "$$tmp/$$bin" -test.run '^$$' "$$@") >> "$$out" || { cat "$$out"; exit 1; }; } && \
	for i in $$(seq $(BENCH_ROUNDS)); do \
		run bench bench.test -test.bench '^Benchmark(GetConversation|SendMessage)$$' -test.benchtime 10000x; \
		run bench bench.test -test.bench '^BenchmarkInMemory$$' -test.benchtime 30000x; \
		run bench bench.test -test.bench '^BenchmarkListMessagesPage$$' -test.benchtime 300x; \
	done && \
	run bench bench.test -test.bench '^Benchmark(IterateMessages|Upload)$$' -test.benchtime 2x && \
	run talkjs talkjs.test -test.bench '^Benchmark(AppToken|IdempotencyKeys)$$' -test.benchtime 1s && \
	run bench bench.test -test.bench '^BenchmarkServer$$' -test.benchtime 20000x && \
	run bench bench.test -test.bench '^BenchmarkServerMemory$$' -test.benchtime 1x && \
	run cmd/talkjs/internal/importer importer.test -test.bench '^BenchmarkImport$$/^limit=none$$' -test.benchtime 1x && \
	run cmd/talkjs/internal/importer importer.test -test.bench '^BenchmarkImport$$/^limit=100:(10|100)$$/^pace=on$$' -test.benchtime 1x -test.count 5 && \
	run bench bench.test -test.bench '^BenchmarkScale$$' -test.benchtime 30x -test.timeout 30m && \
	TALKJS_PRISM="$$([ -x "$(PRISM_BIN)" ] && echo "$(PRISM_BIN)")" run bench bench.test -test.v -test.bench '^BenchmarkPrism$$' -test.benchtime 2000x && \
	$(GO) run ./bench/benchtable < "$$out"

## bench-prism: install Prism (npm) and measure server ÷ Prism mock throughput alone (BenchmarkPrism)
bench-prism: $(PRISM_BIN)
	@tmp=$$(mktemp) && trap 'rm -f "$$tmp"' EXIT && \
	TALKJS_PRISM="$(PRISM_BIN)" $(GO) test -count=1 -run '^$$' -bench '^BenchmarkPrism$$' -benchtime 2000x ./bench/ > "$$tmp" || { cat "$$tmp"; exit 1; }; \
	$(GO) run ./bench/benchtable < "$$tmp"

## validate-prism: run a scenario through Prism, an independent OpenAPI validator, in front of the server (needs Node.js and npm)
validate-prism: $(PRISM_BIN)
	TALKJS_PRISM="$(PRISM_BIN)" $(GO) test -count=1 -run '^TestPrismProxy$$' -v ./api/
	TALKJS_PRISM="$(PRISM_BIN)" $(GO) test -count=1 -run '^TestConformanceThroughPrism$$' -v ./cmd/talkjs/

# Prism, pinned, installed once into a cache folder shared by the targets above.
$(PRISM_BIN):
	mkdir -p "$(PRISM_DIR)" && npm install --prefix "$(PRISM_DIR)" --no-audit --no-fund --no-save --loglevel=error $(PRISM) >&2

## validate-talkjs-core: compare the server's filter evaluator with TalkJS's official @talkjs/core package (needs Node.js and npm)
TALKJS_CORE_PKG := @talkjs/core@1.12.0
TALKJS_CORE_DIR ?= $(or $(XDG_CACHE_HOME),$(HOME)/.cache)/talkjs-go/talkjs-core-1.12.0
validate-talkjs-core:
	@[ -f "$(TALKJS_CORE_DIR)/node_modules/@talkjs/core/dist/talkSession.cjs" ] || { mkdir -p "$(TALKJS_CORE_DIR)" && \
		npm install --prefix "$(TALKJS_CORE_DIR)" --no-audit --no-fund --no-save --loglevel=error $(TALKJS_CORE_PKG) >&2; }
	TALKJS_CORE="$(TALKJS_CORE_DIR)/node_modules/@talkjs/core/dist/talkSession.cjs" $(GO) test -count=1 -run '^(TestAgreesWithTalkJSCore|TestBuilderAgreesWithTalkJSCore)$$' -v ./api/convfilter/
