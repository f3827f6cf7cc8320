package gormstore

import (
	"context"
	"database/sql"
	"fmt"

	"gorm.io/gorm"

	"supportdesk/core"
	"supportdesk/core/envelope"
	"supportdesk/core/support"
	"supportdesk/ports"
)

// Contexts reads the database state a context envelope is built from.
type Contexts struct{ db *DB }

var _ ports.ContextReader = (*Contexts)(nil)

// NewContexts returns the context reader over db.
func NewContexts(db *DB) *Contexts { return &Contexts{db: db} }

// Diagnostics gathers the data of a support diagnostics bundle.
type Diagnostics struct{ db *DB }

var _ ports.DiagnosticsBuilder = (*Diagnostics)(nil)

// NewDiagnostics returns the diagnostics builder over db.
func NewDiagnostics(db *DB) *Diagnostics { return &Diagnostics{db: db} }

// The reads below are bounded: each walks one index of the migrations in
// its order and stops at its LIMIT, so their cost does not grow with the
// tenant's history. The exceptions are the exact counts the envelope needs,
// which cover only the tenant's open findings and open reviews, each
// through a (tenant_id, status, …) index. No query reads raw_payload.
const (
	tenantSQL = `SELECT t.id, t.workspace_id, t.name, t.external_id, t.status, w.name AS workspace_name
FROM tenants t JOIN workspaces w ON w.id = t.workspace_id
WHERE t.id = ?`

	runColumns = `id, type, status, outcome, started_at, completed_at, failure_code, failure_message`

	// The run of a run context, only if it belongs to the scope's tenant.
	runSQL = `SELECT ` + runColumns + ` FROM operation_runs WHERE id = ? AND tenant_id = ?`

	// operation_runs_tenant_started
	recentRunsSQL = `SELECT ` + runColumns + ` FROM operation_runs
WHERE tenant_id = ?
ORDER BY started_at DESC, id DESC LIMIT ?`

	// operation_runs_tenant_failed: the literal outcome = 'failed' lets both
	// engines match the partial index's predicate.
	failedRunsSQL = `SELECT ` + runColumns + ` FROM operation_runs
WHERE tenant_id = ? AND outcome = 'failed'
ORDER BY started_at DESC, id DESC LIMIT ?`

	// The outcomes of the tenant's latest runs, a run without one as "none":
	// operation_runs_tenant_started, stopped by the inner LIMIT.
	outcomeCountsSQL = `SELECT COALESCE(outcome, 'none') AS label, COUNT(*) AS n
FROM (SELECT outcome FROM operation_runs
      WHERE tenant_id = ?
      ORDER BY started_at DESC, id DESC LIMIT ?) latest
GROUP BY COALESCE(outcome, 'none')`

	// findings_tenant_status_detected
	openFindingsSQL = `SELECT id, severity, status, title, detected_at FROM findings
WHERE tenant_id = ? AND status = 'open'
ORDER BY detected_at DESC, id DESC LIMIT ?`

	// findings_tenant_status_severity, read from the index alone.
	openFindingCountsSQL = `SELECT severity AS label, COUNT(*) AS n FROM findings
WHERE tenant_id = ? AND status = 'open'
GROUP BY severity`

	// reviews_tenant_due
	reviewsSQL = `SELECT id, status, title, due_at FROM reviews
WHERE tenant_id = ?
ORDER BY due_at DESC, id DESC LIMIT ?`

	// reviews_tenant_status, read from the index alone.
	openReviewCountsSQL = `SELECT status AS label, COUNT(*) AS n FROM reviews
WHERE tenant_id = ? AND status IN ('pending', 'in_progress')
GROUP BY status`

	// reports_tenant_generated
	reportsSQL = `SELECT id, kind, status, generated_at FROM reports
WHERE tenant_id = ?
ORDER BY generated_at DESC, id DESC LIMIT ?`
)

