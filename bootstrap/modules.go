package bootstrap

import (
	"context"
	"log/slog"

	"go.uber.org/fx"

	"supportdesk/adapters/gormstore"
	"supportdesk/adapters/metrics"
	"supportdesk/adapters/ratelimit"
	"supportdesk/adapters/system"
	"supportdesk/core/usecase"
	"supportdesk/ports"
)

// Storage opens the database named by the Config and binds the GORM
// adapters to the outbound ports. The pool closes when the app stops.
func Storage() fx.Option {
	return fx.Module("gormstore",
		fx.Provide(
			openDB,
			fx.Annotate(gormstore.NewRequests, fx.As(new(ports.SupportRequestRepository))),
			fx.Annotate(gormstore.NewGrants, fx.As(new(ports.CapabilityMap))),
			fx.Annotate(gormstore.NewContexts, fx.As(new(ports.ContextReader)), fx.As(new(ports.EnvelopeReader))),
			fx.Annotate(gormstore.NewDiagnostics, fx.As(new(ports.DiagnosticsBuilder))),
			fx.Annotate(gormstore.NewUsers, fx.As(new(ports.Users))),
			fx.Annotate(gormstore.NewDirectory, fx.As(new(ports.Directory))),
			fx.Annotate(gormstore.NewPages, fx.As(new(ports.RequestPages))),
			fx.Annotate(gormstore.NewAgents, fx.As(new(ports.Agents))),
			fx.Annotate(gormstore.NewDeliveries, fx.As(new(ports.DeliveryLog)), fx.As(new(ports.Deliveries))),
			fx.Annotate(gormstore.NewWebhooks, fx.As(new(ports.WebhookStore))),
			fx.Annotate(gormstore.NewIdempotencyKeys, fx.As(new(ports.IdempotencyKeys))),
			fx.Annotate(gormstore.NewSchema, fx.As(new(ports.Schema))),
			fx.Annotate(gormstore.NewRecords, fx.As(new(ports.RecordImporter))),
		),
	)
}

type openDeps struct {
	fx.In
	LC     fx.Lifecycle
	Config Config
	// Options are what a command requires of the database (see
	// gormstore.Options); none: Open's defaults.
	Options gormstore.Options `optional:"true"`
}

func openDB(d openDeps) (*gormstore.DB, error) {
	db, err := gormstore.OpenWith(context.Background(), d.Config.DatabaseURL, d.Options)
	if err != nil {
		return nil, err
	}
	d.LC.Append(fx.StopHook(db.Close))
	return db, nil
}

// System binds the host clock and id source.
func System() fx.Option {
	return fx.Module("system",
		fx.Provide(
			fx.Annotate(func() system.Clock { return system.Clock{} }, fx.As(new(ports.Clock))),
			fx.Annotate(system.NewIDs, fx.As(new(ports.IDs))),
		),
	)
}

// RateLimit bounds create attempts per user: on PostgreSQL in the
// database, shared by every instance; on SQLite, which one process owns,
// in this process's memory.
func RateLimit() fx.Option {
	return fx.Module("ratelimit",
		fx.Provide(func(cfg Config, db *gormstore.DB, log *slog.Logger) ports.RateLimiter {
			limit := cfg.CreateLimit
			if limit <= 0 {
				limit = DefaultCreateLimit
			}
			if db.Dialect() == gormstore.Postgres {
				return gormstore.NewRateLimiter(db, limit, log)
			}
			return ratelimit.New(limit)
		}),
	)
}

// Metrics provides the service's Prometheus metrics, with the figures of
// the database pool; the use case's hooks and the HTTP app report to them.
func Metrics() fx.Option {
	return fx.Module("metrics",
		fx.Provide(func(db *gormstore.DB) *metrics.Metrics { return metrics.New(db.SQL()) }),
	)
}

// Core provides the use cases as the inbound ports.
func Core() fx.Option {
	return fx.Module("core",
		fx.Provide(
			newService,
			func(s *usecase.Service) ports.SupportDesk { return s },
			func(s *usecase.Service) ports.Admin { return s },
			func(s *usecase.Service) ports.Browser { return s },
			func(s *usecase.Service) ports.Desk { return s },
			func(s *usecase.Service) ports.Requester { return s },
			func(s *usecase.Service) ports.AgentAdmin { return s },
		),
	)
}

type serviceDeps struct {
	fx.In
	Requests    ports.SupportRequestRepository
	Grants      ports.CapabilityMap
	Contexts    ports.ContextReader
	Diagnostics ports.DiagnosticsBuilder
	Envelopes   ports.EnvelopeReader
	Users       ports.Users
	Directory   ports.Directory
	Idempotency ports.IdempotencyKeys
	Limiter     ports.RateLimiter
	Pages       ports.RequestPages
	Agents      ports.Agents
	Deliveries  ports.DeliveryLog
	Clock       ports.Clock
	IDs         ports.IDs
	Log         *slog.Logger
	Metrics     *metrics.Metrics
}

func newService(d serviceDeps) *usecase.Service {
	s := usecase.New(usecase.Deps{
		Requests: d.Requests, Grants: d.Grants, Contexts: d.Contexts,
		Diagnostics: d.Diagnostics, Envelopes: d.Envelopes, Users: d.Users, Directory: d.Directory,
		Idempotency: d.Idempotency, Limiter: d.Limiter, Clock: d.Clock, IDs: d.IDs,
		Pages: d.Pages, Agents: d.Agents, Deliveries: d.Deliveries,
	})
	s.Hooks.DiagnosticsFailed = func(ctx context.Context, err error) {
		d.Log.WarnContext(ctx, "diagnostics bundle unavailable; attaching canonical context only", "error", err)
	}
	s.Hooks.EnvelopeBuilt = d.Metrics.EnvelopeBuilt
	s.Hooks.Created = d.Metrics.Created
	return s
}
