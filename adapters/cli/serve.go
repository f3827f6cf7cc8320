package cli

import (
	"context"
	"fmt"
	"os/signal"
	"syscall"
	"time"

	"github.com/spf13/cobra"
	"go.uber.org/dig"
	"go.uber.org/fx"

	"supportdesk/adapters/gormstore"
	"supportdesk/bootstrap"
)

func newServe(e *env) *cobra.Command {
	cmd := &cobra.Command{
		Use:   "serve",
		Short: "Serve the HTTP API and web UI",
		Args:  cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			return e.serve(cmd.Context(), nil)
		},
	}
	cmd.Flags().StringVar(&e.cfg.Addr, "addr", e.cfg.Addr, "listen address (env SUPPORTDESK_ADDR)")
	return cmd
}

// serve migrates the database, runs the server until SIGINT or SIGTERM and
// then lets in-flight requests finish. ready, if set, runs once the server
// listens, with the database and the bound address.
func (e *env) serve(ctx context.Context, ready func(ctx context.Context, db *gormstore.DB, l *bootstrap.Listening) error) error {
	ctx, cancel := signal.NotifyContext(ctx, syscall.SIGINT, syscall.SIGTERM)
	defer cancel()

	var (
		db        *gormstore.DB
		listening *bootstrap.Listening
	)
	app := fx.New(
		bootstrap.Service(e.cfg, e.stderr),
		fx.Invoke(func(db *gormstore.DB) error { return db.Migrate(ctx) }),
		bootstrap.HTTP(),
		fx.Populate(&db, &listening),
	)
	if err := app.Start(ctx); err != nil {
		return dig.RootCause(err)
	}
	var readyErr error
	if ready != nil {
		readyErr = ready(ctx, db, listening)
	}
	if readyErr == nil {
		select {
		case <-ctx.Done():
		case sig := <-app.Wait():
			if sig.ExitCode != 0 {
				readyErr = fmt.Errorf("server stopped unexpectedly")
			}
		}
	}
	stopCtx, stopCancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer stopCancel()
	if err := app.Stop(stopCtx); err != nil && readyErr == nil {
		return fmt.Errorf("shut down: %w", err)
	}
	return readyErr
}
