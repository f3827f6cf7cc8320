package web

import (
	"bytes"
	"crypto/sha256"
	"embed"
	"encoding/hex"
	"fmt"
	"html/template"
	"io/fs"
	"log/slog"
	"net/http"
	"path"
	"strconv"
	"strings"
	"time"

	"github.com/gofiber/fiber/v2"
	"github.com/gofiber/fiber/v2/middleware/filesystem"

	"supportdesk/adapters/httpstatus"
	"supportdesk/core"
	"supportdesk/ports"
)

//go:embed templates/*.html
var templateFiles embed.FS

//go:embed static
var staticFiles embed.FS

// staticPrefix is where the embedded CSS and JavaScript are served.
const staticPrefix = "/static"

// The templates every page is made of: the layout wraps each page, whose
// own template is named content, and the partials are shared.
const (
	layoutFile   = "layout.html"
	partialsFile = "partials.html"
)

// views holds each page's template, parsed once: the layout and the
// partials with the page's file as its content.
type views struct {
	pages  map[string]*template.Template
	assets assets
}

// assets are the URLs of the static files, each with a digest of its
// content so that a new build is never served a stale cached copy.
type assets struct {
	CSS, JS string
}

// mustLoadViews parses the embedded templates; they are part of the
// binary, so a parse error is a build defect.
func mustLoadViews() *views {
	sub, err := fs.Sub(templateFiles, "templates")
	if err != nil {
		panic(fmt.Sprintf("web: templates: %v", err))
	}
	base, err := template.New(layoutFile).Funcs(templateFuncs).ParseFS(sub, layoutFile, partialsFile)
	if err != nil {
		panic(fmt.Sprintf("web: parse templates: %v", err))
	}
	files, err := fs.Glob(sub, "*.html")
	if err != nil {
		panic(fmt.Sprintf("web: templates: %v", err))
	}
	v := &views{pages: map[string]*template.Template{}, assets: assets{CSS: assetURL("app.css"), JS: assetURL("app.js")}}
	for _, f := range files {
		if f == layoutFile || f == partialsFile {
			continue
		}
		text, err := fs.ReadFile(sub, f)
		if err != nil {
			panic(fmt.Sprintf("web: template %s: %v", f, err))
		}
		page := template.Must(base.Clone())
		if _, err := page.New("content").Parse(string(text)); err != nil {
			panic(fmt.Sprintf("web: parse template %s: %v", f, err))
		}
		v.pages[strings.TrimSuffix(path.Base(f), ".html")] = page
	}
	return v
}

func assetURL(name string) string {
	b, err := staticFiles.ReadFile("static/" + name)
	if err != nil {
		panic(fmt.Sprintf("web: static file %s: %v", name, err))
	}
	sum := sha256.Sum256(b)
	return staticPrefix + "/" + name + "?v=" + hex.EncodeToString(sum[:6])
}

// staticHandler serves the embedded static files. The URLs carry a content
// digest, so browsers may keep them for a day.
func staticHandler() fiber.Handler {
	sub, err := fs.Sub(staticFiles, "static")
	if err != nil {
		panic(fmt.Sprintf("web: static files: %v", err))
	}
	serve := filesystem.New(filesystem.Config{Root: http.FS(sub), MaxAge: 24 * 60 * 60})
	return func(c *fiber.Ctx) error {
		// A browser must take a script for a script and a style sheet for
		// one, whatever it would sniff.
		c.Set(fiber.HeaderXContentTypeOptions, "nosniff")
		return serve(c)
	}
}

// page is what the layout needs; every page's data embeds it.
type page struct {
	Title  string
	User   *ports.Actor
	CSRF   string
	Assets assets
}

// page returns the layout data for a page titled title; sess is nil when
// nobody is signed in.
func (s *site) page(sess *session, title string) page {
	p := page{Title: title, Assets: s.views.assets}
	if sess != nil {
		actor := sess.actor
		p.User, p.CSRF = &actor, sess.csrf
	}
	return p
}

