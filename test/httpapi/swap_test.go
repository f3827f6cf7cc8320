package httpapi_test

import (
	"context"
	"fmt"
	"net/http"
	"strings"
	"testing"

	"go.uber.org/fx"

	"supportdesk/adapters/gormstore"
	"supportdesk/core/envelope"
	"supportdesk/ports"
	"supportdesk/test/testdb"
)

// failAuditInserts makes the database itself refuse every insert into
// audit_entries, with a trigger on this test's database only, raising an
// error whose text holds a secret: the audit write fails where it really
// runs, inside the creation's transaction, after the request's insert.
func failAuditInserts(t *testing.T, db *gormstore.DB, secret string) {
	t.Helper()
	msg := "INSERT INTO audit_entries failed: connection string password=" + secret
	stmts := []string{`CREATE TRIGGER test_fail_audit BEFORE INSERT ON audit_entries
BEGIN SELECT RAISE(ABORT, '` + msg + `'); END`}
	if db.Dialect() == gormstore.Postgres {
		stmts = []string{
			`CREATE FUNCTION test_fail_audit() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN RAISE EXCEPTION '` + msg + `'; END; $$`,
			`CREATE TRIGGER test_fail_audit BEFORE INSERT ON audit_entries FOR EACH ROW EXECUTE FUNCTION test_fail_audit()`,
		}
	}
	for _, stmt := range stmts {
		testdb.Exec(t, db, stmt)
	}
}

// TestFailingAuditWriteCreatesNothing: when the database refuses the audit
// entry, the create answers 500 without the cause, and neither the
// request, nor its audit entry, nor its outbox event is stored (docs/overview.md).
func TestFailingAuditWriteCreatesNothing(t *testing.T) {
	for _, engine := range []string{string(gormstore.SQLite), string(gormstore.Postgres)} {
		t.Run(engine, func(t *testing.T) {
			secret := "CANARY" + randomHex(8)
			svc := startService(t, serviceConfig(engineURL(t, engine)))
			w := newWorld()
			b := newBasic(w)
			w.load(t, svc.db)
			failAuditInserts(t, svc.db, secret)

			for _, path := range []string{"/v1/tenants/" + b.tenant, "/v1/operation-runs/" + b.run} {
				requests, entries, events := count(t, svc.db, "support_requests"), count(t, svc.db, "audit_entries"), count(t, svc.db, "outbox_events")
				res := svc.post(t, path+"/support-requests", b.roles["owner"].token, obj(sev, sum))
				p := problemOf(t, res, http.StatusInternalServerError)
				if p.Type != "https://supportdesk.dev/problems/internal" {
					t.Errorf("problem type %q", p.Type)
				}
				for _, cause := range []string{"INSERT", "audit_entries", "password", secret} {
					if strings.Contains(string(res.Body), cause) {
						t.Errorf("the 500 tells %q: %s", cause, res.Body)
					}
				}
				if n := count(t, svc.db, "support_requests"); n != requests {
					t.Errorf("%s: support_requests %d → %d", path, requests, n)
				}
				if n := count(t, svc.db, "audit_entries"); n != entries {
					t.Errorf("%s: audit_entries %d → %d", path, entries, n)
				}
				if n := count(t, svc.db, "outbox_events"); n != events {
					t.Errorf("%s: outbox_events %d → %d", path, events, n)
				}
			}
			logs := svc.logs.String()
			if !strings.Contains(logs, "request failed") || !strings.Contains(logs, "INSERT INTO audit_entries failed") {
				t.Errorf("the cause was not logged: %s", logs)
			}
			if strings.Contains(logs, secret) {
				t.Error("the log holds the secret of the cause")
			}
		})
	}
}

// TestFailingDiagnosticsThroughFx swaps in, through fx, an envelope reader
// whose diagnostics part fails: requests are still created, with the
// canonical context only.
func TestFailingDiagnosticsThroughFx(t *testing.T) {
	for _, engine := range []string{string(gormstore.SQLite), string(gormstore.Postgres)} {
		t.Run(engine, func(t *testing.T) {
			svc := startService(t, serviceConfig(engineURL(t, engine)), fx.Decorate(func(next ports.EnvelopeReader) ports.EnvelopeReader {
				return failingBundles{next: next}
			}))
			w := newWorld()
			b := newBasic(w)
			w.load(t, svc.db)
			for _, path := range []string{"/v1/tenants/" + b.tenant, "/v1/operation-runs/" + b.run} {
				c := createdOf(t, svc.post(t, path+"/support-requests", b.roles["manager"].token, obj(sev, sum)))
				if c.AttachmentMode != "canonical_context_only" {
					t.Errorf("%s: attachment mode %q", path, c.AttachmentMode)
				}
			}
			if n := count(t, svc.db, "support_requests"); n != 2 {
				t.Errorf("%d requests stored, want 2", n)
			}
		})
	}
}

// failingBundles reads envelopes through next but fails whenever the
// diagnostics bundle is asked for.
type failingBundles struct{ next ports.EnvelopeReader }

func (f failingBundles) ReadEnvelope(ctx context.Context, scope envelope.Scope, withBundle bool) (envelope.Snapshot, *envelope.Bundle, error) {
	if withBundle {
		return envelope.Snapshot{}, nil, fmt.Errorf("diagnostics builder down")
	}
	return f.next.ReadEnvelope(ctx, scope, false)
}