// dialectSQL holds the statements whose text differs between engines.
type dialectSQL struct {
	// latestConnection is the tenant's most recently checked connection,
	// never-checked ones last (provider_connections_tenant_checked).
	latestConnection string
	// auditExcerpt is the tenant's latest audit entries but support_request.*
	// (audit_entries_tenant_excerpt). Its NOT LIKE term is written exactly as
	// the partial index's predicate of the engine, or the index is not used.
	auditExcerpt string
}

var dialects = map[Dialect]dialectSQL{
	Postgres: {
		// PostgreSQL puts NULLs first in DESC order unless told otherwise.
		latestConnection: `SELECT id, provider, status, consent_state, last_checked_at, last_error_code, last_error_message
FROM provider_connections
WHERE tenant_id = ?
ORDER BY last_checked_at DESC NULLS LAST, id DESC LIMIT 1`,
		// Backslash is PostgreSQL's default LIKE escape.
		auditExcerpt: `SELECT id, action, actor_id, subject_type, subject_id, occurred_at FROM audit_entries
WHERE tenant_id = ? AND action NOT LIKE 'support\_request.%'
ORDER BY occurred_at DESC, id DESC LIMIT ?`,
	},
	SQLite: {
		// SQLite already puts NULLs last in DESC order, as the index does;
		// spelling out NULLS LAST would make it sort instead.
		latestConnection: `SELECT id, provider, status, consent_state, last_checked_at, last_error_code, last_error_message
FROM provider_connections
WHERE tenant_id = ?
ORDER BY last_checked_at DESC, id DESC LIMIT 1`,
		// SQLite's LIKE has no default escape character.
		auditExcerpt: `SELECT id, action, actor_id, subject_type, subject_id, occurred_at FROM audit_entries
WHERE tenant_id = ? AND action NOT LIKE 'support\_request.%' ESCAPE '\'
ORDER BY occurred_at DESC, id DESC LIMIT ?`,
	},
}

// reader runs the queries of one read transaction, keeping the first error
// so that a sequence of reads can be written without checks between them.
type reader struct {
	tx      *gorm.DB
	dialect dialectSQL
	err     error
}

// scan runs query into dest, a pointer to a row or a slice of rows, and
// reports whether it found anything.
func (r *reader) scan(what string, dest any, query string, args ...any) bool {
	if r.err != nil {
		return false
	}
	res := r.tx.Raw(query, args...).Scan(dest)
	if res.Error != nil {
		r.err = fmt.Errorf("read %s: %w", what, res.Error)
		return false
	}
	return res.RowsAffected > 0
}

func (r *reader) run(tenantID, runID string) *envelope.Run {
	var row runRow
	if !r.scan("operation run", &row, runSQL, runID, tenantID) {
		return nil
	}
	run := toCoreRun(row)
	return &run
}

func (r *reader) connection(tenantID string) *envelope.Connection {
	var row connectionRow
	if !r.scan("provider connection", &row, r.dialect.latestConnection, tenantID) {
		return nil
	}
	return toCoreConnection(row)
}

func (r *reader) runs(what, query, tenantID string, limit int) []envelope.Run {
	var rows []runRow
	r.scan(what, &rows, query, tenantID, limit)
	return toCoreRuns(rows)
}

func (r *reader) counts(what, query string, args ...any) map[string]int {
	var rows []countRow
	r.scan(what, &rows, query, args...)
	return toCounts(rows)
}

// read runs fn's queries in one read-only transaction, so that they all
// see the same state.
//
// PostgreSQL: REPEATABLE READ READ ONLY, one snapshot for the whole
// transaction. SQLite: the DSN makes transactions BEGIN IMMEDIATE, which
// would take the write lock and queue readers behind writers; but the
// driver begins a read-only transaction with a plain (deferred) BEGIN,
// which in WAL mode reads one snapshot, taken at its first read, without
// blocking or being blocked by the writer. The driver does not enforce
// read-only on SQLite: fn must only read.
func (db *DB) read(ctx context.Context, fn func(r *reader)) error {
	opts := &sql.TxOptions{ReadOnly: true}
	if db.dialect == Postgres {
		opts.Isolation = sql.LevelRepeatableRead
	}
	err := db.gorm.WithContext(ctx).Transaction(func(tx *gorm.DB) error {
		r := &reader{tx: tx, dialect: dialects[db.dialect]}
		fn(r)
		return r.err
	}, opts)
	if err != nil {
		return fmt.Errorf("read transaction: %w", err)
	}
	return nil
}

