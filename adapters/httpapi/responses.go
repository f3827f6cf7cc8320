package httpapi

import (
	"fmt"

	"github.com/gofiber/fiber/v2"

	"supportdesk/adapters/requestjson"
	"supportdesk/ports"
)

// previewJSON tells what a submission now would attach (docs/api.md).
type previewJSON struct {
	AttachmentMode string         `json:"attachment_mode"`
	Reason         *string        `json:"reason"`
	Included       []string       `json:"included"`
	Omitted        []omissionJSON `json:"omitted"`
	ContextDigest  string         `json:"context_digest"`
}

type omissionJSON struct {
	Section string `json:"section"`
	Reason  string `json:"reason"`
}

func toPreviewJSON(p ports.Preview) previewJSON {
	out := previewJSON{
		AttachmentMode: string(p.Mode),
		Reason:         requestjson.Optional(p.Reason),
		Included:       append([]string{}, p.Included...),
		Omitted:        make([]omissionJSON, len(p.Omitted)),
		ContextDigest:  p.ContextDigest,
	}
	for i, o := range p.Omitted {
		out.Omitted[i] = omissionJSON{Section: o.Section, Reason: o.Reason}
	}
	return out
}

// sendJSON answers with v as application/json and status.
func sendJSON(c *fiber.Ctx, status int, v any) error {
	body, err := encodeJSON(v)
	if err != nil {
		return fmt.Errorf("encode response: %w", err)
	}
	c.Status(status)
	c.Set(fiber.HeaderContentType, fiber.MIMEApplicationJSON)
	return c.Send(body)
}
