package ports

import (
	"context"
	"errors"
	"strings"
	"time"

	"supportdesk/core/event"
)

// DestinationNATS is the destination of the NATS JetStream stream; a
// webhook's is WebhookDestination of its id.
const DestinationNATS = "nats"

// webhookDestinationPrefix starts the destination of every webhook.
const webhookDestinationPrefix = "webhook:"

// WebhookDestination returns the destination of the webhook with this id.
func WebhookDestination(id string) string { return webhookDestinationPrefix + id }

// WebhookOf returns the webhook id of a webhook destination, and false
// for any other destination.
func WebhookOf(destination string) (string, bool) {
	id, ok := strings.CutPrefix(destination, webhookDestinationPrefix)
	return id, ok && id != ""
}

// ErrLeaseLost is returned (wrapped) by Outbox.Record when the relay's
// lease on the delivery expired and another relay may have taken it.
var ErrLeaseLost = errors.New("the delivery's lease was lost")

// Webhook is one registered endpoint, as storage keeps it: its secrets
// sealed (encrypted at rest), never in clear.
type Webhook struct {
	ID           string
	URL          string
	AllowPrivate bool
	// Secret is the current secret, sealed.
	Secret string
	// PreviousSecret is the sealed secret a rotation replaced; it signs
	// beside Secret until PreviousUntil. Empty when none.
	PreviousSecret string
	PreviousUntil  *time.Time
	CreatedAt      time.Time
}

// WebhookStore keeps the webhook endpoints. Removed endpoints are kept
// (their deliveries name them) but no longer listed or delivered to.
type WebhookStore interface {
	// AddWebhook stores a new endpoint.
	AddWebhook(ctx context.Context, w Webhook) error
	// Webhooks lists the endpoints not removed, oldest first.
	Webhooks(ctx context.Context) ([]Webhook, error)
	// Webhook returns the endpoint with this id unless it was removed;
	// otherwise a KindNotFound error.
	Webhook(ctx context.Context, id string) (Webhook, error)
	// RemoveWebhook marks the endpoint removed at at; KindNotFound if it
	// does not exist or was removed already.
	RemoveWebhook(ctx context.Context, id string, at time.Time) error
	// RotateWebhook replaces the endpoint's secret with secret, keeping
	// the one it replaces as the previous secret until until (a
	// KindNotFound error if the endpoint is not there).
	RotateWebhook(ctx context.Context, id, secret string, until time.Time) error
	// ResealWebhook replaces the sealed secrets of the endpoint old.ID with
	// those of resealed (the same secrets sealed anew) if they are still
	// old's. It returns false, changing nothing, if they changed meanwhile
	// (a rotation) or the endpoint was removed.
	ResealWebhook(ctx context.Context, old, resealed Webhook) (bool, error)
}

// WebhookAdmin is the inbound port of the webhook commands: it makes and
// seals secrets and checks URLs, which storage does not.
type WebhookAdmin interface {
	// Add registers url (refusing loopback, private and link-local targets
	// unless allowPrivate) and returns the endpoint and its secret in its
	// whsec_ form, shown once. Errors: KindInvalid for a bad or refused
	// URL, KindUnavailable when no secret key is configured.
	Add(ctx context.Context, url string, allowPrivate bool) (WebhookInfo, string, error)
	// List returns the endpoints not removed, oldest first.
	List(ctx context.Context) ([]WebhookInfo, error)
	// Remove stops deliveries to the endpoint (KindNotFound if unknown).
	Remove(ctx context.Context, id string) error
	// Rotate gives the endpoint a new secret, returned once; the old one
	// keeps signing beside it for grace.
	Rotate(ctx context.Context, id string, grace time.Duration) (WebhookInfo, string, error)
	// Reseal seals every endpoint's secrets anew under the current secret
	// key, after the key was rotated. Errors: KindUnavailable when no key
	// is configured; an error naming the endpoint whose secret no key
	// configured opens.
	Reseal(ctx context.Context) (Resealed, error)
}

// Resealed is what Reseal did.
type Resealed struct {
	// KeyID names the current key, as sealed values do.
	KeyID string
	// Resealed counts the endpoints whose secrets were sealed under another
	// key and now are under the current one; Current, those already were.
	Resealed, Current int
	// Changed counts the endpoints rotated or removed while Reseal ran,
	// left as they were: run it again.
	Changed int
}

// WebhookInfo is what an operator sees of an endpoint: never a secret.
type WebhookInfo struct {
	ID           string
	URL          string
	AllowPrivate bool
	CreatedAt    time.Time
	// PreviousUntil is when a rotation's old secret stops signing; nil
	// when no rotation is in its grace period.
	PreviousUntil *time.Time
}

