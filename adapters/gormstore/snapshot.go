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

var (
	_ ports.ContextReader  = (*Contexts)(nil)
	_ ports.EnvelopeReader = (*Contexts)(nil)
)

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

// reader collects the queries of one read transaction, each with where
// its rows go; DB.read runs them all once the caller has queued them, so
// that PostgreSQL can receive them in one round trip.
type reader struct {
	dialect dialectSQL
	reads   []pendingRead
}

// pendingRead is one queued query: dest is a pointer to a row or a slice
// of rows, and found tells, once run, whether it matched anything.
type pendingRead struct {
	what  string
	query string
	args  []any
	dest  any
	found *bool
}

// scan queues query into dest; the returned flag is set when the reads
// have run.
func (r *reader) scan(what string, dest any, query string, args ...any) *bool {
	found := new(bool)
	r.reads = append(r.reads, pendingRead{what: what, query: query, args: args, dest: dest, found: found})
	return found
}

// read runs the queries fn queues in one read-only transaction, so that
// they all see the same state.
//
// PostgreSQL: REPEATABLE READ READ ONLY, one snapshot for the whole
// transaction, the queries pipelined (see readPipelined). SQLite: the DSN
// makes transactions BEGIN IMMEDIATE, which would take the write lock and
// queue readers behind writers; but the driver begins a read-only
// transaction with a plain (deferred) BEGIN, which in WAL mode reads one
// snapshot, taken at its first read, without blocking or being blocked by
// the writer. The driver does not enforce read-only on SQLite: fn must
// only queue reads.
func (db *DB) read(ctx context.Context, fn func(r *reader)) error {
	r := &reader{dialect: dialects[db.dialect]}
	fn(r)
	if db.dialect == Postgres {
		if err := db.readPipelined(ctx, r.reads); err != nil {
			return fmt.Errorf("read transaction: %w", err)
		}
		return nil
	}
	err := db.gorm.WithContext(ctx).Transaction(func(tx *gorm.DB) error {
		for _, rd := range r.reads {
			res := tx.Raw(rd.query, rd.args...).Scan(rd.dest)
			if res.Error != nil {
				return fmt.Errorf("read %s: %w", rd.what, res.Error)
			}
			*rd.found = res.RowsAffected > 0
		}
		return nil
	}, &sql.TxOptions{ReadOnly: true})
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
	var snap func() envelope.Snapshot
	err := c.db.read(ctx, func(r *reader) { snap = queueSnapshot(r, scope) })
	if err != nil {
		return envelope.Snapshot{}, toCoreError(fmt.Errorf("read context snapshot of tenant %s: %w", scope.TenantID, err))
	}
	return snap(), nil
}

// ReadEnvelope implements ports.EnvelopeReader: the snapshot and, with
// withBundle, the diagnostics bundle from the one read transaction — one
// round trip on PostgreSQL, and both halves of the envelope see the same
// state.
func (c *Contexts) ReadEnvelope(ctx context.Context, scope envelope.Scope, withBundle bool) (envelope.Snapshot, *envelope.Bundle, error) {
	var (
		snap   func() envelope.Snapshot
		bundle func() envelope.Bundle
	)
	err := c.db.read(ctx, func(r *reader) {
		snap = queueSnapshot(r, scope)
		if withBundle {
			bundle = queueBundle(r, scope)
		}
	})
	if err != nil {
		return envelope.Snapshot{}, nil, toCoreError(fmt.Errorf("read the envelope of tenant %s: %w", scope.TenantID, err))
	}
	if !withBundle {
		return snap(), nil, nil
	}
	b := bundle()
	return snap(), &b, nil
}

