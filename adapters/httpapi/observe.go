package httpapi

import (
	"context"
	"errors"
	"log/slog"
	"strings"
	"time"

	"github.com/gofiber/fiber/v2"

	"supportdesk/ports"
)

// routeUnmatched labels requests that no endpoint answered, so that
// arbitrary paths never become log fields or metric label values.
const routeUnmatched = "unmatched"

// observer writes the one log line of each request and records it in the
// metrics. It sees the status the client gets because it answers errors
// itself rather than leaving them to Fiber.
type observer struct {
	log       *slog.Logger
	metrics   Metrics // nil: no metrics
	bodyLimit int
	// notFoundPage answers browsers for unknown paths; nil: a problem.
	notFoundPage fiber.Handler
	// requestTimeout bounds the not-found page, as withDeadline does others.
	requestTimeout time.Duration
}

// observe is the middleware: it runs the rest of the chain, answers the
// error that comes back, if any, as a problem, then records the request.
func (o observer) observe(c *fiber.Ctx) error {
	start := time.Now()
	err := c.Next()
	route := routeOf(c)
	if missedRoutes(err) || c.Method() == methodOther {
		route = routeUnmatched
	}
	switch {
	case err == nil:
	case route == routeUnmatched && o.wantsPage(c, err):
		// The chain's deadline ended with it; the page (which looks up the
		// visitor's session) gets one of its own.
		ctx, cancel := context.WithTimeout(context.WithoutCancel(c.UserContext()), o.requestTimeout)
		c.SetUserContext(ctx)
		perr := o.notFoundPage(c)
		cancel()
		if perr != nil {
			answerError(c, o.log, o.bodyLimit, perr)
		}
	default:
		answerError(c, o.log, o.bodyLimit, err)
	}
	o.record(c, route, time.Since(start))
	return nil
}

// wantsPage reports whether the 404 of a path no route serves goes to the
// web UI's page: a GET or HEAD from a client that prefers HTML to JSON
// (a browser, not curl's */*), outside the API.
func (o observer) wantsPage(c *fiber.Ctx, err error) bool {
	var fe *fiber.Error
	if o.notFoundPage == nil || !errors.As(err, &fe) || fe.Code != fiber.StatusNotFound {
		return false
	}
	if m := c.Method(); m != fiber.MethodGet && m != fiber.MethodHead {
		return false
	}
	if p := c.Path(); p == "/v1" || strings.HasPrefix(p, "/v1/") {
		return false
	}
	return c.Accepts(problemContentType, fiber.MIMEApplicationJSON, fiber.MIMETextHTML) == fiber.MIMETextHTML
}

// errorHandler is Fiber's ErrorHandler. With observe in the chain it only
// hears of errors raised before routing — a body over the limit, a request
// that cannot be parsed — which still get a problem, a request id, a log
// line and an observation (of no time: none of the app's was spent).
func (o observer) errorHandler(c *fiber.Ctx, err error) error {
	if requestID(c) == "" {
		id := newRequestID()
		c.Locals(localRequestID, id)
		c.Set(HeaderRequestID, id)
	}
	answerError(c, o.log, o.bodyLimit, err)
	o.record(c, routeUnmatched, 0)
	return nil
}

// record logs and counts the answered request, which route answered in
// took. The line holds no body, header, query or raw path: only what
// identifies the route and the outcome.
func (o observer) record(c *fiber.Ctx, route string, took time.Duration) {
	// The method's bytes belong to the request, which fasthttp reuses;
	// the metrics keep their label values.
	method := strings.Clone(c.Method())
	status := c.Response().StatusCode()
	if o.metrics != nil {
		o.metrics.ObserveRequest(method, route, status, took)
	}
	attrs := []slog.Attr{
		slog.String("request_id", requestID(c)),
		slog.String("method", method),
		slog.String("route", route),
		slog.Int("status", status),
		slog.Float64("latency_ms", float64(took.Microseconds())/1000),
	}
	if a, ok := c.Locals(localActor).(ports.Actor); ok {
		attrs = append(attrs, slog.String("user_id", a.ID))
	}
	o.log.LogAttrs(c.UserContext(), slog.LevelInfo, "request", attrs...)
}

// routeOf names the route that answered c by its template, such as
// /v1/tenants/:tenantID/support-requests, or the prefix of the middleware
// that did (the web UI's static files). A request that failed before
// routing has no route (Fiber then makes one up from the raw path,
// without handlers).
func routeOf(c *fiber.Ctx) string {
	r := c.Route()
	if len(r.Handlers) == 0 {
		return routeUnmatched
	}
	return r.Path
}

// missedRoutes reports whether err is Fiber's answer to a request that no
// endpoint matched: 405 when another method has one at the path, else a
// 404 with Fiber's message "Cannot GET /path" (the API's own 404s are
// core errors).
// Only middleware ran for such a request, so the route it got is not one
// to name the request by.
func missedRoutes(err error) bool {
	var fe *fiber.Error
	if !errors.As(err, &fe) {
		return false
	}
	return fe == fiber.ErrMethodNotAllowed || fe.Code == fiber.StatusNotFound && strings.HasPrefix(fe.Message, "Cannot ")
}
