package httpapi_test

import (
	"io"
	"net/http"
	"net/http/cookiejar"
	"net/url"
	"regexp"
	"strconv"
	"strings"
	"testing"

	"supportdesk/adapters/gormstore"
	"supportdesk/bootstrap"
)

// TestCreateRateLimit: with the default limit, a user's 31st create
// attempt within a minute — whatever became of the first 30, on either
// create route — is a 429 with Retry-After, and stores nothing; other
// users and other endpoints are not affected.
func TestCreateRateLimit(t *testing.T) {
	for _, engine := range []string{string(gormstore.SQLite), string(gormstore.Postgres)} {
		t.Run(engine, func(t *testing.T) {
			cfg := serviceConfig(engineURL(t, engine))
			cfg.CreateLimit = 0 // the service's default
			svc := startService(t, cfg)
			w := newWorld()
			b := newBasic(w)
			w.load(t, svc.db)
			owner := b.roles["owner"].token
			tenantPath := "/v1/tenants/" + b.tenant + "/support-requests"
			runPath := "/v1/operation-runs/" + b.run + "/support-requests"

			// Every kind of attempt counts: malformed, refused and created.
			attempts := []struct {
				path, body string
				status     int
			}{
				{tenantPath, `{`, http.StatusBadRequest},
				{runPath, obj(sev, m("tenant_id", b.tenant), sum), http.StatusUnprocessableEntity},
				{tenantPath, obj(m("severity", "meh"), sum), http.StatusUnprocessableEntity},
				{"/v1/tenants/" + w.ids.NewID() + "/support-requests", obj(sev, sum), http.StatusNotFound},
				{tenantPath, obj(sev, sum), http.StatusCreated},
				{runPath, obj(sev, sum), http.StatusCreated},
			}
			for i := range bootstrap.DefaultCreateLimit {
				a := attempts[i%len(attempts)]
				if res := svc.post(t, a.path, owner, a.body); res.Status != a.status {
					t.Fatalf("attempt %d: %s, want %d", i+1, res, a.status)
				}
			}
			// Without a token nothing is counted: there is no one to count.
			problemOf(t, svc.post(t, tenantPath, "", obj(sev, sum)), http.StatusUnauthorized)
			requests := count(t, svc.db, "support_requests")

			for _, path := range []string{tenantPath, runPath} {
				res := svc.post(t, path, owner, obj(sev, sum))
				p := problemOf(t, res, http.StatusTooManyRequests)
				if p.Type != "https://supportdesk.dev/problems/rate-limited" {
					t.Errorf("problem type %q", p.Type)
				}
				// 30 a minute is one every 2 s: the next is at most 2 s away.
				if wait, err := strconv.Atoi(res.Header.Get("Retry-After")); err != nil || wait < 1 || wait > 2 {
					t.Errorf("Retry-After %q, want whole seconds, 1 or 2", res.Header.Get("Retry-After"))
				}
			}
			if n := count(t, svc.db, "support_requests"); n != requests {
				t.Errorf("limited attempts stored %d requests", n-requests)
			}
			if res := svc.get(t, tenantPath+"/attachment-preview", owner); res.Status != http.StatusOK {
				t.Errorf("a preview is not a create attempt: %s", res)
			}
			createdOf(t, svc.post(t, tenantPath, b.roles["manager"].token, obj(sev, sum)))
		})
	}
}

// TestInstancesShareTheLimit: two serve processes on one PostgreSQL
// database count a user's attempts together, whichever gets them.
func TestInstancesShareTheLimit(t *testing.T) {
	cfg := serviceConfig(engineURL(t, string(gormstore.Postgres)))
	cfg.CreateLimit = 3
	a, b := startService(t, cfg), startService(t, cfg)
	w := newWorld()
	basic := newBasic(w)
	w.load(t, a.db)
	owner := basic.roles["owner"].token
	path := "/v1/tenants/" + basic.tenant + "/support-requests"

	createdOf(t, a.post(t, path, owner, obj(sev, sum)))
	createdOf(t, b.post(t, path, owner, obj(sev, sum)))
	createdOf(t, a.post(t, path, owner, obj(sev, sum)))
	for _, svc := range []*fxService{b, a} {
		res := svc.post(t, path, owner, obj(sev, sum))
		problemOf(t, res, http.StatusTooManyRequests)
		// 3 a minute is one every 20 s.
		if wait, err := strconv.Atoi(res.Header.Get("Retry-After")); err != nil || wait < 1 || wait > 20 {
			t.Errorf("Retry-After %q, want 1 to 20 s", res.Header.Get("Retry-After"))
		}
	}
	createdOf(t, b.post(t, path, basic.roles["manager"].token, obj(sev, sum)))
	if n := count(t, a.db, "support_requests"); n != 4 {
		t.Errorf("%d requests stored, want 4", n)
	}
}

