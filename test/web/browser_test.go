// Package web_test drives the web UI in a real headless Chromium: the
// server runs in-process on a real listener over a fresh database seeded
// with the demo data, and every check goes through what a user sees and
// does — pages, clicks, keys — then through the database for what was
// stored.
package web_test

import (
	"context"
	"encoding/json"
	"log/slog"
	"net"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/cdproto/network"
	"github.com/chromedp/chromedp"
	"github.com/chromedp/chromedp/kb"

	"supportdesk/adapters/fixture"
	"supportdesk/adapters/gormstore"
	"supportdesk/adapters/httpapi"
	"supportdesk/adapters/ratelimit"
	"supportdesk/adapters/system"
	"supportdesk/adapters/web"
	"supportdesk/core/usecase"
	"supportdesk/test/testdb"
)

// artifacts is where the screenshots go, relative to this package
// (test/artifacts/web in the repository, which git ignores).
const artifacts = "../artifacts/web"

// Demo logins and records (see fixture.DemoUsers).
const (
	ownerToken    = "demo-owner-token-please-change"
	operatorToken = "demo-operator-token-please-change"
	readonlyToken = "demo-readonly-token-please-change"
	ownerID       = "20000000-0000-4000-8000-000000000001"
	fabrikam      = fixture.DemoTenantID
	failedRun     = fixture.DemoFailedRunID
)

var referencePattern = regexp.MustCompile(`^SR-[0-9A-HJKMNP-TV-Z]{26}$`)

// chromiumPath returns Debian's Chromium, or skips the test when it is
// not installed — except under CI=true, where the suite must run.
func chromiumPath(t *testing.T) string {
	t.Helper()
	for _, name := range []string{"chromium", "chromium-browser"} {
		if p, err := exec.LookPath(name); err == nil {
			return p
		}
	}
	if os.Getenv("CI") == "true" {
		t.Fatal("chromium is not installed; CI must run the browser suite (apt-get install -y chromium)")
	}
	t.Skip("browser suite skipped: chromium is not installed (apt-get install -y chromium)")
	return ""
}

// serve runs the web UI, on the API's Fiber app as the service does, over
// db on 127.0.0.1 and returns its base URL; swaps change the use case's
// outbound ports (a rate limiter, say).
func serve(t *testing.T, db *gormstore.DB, swaps ...func(*usecase.Deps)) string {
	t.Helper()
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
	log := slog.New(slog.NewTextHandler(testWriter{t}, &slog.HandlerOptions{Level: slog.LevelWarn}))
	ui := web.New(web.Deps{Desk: svc, Browser: svc, Requester: svc, Support: svc, Sessions: gormstore.NewSessions(db), Log: log})
	// Chromium opens spare connections that may never carry a request; the
	// server waits for those until ReadTimeout before it can shut down, so
	// keep it well under the shutdown timeout below.
	app := httpapi.New(svc, httpapi.Config{NotFoundPage: ui.NotFound, ReadTimeout: 2 * time.Second}, log)
	ui.Register(app)
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	go func() { _ = app.Listener(ln) }()
	t.Cleanup(func() {
		if err := app.ShutdownWithTimeout(5 * time.Second); err != nil {
			t.Errorf("shut down server: %v", err)
		}
	})
	return "http://" + ln.Addr().String()
}

// testWriter sends the server's log lines to the test log.
type testWriter struct{ t *testing.T }

func (w testWriter) Write(p []byte) (int, error) {
	w.t.Log(strings.TrimSpace(string(p)))
	return len(p), nil
}

