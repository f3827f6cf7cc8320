// Package web is the web UI adapter: server-rendered HTML pages, served by
// the same Fiber app as the JSON API, through which an operator browses
// tenants and runs and asks for support. Pages call the same inbound ports
// as the API, so authorization, validation and audit are the API's own.
//
// Sign-in exchanges an API token for a server-side session (see
// SessionStore); every form carries the session's synchronizer CSRF token.
// Templates and static files are embedded: nothing is fetched from
// outside the binary.
package web

import (
	"context"
	"log/slog"
	"strings"
	"time"

	"github.com/gofiber/fiber/v2"

	"supportdesk/core/support"
	"supportdesk/ports"
)

// SessionStore keeps web sessions on the server. It never sees a session
// id, only its SHA-256 (hex), so a leaked copy of the store cannot be
// replayed as a cookie.
type SessionStore interface {
	// Create stores a session of userID, valid until expiresAt, with its
	// CSRF token.
	Create(ctx context.Context, idHash, userID, csrfToken string, createdAt, expiresAt time.Time) error
	// Lookup returns the user and CSRF token of the session if it is still
	// valid at now; an unknown or expired session is a KindUnauthenticated
	// error.
	Lookup(ctx context.Context, idHash string, now time.Time) (actor ports.Actor, csrfToken string, err error)
	// Delete removes the session; deleting an unknown one is not an error.
	Delete(ctx context.Context, idHash string) error
}

// Deps is what the web UI needs.
type Deps struct {
	Desk    ports.SupportDesk
	Browser ports.Browser
	// Requester serves "Your support requests", Support the support desk.
	Requester ports.Requester
	Support   ports.Desk
	Sessions  SessionStore
	Log       *slog.Logger
	// SecureCookies marks cookies Secure on every response. Without it they
	// are Secure when the request came over TLS, directly or as told by a
	// proxy's X-Forwarded-Proto (a client that forges that header only
	// loses its own cookie over plain HTTP).
	SecureCookies bool
	// SessionTTL is how long a session lasts after sign-in; 8 hours if zero.
	SessionTTL time.Duration
	// AuthFailures, if set, throttles failed sign-ins per client address,
	// with the same budget as the API's failed bearer tokens.
	AuthFailures ports.AuthFailures
}

const defaultSessionTTL = 8 * time.Hour

// site holds the web UI's dependencies and renders its pages.
type site struct {
	desk      ports.SupportDesk
	browser   ports.Browser
	requester ports.Requester
	support   ports.Desk
	sessions  SessionStore
	log       *slog.Logger
	secure    bool
	ttl       time.Duration
	failures  ports.AuthFailures
	views     *views
}

// Site is the web UI: its pages, over the same inbound ports as the API.
type Site struct{ s *site }

// New returns the web UI over d. It panics if the embedded templates do
// not parse, which is a build defect that the package's tests catch.
func New(d Deps) *Site {
	s := &site{
		desk: d.Desk, browser: d.Browser, requester: d.Requester, support: d.Support, sessions: d.Sessions, log: d.Log,
		secure: d.SecureCookies, ttl: d.SessionTTL, failures: d.AuthFailures,
		views: mustLoadViews(),
	}
	if s.ttl <= 0 {
		s.ttl = defaultSessionTTL
	}
	if s.log == nil {
		s.log = slog.New(slog.DiscardHandler)
	}
	return &Site{s: s}
}

// Register adds the web UI's routes to app, made by httpapi.New, whose
// middleware gives every request its id, log line and deadline. They live
// at the root, beside the API under /v1; every route installs its own
// middleware, so nothing here touches the API's requests.
func (w *Site) Register(app *fiber.App) {
	s := w.s
	app.Use(staticPrefix, staticHandler())
	app.Get(faviconPath, favicon)

	app.Get("/", s.private(s.home))
	app.Get("/signin", s.public(s.signinForm))
	app.Post("/signin", s.public(s.signin))
	app.Post("/signout", s.private(s.signout))
	app.Get("/tenants", s.private(s.tenants))
	app.Get("/requests", s.private(s.ownRequests))
	app.Get("/requests/:reference", s.private(s.ownRequest))
	app.Get("/support", s.private(s.deskList))
	app.Get("/support/requests/:reference", s.private(s.deskRequest))

	for _, k := range []contextKind{tenantContext, runContext} {
		app.Get(k.base+":id", s.private(s.contextPage(k)))
		app.Get(k.base+":id/support", s.private(s.supportForm(k)))
		app.Post(k.base+":id/support", s.private(s.submitSupport(k)))
		app.Get(k.base+":id/diagnostics", s.private(s.diagnostics(k)))
	}
}

// NotFound answers, with the HTML 404 page, a browser that asked for a
// path no route serves (httpapi.Config.NotFoundPage).
func (w *Site) NotFound(c *fiber.Ctx) error {
	s := w.s
	setPageHeaders(c)
	sess, err := s.session(c)
	if err != nil {
		sess = nil // an unknown page for anyone; the header just shows no account
	}
	return s.renderError(c, sess, fiber.StatusNotFound, errorPages[fiber.StatusNotFound])
}

// contextKind is one of the two places support is asked from, with the
// paths of its pages.
type contextKind struct {
	typ support.ContextType
	// base is the path prefix of its pages, ending in a slash.
	base string
	// noun names it in page text.
	noun string
}

var (
	tenantContext = contextKind{typ: support.ContextTenant, base: "/tenants/", noun: "tenant"}
	runContext    = contextKind{typ: support.ContextOperationRun, base: "/runs/", noun: "operation run"}
)

// target returns the primary context the request's :id names. The id is
// copied: Fiber reuses its buffer once the handler returns.
func (k contextKind) target(c *fiber.Ctx) support.PrimaryContext {
	return support.PrimaryContext{Type: k.typ, ID: strings.Clone(c.Params("id"))}
}

// paths returns the URLs of the pages about the context with this id.
func (k contextKind) paths(id string) contextPaths {
	return contextPaths{
		View:        k.base + id,
		Support:     k.base + id + "/support",
		Diagnostics: k.base + id + "/diagnostics",
	}
}

// contextPaths are the URLs of one tenant's or run's pages.
type contextPaths struct {
	View, Support, Diagnostics string
}
