-- supportdesk schema v1 (PostgreSQL).
-- Every tenant-owned table carries tenant_id NOT NULL, and tenant_id leads
-- every index that serves a tenant-scoped query, so the schema can later be
-- distributed by tenant.

-- +goose Up
CREATE TABLE workspaces (
    id   uuid PRIMARY KEY,
    name text NOT NULL
);

CREATE TABLE users (
    id    uuid PRIMARY KEY,
    name  text NOT NULL,
    email text NOT NULL UNIQUE
);

-- Only the SHA-256 of a token is kept; the token itself is shown once.
CREATE TABLE api_tokens (
    token_hash text PRIMARY KEY CHECK (token_hash ~ '^[0-9a-f]{64}$'),
    user_id    uuid NOT NULL REFERENCES users (id),
    created_at timestamptz NOT NULL
);
CREATE INDEX api_tokens_user ON api_tokens (user_id);

CREATE TABLE workspace_memberships (
    workspace_id uuid NOT NULL REFERENCES workspaces (id),
    user_id      uuid NOT NULL REFERENCES users (id),
    role         text NOT NULL CHECK (role IN ('owner', 'manager', 'member')),
    PRIMARY KEY (workspace_id, user_id)
);

CREATE TABLE tenants (
    id           uuid PRIMARY KEY,
    workspace_id uuid NOT NULL REFERENCES workspaces (id),
    name         text NOT NULL,
    external_id  text NOT NULL,
    status       text NOT NULL CHECK (status IN ('active', 'suspended'))
);
CREATE INDEX tenants_workspace ON tenants (workspace_id, name, id);

CREATE TABLE tenant_memberships (
    tenant_id uuid NOT NULL REFERENCES tenants (id),
    user_id   uuid NOT NULL REFERENCES users (id),
    role      text NOT NULL CHECK (role IN ('owner', 'manager', 'operator', 'readonly')),
    PRIMARY KEY (tenant_id, user_id)
);
CREATE INDEX tenant_memberships_user ON tenant_memberships (user_id, tenant_id);

CREATE TABLE provider_connections (
    id                 uuid PRIMARY KEY,
    tenant_id          uuid NOT NULL REFERENCES tenants (id),
    provider           text NOT NULL,
    status             text NOT NULL CHECK (status IN ('connected', 'degraded', 'disconnected')),
    consent_state      text NOT NULL,
    last_checked_at    timestamptz,
    last_error_code    text NOT NULL DEFAULT '',
    last_error_message text NOT NULL DEFAULT '',
    raw_payload        jsonb NOT NULL DEFAULT '{}'
);
CREATE INDEX provider_connections_tenant_checked
    ON provider_connections (tenant_id, last_checked_at DESC NULLS LAST, id DESC);

CREATE TABLE operation_runs (
    id              uuid PRIMARY KEY,
    tenant_id       uuid NOT NULL REFERENCES tenants (id),
    type            text NOT NULL,
    status          text NOT NULL CHECK (status IN ('queued', 'running', 'completed')),
    outcome         text CHECK (outcome IN ('succeeded', 'partially_succeeded', 'failed', 'cancelled')),
    started_at      timestamptz NOT NULL,
    completed_at    timestamptz,
    failure_code    text NOT NULL DEFAULT '',
    failure_message text NOT NULL DEFAULT '',
    raw_payload     jsonb NOT NULL DEFAULT '{}'
);
CREATE INDEX operation_runs_tenant_started ON operation_runs (tenant_id, started_at DESC, id DESC);
CREATE INDEX operation_runs_tenant_failed ON operation_runs (tenant_id, started_at DESC, id DESC)
    WHERE outcome = 'failed';

CREATE TABLE findings (
    id          uuid PRIMARY KEY,
    tenant_id   uuid NOT NULL REFERENCES tenants (id),
    severity    text NOT NULL CHECK (severity IN ('low', 'medium', 'high', 'critical')),
    status      text NOT NULL CHECK (status IN ('open', 'resolved')),
    title       text NOT NULL,
    detected_at timestamptz NOT NULL
);
CREATE INDEX findings_tenant_status_detected ON findings (tenant_id, status, detected_at DESC, id DESC);
CREATE INDEX findings_tenant_status_severity ON findings (tenant_id, status, severity);

CREATE TABLE reviews (
    id        uuid PRIMARY KEY,
    tenant_id uuid NOT NULL REFERENCES tenants (id),
    status    text NOT NULL CHECK (status IN ('pending', 'in_progress', 'completed')),
    title     text NOT NULL,
    due_at    timestamptz NOT NULL
);
CREATE INDEX reviews_tenant_due ON reviews (tenant_id, due_at DESC, id DESC);
CREATE INDEX reviews_tenant_status ON reviews (tenant_id, status);

