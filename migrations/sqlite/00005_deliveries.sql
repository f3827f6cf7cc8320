-- Delivery to support (SQLite, SPEC §11): the webhook endpoints, and one
-- delivery row per outbox event and destination. SQLite serialises
-- writers, so the relay's claims need no row locks; leases still let a
-- second process take over from one that died.

-- +goose Up
CREATE TABLE webhooks (
    id                   TEXT PRIMARY KEY,
    url                  TEXT NOT NULL,
    -- Sealed with webhook.Box (SUPPORTDESK_SECRET_KEY), bound to the id.
    secret               TEXT NOT NULL,
    -- The secret a rotation replaced, still signing until previous_until.
    previous_secret      TEXT,
    previous_until       TEXT,
    allow_private        INTEGER NOT NULL DEFAULT 0,
    created_at           TEXT NOT NULL,
    removed_at           TEXT,
    CHECK ((previous_secret IS NULL) = (previous_until IS NULL))
);

-- Set once the relay has made the event's deliveries: until then the
-- event itself is pending.
ALTER TABLE outbox_events ADD COLUMN fanned_out_at TEXT;
CREATE INDEX outbox_events_pending ON outbox_events (occurred_at, id) WHERE fanned_out_at IS NULL;

CREATE TABLE deliveries (
    id               TEXT PRIMARY KEY,
    event_id         TEXT NOT NULL REFERENCES outbox_events (id),
    -- "nats" or "webhook:<webhook id>".
    destination      TEXT NOT NULL,
    attempts         INTEGER NOT NULL DEFAULT 0,
    first_attempt_at TEXT,
    last_attempt_at  TEXT,
    next_attempt_at  TEXT NOT NULL,
    -- The relay instance working on it, until lease_until; an expired
    -- lease is anyone's (its holder crashed).
    lease_owner      TEXT,
    lease_until      TEXT,
    last_status      INTEGER,
    -- Short and redacted: never a body, a secret or a URL.
    last_error       TEXT,
    delivered_at     TEXT,
    dead_at          TEXT,
    created_at       TEXT NOT NULL,
    UNIQUE (event_id, destination)
);
-- The relay's claim: due deliveries, soonest first.
CREATE INDEX deliveries_due ON deliveries (next_attempt_at) WHERE delivered_at IS NULL AND dead_at IS NULL;
CREATE INDEX deliveries_dead ON deliveries (dead_at) WHERE dead_at IS NOT NULL;

-- +goose Down
DROP TABLE deliveries;
DROP INDEX outbox_events_pending;
ALTER TABLE outbox_events DROP COLUMN fanned_out_at;
DROP TABLE webhooks;
