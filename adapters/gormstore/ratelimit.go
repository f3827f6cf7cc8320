package gormstore

import (
	"context"
	"log/slog"
	"time"

	"supportdesk/core"
	"supportdesk/ports"
)

// RateLimiter bounds create attempts per user in create_rate_limits, so
// that every serve process on one PostgreSQL database takes from the same
// allowance (the limit is per user, not per process: docs/api.md). It is the generic
// cell rate algorithm (GCRA): attempts are spaced by an emission interval
// T = a minute / the limit, and a user may run up to the limit ahead of
// that pace at once. Each user's row holds the theoretical arrival time
// (tat): an attempt at now is allowed when max(tat, now) + T is at most
// now + limit·T, and then becomes the new tat; a refused attempt leaves
// tat as it was, so it takes nothing. Each instance counts on the time
// its use case passes, so instances should keep their clocks in step: one
// running d ahead of the others lets an attempt through up to d early.
// PostgreSQL only: on SQLite, which one process owns, the limit stays in
// memory (ratelimit.PerUser).
type RateLimiter struct {
	db       *DB
	emission time.Duration
	burst    time.Duration
	log      *slog.Logger
}

var _ ports.RateLimiter = (*RateLimiter)(nil)

// NewRateLimiter returns the shared limiter of perMinute attempts a
// minute per user over db (at least one), logging store failures to log.
func NewRateLimiter(db *DB, perMinute int, log *slog.Logger) *RateLimiter {
	n := time.Duration(max(perMinute, 1))
	// In whole microseconds, the precision of timestamptz, so that n
	// attempts at once fit exactly in the burst.
	emission := max((time.Minute / n).Truncate(time.Microsecond), time.Microsecond)
	return &RateLimiter{db: db, emission: emission, burst: n * emission, log: log}
}

// takeAttemptSQL decides and records one attempt in one statement: $1 the
// user, $2 now, $3 the emission interval, $4 now + the burst. The row is
// locked while it is decided, so concurrent attempts of one user, from any
// process, take their turns; a refused one writes its tat back unchanged
// and says so in last_allowed, which RETURNING reports with the tat.
const takeAttemptSQL = `INSERT INTO create_rate_limits AS r (user_id, tat, last_allowed)
	VALUES ($1, $2::timestamptz + $3::interval, true)
	ON CONFLICT (user_id) DO UPDATE SET
		tat = CASE WHEN greatest(r.tat, $2) + $3 <= $4::timestamptz
			THEN greatest(r.tat, $2) + $3 ELSE r.tat END,
		last_allowed = greatest(r.tat, $2) + $3 <= $4
	RETURNING tat, last_allowed`

// Allow implements ports.RateLimiter. When the store fails the attempt is
// allowed and the failure logged, once for each attempt it let through.
func (l *RateLimiter) Allow(ctx context.Context, userID string, now time.Time) (bool, time.Duration) {
	now = core.StoredTime(now)
	var tat time.Time
	var allowed bool
	err := l.db.sql.QueryRowContext(ctx, takeAttemptSQL, userID, now, l.emission, now.Add(l.burst)).Scan(&tat, &allowed)
	if err != nil {
		l.log.WarnContext(ctx, "create rate limit unavailable; allowing the attempt", "error", err)
		return true, 0
	}
	if allowed {
		return true, 0
	}
	// The next attempt fits once now + burst reaches tat + T. Refused
	// means tat > now + burst - T, so the wait is more than zero.
	return false, tat.Add(l.emission - l.burst).Sub(now)
}
