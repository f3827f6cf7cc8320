package web_test

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"net/http"
	"net/url"
	"strings"
	"testing"
	"time"

	"supportdesk/adapters/web"
)

func hashOf(id string) string {
	sum := sha256.Sum256([]byte(id))
	return hex.EncodeToString(sum[:])
}

func TestSessionCookie(t *testing.T) {
	s := newSite(t, web.Deps{})

	t.Run("HttpOnly, SameSite=Strict, not Secure over plain HTTP; only a hash is stored", func(t *testing.T) {
		b := s.browser(t)
		r := b.signIn(ownerToken)
		if loc := r.Header.Get("Location"); loc != "/tenants" {
			t.Errorf("sign in redirects to %q, want /tenants", loc)
		}
		c := cookieNamed(r, "sd_session")
		if c == nil {
			t.Fatalf("no session cookie in %v", r.Header.Values("Set-Cookie"))
		}
		if !c.HttpOnly || c.SameSite != http.SameSiteStrictMode || c.Secure || c.Path != "/" || c.MaxAge <= 0 {
			t.Errorf("session cookie = %+v, want HttpOnly, SameSite=Strict, not Secure, Path=/, a max age", c)
		}
		if n := countRows(t, s.db, `SELECT count(*) FROM web_sessions WHERE id_hash = ?`, hashOf(c.Value)); n != 1 {
			t.Errorf("sessions stored under the id's SHA-256: %d, want 1", n)
		}
		if n := countRows(t, s.db, `SELECT count(*) FROM web_sessions WHERE id_hash = ? OR csrf_token = ?`, c.Value, c.Value); n != 0 {
			t.Errorf("the session id itself is stored")
		}
		wantStatus(t, b.get("/tenants"), http.StatusOK)
	})

	t.Run("Secure behind a TLS proxy", func(t *testing.T) {
		b := s.browser(t)
		form := url.Values{"token": {ownerToken}, "_csrf": {csrfOf(t, b.get("/signin"))}}
		r := b.do(http.MethodPost, "/signin", form, "X-Forwarded-Proto", "https")
		if c := cookieNamed(r, "sd_session"); c == nil || !c.Secure {
			t.Errorf("session cookie behind https = %+v, want Secure", c)
		}
	})

	t.Run("Secure when configured", func(t *testing.T) {
		b := newSite(t, web.Deps{SecureCookies: true}).browser(t)
		r := b.signIn(ownerToken)
		if c := cookieNamed(r, "sd_session"); c == nil || !c.Secure || !c.HttpOnly || c.SameSite != http.SameSiteStrictMode {
			t.Errorf("session cookie = %+v, want Secure, HttpOnly, SameSite=Strict", c)
		}
	})

	t.Run("an invalid token gets the form again and no session", func(t *testing.T) {
		b := s.browser(t)
		r := b.post("/signin", "/signin", url.Values{"token": {"not-a-token"}})
		wantStatus(t, r, http.StatusUnprocessableEntity)
		if cookieNamed(r, "sd_session") != nil || !strings.Contains(r.body, "That API token is not valid") {
			t.Errorf("invalid token: want the form again with an error and no session cookie:\n%s", r.body)
		}
		if !strings.Contains(r.body, `aria-describedby="token-hint token-error" aria-invalid="true"`) {
			t.Errorf("the error is not linked to the input:\n%s", r.body)
		}
	})

	t.Run("the sign-in form is CSRF-protected", func(t *testing.T) {
		b := s.browser(t)
		b.get("/signin")
		for _, token := range []string{"", "forged"} {
			r := b.do(http.MethodPost, "/signin", url.Values{"token": {ownerToken}, "_csrf": {token}})
			wantStatus(t, r, http.StatusForbidden)
			if cookieNamed(r, "sd_session") != nil {
				t.Error("a forged sign-in got a session")
			}
		}
	})

	t.Run("no, unknown or expired session: sent to sign in and back", func(t *testing.T) {
		expired := s.browser(t)
		expired.cookies["sd_session"] = "expired-session-id"
		now := time.Now()
		if err := s.sessions.Create(context.Background(), hashOf("expired-session-id"), ownerID,
			strings.Repeat("c", 40), now.Add(-2*time.Hour), now.Add(-time.Second)); err != nil {
			t.Fatal(err)
		}
		unknown := s.browser(t)
		unknown.cookies["sd_session"] = "made-up"
		for name, b := range map[string]*browser{"no": s.browser(t), "unknown": unknown, "expired": expired} {
			r := b.get("/tenants/" + fabrikam + "?tab=runs")
			wantStatus(t, r, http.StatusSeeOther)
			if loc, want := r.Header.Get("Location"), "/signin?next="+url.QueryEscape("/tenants/"+fabrikam+"?tab=runs"); loc != want {
				t.Errorf("%s session: redirect to %q, want %q", name, loc, want)
			}
		}
		// A POST is not replayed after sign-in, and not refused as forged.
		r := unknown.do(http.MethodPost, "/tenants/"+fabrikam+"/support", url.Values{"summary": {"x"}})
		if r.StatusCode != http.StatusSeeOther || r.Header.Get("Location") != "/signin" {
			t.Errorf("POST without a session: %d to %q, want 303 to /signin", r.StatusCode, r.Header.Get("Location"))
		}
	})

	t.Run("sign-in returns to a local page only", func(t *testing.T) {
		for next, want := range map[string]string{
			"/tenants/" + fabrikam: "/tenants/" + fabrikam,
			"//evil.example/":      "/tenants",
			"/\\evil.example":      "/tenants",
			"https://evil.example": "/tenants",
		} {
			b := s.browser(t)
			form := url.Values{"token": {ownerToken}, "next": {next}, "_csrf": {csrfOf(t, b.get("/signin?next="+url.QueryEscape(next)))}}
			r := b.do(http.MethodPost, "/signin", form)
			if loc := r.Header.Get("Location"); loc != want {
				t.Errorf("next=%q: redirect to %q, want %q", next, loc, want)
			}
		}
	})

	t.Run("sign-out deletes the session", func(t *testing.T) {
		b := s.browser(t)
		b.signIn(ownerToken)
		old := b.cookies["sd_session"]
		r := b.post("/tenants", "/signout", url.Values{})
		wantStatus(t, r, http.StatusSeeOther)
		if c := cookieNamed(r, "sd_session"); c == nil || c.Value != "" || !c.Expires.Before(time.Now()) {
			t.Errorf("sign-out does not clear the cookie: %+v", c)
		}
		if n := countRows(t, s.db, `SELECT count(*) FROM web_sessions WHERE id_hash = ?`, hashOf(old)); n != 0 {
			t.Errorf("session rows after sign-out: %d, want 0", n)
		}
		b.cookies["sd_session"] = old // a copy of the cookie is no use either
		wantStatus(t, b.get("/tenants"), http.StatusSeeOther)
	})

	t.Run("signing in again ends the session the browser held", func(t *testing.T) {
		b := s.browser(t)
		b.signIn(ownerToken)
		old := b.cookies["sd_session"]
		// A signed-in browser is sent past the form, so take one from a
		// fresh browser, with its cookie.
		fresh := s.browser(t)
		form := url.Values{"token": {operatorToken}, "_csrf": {csrfOf(t, fresh.get("/signin"))}}
		b.cookies["sd_signin"] = fresh.cookies["sd_signin"]
		wantStatus(t, b.do(http.MethodPost, "/signin", form), http.StatusSeeOther)
		if n := countRows(t, s.db, `SELECT count(*) FROM web_sessions WHERE id_hash = ?`, hashOf(old)); n != 0 {
			t.Errorf("the previous session is still stored")
		}
		if r := b.get("/tenants"); !strings.Contains(r.body, "Signed in as Priya Raman") {
			t.Errorf("not signed in as the new user:\n%s", r.body)
		}
	})

	t.Run("tenants page lists what the user may open", func(t *testing.T) {
		b := s.browser(t)
		b.signIn(ownerToken)
		r := b.get("/tenants")
		for _, want := range []string{"Northwind MSP", `href="/tenants/` + fabrikam + `">Fabrikam Retail</a>`, "Woodgrove Bank"} {
			if !strings.Contains(r.body, want) {
				t.Errorf("tenants page lacks %q", want)
			}
		}
		if strings.Contains(r.body, "Litware") {
			t.Error("tenants page lists a tenant of another workspace")
		}
	})
}

