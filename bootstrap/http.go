package bootstrap

import (
	"context"
	"fmt"
	"log/slog"
	"net"

	"github.com/gofiber/fiber/v2"
	"go.uber.org/fx"

	"supportdesk/adapters/gormstore"
	"supportdesk/adapters/httpapi"
	"supportdesk/adapters/metrics"
	"supportdesk/adapters/ratelimit"
	"supportdesk/adapters/web"
	"supportdesk/core"
	"supportdesk/core/usecase"
	"supportdesk/ports"
)

// HTTP provides the Fiber app — JSON API and web UI — and serves it on
// Config.Addr for the life of the fx app: the listener is bound in
// OnStart, so a taken port fails the start, and in-flight requests finish
// in OnStop, which runs before the database closes.
func HTTP() fx.Option {
	return fx.Module("httpapi",
		fx.Provide(
			newHTTPApp,
			func(s *usecase.Service) httpapi.UseCases { return s },
			NewListening,
			func() *Failure { return &Failure{} },
			fx.Annotate(gormstore.NewSessions, fx.As(new(web.SessionStore))),
			fx.Annotate(func(cfg Config) *ratelimit.FailuresPerAddress { return ratelimit.NewFailures(cfg.AuthFailureLimit) },
				fx.As(new(ports.AuthFailures))),
		),
		fx.Invoke(serveHTTP),
		Housekeeping(),
	)
}

type appDeps struct {
	fx.In
	Desk     httpapi.UseCases
	Browser  ports.Browser
	Sessions web.SessionStore
	Failures ports.AuthFailures
	DB       *gormstore.DB
	Metrics  *metrics.Metrics
	Config   Config
	Log      *slog.Logger
}

// newHTTPApp builds the one Fiber app: the JSON API under /v1 with the
// operational endpoints, and the web UI beside it. Both take create
// attempts through the same use case, so a user's count is one.
func newHTTPApp(d appDeps) *fiber.App {
	site := web.New(web.Deps{
		Desk: d.Desk, Browser: d.Browser, Requester: d.Desk, Support: d.Desk, Sessions: d.Sessions, Log: d.Log,
		SecureCookies: d.Config.SecureCookies, AuthFailures: d.Failures,
	})
	app := httpapi.New(d.Desk, httpapi.Config{
		RequestTimeout: d.Config.RequestTimeout,
		Ready:          Readiness(d.DB),
		Metrics:        d.Metrics,
		AuthFailures:   d.Failures,
		TrustedProxies: d.Config.TrustedProxies,
		NotFoundPage:   site.NotFound,
	}, d.Log)
	site.Register(app)
	return app
}

// errMigrationsPending makes /readyz fail on a database whose schema is
// behind the binary.
var errMigrationsPending = core.Errorf(core.KindUnavailable, "database migrations are pending")

// Readiness is /readyz's check: the database answers and every migration
// is applied. It asks the database each time, so that it turns ready again
// by itself once the database is back. Errors are KindUnavailable, or the
// database's own error reading the migration status.
func Readiness(db *gormstore.DB) func(context.Context) error {
	return func(ctx context.Context) error {
		if err := db.Ping(ctx); err != nil {
			return fmt.Errorf("ping database: %w", err)
		}
		migrated, err := db.Migrated(ctx)
		if err != nil {
			return fmt.Errorf("read migration status: %w", err)
		}
		if !migrated {
			return errMigrationsPending
		}
		return nil
	}
}

// Listening reports the address the server bound, once it has.
type Listening struct {
	bound chan struct{} // closed once addr is set
	addr  net.Addr
}

func serveHTTP(lc fx.Lifecycle, sd fx.Shutdowner, f *Failure, app *fiber.App, cfg Config, log *slog.Logger, l *Listening) {
	lc.Append(fx.Hook{
		OnStart: func(context.Context) error {
			ln, err := net.Listen("tcp", cfg.Addr)
			if err != nil {
				return fmt.Errorf("listen on %s: %w", cfg.Addr, err)
			}
			l.addr = ln.Addr()
			close(l.bound)
			log.Info("serving", "addr", ln.Addr().String())
			go func() {
				if err := app.Listener(ln); err != nil {
					log.Error("server stopped", "error", err)
					f.Set(fmt.Errorf("serve HTTP: %w", err))
					_ = sd.Shutdown(fx.ExitCode(1))
				}
			}()
			return nil
		},
		OnStop: func(ctx context.Context) error {
			log.Info("stopping: no new connections; in-flight requests finish")
			return app.ShutdownWithContext(ctx)
		},
	})
}

// NewListening returns a Listening that the HTTP module reports to.
func NewListening() *Listening { return &Listening{bound: make(chan struct{})} }

// Addr waits for the bound address and returns it, as often as asked.
func (l *Listening) Addr() net.Addr {
	<-l.bound
	return l.addr
}
