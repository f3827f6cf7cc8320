-- supportdesk schema v1 (SQLite). Same tables, keys and indexes as the
-- PostgreSQL schema; ids and timestamps are text (timestamps in UTC, so
-- that text order is time order), JSON is text checked with json_valid.

-- +goose Up
CREATE TABLE workspaces (
    id   TEXT PRIMARY KEY,
    name TEXT NOT NULL
);

CREATE TABLE users (
    id    TEXT PRIMARY KEY,
    name  TEXT NOT NULL,
    email TEXT NOT NULL UNIQUE
);

-- Only the SHA-256 of a token is kept; the token itself is shown once.
CREATE TABLE api_tokens (
    token_hash TEXT PRIMARY KEY CHECK (length(token_hash) = 64 AND token_hash NOT GLOB '*[^0-9a-f]*'),
    user_id    TEXT NOT NULL REFERENCES users (id),
    created_at TEXT NOT NULL
);
CREATE INDEX api_tokens_user ON api_tokens (user_id);

CREATE TABLE workspace_memberships (
    workspace_id TEXT NOT NULL REFERENCES workspaces (id),
    user_id      TEXT NOT NULL REFERENCES users (id),
    role         TEXT NOT NULL CHECK (role IN ('owner', 'manager', 'member')),
    PRIMARY KEY (workspace_id, user_id)
);

CREATE TABLE tenants (
    id           TEXT PRIMARY KEY,
    workspace_id TEXT NOT NULL REFERENCES workspaces (id),
    name         TEXT NOT NULL,
    external_id  TEXT NOT NULL,
    status       TEXT NOT NULL CHECK (status IN ('active', 'suspended'))
);
CREATE INDEX tenants_workspace ON tenants (workspace_id, name, id);

CREATE TABLE tenant_memberships (
    tenant_id TEXT NOT NULL REFERENCES tenants (id),
    user_id   TEXT NOT NULL REFERENCES users (id),
    role      TEXT NOT NULL CHECK (role IN ('owner', 'manager', 'operator', 'readonly')),
    PRIMARY KEY (tenant_id, user_id)
);
CREATE INDEX tenant_memberships_user ON tenant_memberships (user_id, tenant_id);

CREATE TABLE provider_connections (
    id                 TEXT PRIMARY KEY,
    tenant_id          TEXT NOT NULL REFERENCES tenants (id),
    provider           TEXT NOT NULL,
    status             TEXT NOT NULL CHECK (status IN ('connected', 'degraded', 'disconnected')),
    consent_state      TEXT NOT NULL,
    last_checked_at    TEXT,
    last_error_code    TEXT NOT NULL DEFAULT '',
    last_error_message TEXT NOT NULL DEFAULT '',
    raw_payload        TEXT NOT NULL DEFAULT '{}' CHECK (json_valid(raw_payload))
);
CREATE INDEX provider_connections_tenant_checked
    ON provider_connections (tenant_id, last_checked_at DESC, id DESC); -- NULLs sort last in DESC order here

CREATE TABLE operation_runs (
    id              TEXT PRIMARY KEY,
    tenant_id       TEXT NOT NULL REFERENCES tenants (id),
    type            TEXT NOT NULL,
    status          TEXT NOT NULL CHECK (status IN ('queued', 'running', 'completed')),
    outcome         TEXT CHECK (outcome IN ('succeeded', 'partially_succeeded', 'failed', 'cancelled')),
    started_at      TEXT NOT NULL,
    completed_at    TEXT,
    failure_code    TEXT NOT NULL DEFAULT '',
    failure_message TEXT NOT NULL DEFAULT '',
    raw_payload     TEXT NOT NULL DEFAULT '{}' CHECK (json_valid(raw_payload))
);
CREATE INDEX operation_runs_tenant_started ON operation_runs (tenant_id, started_at DESC, id DESC);
CREATE INDEX operation_runs_tenant_failed ON operation_runs (tenant_id, started_at DESC, id DESC)
    WHERE outcome = 'failed';

CREATE TABLE findings (
    id          TEXT PRIMARY KEY,
    tenant_id   TEXT NOT NULL REFERENCES tenants (id),
    severity    TEXT NOT NULL CHECK (severity IN ('low', 'medium', 'high', 'critical')),
    status      TEXT NOT NULL CHECK (status IN ('open', 'resolved')),
    title       TEXT NOT NULL,
    detected_at TEXT NOT NULL
);
CREATE INDEX findings_tenant_status_detected ON findings (tenant_id, status, detected_at DESC, id DESC);
CREATE INDEX findings_tenant_status_severity ON findings (tenant_id, status, severity);

CREATE TABLE reviews (
    id        TEXT PRIMARY KEY,
    tenant_id TEXT NOT NULL REFERENCES tenants (id),
    status    TEXT NOT NULL CHECK (status IN ('pending', 'in_progress', 'completed')),
    title     TEXT NOT NULL,
    due_at    TEXT NOT NULL
);
CREATE INDEX reviews_tenant_due ON reviews (tenant_id, due_at DESC, id DESC);
CREATE INDEX reviews_tenant_status ON reviews (tenant_id, status);