CREATE TABLE reports (
    id           uuid PRIMARY KEY,
    tenant_id    uuid NOT NULL REFERENCES tenants (id),
    kind         text NOT NULL,
    status       text NOT NULL CHECK (status IN ('ready', 'generating', 'failed')),
    generated_at timestamptz NOT NULL
);
CREATE INDEX reports_tenant_generated ON reports (tenant_id, generated_at DESC, id DESC);

-- Audit entries belong to a workspace and, most of the time, a tenant.
CREATE TABLE audit_entries (
    id           uuid PRIMARY KEY,
    workspace_id uuid NOT NULL REFERENCES workspaces (id),
    tenant_id    uuid REFERENCES tenants (id),
    actor_id     uuid NOT NULL REFERENCES users (id),
    action       text NOT NULL,
    subject_type text NOT NULL,
    subject_id   text NOT NULL,
    metadata     jsonb NOT NULL DEFAULT '{}',
    occurred_at  timestamptz NOT NULL
);
CREATE INDEX audit_entries_tenant_time ON audit_entries (tenant_id, occurred_at DESC, id DESC);
-- The envelope's excerpt leaves support_request.* out; this index keeps that
-- read bounded however many requests a tenant has made.
CREATE INDEX audit_entries_tenant_excerpt ON audit_entries (tenant_id, occurred_at DESC, id DESC)
    WHERE action NOT LIKE 'support\_request.%';
CREATE INDEX audit_entries_workspace_time ON audit_entries (workspace_id, occurred_at DESC, id DESC);

CREATE TABLE support_requests (
    reference          text PRIMARY KEY CHECK (reference ~ '^SR-[0-9A-HJKMNP-TV-Z]{26}$'),
    workspace_id       uuid NOT NULL REFERENCES workspaces (id),
    tenant_id          uuid NOT NULL REFERENCES tenants (id),
    context_type       text NOT NULL CHECK (context_type IN ('tenant', 'operation_run')),
    context_id         uuid NOT NULL,
    severity           text NOT NULL CHECK (severity IN ('low', 'normal', 'high', 'blocking')),
    summary            text NOT NULL,
    reproduction_notes text NOT NULL DEFAULT '',
    contact_name       text NOT NULL DEFAULT '',
    contact_email      text NOT NULL DEFAULT '',
    created_by         uuid NOT NULL REFERENCES users (id),
    created_at         timestamptz NOT NULL,
    attachment_mode    text NOT NULL CHECK (attachment_mode IN ('diagnostics_attached', 'canonical_context_only')),
    -- The canonical envelope bytes exactly as digested (text, not jsonb,
    -- which would reorder keys).
    context            text NOT NULL,
    context_digest     text NOT NULL CHECK (context_digest ~ '^sha256:[0-9a-f]{64}$')
);
CREATE INDEX support_requests_tenant_created ON support_requests (tenant_id, created_at DESC, reference DESC);
CREATE INDEX support_requests_workspace_created ON support_requests (workspace_id, created_at DESC, reference DESC);
CREATE INDEX support_requests_created ON support_requests (created_at DESC, reference DESC);

-- A create with an Idempotency-Key claims (user, key) first; the claim is
-- completed with the reference in the request's own transaction.
CREATE TABLE idempotency_keys (
    user_id     uuid NOT NULL REFERENCES users (id),
    key         text NOT NULL CHECK (length(key) BETWEEN 1 AND 255),
    fingerprint text NOT NULL,
    reference   text REFERENCES support_requests (reference),
    created_at  timestamptz NOT NULL,
    expires_at  timestamptz NOT NULL,
    PRIMARY KEY (user_id, key)
);
CREATE INDEX idempotency_keys_expires ON idempotency_keys (expires_at);

-- +goose StatementBegin
CREATE FUNCTION reject_change() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    RAISE EXCEPTION '% rows are immutable: % rejected', TG_TABLE_NAME, TG_OP
        USING ERRCODE = 'restrict_violation';
END;
$$;
-- +goose StatementEnd

CREATE TRIGGER support_requests_immutable BEFORE UPDATE OR DELETE ON support_requests
    FOR EACH ROW EXECUTE FUNCTION reject_change();
CREATE TRIGGER support_requests_no_truncate BEFORE TRUNCATE ON support_requests
    FOR EACH STATEMENT EXECUTE FUNCTION reject_change();
CREATE TRIGGER audit_entries_append_only BEFORE UPDATE OR DELETE ON audit_entries
    FOR EACH ROW EXECUTE FUNCTION reject_change();
CREATE TRIGGER audit_entries_no_truncate BEFORE TRUNCATE ON audit_entries
    FOR EACH STATEMENT EXECUTE FUNCTION reject_change();

-- +goose Down
DROP TABLE idempotency_keys, support_requests, audit_entries, reports, reviews, findings,
    operation_runs, provider_connections, tenant_memberships, tenants, workspace_memberships,
    api_tokens, users, workspaces;
DROP FUNCTION reject_change();
