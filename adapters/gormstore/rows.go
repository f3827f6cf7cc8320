package gormstore

import (
	"database/sql/driver"
	"encoding/json"
	"fmt"
	"time"

	"supportdesk/core"
	"supportdesk/core/access"
	"supportdesk/core/audit"
	"supportdesk/core/envelope"
	"supportdesk/core/event"
	"supportdesk/core/reference"
	"supportdesk/core/support"
	"supportdesk/ports"
)

// Storage rows are kept apart from the domain types: each table read or
// written has a row struct, and named converters (toRow…, toCore…) are the
// only place where the two meet.

// dbTime is a timestamp column. It is always written as a time.Time in UTC
// truncated to microseconds, and the driver formats it: timestamptz on
// PostgreSQL, "2006-01-02 15:04:05.999999-07:00" text on SQLite. Because
// every SQLite value is UTC with trailing zeros dropped, text order there
// is time order, which the indexes and the ORDER BY clauses rely on.
// Writers must pass time.Time values too, never strings of their own.
type dbTime struct{ time.Time }

// utc returns t as stored: UTC, truncated to core.TimePrecision (the
// precision of PostgreSQL).
func utc(t time.Time) dbTime { return dbTime{core.StoredTime(t)} }

// Value implements driver.Valuer.
func (t dbTime) Value() (driver.Value, error) { return core.StoredTime(t.Time), nil }

// sqliteTimeFormat is the layout the SQLite driver writes time.Time values
// in; it returns them as text because the columns are declared TEXT. Text
// in any other layout would break the ordering, so it is refused.
const sqliteTimeFormat = "2006-01-02 15:04:05.999999999-07:00"

// Scan implements sql.Scanner: PostgreSQL hands back a time.Time, SQLite
// the text its driver wrote.
func (t *dbTime) Scan(v any) error {
	var s string
	switch x := v.(type) {
	case time.Time:
		t.Time = x.UTC()
		return nil
	case string:
		s = x
	case []byte:
		s = string(x)
	default:
		return fmt.Errorf("scan timestamp: unsupported type %T", v)
	}
	parsed, err := time.Parse(sqliteTimeFormat, s)
	if err != nil {
		return fmt.Errorf("scan timestamp: %w", err)
	}
	t.Time = parsed.UTC()
	return nil
}

func timeOrNil(t *dbTime) *time.Time {
	if t == nil {
		return nil
	}
	v := t.Time
	return &v
}

func stringOrEmpty(s *string) string {
	if s == nil {
		return ""
	}
	return *s
}

// requestRow is a row of support_requests.
type requestRow struct {
	Reference         string `gorm:"primaryKey"`
	WorkspaceID       string
	TenantID          string
	ContextType       string
	ContextID         string
	Severity          string
	Summary           string
	ReproductionNotes string
	ContactName       string
	ContactEmail      string
	CreatedBy         string
	CreatedAt         dbTime `gorm:"autoCreateTime:false"`
	AttachmentMode    string
	Context           string
	ContextDigest     string
}

func (requestRow) TableName() string { return "support_requests" }

func toRequestRow(r *support.Request) requestRow {
	d := r.Details()
	return requestRow{
		Reference:         r.Reference().String(),
		WorkspaceID:       r.WorkspaceID(),
		TenantID:          r.TenantID(),
		ContextType:       string(r.PrimaryContext().Type),
		ContextID:         r.PrimaryContext().ID,
		Severity:          string(d.Severity),
		Summary:           d.Summary,
		ReproductionNotes: d.ReproductionNotes,
		ContactName:       d.ContactName,
		ContactEmail:      d.ContactEmail,
		CreatedBy:         r.CreatedBy(),
		CreatedAt:         utc(r.CreatedAt()),
		AttachmentMode:    string(r.AttachmentMode()),
		Context:           string(r.Context()),
		ContextDigest:     r.ContextDigest(),
	}
}

func toCoreRequest(row requestRow) *support.Request {
	return support.Rehydrate(support.Stored{
		Reference:   reference.Reference(row.Reference),
		WorkspaceID: row.WorkspaceID,
		TenantID:    row.TenantID,
		Primary:     support.PrimaryContext{Type: support.ContextType(row.ContextType), ID: row.ContextID},
		Details: support.Details{
			Severity:          support.Severity(row.Severity),
			Summary:           row.Summary,
			ReproductionNotes: row.ReproductionNotes,
			ContactName:       row.ContactName,
			ContactEmail:      row.ContactEmail,
		},
		CreatedBy: row.CreatedBy,
		CreatedAt: row.CreatedAt.Time,
		Mode:      support.AttachmentMode(row.AttachmentMode),
		Context:   []byte(row.Context),
		Digest:    row.ContextDigest,
	})
}

// auditRow is a row of audit_entries; Metadata is JSON text.
type auditRow struct {
	ID          string `gorm:"primaryKey"`
	WorkspaceID string
	TenantID    *string
	ActorID     string
	Action      string
	SubjectType string
	SubjectID   string
	Metadata    string
	OccurredAt  dbTime
}

func (auditRow) TableName() string { return "audit_entries" }

func toAuditRow(e audit.Entry) (auditRow, error) {
	meta := []byte("{}")
	if e.Metadata != nil {
		var err error
		if meta, err = json.Marshal(e.Metadata); err != nil {
			return auditRow{}, fmt.Errorf("encode audit metadata: %w", err)
		}
	}
	row := auditRow{
		ID:          e.ID,
		WorkspaceID: e.WorkspaceID,
		ActorID:     e.ActorID,
		Action:      e.Action,
		SubjectType: e.SubjectType,
		SubjectID:   e.SubjectID,
		Metadata:    string(meta),
		OccurredAt:  utc(e.OccurredAt),
	}
	if e.TenantID != "" {
		row.TenantID = &e.TenantID
	}
	return row, nil
}