// queueSnapshot queues the reads of a snapshot of scope on r and returns
// what makes the snapshot once they have run.
func queueSnapshot(r *reader, scope envelope.Scope) func() envelope.Snapshot {
	s := envelope.Snapshot{Scope: scope}
	if !core.IsUUID(scope.TenantID) {
		return func() envelope.Snapshot { return s }
	}
	var (
		tenant                           tenantRow
		run                              runRow
		conn                             connectionRow
		recent                           []runRow
		findings                         []findingRow
		findingCounts, reviewCounts      []countRow
		reviews                          []reviewRow
		reports                          []reportRow
		items                            []auditItemRow
		tenantFound, runFound, connFound *bool
	)
	withRun := scope.Type == support.ContextOperationRun && core.IsUUID(scope.RunID)
	tenantFound = r.scan("tenant", &tenant, tenantSQL, scope.TenantID)
	if withRun {
		runFound = r.scan("operation run", &run, runSQL, scope.RunID, scope.TenantID)
	}
	connFound = r.scan("provider connection", &conn, r.dialect.latestConnection, scope.TenantID)
	r.scan("recent operation runs", &recent, recentRunsSQL, scope.TenantID, envelope.MaxRecentRuns)
	r.scan("open findings", &findings, openFindingsSQL, scope.TenantID, envelope.MaxFindings)
	r.scan("open finding counts", &findingCounts, openFindingCountsSQL, scope.TenantID)
	r.scan("reviews", &reviews, reviewsSQL, scope.TenantID, envelope.MaxReviews)
	r.scan("open review counts", &reviewCounts, openReviewCountsSQL, scope.TenantID)
	r.scan("reports", &reports, reportsSQL, scope.TenantID, envelope.MaxReports)
	r.scan("audit excerpt", &items, r.dialect.auditExcerpt, scope.TenantID, envelope.MaxAuditEntries)
	return func() envelope.Snapshot {
		if !*tenantFound {
			return s
		}
		s.Workspace, s.Tenant = toCoreTenant(tenant)
		if withRun && *runFound {
			r := toCoreRun(run)
			s.Run = &r
		}
		if *connFound {
			s.Connection = toCoreConnection(conn)
		}
		s.RecentRuns = toCore(recent, toCoreRun)
		s.OpenFindings = toCore(findings, toCoreFinding)
		s.OpenFindingsBySeverity = toCounts(findingCounts)
		s.Reviews = toCore(reviews, toCoreReview)
		s.OpenReviewsByStatus = toCounts(reviewCounts)
		s.Reports = toCore(reports, toCoreReport)
		s.Audit = toCore(items, toCoreAuditItem)
		return s
	}
}

// Bundle implements ports.DiagnosticsBuilder: the provider connection with
// its last error; the run with its failure (run context) or the tenant's
// latest failed runs (tenant context); and outcome counts over the
// tenant's latest envelope.OutcomeWindow runs. One read-only transaction.
func (d *Diagnostics) Bundle(ctx context.Context, scope envelope.Scope) (envelope.Bundle, error) {
	var bundle func() envelope.Bundle
	err := d.db.read(ctx, func(r *reader) { bundle = queueBundle(r, scope) })
	if err != nil {
		return envelope.Bundle{}, toCoreError(fmt.Errorf("read diagnostics of tenant %s: %w", scope.TenantID, err))
	}
	return bundle(), nil
}

// queueBundle queues the reads of the diagnostics of scope on r and
// returns what makes the bundle once they have run. The connection and the
// run are read again rather than shared with a snapshot queued beside it:
// the bundle keeps their error texts, the snapshot not.
func queueBundle(r *reader, scope envelope.Scope) func() envelope.Bundle {
	b := envelope.Bundle{Scope: scope, OutcomeCounts: map[string]int{}}
	if !core.IsUUID(scope.TenantID) {
		return func() envelope.Bundle { return b }
	}
	var (
		conn                connectionRow
		run                 runRow
		failed              []runRow
		outcomes            []countRow
		connFound, runFound *bool
	)
	withRun := scope.Type == support.ContextOperationRun && core.IsUUID(scope.RunID)
	connFound = r.scan("provider connection", &conn, r.dialect.latestConnection, scope.TenantID)
	switch {
	case withRun:
		runFound = r.scan("operation run", &run, runSQL, scope.RunID, scope.TenantID)
	case scope.Type != support.ContextOperationRun:
		r.scan("failed operation runs", &failed, failedRunsSQL, scope.TenantID, envelope.MaxFailedRuns)
	}
	r.scan("operation run outcomes", &outcomes, outcomeCountsSQL, scope.TenantID, envelope.OutcomeWindow)
	return func() envelope.Bundle {
		if *connFound {
			b.Connection = toCoreConnection(conn)
		}
		if withRun && *runFound {
			r := toCoreRun(run)
			b.Run = &r
		}
		if scope.Type != support.ContextOperationRun {
			b.FailedRuns = toCore(failed, toCoreRun)
		}
		b.OutcomeCounts = toCounts(outcomes)
		for _, n := range b.OutcomeCounts {
			b.RunsCounted += n
		}
		return b
	}
}
