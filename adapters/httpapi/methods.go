package httpapi

import (
	"net/http"
	"slices"

	"github.com/gofiber/fiber/v2"
	"github.com/valyala/fasthttp"
)

// methodOther stands in for every request method Fiber does not know
// (PROPFIND, BREW, …). Fiber answers such a request itself, before any
// middleware, with a plain-text 400 that has no request id and no log
// line; renamed to methodOther, which the app does know, it goes through
// the middleware like any other request and gets a 501 problem. The log
// line and the metrics then show "OTHER", never the client's own text.
const methodOther = "OTHER"

// requestMethods are the methods the app routes: Fiber's and methodOther.
var requestMethods = append(slices.Clip(fiber.DefaultMethods), methodOther)

// problemNotImplemented answers a method the server does not recognise
// (RFC 9110 §15.6.2).
var problemNotImplemented = problemType{http.StatusNotImplemented, "method-not-implemented", "Method not implemented"}

// recogniseMethods wraps the server's handler so that an unknown method
// reaches the app as methodOther.
func recogniseMethods(app *fiber.App) {
	srv := app.Server()
	next := srv.Handler
	srv.Handler = func(rc *fasthttp.RequestCtx) {
		if !slices.Contains(fiber.DefaultMethods, string(rc.Method())) {
			rc.Request.Header.SetMethod(methodOther)
		}
		next(rc)
	}
}

// refuseOtherMethods is the middleware that answers methodOther requests.
func refuseOtherMethods(c *fiber.Ctx) error {
	if c.Method() == methodOther {
		return newProblem(problemNotImplemented, "the request method is not supported; use GET or POST")
	}
	return c.Next()
}
