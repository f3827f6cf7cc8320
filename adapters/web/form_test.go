package web_test

import (
	"net/http"
	"net/http/httptest"
	"net/url"
	"strings"
	"testing"

	"supportdesk/adapters/ratelimit"
	"supportdesk/adapters/web"
	"supportdesk/core/usecase"
)

// The CSRF token counts only from the form body: one in the query string
// (where it would leak into logs and Referer headers) is ignored.
func TestCSRFTokenOnlyFromTheFormBody(t *testing.T) {
	s := newSite(t, web.Deps{})
	b := s.browser(t)
	b.signIn(ownerToken)
	token := csrfOf(t, b.get("/tenants/"+fabrikam+"/support"))
	form := url.Values{"severity": {"high"}, "summary": {"Sync fails"}}
	r := b.do(http.MethodPost, "/tenants/"+fabrikam+"/support?_csrf="+url.QueryEscape(token), form)
	wantStatus(t, r, http.StatusForbidden)

	signin := s.browser(t)
	st := csrfOf(t, signin.get("/signin"))
	r = signin.do(http.MethodPost, "/signin?_csrf="+url.QueryEscape(st), url.Values{"token": {ownerToken}})
	wantStatus(t, r, http.StatusForbidden)
	if n := countRows(t, s.db, `SELECT count(*) FROM support_requests`); n != 0 {
		t.Fatalf("%d requests created", n)
	}
}

// A multipart body is never parsed for its fields — no form of the UI is
// multipart — so a malformed one gets the page's own answer, and a
// well-formed one signed in with the right CSRF token still fails the
// CSRF check and creates nothing.
func TestMultipartBodiesAreNotParsed(t *testing.T) {
	s := newSite(t, web.Deps{})
	malformed := "--b\r\nContent-Disposition: form-data; name=\"_csrf\"\r\n\r\nx\r\n--b\r\nContent-Disposition: form-data; name="
	for _, path := range []string{"/signin", "/tenants/" + fabrikam + "/support"} {
		req := httptest.NewRequest(http.MethodPost, path, strings.NewReader(malformed))
		req.Header.Set("Content-Type", "multipart/form-data; boundary=b")
		res, err := s.app.Test(req, -1)
		if err != nil {
			t.Fatal(err)
		}
		res.Body.Close()
		want := http.StatusSeeOther // to sign in, unauthenticated
		if path == "/signin" {
			want = http.StatusForbidden // no sign-in form token in the (unparsed) body
		}
		if res.StatusCode != want {
			t.Errorf("POST %s multipart: %d, want %d", path, res.StatusCode, want)
		}
	}
	b := s.browser(t)
	b.signIn(ownerToken)
	token := csrfOf(t, b.get("/tenants/"+fabrikam+"/support"))
	body := "--b\r\nContent-Disposition: form-data; name=\"_csrf\"\r\n\r\n" + token +
		"\r\n--b\r\nContent-Disposition: form-data; name=\"severity\"\r\n\r\nhigh\r\n--b\r\nContent-Disposition: form-data; name=\"summary\"\r\n\r\nx\r\n--b--\r\n"
	req := httptest.NewRequest(http.MethodPost, "/tenants/"+fabrikam+"/support", strings.NewReader(body))
	req.Header.Set("Content-Type", "multipart/form-data; boundary=b")
	for name, value := range b.cookies {
		req.AddCookie(&http.Cookie{Name: name, Value: value})
	}
	res, err := s.app.Test(req, -1)
	if err != nil {
		t.Fatal(err)
	}
	res.Body.Close()
	if res.StatusCode != http.StatusForbidden {
		t.Errorf("signed-in multipart submission: %d, want 403", res.StatusCode)
	}
	if n := countRows(t, s.db, `SELECT count(*) FROM support_requests`); n != 0 {
		t.Fatalf("%d requests created from a multipart body", n)
	}
}

func TestStaticFilesAreNotSniffed(t *testing.T) {
	s := newSite(t, web.Deps{})
	for _, path := range []string{"/static/app.js", "/static/app.css"} {
		r := s.browser(t).get(path)
		wantStatus(t, r, http.StatusOK)
		if got := r.Header.Get("X-Content-Type-Options"); got != "nosniff" {
			t.Errorf("%s: X-Content-Type-Options %q", path, got)
		}
	}
}

