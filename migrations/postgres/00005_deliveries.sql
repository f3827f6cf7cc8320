-- Delivery to support (PostgreSQL, SPEC §11): the webhook endpoints, and
-- one delivery row per outbox event and destination, which the relays of
-- every serve process share through leases.

-- +goose Up
CREATE TABLE webhooks (
    id                   uuid PRIMARY KEY,
    url                  text NOT NULL,
    -- Sealed with webhook.Box (SUPPORTDESK_SECRET_KEY), bound to the id.
    secret               text NOT NULL,
    -- The secret a rotation replaced, still signing until previous_until.
    previous_secret      text,
    previous_until       timestamptz,
    allow_private        boolean NOT NULL DEFAULT false,
    created_at           timestamptz NOT NULL,
    removed_at           timestamptz,
    CHECK ((previous_secret IS NULL) = (previous_until IS NULL))
);

-- Set once the relay has made the event's deliveries: until then the
-- event itself is pending.
ALTER TABLE outbox_events ADD COLUMN fanned_out_at timestamptz;
CREATE INDEX outbox_events_pending ON outbox_events (occurred_at, id) WHERE fanned_out_at IS NULL;

CREATE TABLE deliveries (
    id               uuid PRIMARY KEY,
    event_id         uuid NOT NULL REFERENCES outbox_events (id),
    -- "nats" or "webhook:<webhook id>".
    destination      text NOT NULL,
    attempts         integer NOT NULL DEFAULT 0,
    first_attempt_at timestamptz,
    last_attempt_at  timestamptz,
    next_attempt_at  timestamptz NOT NULL,
    -- The relay instance working on it, until lease_until; an expired
    -- lease is anyone's (its holder crashed).
    lease_owner      text,
    lease_until      timestamptz,
    last_status      integer,
    -- Short and redacted: never a body, a secret or a URL.
    last_error       text,
    delivered_at     timestamptz,
    dead_at          timestamptz,
    created_at       timestamptz NOT NULL,
    UNIQUE (event_id, destination)
);
-- The relay's claim: due deliveries, soonest first.
CREATE INDEX deliveries_due ON deliveries (next_attempt_at) WHERE delivered_at IS NULL AND dead_at IS NULL;
CREATE INDEX deliveries_dead ON deliveries (dead_at) WHERE dead_at IS NOT NULL;

-- A new event wakes the relays listening on supportdesk_outbox. The
-- notification is sent at commit, so a relay never looks before the
-- event is visible, and once per transaction however many rows it adds.
-- +goose StatementBegin
CREATE FUNCTION supportdesk_outbox_notify() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    PERFORM pg_notify('supportdesk_outbox', '');
    RETURN NULL;
END
$$;
-- +goose StatementEnd
CREATE TRIGGER outbox_events_notify AFTER INSERT ON outbox_events
    FOR EACH STATEMENT EXECUTE FUNCTION supportdesk_outbox_notify();

-- +goose Down
DROP TRIGGER outbox_events_notify ON outbox_events;
DROP FUNCTION supportdesk_outbox_notify();
DROP TABLE deliveries;
DROP INDEX outbox_events_pending;
ALTER TABLE outbox_events DROP COLUMN fanned_out_at;
DROP TABLE webhooks;
