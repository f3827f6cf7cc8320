package bootstrap

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"math/rand/v2"
	"sync"
	"time"

	"go.uber.org/fx"

	"supportdesk/adapters/gormstore"
	"supportdesk/ports"
)

// Waiting for the database at start: the first attempt is bounded so that
// a host that drops packets does not hold the start; later attempts back
// off from retryFirst to retryMax (with jitter, so that several instances
// do not knock in step).
const (
	firstMigrationTimeout = 10 * time.Second
	retryFirst            = 250 * time.Millisecond
	retryMax              = 5 * time.Second
)

// Migrations applies the pending migrations when the server starts. If
// the database does not answer yet (refused, starting up, unreachable)
// the server starts all the same — /healthz answers 200 and /readyz 503 —
// and the migrations are retried in the background until they apply,
// when /readyz turns 200. A database that answers but refuses (bad
// credentials, unknown database, a migration that fails) stops the start,
// or, found later, the server.
func Migrations() fx.Option {
	return fx.Module("migrations", fx.Invoke(migrateOnStart))
}

func migrateOnStart(lc fx.Lifecycle, sd fx.Shutdowner, f *Failure, schema ports.Schema, log *slog.Logger) {
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan struct{})
	lc.Append(fx.Hook{
		OnStart: func(start context.Context) error {
			first, cancelFirst := context.WithTimeout(start, firstMigrationTimeout)
			err := schema.Migrate(first)
			cancelFirst()
			if err == nil || !gormstore.Transient(err) {
				close(done)
				return err
			}
			log.Warn("database not reachable: serving, not ready, retrying the migrations", "error", err)
			go func() {
				defer close(done)
				err := retryMigrations(ctx, schema, log)
				if err != nil && ctx.Err() == nil {
					log.Error("database refused the migrations: stopping", "error", err)
					f.Set(err)
					_ = sd.Shutdown(fx.ExitCode(1))
				}
			}()
			return nil
		},
		OnStop: func(stop context.Context) error {
			cancel()
			select {
			case <-done:
			case <-stop.Done():
			}
			return nil
		},
	})
}

// retryMigrations tries the migrations with backoff until they apply (nil),
// fail for a reason other than an unreachable database (that error), or
// ctx ends (its error).
func retryMigrations(ctx context.Context, schema ports.Schema, log *slog.Logger) error {
	delay := retryFirst
	for attempt := 2; ; attempt++ {
		select {
		case <-ctx.Done():
			return ctx.Err()
		case <-time.After(delay/2 + rand.N(delay/2+1)):
		}
		err := schema.Migrate(ctx)
		switch {
		case err == nil:
			log.Info("database reachable and migrated: ready", "attempts", attempt)
			return nil
		case !gormstore.Transient(err):
			return err
		}
		delay = min(2*delay, retryMax)
	}
}

// Failure holds why the server stopped by itself, for the command that
// runs it: the log says it too, but the command's one line on stderr
// should not have to send the reader there.
type Failure struct {
	mu  sync.Mutex
	err error
}

// Set records err unless a failure is already recorded.
func (f *Failure) Set(err error) {
	f.mu.Lock()
	defer f.mu.Unlock()
	if f.err == nil {
		f.err = err
	}
}

// Err returns the recorded failure, or a generic one if none was.
func (f *Failure) Err() error {
	f.mu.Lock()
	defer f.mu.Unlock()
	if f.err == nil {
		return errors.New("the server failed (see the log)")
	}
	return fmt.Errorf("the server failed: %w", f.err)
}
