// Command sqlite is the SQLite half of test/perf/run.sh. With -fill it
// adds the big tenant to a seeded SQLite database (what
// test/perf/big-tenant.sql does on PostgreSQL); with -bench it is the
// ceiling of supportdesk on SQLite: the statements of one submission
// (test/load/submission.sql in SQLite's dialect), every read in one
// read-only transaction and both inserts in one write transaction, through
// the driver the service uses with the service's connection settings, from
// -clients goroutines for -duration. It prints
//
//	ceiling: requests=N seconds=S tps=T p99_ms=P failed=F
package main

import (
	"context"
	"database/sql"
	"errors"
	"flag"
	"fmt"
	"math/rand/v2"
	"os"
	"slices"
	"strings"
	"sync"
	"time"

	_ "modernc.org/sqlite"
)

func main() {
	var (
		path      = flag.String("db", "", "SQLite database file (seeded with the demo)")
		fill      = flag.Bool("fill", false, "add the big tenant")
		bench     = flag.Bool("bench", false, "run the ceiling")
		tenant    = flag.String("tenant", "", "tenant: the big one to add (-fill) or the one to submit on (-bench)")
		workspace = flag.String("workspace", "", "the tenant's workspace")
		user      = flag.String("user", "", "the submitting user (-bench), the owner of the big tenant (-fill)")
		rows      = flag.Int("rows", 1_000_000, "operation runs and audit entries of the big tenant")
		clients   = flag.Int("clients", 16, "concurrent submitters")
		duration  = flag.Duration("duration", 20*time.Second, "how long to submit")
	)
	flag.Parse()
	if *path == "" || *tenant == "" || *workspace == "" || *user == "" || *fill == *bench {
		fmt.Fprintln(os.Stderr, "usage: sqlite -db FILE -tenant ID -workspace ID -user ID (-fill [-rows N] | -bench [-clients N] [-duration D])")
		os.Exit(2)
	}
	db, err := open(*path)
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		os.Exit(1)
	}
	defer db.Close()
	ctx := context.Background()
	if *fill {
		err = fillTenant(ctx, db, *tenant, *workspace, *user, *rows)
	} else {
		err = ceiling(ctx, db, ids{tenant: *tenant, workspace: *workspace, user: *user}, *clients, *duration)
	}
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		os.Exit(1)
	}
}

// open opens path as gormstore does: the same pragmas, immediate write
// transactions, four connections.
func open(path string) (*sql.DB, error) {
	db, err := sql.Open("sqlite", path+"?_pragma=journal_mode(WAL)&_pragma=busy_timeout(10000)&_pragma=foreign_keys(1)&_pragma=synchronous(NORMAL)&_txlock=immediate")
	if err != nil {
		return nil, fmt.Errorf("open %s: %w", path, err)
	}
	db.SetMaxOpenConns(4)
	if err := db.Ping(); err != nil {
		db.Close()
		return nil, fmt.Errorf("open %s: %w", path, err)
	}
	return db, nil
}

