-- Support agents (PostgreSQL): the people who read requests on the support
-- desk. An agent is a user (its name, email and API tokens live in users
-- and api_tokens) marked here; it holds no workspace or tenant membership,
-- so no tenant capability. Its scope is the listed workspaces, or every
-- workspace when it has none listed.

-- +goose Up
CREATE TABLE support_agents (
    user_id     uuid PRIMARY KEY REFERENCES users (id),
    created_at  timestamptz NOT NULL,
    disabled_at timestamptz
);

CREATE TABLE support_agent_workspaces (
    user_id      uuid NOT NULL REFERENCES support_agents (user_id),
    workspace_id uuid NOT NULL REFERENCES workspaces (id),
    PRIMARY KEY (user_id, workspace_id)
);

-- The requester's own list and the desk's severity filter, newest first,
-- served by an index whatever the number of requests.
CREATE INDEX support_requests_creator_created ON support_requests (created_by, created_at DESC, reference DESC);
CREATE INDEX support_requests_severity_created ON support_requests (severity, created_at DESC, reference DESC);

-- Who from support viewed a request: the viewed entries of one subject.
CREATE INDEX audit_entries_viewed ON audit_entries (subject_id, occurred_at, id)
    WHERE action = 'support_request.viewed';

-- +goose Down
DROP INDEX audit_entries_viewed;
DROP INDEX support_requests_severity_created;
DROP INDEX support_requests_creator_created;
DROP TABLE support_agent_workspaces, support_agents;
