package metrics

import (
	"context"
	"database/sql"
	"io"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	_ "modernc.org/sqlite" // a pool to collect figures of

	"supportdesk/core/reference"
	"supportdesk/core/support"
)

func scrape(t *testing.T, m *Metrics) string {
	t.Helper()
	rec := httptest.NewRecorder()
	m.Handler().ServeHTTP(rec, httptest.NewRequest("GET", "/metrics", nil))
	if rec.Code != 200 || !strings.HasPrefix(rec.Header().Get("Content-Type"), "text/plain") {
		t.Fatalf("%d %s", rec.Code, rec.Header().Get("Content-Type"))
	}
	b, err := io.ReadAll(rec.Body)
	if err != nil {
		t.Fatal(err)
	}
	return string(b)
}

func TestMetrics(t *testing.T) {
	db, err := sql.Open("sqlite", ":memory:")
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	m := New(db)
	m.ObserveRequest("POST", "/v1/tenants/:tenantID/support-requests", 201, 30*time.Millisecond)
	m.EnvelopeBuilt(context.Background(), 3*time.Millisecond)
	ref, err := reference.Parse("SR-01JDQ2ZK8W6J3M0V2Q1C9B7N5X")
	if err != nil {
		t.Fatal(err)
	}
	req, err := support.New(support.Params{
		Reference: ref, WorkspaceID: "w", TenantID: "t",
		Primary:   support.PrimaryContext{Type: support.ContextOperationRun, ID: "r"},
		Input:     support.Input{Severity: "high", Summary: "s"},
		CreatedBy: "u", CreatedAt: time.Now(), Mode: support.DiagnosticsAttached, Context: []byte("{}"),
	})
	if err != nil {
		t.Fatal(err)
	}
	m.Created(context.Background(), req)

	text := scrape(t, m)
	for _, want := range []string{
		`supportdesk_http_request_duration_seconds_bucket{method="POST",route="/v1/tenants/:tenantID/support-requests",status="201",le="0.05"} 1`,
		`supportdesk_envelope_build_duration_seconds_bucket{le="0.004"} 1`,
		`supportdesk_support_requests_created_total{attachment_mode="diagnostics_attached",context_type="operation_run"} 1`,
		`supportdesk_support_requests_created_total{attachment_mode="canonical_context_only",context_type="tenant"} 0`,
		`go_sql_open_connections{db_name="supportdesk"}`,
		`go_goroutines`,
		`process_open_fds`,
	} {
		if !strings.Contains(text, want) {
			t.Errorf("no %s in\n%s", want, text)
		}
	}
	// Every app has a registry of its own: a second one registers the
	// same names without a clash.
	if !strings.Contains(scrape(t, New(nil)), "supportdesk_support_requests_created_total") {
		t.Error("a second registry lacks the metrics")
	}
}