// render writes the named template inside the layout. It renders into a
// buffer first, so a template failure never sends half a page.
func (s *site) render(c *fiber.Ctx, status int, name string, data any) error {
	var b bytes.Buffer
	t, ok := s.views.pages[name]
	var err error
	if !ok {
		err = fmt.Errorf("no page template %q", name)
	} else {
		err = t.ExecuteTemplate(&b, layoutFile, data)
	}
	if err != nil {
		s.log.ErrorContext(c.UserContext(), "render page", "template", name, "error", err)
		c.Set(fiber.HeaderContentType, fiber.MIMETextPlainCharsetUTF8)
		return c.Status(fiber.StatusInternalServerError).SendString("Internal server error")
	}
	c.Set(fiber.HeaderContentType, fiber.MIMETextHTMLCharsetUTF8)
	return c.Status(status).Send(b.Bytes())
}

// errorPage is the content of one kind of error page. The text is fixed:
// it never carries the error's own message, so nothing about the target
// or the cause (SQL, stack) reaches the page, and the 404 for a tenant
// that exists but is not yours is the 404 for one that does not exist.
type errorPage struct {
	Heading string
	Message string
}

// errorPages is the page of each status a core error gets; the status is
// httpstatus.For's, as in the API.
var errorPages = map[int]errorPage{
	fiber.StatusNotFound:            {"Page not found", "There is nothing here, or you do not have access to it. Check the address, or go back to your tenants."},
	fiber.StatusForbidden:           {"You do not have permission to do this", "Your role on this tenant does not allow this action. Ask a tenant owner or manager if you need it."},
	fiber.StatusUnprocessableEntity: {"Something is wrong with this request", "The request could not be understood. Go back and try again."},
	fiber.StatusConflict:            {"This is already being done", "The same request is still being processed. Wait a moment, then check before trying again."},
	fiber.StatusTooManyRequests:     {"Too many support requests", "You have sent many support requests in a short time. Wait a minute, then try again; nothing was sent this time."},
	fiber.StatusServiceUnavailable:  {"Service temporarily unavailable", "supportdesk cannot reach its database right now. Nothing was changed. Try again in a few seconds."},
	fiber.StatusInternalServerError: {"Something went wrong", "An unexpected error occurred and has been logged. Try again, and ask support if it keeps happening."},
}

// errorCSRF is the 403 page of a form whose CSRF token does not match.
var errorCSRF = errorPage{"This form has expired", "The form was too old or did not come from this site, so nothing was done. Go back, reload the page and try again."}

// errorData is an error page.
type errorData struct {
	page
	Error errorPage
	// Back leads to the tenant or run the refused page was about.
	Back *crumb
}

// fail answers a request whose handler returned err with the error page
// of its status, decided as the API decides it; server errors are logged
// with their cause.
func (s *site) fail(c *fiber.Ctx, sess *session, err error) error {
	a := httpstatus.For(c.UserContext(), err)
	if a.Kind == core.KindUnauthenticated {
		return s.toSignin(c)
	}
	status := a.Status
	if _, ok := errorPages[status]; !ok {
		status = fiber.StatusInternalServerError
	}
	if status >= fiber.StatusInternalServerError {
		level := slog.LevelError
		if status == fiber.StatusServiceUnavailable {
			level = slog.LevelWarn
		}
		s.log.Log(c.UserContext(), level, "web page failed",
			"method", c.Method(), "route", c.Route().Path, "status", status, "error", err)
	}
	if a.RetryAfter > 0 {
		c.Set(fiber.HeaderRetryAfter, httpstatus.RetryAfter(a.RetryAfter))
	}
	if status == fiber.StatusForbidden {
		return s.renderForbidden(c, sess)
	}
	return s.renderError(c, sess, status, errorPages[status])
}

// forbiddenPages say, for each page a tenant role can be refused, what the
// role lacks, in words; the route tells which page was refused.
var forbiddenPages = map[string]string{
	"support":     "Your role on this tenant does not include asking for support (the support requests capability). A tenant owner or manager can send the request, or give you the operator role.",
	"diagnostics": "Your role on this tenant does not include support diagnostics (the support diagnostics capability), which only tenant owners and managers can open. You can still request support: the canonical context is attached.",
}

