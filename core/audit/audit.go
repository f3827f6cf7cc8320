// Package audit describes audit entries and the one that records a
// support request's creation (docs/security.md).
package audit

import (
	"time"

	"supportdesk/core/redact"
	"supportdesk/core/support"
)

// ActionSupportRequestCreated is the action recorded when a request is made.
const ActionSupportRequestCreated = "support_request.created"

// ActionSupportRequestViewed is the action recorded each time a support
// agent reads a whole request (docs/support-desk.md), so that its requester can see
// who from support looked at it.
const ActionSupportRequestViewed = "support_request.viewed"

// SubjectSupportRequest is the subject type of both entries.
const SubjectSupportRequest = "support_request"

// Entry is one append-only audit entry.
type Entry struct {
	ID          string
	WorkspaceID string
	// TenantID is empty for workspace-level entries.
	TenantID    string
	ActorID     string
	Action      string
	SubjectType string
	SubjectID   string
	// Metadata holds only the allowed values (docs/security.md), never
	// free text from the request or its context.
	Metadata   map[string]any
	OccurredAt time.Time
}

// Created returns the entry for the creation of r through channel ch.
func Created(id string, r *support.Request, ch support.Channel) Entry {
	return Entry{
		ID:          id,
		WorkspaceID: r.WorkspaceID(),
		TenantID:    r.TenantID(),
		ActorID:     r.CreatedBy(),
		Action:      ActionSupportRequestCreated,
		SubjectType: SubjectSupportRequest,
		SubjectID:   r.Reference().String(),
		Metadata: redacted(map[string]any{
			"reference":            r.Reference().String(),
			"severity":             string(r.Details().Severity),
			"primary_context_type": string(r.PrimaryContext().Type),
			"primary_context_id":   r.PrimaryContext().ID,
			"attachment_mode":      string(r.AttachmentMode()),
			"context_digest":       r.ContextDigest(),
			"channel":              string(ch),
		}),
		OccurredAt: r.CreatedAt(),
	}
}

// Viewed returns the entry for agentID reading r through channel ch at t.
func Viewed(id string, r *support.Request, agentID string, ch support.Channel, t time.Time) Entry {
	return Entry{
		ID:          id,
		WorkspaceID: r.WorkspaceID(),
		TenantID:    r.TenantID(),
		ActorID:     agentID,
		Action:      ActionSupportRequestViewed,
		SubjectType: SubjectSupportRequest,
		SubjectID:   r.Reference().String(),
		Metadata: redacted(map[string]any{
			"reference": r.Reference().String(),
			"channel":   string(ch),
		}),
		OccurredAt: t,
	}
}

// redacted sends metadata through the redaction policy, as every value
// leaving supportdesk goes: its values are ids and states, but the policy
// decides, not this list.
func redacted(m map[string]any) map[string]any {
	out, _ := redact.Value(m)
	return out.(map[string]any)
}