// startBrowser starts headless Chromium with a fresh profile and returns
// its context; each user gets a tab of their own from it.
func startBrowser(t *testing.T) context.Context {
	t.Helper()
	path := chromiumPath(t)
	// Not t.TempDir: Chromium's helper processes may still write to the
	// profile for a moment after the browser closes, which makes
	// TempDir's cleanup fail the test. This one is removed with retries.
	profile, err := os.MkdirTemp("", "supportdesk-chromium-")
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { removeProfile(t, profile) })
	opts := []chromedp.ExecAllocatorOption{
		chromedp.ExecPath(path),
		chromedp.Flag("headless", true),
		chromedp.NoSandbox,
		chromedp.DisableGPU,
		chromedp.Flag("disable-background-networking", true),
		chromedp.Flag("disable-quic", true),
		chromedp.NoFirstRun,
		chromedp.Flag("disable-component-update", true),
		chromedp.Flag("disable-sync", true),
		chromedp.UserDataDir(profile),
		chromedp.WindowSize(1280, 900),
	}
	allocCtx, cancelAlloc := chromedp.NewExecAllocator(context.Background(), opts...)
	t.Cleanup(cancelAlloc)
	ctx, cancel := chromedp.NewContext(allocCtx)
	t.Cleanup(func() {
		// Close the browser gracefully before the allocator kills it.
		if err := chromedp.Cancel(ctx); err != nil {
			t.Logf("close chromium: %v", err)
		}
		cancel()
	})
	if err := chromedp.Run(ctx); err != nil {
		t.Fatalf("start chromium: %v", err)
	}
	return ctx
}

// removeProfile removes Chromium's profile directory, retrying while the
// browser's last helper processes exit.
func removeProfile(t *testing.T, dir string) {
	var err error
	for range 20 {
		if err = os.RemoveAll(dir); err == nil {
			return
		}
		time.Sleep(100 * time.Millisecond)
	}
	t.Logf("leaving Chromium profile %s: %v", dir, err)
}

// user is one person's tab, signed in with a token. The scenarios run one
// after the other and each starts by clearing the browser's cookies, so
// no session carries over from one user to the next. (A browser context
// per user would isolate them without that, but headless Chromium refuses
// to open a tab in a new browser context without a window.)
type user struct {
	t   *testing.T
	ctx context.Context
	// shots is whether screenshot saves anything.
	shots bool
}

// suite is one run of the scenarios: a server over a database, and a browser.
type suite struct {
	db      *gormstore.DB
	base    string
	browser context.Context
	shots   bool
}

// signIn opens a tab for a user and signs in there with token.
func (s *suite) signIn(t *testing.T, token string) *user {
	t.Helper()
	return s.signInAt(t, token, "/tenants", ".tenant-list")
}

// signInAt signs in with token in a browser of its own, starting from path
// and waiting for the element wait on the page it leads back to.
func (s *suite) signInAt(t *testing.T, token, path, wait string) *user {
	t.Helper()
	ctx, cancel := chromedp.NewContext(s.browser)
	t.Cleanup(cancel)
	ctx, cancelTimeout := context.WithTimeout(ctx, 90*time.Second)
	t.Cleanup(cancelTimeout)
	u := &user{t: t, ctx: ctx, shots: s.shots}
	// Asking for a page while signed out leads to the sign-in form and,
	// once signed in, back to that page.
	u.run("sign in",
		network.ClearBrowserCookies(),
		chromedp.Navigate(s.base+path),
		chromedp.WaitVisible(`#token`, chromedp.ByQuery),
		chromedp.SendKeys(`#token`, token, chromedp.ByQuery),
		chromedp.Submit(`#token`, chromedp.ByQuery),
		chromedp.WaitVisible(wait, chromedp.ByQuery),
	)
	return u
}

func (u *user) run(what string, actions ...chromedp.Action) {
	u.t.Helper()
	if err := chromedp.Run(u.ctx, actions...); err != nil {
		var loc string
		_ = chromedp.Run(u.ctx, chromedp.Location(&loc))
		u.t.Fatalf("%s (at %s): %v", what, loc, err)
	}
}

// text returns the visible text of the first element matching sel.
func (u *user) text(sel string) string {
	u.t.Helper()
	var s string
	u.run("read "+sel, chromedp.Text(sel, &s, chromedp.ByQuery))
	return strings.TrimSpace(s)
}

// eval evaluates a JavaScript expression in the page.
func (u *user) eval(expr string, out any) {
	u.t.Helper()
	u.run("evaluate "+expr, chromedp.Evaluate(expr, out))
}

