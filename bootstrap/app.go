package bootstrap

import (
	"io"
	"log/slog"

	"go.uber.org/fx"

	"supportdesk/adapters/logging"
)

// Logging provides the redacting JSON logger writing to w.
func Logging(w io.Writer) fx.Option {
	return fx.Module("logging",
		fx.Provide(func() *slog.Logger { return logging.New(w, slog.LevelInfo) }),
	)
}

// Service is every module a running service needs except HTTP: use those
// with HTTP() for the server, alone for a command.
func Service(cfg Config, logs io.Writer) fx.Option {
	return fx.Options(
		fx.NopLogger,
		fx.Supply(cfg),
		Logging(logs),
		Storage(),
		System(),
		RateLimit(),
		Metrics(),
		Core(),
		Webhooks(),
	)
}
