-- +goose Up
-- The relay of the process that creates a request is woken within that
-- process; a NOTIFY at every creation's commit serialised the commits of
-- the hot path (PostgreSQL takes one lock on the notification queue per
-- notifying commit). Processes without a relay — the CLI — notify after
-- their commit instead (gormstore.Options.RelayHere).
DROP TRIGGER outbox_events_notify ON outbox_events;
DROP FUNCTION supportdesk_outbox_notify();

-- +goose Down
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