// screenshot saves the whole page as test/artifacts/web/name.png.
func (u *user) screenshot(name string) {
	u.t.Helper()
	if !u.shots {
		return
	}
	var png []byte
	u.run("screenshot "+name, chromedp.FullScreenshot(&png, 100))
	if err := os.MkdirAll(artifacts, 0o755); err != nil {
		u.t.Fatal(err)
	}
	path := filepath.Join(artifacts, name+".png")
	if err := os.WriteFile(path, png, 0o644); err != nil {
		u.t.Fatal(err)
	}
	u.t.Logf("screenshot: test/artifacts/web/%s.png", name)
}

// fitsPhone checks that the page does not scroll sideways at a phone's
// width of 375 CSS pixels, and saves a screenshot of it there.
func (u *user) fitsPhone(shot string) {
	u.t.Helper()
	var overflow float64
	// A phone: 375 CSS pixels wide, overlay scrollbars, the page's own
	// viewport meta tag in force.
	u.run("emulate a phone", chromedp.EmulateViewport(375, 812, chromedp.EmulateMobile))
	u.eval(`document.documentElement.scrollWidth - document.documentElement.clientWidth`, &overflow)
	u.screenshot(shot)
	u.run("restore the desktop", chromedp.EmulateViewport(1280, 900))
	if overflow > 0 {
		u.t.Errorf("page scrolls sideways by %vpx at 375px width", overflow)
	}
}

// onPhone runs check with the page at a phone's width, 375 CSS pixels.
func (u *user) onPhone(what string, check func()) {
	u.t.Helper()
	u.run("emulate a phone for: "+what, chromedp.EmulateViewport(375, 812, chromedp.EmulateMobile))
	check()
	u.run("restore the desktop", chromedp.EmulateViewport(1280, 900))
}

// uniqueLandmarks checks that the page's named landmarks and regions have
// names of their own, and that no element that takes no name is given
// one (axe-core's landmark-unique and aria-prohibited-attr rules).
func (u *user) uniqueLandmarks() {
	u.t.Helper()
	var bad []string
	u.eval(`(() => {
		const name = el => el.getAttribute('aria-label') ||
			(el.getAttribute('aria-labelledby') || '').split(' ').map(id => (document.getElementById(id) || {}).textContent || '').join(' ').trim();
		const seen = {}, out = [];
		document.querySelectorAll('nav, main, section[aria-labelledby], section[aria-label], [role=region]').forEach(el => {
			const role = el.getAttribute('role') || (el.tagName === 'SECTION' ? 'region' : el.tagName.toLowerCase());
			const key = role + ':' + name(el);
			if (seen[key]) out.push(key);
			seen[key] = true;
		});
		document.querySelectorAll('pre[aria-labelledby], pre[aria-label], div:not([role])[aria-label], div:not([role])[aria-labelledby]').forEach(el => out.push('named ' + el.tagName.toLowerCase()));
		return out; })()`, &bad)
	if len(bad) > 0 {
		u.t.Errorf("duplicate landmark names, or names on elements that take none: %q", bad)
	}
}

// fillSupportForm fills the open form as a user would.
func (u *user) fillSupportForm(severity, summary, notes string) {
	u.t.Helper()
	u.run("fill the form",
		chromedp.SetValue(`#severity`, severity, chromedp.ByQuery),
		chromedp.SendKeys(`#summary`, summary, chromedp.ByQuery),
		chromedp.SendKeys(`#reproduction_notes`, notes, chromedp.ByQuery),
	)
}

// submitSupportForm submits the form and returns the reference the
// notification shows.
func (u *user) submitSupportForm() string {
	u.t.Helper()
	u.run("submit",
		chromedp.Click(`.support-form button[type=submit]`, chromedp.ByQuery),
		chromedp.WaitVisible(`[role=status] #support-reference`, chromedp.ByQuery),
	)
	ref := u.text(`#support-reference`)
	if !referencePattern.MatchString(ref) {
		u.t.Fatalf("notification shows %q, not a support reference", ref)
	}
	return ref
}

