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
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan struct{})
	purge := func() {
		n, err := keys.PurgeExpired(ctx, time.Now())
		switch {
		case err != nil && ctx.Err() == nil:
			log.Warn("purge expired idempotency keys", "error", err)
		case n > 0:
			log.Info("purged expired idempotency keys", "count", n)
		}
	}
	lc.Append(fx.Hook{
		OnStart: func(context.Context) error {
			go func() {
				defer close(done)
				t := time.NewTicker(PurgeEvery)
				defer t.Stop()
				for {
					purge()
					select {
					case <-ctx.Done():
						return
					case <-t.C:
					}
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
