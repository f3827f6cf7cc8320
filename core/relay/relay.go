// Package relay delivers outbox events to where support works (docs/delivery.md):
// each serve process runs one relay; relays share the work through the
// outbox's leases, so an event reaches every destination at least once
// and no attempt is sent twice at the same time.
package relay

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"sync"
	"time"

	"supportdesk/core/delivery"
	"supportdesk/core/event"
	"supportdesk/ports"
)

// Defaults of Config.
const (
	// DefaultLease covers a whole round — one wave of attempts, each
	// bounded by its transport's timeout (15 s for a webhook) — with room
	// to spare; it is also how long the deliveries of a relay that crashed
	// wait for another one.
	DefaultLease = 30 * time.Second
	// DefaultPoll is how long an idle relay waits when nothing wakes it.
	DefaultPoll = 5 * time.Second
	// DefaultBatch is how many deliveries one round claims: one wave.
	DefaultBatch = 16
	// DefaultGather is how long a woken relay waits before its round, so
	// that the events of a burst of requests go in one round rather than
	// one round each: a round costs several statements, a request three.
	DefaultGather = 50 * time.Millisecond
	// DefaultWorkers is how many attempts run at once.
	DefaultWorkers = 16
	// fanOutBatch is how many events one fan-out transaction takes.
	fanOutBatch = 200
	// releaseTimeout bounds giving the leases back when the relay stops.
	releaseTimeout = 5 * time.Second
)

// Results of an attempt, as Config.Observe is told them.
const (
	ResultDelivered = "delivered"
	ResultFailed    = "failed"
	ResultDead      = "dead"
)

// Config is what a relay works with. Outbox, Webhooks, Requests,
// Directory, Webhook, Clock and Owner are required.
type Config struct {
	Outbox    ports.Outbox
	Webhooks  ports.WebhookStore
	Requests  ports.SupportRequestRepository
	Directory ports.Directory
	// NATS delivers to the stream; nil when no NATS URL is configured,
	// and then events get no NATS delivery.
	NATS ports.Transport
	// Webhook delivers to the registered endpoints.
	Webhook ports.Transport
	// Wakeups, if set, wakes the relay when events are written.
	Wakeups ports.Wakeups
	Clock   ports.Clock
	// Policy is the retry schedule; delivery.DefaultPolicy if zero.
	Policy delivery.Policy
	// Random draws the jitter; delivery.SystemRandom if nil.
	Random delivery.Random
	// Owner names this relay in the leases it takes: unique per process.
	Owner string
	// Lease, Poll, Gather, Batch and Workers default to the constants
	// above.
	Lease   time.Duration
	Poll    time.Duration
	Gather  time.Duration
	Batch   int
	Workers int
	// Log receives what goes wrong; nothing is logged if nil.
	Log *slog.Logger
	// Observe, if set, is told the kind of destination ("nats" or
	// "webhook") and the result of every attempt.
	Observe func(destination, result string)
}

// Relay runs the rounds of one process.
type Relay struct{ cfg Config }

// New returns a relay for cfg, or an error naming what it lacks.
func New(cfg Config) (*Relay, error) {
	switch {
	case cfg.Outbox == nil, cfg.Webhooks == nil, cfg.Requests == nil, cfg.Directory == nil, cfg.Webhook == nil, cfg.Clock == nil:
		return nil, errors.New("relay: outbox, webhooks, requests, directory, webhook transport and clock are required")
	case cfg.Owner == "":
		return nil, errors.New("relay: no owner name")
	}
	if cfg.Policy == (delivery.Policy{}) {
		cfg.Policy = delivery.DefaultPolicy
	}
	if err := cfg.Policy.Validate(); err != nil {
		return nil, fmt.Errorf("relay: %w", err)
	}
	if cfg.Random == nil {
		cfg.Random = delivery.SystemRandom
	}
	if cfg.Log == nil {
		cfg.Log = slog.New(slog.DiscardHandler)
	}
	setDefault(&cfg.Lease, DefaultLease)
	setDefault(&cfg.Poll, DefaultPoll)
	setDefault(&cfg.Gather, DefaultGather)
	setDefault(&cfg.Batch, DefaultBatch)
	setDefault(&cfg.Workers, DefaultWorkers)
	return &Relay{cfg: cfg}, nil
}

func setDefault[T time.Duration | int](v *T, d T) {
	if *v <= 0 {
		*v = d
	}
}