// Browsers get the HTML 404 page for paths nothing serves; API clients,
// and anything under /v1, keep the problem.
func TestUnknownPathsByWhoAsks(t *testing.T) {
	s := newSite(t, web.Deps{})
	const browserAccept = "text/html,application/xhtml+xml,application/xml;q=0.9,*/*;q=0.8"
	for _, tc := range []struct {
		path, accept, wantType string
	}{
		{"/no/such/page", browserAccept, "text/html"},
		{"/no/such/page", "*/*", "application/problem+json"},
		{"/no/such/page", "application/json", "application/problem+json"},
		{"/no/such/page", "", "application/problem+json"},
		{"/v1/no/such", browserAccept, "application/problem+json"},
		{"/tenants/x/y/z", browserAccept, "text/html"},
	} {
		r := s.browser(t).do(http.MethodGet, tc.path, nil, "Accept", tc.accept)
		if r.StatusCode != http.StatusNotFound || !strings.HasPrefix(r.Header.Get("Content-Type"), tc.wantType) {
			t.Errorf("GET %s (Accept %q): %d %s, want 404 %s", tc.path, tc.accept, r.StatusCode, r.Header.Get("Content-Type"), tc.wantType)
		}
		if tc.wantType == "text/html" && (!strings.Contains(r.body, "Page not found") || r.Header.Get("X-Request-ID") == "") {
			t.Errorf("GET %s: not the 404 page with a request id:\n%s", tc.path, r.body)
		}
	}
	signedIn := s.browser(t)
	signedIn.signIn(ownerToken)
	r := signedIn.do(http.MethodGet, "/no/such/page", nil, "Accept", browserAccept)
	if r.StatusCode != http.StatusNotFound || !strings.Contains(r.body, "Sign out") {
		t.Errorf("a signed-in browser's 404 page lost its header: %d\n%s", r.StatusCode, r.body)
	}
}

func TestFavicon(t *testing.T) {
	s := newSite(t, web.Deps{})
	r := s.browser(t).get("/favicon.ico")
	wantStatus(t, r, http.StatusOK)
	if ct := r.Header.Get("Content-Type"); ct != "image/x-icon" || len(r.body) < 6 || r.body[:4] != "\x00\x00\x01\x00" {
		t.Errorf("favicon: %s, %d bytes", ct, len(r.body))
	}
}

// Failed sign-ins are throttled per client address with the API's budget:
// past it the form answers 429 with Retry-After and says why, without
// looking at the token — a good one included.
func TestFailedSignInsAreThrottled(t *testing.T) {
	s := newSite(t, web.Deps{AuthFailures: ratelimit.NewFailures(3)})
	b := s.browser(t)
	try := func(token string) response {
		return b.post("/signin", "/signin", url.Values{"token": {token}})
	}
	for range 3 {
		wantStatus(t, try("not-a-token-of-anyone-at-all"), http.StatusUnprocessableEntity)
	}
	r := try(ownerToken)
	wantStatus(t, r, http.StatusTooManyRequests)
	if r.Header.Get("Retry-After") == "" || !strings.Contains(r.body, "Too many failed sign-ins") {
		t.Fatalf("429 sign-in page without Retry-After or reason:\n%s", r.body)
	}
	// An empty token guesses nothing and is not counted.
	fresh := newSite(t, web.Deps{AuthFailures: ratelimit.NewFailures(1)})
	fb := fresh.browser(t)
	for range 3 {
		wantStatus(t, fb.post("/signin", "/signin", url.Values{"token": {""}}), http.StatusUnprocessableEntity)
	}
	fb.signIn(ownerToken)
}

// Over the create limit the form comes back as typed, 429 with
// Retry-After, saying when to send it again; nothing is stored.
func TestRateLimitedFormKeepsWhatWasTyped(t *testing.T) {
	s := newSite(t, web.Deps{}, func(d *usecase.Deps) { d.Limiter = ratelimit.New(1) })
	b := s.browser(t)
	b.signIn(ownerToken)
	send := func(summary string) response {
		return b.post("/tenants/"+fabrikam+"/support", "/tenants/"+fabrikam+"/support", url.Values{
			"severity": {"blocking"}, "summary": {summary}, "reproduction_notes": {"Line one\r\nline two"},
			"contact_name": {"Olivia Park"}, "contact_email": {"olivia@example.com"},
		})
	}
	wantStatus(t, send("First request"), http.StatusSeeOther)
	r := send("Second request, typed with care")
	wantStatus(t, r, http.StatusTooManyRequests)
	if r.Header.Get("Retry-After") == "" {
		t.Error("no Retry-After")
	}
	for _, want := range []string{`value="Second request, typed with care"`, "Line one\nline two", `value="blocking" selected`,
		"so this one was not sent", `role="alert"`} {
		if !strings.Contains(r.body, want) {
			t.Errorf("the 429 form lacks %q:\n%s", want, r.body)
		}
	}
	if n := countRows(t, s.db, `SELECT count(*) FROM support_requests`); n != 1 {
		t.Fatalf("%d requests stored, want 1", n)
	}
}
