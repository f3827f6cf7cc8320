package cli

import (
	"context"
	"fmt"
	"os/signal"
	"syscall"
	"time"

	"github.com/spf13/cobra"
)

// stopTimeout bounds how long a stopping server waits for in-flight
// requests.
const stopTimeout = 30 * time.Second

func newServe(e *env) *cobra.Command {
	cmd := &cobra.Command{
		Use:   "serve",
		Short: "Serve the HTTP API and web UI",
		Args:  cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			return e.serve(cmd.Context(), nil)
		},
	}
	cmd.Flags().StringVar(&e.settings.Addr, "addr", e.settings.Addr, "listen address (env SUPPORTDESK_ADDR)")
	return cmd
}

// serve migrates the database, runs the server until SIGINT or SIGTERM and
// then lets in-flight requests finish. ready, if set, runs once the server
// listens; the stop it returns, if any, runs before the server stops.
func (e *env) serve(ctx context.Context, ready func(ctx context.Context, s *Server) (stop func(context.Context), err error)) error {
	ctx, cancel := signal.NotifyContext(ctx, syscall.SIGINT, syscall.SIGTERM)
	defer cancel()

	srv, err := e.backend.Serve(ctx, e.settings)
	if err != nil {
		return err
	}
	var (
		readyErr error
		stop     func(context.Context)
	)
	if ready != nil {
		stop, readyErr = ready(ctx, srv)
	}
	if readyErr == nil {
		select {
		case <-ctx.Done():
		case err := <-srv.Done:
			if err != nil {
				readyErr = fmt.Errorf("server stopped unexpectedly: %w", err)
			}
		}
	}
	stopCtx, stopCancel := context.WithTimeout(context.Background(), stopTimeout)
	defer stopCancel()
	if stop != nil {
		stop(stopCtx)
	}
	if err := srv.Stop(stopCtx); err != nil && readyErr == nil {
		return fmt.Errorf("shut down: %w", err)
	}
	return readyErr
}
