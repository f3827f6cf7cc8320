// Package httpapi is the HTTP adapter: the JSON API of docs/api.md on Fiber v2,
// over the inbound port ports.SupportDesk, with the operational endpoints
// beside it (/healthz, /readyz, /metrics, /openapi.json).
//
// Every error leaves as application/problem+json (RFC 9457) through one
// table from core error kind to status; see problem.go. A create is checked
// in this order: body size (413, by the server before routing), bearer
// token (401), the creator's rate limit (429: every authenticated attempt
// counts, malformed ones too), media type (415), JSON syntax (400), body
// members (422: the adapter's own checks, reported together with the
// core's field rules for the members that did decode), then the use case
// (404 for a target that does not exist or is not visible, 403, 422 for the
// field rules, 409 or a replay for an Idempotency-Key, 201). The adapter's
// checks look only at the request, so they tell nothing about whether a
// target exists.
//
// Every request, whatever its outcome, gets one JSON log line (method,
// route template, status, latency, request id) and one observation in
// the metrics; see observe.go. The document at /openapi.json is
// openapi.json in this directory, embedded and served as is.
package httpapi

import (
	"context"
	"log/slog"
	"net/http"
	"time"

	"github.com/gofiber/fiber/v2"
	"github.com/gofiber/fiber/v2/middleware/adaptor"
	"github.com/gofiber/fiber/v2/middleware/recover"

	"supportdesk/core/support"
	"supportdesk/ports"
)

// Defaults for the zero fields of Config.
const (
	DefaultBodyLimit      = 64 << 10
	DefaultReadTimeout    = 10 * time.Second
	DefaultWriteTimeout   = 30 * time.Second
	DefaultIdleTimeout    = 60 * time.Second
	DefaultRequestTimeout = 10 * time.Second
)

// Config sets the server's limits and what the operational endpoints
// report. A zero field takes its default.
type Config struct {
	// BodyLimit is the largest request body accepted, in bytes; larger
	// ones get a 413 before any handler runs.
	BodyLimit int
	// ReadTimeout, WriteTimeout and IdleTimeout bound reading a request,
	// writing a response and an idle keep-alive connection.
	ReadTimeout  time.Duration
	WriteTimeout time.Duration
	IdleTimeout  time.Duration
	// RequestTimeout is the deadline of each request's context, which the
	// use case hands down to the database.
	RequestTimeout time.Duration
	// Ready tells whether the service can serve: GET /readyz answers 503
	// while it returns an error. Nil means always ready.
	Ready func(ctx context.Context) error
	// Metrics, if set, hears of every request and is served at GET
	// /metrics; without it there is no /metrics.
	Metrics Metrics
	// AuthFailures, if set, throttles failed authentication per client
	// address (shared with the web UI's sign-in).
	AuthFailures ports.AuthFailures
	// TrustedProxies are the addresses (or CIDR ranges) of proxies whose
	// X-Forwarded-For names the client; without any, the client is the
	// peer of the connection, whatever the request claims.
	TrustedProxies []string
	// NotFoundPage, if set, answers a browser (one that prefers HTML to
	// JSON) asking for a path outside /v1 that no route serves, in place of
	// the problem+json 404 API clients get.
	NotFoundPage fiber.Handler
}

// Metrics is what the app needs of a metrics registry.
type Metrics interface {
	// ObserveRequest records one answered request under its route template.
	ObserveRequest(method, route string, status int, took time.Duration)
	// Handler serves the metrics in the Prometheus text format.
	Handler() http.Handler
}

func (c Config) withDefaults() Config {
	set := func(d *time.Duration, def time.Duration) {
		if *d <= 0 {
			*d = def
		}
	}
	if c.BodyLimit <= 0 {
		c.BodyLimit = DefaultBodyLimit
	}
	set(&c.ReadTimeout, DefaultReadTimeout)
	set(&c.WriteTimeout, DefaultWriteTimeout)
	set(&c.IdleTimeout, DefaultIdleTimeout)
	set(&c.RequestTimeout, DefaultRequestTimeout)
	return c
}