// stored checks the request ref in the database: made by the owner from
// the given context through the web channel, with its audit entry.
func stored(t *testing.T, db *gormstore.DB, ref, contextType, contextID string) {
	t.Helper()
	var row struct {
		ContextType, ContextID, CreatedBy, Summary string
	}
	if err := db.Gorm().Raw(`SELECT context_type, context_id, created_by, summary FROM support_requests WHERE reference = ?`, ref).
		Scan(&row).Error; err != nil {
		t.Fatal(err)
	}
	if row.ContextType != contextType || row.ContextID != contextID || row.CreatedBy != ownerID {
		t.Errorf("stored request %s = %+v, want %s %s by the owner", ref, row, contextType, contextID)
	}
	var meta string
	if err := db.Gorm().Raw(`SELECT CAST(metadata AS TEXT) FROM audit_entries WHERE action = 'support_request.created' AND subject_id = ?`, ref).
		Scan(&meta).Error; err != nil {
		t.Fatal(err)
	}
	var m map[string]any
	if err := json.Unmarshal([]byte(meta), &m); err != nil || m["channel"] != "web" || m["reference"] != ref {
		t.Errorf("audit metadata of %s = %s (%v), want channel web", ref, meta, err)
	}
}

func TestBrowser(t *testing.T) {
	chromiumPath(t) // skip before any database work when there is no browser
	for i, e := range testdb.Engines() {
		t.Run(e.Name, func(t *testing.T) {
			db := e.Open(t)
			if _, err := gormstore.NewRecords(db).Import(context.Background(), fixture.Demo()); err != nil {
				t.Fatalf("import demo: %v", err)
			}
			// One set of screenshots is enough: the first engine's.
			s := &suite{db: db, base: serve(t, db), browser: startBrowser(t), shots: i == 0}
			s.run(t)
		})
	}
}

