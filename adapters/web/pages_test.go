package web_test

import (
	"encoding/json"
	"net/http"
	"net/url"
	"regexp"
	"strings"
	"testing"

	"supportdesk/adapters/web"
)

func TestNotFoundPageIsIdentical(t *testing.T) {
	s := newSite(t, web.Deps{})
	owner, member := s.browser(t), s.browser(t)
	owner.signIn(ownerToken)
	member.signIn(memberToken)

	cases := []struct {
		name  string
		b     *browser
		paths []string
	}{
		// For each user: a target that does not exist first, then ones that
		// exist but are not theirs; every page must answer alike.
		{"owner, other workspace", owner, []string{
			"/tenants/" + missingID, "/tenants/" + litware, "/tenants/not-a-uuid",
			"/tenants/" + litware + "/support", "/tenants/" + litware + "/diagnostics",
			"/runs/" + missingID, "/runs/" + litwareRun, "/runs/" + litwareRun + "/support", "/runs/" + litwareRun + "/diagnostics",
		}},
		{"workspace member without tenant membership", member, []string{
			"/tenants/" + missingID, "/tenants/" + fabrikam, "/tenants/" + fabrikam + "/support",
			"/tenants/" + fabrikam + "/diagnostics", "/runs/" + failedRun,
		}},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			want := tc.b.get(tc.paths[0])
			wantStatus(t, want, http.StatusNotFound)
			if !strings.Contains(want.body, "Page not found") {
				t.Fatalf("not the 404 page:\n%s", want.body)
			}
			for _, p := range tc.paths[1:] {
				if got := tc.b.get(p); got.StatusCode != http.StatusNotFound || got.body != want.body {
					t.Errorf("GET %s: status %d, same body as for a missing tenant: %v", p, got.StatusCode, got.body == want.body)
				}
			}
			r := tc.b.post("/tenants", "/tenants/"+litware+"/support", url.Values{"severity": {"high"}, "summary": {"x"}})
			if r.StatusCode != http.StatusNotFound || r.body != want.body {
				t.Errorf("POST to a tenant of another workspace: status %d, want the same 404", r.StatusCode)
			}
		})
	}
}

