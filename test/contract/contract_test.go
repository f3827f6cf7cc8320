package contract_test

import (
	"database/sql"
	"encoding/json"
	"testing"
	"time"

	"supportdesk/adapters/gormstore"
	"supportdesk/adapters/memory"
	"supportdesk/core/audit"
	"supportdesk/core/event"
	"supportdesk/core/reference"
	"supportdesk/test/contract"
	"supportdesk/test/testdb"
)

func TestRequestRepositoryMemory(t *testing.T) {
	contract.RunRequestRepository(t, func(t *testing.T) contract.Subject {
		store := memory.New()
		return contract.Subject{
			Requests: store,
			Keys:     store,
			Seed:     func(*testing.T, contract.World) {},
			Entries: func(_ *testing.T, tenantID string) []audit.Entry {
				var out []audit.Entry
				for _, e := range store.Audit() {
					if e.TenantID == tenantID {
						out = append(out, e)
					}
				}
				return out
			},
			Events: func(_ *testing.T, workspaceID string) []event.Event {
				var out []event.Event
				for _, e := range store.Events() {
					if e.WorkspaceID == workspaceID {
						out = append(out, e)
					}
				}
				return out
			},
		}
	})
}

func TestRequestRepositoryStorage(t *testing.T) {
	for _, e := range testdb.Engines() {
		t.Run(e.Name, func(t *testing.T) {
			contract.RunRequestRepository(t, func(t *testing.T) contract.Subject {
				db := e.Open(t)
				return contract.Subject{
					Requests: gormstore.NewRequests(db),
					Keys:     gormstore.NewIdempotencyKeys(db),
					Seed:     func(t *testing.T, w contract.World) { seed(t, db, w) },
					Entries:  func(t *testing.T, tenantID string) []audit.Entry { return entries(t, db, tenantID) },
					Events:   func(t *testing.T, workspaceID string) []event.Event { return events(t, db, workspaceID) },
				}
			})
		})
	}
}

func seed(t *testing.T, db *gormstore.DB, w contract.World) {
	t.Helper()
	for _, id := range w.UserIDs {
		testdb.Exec(t, db, `INSERT INTO users (id, name, email) VALUES (?, ?, ?)`, id, "User "+id, id+"@example.com")
	}
	workspaces := map[string]bool{}
	for _, tn := range w.Tenants {
		if !workspaces[tn.WorkspaceID] {
			workspaces[tn.WorkspaceID] = true
			testdb.Exec(t, db, `INSERT INTO workspaces (id, name) VALUES (?, ?)`, tn.WorkspaceID, "Workspace")
		}
		testdb.Exec(t, db, `INSERT INTO tenants (id, workspace_id, name, external_id, status) VALUES (?, ?, ?, ?, 'active')`,
			tn.ID, tn.WorkspaceID, "Tenant", "ext-"+tn.ID)
	}
}

// entries reads the audit entries of tenantID with plain SQL, so that the
// suite checks what was stored, not what the adapter reads back.
func entries(t *testing.T, db *gormstore.DB, tenantID string) []audit.Entry {
	t.Helper()
	rows, err := db.SQL().Query(`SELECT id, workspace_id, tenant_id, actor_id, action, subject_type, subject_id, metadata, occurred_at
FROM audit_entries WHERE tenant_id = $1`, tenantID)
	if err != nil {
		t.Fatalf("read audit entries: %v", err)
	}
	defer rows.Close()
	var out []audit.Entry
	for rows.Next() {
		var (
			e        audit.Entry
			tenant   sql.NullString
			metadata string
			occurred any
		)
		if err := rows.Scan(&e.ID, &e.WorkspaceID, &tenant, &e.ActorID, &e.Action, &e.SubjectType, &e.SubjectID, &metadata, &occurred); err != nil {
			t.Fatalf("scan audit entry: %v", err)
		}
		e.TenantID = tenant.String
		if err := json.Unmarshal([]byte(metadata), &e.Metadata); err != nil {
			t.Fatalf("audit metadata %q: %v", metadata, err)
		}
		e.OccurredAt = storedTime(t, occurred)
		out = append(out, e)
	}
	if err := rows.Err(); err != nil {
		t.Fatalf("read audit entries: %v", err)
	}
	return out
}

// events reads the outbox events of workspaceID with plain SQL.
func events(t *testing.T, db *gormstore.DB, workspaceID string) []event.Event {
	t.Helper()
	rows, err := db.SQL().Query(`SELECT id, type, reference, workspace_id, occurred_at
FROM outbox_events WHERE workspace_id = $1`, workspaceID)
	if err != nil {
		t.Fatalf("read outbox events: %v", err)
	}
	defer rows.Close()
	var out []event.Event
	for rows.Next() {
		var (
			e        event.Event
			ref      string
			occurred any
		)
		if err := rows.Scan(&e.ID, &e.Type, &ref, &e.WorkspaceID, &occurred); err != nil {
			t.Fatalf("scan outbox event: %v", err)
		}
		e.Reference = reference.Reference(ref)
		e.OccurredAt = storedTime(t, occurred)
		out = append(out, e)
	}
	if err := rows.Err(); err != nil {
		t.Fatalf("read outbox events: %v", err)
	}
	return out
}

// storedTime reads a timestamp column: a time.Time from PostgreSQL, the
// text the driver wrote from SQLite.
func storedTime(t *testing.T, v any) time.Time {
	t.Helper()
	switch x := v.(type) {
	case time.Time:
		return x.UTC()
	case string:
		parsed, err := time.Parse("2006-01-02 15:04:05.999999999-07:00", x)
		if err != nil {
			t.Fatalf("stored timestamp %q: %v", x, err)
		}
		return parsed.UTC()
	}
	t.Fatalf("stored timestamp of type %T", v)
	return time.Time{}
}
