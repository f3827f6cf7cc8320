package bootstrap

import (
	"fmt"
	"log/slog"
	"os"

	"github.com/google/uuid"
	"go.uber.org/fx"

	"supportdesk/adapters/gormstore"
	"supportdesk/adapters/jetstream"
	"supportdesk/adapters/metrics"
	"supportdesk/adapters/system"
	"supportdesk/adapters/webhook"
	"supportdesk/core/relay"
	"supportdesk/ports"
)

// Delivery runs, in a serving process, the relay that delivers every
// outbox event to the NATS stream (with SUPPORTDESK_NATS_URL) and to the
// registered webhooks, and the metrics of the outbox. A broker or
// endpoint that is down never stops the server: its deliveries wait.
func Delivery() fx.Option {
	return fx.Module("delivery", fx.Invoke(runRelay))
}

type relayDeps struct {
	fx.In
	LC        fx.Lifecycle
	Config    Config
	DB        *gormstore.DB
	Requests  ports.SupportRequestRepository
	Directory ports.Directory
	Webhooks  ports.WebhookStore
	// Box is nil without SUPPORTDESK_SECRET_KEY; then no endpoint can have
	// been added, and attempts to one say the key is missing.
	Box        *webhook.Box
	Deliveries ports.Deliveries
	Metrics    *metrics.Metrics
	Log        *slog.Logger
}

func runRelay(d relayDeps) error {
	log := d.Log.With("component", "relay")
	cfg := relay.Config{
		Outbox:    gormstore.NewOutbox(d.DB),
		Webhooks:  d.Webhooks,
		Requests:  d.Requests,
		Directory: d.Directory,
		Webhook:   webhook.NewTransport(d.Webhooks, d.Box, webhook.NewSender(0, nil), nil),
		Wakeups:   gormstore.NewWakeups(d.DB, log),
		Clock:     system.Clock{},
		Owner:     relayOwner(),
		Log:       log,
		Observe:   d.Metrics.ObserveDelivery,
	}
	if d.Config.NATSURL != "" {
		p, err := jetstream.Connect(jetstream.Config{URL: d.Config.NATSURL, Log: log})
		if err != nil {
			return err
		}
		d.LC.Append(fx.StopHook(p.Close))
		cfg.NATS = p
	}
	r, err := relay.New(cfg)
	if err != nil {
		return err
	}
	d.Metrics.WatchDeliveries(d.Deliveries, system.Clock{}.Now)
	// On stop the round in flight finishes and the leases are given back;
	// if the stop's deadline comes first, the leases expire by themselves.
	runInBackground(d.LC, r.Run)
	return nil
}

// relayOwner names this process's relay in its leases: host, pid and a
// random part, unique across restarts and instances.
func relayOwner() string {
	host, _ := os.Hostname()
	return fmt.Sprintf("%s/%d/%s", host, os.Getpid(), uuid.NewString()[:8])
}