func TestCapabilities(t *testing.T) {
	s := newSite(t, web.Deps{})
	owner, operator, readonly := s.browser(t), s.browser(t), s.browser(t)
	owner.signIn(ownerToken)
	operator.signIn(operatorToken)
	readonly.signIn(readonlyToken)

	t.Run("readonly sees the dashboard and the run without Request support", func(t *testing.T) {
		for _, p := range []string{"/tenants/" + fabrikam, "/runs/" + failedRun} {
			r := readonly.get(p)
			wantStatus(t, r, http.StatusOK)
			for _, absent := range []string{"Request support", "/support", "diagnostics", ">More<"} {
				if strings.Contains(r.body, absent) {
					t.Errorf("GET %s as readonly: page holds %q", p, absent)
				}
			}
		}
		wantStatus(t, readonly.get("/tenants/"+fabrikam+"/support"), http.StatusForbidden)
		wantStatus(t, readonly.get("/runs/"+failedRun+"/support"), http.StatusForbidden)
		r := readonly.post("/tenants", "/tenants/"+fabrikam+"/support", url.Values{"severity": {"high"}, "summary": {"x"}})
		wantStatus(t, r, http.StatusForbidden)
		if !strings.Contains(r.body, "You do not have permission") {
			t.Errorf("not the 403 page:\n%s", r.body)
		}
	})

	t.Run("owner has the same primary actions on the dashboard and the run viewer", func(t *testing.T) {
		for page, base := range map[string]string{"/tenants/" + fabrikam: "/tenants/" + fabrikam, "/runs/" + failedRun: "/runs/" + failedRun} {
			r := owner.get(page)
			for _, want := range []string{`class="button primary" href="` + base + `/support">Request support</a>`,
				`class="button secondary" href="` + base + `/diagnostics">Support diagnostics</a>`} {
				if !strings.Contains(r.body, want) {
					t.Errorf("%s lacks %q", page, want)
				}
			}
			if strings.Contains(r.body, `<details class="menu">`) || strings.Contains(r.body, "no-request") {
				t.Errorf("%s hides its actions in a menu, or says the owner cannot ask for support", page)
			}
		}
	})

	t.Run("readonly is told why there is no Request support", func(t *testing.T) {
		for _, page := range []string{"/tenants/" + fabrikam, "/runs/" + failedRun} {
			r := readonly.get(page)
			if !strings.Contains(r.body, "does not include asking for support") || strings.Contains(r.body, ">Request support</a>") {
				t.Errorf("%s as readonly: no explanation, or a Request support action:\n%s", page, r.body)
			}
		}
	})

	t.Run("the 403 page names what is missing and leads back", func(t *testing.T) {
		for path, want := range map[string][]string{
			"/tenants/" + fabrikam + "/support":   {"asking for support", `href="/tenants/` + fabrikam + `">Back to the tenant</a>`},
			"/runs/" + failedRun + "/support":     {"asking for support", `href="/runs/` + failedRun + `">Back to the operation run</a>`},
			"/runs/" + failedRun + "/diagnostics": {"support diagnostics", `href="/runs/` + failedRun + `">Back to the operation run</a>`},
		} {
			who := readonly
			if strings.HasSuffix(path, "/diagnostics") {
				who = operator
			}
			r := who.get(path)
			wantStatus(t, r, http.StatusForbidden)
			for _, w := range want {
				if !strings.Contains(r.body, w) {
					t.Errorf("403 page of %s lacks %q:\n%s", path, w, r.body)
				}
			}
		}
	})

	t.Run("operator: no diagnostics, canonical context only", func(t *testing.T) {
		r := operator.get("/runs/" + failedRun)
		if strings.Contains(r.body, ">Support diagnostics</a>") || !strings.Contains(r.body, ">Request support</a>") {
			t.Errorf("operator's run viewer: want Request support only")
		}
		wantStatus(t, operator.get("/runs/"+failedRun+"/diagnostics"), http.StatusForbidden)
		form := operator.get("/tenants/" + fabrikam + "/support")
		wantStatus(t, form, http.StatusOK)
		for _, want := range []string{"Canonical context only", "does not include viewing support diagnostics",
			"Support diagnostics: not available to your role on this tenant"} {
			if !strings.Contains(form.body, want) {
				t.Errorf("operator's attachment summary lacks %q", want)
			}
		}
	})

	t.Run("pages show redacted text only", func(t *testing.T) {
		for _, p := range []string{"/tenants/" + fabrikam, "/runs/" + failedRun, "/runs/" + failedRun + "/diagnostics",
			"/tenants/" + fabrikam + "/diagnostics", "/tenants/" + fabrikam + "/support"} {
			r := owner.get(p)
			wantStatus(t, r, http.StatusOK)
			if strings.Contains(r.body, clientSecret) || strings.Contains(r.body, "eyJhbGciOi") {
				t.Errorf("GET %s shows a secret", p)
			}
		}
		if r := owner.get("/runs/" + failedRun); !strings.Contains(r.body, "[REDACTED]") || !strings.Contains(r.body, "graph_unauthorized") {
			t.Errorf("run viewer does not show the redacted failure:\n%s", r.body)
		}
	})

	t.Run("diagnostics pages", func(t *testing.T) {
		r := owner.get("/tenants/" + fabrikam + "/diagnostics")
		for _, want := range []string{"<h1>Support diagnostics</h1>", "Latest failed runs", "invalid_client", "&#34;schema&#34;: &#34;support-diagnostics/v2&#34;"} {
			if !strings.Contains(r.body, want) {
				t.Errorf("tenant diagnostics lack %q", want)
			}
		}
		r = owner.get("/runs/" + failedRun + "/diagnostics")
		for _, want := range []string{"This run", "graph_unauthorized", "Outcomes of the latest runs"} {
			if !strings.Contains(r.body, want) {
				t.Errorf("run diagnostics lack %q", want)
			}
		}
	})
}