CREATE TABLE reports (
    id           TEXT PRIMARY KEY,
    tenant_id    TEXT NOT NULL REFERENCES tenants (id),
    kind         TEXT NOT NULL,
    status       TEXT NOT NULL CHECK (status IN ('ready', 'generating', 'failed')),
    generated_at TEXT NOT NULL
);
CREATE INDEX reports_tenant_generated ON reports (tenant_id, generated_at DESC, id DESC);

-- Audit entries belong to a workspace and, most of the time, a tenant.
CREATE TABLE audit_entries (
    id           TEXT PRIMARY KEY,
    workspace_id TEXT NOT NULL REFERENCES workspaces (id),
    tenant_id    TEXT REFERENCES tenants (id),
    actor_id     TEXT NOT NULL REFERENCES users (id),
    action       TEXT NOT NULL,
    subject_type TEXT NOT NULL,
    subject_id   TEXT NOT NULL,
    metadata     TEXT NOT NULL DEFAULT '{}' CHECK (json_valid(metadata)),
    occurred_at  TEXT NOT NULL
);
CREATE INDEX audit_entries_tenant_time ON audit_entries (tenant_id, occurred_at DESC, id DESC);
-- The envelope's excerpt leaves support_request.* out; this index keeps that
-- read bounded however many requests a tenant has made.
CREATE INDEX audit_entries_tenant_excerpt ON audit_entries (tenant_id, occurred_at DESC, id DESC)
    WHERE action NOT LIKE 'support\_request.%' ESCAPE '\';
CREATE INDEX audit_entries_workspace_time ON audit_entries (workspace_id, occurred_at DESC, id DESC);

CREATE TABLE support_requests (
    reference          TEXT PRIMARY KEY CHECK (reference GLOB 'SR-[0-9A-HJKMNP-TV-Z]*' AND length(reference) = 29),
    workspace_id       TEXT NOT NULL REFERENCES workspaces (id),
    tenant_id          TEXT NOT NULL REFERENCES tenants (id),
    context_type       TEXT NOT NULL CHECK (context_type IN ('tenant', 'operation_run')),
    context_id         TEXT NOT NULL,
    severity           TEXT NOT NULL CHECK (severity IN ('low', 'normal', 'high', 'blocking')),
    summary            TEXT NOT NULL,
    reproduction_notes TEXT NOT NULL DEFAULT '',
    contact_name       TEXT NOT NULL DEFAULT '',
    contact_email      TEXT NOT NULL DEFAULT '',
    created_by         TEXT NOT NULL REFERENCES users (id),
    created_at         TEXT NOT NULL,
    attachment_mode    TEXT NOT NULL CHECK (attachment_mode IN ('diagnostics_attached', 'canonical_context_only')),
    context            TEXT NOT NULL,
    context_digest     TEXT NOT NULL CHECK (context_digest GLOB 'sha256:*' AND length(context_digest) = 71)
);
CREATE INDEX support_requests_tenant_created ON support_requests (tenant_id, created_at DESC, reference DESC);
CREATE INDEX support_requests_workspace_created ON support_requests (workspace_id, created_at DESC, reference DESC);
CREATE INDEX support_requests_created ON support_requests (created_at DESC, reference DESC);

-- A create with an Idempotency-Key claims (user, key) first; the claim is
-- completed with the reference in the request's own transaction.
CREATE TABLE idempotency_keys (
    user_id     TEXT NOT NULL REFERENCES users (id),
    key         TEXT NOT NULL CHECK (length(key) BETWEEN 1 AND 255),
    fingerprint TEXT NOT NULL,
    reference   TEXT REFERENCES support_requests (reference),
    created_at  TEXT NOT NULL,
    expires_at  TEXT NOT NULL,
    PRIMARY KEY (user_id, key)
);
CREATE INDEX idempotency_keys_expires ON idempotency_keys (expires_at);

-- +goose StatementBegin
CREATE TRIGGER support_requests_no_update BEFORE UPDATE ON support_requests
BEGIN
    SELECT RAISE(ABORT, 'support_requests rows are immutable: UPDATE rejected');
END;
-- +goose StatementEnd
-- +goose StatementBegin
CREATE TRIGGER support_requests_no_delete BEFORE DELETE ON support_requests
BEGIN
    SELECT RAISE(ABORT, 'support_requests rows are immutable: DELETE rejected');
END;
-- +goose StatementEnd
-- +goose StatementBegin
CREATE TRIGGER audit_entries_no_update BEFORE UPDATE ON audit_entries
BEGIN
    SELECT RAISE(ABORT, 'audit_entries rows are immutable: UPDATE rejected');
END;
-- +goose StatementEnd
-- +goose StatementBegin
CREATE TRIGGER audit_entries_no_delete BEFORE DELETE ON audit_entries
BEGIN
    SELECT RAISE(ABORT, 'audit_entries rows are immutable: DELETE rejected');
END;
-- +goose StatementEnd

-- +goose Down
DROP TABLE idempotency_keys;
DROP TABLE support_requests;
DROP TABLE audit_entries;
DROP TABLE reports;
DROP TABLE reviews;
DROP TABLE findings;
DROP TABLE operation_runs;
DROP TABLE provider_connections;
DROP TABLE tenant_memberships;
DROP TABLE tenants;
DROP TABLE workspace_memberships;
DROP TABLE api_tokens;
DROP TABLE users;
DROP TABLE workspaces;
