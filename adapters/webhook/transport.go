package webhook

import (
	"context"
	"fmt"
	"time"

	"supportdesk/core"
	"supportdesk/core/event"
	"supportdesk/ports"
)

// SealSecret seals s for the endpoint with this id: its whsec_ form,
// bound to the id, so the sealed value opens for that endpoint only.
func SealSecret(b *Box, endpointID string, s Secret) (string, error) {
	return b.Seal([]byte(s.Encode()), endpointID)
}

// OpenSecret opens what SealSecret sealed for the endpoint with this id.
func OpenSecret(b *Box, endpointID, sealed string) (Secret, error) {
	plain, err := b.Open(sealed, endpointID)
	if err != nil {
		return Secret{}, err
	}
	return ParseSecret(string(plain))
}

// Transport delivers events to the registered endpoints: it reads the
// endpoint, opens its secrets and makes one signed attempt with Sender.
type Transport struct {
	store  ports.WebhookStore
	box    *Box // nil when no key is configured: nothing can be signed
	sender *Sender
	now    func() time.Time
}

var _ ports.Transport = (*Transport)(nil)

// NewTransport returns the webhook transport. box may be nil (no
// SUPPORTDESK_SECRET_KEY): attempts then fail, and are retried, until an
// instance with the key makes them.
func NewTransport(store ports.WebhookStore, box *Box, sender *Sender, now func() time.Time) *Transport {
	if now == nil {
		now = time.Now
	}
	return &Transport{store: store, box: box, sender: sender, now: now}
}

// Deliver implements ports.Transport for a webhook destination.
func (t *Transport) Deliver(ctx context.Context, destination string, ev event.Event, body []byte) ports.Attempt {
	id, ok := ports.WebhookOf(destination)
	if !ok {
		return ports.Attempt{Permanent: true, Error: "not a webhook destination"}
	}
	w, err := t.store.Webhook(ctx, id)
	switch {
	case core.KindOf(err) == core.KindNotFound:
		return ports.Attempt{Permanent: true, Error: "the endpoint was removed"}
	case err != nil:
		return ports.Attempt{Error: "could not read the endpoint"}
	case t.box == nil:
		return ports.Attempt{Error: KeyEnv + " is not set on this instance: cannot sign"}
	}
	secrets, err := t.secrets(w)
	if err != nil {
		return ports.Attempt{Error: err.Error()}
	}
	r := t.sender.Send(ctx, Endpoint{URL: w.URL, AllowPrivate: w.AllowPrivate, Secrets: secrets}, ev.ID, body)
	return ports.Attempt{Delivered: r.Delivered, Status: r.Status, Error: r.Error, RetryAfter: r.RetryAfter}
}

// secrets are the endpoint's current secret and, within a rotation's
// grace period, the previous one.
func (t *Transport) secrets(w ports.Webhook) ([]Secret, error) {
	current, err := OpenSecret(t.box, w.ID, w.Secret)
	if err != nil {
		// Open's errors name the key id and variables, never the secret.
		return nil, fmt.Errorf("open the endpoint secret: %w", err)
	}
	out := []Secret{current}
	if w.PreviousSecret != "" && w.PreviousUntil != nil && t.now().Before(*w.PreviousUntil) {
		prev, err := OpenSecret(t.box, w.ID, w.PreviousSecret)
		if err != nil {
			return nil, fmt.Errorf("open the endpoint's previous secret: %w", err)
		}
		out = append(out, prev)
	}
	return out, nil
}
