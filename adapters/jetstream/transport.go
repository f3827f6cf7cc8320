package jetstream

import (
	"context"
	"time"

	"supportdesk/core/delivery"
	"supportdesk/core/event"
	"supportdesk/core/redact"
	"supportdesk/core/text"
	"supportdesk/ports"
)

// publishTimeout bounds one attempt: the stream's ack normally comes in
// milliseconds; a slow broker is retried with backoff instead.
const publishTimeout = 10 * time.Second

var _ ports.Transport = (*Publisher)(nil)

// Deliver implements ports.Transport: it publishes body on the subject of
// the event's workspace, with the event id as Nats-Msg-Id, so the stream
// drops a repeat. A duplicate the stream dropped is delivered.
func (p *Publisher) Deliver(ctx context.Context, _ string, ev event.Event, body []byte) ports.Attempt {
	subject, err := delivery.Subject(ev.WorkspaceID)
	if err != nil {
		return ports.Attempt{Permanent: true, Error: "the event has no valid subject"}
	}
	ctx, cancel := context.WithTimeout(ctx, publishTimeout)
	defer cancel()
	if _, err := p.Publish(ctx, subject, ev.ID, body); err != nil {
		msg, _ := redact.String(err.Error())
		return ports.Attempt{Permanent: !Retryable(err), Error: text.Clip(msg, ports.MaxAttemptError)}
	}
	return ports.Attempt{Delivered: true}
}
