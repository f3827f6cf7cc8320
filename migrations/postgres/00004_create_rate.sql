-- The create rate limit shared by every serve process (PostgreSQL, SPEC §8:
-- the limit counts per user, not per process). One row per user who has
-- tried to create a request: tat is the GCRA theoretical arrival time, the
-- moment by which the user's whole allowance is back; last_allowed says
-- whether the latest attempt was let through, so one INSERT … ON CONFLICT …
-- RETURNING both decides and reports the decision (gormstore.RateLimiter).
-- A row whose tat has passed means the same as no row, so the table is
-- UNLOGGED: no WAL and no flush for each attempt, which makes one two to
-- five times faster, at the price of a crash or a failover emptying it —
-- which gives every user their whole allowance back, nothing worse.

-- +goose Up
CREATE UNLOGGED TABLE create_rate_limits (
    user_id      text PRIMARY KEY,
    tat          timestamptz NOT NULL,
    last_allowed boolean NOT NULL
);

-- +goose Down
DROP TABLE create_rate_limits;
