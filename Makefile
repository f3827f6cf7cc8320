# The test command of the README. PostgreSQL suites run against
# SUPPORTDESK_TEST_POSTGRES_URL (default: the local server on 127.0.0.1:5432)
# and are skipped, saying so, when it cannot be reached.
GO ?= go
export SUPPORTDESK_TEST_POSTGRES_URL ?= postgres://postgres@127.0.0.1:5432/postgres?sslmode=disable

.PHONY: test check fuzz bench bench-redact perf

test: check
	$(GO) test -count=1 -timeout 30m ./...
	@# Say so when a suite that needs a part of the machine was skipped (go
	@# test hides skips): one quick probe test per part, skipping as its
	@# suites do. .ci/run fails on these notes.
	@$(GO) test -count=1 -v -run '^TestPostgresGivesAFreshDatabaseAndDropsIt$$' ./test/testdb/ \
		| grep -o 'PostgreSQL skipped: .*' | head -n 1 | sed 's/^PostgreSQL skipped: /note: the PostgreSQL suites were skipped: /' || true
	@$(GO) test -count=1 -v -run '^TestChromiumIsInstalled$$' ./test/web/ \
		| grep -o 'browser suite skipped: .*' | head -n 1 | sed 's/^browser suite skipped: /note: the browser suite was skipped: /' || true
	@$(GO) test -count=1 -v -run '^TestNATSServerIsFound$$' ./test/testnats/ \
		| grep -o 'NATS skipped: .*' | head -n 1 | sed 's/^NATS skipped: /note: the NATS suites were skipped: /' || true

check:
	@unformatted=$$(gofmt -l $$(git ls-files '*.go' 2>/dev/null || find . -name '*.go')); \
	if [ -n "$$unformatted" ]; then echo "gofmt would change:"; echo "$$unformatted"; exit 1; fi
	$(GO) vet ./...

# Short fuzzing runs of every fuzz target (FUZZTIME each).
FUZZTIME ?= 30s
fuzz:
	$(GO) test -run '^$$' -fuzz '^FuzzString$$' -fuzztime $(FUZZTIME) ./core/redact/
	$(GO) test -run '^$$' -fuzz '^FuzzValue$$' -fuzztime $(FUZZTIME) ./core/redact/
	$(GO) test -run '^$$' -fuzz '^FuzzCreateRequest$$' -fuzztime $(FUZZTIME) ./test/httpapi/

bench:
	$(GO) test -run '^$$' -bench . -benchmem -count 5 ./...

# Redaction benchmarks of policy v1 and of this checkout, interleaved.
bench-redact:
	test/perf/redact-v1-vs-v2.sh

# The performance script (README, Speed): PostgreSQL and SQLite against
# their ceilings, two runs of 20 s.
perf:
	test/perf/run.sh