// Run makes rounds until ctx ends: at once after a round that found a
// full batch, otherwise when woken (after gathering what else arrives for
// a moment), when the next delivery falls due or after the poll interval.
// When ctx ends, the round in progress finishes (each attempt is bounded by
// its transport's timeout) and the relay gives back the leases it still
// holds.
func (r *Relay) Run(ctx context.Context) {
	var wake <-chan struct{}
	if r.cfg.Wakeups != nil {
		wake = r.cfg.Wakeups.Wakeups(ctx)
	}
	work := context.WithoutCancel(ctx)
	defer r.release(work)
	for ctx.Err() == nil {
		n, err := r.round(work)
		if err != nil {
			r.cfg.Log.Warn("delivery round failed; retrying", "error", err)
		}
		if err == nil && n >= r.cfg.Batch {
			continue
		}
		r.wait(ctx, wake)
	}
}

// wait returns when the next round is due.
func (r *Relay) wait(ctx context.Context, wake <-chan struct{}) {
	timer := time.NewTimer(r.idle(ctx))
	defer timer.Stop()
	select {
	case <-ctx.Done():
		return
	case <-timer.C:
		return
	case <-wake:
	}
	gather := time.NewTimer(r.cfg.Gather)
	defer gather.Stop()
	select {
	case <-ctx.Done():
	case <-gather.C:
	}
	select {
	case <-wake: // what came while gathering is in this round
	default:
	}
}

// round is one Step that never outlives its leases.
func (r *Relay) round(ctx context.Context) (int, error) {
	ctx, cancel := context.WithTimeout(ctx, r.cfg.Lease)
	defer cancel()
	return r.Step(ctx)
}

// idle is how long to wait for the next round: until the soonest due
// delivery, at most the poll interval.
func (r *Relay) idle(ctx context.Context) time.Duration {
	wait := r.cfg.Poll
	due, ok, err := r.cfg.Outbox.NextDue(ctx)
	if err == nil && ok {
		wait = min(wait, max(due.Sub(r.cfg.Clock.Now()), 0))
	}
	return wait
}

func (r *Relay) release(ctx context.Context) {
	ctx, cancel := context.WithTimeout(ctx, releaseTimeout)
	defer cancel()
	if err := r.cfg.Outbox.Release(ctx, r.cfg.Owner); err != nil {
		r.cfg.Log.Warn("release delivery leases; they expire by themselves", "error", err)
	}
}

// Step makes one round at the relay's clock: new events become one
// delivery per destination, then the due deliveries are claimed, each
// attempted once and its outcome recorded. It returns how many
// deliveries it claimed.
func (r *Relay) Step(ctx context.Context) (int, error) {
	if err := r.fanOut(ctx); err != nil {
		return 0, err
	}
	now := r.cfg.Clock.Now()
	claimed, err := r.cfg.Outbox.Claim(ctx, r.cfg.Owner, now, now.Add(r.cfg.Lease), r.cfg.Batch)
	if err != nil {
		return 0, fmt.Errorf("claim deliveries: %w", err)
	}
	bodies := &bodies{r: r, byEvent: map[string]*body{}}
	sem := make(chan struct{}, r.cfg.Workers)
	var wg sync.WaitGroup
	for _, d := range claimed {
		sem <- struct{}{}
		wg.Go(func() {
			defer func() { <-sem }()
			r.attempt(ctx, d, bodies)
		})
	}
	wg.Wait()
	return len(claimed), nil
}

// fanOut turns every event not fanned out yet into its deliveries. The
// destinations are those of this moment: an endpoint added later gets
// the events that occur after it was added.
func (r *Relay) fanOut(ctx context.Context) error {
	dests, err := r.destinations(ctx)
	if err != nil {
		return err
	}
	for {
		n, err := r.cfg.Outbox.FanOut(ctx, r.cfg.Clock.Now(), dests, fanOutBatch)
		if err != nil {
			return fmt.Errorf("fan out events: %w", err)
		}
		if n < fanOutBatch {
			return nil
		}
	}
}

func (r *Relay) destinations(ctx context.Context) ([]string, error) {
	hooks, err := r.cfg.Webhooks.Webhooks(ctx)
	if err != nil {
		return nil, fmt.Errorf("list webhooks: %w", err)
	}
	var dests []string
	if r.cfg.NATS != nil {
		dests = append(dests, ports.DestinationNATS)
	}
	for _, w := range hooks {
		dests = append(dests, ports.WebhookDestination(w.ID))
	}
	return dests, nil
}

