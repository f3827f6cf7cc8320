-- The transactional outbox (PostgreSQL): one row per event to deliver to
-- support, written in the transaction that makes it happen — for
-- support_request.created, with the request, its audit entry and its
-- idempotency record — so an event exists exactly when its request does.
-- A relay delivers each row after the commit, oldest first.

-- +goose Up
CREATE TABLE outbox_events (
    id           uuid PRIMARY KEY,
    type         text NOT NULL,
    reference    text NOT NULL REFERENCES support_requests (reference),
    workspace_id uuid NOT NULL REFERENCES workspaces (id),
    occurred_at  timestamptz NOT NULL
);
-- Oldest first, for the relay.
CREATE INDEX outbox_events_occurred ON outbox_events (occurred_at, id);

-- +goose Down
DROP TABLE outbox_events;