func (s *suite) run(t *testing.T) {
	db, base := s.db, s.base

	t.Run("owner requests support from the tenant dashboard", func(t *testing.T) {
		u := s.signIn(t, ownerToken)
		u.run("open the dashboard",
			chromedp.Click(`//a[normalize-space()="Fabrikam Retail"]`, chromedp.BySearch),
			chromedp.WaitVisible(`#connection-heading`, chromedp.ByQuery),
		)
		if h := u.text(`h1`); h != "Fabrikam Retail" {
			t.Errorf("dashboard heading %q", h)
		}
		for _, want := range []string{"Degraded", "Recent operation runs", "Open findings", "Pending reviews", "Latest reports", "Policy sync"} {
			if body := u.text(`main`); !strings.Contains(body, want) {
				t.Errorf("dashboard lacks %q", want)
			}
		}
		u.screenshot("dashboard")
		u.fitsPhone("dashboard-375px")
		u.onPhone("every run column is shown at 375px", func() {
			var hidden int
			u.eval(`Array.from(document.querySelectorAll('td[data-label]')).filter(td => {
				const r = td.getBoundingClientRect(); return r.width === 0 || r.right > document.documentElement.clientWidth }).length`, &hidden)
			if hidden != 0 {
				t.Errorf("%d run cells hidden or cut off at 375px", hidden)
			}
		})
		u.uniqueLandmarks()

		u.run("open the form",
			chromedp.Click(`a.button.primary`, chromedp.ByQuery),
			chromedp.WaitVisible(`form.support-form`, chromedp.ByQuery),
		)
		if got := u.text(`.attachment-mode`); got != "Canonical context and support diagnostics" {
			t.Errorf("owner's attachment mode %q", got)
		}
		var name, email string
		u.run("read the contact", chromedp.Value(`#contact_name`, &name, chromedp.ByQuery), chromedp.Value(`#contact_email`, &email, chromedp.ByQuery))
		if name != "Olivia Park" || email != "olivia.park@northwind.example" {
			t.Errorf("contact prefilled with %q <%s>, want the user's own", name, email)
		}
		u.fillSupportForm("high", "Policy sync fails with 401", "Open the dashboard.\nThe latest policy sync failed again.")
		if got := u.text(`#summary-count`); got != "26 of 200 characters" {
			t.Errorf("live count %q, want 26 of 200 characters", got)
		}
		u.screenshot("support-form")
		u.fitsPhone("support-form-375px")

		ref := u.submitSupportForm()
		if h := u.text(`h1`); h != "Fabrikam Retail" {
			t.Errorf("after submitting, the page is %q, want the dashboard", h)
		}
		var copyHidden bool
		u.eval(`document.querySelector('[data-copy]').hidden`, &copyHidden)
		if copyHidden {
			t.Error("the copy button stays hidden")
		}
		u.run("copy the reference", chromedp.Click(`[data-copy]`, chromedp.ByQuery),
			chromedp.Poll(`document.querySelector('.copy-status').textContent !== ""`, nil, chromedp.WithPollingTimeout(5*time.Second)))
		u.screenshot("support-success")
		u.fitsPhone("support-success-375px")
		u.onPhone("the reference stays on one line", func() {
			var lines int
			u.eval(`document.querySelector('#support-reference').getClientRects().length`, &lines)
			if lines != 1 {
				t.Errorf("the reference wraps onto %d lines at 375px", lines)
			}
		})
		stored(t, db, ref, "tenant", fabrikam)

		u.run("open the tenant's support diagnostics",
			chromedp.Click(`//a[normalize-space()="Support diagnostics"]`, chromedp.BySearch),
			chromedp.WaitVisible(`#json-heading`, chromedp.ByQuery),
		)
		if got := u.text(`main`); !strings.Contains(got, "invalid_client") || !strings.Contains(got, "[REDACTED]") ||
			strings.Contains(got, "eyJhbGciOi") {
			t.Errorf("diagnostics page does not show the redacted provider error:\n%s", got)
		}
		u.screenshot("tenant-diagnostics")
		u.uniqueLandmarks()
	})

	t.Run("owner requests support from the run viewer's primary action, by keyboard", func(t *testing.T) {
		u := s.signIn(t, ownerToken)
		u.run("open the run",
			chromedp.Navigate(base+"/tenants/"+fabrikam),
			chromedp.Click(`a[href="/runs/`+failedRun+`"]`, chromedp.ByQuery),
			chromedp.WaitVisible(`#failure-heading`, chromedp.ByQuery),
		)
		if msg := u.text(`.message`); !strings.Contains(msg, "[REDACTED]") || strings.Contains(msg, "eyJhbGciOi") {
			t.Errorf("failure message not redacted: %q", msg)
		}
		var actions []string
		u.eval(`Array.from(document.querySelectorAll('.page-head .actions a.button')).map(a => a.className + ':' + a.textContent.trim())`, &actions)
		if strings.Join(actions, "|") != "button primary:Request support|button secondary:Support diagnostics" {
			t.Errorf("run viewer actions %q, want the dashboard's: primary Request support, then Support diagnostics", actions)
		}
		u.screenshot("run-viewer")
		u.fitsPhone("run-viewer-375px")
		u.run("choose Request support with the keyboard",
			chromedp.Focus(`.page-head a.button.primary`, chromedp.ByQuery), chromedp.KeyEvent(kb.Enter),
			chromedp.WaitVisible(`form.support-form`, chromedp.ByQuery),
		)
		u.fillSupportForm("blocking", "Policy sync run fails", "")
		ref := u.submitSupportForm()
		if !strings.Contains(u.text(`h1`), "Policy sync run") {
			t.Errorf("after submitting, the page is %q, want the run viewer", u.text(`h1`))
		}
		stored(t, db, ref, "operation_run", failedRun)
	})

	t.Run("operator sees that only canonical context is attached", func(t *testing.T) {
		u := s.signIn(t, operatorToken)
		u.run("open the form",
			chromedp.Navigate(base+"/tenants/"+fabrikam),
			chromedp.Click(`a.button.primary`, chromedp.ByQuery),
			chromedp.WaitVisible(`form.support-form`, chromedp.ByQuery),
		)
		if got := u.text(`.attachment-mode`); !strings.EqualFold(got, "canonical context only") {
			t.Errorf("operator's attachment mode %q, want canonical context only", got)
		}
		if got := u.text(`.attachment`); !strings.Contains(got, "does not include viewing support diagnostics") {
			t.Errorf("attachment summary does not say why: %q", got)
		}
		var diagnosticsLinks int
		u.run("open the run", chromedp.Navigate(base+"/runs/"+failedRun), chromedp.WaitVisible(`#failure-heading`, chromedp.ByQuery))
		u.eval(`document.querySelectorAll('a[href$="/diagnostics"]').length`, &diagnosticsLinks)
		if diagnosticsLinks != 0 {
			t.Error("operator is offered support diagnostics")
		}
	})

	t.Run("readonly user has no Request support action", func(t *testing.T) {
		u := s.signIn(t, readonlyToken)
		for _, path := range []string{"/tenants/" + fabrikam, "/runs/" + failedRun} {
			var text string
			var links, menus int
			u.run("open "+path, chromedp.Navigate(base+path), chromedp.WaitVisible(`h1`, chromedp.ByQuery),
				chromedp.Text(`body`, &text, chromedp.ByQuery))
			u.eval(`document.querySelectorAll('a[href$="/support"]').length`, &links)
			u.eval(`document.querySelectorAll('details.menu').length`, &menus)
			if strings.Contains(text, "Request support") || links != 0 || menus != 0 {
				t.Errorf("%s as readonly: Request support offered (%d links, %d menus)", path, links, menus)
			}
			if !strings.Contains(text, "does not include asking for support") {
				t.Errorf("%s as readonly: no word on why there is no Request support", path)
			}
		}
		u.fitsPhone("readonly-run-viewer-375px")
		u.run("open the form by its address", chromedp.Navigate(base+"/tenants/"+fabrikam+"/support"), chromedp.WaitVisible(`h1`, chromedp.ByQuery))
		if got := u.text(`main`); !strings.Contains(got, "asking for support") || !strings.Contains(got, "Back to the tenant") {
			t.Errorf("403 page does not say what is missing or lead back:\n%s", got)
		}
		u.fitsPhone("forbidden-375px")
		u.run("go back", chromedp.Click(`//a[normalize-space()="Back to the tenant"]`, chromedp.BySearch), chromedp.WaitVisible(`#connection-heading`, chromedp.ByQuery))
	})

	t.Run("sign-in never leaves the site", func(t *testing.T) {
		for _, next := range []string{"%2F%09%2Fevil.example", "%2F%5Cevil.example", "%2F%2Fevil.example", "https:%2F%2Fevil.example", "%09%2F%2Fevil.example"} {
			ctx, cancel := chromedp.NewContext(s.browser)
			u := &user{t: t, ctx: ctx}
			var loc string
			u.run("sign in with next="+next,
				network.ClearBrowserCookies(),
				chromedp.Navigate(base+"/signin?next="+next),
				chromedp.WaitVisible(`#token`, chromedp.ByQuery),
				chromedp.SendKeys(`#token`, ownerToken, chromedp.ByQuery),
				chromedp.Submit(`#token`, chromedp.ByQuery),
				chromedp.WaitVisible(`h1`, chromedp.ByQuery),
				chromedp.Location(&loc),
			)
			cancel()
			if !strings.HasPrefix(loc, base+"/") {
				t.Errorf("next=%s: the browser ended at %s, off the site", next, loc)
			}
		}
	})

	t.Run("a browser gets the 404 page", func(t *testing.T) {
		u := s.signIn(t, ownerToken)
		u.run("open an unknown page", chromedp.Navigate(base+"/no/such/page"), chromedp.WaitVisible(`h1`, chromedp.ByQuery))
		if h := u.text(`h1`); h != "Page not found" {
			t.Errorf("unknown page shows %q", h)
		}
		u.fitsPhone("not-found-375px")
	})

	t.Run("over the create limit the form keeps what was typed", func(t *testing.T) {
		limited := &suite{db: db, base: serve(t, db, func(d *usecase.Deps) { d.Limiter = ratelimit.New(1) }), browser: s.browser, shots: s.shots}
		u := limited.signIn(t, ownerToken)
		for i, summary := range []string{"First request", "Second request, typed with care"} {
			u.run("open the form", chromedp.Navigate(limited.base+"/tenants/"+fabrikam+"/support"), chromedp.WaitVisible(`form.support-form`, chromedp.ByQuery))
			u.fillSupportForm("high", summary, "Notes that took a while")
			if i == 0 {
				u.submitSupportForm()
				continue
			}
			u.run("submit over the limit", chromedp.Click(`.support-form button[type=submit]`, chromedp.ByQuery), chromedp.WaitVisible(`.error-summary`, chromedp.ByQuery))
			var got string
			u.run("read the summary", chromedp.Value(`#summary`, &got, chromedp.ByQuery))
			if got != summary || !strings.Contains(u.text(`.error-summary`), "was not sent") {
				t.Errorf("after a 429 the form holds %q and says %q", got, u.text(`.error-summary`))
			}
			u.fitsPhone("support-form-rate-limited-375px")
		}
		// Leave the page, so no request of the tab's is open when this
		// scenario's server shuts down.
		u.run("leave the site", chromedp.Navigate("about:blank"))
	})

	t.Run("a validation error keeps the typed text", func(t *testing.T) {
		u := s.signIn(t, operatorToken)
		summary, notes := "Backup fails <again> & again", "Step 1: open the run.\nStep 2: it fails."
		u.run("open the form", chromedp.Navigate(base+"/runs/"+failedRun+"/support"), chromedp.WaitVisible(`form.support-form`, chromedp.ByQuery))
		// No severity chosen, and an address that is not one.
		u.run("fill the form",
			chromedp.SendKeys(`#summary`, summary, chromedp.ByQuery),
			chromedp.SendKeys(`#reproduction_notes`, notes, chromedp.ByQuery),
			chromedp.Clear(`#contact_email`, chromedp.ByQuery),
			chromedp.SendKeys(`#contact_email`, "priya at example", chromedp.ByQuery),
			chromedp.Click(`.support-form button[type=submit]`, chromedp.ByQuery),
			chromedp.WaitVisible(`.error-summary`, chromedp.ByQuery),
		)
		var gotSummary, gotNotes, gotEmail, describedBy, focused string
		u.run("read the form",
			chromedp.Value(`#summary`, &gotSummary, chromedp.ByQuery),
			chromedp.Value(`#reproduction_notes`, &gotNotes, chromedp.ByQuery),
			chromedp.Value(`#contact_email`, &gotEmail, chromedp.ByQuery),
			chromedp.AttributeValue(`#severity`, "aria-describedby", &describedBy, nil, chromedp.ByQuery),
		)
		if gotSummary != summary || gotNotes != notes || gotEmail != "priya at example" {
			t.Errorf("input not kept: summary %q, notes %q, email %q", gotSummary, gotNotes, gotEmail)
		}
		if !strings.Contains(describedBy, "severity-error") || !strings.Contains(u.text(`#severity-error`), "required") {
			t.Errorf("severity error not next to its field: aria-describedby %q", describedBy)
		}
		if !strings.Contains(u.text(`#contact_email-error`), "valid email") {
			t.Errorf("email error %q", u.text(`#contact_email-error`))
		}
		u.eval(`document.activeElement.className`, &focused)
		if focused != "error-summary" {
			t.Errorf("focus on %q, want the error summary", focused)
		}
		u.screenshot("support-form-errors")
		var n int64
		if err := db.Gorm().Raw(`SELECT count(*) FROM support_requests WHERE summary = ?`, summary).Scan(&n).Error; err != nil || n != 0 {
			t.Errorf("an invalid submission was stored (%d, %v)", n, err)
		}
	})

	t.Run("sign out ends the session", func(t *testing.T) {
		u := s.signIn(t, ownerToken)
		u.run("sign out",
			chromedp.Click(`.account button[type=submit]`, chromedp.ByQuery),
			chromedp.WaitVisible(`#token`, chromedp.ByQuery),
			chromedp.Navigate(base+"/tenants/"+fabrikam),
			chromedp.WaitVisible(`#token`, chromedp.ByQuery),
		)
	})

	t.Run("support views a request and its requester sees who", s.deskScenario)
}

// TestChromiumIsInstalled is the probe behind make test's note: it skips,
// saying why, exactly when the browser suite would.
func TestChromiumIsInstalled(t *testing.T) { chromiumPath(t) }
