package httpapi_test

import (
	"context"
	"fmt"
	"net/http"
	"strings"
	"testing"

	"go.uber.org/fx"

	"supportdesk/adapters/gormstore"
	"supportdesk/core/audit"
	"supportdesk/ports"
)

// failingAudit writes the entry through the real logger, then fails, as
// a commit-time failure would: the entry must roll back with the request.
type failingAudit struct {
	next   ports.AuditLogger
	secret string
}

func (f failingAudit) Record(ctx context.Context, tx ports.Tx, e audit.Entry) error {
	if err := f.next.Record(ctx, tx, e); err != nil {
		return err
	}
	return fmt.Errorf("INSERT INTO audit_entries failed: connection string password=%s", f.secret)
}

// TestFailingAuditLoggerCreatesNothing swaps in, through fx, an audit
// logger that fails: the create answers 500 without the cause, and neither
// the request nor its audit entry is stored (SPEC §7).
func TestFailingAuditLoggerCreatesNothing(t *testing.T) {
	for _, engine := range []string{string(gormstore.SQLite), string(gormstore.Postgres)} {
		t.Run(engine, func(t *testing.T) {
			secret := "CANARY" + randomHex(8)
			svc := startService(t, serviceConfig(engineURL(t, engine)), fx.Decorate(func(a ports.AuditLogger) ports.AuditLogger {
				return failingAudit{next: a, secret: secret}
			}))
			w := newWorld()
			b := newBasic(w)
			w.load(t, svc.db)

			for _, path := range []string{"/v1/tenants/" + b.tenant, "/v1/operation-runs/" + b.run} {
				requests, entries := count(t, svc.db, "support_requests"), count(t, svc.db, "audit_entries")
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

// TestFailingDiagnosticsThroughFx swaps in, through fx, a diagnostics
// builder that fails: requests are still created, with canonical context
// only (SPEC §5).
func TestFailingDiagnosticsThroughFx(t *testing.T) {
	for _, engine := range []string{string(gormstore.SQLite), string(gormstore.Postgres)} {
		t.Run(engine, func(t *testing.T) {
			svc := startService(t, serviceConfig(engineURL(t, engine)), fx.Decorate(func(ports.DiagnosticsBuilder) ports.DiagnosticsBuilder {
				return failingDiagnostics{err: fmt.Errorf("diagnostics builder down")}
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
