package httpapi

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"supportdesk/core"
	"supportdesk/ports"
)

// countingDesk allows left create attempts, then asks to wait 1.2 s, as
// the use case over a rate limiter does.
type countingDesk struct {
	fakeDesk
	left  int
	asked []string
}

func (d *countingDesk) AttemptCreate(_ context.Context, actor ports.Actor) error {
	d.asked = append(d.asked, actor.ID)
	if d.left == 0 {
		return &core.Error{Kind: core.KindRateLimited, RetryAfter: 1200 * time.Millisecond, Message: "too many attempts"}
	}
	d.left--
	return nil
}

func post(t *testing.T, app interface {
	Test(*http.Request, ...int) (*http.Response, error)
}, path, token, contentType, body string) *http.Response {
	t.Helper()
	req := httptest.NewRequest(http.MethodPost, path, strings.NewReader(body))
	req.Header.Set("Content-Type", contentType)
	if token != "" {
		req.Header.Set("Authorization", "Bearer "+token)
	}
	res, err := app.Test(req, -1)
	if err != nil {
		t.Fatal(err)
	}
	res.Body.Close()
	return res
}

// The use case takes one attempt per authenticated create attempt, before
// the body is looked at: a malformed or wrongly typed attempt counts, an
// unauthenticated one cannot, and other endpoints never do.
func TestRateLimitComesAfterAuthBeforeTheBody(t *testing.T) {
	l := &countingDesk{left: 2}
	app := New(l, Config{}, slog.New(slog.DiscardHandler))
	if res := post(t, app, "/v1/tenants/t/support-requests", "", "application/json", `{`); res.StatusCode != 401 {
		t.Fatalf("no token: %d", res.StatusCode)
	}
	if res := post(t, app, "/v1/tenants/t/support-requests", "good", "application/json", `{`); res.StatusCode != 400 {
		t.Fatalf("malformed: %d", res.StatusCode)
	}
	if res := post(t, app, "/v1/operation-runs/r/support-requests", "good", "text/plain", `x`); res.StatusCode != 415 {
		t.Fatalf("text/plain: %d", res.StatusCode)
	}
	res := post(t, app, "/v1/tenants/t/support-requests", "good", "text/plain", `{`)
	if res.StatusCode != 429 || res.Header.Get("Retry-After") != "2" || res.Header.Get("Content-Type") != problemContentType {
		t.Fatalf("third attempt: %d, Retry-After %q", res.StatusCode, res.Header.Get("Retry-After"))
	}
	do(t, app, "/v1/tenants/t/support-requests/attachment-preview", "good")
	if strings.Join(l.asked, ",") != "u1,u1,u1" {
		t.Errorf("attempts were taken for %q, want three of u1", l.asked)
	}
}

func TestServerLimitsDefaultAndOverride(t *testing.T) {
	cfg := New(&fakeDesk{}, Config{}, nil).Config()
	if cfg.BodyLimit != 64<<10 || cfg.ReadTimeout != DefaultReadTimeout || cfg.WriteTimeout != DefaultWriteTimeout || cfg.IdleTimeout != DefaultIdleTimeout {
		t.Errorf("defaults: %d %v %v %v", cfg.BodyLimit, cfg.ReadTimeout, cfg.WriteTimeout, cfg.IdleTimeout)
	}
	cfg = New(&fakeDesk{}, Config{BodyLimit: 10, ReadTimeout: time.Second, WriteTimeout: 2 * time.Second, IdleTimeout: 3 * time.Second}, nil).Config()
	if cfg.BodyLimit != 10 || cfg.ReadTimeout != time.Second || cfg.WriteTimeout != 2*time.Second || cfg.IdleTimeout != 3*time.Second {
		t.Errorf("overrides: %d %v %v %v", cfg.BodyLimit, cfg.ReadTimeout, cfg.WriteTimeout, cfg.IdleTimeout)
	}
}

func TestReadyz(t *testing.T) {
	for _, c := range []struct {
		ready  func(context.Context) error
		status int
		detail string
	}{
		{nil, 200, ""},
		{func(context.Context) error { return nil }, 200, ""},
		{func(context.Context) error {
			return core.Errorf(core.KindUnavailable, "database migrations are pending")
		}, 503, "database migrations are pending"},
		{func(context.Context) error {
			return fmt.Errorf("goose: SELECT version FROM goose_db_version: %w", errors.New("disk I/O error"))
		}, 503, errNotReady.Message},
		{func(ctx context.Context) error {
			if _, ok := ctx.Deadline(); !ok {
				return errors.New("no deadline")
			}
			return nil
		}, 200, ""},
	} {
		app := New(&fakeDesk{}, Config{Ready: c.ready}, slog.New(slog.DiscardHandler))
		res, body := do(t, app, "/readyz", "")
		if res.StatusCode != c.status || !strings.Contains(string(body), c.detail) {
			t.Errorf("%d %s, want %d with %q", res.StatusCode, body, c.status, c.detail)
		}
		if c.status == 503 && (res.Header.Get("Retry-After") == "" || strings.Contains(string(body), "SELECT")) {
			t.Errorf("503: Retry-After %q, body %s", res.Header.Get("Retry-After"), body)
		}
	}
}

type fakeMetrics struct{ observed []string }

func (m *fakeMetrics) ObserveRequest(method, route string, status int, _ time.Duration) {
	m.observed = append(m.observed, fmt.Sprint(method, " ", route, " ", status))
}

func (m *fakeMetrics) Handler() http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, _ *http.Request) { fmt.Fprint(w, "metrics") })
}

// Requests are observed by route template; those no endpoint matched as
// unmatched.
func TestRequestsObservedByRouteTemplate(t *testing.T) {
	m := &fakeMetrics{}
	app := New(&fakeDesk{}, Config{Metrics: m}, slog.New(slog.DiscardHandler))
	do(t, app, "/v1/tenants/abc/support-requests/attachment-preview", "good")
	do(t, app, "/v1/tenants/abc/support-requests/attachment-preview", "")
	do(t, app, "/v1/tenants/abc/nothing-here", "good")
	post(t, app, "/healthz", "", "application/json", "{}")
	if res, body := do(t, app, "/metrics", ""); res.StatusCode != 200 || string(body) != "metrics" {
		t.Errorf("/metrics: %d %s", res.StatusCode, body)
	}
	want := []string{
		"GET /v1/tenants/:tenantID/support-requests/attachment-preview 200",
		"GET /v1/tenants/:tenantID/support-requests/attachment-preview 401",
		"GET unmatched 404",
		"POST unmatched 405",
		"GET /metrics 200",
	}
	if strings.Join(m.observed, "\n") != strings.Join(want, "\n") {
		t.Errorf("observed:\n%s\nwant:\n%s", strings.Join(m.observed, "\n"), strings.Join(want, "\n"))
	}
	if res, _ := do(t, New(&fakeDesk{}, Config{}, nil), "/metrics", ""); res.StatusCode != 404 {
		t.Errorf("/metrics without metrics: %d", res.StatusCode)
	}
}