// fillTenant adds the big tenant: rows operation runs and audit entries,
// generated inside the database, and the few open items a small tenant
// has, owned by owner; then ANALYZE.
func fillTenant(ctx context.Context, db *sql.DB, tenant, workspace, owner string, rows int) error {
	// A fresh version-4 id, and the timestamp of row i, i minutes after
	// 2024-01-01, in the form the driver writes.
	const (
		id     = `lower(hex(randomblob(4)) || '-' || hex(randomblob(2)) || '-4' || substr(hex(randomblob(2)), 2) || '-8' || substr(hex(randomblob(2)), 2) || '-' || hex(randomblob(6)))`
		at     = `strftime('%Y-%m-%d %H:%M:%S', '2024-01-01', '+' || i || ' minutes') || '+00:00'`
		series = `WITH RECURSIVE s(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM s WHERE i < ?) `
	)
	statements := []struct {
		query string
		args  []any
	}{
		{`INSERT INTO tenants (id, workspace_id, name, external_id, status) VALUES (?, ?, 'Big History Ltd', 'bighistory.onmicrosoft.com', 'active')`,
			[]any{tenant, workspace}},
		{`INSERT INTO tenant_memberships (tenant_id, user_id, role) VALUES (?, ?, 'owner')`, []any{tenant, owner}},
		{`INSERT INTO provider_connections (id, tenant_id, provider, status, consent_state, last_checked_at, last_error_code, last_error_message)
VALUES (` + id + `, ?, 'microsoft_graph', 'degraded', 'granted', '2025-06-10 08:55:00+00:00', 'invalid_client',
'Token refresh failed with client_secret=Qx8~mZ2pL5vT9rW3yB6nK1cF4hJ7dS0aG8eU2iO5')`, []any{tenant}},
		{series + `INSERT INTO findings (id, tenant_id, severity, status, title, detected_at)
SELECT ` + id + `, ?, CASE i % 4 WHEN 0 THEN 'low' WHEN 1 THEN 'medium' WHEN 2 THEN 'high' ELSE 'critical' END, 'open',
'Open finding ' || i, strftime('%Y-%m-%d %H:%M:%S', '2025-06-01', '+' || i || ' hours') || '+00:00' FROM s`, []any{8, tenant}},
		{series + `INSERT INTO reviews (id, tenant_id, status, title, due_at)
SELECT ` + id + `, ?, CASE i % 3 WHEN 0 THEN 'pending' WHEN 1 THEN 'in_progress' ELSE 'completed' END,
'Review ' || i, strftime('%Y-%m-%d %H:%M:%S', '2025-06-01', '+' || i || ' days') || '+00:00' FROM s`, []any{4, tenant}},
		{series + `INSERT INTO reports (id, tenant_id, kind, status, generated_at)
SELECT ` + id + `, ?, 'security_posture', 'ready', strftime('%Y-%m-%d %H:%M:%S', '2025-06-01', '+' || i || ' days') || '+00:00' FROM s`,
			[]any{4, tenant}},
		{series + `INSERT INTO operation_runs (id, tenant_id, type, status, outcome, started_at, completed_at, failure_code, failure_message, raw_payload)
SELECT ` + id + `, ?, CASE i % 3 WHEN 0 THEN 'policy_sync' WHEN 1 THEN 'backup' ELSE 'restore' END, 'completed',
CASE i % 4 WHEN 0 THEN 'failed' WHEN 1 THEN 'succeeded' WHEN 2 THEN 'cancelled' ELSE 'partially_succeeded' END, ` + at + `, ` + at + `,
CASE i % 4 WHEN 0 THEN 'graph_error' ELSE '' END,
CASE i % 4 WHEN 0 THEN 'Graph answered 503 to a call with Authorization: Bearer abcdefghijklmnopqrstu' ELSE '' END, '{"items":[1,2,3]}'
FROM s`, []any{rows, tenant}},
		{series + `INSERT INTO audit_entries (id, workspace_id, tenant_id, actor_id, action, subject_type, subject_id, metadata, occurred_at)
SELECT ` + id + `, ?, ?, ?, CASE i % 2 WHEN 0 THEN 'policy.changed' ELSE 'support_request.created' END, 'tenant', ?, '{}', ` + at + ` FROM s`,
			[]any{rows, workspace, tenant, owner, tenant}},
	}
	tx, err := db.BeginTx(ctx, nil)
	if err != nil {
		return fmt.Errorf("fill: %w", err)
	}
	for _, s := range statements {
		if _, err := tx.ExecContext(ctx, s.query, s.args...); err != nil {
			return errors.Join(fmt.Errorf("fill: %w", err), tx.Rollback())
		}
	}
	if err := tx.Commit(); err != nil {
		return fmt.Errorf("fill: %w", err)
	}
	if _, err := db.ExecContext(ctx, "ANALYZE"); err != nil {
		return fmt.Errorf("fill: analyze: %w", err)
	}
	return nil
}

// ids are the demo's records a submission names.
type ids struct{ tenant, workspace, user string }

