package gormstore_test

import (
	"context"
	"fmt"
	"os"
	"strconv"
	"testing"
	"time"

	"supportdesk/adapters/gormstore"
	"supportdesk/core/reference"
	"supportdesk/ports"
	"supportdesk/test/testdb"
)

// BenchmarkDeskPages measures one page of the support desk (50 requests)
// in a workspace with 1,000 requests and in one with many — 100,000 by
// default, SUPPORTDESK_BENCH_REQUESTS=1000000 for the million — first and
// deep in the list: a keyset page must cost the same at any size and depth.
func BenchmarkDeskPages(b *testing.B) {
	many := 100_000
	if n, err := strconv.Atoi(os.Getenv("SUPPORTDESK_BENCH_REQUESTS")); err == nil && n > 0 {
		many = n
	}
	for _, e := range testdb.Engines() {
		b.Run(e.Name, func(b *testing.B) {
			db := e.Open(b)
			s := newSeeder(b, db)
			actor := s.user()
			spaces := map[int]string{}
			for _, n := range []int{1000, many} {
				ws := s.workspace()
				spaces[n] = ws
				fillRequests(b, db, ws, s.tenant(ws), actor, n)
			}
			settle := "ANALYZE"
			if db.Dialect() == gormstore.Postgres {
				settle = "VACUUM ANALYZE"
			}
			s.exec(settle)
			pages, ctx := gormstore.NewPages(db), context.Background()
			for _, n := range []int{1000, many} {
				q := ports.PageQuery{Filter: ports.DeskFilter{WorkspaceID: spaces[n]}, Limit: 51}
				first, err := pages.Page(ctx, q)
				if err != nil || len(first) != 51 {
					b.Fatalf("first page: %d, %v", len(first), err)
				}
				// Deep: after the request half way down.
				deep := q
				mid := shiftFor(n) + n/2
				deep.After = &ports.PageKey{CreatedAt: time.Date(2024, 1, 1, 0, 0, mid, 0, time.UTC), Reference: refFor(mid)}
				for name, query := range map[string]ports.PageQuery{"first": q, "deep": deep} {
					b.Run(fmt.Sprintf("requests=%d/%s", n, name), func(b *testing.B) {
						for b.Loop() {
							got, err := pages.Page(ctx, query)
							if err != nil || len(got) != 51 {
								b.Fatalf("page: %d, %v", len(got), err)
							}
						}
					})
				}
			}
		})
	}
}

// refFor is the reference of generated request i (see fillRequests).
func refFor(i int) reference.Reference {
	return reference.Reference(fmt.Sprintf("SR-01J%023d", i))
}

// fillRequests gives workspace ws n requests of tenant, one a second from
// 2024-01-01, generated in the database in one statement.
func fillRequests(b *testing.B, db *gormstore.DB, ws, tenant, actor string, n int) {
	b.Helper()
	ref, at := `'SR-01J' || lpad(i::text, 23, '0')`, `timestamptz '2024-01-01 00:00:00+00' + i * interval '1 second'`
	if db.Dialect() == gormstore.SQLite {
		ref = `'SR-01J' || substr('00000000000000000000000' || i, -23, 23)`
		at = `strftime('%Y-%m-%d %H:%M:%S', '2024-01-01', '+' || i || ' seconds') || '+00:00'`
	}
	shift := shiftFor(n)
	start := time.Now()
	s := newSeeder(b, db)
	s.inTx(func(tx seeder) {
		tx.exec(`WITH RECURSIVE s0(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM s0 WHERE i < ?), s(i) AS (SELECT i + ? FROM s0)
INSERT INTO support_requests (reference, workspace_id, tenant_id, context_type, context_id, severity, summary, created_by, created_at,
  attachment_mode, context, context_digest)
SELECT `+ref+`, ?, ?, 'tenant', ?, 'normal', 'Generated request', ?, `+at+`, 'canonical_context_only', '{}',
  'sha256:' || `+zeros(db)+` FROM s`, n, shift, ws, tenant, tenant, actor)
	})
	b.Logf("%s: %d requests in %v", db.Dialect(), n, time.Since(start).Round(time.Millisecond))
}

// shiftFor keeps references unique across the two batches: the big one
// is numbered from a billion.
func shiftFor(n int) int {
	if n == 1000 {
		return 0
	}
	return 1_000_000_000
}

func zeros(db *gormstore.DB) string {
	if db.Dialect() == gormstore.SQLite {
		return `'0000000000000000000000000000000000000000000000000000000000000000'`
	}
	return `repeat('0', 64)`
}
