-- Web UI sessions (PostgreSQL). The cookie holds a random session id; only
-- its SHA-256 is stored, so a copy of this table cannot be replayed as a
-- cookie. csrf_token is the session's synchronizer token, echoed in every
-- form. Sessions expire at expires_at; expired rows are purged on sign-in.
-- Sessions belong to a user, not to a tenant: there is no tenant_id.

-- +goose Up
CREATE TABLE web_sessions (
    id_hash    text PRIMARY KEY CHECK (id_hash ~ '^[0-9a-f]{64}$'),
    user_id    uuid NOT NULL REFERENCES users (id),
    csrf_token text NOT NULL CHECK (length(csrf_token) >= 32),
    created_at timestamptz NOT NULL,
    expires_at timestamptz NOT NULL,
    CHECK (expires_at > created_at)
);
CREATE INDEX web_sessions_expires ON web_sessions (expires_at);
CREATE INDEX web_sessions_user ON web_sessions (user_id);

-- +goose Down
DROP TABLE web_sessions;