func TestCSRF(t *testing.T) {
	s := newSite(t, web.Deps{})
	b := s.browser(t)
	b.signIn(ownerToken)
	good := csrfOf(t, b.get("/tenants/"+fabrikam+"/support"))
	submission := func(token string) url.Values {
		v := url.Values{"severity": {"high"}, "summary": {"Sync fails"}}
		if token != "" {
			v.Set("_csrf", token)
		}
		return v
	}
	wrong := "X" + good[1:]
	if good[0] == 'X' {
		wrong = "Y" + good[1:]
	}
	for name, token := range map[string]string{"without a token": "", "with a wrong token": wrong} {
		t.Run(name, func(t *testing.T) {
			for _, path := range []string{"/tenants/" + fabrikam + "/support", "/runs/" + failedRun + "/support", "/signout"} {
				r := b.do(http.MethodPost, path, submission(token))
				wantStatus(t, r, http.StatusForbidden)
				if !strings.Contains(r.body, "This form has expired") {
					t.Errorf("POST %s: not the CSRF page:\n%s", path, r.body)
				}
			}
		})
	}
	if n := countRows(t, s.db, `SELECT count(*) FROM support_requests`); n != 0 {
		t.Fatalf("requests created by rejected posts: %d", n)
	}
	wantStatus(t, b.get("/tenants"), http.StatusOK) // the rejected sign-out did not sign out

	t.Run("another session's token", func(t *testing.T) {
		other := s.browser(t)
		other.signIn(ownerToken)
		wantStatus(t, other.do(http.MethodPost, "/tenants/"+fabrikam+"/support", submission(good)), http.StatusForbidden)
	})
	t.Run("with the session's token", func(t *testing.T) {
		wantStatus(t, b.do(http.MethodPost, "/tenants/"+fabrikam+"/support", submission(good)), http.StatusSeeOther)
	})
}
