package httpapi

import (
	"bytes"
	"context"
	_ "embed" // the OpenAPI document
	"fmt"
	"net/http"
	"strings"
	"time"

	"github.com/gofiber/fiber/v2"

	"supportdesk/adapters/requestjson"
	"supportdesk/core"
	"supportdesk/core/reference"
	"supportdesk/core/support"
	"supportdesk/ports"
)

// HeaderIdempotencyKey makes a create repeatable (docs/api.md): the use case
// replays the first result for the same user, key and body.
const HeaderIdempotencyKey = "Idempotency-Key"

// HeaderIdempotentReplayed marks a 201 that replays what the key made.
const HeaderIdempotentReplayed = "Idempotent-Replayed"

// handlers serves the support-request endpoints over the inbound port.
type handlers struct {
	desk ports.SupportDesk
	uc   UseCases
}

// target reads the primary context from the route parameter param. The id
// is copied (Fiber reuses the buffer behind it) and lower-cased, since ids
// are UUIDs, which are stored in lower case. An id that is not a UUID is
// passed on all the same: it matches nothing, and so gets the use case's
// one 404 for "does not exist".
func target(c *fiber.Ctx, typ support.ContextType, param string) support.PrimaryContext {
	return support.PrimaryContext{Type: typ, ID: strings.ToLower(strings.Clone(c.Params(param)))}
}

// create handles POST …/support-requests for the context typ. The body is
// checked before the use case runs, so its problems are reported the same
// way whether or not the target exists; it then authorizes, validates and
// creates in one call.
func (h handlers) create(typ support.ContextType, param string) fiber.Handler {
	return func(c *fiber.Ctx) error {
		if err := checkMediaType(c.Get(fiber.HeaderContentType), c.Get(fiber.HeaderContentEncoding)); err != nil {
			return err
		}
		// The raw body: Ctx.Body would inflate a compressed one.
		in, fields, err := decodeCreate(c.Request().Body())
		if err != nil {
			return err
		}
		if len(fields) > 0 {
			// Report the core's rules for the members that did decode too,
			// so one round trip shows every problem.
			_, verr := support.Validate(in)
			return invalidFields(mergeFields(fields, core.FieldsOf(verr)))
		}
		req, err := h.desk.Submit(c.UserContext(), ports.Submission{
			Actor:          actorOf(c),
			Target:         target(c, typ, param),
			Input:          in,
			Channel:        support.ChannelAPI,
			IdempotencyKey: strings.Clone(c.Get(HeaderIdempotencyKey)),
		})
		if err != nil {
			return err
		}
		if req.Replayed {
			c.Set(HeaderIdempotentReplayed, "true")
		}
		c.Location("/v1/support-requests/" + req.Reference().String())
		return sendJSON(c, http.StatusCreated, requestjson.NewCreated(req.Request))
	}
}

// preview handles GET …/support-requests/attachment-preview.
func (h handlers) preview(typ support.ContextType, param string) fiber.Handler {
	return func(c *fiber.Ctx) error {
		p, err := h.desk.Preview(c.UserContext(), actorOf(c), target(c, typ, param))
		if err != nil {
			return err
		}
		return sendJSON(c, http.StatusOK, toPreviewJSON(p))
	}
}

// diagnostics handles GET …/support-diagnostics: the use case's canonical
// bytes go out unchanged.
func (h handlers) diagnostics(typ support.ContextType, param string) fiber.Handler {
	return func(c *fiber.Ctx) error {
		body, err := h.desk.Diagnostics(c.UserContext(), actorOf(c), target(c, typ, param))
		if err != nil {
			return err
		}
		c.Set(fiber.HeaderContentType, fiber.MIMEApplicationJSON)
		return c.Status(http.StatusOK).Send(body)
	}
}

// get handles GET /v1/support-requests/:reference. A reference that is not
// well formed cannot name a request, so it gets the same 404 as an unknown
// one (not a 422): the answer never depends on what the caller guessed.
func (h handlers) get(c *fiber.Ctx) error {
	ref, err := reference.Parse(strings.Clone(c.Params("reference")))
	if err != nil {
		return support.ErrNotFound
	}
	req, err := h.desk.Get(c.UserContext(), actorOf(c), ref)
	if err != nil {
		return err
	}
	return sendJSON(c, http.StatusOK, requestjson.New(req, true))
}

// healthz reports that the process serves requests: liveness, which
// depends on nothing else, so that a database outage never gets the
// process restarted.
func healthz(c *fiber.Ctx) error {
	return sendJSON(c, http.StatusOK, map[string]string{"status": "ok"})
}

// readyTimeout bounds a readiness check: a probe wants a quick answer, and
// a database that takes longer is not ready.
const readyTimeout = 2 * time.Second

// errNotReady is the 503 for a check that failed without saying why in a
// caller-safe way.
var errNotReady = core.Errorf(core.KindUnavailable, "the service is not ready; retry later")

// readyz reports whether the service can serve requests now: whether
// ready, if any, passes. Its error is a 503 problem; its cause is logged.
func readyz(ready func(context.Context) error) fiber.Handler {
	return func(c *fiber.Ctx) error {
		if ready != nil {
			ctx, cancel := context.WithTimeout(c.UserContext(), readyTimeout)
			defer cancel()
			if err := ready(ctx); err != nil {
				if core.KindOf(err) != core.KindUnavailable {
					err = fmt.Errorf("%w: %w", errNotReady, err)
				}
				return err
			}
		}
		return sendJSON(c, http.StatusOK, map[string]string{"status": "ready"})
	}
}

//go:embed openapi.json
var openAPIDocument []byte

// OpenAPI returns the OpenAPI 3.1 document of the API, as GET
// /openapi.json serves it.
func OpenAPI() []byte { return bytes.Clone(openAPIDocument) }

// openAPI serves the embedded document unchanged.
func openAPI(c *fiber.Ctx) error {
	c.Set(fiber.HeaderContentType, fiber.MIMEApplicationJSON)
	return c.Status(http.StatusOK).Send(openAPIDocument)
}
