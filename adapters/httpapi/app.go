// Package httpapi is the HTTP adapter: the JSON API of SPEC §8 on Fiber v2,
// over the inbound port ports.SupportDesk.
//
// Every error leaves as application/problem+json (RFC 9457) through one
// table from core error kind to status; see problem.go. A create is checked
// in this order: body size (413, by the server before routing), bearer
// token (401), media type (415), JSON syntax (400), body members (422: the
// adapter's own checks, reported together with the core's field rules for
// the members that did decode), then the use case (404 for a target that
// does not exist or is not visible, 403, 422 for the field rules, 201). The
// adapter's checks look only at the request, so they tell nothing about
// whether a target exists.
package httpapi

import (
	"log/slog"
	"time"

	"github.com/gofiber/fiber/v2"
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

// Config sets the server's limits. A zero field takes its default.
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

// New returns the Fiber app serving the API over desk, logging server
// errors to log (slog.Default() if nil). It does not listen: the caller
// serves it with app.Listener and stops it with app.ShutdownWithContext.
func New(desk ports.SupportDesk, cfg Config, log *slog.Logger) *fiber.App {
	cfg = cfg.withDefaults()
	if log == nil {
		log = slog.Default()
	}
	app := fiber.New(fiber.Config{
		AppName:               "supportdesk",
		BodyLimit:             cfg.BodyLimit,
		ReadTimeout:           cfg.ReadTimeout,
		WriteTimeout:          cfg.WriteTimeout,
		IdleTimeout:           cfg.IdleTimeout,
		ErrorHandler:          errorHandler(log, cfg.BodyLimit),
		DisableStartupMessage: true,
		CaseSensitive:         true,
	})
	// recover turns a panic into an error for the error handler: a 500
	// problem, logged, instead of a dropped connection.
	app.Use(recover.New(), withRequestID, withDeadline(cfg.RequestTimeout))

	app.Get("/healthz", healthz)

	h := handlers{desk: desk}
	v1 := app.Group("/v1", withAPIHeaders, authenticate(desk))
	for _, ctx := range []struct {
		typ   support.ContextType
		path  string
		param string
	}{
		{support.ContextTenant, "/tenants/:tenantID", "tenantID"},
		{support.ContextOperationRun, "/operation-runs/:runID", "runID"},
	} {
		v1.Post(ctx.path+"/support-requests", h.create(ctx.typ, ctx.param))
		v1.Get(ctx.path+"/support-requests/attachment-preview", h.preview(ctx.typ, ctx.param))
		v1.Get(ctx.path+"/support-diagnostics", h.diagnostics(ctx.typ, ctx.param))
	}
	v1.Get("/support-requests/:reference", h.get)
	return app
}