// reads are the reads of test/load/submission.sql in SQLite's dialect (as
// gormstore spells them), each taking the tenant, the grant the user too.
var reads = []string{
	`SELECT t.id, t.workspace_id, wm.role, tm.role FROM tenants t
  LEFT JOIN workspace_memberships wm ON wm.workspace_id = t.workspace_id AND wm.user_id = ?2
  LEFT JOIN tenant_memberships tm ON tm.tenant_id = t.id AND tm.user_id = ?2
  WHERE t.id = ?1`,
	`SELECT t.id, t.workspace_id, t.name, t.external_id, t.status, w.name FROM tenants t JOIN workspaces w ON w.id = t.workspace_id WHERE t.id = ?1`,
	`SELECT id, provider, status, consent_state, last_checked_at, last_error_code, last_error_message FROM provider_connections WHERE tenant_id = ?1 ORDER BY last_checked_at DESC, id DESC LIMIT 1`,
	`SELECT id, type, status, outcome, started_at, completed_at, failure_code, failure_message FROM operation_runs WHERE tenant_id = ?1 ORDER BY started_at DESC, id DESC LIMIT 5`,
	`SELECT id, severity, status, title, detected_at FROM findings WHERE tenant_id = ?1 AND status = 'open' ORDER BY detected_at DESC, id DESC LIMIT 5`,
	`SELECT severity, COUNT(*) FROM findings WHERE tenant_id = ?1 AND status = 'open' GROUP BY severity`,
	`SELECT id, status, title, due_at FROM reviews WHERE tenant_id = ?1 ORDER BY due_at DESC, id DESC LIMIT 5`,
	`SELECT status, COUNT(*) FROM reviews WHERE tenant_id = ?1 AND status IN ('pending', 'in_progress') GROUP BY status`,
	`SELECT id, kind, status, generated_at FROM reports WHERE tenant_id = ?1 ORDER BY generated_at DESC, id DESC LIMIT 5`,
	`SELECT id, action, actor_id, subject_type, subject_id, occurred_at FROM audit_entries WHERE tenant_id = ?1 AND action NOT LIKE 'support\_request.%' ESCAPE '\' ORDER BY occurred_at DESC, id DESC LIMIT 10`,
	`SELECT id, provider, status, consent_state, last_checked_at, last_error_code, last_error_message FROM provider_connections WHERE tenant_id = ?1 ORDER BY last_checked_at DESC, id DESC LIMIT 1`,
	`SELECT id, type, status, outcome, started_at, completed_at, failure_code, failure_message FROM operation_runs WHERE tenant_id = ?1 AND outcome = 'failed' ORDER BY started_at DESC, id DESC LIMIT 5`,
	`SELECT COALESCE(outcome, 'none'), COUNT(*) FROM (SELECT outcome FROM operation_runs WHERE tenant_id = ?1 ORDER BY started_at DESC, id DESC LIMIT 50) latest GROUP BY COALESCE(outcome, 'none')`,
}

const (
	insertRequest = `INSERT INTO support_requests (reference, workspace_id, tenant_id, context_type, context_id, severity, summary,
  reproduction_notes, contact_name, contact_email, created_by, created_at, attachment_mode, context, context_digest)
  VALUES (?, ?, ?, 'tenant', ?, 'high', 'Load test request', 'sent by test/perf', '', '', ?, ?, 'diagnostics_attached', ?, ?)`
	insertAudit = `INSERT INTO audit_entries (id, workspace_id, tenant_id, actor_id, action, subject_type, subject_id, metadata, occurred_at)
  VALUES (?, ?, ?, ?, 'support_request.created', 'support_request', ?, '{"channel":"api"}', ?)`
)

