# talkjs-go: the everyday commands. Only Go is needed; tools come from the module proxy.
GO        ?= go
OAPI      := github.com/oapi-codegen/oapi-codegen/v2/cmd/oapi-codegen
SPEC      := openapi/talkjs-openapi.yml
GEN_PARTS := $(patsubst gen/%.cfg.yaml,%,$(wildcard gen/*.cfg.yaml))

.PHONY: all test generate check-generated lint lint-spec fmt vet demo
REDOCLY   := @redocly/cli@2.77.0

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
		$(GO) run $(OAPI) -config gen/$$p.cfg.yaml -o "$$tmp/$$p.gen.go" $(SPEC) || exit 1; \
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
	$(GO) vet ./...

## test: lint, check gen/, then every test with the race detector
test: lint check-generated
	$(GO) test -race -count=1 ./...
