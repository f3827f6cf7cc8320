package gormstore_test

import (
	"context"
	"errors"
	"strings"
	"testing"
	"time"

	"github.com/google/uuid"

	"supportdesk/adapters/gormstore"
	"supportdesk/core"
	"supportdesk/core/audit"
	"supportdesk/core/event"
	"supportdesk/core/reference"
	"supportdesk/core/support"
	"supportdesk/ports"
	"supportdesk/test/testdb"
)

// creation is what the use case writes for r, without an Idempotency-Key.
func creation(r *support.Request) ports.Creation {
	return ports.Creation{Request: r, Audit: audit.Created(uuid.NewString(), r, support.ChannelAPI), Event: event.Created(uuid.NewString(), r)}
}

// storedRequest creates a request on a fresh tenant, with its audit entry
// and event, through the adapter.
func storedRequest(t *testing.T, db *gormstore.DB, at time.Time) *support.Request {
	t.Helper()
	s := newSeeder(t, db)
	ws := s.workspace()
	tn, user := s.tenant(ws), s.user()
	r := newRequest(t, ws, tn, user, at)
	if err := gormstore.NewRequests(db).Create(context.Background(), creation(r)); err != nil {
		t.Fatalf("Create: %v", err)
	}
	return r
}

func newRequest(t *testing.T, ws, tn, user string, at time.Time) *support.Request {
	t.Helper()
	ref, err := reference.NewGenerator().New(at)
	if err != nil {
		t.Fatal(err)
	}
	b := []byte(`{"schema":"support-request-context/v1"}`)
	r, err := support.New(support.Params{
		Reference: ref, WorkspaceID: ws, TenantID: tn,
		Primary:   support.PrimaryContext{Type: support.ContextTenant, ID: tn},
		Input:     support.Input{Severity: "high", Summary: "original"},
		CreatedBy: user, CreatedAt: at, Mode: support.CanonicalContextOnly, Context: b,
	})
	if err != nil {
		t.Fatal(err)
	}
	return r
}

// TestRequestStorage checks what the contract suite cannot see: the
// stored form and the database's own guards. One database per engine.
func TestRequestStorage(t *testing.T) {
	for _, e := range testdb.Engines() {
		t.Run(e.Name, func(t *testing.T) {
			db := e.Open(t)
			t.Run("requests and audit entries are immutable", func(t *testing.T) { testImmutable(t, db) })
			t.Run("times are stored in UTC to the microsecond", func(t *testing.T) { testStoredTimes(t, db) })
			t.Run("a failed audit write stores nothing", func(t *testing.T) { testFailedAuditWrite(t, db) })
		})
	}
}

func testImmutable(t *testing.T, db *gormstore.DB) {
	r := storedRequest(t, db, time.Now())
	ref := r.Reference().String()
	statements := []string{
		`UPDATE support_requests SET summary = 'changed' WHERE reference = ?`,
		`UPDATE support_requests SET created_at = created_at WHERE reference = ?`,
		`DELETE FROM support_requests WHERE reference = ?`,
		`UPDATE audit_entries SET action = 'changed' WHERE subject_id = ?`,
		`DELETE FROM audit_entries WHERE subject_id = ?`,
	}
	for _, stmt := range statements {
		if err := db.Gorm().Exec(stmt, ref).Error; err == nil {
			t.Errorf("%s succeeded, want it rejected", stmt)
		}
	}
	if db.Dialect() == gormstore.Postgres {
		for _, stmt := range []string{`TRUNCATE support_requests CASCADE`, `TRUNCATE audit_entries`} {
			if err := db.Gorm().Exec(stmt).Error; err == nil {
				t.Errorf("%s succeeded, want it rejected", stmt)
			}
		}
	}

	got, err := gormstore.NewRequests(db).Get(context.Background(), r.Reference())
	if err != nil || got.Details().Summary != "original" {
		t.Fatalf("after the rejected statements, Get = %v, %v; want the original request", got, err)
	}
	var actions []string
	if err := db.Gorm().Raw(`SELECT action FROM audit_entries WHERE subject_id = ?`, ref).Scan(&actions).Error; err != nil {
		t.Fatal(err)
	}
	if len(actions) != 1 || actions[0] != audit.ActionSupportRequestCreated {
		t.Errorf("audit entries = %q, want the one creation entry", actions)
	}
}

