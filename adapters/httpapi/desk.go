package httpapi

import (
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

// UseCases are the inbound ports the API serves: tenant users' requests,
// their own lists, and the support desk.
type UseCases interface {
	ports.SupportDesk
	ports.Requester
	ports.Desk
}

// pageJSON is one page of requests, without their envelopes.
type pageJSON struct {
	Items      []requestjson.Request `json:"items"`
	NextCursor *string               `json:"next_cursor"`
}

func toPageJSON(p ports.Page) pageJSON {
	out := pageJSON{Items: make([]requestjson.Request, len(p.Requests)), NextCursor: requestjson.Optional(p.NextCursor)}
	for i, r := range p.Requests {
		out.Items[i] = requestjson.New(r, false)
	}
	return out
}

// deskRecordJSON is the whole request with the deliveries of its event.
type deskRecordJSON struct {
	requestjson.Request
	Deliveries []deliveryJSON `json:"deliveries"`
}

type deliveryJSON struct {
	ID            string  `json:"id"`
	Destination   string  `json:"destination"`
	State         string  `json:"state"`
	Attempts      int     `json:"attempts"`
	LastAttemptAt *string `json:"last_attempt_at"`
	NextAttemptAt *string `json:"next_attempt_at"`
	DeliveredAt   *string `json:"delivered_at"`
	LastError     *string `json:"last_error"`
}

func timeJSON(t *time.Time) *string {
	if t == nil {
		return nil
	}
	s := t.UTC().Format(time.RFC3339Nano)
	return &s
}

// queryLimit reads the limit parameter; absent is 0, the default.
func queryLimit(c *fiber.Ctx) (int, error) {
	raw := c.Query("limit")
	if raw == "" {
		return 0, nil
	}
	n := 0
	for _, r := range raw {
		if r < '0' || r > '9' || n > ports.MaxPageLimit {
			return 0, core.Invalid(core.FieldError{Field: "limit", Message: "must be between 1 and 200"})
		}
		n = n*10 + int(r-'0')
	}
	if n == 0 {
		return 0, core.Invalid(core.FieldError{Field: "limit", Message: "must be between 1 and 200"})
	}
	return n, nil
}

// ownList handles GET /v1/support-requests: the caller's own requests.
func (h handlers) ownList(c *fiber.Ctx) error {
	limit, err := queryLimit(c)
	if err != nil {
		return err
	}
	page, err := h.uc.OwnRequests(c.UserContext(), actorOf(c), strings.Clone(c.Query("cursor")), limit)
	if err != nil {
		return err
	}
	return sendJSON(c, http.StatusOK, toPageJSON(page))
}

// onlyAgents answers anyone who is not an active support agent as a path
// that does not exist: the support desk is not there for them.
func (h handlers) onlyAgents(c *fiber.Ctx) error {
	if _, err := h.uc.DeskAgent(c.UserContext(), actorOf(c)); err != nil {
		if core.KindOf(err) == core.KindNotFound {
			return fiber.NewError(fiber.StatusNotFound, "Cannot "+c.Method()+" "+c.Path())
		}
		return err
	}
	return c.Next()
}

// deskList handles GET /v1/support/requests.
func (h handlers) deskList(c *fiber.Ctx) error {
	limit, err := queryLimit(c)
	if err != nil {
		return err
	}
	f := ports.DeskFilter{
		WorkspaceID: strings.Clone(c.Query("workspace")),
		TenantID:    strings.Clone(c.Query("tenant")),
		Severity:    support.Severity(strings.Clone(c.Query("severity"))),
	}
	if raw := c.Query("since"); raw != "" {
		t, err := time.Parse(time.RFC3339Nano, raw)
		if err != nil {
			return core.Invalid(core.FieldError{Field: "since", Message: "must be an RFC 3339 time"})
		}
		f.Since = t
	}
	page, err := h.uc.DeskRequests(c.UserContext(), actorOf(c), f, strings.Clone(c.Query("cursor")), limit)
	if err != nil {
		return err
	}
	return sendJSON(c, http.StatusOK, toPageJSON(page))
}

// deskGet handles GET /v1/support/requests/{reference}: each answer is
// one support_request.viewed entry.
func (h handlers) deskGet(c *fiber.Ctx) error {
	ref, err := reference.Parse(strings.Clone(c.Params("reference")))
	if err != nil {
		return support.ErrNotFound
	}
	rec, err := h.uc.DeskRequest(c.UserContext(), actorOf(c), ref, support.ChannelAPI)
	if err != nil {
		return err
	}
	out := deskRecordJSON{Request: requestjson.New(rec.Request, true), Deliveries: make([]deliveryJSON, len(rec.Deliveries))}
	for i, d := range rec.Deliveries {
		out.Deliveries[i] = deliveryJSON{
			ID: d.ID, Destination: d.Destination, State: d.State, Attempts: d.Attempts,
			LastAttemptAt: timeJSON(d.LastAttemptAt), NextAttemptAt: timeJSON(d.NextAttemptAt),
			DeliveredAt: timeJSON(d.DeliveredAt), LastError: requestjson.Optional(d.LastError),
		}
	}
	return sendJSON(c, http.StatusOK, out)
}