// renderForbidden renders the 403 page of a tenant's or run's page: what
// is missing, and the way back to the tenant or run it was about. Only a
// visitor who may see that tenant or run gets a 403 (anyone else a 404),
// so the link tells them nothing new.
func (s *site) renderForbidden(c *fiber.Ctx, sess *session) error {
	p := errorPages[fiber.StatusForbidden]
	d := errorData{Error: p}
	for _, k := range []contextKind{tenantContext, runContext} {
		rest, ok := strings.CutPrefix(c.Route().Path, k.base+":id/")
		if !ok {
			continue
		}
		if msg, ok := forbiddenPages[rest]; ok {
			d.Error.Message = msg
		}
		d.Back = &crumb{Label: "the " + k.noun, URL: k.paths(strings.Clone(c.Params("id"))).View}
	}
	d.page = s.page(sess, p.Heading)
	return s.render(c, fiber.StatusForbidden, "error", d)
}

// renderError renders an error page with status.
func (s *site) renderError(c *fiber.Ctx, sess *session, status int, p errorPage) error {
	return s.render(c, status, "error", errorData{page: s.page(sess, p.Heading), Error: p})
}

// templateFuncs are the helpers the templates use.
var templateFuncs = map[string]any{
	"human":    humanTime,
	"machine":  machineTime,
	"label":    label,
	"provider": providerName,
	"tone":     tone,
	"plural":   plural,
	"describe": describedBy,
	"list":     func(s ...string) []string { return s },
}

// humanTime formats t for reading; times are shown in UTC, which is what
// support engineers and the records use.
func humanTime(t time.Time) string { return t.UTC().Format("2 Jan 2006, 15:04 UTC") }

// machineTime formats t for a <time datetime> attribute.
func machineTime(t time.Time) string { return t.UTC().Format(time.RFC3339) }

// label turns a stored value such as "partially_succeeded" into words.
func label(s string) string {
	if s == "" {
		return ""
	}
	s = strings.ReplaceAll(s, "_", " ")
	return strings.ToUpper(s[:1]) + s[1:]
}

// providerNames spell the providers supportdesk knows of as their makers do.
var providerNames = map[string]string{"microsoft_graph": "Microsoft Graph"}

// providerName returns how a provider is called, or its id in words.
func providerName(p string) string {
	if n, ok := providerNames[p]; ok {
		return n
	}
	return label(p)
}

// tones colour status badges; text always says the status too.
var tones = map[string]string{
	"active": "good", "connected": "good", "succeeded": "good", "ready": "good", "completed": "good",
	"degraded": "warn", "partially_succeeded": "warn", "running": "info", "queued": "info",
	"pending": "warn", "in_progress": "info", "generating": "info", "medium": "warn", "high": "bad",
	"suspended": "bad", "disconnected": "bad", "failed": "bad", "cancelled": "muted", "critical": "bad",
	"low": "muted",
}

// tone returns the badge colour of a status or severity.
func tone(s string) string {
	if t, ok := tones[s]; ok {
		return t
	}
	return "muted"
}

// plural returns "1 thing" or "n things".
func plural(n int, one, many string) string {
	if n == 1 {
		return "1 " + one
	}
	return strconv.Itoa(n) + " " + many
}

// faviconPath is where browsers look for a site's icon unasked.
const faviconPath = "/favicon.ico"

// favicon serves the embedded icon, cacheable like the other static files.
func favicon(c *fiber.Ctx) error {
	b, err := staticFiles.ReadFile("static/favicon.ico")
	if err != nil {
		return err
	}
	c.Set(fiber.HeaderContentType, "image/x-icon")
	c.Set(fiber.HeaderCacheControl, "public, max-age=86400")
	c.Set(fiber.HeaderXContentTypeOptions, "nosniff")
	return c.Send(b)
}
