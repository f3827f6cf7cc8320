package gormstore_test

import (
	"fmt"
	"testing"
	"time"

	"github.com/google/uuid"

	"gorm.io/gorm"

	"supportdesk/adapters/gormstore"
)

// seeder inserts test rows with plain SQL (the fixture importer is not
// what these tests are about). Timestamps are passed as time.Time so that
// both engines store them as the adapter does.
type seeder struct {
	t testing.TB
	g *gorm.DB
}

func newSeeder(t testing.TB, db *gormstore.DB) seeder { return seeder{t: t, g: db.Gorm()} }

func (s seeder) exec(query string, args ...any) {
	s.t.Helper()
	if err := s.g.Exec(query, args...).Error; err != nil {
		s.t.Fatalf("exec %q: %v", query, err)
	}
}

// inTx runs fn with a seeder that writes in one transaction: bulk inserts
// then commit once rather than once per row.
func (s seeder) inTx(fn func(tx seeder)) {
	s.t.Helper()
	if err := s.g.Transaction(func(tx *gorm.DB) error {
		fn(seeder{t: s.t, g: tx})
		return nil
	}); err != nil {
		s.t.Fatalf("seed transaction: %v", err)
	}
}

func (s seeder) workspace() string {
	s.t.Helper()
	id := uuid.NewString()
	s.exec(`INSERT INTO workspaces (id, name) VALUES (?, ?)`, id, "Workspace "+id[:8])
	return id
}

func (s seeder) user() string {
	s.t.Helper()
	id := uuid.NewString()
	s.exec(`INSERT INTO users (id, name, email) VALUES (?, ?, ?)`, id, "User "+id[:8], id+"@example.com")
	return id
}

func (s seeder) tenant(workspaceID string) string {
	s.t.Helper()
	id := uuid.NewString()
	s.exec(`INSERT INTO tenants (id, workspace_id, name, external_id, status) VALUES (?, ?, ?, ?, 'active')`,
		id, workspaceID, "Tenant "+id[:8], "ext-"+id[:8])
	return id
}

func (s seeder) workspaceMember(workspaceID, userID, role string) {
	s.t.Helper()
	s.exec(`INSERT INTO workspace_memberships (workspace_id, user_id, role) VALUES (?, ?, ?)`, workspaceID, userID, role)
}

func (s seeder) tenantMember(tenantID, userID, role string) {
	s.t.Helper()
	s.exec(`INSERT INTO tenant_memberships (tenant_id, user_id, role) VALUES (?, ?, ?)`, tenantID, userID, role)
}

// run is an operation_runs row; a nil Outcome or CompletedAt is NULL.
type run struct {
	ID, TenantID, Type, Status string
	Outcome                    *string
	StartedAt                  time.Time
	CompletedAt                *time.Time
	FailureCode, FailureMsg    string
}

func (s seeder) run(r run) {
	s.t.Helper()
	s.exec(`INSERT INTO operation_runs (id, tenant_id, type, status, outcome, started_at, completed_at, failure_code, failure_message, raw_payload)
VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
		r.ID, r.TenantID, r.Type, r.Status, r.Outcome, r.StartedAt, r.CompletedAt, r.FailureCode, r.FailureMsg,
		`{"secret":"raw-payload-must-never-be-read"}`)
}

func (s seeder) connection(tenantID, id string, checked *time.Time, errMsg string) {
	s.t.Helper()
	s.exec(`INSERT INTO provider_connections (id, tenant_id, provider, status, consent_state, last_checked_at, last_error_code, last_error_message, raw_payload)
VALUES (?, ?, 'microsoft_graph', 'degraded', 'granted', ?, ?, ?, '{"token":"raw"}')`,
		id, tenantID, checked, errCode(errMsg), errMsg)
}

func errCode(msg string) string {
	if msg == "" {
		return ""
	}
	return "E_PROVIDER"
}

func (s seeder) finding(tenantID, id, severity, status string, detected time.Time) {
	s.t.Helper()
	s.exec(`INSERT INTO findings (id, tenant_id, severity, status, title, detected_at) VALUES (?, ?, ?, ?, ?, ?)`,
		id, tenantID, severity, status, "Finding "+id[:8], detected)
}

func (s seeder) review(tenantID, id, status string, due time.Time) {
	s.t.Helper()
	s.exec(`INSERT INTO reviews (id, tenant_id, status, title, due_at) VALUES (?, ?, ?, ?, ?)`,
		id, tenantID, status, "Review "+id[:8], due)
}

func (s seeder) report(tenantID, id string, generated time.Time) {
	s.t.Helper()
	s.exec(`INSERT INTO reports (id, tenant_id, kind, status, generated_at) VALUES (?, ?, 'compliance', 'ready', ?)`,
		id, tenantID, generated)
}

// audit inserts an audit entry; an empty tenantID is a workspace-level entry.
func (s seeder) audit(workspaceID, tenantID, actorID, id, action string, at time.Time) {
	s.t.Helper()
	var tenant *string
	if tenantID != "" {
		tenant = &tenantID
	}
	s.exec(`INSERT INTO audit_entries (id, workspace_id, tenant_id, actor_id, action, subject_type, subject_id, metadata, occurred_at)
VALUES (?, ?, ?, ?, ?, 'tenant', ?, '{}', ?)`, id, workspaceID, tenant, actorID, action, fmt.Sprint("subject-", id[:8]), at)
}
