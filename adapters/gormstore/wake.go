package gormstore

import (
	"context"
	"log/slog"
	"time"

	"github.com/jackc/pgx/v5"

	"supportdesk/ports"
)

// outboxChannel is what a process without a relay notifies after it
// created a request (see Options.RelayHere).
const outboxChannel = "supportdesk_outbox"

// Listen backoff: the database may be down for a while.
const (
	listenRetryMin = 500 * time.Millisecond
	listenRetryMax = 10 * time.Second
)

// Wakeups implements ports.Wakeups for the relay of this process.
type Wakeups struct {
	db  *DB
	log *slog.Logger
}

var _ ports.Wakeups = (*Wakeups)(nil)

// NewWakeups returns the relay's wakeups over db; log receives the
// listener's connection trouble.
func NewWakeups(db *DB, log *slog.Logger) *Wakeups { return &Wakeups{db: db, log: log} }

// Wakeups implements ports.Wakeups. The signal comes from this process's
// own commits; on PostgreSQL also from LISTEN on a connection of its own,
// outside the pool, for requests that processes without a relay (the CLI)
// create. Each instance's relay is woken by its own creations: the other
// instances need not be, as it delivers them. The listener reconnects with
// backoff and wakes the relay each time it is back, for what it may have
// missed.
func (w *Wakeups) Wakeups(ctx context.Context) <-chan struct{} {
	if w.db.dialect == Postgres {
		// The listener wakes through the same channel as the commits.
		go w.listen(ctx, w.db.written)
	}
	return w.db.written
}

// signalWritten wakes this process's relay after a commit that wrote an
// outbox event; on PostgreSQL, without a relay here, those of the others.
func (db *DB) signalWritten(ctx context.Context) {
	send(db.written)
	if db.dialect == Postgres && !db.relayHere {
		// Best effort: their poll finds the event anyway.
		_, _ = db.sql.ExecContext(context.WithoutCancel(ctx), "SELECT pg_notify('"+outboxChannel+"', '')")
	}
}

func (w *Wakeups) listen(ctx context.Context, out chan<- struct{}) {
	wait := listenRetryMin
	for ctx.Err() == nil {
		err := w.listenOnce(ctx, out, func() { wait = listenRetryMin })
		if ctx.Err() != nil {
			return
		}
		w.log.Warn("outbox listener lost its connection; the relay polls meanwhile", "error", err, "retry_in", wait)
		select {
		case <-ctx.Done():
			return
		case <-time.After(wait):
		}
		wait = min(wait*2, listenRetryMax)
	}
}

// listenOnce connects, listens and forwards notifications until the
// connection fails or ctx ends.
func (w *Wakeups) listenOnce(ctx context.Context, out chan<- struct{}, connected func()) error {
	conn, err := pgx.Connect(ctx, w.db.url)
	if err != nil {
		return toCoreError(err)
	}
	defer func() {
		closeCtx, cancel := context.WithTimeout(context.WithoutCancel(ctx), time.Second)
		defer cancel()
		_ = conn.Close(closeCtx)
	}()
	if _, err := conn.Exec(ctx, "LISTEN "+outboxChannel); err != nil {
		return toCoreError(err)
	}
	connected()
	send(out)
	for {
		if _, err := conn.WaitForNotification(ctx); err != nil {
			return toCoreError(err)
		}
		send(out)
	}
}

// send wakes without waiting: one pending wakeup is enough.
func send(out chan<- struct{}) {
	select {
	case out <- struct{}{}:
	default:
	}
}