// eventRow is a row of outbox_events.
type eventRow struct {
	ID          string `gorm:"primaryKey"`
	Type        string
	Reference   string
	WorkspaceID string
	OccurredAt  dbTime
}

func (eventRow) TableName() string { return "outbox_events" }

func toEventRow(e event.Event) eventRow {
	return eventRow{ID: e.ID, Type: e.Type, Reference: e.Reference.String(), WorkspaceID: e.WorkspaceID, OccurredAt: utc(e.OccurredAt)}
}

// tokenRow is a row of api_tokens.
type tokenRow struct {
	TokenHash string `gorm:"primaryKey"`
	UserID    string
	CreatedAt dbTime `gorm:"autoCreateTime:false"`
}

func (tokenRow) TableName() string { return "api_tokens" }

// userRow is a row of users.
type userRow struct {
	ID    string
	Name  string
	Email string
}

func toCoreActor(row userRow) ports.Actor {
	return ports.Actor{ID: row.ID, Name: row.Name, Email: row.Email}
}

// grantRow is what the grant queries return: the tenant (and run) found
// and the user's memberships, NULL when the user holds none.
type grantRow struct {
	RunID         string
	TenantID      string
	WorkspaceID   string
	WorkspaceRole *string
	TenantRole    *string
}

func toCoreGrant(row grantRow) access.Grant {
	return access.Grant{
		Exists:        true,
		WorkspaceID:   row.WorkspaceID,
		TenantID:      row.TenantID,
		RunID:         row.RunID,
		WorkspaceRole: access.WorkspaceRole(stringOrEmpty(row.WorkspaceRole)),
		TenantRole:    access.Role(stringOrEmpty(row.TenantRole)),
	}
}

// tenantRow is a tenant joined with its workspace.
type tenantRow struct {
	ID            string
	WorkspaceID   string
	Name          string
	ExternalID    string
	Status        string
	WorkspaceName string
}

func toCoreTenant(row tenantRow) (envelope.Workspace, envelope.Tenant) {
	return envelope.Workspace{ID: row.WorkspaceID, Name: row.WorkspaceName},
		envelope.Tenant{ID: row.ID, WorkspaceID: row.WorkspaceID, Name: row.Name, ExternalID: row.ExternalID, Status: row.Status}
}

// runRow is an operation run without its raw payload.
type runRow struct {
	ID             string
	Type           string
	Status         string
	Outcome        *string
	StartedAt      dbTime
	CompletedAt    *dbTime
	FailureCode    string
	FailureMessage string
}

func toCoreRun(row runRow) envelope.Run {
	return envelope.Run{
		ID: row.ID, Type: row.Type, Status: row.Status, Outcome: stringOrEmpty(row.Outcome),
		StartedAt: row.StartedAt.Time, CompletedAt: timeOrNil(row.CompletedAt),
		FailureCode: row.FailureCode, FailureMessage: row.FailureMessage,
	}
}

// toCore converts each row with convert.
func toCore[R, T any](rows []R, convert func(R) T) []T {
	out := make([]T, 0, len(rows))
	for _, r := range rows {
		out = append(out, convert(r))
	}
	return out
}

// connectionRow is a provider connection without its raw payload.
type connectionRow struct {
	ID               string
	Provider         string
	Status           string
	ConsentState     string
	LastCheckedAt    *dbTime
	LastErrorCode    string
	LastErrorMessage string
}

func toCoreConnection(row connectionRow) *envelope.Connection {
	return &envelope.Connection{
		ID: row.ID, Provider: row.Provider, Status: row.Status, ConsentState: row.ConsentState,
		LastCheckedAt: timeOrNil(row.LastCheckedAt), LastErrorCode: row.LastErrorCode, LastErrorMessage: row.LastErrorMessage,
	}
}

type findingRow struct {
	ID         string
	Severity   string
	Status     string
	Title      string
	DetectedAt dbTime
}

func toCoreFinding(r findingRow) envelope.Finding {
	return envelope.Finding{ID: r.ID, Severity: r.Severity, Status: r.Status, Title: r.Title, DetectedAt: r.DetectedAt.Time}
}

type reviewRow struct {
	ID     string
	Status string
	Title  string
	DueAt  dbTime
}

func toCoreReview(r reviewRow) envelope.Review {
	return envelope.Review{ID: r.ID, Status: r.Status, Title: r.Title, DueAt: r.DueAt.Time}
}

type reportRow struct {
	ID          string
	Kind        string
	Status      string
	GeneratedAt dbTime
}

func toCoreReport(r reportRow) envelope.Report {
	return envelope.Report{ID: r.ID, Kind: r.Kind, Status: r.Status, GeneratedAt: r.GeneratedAt.Time}
}

type auditItemRow struct {
	ID          string
	Action      string
	ActorID     string
	SubjectType string
	SubjectID   string
	OccurredAt  dbTime
}

func toCoreAuditItem(r auditItemRow) envelope.AuditItem {
	return envelope.AuditItem{
		ID: r.ID, Action: r.Action, ActorID: r.ActorID, SubjectType: r.SubjectType,
		SubjectID: r.SubjectID, OccurredAt: r.OccurredAt.Time,
	}
}

// countRow is one group of a GROUP BY count.
type countRow struct {
	Label string
	N     int
}

func toCounts(rows []countRow) map[string]int {
	out := make(map[string]int, len(rows))
	for _, r := range rows {
		out[r.Label] = r.N
	}
	return out
}