// Snapshot implements ports.ContextReader. It reads in one read-only
// transaction, so the envelope reflects one consistent state. A tenant
// that does not exist gives a snapshot with only its scope; a run that
// does not exist or belongs to another tenant leaves Run nil.
func (c *Contexts) Snapshot(ctx context.Context, scope envelope.Scope) (envelope.Snapshot, error) {
	s := envelope.Snapshot{Scope: scope}
	if !core.IsUUID(scope.TenantID) {
		return s, nil
	}
	err := c.db.read(ctx, func(r *reader) {
		var tenant tenantRow
		if !r.scan("tenant", &tenant, tenantSQL, scope.TenantID) {
			return
		}
		s.Workspace, s.Tenant = toCoreTenant(tenant)
		if scope.Type == support.ContextOperationRun && core.IsUUID(scope.RunID) {
			s.Run = r.run(scope.TenantID, scope.RunID)
		}
		s.Connection = r.connection(scope.TenantID)
		s.RecentRuns = r.runs("recent operation runs", recentRunsSQL, scope.TenantID, envelope.MaxRecentRuns)

		var findings []findingRow
		r.scan("open findings", &findings, openFindingsSQL, scope.TenantID, envelope.MaxFindings)
		s.OpenFindings = toCoreFindings(findings)
		s.OpenFindingsBySeverity = r.counts("open finding counts", openFindingCountsSQL, scope.TenantID)

		var reviews []reviewRow
		r.scan("reviews", &reviews, reviewsSQL, scope.TenantID, envelope.MaxReviews)
		s.Reviews = toCoreReviews(reviews)
		s.OpenReviewsByStatus = r.counts("open review counts", openReviewCountsSQL, scope.TenantID)

		var reports []reportRow
		r.scan("reports", &reports, reportsSQL, scope.TenantID, envelope.MaxReports)
		s.Reports = toCoreReports(reports)

		var items []auditItemRow
		r.scan("audit excerpt", &items, r.dialect.auditExcerpt, scope.TenantID, envelope.MaxAuditEntries)
		s.Audit = toCoreAuditItems(items)
	})
	if err != nil {
		return envelope.Snapshot{}, unavailable(fmt.Errorf("read context snapshot of tenant %s: %w", scope.TenantID, err))
	}
	return s, nil
}

// Bundle implements ports.DiagnosticsBuilder: the provider connection with
// its last error; the run with its failure (run context) or the tenant's
// latest failed runs (tenant context); and outcome counts over the
// tenant's latest envelope.OutcomeWindow runs. One read-only transaction.
func (d *Diagnostics) Bundle(ctx context.Context, scope envelope.Scope) (envelope.Bundle, error) {
	b := envelope.Bundle{Scope: scope, OutcomeCounts: map[string]int{}}
	if !core.IsUUID(scope.TenantID) {
		return b, nil
	}
	err := d.db.read(ctx, func(r *reader) {
		b.Connection = r.connection(scope.TenantID)
		if scope.Type == support.ContextOperationRun {
			if core.IsUUID(scope.RunID) {
				b.Run = r.run(scope.TenantID, scope.RunID)
			}
		} else {
			b.FailedRuns = r.runs("failed operation runs", failedRunsSQL, scope.TenantID, envelope.MaxFailedRuns)
		}
		b.OutcomeCounts = r.counts("operation run outcomes", outcomeCountsSQL, scope.TenantID, envelope.OutcomeWindow)
		for _, n := range b.OutcomeCounts {
			b.RunsCounted += n
		}
	})
	if err != nil {
		return envelope.Bundle{}, unavailable(fmt.Errorf("read diagnostics of tenant %s: %w", scope.TenantID, err))
	}
	return b, nil
}