// testStoredTimes checks the stored form, which the indexes' order
// depends on: on SQLite, text in one UTC layout.
func testStoredTimes(t *testing.T, db *gormstore.DB) {
	at := time.Date(2031, 3, 4, 5, 6, 7, 123456789, time.FixedZone("UTC+5", 5*3600))
	r := storedRequest(t, db, at)
	ref := r.Reference().String()
	if db.Dialect() == gormstore.SQLite {
		var stored []string
		err := db.Gorm().Raw(`SELECT created_at FROM support_requests WHERE reference = ?
UNION ALL SELECT occurred_at FROM audit_entries WHERE subject_id = ?`, ref, ref).Scan(&stored).Error
		if err != nil {
			t.Fatal(err)
		}
		want := []string{"2031-03-04 00:06:07.123456+00:00", "2031-03-04 00:06:07.123456+00:00"}
		if len(stored) != 2 || stored[0] != want[0] || stored[1] != want[1] {
			t.Errorf("stored times = %q, want %q", stored, want)
		}
		return
	}
	var n int
	err := db.Gorm().Raw(`SELECT count(*) FROM support_requests s JOIN audit_entries a ON a.subject_id = s.reference
WHERE s.reference = ? AND s.created_at = '2031-03-04T00:06:07.123456Z' AND a.occurred_at = s.created_at`, ref).Scan(&n).Error
	if err != nil || n != 1 {
		t.Errorf("stored times do not equal 2031-03-04T00:06:07.123456Z (%d rows, %v)", n, err)
	}
}

func testFailedAuditWrite(t *testing.T, db *gormstore.DB) {
	s := newSeeder(t, db)
	ws := s.workspace()
	tn, user := s.tenant(ws), s.user()
	r := newRequest(t, ws, tn, user, time.Now())
	c := creation(r)
	c.Audit.ActorID = uuid.NewString() // no such user: the insert breaks a foreign key
	err := gormstore.NewRequests(db).Create(context.Background(), c)
	if core.KindOf(err) != core.KindInternal || core.MessageOf(err) != "internal error" {
		t.Errorf("Create error = %v, want an internal error", err)
	}
	if _, err := gormstore.NewRequests(db).Get(context.Background(), r.Reference()); !errors.Is(err, support.ErrNotFound) {
		t.Errorf("Get after a failed audit write: %v, want not found", err)
	}
	var events int64
	if err := db.Gorm().Raw(`SELECT count(*) FROM outbox_events WHERE reference = ?`, r.Reference().String()).Scan(&events).Error; err != nil || events != 0 {
		t.Errorf("%d outbox events after a failed audit write (%v), want 0", events, err)
	}
}

// TestErrorsKeepSQLOutOfTheMessage ends by closing its database.
func TestErrorsKeepSQLOutOfTheMessage(t *testing.T) {
	for _, e := range testdb.Engines() {
		t.Run(e.Name, func(t *testing.T) {
			db := e.Open(t)
			r := storedRequest(t, db, time.Now())
			requests := gormstore.NewRequests(db)
			ctx := context.Background()

			err := requests.Create(ctx, creation(r))
			if core.KindOf(err) != core.KindConflict {
				t.Fatalf("duplicate Create error = %v, want conflict", err)
			}
			assertNoSQL(t, err)

			if err := db.Close(); err != nil {
				t.Fatal(err)
			}
			for name, call := range map[string]func() error{
				"Get":    func() error { _, err := requests.Get(ctx, r.Reference()); return err },
				"List":   func() error { _, err := requests.List(ctx, ports.ListFilter{}); return err },
				"Create": func() error { return requests.Create(ctx, creation(r)) },
				"TenantGrant": func() error {
					_, err := gormstore.NewGrants(db).TenantGrant(ctx, uuid.NewString(), r.TenantID())
					return err
				},
				"ByEmail": func() error { _, err := gormstore.NewUsers(db).ByEmail(ctx, "a@example.com"); return err },
			} {
				err := call()
				if core.KindOf(err) != core.KindUnavailable {
					t.Errorf("%s on a closed database: error = %v (kind %v), want unavailable", name, err, core.KindOf(err))
				}
				assertNoSQL(t, err)
			}
		})
	}
}

func assertNoSQL(t *testing.T, err error) {
	t.Helper()
	msg := core.MessageOf(err)
	for _, s := range []string{"support_requests", "INSERT", "SELECT", "constraint", "sql"} {
		if strings.Contains(msg, s) {
			t.Errorf("caller-facing message %q contains %q", msg, s)
		}
	}
}
