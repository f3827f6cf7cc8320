// Package requestjson is the JSON form of a support request, one for
// every exit that shows a whole request: the API's GET
// /v1/support-requests/{reference} and the CLI's request show --json and
// list --json, so that a script reads the same members from either.
package requestjson

import (
	"encoding/json"
	"time"

	"supportdesk/core/support"
)

// PrimaryContext is where a request was made from.
type PrimaryContext struct {
	Type string `json:"type"`
	ID   string `json:"id"`
}

// Created is what a create answers (201): the request without its text
// and envelope.
type Created struct {
	Reference      string         `json:"reference"`
	WorkspaceID    string         `json:"workspace_id"`
	TenantID       string         `json:"tenant_id"`
	PrimaryContext PrimaryContext `json:"primary_context"`
	Severity       string         `json:"severity"`
	AttachmentMode string         `json:"attachment_mode"`
	ContextDigest  string         `json:"context_digest"`
	CreatedAt      string         `json:"created_at"`
}

// Request is the whole record. Every member is always there, and optional
// text the operator left out is null. Context holds the stored canonical
// bytes unchanged, so that a reader can check them against
// context_digest; only a list, which leaves it out, has none.
type Request struct {
	Created
	Summary           string          `json:"summary"`
	ReproductionNotes *string         `json:"reproduction_notes"`
	ContactName       *string         `json:"contact_name"`
	ContactEmail      *string         `json:"contact_email"`
	CreatedBy         string          `json:"created_by"`
	Context           json.RawMessage `json:"context,omitempty"`
}

// NewCreated returns the 201 form of r.
func NewCreated(r *support.Request) Created {
	return Created{
		Reference:      r.Reference().String(),
		WorkspaceID:    r.WorkspaceID(),
		TenantID:       r.TenantID(),
		PrimaryContext: PrimaryContext{Type: string(r.PrimaryContext().Type), ID: r.PrimaryContext().ID},
		Severity:       string(r.Details().Severity),
		AttachmentMode: string(r.AttachmentMode()),
		ContextDigest:  r.ContextDigest(),
		CreatedAt:      r.CreatedAt().UTC().Format(time.RFC3339Nano),
	}
}

// New returns the whole form of r, with its envelope or, for a list,
// without.
func New(r *support.Request, withContext bool) Request {
	d := r.Details()
	out := Request{
		Created:           NewCreated(r),
		Summary:           d.Summary,
		ReproductionNotes: Optional(d.ReproductionNotes),
		ContactName:       Optional(d.ContactName),
		ContactEmail:      Optional(d.ContactEmail),
		CreatedBy:         r.CreatedBy(),
	}
	if withContext {
		out.Context = json.RawMessage(r.Context())
	}
	return out
}

// Optional is s, or null when it is empty.
func Optional(s string) *string {
	if s == "" {
		return nil
	}
	return &s
}
