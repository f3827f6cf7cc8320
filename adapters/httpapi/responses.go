package httpapi

import (
	"encoding/json"
	"fmt"
	"time"

	"github.com/gofiber/fiber/v2"

	"supportdesk/core/support"
	"supportdesk/ports"
)

// primaryContextJSON is where a request was made from.
type primaryContextJSON struct {
	Type string `json:"type"`
	ID   string `json:"id"`
}

// createdJSON is the 201 body of a create (SPEC §8).
type createdJSON struct {
	Reference      string             `json:"reference"`
	WorkspaceID    string             `json:"workspace_id"`
	TenantID       string             `json:"tenant_id"`
	PrimaryContext primaryContextJSON `json:"primary_context"`
	Severity       string             `json:"severity"`
	AttachmentMode string             `json:"attachment_mode"`
	ContextDigest  string             `json:"context_digest"`
	CreatedAt      string             `json:"created_at"`
}

// requestJSON is the whole record, as its creator reads it. Optional text
// the operator left out is null. Context holds the stored canonical bytes
// unchanged, so a client can check them against context_digest.
type requestJSON struct {
	createdJSON
	Summary           string          `json:"summary"`
	ReproductionNotes *string         `json:"reproduction_notes"`
	ContactName       *string         `json:"contact_name"`
	ContactEmail      *string         `json:"contact_email"`
	CreatedBy         string          `json:"created_by"`
	Context           json.RawMessage `json:"context"`
}

// previewJSON tells what a submission now would attach (SPEC §8).
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

func toCreatedJSON(r *support.Request) createdJSON {
	return createdJSON{
		Reference:      r.Reference().String(),
		WorkspaceID:    r.WorkspaceID(),
		TenantID:       r.TenantID(),
		PrimaryContext: primaryContextJSON{Type: string(r.PrimaryContext().Type), ID: r.PrimaryContext().ID},
		Severity:       string(r.Details().Severity),
		AttachmentMode: string(r.AttachmentMode()),
		ContextDigest:  r.ContextDigest(),
		CreatedAt:      r.CreatedAt().UTC().Format(time.RFC3339Nano),
	}
}

func toRequestJSON(r *support.Request) requestJSON {
	d := r.Details()
	return requestJSON{
		createdJSON:       toCreatedJSON(r),
		Summary:           d.Summary,
		ReproductionNotes: optional(d.ReproductionNotes),
		ContactName:       optional(d.ContactName),
		ContactEmail:      optional(d.ContactEmail),
		CreatedBy:         r.CreatedBy(),
		Context:           json.RawMessage(r.Context()),
	}
}

func toPreviewJSON(p ports.Preview) previewJSON {
	out := previewJSON{
		AttachmentMode: string(p.Mode),
		Reason:         optional(p.Reason),
		Included:       append([]string{}, p.Included...),
		Omitted:        make([]omissionJSON, len(p.Omitted)),
		ContextDigest:  p.ContextDigest,
	}
	for i, o := range p.Omitted {
		out.Omitted[i] = omissionJSON{Section: o.Section, Reason: o.Reason}
	}
	return out
}

func optional(s string) *string {
	if s == "" {
		return nil
	}
	return &s
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