// Delivery is one delivery a relay claimed: an event to one destination.
type Delivery struct {
	ID          string
	Event       event.Event
	Destination string
	// Attempts made before this one.
	Attempts int
	// FirstAttemptAt is when the first attempt was made; nil before it.
	FirstAttemptAt *time.Time
}

// Outcome is the result of one attempt of a delivery.
type Outcome struct {
	At        time.Time
	Delivered bool
	// Status is the HTTP status of a webhook's answer, 0 if none.
	Status int
	// Error says briefly why the attempt failed, redacted.
	Error string
	// Dead ends the delivery; otherwise a failed one is tried again at Next.
	Dead bool
	Next time.Time
}

// Outbox is the relay's side of the outbox: events become deliveries, one
// per destination, which relays claim under leases, attempt and record.
// Leases make several relays (one per serve process) share the work: a
// claimed delivery is no one else's until its lease expires, so no
// attempt is sent twice at once, and one whose relay crashed is taken
// over after the expiry.
type Outbox interface {
	// FanOut makes, for up to limit events not yet fanned out (oldest
	// first), one delivery per destination, due at now, and marks them
	// fanned out; it returns how many events it took. Relays fanning out
	// at once take different events.
	FanOut(ctx context.Context, now time.Time, destinations []string, limit int) (int, error)
	// Claim leases up to limit deliveries due at now — neither delivered
	// nor dead, and not leased by anyone until after now — to owner until
	// until, soonest due first.
	Claim(ctx context.Context, owner string, now, until time.Time, limit int) ([]Delivery, error)
	// Record stores the outcome of an attempt of d and ends owner's lease.
	// It returns ErrLeaseLost (wrapped) if owner no longer holds the lease.
	Record(ctx context.Context, owner string, d Delivery, o Outcome) error
	// Release ends every lease owner holds, without an attempt: the
	// deliveries are due again at once, for another relay.
	Release(ctx context.Context, owner string) error
	// NextDue returns when the soonest delivery not leased falls due, and
	// false if none is pending.
	NextDue(ctx context.Context) (time.Time, bool, error)
}

// DeliveryFilter selects deliveries for the operator.
type DeliveryFilter struct {
	// Dead selects the dead deliveries only.
	Dead bool
	// Reference selects the deliveries of one request's event.
	Reference string
	// Limit bounds the list as ListFilter's does.
	Limit int
}

// DeliveryListing is one delivery as the operator lists it.
type DeliveryListing struct {
	DeliveryStatus
	EventID   string
	Reference string
}

// DeliveryStats are the figures of the metrics.
type DeliveryStats struct {
	// OldestPending is when the oldest event not yet delivered to every
	// destination (dead deliveries aside) occurred; nil when none is.
	OldestPending *time.Time
	// Pending counts deliveries neither delivered nor dead, plus events
	// not yet fanned out.
	Pending int
	// Dead counts dead deliveries.
	Dead int
}

// Deliveries is the operator's view of the deliveries.
type Deliveries interface {
	DeliveryLog
	// List returns deliveries newest first.
	List(ctx context.Context, f DeliveryFilter) ([]DeliveryListing, error)
	// Retry makes a dead or pending delivery due at now, a dead one with
	// a fresh retry schedule. Errors: KindNotFound, KindConflict for a
	// delivered one.
	Retry(ctx context.Context, id string, now time.Time) error
	// Stats returns the figures of the metrics.
	Stats(ctx context.Context) (DeliveryStats, error)
}

// Transport makes attempts to deliver event bodies to one kind of
// destination: the NATS stream, or webhooks.
type Transport interface {
	// Deliver makes one attempt to deliver body, the canonical JSON of ev,
	// to destination. It waits no longer than ctx allows.
	Deliver(ctx context.Context, destination string, ev event.Event, body []byte) Attempt
}

// Attempt is what one delivery attempt came to.
type Attempt struct {
	Delivered bool
	// Status is a webhook's HTTP status, 0 if none came.
	Status int
	// Error says briefly why it failed, with nothing secret in it, in at
	// most MaxAttemptError bytes.
	Error string
	// RetryAfter is the destination's own advice, 0 if none.
	RetryAfter time.Duration
	// Permanent failures (a removed endpoint, a message the stream can
	// never take) make the delivery dead at once.
	Permanent bool
}

// MaxAttemptError bounds Attempt.Error, which is stored and shown.
const MaxAttemptError = 200

// Wakeups tell a relay that events were written, so it need not wait for
// its next poll: a PostgreSQL LISTEN, or a signal within the process on
// SQLite. A wakeup may be lost or come for nothing; the relay polls too.
type Wakeups interface {
	// Wakeups returns a channel that receives soon after a transaction
	// writes outbox events, until ctx ends.
	Wakeups(ctx context.Context) <-chan struct{}
}