// attempt delivers d once and records the outcome. When the event's body
// cannot be read (the database is away), nothing is recorded: the lease
// expires and the delivery is attempted again.
func (r *Relay) attempt(ctx context.Context, d ports.Delivery, bodies *bodies) {
	b, err := bodies.of(ctx, d.Event)
	if err != nil && !errors.Is(err, errBadEvent) {
		r.cfg.Log.Warn("read the event to deliver; it will be tried again", "delivery", d.ID, "error", err)
		return
	}
	kind, t := r.transport(d.Destination)
	var a ports.Attempt
	switch {
	case err != nil:
		r.cfg.Log.Error("event body", "delivery", d.ID, "error", err)
		a = ports.Attempt{Permanent: true, Error: "the event body could not be built"}
	case t == nil && kind == ports.DestinationNATS:
		a = ports.Attempt{Error: "NATS is not configured on this instance"}
	case t == nil:
		a = ports.Attempt{Permanent: true, Error: "unknown destination"}
	default:
		a = t.Deliver(ctx, d.Destination, d.Event, b)
	}
	o := r.outcome(d, a)
	if err := r.cfg.Outbox.Record(ctx, r.cfg.Owner, d, o); err != nil {
		// The attempt was made; if another relay took the lease over, it
		// will be made again: at least once, as promised.
		r.cfg.Log.Warn("record delivery attempt", "delivery", d.ID, "error", err)
		return
	}
	if r.cfg.Observe != nil {
		r.cfg.Observe(kind, resultOf(o))
	}
}

func (r *Relay) transport(destination string) (string, ports.Transport) {
	if destination == ports.DestinationNATS {
		return ports.DestinationNATS, r.cfg.NATS
	}
	if _, ok := ports.WebhookOf(destination); ok {
		return "webhook", r.cfg.Webhook
	}
	return "unknown", nil
}

// outcome applies the retry policy to an attempt of d.
func (r *Relay) outcome(d ports.Delivery, a ports.Attempt) ports.Outcome {
	now := r.cfg.Clock.Now()
	o := ports.Outcome{At: now, Delivered: a.Delivered, Status: a.Status, Error: a.Error}
	switch {
	case a.Delivered:
	case a.Permanent:
		o.Dead = true
	default:
		first := now
		if d.FirstAttemptAt != nil {
			first = *d.FirstAttemptAt
		}
		o.Next, o.Dead = r.cfg.Policy.Next(d.Attempts+1, first, now, a.RetryAfter, r.cfg.Random)
	}
	return o
}

func resultOf(o ports.Outcome) string {
	switch {
	case o.Delivered:
		return ResultDelivered
	case o.Dead:
		return ResultDead
	}
	return ResultFailed
}

// bodies builds each event's body once per round, however many
// destinations it goes to.
type bodies struct {
	r       *Relay
	mu      sync.Mutex
	byEvent map[string]*body
}

type body struct {
	once  sync.Once
	bytes []byte
	err   error
}

func (bs *bodies) of(ctx context.Context, ev event.Event) ([]byte, error) {
	bs.mu.Lock()
	b, ok := bs.byEvent[ev.ID]
	if !ok {
		b = &body{}
		bs.byEvent[ev.ID] = b
	}
	bs.mu.Unlock()
	b.once.Do(func() { b.bytes, b.err = bs.r.body(ctx, ev) })
	return b.bytes, b.err
}

// body is the canonical event body of ev: the request as stored, and its
// creator as the directory names them now.
func (r *Relay) body(ctx context.Context, ev event.Event) ([]byte, error) {
	req, err := r.cfg.Requests.Get(ctx, ev.Reference)
	if err != nil {
		return nil, fmt.Errorf("read %s: %w", ev.Reference, err)
	}
	names, err := r.cfg.Directory.Names(ctx, nil, []string{req.CreatedBy()})
	if err != nil {
		return nil, fmt.Errorf("name the creator of %s: %w", ev.Reference, err)
	}
	u := names.Users[req.CreatedBy()]
	b, err := delivery.Body(ev.ID, ev.OccurredAt, req, delivery.Creator{ID: req.CreatedBy(), Name: u.Name, Email: u.Email})
	if err != nil {
		return nil, fmt.Errorf("%w of %s: %w", errBadEvent, ev.Reference, err)
	}
	return b, nil
}

// errBadEvent marks a stored event no attempt can deliver: its body
// cannot be made, now or later.
var errBadEvent = errors.New("event body")
