# ofhub — the two commands a newcomer needs are `make run` and `make test`.
GO        ?= go
# make run ADDR=… DATA_DIR=… pass --addr / --data-dir; left empty, ofhub reads
# OFHUB_ADDR / OFHUB_DATA_DIR from the environment (default 127.0.0.1:8080, ./data).
ADDR      ?=
DATA_DIR  ?=
# PostgreSQL used as a scratch database to generate/check PostgreSQL
# migrations; defaults to the test server when one is configured.
DEV_PG    ?= $(if $(OFHUB_DEV_POSTGRES_URL),$(OFHUB_DEV_POSTGRES_URL),$(OFHUB_TEST_POSTGRES_URL))

.PHONY: run build test vet staticcheck gotest race fieldtest check-generated schema-check generate e2e-deps bench fuzz clean

## run: start ofhub on the embedded SQLite database, with demo data when empty
## (the first build compiles ~600 packages: it says so rather than look stuck)
run:
	@n=$$($(GO) build -n ./server/cmd/ofhub 2>&1 | grep -c '/compile ' || true); \
	if [ "$${n:-0}" -gt 100 ]; then echo "première compilation : quelques minutes… ($$n paquets Go, les fois suivantes quelques secondes)"; \
	elif [ "$${n:-0}" -gt 0 ]; then echo "compilation ($$n paquets Go)…"; fi
	$(GO) run ./server/cmd/ofhub serve $(if $(ADDR),--addr $(ADDR)) $(if $(DATA_DIR),--data-dir $(DATA_DIR)) --demo

## build: build the server and the handheld scanner CLI into ./bin, without
## symbol tables and build paths (ofhub: 96 MB → 72 MB; the rest is entgql,
## whose runtime package also holds its code generator)
BUILDFLAGS ?= -trimpath -ldflags "-s -w"
build:
	CGO_ENABLED=0 $(GO) build $(BUILDFLAGS) -o bin/ofhub ./server/cmd/ofhub
	CGO_ENABLED=0 $(GO) build $(BUILDFLAGS) -o bin/ofhub-scan ./scanner/cmd/ofhub-scan

## test: vet, generated-code check, every test on SQLite (and PostgreSQL when
## OFHUB_TEST_POSTGRES_URL is set), schema guards, GraphQL-over-HTTP audit,
## subscription round trip, then the concurrent parts again under the race detector
test: vet staticcheck check-generated schema-check e2e-deps gotest race

vet:
	$(GO) vet ./...
	@out=$$(gofmt -l $$(find . -name '*.go' -not -path '*/node_modules/*')); \
	if [ -n "$$out" ]; then echo "gofmt -w needed on:"; echo "$$out"; exit 1; fi

## staticcheck: the pinned staticcheck on hand-written code
staticcheck:
	@GO=$(GO) bash .ci/staticcheck.sh

## gotest: every Go test; at the end the list of tests that skipped and why
## (a missing tool, no PostgreSQL…), which go test alone keeps silent without -v
gotest:
	@$(GO) run ./tools/testsummary $(GO) test -count=1 -timeout 20m ./...

## race: the concurrent packages under the race detector — check-in engine
## (group commit, repeat memory), event broker and listener, device engine, and
## the subscriptions and multi-instance tests of the API (a 100,000-row export,
## 130 s under -race and single-threaded, runs in gotest only)
RACE_PKGS = ./scanner/device/ ./server/checkin/ ./ent/eventbus/ ./server/pubsub/
race: e2e-deps
	@$(GO) run ./tools/testsummary $(GO) test -race -count=1 -timeout 20m -skip 'TestExportLarge' $(RACE_PKGS)
	@$(GO) run ./tools/testsummary $(GO) test -race -count=1 -timeout 20m -run 'Subscri|Session|Instance|Resum|Flaky|Broker|Race' ./graph/ ./server/web/

## fieldtest: the door-in-the-field suite alone (issue 11; gotest runs it too), with its
## figures: three doors behind a fault proxy, four bad networks, about a minute per database
fieldtest:
	$(GO) test -count=1 -v -timeout 10m -run 'TestDoorsUnderAFaultyNetwork|TestModes|TestBlackhole' ./scanner/fieldtest/...

## generate: ent + entgql, gqlgen, the served schema's snapshot (graph/schema.snapshot.graphql),
## then a migration per dialect if the schema changed
generate:
	cd ent && $(GO) run -mod=mod entc.go
	$(GO) run -mod=mod github.com/99designs/gqlgen
	$(GO) run ./tools/schemaprint > graph/schema.snapshot.graphql.tmp && mv graph/schema.snapshot.graphql.tmp graph/schema.snapshot.graphql
	$(GO) run ./ent/migrations/gen -postgres "$(DEV_PG)"

## check-generated: fail when generated code or migrations are stale
check-generated:
	@bash .ci/check-generated.sh

## schema-check: the served schema against the last release (a breaking change must be
## listed in docs/API-CHANGES.md) and against docs/API.md's conventions (new violations fail)
schema-check:
	@bash tools/schema/check.sh

## e2e-deps: npm packages of the conformance and subscription tests (pinned in e2e/package-lock.json)
e2e-deps:
	@if command -v npm >/dev/null 2>&1; then npm ci --prefix e2e --no-audit --no-fund --loglevel=error; \
	else echo "npm not found: the GraphQL-over-HTTP audit and graphql-ws tests will skip (install nodejs and npm)"; fi

## bench: load benchmarks (API and check-in tables), then the device side: QR decoding
## natively and in WebAssembly, the offline decision and the roster's memory
bench:
	$(GO) test -run '^$$' -bench . -benchtime 1x ./bench/... -timeout 30m
	$(GO) test -run '^$$' -bench 'Decode640x480|Verify' -benchtime 200x ./scanner/qr/ ./scanner/ticket/
	$(GO) test -run '^$$' -bench OfflineDecision -benchtime 500x ./scanner/device/
	$(GO) test -run '^$$' -bench 'RosterMemory|Reopen50k' -benchtime 1x ./scanner/device/
	$(GO) test -run '^$$' -bench . -benchtime 1x ./mobile/pwa/

## fuzz: each fuzz target of a parser of outside input (QR ticket text, cursors,
## date/time/ID/Int scalars) for FUZZTIME (go test runs one target per call);
## a crasher is written under the package's testdata/fuzz, to commit as a seed
FUZZTIME ?= 10s
FUZZ_TARGETS = \
	./scanner/ticket:FuzzVerify \
	./graph/scalar:FuzzDate ./graph/scalar:FuzzTime ./graph/scalar:FuzzIntID ./graph/scalar:FuzzInt \
	./graph/scalar/cursor:FuzzCursor
# ./server/checkin:FuzzRosterCursor (the roster's cursor) instruments the whole ent
# client, whose build takes many minutes: its seeds run with go test; fuzz it with
#   make fuzz FUZZ_TARGETS=./server/checkin:FuzzRosterCursor
fuzz:
	@set -e; for t in $(FUZZ_TARGETS); do \
		pkg=$${t%%:*}; name=$${t##*:}; echo "fuzz $$name ($$pkg, $(FUZZTIME))"; \
		$(GO) test -run '^$$' -fuzz "^$$name\$$" -fuzztime $(FUZZTIME) $$pkg; \
	done

clean:
	rm -rf bin