func TestSupportForm(t *testing.T) {
	s := newSite(t, web.Deps{})
	owner := s.browser(t)
	owner.signIn(ownerToken)

	t.Run("prefilled with the user's contact", func(t *testing.T) {
		r := owner.get("/runs/" + failedRun + "/support")
		wantStatus(t, r, http.StatusOK)
		for _, want := range []string{`value="Olivia Park"`, `value="olivia.park@northwind.example"`,
			`<label for="summary">`, `aria-describedby="summary-hint summary-count"`, "Canonical context and support diagnostics"} {
			if !strings.Contains(r.body, want) {
				t.Errorf("form lacks %q", want)
			}
		}
	})

	t.Run("invalid input: errors by the fields, input kept", func(t *testing.T) {
		form := url.Values{"severity": {""}, "summary": {`Backup <fails> & "stalls"`}, "reproduction_notes": {"line 1\r\nline 2"},
			"contact_name": {"Olivia"}, "contact_email": {"not-an-email"}}
		r := owner.post("/tenants/"+fabrikam+"/support", "/tenants/"+fabrikam+"/support", form)
		wantStatus(t, r, http.StatusUnprocessableEntity)
		for _, want := range []string{
			`value="Backup &lt;fails&gt; &amp; &#34;stalls&#34;"`, ">line 1\nline 2</textarea>", `value="not-an-email"`,
			`id="severity-error"`, `aria-describedby="severity-hint severity-error" aria-invalid="true"`,
			`id="contact_email-error"`, `href="#contact_email">Contact email must be a valid email address`,
			"Severity is required", "There is a problem",
		} {
			if !strings.Contains(r.body, want) {
				t.Errorf("re-rendered form lacks %q", want)
			}
		}
		if n := countRows(t, s.db, `SELECT count(*) FROM support_requests`); n != 0 {
			t.Errorf("invalid submission stored %d requests", n)
		}
	})

	for _, tc := range []struct{ name, page, id string }{
		{"tenant", "/tenants/", fabrikam},
		{"operation run", "/runs/", failedRun},
	} {
		t.Run("submit from the "+tc.name+": redirect to a notification, channel web", func(t *testing.T) {
			form := url.Values{"severity": {"blocking"}, "summary": {"  Policy sync fails with 401  "},
				"contact_name": {"Olivia Park"}, "contact_email": {"olivia.park@northwind.example"}}
			r := owner.post(tc.page+tc.id+"/support", tc.page+tc.id+"/support", form)
			wantStatus(t, r, http.StatusSeeOther)
			loc, err := url.Parse(r.Header.Get("Location"))
			if err != nil || loc.Path != tc.page+tc.id {
				t.Fatalf("redirect to %q, want %s", r.Header.Get("Location"), tc.page+tc.id)
			}
			ref := loc.Query().Get("created")
			if !regexp.MustCompile(`^SR-[0-9A-HJKMNP-TV-Z]{26}$`).MatchString(ref) {
				t.Fatalf("created = %q, not a reference", ref)
			}
			page := owner.get(loc.String())
			if !strings.Contains(page.body, `role="status"`) || !strings.Contains(page.body, `id="support-reference">`+ref+`<`) {
				t.Errorf("no notification with %s:\n%s", ref, page.body)
			}
			var meta string
			if err := s.db.Gorm().Raw(`SELECT metadata FROM audit_entries WHERE subject_id = ?`, ref).Scan(&meta).Error; err != nil {
				t.Fatal(err)
			}
			var m map[string]any
			if err := json.Unmarshal([]byte(meta), &m); err != nil || m["channel"] != "web" || m["primary_context_id"] != tc.id {
				t.Errorf("audit metadata = %s, want channel web for %s", meta, tc.id)
			}
			var summary string
			if err := s.db.Gorm().Raw(`SELECT summary FROM support_requests WHERE reference = ?`, ref).Scan(&summary).Error; err != nil || summary != "Policy sync fails with 401" {
				t.Errorf("stored summary %q (%v), want it trimmed", summary, err)
			}
		})
	}

	t.Run("a notification only for the user's own request, on its page", func(t *testing.T) {
		r := owner.post("/tenants/"+fabrikam+"/support", "/tenants/"+fabrikam+"/support", url.Values{"severity": {"low"}, "summary": {"Question"}})
		loc, _ := url.Parse(r.Header.Get("Location"))
		ref := loc.Query().Get("created")
		manager := s.browser(t)
		manager.signIn(managerToken)
		if body := manager.get("/tenants/" + fabrikam + "?created=" + ref).body; strings.Contains(body, ref) {
			t.Errorf("another user sees the notification of %s", ref)
		}
		if body := owner.get("/runs/" + failedRun + "?created=" + ref).body; strings.Contains(body, ref) {
			t.Errorf("the run viewer shows the notification of a tenant request")
		}
		if body := owner.get("/tenants/" + fabrikam + "?created=SR-01JZZZZZZZZZZZZZZZZZZZZZZZ").body; strings.Contains(body, "Support request sent") {
			t.Errorf("a made-up reference gets a notification")
		}
	})
}

func TestLayoutAndStatic(t *testing.T) {
	s := newSite(t, web.Deps{})
	b := s.browser(t)
	r := b.get("/signin")
	wantStatus(t, r, http.StatusOK)
	if csp := r.Header.Get("Content-Security-Policy"); !strings.Contains(csp, "script-src 'self'") || strings.Contains(csp, "unsafe-inline") {
		t.Errorf("CSP = %q", csp)
	}
	if cc := r.Header.Get("Cache-Control"); cc != "no-store" {
		t.Errorf("Cache-Control = %q, want no-store", cc)
	}
	for _, want := range []string{`<html lang="en">`, `<a class="skip-link" href="#main">`, `<main id="main"`, `<label for="token">`} {
		if !strings.Contains(r.body, want) {
			t.Errorf("sign-in page lacks %q", want)
		}
	}
	assets := regexp.MustCompile(`(?:href|src)="(/static/[^"]+)"`).FindAllStringSubmatch(r.body, -1)
	if len(assets) != 2 {
		t.Fatalf("assets linked: %v, want the stylesheet and the script", assets)
	}
	for _, a := range assets {
		path := strings.ReplaceAll(a[1], "&amp;", "&")
		got := b.get(path)
		wantStatus(t, got, http.StatusOK)
		if len(got.body) < 100 {
			t.Errorf("GET %s: %d bytes", path, len(got.body))
		}
	}
	b.signIn(ownerToken)
	if r := b.get("/"); r.StatusCode != http.StatusSeeOther || r.Header.Get("Location") != "/tenants" {
		t.Errorf("GET / signed in: %d to %q, want 303 to /tenants", r.StatusCode, r.Header.Get("Location"))
	}
	// A session cookie is no credential for the API beside it.
	api := b.get("/v1/tenants/" + fabrikam + "/support-diagnostics")
	if api.StatusCode != http.StatusUnauthorized || api.Header.Get("Content-Type") != "application/problem+json" {
		t.Errorf("API with a session cookie only: %d %s, want a 401 problem", api.StatusCode, api.Header.Get("Content-Type"))
	}
}
