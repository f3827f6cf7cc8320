package httpapi_test

import (
	"context"
	"fmt"
	"io"
	"net/http"
	"strings"
	"testing"
	"time"

	"go.uber.org/fx"

	"supportdesk/adapters/gormstore"
	"supportdesk/bootstrap"
	"supportdesk/core/audit"
	"supportdesk/ports"
	"supportdesk/test/testdb"
)

// fxService is the service started as `supportdesk serve` wires it, with
// one adapter swapped by an fx option, serving on a free port.
type fxService struct {
	base   string
	db     *gormstore.DB
	logs   *lockedBuffer
	client *http.Client
}

// startService runs the fx app on a fresh database of the named engine.
func startService(t *testing.T, engine string, swap fx.Option) *fxService {
	t.Helper()
	url := testdb.SQLitePath
	if engine == string(gormstore.Postgres) {
		url = testdb.PostgresURL
	}
	svc := &fxService{logs: &lockedBuffer{}, client: &http.Client{Transport: &http.Transport{}}}
	cfg := bootstrap.Config{DatabaseURL: url(t), Addr: "127.0.0.1:0", CreateLimit: 1000, RequestTimeout: 10 * time.Second}
	var listening *bootstrap.Listening
	app := fx.New(bootstrap.Service(cfg, svc.logs), bootstrap.HTTP(), swap, fx.Populate(&svc.db, &listening))
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	if err := app.Start(ctx); err != nil {
		t.Fatalf("start the service: %v", err)
	}
	t.Cleanup(func() {
		ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
		defer cancel()
		if err := app.Stop(ctx); err != nil {
			t.Errorf("stop the service: %v", err)
		}
	})
	svc.base = "http://" + listening.Addr().String()
	return svc
}

func (s *fxService) post(t *testing.T, path, token, body string) response {
	t.Helper()
	req, err := http.NewRequest(http.MethodPost, s.base+path, strings.NewReader(body))
	if err != nil {
		t.Fatal(err)
	}
	req.Header.Set("Content-Type", "application/json")
	bearer(req, token)
	res, err := s.client.Do(req)
	if err != nil {
		t.Fatalf("POST %s: %v", path, err)
	}
	defer res.Body.Close()
	b, err := io.ReadAll(res.Body)
	if err != nil {
		t.Fatal(err)
	}
	return response{Status: res.StatusCode, Header: res.Header, Body: b}
}

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
			svc := startService(t, engine, fx.Decorate(func(a ports.AuditLogger) ports.AuditLogger {
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
			svc := startService(t, engine, fx.Decorate(func(ports.DiagnosticsBuilder) ports.DiagnosticsBuilder {
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
