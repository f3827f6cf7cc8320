package bootstrap

import (
	"context"
	"io"
	"time"

	"go.uber.org/dig"
	"go.uber.org/fx"

	"supportdesk/adapters/cli"
	"supportdesk/adapters/gormstore"
)

// Commands is the command line's backend: for each command it builds,
// from the modules of this package, the fx app the command needs, and
// hands the command the ports it asked for.
type Commands struct {
	logs io.Writer
}

var _ cli.Backend = (*Commands)(nil)

// NewCommands returns the backend of the command line, writing the
// service's log to logs.
func NewCommands(logs io.Writer) *Commands { return &Commands{logs: logs} }

// config is the configuration of the environment with the settings of
// the command line.
func config(s cli.Settings) (Config, error) {
	cfg, err := ConfigFromEnv()
	if err != nil {
		return Config{}, err
	}
	cfg.DatabaseURL, cfg.Addr, cfg.NATSURL, cfg.SecretKey = s.DatabaseURL, s.Addr, s.NATSURL, s.SecretKey
	return cfg, nil
}

// Environment implements cli.Backend.
func (c *Commands) Environment() (cli.Settings, error) {
	cfg, err := ConfigFromEnv()
	if err != nil {
		return cli.Settings{}, err
	}
	return cli.Settings{DatabaseURL: cfg.DatabaseURL, Addr: cfg.Addr, NATSURL: cfg.NATSURL, SecretKey: cfg.SecretKey,
		DefaultDatabaseURL: DefaultDatabaseURL}, nil
}

// populate fills p from the app.
func populate(p *cli.Ports) fx.Option {
	return fx.Populate(&p.Desk, &p.Admin, &p.Agents, &p.Schema, &p.Records, &p.Webhooks, &p.Deliveries)
}

// Open implements cli.Backend: the service modules, without a server.
func (c *Commands) Open(ctx context.Context, s cli.Settings, create bool) (cli.Ports, func(), error) {
	cfg, err := config(s)
	if err != nil {
		return cli.Ports{}, nil, err
	}
	var p cli.Ports
	app := fx.New(Service(cfg, c.logs), fx.Supply(gormstore.Options{Existing: !create}), populate(&p))
	if err := app.Start(ctx); err != nil {
		return cli.Ports{}, nil, dig.RootCause(err)
	}
	return p, func() { _ = app.Stop(context.Background()) }, nil
}

// startTimeout bounds starting the server: migrating the database and
// binding the listener.
const startTimeout = 2 * time.Minute

// Serve implements cli.Backend: the service modules with the HTTP
// server and the migrations, which wait for a database that does not
// answer yet (see Migrations).
func (c *Commands) Serve(ctx context.Context, s cli.Settings) (*cli.Server, error) {
	cfg, err := config(s)
	if err != nil {
		return nil, err
	}
	srv := &cli.Server{}
	var (
		listening *Listening
		failure   *Failure
	)
	app := fx.New(
		Service(cfg, c.logs),
		// The server starts while the database is still down, and
		// becomes ready once it answers and is migrated.
		fx.Supply(gormstore.Options{NoWait: true, RelayHere: true}),
		Migrations(),
		HTTP(),
		Delivery(),
		populate(&srv.Ports),
		fx.Populate(&listening, &failure),
	)
	// A signal during start must not abort it half way (a request may
	// already be in flight): start runs to its end, bounded on its own, and
	// the caller, seeing the signal, then stops the server gracefully.
	startCtx, cancelStart := context.WithTimeout(context.WithoutCancel(ctx), startTimeout)
	defer cancelStart()
	if err := app.Start(startCtx); err != nil {
		return nil, dig.RootCause(err)
	}
	srv.Addr = listening.Addr()
	done, stopped := make(chan error, 1), make(chan struct{})
	go func() {
		select {
		case sig := <-app.Wait():
			if sig.ExitCode != 0 {
				done <- failure.Err()
			} else {
				done <- nil
			}
		case <-stopped:
		}
	}()
	srv.Done = done
	srv.Stop = func(ctx context.Context) error {
		close(stopped)
		return app.Stop(ctx)
	}
	return srv, nil
}
