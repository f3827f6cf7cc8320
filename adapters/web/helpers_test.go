package web_test

import (
	"context"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"net/url"
	"regexp"
	"strings"
	"testing"

	"github.com/gofiber/fiber/v2"

	"supportdesk/adapters/fixture"
	"supportdesk/adapters/gormstore"
	"supportdesk/adapters/httpapi"
	"supportdesk/adapters/system"
	"supportdesk/adapters/web"
	"supportdesk/core/usecase"
	"supportdesk/test/testdb"
)

// Demo logins and records (see fixture.DemoUsers).
const (
	ownerToken    = "demo-owner-token-please-change"
	managerToken  = "demo-manager-token-please-change"
	operatorToken = "demo-operator-token-please-change"
	readonlyToken = "demo-readonly-token-please-change"
	memberToken   = "demo-member-token-please-change"
	ownerID       = "20000000-0000-4000-8000-000000000001"

	fabrikam  = fixture.DemoTenantID
	litware   = fixture.DemoOtherWorkspaceTenantID
	failedRun = fixture.DemoFailedRunID
	// litwareRun is Litware's only run, in a workspace Northwind users are not in.
	litwareRun = "50000000-0000-4000-8000-000000000014"
	missingID  = "9f3c1a52-0000-4000-8000-00000000dead"

	// clientSecret appears in Fabrikam's provider error and payloads; no
	// page may show it.
	clientSecret = "Qx8~mZ2pL5vT9rW3yB6nK1cF4hJ7dS0aG8eU2iO5"
)

// site is the web UI on the API's Fiber app, as the service runs them,
// over the real use case and a fresh SQLite database holding the demo data.
type site struct {
	app      *fiber.App
	db       *gormstore.DB
	sessions *gormstore.Sessions
}

// newSite serves the UI over the real use case; swaps change its
// outbound ports (a rate limiter, say) before it is made.
func newSite(t *testing.T, d web.Deps, swaps ...func(*usecase.Deps)) *site {
	t.Helper()
	db := testdb.SQLite(t)
	if _, err := gormstore.NewRecords(db).Import(context.Background(), fixture.Demo()); err != nil {
		t.Fatalf("import demo: %v", err)
	}
	deps := usecase.Deps{
		Requests: gormstore.NewRequests(db), Grants: gormstore.NewGrants(db),
		Contexts: gormstore.NewContexts(db), Diagnostics: gormstore.NewDiagnostics(db), Users: gormstore.NewUsers(db),
		Directory: gormstore.NewDirectory(db), Clock: system.Clock{}, IDs: system.NewIDs(),
		Pages: gormstore.NewPages(db), Agents: gormstore.NewAgents(db),
	}
	for _, swap := range swaps {
		swap(&deps)
	}
	svc := usecase.New(deps)
	sessions := gormstore.NewSessions(db)
	d.Desk, d.Browser, d.Sessions = svc, svc, sessions
	d.Log = slog.New(slog.DiscardHandler)
	d.Requester, d.Support = svc, svc
	ui := web.New(d)
	app := httpapi.New(svc, httpapi.Config{NotFoundPage: ui.NotFound}, d.Log)
	ui.Register(app)
	return &site{app: app, db: db, sessions: sessions}
}

// browser is a cookie-keeping client of the site.
type browser struct {
	t       *testing.T
	site    *site
	cookies map[string]string
}

func (s *site) browser(t *testing.T) *browser {
	return &browser{t: t, site: s, cookies: map[string]string{}}
}

// response is a finished response with its body read.
type response struct {
	*http.Response
	body string
}

// do sends a request with the browser's cookies and keeps the cookies the
// response sets. form, if not nil, is sent urlencoded; header holds
// name, value pairs.
func (b *browser) do(method, path string, form url.Values, header ...string) response {
	b.t.Helper()
	var body io.Reader
	if form != nil {
		body = strings.NewReader(form.Encode())
	}
	req := httptest.NewRequest(method, path, body)
	if form != nil {
		req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	}
	for i := 0; i+1 < len(header); i += 2 {
		req.Header.Set(header[i], header[i+1])
	}
	for name, value := range b.cookies {
		req.AddCookie(&http.Cookie{Name: name, Value: value})
	}
	resp, err := b.site.app.Test(req, -1)
	if err != nil {
		b.t.Fatalf("%s %s: %v", method, path, err)
	}
	defer resp.Body.Close()
	raw, err := io.ReadAll(resp.Body)
	if err != nil {
		b.t.Fatalf("%s %s: read body: %v", method, path, err)
	}
	for _, c := range resp.Cookies() {
		if c.Value == "" {
			delete(b.cookies, c.Name)
		} else {
			b.cookies[c.Name] = c.Value
		}
	}
	resp.Request = req
	return response{Response: resp, body: string(raw)}
}

func (b *browser) get(path string) response {
	b.t.Helper()
	return b.do(http.MethodGet, path, nil)
}

// post sends form to path with the CSRF token of the page at from, as a
// browser submitting a form of that page would.
func (b *browser) post(from, path string, form url.Values) response {
	b.t.Helper()
	form.Set("_csrf", csrfOf(b.t, b.get(from)))
	return b.do(http.MethodPost, path, form)
}

var csrfInput = regexp.MustCompile(`name="_csrf" value="([^"]+)"`)

// csrfOf returns the CSRF token of the first form on a page.
func csrfOf(t *testing.T, r response) string {
	t.Helper()
	m := csrfInput.FindStringSubmatch(r.body)
	if m == nil {
		t.Fatalf("no CSRF token on the page (status %d):\n%s", r.StatusCode, r.body)
	}
	return m[1]
}

// signIn signs in with token and returns the sign-in response.
func (b *browser) signIn(token string) response {
	b.t.Helper()
	r := b.post("/signin", "/signin", url.Values{"token": {token}})
	if r.StatusCode != http.StatusSeeOther {
		b.t.Fatalf("sign in: status %d, want 303:\n%s", r.StatusCode, r.body)
	}
	return r
}

func wantStatus(t *testing.T, r response, want int) {
	t.Helper()
	if r.StatusCode != want {
		t.Fatalf("%s %s: status %d, want %d:\n%s", r.Request.Method, r.Request.URL, r.StatusCode, want, r.body)
	}
}

func cookieNamed(r response, name string) *http.Cookie {
	for _, c := range r.Cookies() {
		if c.Name == name {
			return c
		}
	}
	return nil
}

func countRows(t *testing.T, db *gormstore.DB, query string, args ...any) int64 {
	t.Helper()
	var n int64
	if err := db.Gorm().Raw(query, args...).Scan(&n).Error; err != nil {
		t.Fatalf("%s: %v", query, err)
	}
	return n
}
