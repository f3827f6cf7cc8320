package gormstore_test

import (
	"context"
	"fmt"
	"os"
	"strconv"
	"testing"
	"time"

	"supportdesk/adapters/gormstore"
	"supportdesk/core/envelope"
	"supportdesk/core/support"
	"supportdesk/test/testdb"
)

// BenchmarkEnvelopeReads measures what one submission reads to build its
// envelope and diagnostics bundle — Snapshot and Bundle — for a tenant with
// a short history and one with a long one: the same handful of open items,
// but many finished runs, audit entries, resolved findings, completed
// reviews and reports. Those reads must cost the same either way. The long
// history has 100,000 rows of each kind; SUPPORTDESK_BENCH_HISTORY sets
// another size (1000000 for the million-run tenant).
func BenchmarkEnvelopeReads(b *testing.B) {
	long := 100_000
	if n, err := strconv.Atoi(os.Getenv("SUPPORTDESK_BENCH_HISTORY")); err == nil && n > 0 {
		long = n
	}
	for _, e := range testdb.Engines() {
		b.Run(e.Name, func(b *testing.B) {
			db := e.Open(b)
			s := newSeeder(b, db)
			ws, actor := s.workspace(), s.user()
			tenants := map[int]string{}
			for _, n := range []int{10, long} {
				tn := s.tenant(ws)
				tenants[n] = tn
				fillHistory(b, db, ws, tn, actor, n)
			}
			settle := "ANALYZE"
			if db.Dialect() == gormstore.Postgres {
				settle = "VACUUM ANALYZE"
			}
			s.exec(settle)
			contexts, diagnostics := gormstore.NewContexts(db), gormstore.NewDiagnostics(db)
			ctx := context.Background()
			for _, n := range []int{10, long} {
				scope := envelope.Scope{Type: support.ContextTenant, TenantID: tenants[n]}
				b.Run(fmt.Sprintf("history=%d", n), func(b *testing.B) {
					for b.Loop() {
						snap, err := contexts.Snapshot(ctx, scope)
						if err != nil {
							b.Fatal(err)
						}
						// Half the audit entries are support_request.*, left out.
						if len(snap.RecentRuns) != 5 || len(snap.Audit) != min(10, n/2) || snap.OpenFindingsBySeverity["high"] != 5 {
							b.Fatalf("snapshot of history %d: %d runs, %d audit entries, %v open findings",
								n, len(snap.RecentRuns), len(snap.Audit), snap.OpenFindingsBySeverity)
						}
						if _, err := diagnostics.Bundle(ctx, scope); err != nil {
							b.Fatal(err)
						}
					}
				})
			}
		})
	}
}

// fillHistory gives tenant n finished runs, audit entries, resolved
// findings, completed reviews and reports, generated inside the database
// (one statement per table), plus five open findings, two open reviews
// and a provider connection, whatever n is.
func fillHistory(b *testing.B, db *gormstore.DB, ws, tenant, actor string, n int) {
	b.Helper()
	s := newSeeder(b, db)
	// Per engine: a fresh id and the timestamp of row i, i minutes after
	// 2024-01-01, in the form the driver itself writes on SQLite.
	id, at := `gen_random_uuid()`, `timestamptz '2024-01-01 00:00:00+00' + i * interval '1 minute'`
	if db.Dialect() == gormstore.SQLite {
		id = `lower(hex(randomblob(4)) || '-' || hex(randomblob(2)) || '-4' || substr(hex(randomblob(2)), 2) || '-8' || substr(hex(randomblob(2)), 2) || '-' || hex(randomblob(6)))`
		at = `strftime('%Y-%m-%d %H:%M:%S', '2024-01-01', '+' || i || ' minutes') || '+00:00'`
	}
	series := `WITH RECURSIVE s(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM s WHERE i < ?) `
	start := time.Now()
	s.inTx(func(tx seeder) {
		tx.exec(series+`INSERT INTO operation_runs (id, tenant_id, type, status, outcome, started_at, completed_at, failure_code, failure_message, raw_payload)
SELECT `+id+`, ?, 'policy_sync', 'completed', CASE i % 4 WHEN 0 THEN 'failed' WHEN 1 THEN 'succeeded' WHEN 2 THEN 'cancelled' ELSE 'partially_succeeded' END,
  `+at+`, `+at+`, CASE i % 4 WHEN 0 THEN 'graph_error' ELSE '' END, CASE i % 4 WHEN 0 THEN 'Graph answered 503 with Bearer abcdefghijklmnopqrstu' ELSE '' END, '{"items":[1,2,3]}'
FROM s`, n, tenant)
		tx.exec(series+`INSERT INTO audit_entries (id, workspace_id, tenant_id, actor_id, action, subject_type, subject_id, metadata, occurred_at)
SELECT `+id+`, ?, ?, ?, CASE i % 2 WHEN 0 THEN 'policy.changed' ELSE 'support_request.created' END, 'tenant', ?, '{}', `+at+` FROM s`,
			n, ws, tenant, actor, tenant)
		tx.exec(series+`INSERT INTO findings (id, tenant_id, severity, status, title, detected_at)
SELECT `+id+`, ?, 'medium', 'resolved', 'Resolved finding', `+at+` FROM s`, n, tenant)
		tx.exec(series+`INSERT INTO reviews (id, tenant_id, status, title, due_at)
SELECT `+id+`, ?, 'completed', 'Completed review', `+at+` FROM s`, n, tenant)
		tx.exec(series+`INSERT INTO reports (id, tenant_id, kind, status, generated_at)
SELECT `+id+`, ?, 'security_posture', 'ready', `+at+` FROM s`, n, tenant)
		for i := range 5 {
			tx.finding(tenant, uuidFor(tenant, i), "high", "open", time.Date(2025, 1, 1, i, 0, 0, 0, time.UTC))
		}
		for i, status := range []string{"pending", "in_progress"} {
			tx.review(tenant, uuidFor(tenant, 10+i), status, time.Date(2025, 2, 1, i, 0, 0, 0, time.UTC))
		}
		checked := time.Date(2025, 1, 2, 0, 0, 0, 0, time.UTC)
		tx.connection(tenant, uuidFor(tenant, 20), &checked, "throttled")
	})
	b.Logf("%s: %d history rows of each kind in %v", db.Dialect(), n, time.Since(start).Round(time.Millisecond))
}

// uuidFor derives a distinct id from a tenant's id and i.
func uuidFor(tenant string, i int) string {
	return fmt.Sprintf("%s%04x", tenant[:32], i)
}
