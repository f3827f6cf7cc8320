-- The big tenant of test/perf/run.sh: a tenant of the demo's first
-- workspace with 1,000,000 operation runs and 1,000,000 audit entries,
-- made inside the database with generate_series, plus the handful of open
-- items a small tenant has (a provider connection, open findings, open
-- reviews, reports), so its envelope holds as much as the demo tenant's
-- and only the history differs. The demo owner owns it, so the owner's
-- token can submit on it. psql variables: tenant, workspace, owner, rows;
-- part selects the statements: 'tenant', 'runs' or 'audit' (the last two
-- run in parallel sessions).
\set ON_ERROR_STOP on
SET synchronous_commit = off;
SELECT :'part' = 'tenant' AS is_tenant, :'part' = 'runs' AS is_runs, :'part' = 'audit' AS is_audit \gset

\if :is_tenant
BEGIN;
INSERT INTO tenants (id, workspace_id, name, external_id, status)
  VALUES (:'tenant', :'workspace', 'Big History Ltd', 'bighistory.onmicrosoft.com', 'active');
INSERT INTO tenant_memberships (tenant_id, user_id, role) VALUES (:'tenant', :'owner', 'owner');
INSERT INTO provider_connections (id, tenant_id, provider, status, consent_state, last_checked_at, last_error_code, last_error_message)
  VALUES (gen_random_uuid(), :'tenant', 'microsoft_graph', 'degraded', 'granted', '2025-06-10T08:55:00Z',
  'invalid_client', 'Token refresh failed with client_secret=Qx8~mZ2pL5vT9rW3yB6nK1cF4hJ7dS0aG8eU2iO5');
INSERT INTO findings (id, tenant_id, severity, status, title, detected_at)
  SELECT gen_random_uuid(), :'tenant', (ARRAY['low', 'medium', 'high', 'critical'])[1 + i % 4], 'open',
    'Open finding ' || i, timestamptz '2025-06-01 00:00:00+00' + i * interval '1 hour'
  FROM generate_series(1, 8) i;
INSERT INTO reviews (id, tenant_id, status, title, due_at)
  SELECT gen_random_uuid(), :'tenant', (ARRAY['pending', 'in_progress', 'completed'])[1 + i % 3],
    'Review ' || i, timestamptz '2025-06-01 00:00:00+00' + i * interval '1 day'
  FROM generate_series(1, 4) i;
INSERT INTO reports (id, tenant_id, kind, status, generated_at)
  SELECT gen_random_uuid(), :'tenant', 'security_posture', 'ready', timestamptz '2025-06-01 00:00:00+00' + i * interval '1 day'
  FROM generate_series(1, 4) i;
COMMIT;
\endif

\if :is_runs
-- One run a minute from 2024-01-01 on; a quarter failed, with a secret in
-- the message for redaction to find.
INSERT INTO operation_runs (id, tenant_id, type, status, outcome, started_at, completed_at, failure_code, failure_message, raw_payload)
  SELECT gen_random_uuid(), :'tenant', (ARRAY['policy_sync', 'backup', 'restore'])[1 + i % 3], 'completed',
    (ARRAY['failed', 'succeeded', 'cancelled', 'partially_succeeded'])[1 + i % 4],
    timestamptz '2024-01-01 00:00:00+00' + i * interval '1 minute',
    timestamptz '2024-01-01 00:00:30+00' + i * interval '1 minute',
    CASE i % 4 WHEN 0 THEN 'graph_error' ELSE '' END,
    CASE i % 4 WHEN 0 THEN 'Graph answered 503 to a call with Authorization: Bearer abcdefghijklmnopqrstu' ELSE '' END,
    '{"items":[1,2,3]}'
  FROM generate_series(1, :rows) i;
\endif

\if :is_audit
-- Half are support_request.*, which the envelope's excerpt leaves out.
INSERT INTO audit_entries (id, workspace_id, tenant_id, actor_id, action, subject_type, subject_id, metadata, occurred_at)
  SELECT gen_random_uuid(), :'workspace', :'tenant', :'owner',
    CASE i % 2 WHEN 0 THEN 'policy.changed' ELSE 'support_request.created' END, 'tenant', :'tenant', '{}',
    timestamptz '2024-01-01 00:00:00+00' + i * interval '1 minute'
  FROM generate_series(1, :rows) i;
\endif
