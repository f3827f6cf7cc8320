// Package event describes the events supportdesk delivers to support
// (docs/delivery.md). Each is written to the outbox in the transaction that makes
// it happen and delivered after the commit, at least once; its id is what
// consumers deduplicate by.
package event

import (
	"time"

	"supportdesk/core/reference"
	"supportdesk/core/support"
)

// TypeSupportRequestCreated is the event of a request's creation.
const TypeSupportRequestCreated = "support_request.created"

// Event is one outbox event: what happened to which request, and when.
type Event struct {
	// ID is a fresh UUID, the event's identity on every destination.
	ID        string
	Type      string
	Reference reference.Reference
	// WorkspaceID routes the event (the NATS subject ends with it).
	WorkspaceID string
	OccurredAt  time.Time
}

// Created returns the event of r's creation, with the given id; it
// occurred when r was made.
func Created(id string, r *support.Request) Event {
	return Event{
		ID:          id,
		Type:        TypeSupportRequestCreated,
		Reference:   r.Reference(),
		WorkspaceID: r.WorkspaceID(),
		OccurredAt:  r.CreatedAt(),
	}
}
