package bootstrap

import (
	"context"
	"errors"
	"os"

	"go.uber.org/fx"

	"supportdesk/adapters/cli"
	"supportdesk/adapters/webhook"
	"supportdesk/core"
	"supportdesk/ports"
)

// Webhooks provides the registry of webhook endpoints, which seals their
// secrets with the key of SUPPORTDESK_SECRET_KEY.
func Webhooks() fx.Option {
	return fx.Module("webhook",
		fx.Provide(
			secretBox,
			fx.Annotate(newRegistry, fx.As(new(ports.WebhookAdmin))),
		),
	)
}

// secretBox is the Box of the configured key and of the previous keys in
// the environment; nil, not an error, when no key is configured, so that
// every command but those that seal a secret runs without it (they refuse,
// saying so). A key that is set but malformed is an error.
func secretBox(cfg Config) (*webhook.Box, error) {
	b, err := webhook.BoxFromEnv(func(name string) string {
		if name == webhook.KeyEnv {
			return cfg.SecretKey
		}
		return os.Getenv(name)
	})
	if errors.Is(err, webhook.ErrNoKey) {
		return nil, nil
	}
	return b, err
}

func newRegistry(store ports.WebhookStore, box *webhook.Box, clock ports.Clock, ids ports.IDs) *webhook.Registry {
	return webhook.NewRegistry(store, box, clock, ids, nil)
}

// Listen implements cli.Backend: a webhook.Receiver served over HTTP,
// with no database and no fx app, as nothing but the secrets is needed.
func (c *Commands) Listen(ctx context.Context, addr string, secrets []string, h cli.Listening) error {
	parsed := make([]webhook.Secret, 0, len(secrets))
	for _, s := range secrets {
		p, err := webhook.ParseSecret(s)
		if err != nil {
			return core.Wrap(core.KindInvalid, err, err.Error()+" (in --secret)")
		}
		parsed = append(parsed, p)
	}
	rc, err := webhook.NewReceiver(parsed, nil, func(m webhook.Message) error {
		h.Received(cli.ReceivedWebhook{ID: m.ID, Timestamp: m.Timestamp, Body: m.Body})
		return nil
	})
	if err != nil {
		return core.Wrap(core.KindInvalid, err, err.Error())
	}
	return webhook.Listen(ctx, addr, rc, h.Listening, h.Refused)
}
