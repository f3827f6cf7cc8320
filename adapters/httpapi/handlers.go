package httpapi

import (
	"net/http"
	"strings"

	"github.com/gofiber/fiber/v2"

	"supportdesk/core"
	"supportdesk/core/reference"
	"supportdesk/core/support"
	"supportdesk/ports"
)

// HeaderIdempotencyKey makes a create repeatable (SPEC §8): the use case
// replays the first result for the same user, key and body.
const HeaderIdempotencyKey = "Idempotency-Key"

// handlers serves the support-request endpoints over the inbound port.
type handlers struct {
	desk ports.SupportDesk
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
		c.Location("/v1/support-requests/" + req.Reference().String())
		return sendJSON(c, http.StatusCreated, toCreatedJSON(req))
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
	return sendJSON(c, http.StatusOK, toRequestJSON(req))
}

// healthz reports that the process serves requests.
func healthz(c *fiber.Ctx) error {
	return sendJSON(c, http.StatusOK, map[string]string{"status": "ok"})
}
