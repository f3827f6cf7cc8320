package bootstrap

import (
	"context"
	"log/slog"
	"time"

	"go.uber.org/fx"

	"supportdesk/adapters/gormstore"
)

// PurgeEvery is how often a serving process deletes expired
// Idempotency-Key records; several instances doing it is harmless.
const PurgeEvery = time.Hour

// Housekeeping runs, for the life of a serving process, the periodic
// deletion of expired Idempotency-Key records, so the table holds about a
// day of keys rather than every key ever sent.
func Housekeeping() fx.Option {
	return fx.Module("housekeeping", fx.Invoke(purgeIdempotencyKeys))
}

func purgeIdempotencyKeys(lc fx.Lifecycle, db *gormstore.DB, log *slog.Logger) {
	keys := gormstore.NewIdempotencyKeys(db)
	runInBackground(lc, func(ctx context.Context) {
		t := time.NewTicker(PurgeEvery)
		defer t.Stop()
		for {
			n, err := keys.PurgeExpired(ctx, time.Now())
			switch {
			case err != nil && ctx.Err() == nil:
				log.Warn("purge expired idempotency keys", "error", err)
			case n > 0:
				log.Info("purged expired idempotency keys", "count", n)
			}
			select {
			case <-ctx.Done():
				return
			case <-t.C:
			}
		}
	})
}

// runInBackground runs run, for the life of the app, on a goroutine of its
// own: it starts with the app, and when the app stops its context ends and
// the stop waits for it to return, or for the stop's own deadline.
func runInBackground(lc fx.Lifecycle, run func(ctx context.Context)) {
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan struct{})
	lc.Append(fx.Hook{
		OnStart: func(context.Context) error {
			go func() {
				defer close(done)
				run(ctx)
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
