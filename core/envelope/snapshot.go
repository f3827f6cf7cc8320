// Package envelope builds the context envelope and the support
// diagnostics bundle (docs/envelope.md) from a snapshot of database state. It is
// pure: the snapshot is read by an adapter, everything here is computed.
package envelope

import (
	"time"

	"supportdesk/core/support"
)

// List bounds of the envelope and the bundle. Storage adapters must not read more rows
// than these; the builder cuts longer lists anyway.
const (
	MaxRecentRuns   = 5
	MaxFindings     = 5
	MaxReviews      = 5
	MaxReports      = 5
	MaxAuditEntries = 10
	MaxFailedRuns   = 5
	// OutcomeWindow is how many of the tenant's latest runs the bundle's
	// outcome counts cover.
	OutcomeWindow = 50
)

// Scope is the tenant, or the operation run, a request is made from.
type Scope struct {
	Type     support.ContextType
	TenantID string
	// RunID is set for ContextOperationRun.
	RunID string
}

// ContextID returns the id of the primary context.
func (s Scope) ContextID() string {
	if s.Type == support.ContextOperationRun {
		return s.RunID
	}
	return s.TenantID
}

// Workspace is the tenant's workspace.
type Workspace struct {
	ID   string
	Name string
}

// Tenant is the tenant the request is about.
type Tenant struct {
	ID          string
	WorkspaceID string
	Name        string
	ExternalID  string
	Status      string
}

// Run is an operation run. Its raw provider payload is never read.
type Run struct {
	ID             string
	Type           string
	Status         string
	Outcome        string // empty while the run has none
	StartedAt      time.Time
	CompletedAt    *time.Time
	FailureCode    string
	FailureMessage string
}

// Connection is a tenant's provider connection. Its raw payload is never read.
type Connection struct {
	ID               string
	Provider         string
	Status           string
	ConsentState     string
	LastCheckedAt    *time.Time
	LastErrorCode    string
	LastErrorMessage string
}

// Finding is an open finding.
type Finding struct {
	ID         string
	Severity   string
	Status     string
	Title      string
	DetectedAt time.Time
}

// Review is a tenant review.
type Review struct {
	ID     string
	Status string
	Title  string
	DueAt  time.Time
}

// Report is a generated (or generating) report.
type Report struct {
	ID          string
	Kind        string
	Status      string
	GeneratedAt time.Time
}

// AuditItem is one audit entry, without its metadata.
type AuditItem struct {
	ID          string
	Action      string
	ActorID     string
	SubjectType string
	SubjectID   string
	OccurredAt  time.Time
}

// Snapshot is the database state an envelope is built from. Lists are
// newest first (by timestamp, then id) and already bounded by the Max*
// constants; counts are exact.
type Snapshot struct {
	Scope     Scope
	Workspace Workspace
	Tenant    Tenant
	// Run is the primary context's run; nil in the tenant context.
	Run *Run
	// Connection is the tenant's most recently checked provider
	// connection; nil when the tenant has none.
	Connection *Connection
	RecentRuns []Run
	// OpenFindings are the latest open findings; OpenFindingsBySeverity
	// counts all of them.
	OpenFindings           []Finding
	OpenFindingsBySeverity map[string]int
	// Reviews are the latest reviews by due date; OpenReviewsByStatus counts
	// the pending and in-progress ones.
	Reviews             []Review
	OpenReviewsByStatus map[string]int
	Reports             []Report
	// Audit is the tenant's latest audit entries, support_request.* actions left out.
	Audit []AuditItem
}

// Bundle is the data of a support diagnostics bundle, before redaction.
type Bundle struct {
	Scope      Scope
	Connection *Connection
	// Run is the primary context's run, with its failure; nil in the tenant context.
	Run *Run
	// FailedRuns are the tenant's latest failed runs, newest first; only
	// read in the tenant context.
	FailedRuns []Run
	// RunsCounted is how many runs (at most OutcomeWindow) OutcomeCounts covers.
	RunsCounted int
	// OutcomeCounts counts the outcomes of the tenant's latest runs; a run
	// without an outcome counts as "none".
	OutcomeCounts map[string]int
}