// ceiling submits from clients goroutines for d and prints what it did.
func ceiling(ctx context.Context, db *sql.DB, who ids, clients int, d time.Duration) error {
	var (
		mu        sync.Mutex
		latencies []time.Duration
		failed    int
		firstErr  error
		wg        sync.WaitGroup
	)
	context7000 := strings.Repeat("x", 7000)
	digest := "sha256:" + strings.Repeat("0", 64)
	start := time.Now()
	deadline := start.Add(d)
	for range clients {
		wg.Go(func() {
			var local []time.Duration
			bad := 0
			var errOne error
			for time.Now().Before(deadline) {
				t0 := time.Now()
				if err := submit(ctx, db, who, context7000, digest); err != nil {
					bad++
					errOne = err
					continue
				}
				local = append(local, time.Since(t0))
			}
			mu.Lock()
			defer mu.Unlock()
			latencies = append(latencies, local...)
			failed += bad
			if firstErr == nil {
				firstErr = errOne
			}
		})
	}
	wg.Wait()
	elapsed := time.Since(start)
	if len(latencies) == 0 {
		return fmt.Errorf("ceiling: no submission succeeded: %w", firstErr)
	}
	if firstErr != nil {
		fmt.Fprintf(os.Stderr, "ceiling: %d submissions failed, the first with: %v\n", failed, firstErr)
	}
	slices.Sort(latencies)
	p99 := latencies[int(float64(len(latencies)-1)*0.99)]
	fmt.Printf("ceiling: requests=%d seconds=%.3f tps=%.1f p99_ms=%.2f failed=%d\n", len(latencies), elapsed.Seconds(),
		float64(len(latencies))/elapsed.Seconds(), float64(p99.Microseconds())/1000, failed)
	return nil
}

// submit runs one submission: the reads in one read-only (deferred)
// transaction, the inserts in one write (immediate) transaction.
func submit(ctx context.Context, db *sql.DB, who ids, context7000, digest string) error {
	rtx, err := db.BeginTx(ctx, &sql.TxOptions{ReadOnly: true})
	if err != nil {
		return fmt.Errorf("begin read: %w", err)
	}
	for _, q := range reads {
		if err := drain(ctx, rtx, q, who.tenant, who.user); err != nil {
			return errors.Join(err, rtx.Rollback())
		}
	}
	if err := rtx.Commit(); err != nil {
		return fmt.Errorf("commit read: %w", err)
	}
	ref := fmt.Sprintf("SR-%026d", rand.Int64N(1e18))
	// The layout the service's driver settings write time.Time in.
	now := time.Now().UTC().Truncate(time.Microsecond).Format("2006-01-02 15:04:05.999999999-07:00")
	wtx, err := db.BeginTx(ctx, nil)
	if err != nil {
		return fmt.Errorf("begin write: %w", err)
	}
	if _, err := wtx.ExecContext(ctx, insertRequest, ref, who.workspace, who.tenant, who.tenant, who.user, now, context7000, digest); err != nil {
		return errors.Join(fmt.Errorf("insert request: %w", err), wtx.Rollback())
	}
	if _, err := wtx.ExecContext(ctx, insertAudit, uuid4(), who.workspace, who.tenant, who.user, ref, now); err != nil {
		return errors.Join(fmt.Errorf("insert audit entry: %w", err), wtx.Rollback())
	}
	if err := wtx.Commit(); err != nil {
		return fmt.Errorf("commit write: %w", err)
	}
	return nil
}

// drain runs query and reads every column of every row, as a scan does.
func drain(ctx context.Context, tx *sql.Tx, query string, args ...any) error {
	rows, err := tx.QueryContext(ctx, query, args...)
	if err != nil {
		return fmt.Errorf("read: %w", err)
	}
	defer rows.Close()
	cols, err := rows.Columns()
	if err != nil {
		return fmt.Errorf("read: %w", err)
	}
	vals := make([]any, len(cols))
	ptrs := make([]any, len(cols))
	for i := range vals {
		ptrs[i] = &vals[i]
	}
	for rows.Next() {
		if err := rows.Scan(ptrs...); err != nil {
			return fmt.Errorf("read: %w", err)
		}
	}
	if err := rows.Err(); err != nil {
		return fmt.Errorf("read: %w", err)
	}
	return nil
}

// uuid4 returns a random version-4 UUID.
func uuid4() string {
	a, b := rand.Uint64(), rand.Uint64()
	a = a&^0xf000 | 0x4000
	b = b&^(0xc<<60) | 0x8<<60
	return fmt.Sprintf("%08x-%04x-%04x-%04x-%012x", a>>32, (a>>16)&0xffff, a&0xffff, b>>48, b&0xffffffffffff)
}
