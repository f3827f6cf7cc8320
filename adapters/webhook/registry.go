package webhook

import (
	"context"
	"fmt"
	"net"
	"time"

	"supportdesk/core"
	"supportdesk/ports"
)

// DefaultGrace is how long a rotated-out secret keeps signing beside the
// new one unless the operator says otherwise: a day for the receiver to
// switch to the new secret.
const DefaultGrace = 24 * time.Hour

// Registry is the webhook commands' side of the endpoints: it checks URLs,
// makes secrets and seals them in the Box before storage sees them.
type Registry struct {
	store ports.WebhookStore
	// box is nil when no key is configured: nothing can be sealed, so Add
	// and Rotate refuse, while List and Remove still work.
	box      *Box
	clock    ports.Clock
	ids      ports.IDs
	resolver *net.Resolver
}

var _ ports.WebhookAdmin = (*Registry)(nil)

// NewRegistry returns the registry of the endpoints in store, sealing
// secrets with box (nil when SUPPORTDESK_SECRET_KEY is not set), timing
// with clock and naming endpoints with ids. URLs are resolved with
// resolver, or net.DefaultResolver if nil.
func NewRegistry(store ports.WebhookStore, box *Box, clock ports.Clock, ids ports.IDs, resolver *net.Resolver) *Registry {
	return &Registry{store: store, box: box, clock: clock, ids: ids, resolver: resolver}
}

// errNoBox is what Add and Rotate return without a key.
var errNoBox = core.Wrap(core.KindUnavailable, ErrNoKey, ErrNoKey.Error())

// Add implements ports.WebhookAdmin. Nothing is stored when it fails.
func (r *Registry) Add(ctx context.Context, rawURL string, allowPrivate bool) (ports.WebhookInfo, string, error) {
	if r.box == nil {
		return ports.WebhookInfo{}, "", errNoBox
	}
	u, err := ValidateURL(ctx, rawURL, allowPrivate, r.resolver)
	if err != nil {
		return ports.WebhookInfo{}, "", core.Wrap(core.KindInvalid, err, err.Error())
	}
	id := r.ids.NewID()
	plain, sealed, err := r.newSecret(id)
	if err != nil {
		return ports.WebhookInfo{}, "", err
	}
	w := ports.Webhook{ID: id, URL: u.String(), AllowPrivate: allowPrivate, Secret: sealed, CreatedAt: r.clock.Now()}
	if err := r.store.AddWebhook(ctx, w); err != nil {
		return ports.WebhookInfo{}, "", fmt.Errorf("add webhook %s: %w", u.Redacted(), err)
	}
	return toInfo(w), plain, nil
}

// List implements ports.WebhookAdmin. A rotation's grace period that has
// ended is not shown.
func (r *Registry) List(ctx context.Context) ([]ports.WebhookInfo, error) {
	ws, err := r.store.Webhooks(ctx)
	if err != nil {
		return nil, fmt.Errorf("list webhooks: %w", err)
	}
	now := r.clock.Now()
	out := make([]ports.WebhookInfo, 0, len(ws))
	for _, w := range ws {
		info := toInfo(w)
		if info.PreviousUntil != nil && !info.PreviousUntil.After(now) {
			info.PreviousUntil = nil
		}
		out = append(out, info)
	}
	return out, nil
}

// Remove implements ports.WebhookAdmin.
func (r *Registry) Remove(ctx context.Context, id string) error {
	if err := r.store.RemoveWebhook(ctx, id, r.clock.Now()); err != nil {
		return fmt.Errorf("remove webhook %s: %w", id, err)
	}
	return nil
}

// Rotate implements ports.WebhookAdmin: the new secret signs at once, the
// old one beside it until grace has passed (DefaultGrace if grace is 0).
// A negative grace is KindInvalid; no key, KindUnavailable; an unknown
// endpoint, KindNotFound.
func (r *Registry) Rotate(ctx context.Context, id string, grace time.Duration) (ports.WebhookInfo, string, error) {
	switch {
	case grace < 0:
		return ports.WebhookInfo{}, "", core.Errorf(core.KindInvalid, "the grace period must not be negative, got %s", grace)
	case grace == 0:
		grace = DefaultGrace
	}
	if r.box == nil {
		return ports.WebhookInfo{}, "", errNoBox
	}
	plain, sealed, err := r.newSecret(id)
	if err != nil {
		return ports.WebhookInfo{}, "", err
	}
	if err := r.store.RotateWebhook(ctx, id, sealed, r.clock.Now().Add(grace)); err != nil {
		return ports.WebhookInfo{}, "", fmt.Errorf("rotate webhook %s: %w", id, err)
	}
	w, err := r.store.Webhook(ctx, id)
	if err != nil {
		return ports.WebhookInfo{}, "", fmt.Errorf("rotate webhook %s: %w", id, err)
	}
	return toInfo(w), plain, nil
}

// Reseal implements ports.WebhookAdmin: each endpoint's secret, and the
// previous one while its grace lasts, opened with whichever configured key
// sealed it and sealed anew under the current key. Removed endpoints, and
// previous secrets past their grace, are left as they are: nothing opens
// them again.
func (r *Registry) Reseal(ctx context.Context) (ports.Resealed, error) {
	if r.box == nil {
		return ports.Resealed{}, errNoBox
	}
	ws, err := r.store.Webhooks(ctx)
	if err != nil {
		return ports.Resealed{}, fmt.Errorf("reseal webhook secrets: %w", err)
	}
	done, now := ports.Resealed{KeyID: r.box.KeyID()}, r.clock.Now()
	for _, w := range ws {
		resealed, changed := w, false
		secrets := []*string{&resealed.Secret}
		if w.PreviousSecret != "" && w.PreviousUntil != nil && w.PreviousUntil.After(now) {
			secrets = append(secrets, &resealed.PreviousSecret)
		}
		for _, s := range secrets {
			out, ch, err := r.box.Reseal(*s, w.ID)
			if err != nil {
				return done, fmt.Errorf("reseal the secrets of webhook %s: %w", w.ID, err)
			}
			*s, changed = out, changed || ch
		}
		if !changed {
			done.Current++
			continue
		}
		ok, err := r.store.ResealWebhook(ctx, w, resealed)
		switch {
		case err != nil:
			return done, fmt.Errorf("reseal the secrets of webhook %s: %w", w.ID, err)
		case ok:
			done.Resealed++
		default:
			done.Changed++
		}
	}
	return done, nil
}

// newSecret makes a secret for the endpoint id and returns its whsec_
// form, and the secret sealed for id (SealSecret), as the relay's
// Transport opens it.
func (r *Registry) newSecret(id string) (plain, sealed string, err error) {
	s, err := NewSecret()
	if err != nil {
		return "", "", err
	}
	sealed, err = SealSecret(r.box, id, s)
	if err != nil {
		return "", "", fmt.Errorf("webhook %s: %w", id, err)
	}
	return s.Encode(), sealed, nil
}

func toInfo(w ports.Webhook) ports.WebhookInfo {
	return ports.WebhookInfo{ID: w.ID, URL: w.URL, AllowPrivate: w.AllowPrivate, CreatedAt: w.CreatedAt, PreviousUntil: w.PreviousUntil}
}