// New returns the Fiber app serving the API over desk, logging to log
// (slog.Default() if nil). It does not listen: the caller serves it with
// app.Listener and stops it with app.ShutdownWithContext, which lets
// in-flight requests finish.
func New(desk UseCases, cfg Config, log *slog.Logger) *fiber.App {
	cfg = cfg.withDefaults()
	if log == nil {
		log = slog.Default()
	}
	obs := observer{log: log, metrics: cfg.Metrics, bodyLimit: cfg.BodyLimit, notFoundPage: cfg.NotFoundPage,
		requestTimeout: cfg.RequestTimeout}
	app := fiber.New(fiber.Config{
		AppName:               "supportdesk",
		BodyLimit:             cfg.BodyLimit,
		ReadTimeout:           cfg.ReadTimeout,
		WriteTimeout:          cfg.WriteTimeout,
		IdleTimeout:           cfg.IdleTimeout,
		ErrorHandler:          obs.errorHandler,
		DisableStartupMessage: true,
		CaseSensitive:         true,
		RequestMethods:        requestMethods,
		// The client address counts failed authentication: it comes from
		// X-Forwarded-For only when the peer is a trusted proxy.
		EnableTrustedProxyCheck: len(cfg.TrustedProxies) > 0,
		TrustedProxies:          cfg.TrustedProxies,
		ProxyHeader:             proxyHeader(cfg.TrustedProxies),
		EnableIPValidation:      true,
		// No body is parsed before a handler asks for it: fasthttp would
		// otherwise parse every multipart body on arrival, before any
		// authentication, for an API and a UI that take none.
		DisablePreParseMultipartForm: true,
	})
	recogniseMethods(app)
	// observe answers every error itself and then logs and counts the
	// request; recover, inside it, turns a panic into an error: a 500
	// problem, logged, instead of a dropped connection.
	app.Use(withRequestID, obs.observe, recover.New(), refuseOtherMethods, withDeadline(cfg.RequestTimeout))

	app.Get("/healthz", healthz)
	app.Get("/readyz", readyz(cfg.Ready))
	app.Get("/openapi.json", openAPI)
	if cfg.Metrics != nil {
		app.Get("/metrics", adaptor.HTTPHandler(cfg.Metrics.Handler()))
	}

	// Authentication is part of each route rather than of the group, so
	// that a 401 is logged and counted under the route it was meant for.
	h := handlers{desk: desk, uc: desk}
	auth := authenticate(desk, cfg.AuthFailures)
	limit := limitCreates(desk)
	v1 := app.Group("/v1", withAPIHeaders)
	for _, ctx := range []struct {
		typ   support.ContextType
		path  string
		param string
	}{
		{support.ContextTenant, "/tenants/:tenantID", "tenantID"},
		{support.ContextOperationRun, "/operation-runs/:runID", "runID"},
	} {
		v1.Post(ctx.path+"/support-requests", auth, limit, h.create(ctx.typ, ctx.param))
		v1.Get(ctx.path+"/support-requests/attachment-preview", auth, h.preview(ctx.typ, ctx.param))
		v1.Get(ctx.path+"/support-diagnostics", auth, h.diagnostics(ctx.typ, ctx.param))
	}
	v1.Get("/support-requests", auth, h.ownList)
	v1.Get("/support-requests/:reference", auth, h.get)
	v1.Get("/support/requests", auth, h.onlyAgents, h.deskList)
	v1.Get("/support/requests/:reference", auth, h.onlyAgents, h.deskGet)
	return app
}

// proxyHeader is the header naming the client behind trusted proxies.
func proxyHeader(trusted []string) string {
	if len(trusted) == 0 {
		return ""
	}
	return fiber.HeaderXForwardedFor
}