// TestCreateLimitIsConfigurable sets the limit as an operator does,
// through SUPPORTDESK_CREATE_LIMIT. (Both engines read it the same way,
// so one shows it.)
func TestCreateLimitIsConfigurable(t *testing.T) {
	t.Setenv("SUPPORTDESK_CREATE_LIMIT", "3")
	cfg, err := bootstrap.ConfigFromEnv()
	if err != nil {
		t.Fatal(err)
	}
	cfg.DatabaseURL, cfg.Addr = engineURL(t, string(gormstore.SQLite)), "127.0.0.1:0"
	svc := startService(t, cfg)
	w := newWorld()
	b := newBasic(w)
	w.load(t, svc.db)
	path := "/v1/tenants/" + b.tenant + "/support-requests"
	for range 3 {
		createdOf(t, svc.post(t, path, b.roles["operator"].token, obj(sev, sum)))
	}
	problemOf(t, svc.post(t, path, b.roles["operator"].token, obj(sev, sum)), http.StatusTooManyRequests)
}

// TestWebAndAPIShareTheLimit: submissions through the web UI's form and
// through the API take from one count per user.
func TestWebAndAPIShareTheLimit(t *testing.T) {
	cfg := serviceConfig(engineURL(t, string(gormstore.SQLite)))
	cfg.CreateLimit = 3
	svc := startService(t, cfg)
	w := newWorld()
	b := newBasic(w)
	w.load(t, svc.db)
	owner := b.roles["owner"].token
	path := "/v1/tenants/" + b.tenant + "/support-requests"
	web := newWebClient(t, svc, owner)

	if res := web.submit(t, b.tenant); res.StatusCode != http.StatusSeeOther {
		t.Fatalf("web submission: %d, want 303", res.StatusCode)
	}
	createdOf(t, svc.post(t, path, owner, obj(sev, sum)))
	createdOf(t, svc.post(t, path, owner, obj(sev, sum)))
	problemOf(t, svc.post(t, path, owner, obj(sev, sum)), http.StatusTooManyRequests)
	res := web.submit(t, b.tenant)
	if res.StatusCode != http.StatusTooManyRequests || res.Header.Get("Retry-After") == "" {
		t.Errorf("web submission over the limit: %d, Retry-After %q", res.StatusCode, res.Header.Get("Retry-After"))
	}
	if n := count(t, svc.db, "support_requests"); n != 3 {
		t.Errorf("%d requests stored, want 3", n)
	}
}

// webClient is a browser of the service's web UI, signed in.
type webClient struct {
	svc    *fxService
	client *http.Client
}

var csrfInput = regexp.MustCompile(`name="_csrf" value="([^"]+)"`)

// newWebClient signs in to the web UI with an API token.
func newWebClient(t *testing.T, svc *fxService, token string) *webClient {
	t.Helper()
	jar, err := cookiejar.New(nil)
	if err != nil {
		t.Fatal(err)
	}
	c := &webClient{svc: svc, client: &http.Client{
		Transport:     &http.Transport{},
		Jar:           jar,
		CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse },
	}}
	if res := c.postForm(t, "/signin", url.Values{"token": {token}, "next": {"/tenants"}}); res.StatusCode != http.StatusSeeOther {
		t.Fatalf("sign in: %d, want 303", res.StatusCode)
	}
	return c
}

// submit sends the support form of a tenant with a valid request.
func (c *webClient) submit(t *testing.T, tenantID string) *http.Response {
	t.Helper()
	return c.postForm(t, "/tenants/"+tenantID+"/support", url.Values{"severity": {"high"}, "summary": {"From the web UI"}})
}

// postForm posts form to path with the CSRF token of the form page at
// path, as a browser would after loading it.
func (c *webClient) postForm(t *testing.T, path string, form url.Values) *http.Response {
	t.Helper()
	page, err := c.client.Get(c.svc.base + path)
	if err != nil {
		t.Fatal(err)
	}
	body, err := io.ReadAll(page.Body)
	page.Body.Close()
	if err != nil {
		t.Fatal(err)
	}
	match := csrfInput.FindSubmatch(body)
	if match == nil {
		t.Fatalf("GET %s: %d, no form", path, page.StatusCode)
	}
	form.Set("_csrf", string(match[1]))
	res, err := c.client.Post(c.svc.base+path, "application/x-www-form-urlencoded", strings.NewReader(form.Encode()))
	if err != nil {
		t.Fatal(err)
	}
	_, _ = io.Copy(io.Discard, res.Body)
	res.Body.Close()
	return res
}
