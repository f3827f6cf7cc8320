-- The statements of test/load/submission.sql in 2 round trips, for pgbench
-- (-M prepared) as the ceiling of test/perf/run.sh: every read in one
-- REPEATABLE READ READ ONLY transaction sent as one pipeline, then both
-- inserts in one write transaction sent as another. :tenant, :workspace and
-- :user are the demo's; the reference and audit id are fresh per
-- transaction.
\set n random(1, 999999999999)
\startpipeline
BEGIN ISOLATION LEVEL REPEATABLE READ READ ONLY;
SELECT t.id, t.workspace_id, wm.role, tm.role FROM tenants t
  LEFT JOIN workspace_memberships wm ON wm.workspace_id = t.workspace_id AND wm.user_id = :user
  LEFT JOIN tenant_memberships tm ON tm.tenant_id = t.id AND tm.user_id = :user
  WHERE t.id = :tenant;
SELECT t.id, t.workspace_id, t.name, t.external_id, t.status, w.name FROM tenants t JOIN workspaces w ON w.id = t.workspace_id WHERE t.id = :tenant;
SELECT id, provider, status, consent_state, last_checked_at, last_error_code, last_error_message FROM provider_connections WHERE tenant_id = :tenant ORDER BY last_checked_at DESC NULLS LAST, id DESC LIMIT 1;
SELECT id, type, status, outcome, started_at, completed_at, failure_code, failure_message FROM operation_runs WHERE tenant_id = :tenant ORDER BY started_at DESC, id DESC LIMIT 5;
SELECT id, severity, status, title, detected_at FROM findings WHERE tenant_id = :tenant AND status = 'open' ORDER BY detected_at DESC, id DESC LIMIT 5;
SELECT severity, COUNT(*) FROM findings WHERE tenant_id = :tenant AND status = 'open' GROUP BY severity;
SELECT id, status, title, due_at FROM reviews WHERE tenant_id = :tenant ORDER BY due_at DESC, id DESC LIMIT 5;
SELECT status, COUNT(*) FROM reviews WHERE tenant_id = :tenant AND status IN ('pending', 'in_progress') GROUP BY status;
SELECT id, kind, status, generated_at FROM reports WHERE tenant_id = :tenant ORDER BY generated_at DESC, id DESC LIMIT 5;
SELECT id, action, actor_id, subject_type, subject_id, occurred_at FROM audit_entries WHERE tenant_id = :tenant AND action NOT LIKE 'support\_request.%' ORDER BY occurred_at DESC, id DESC LIMIT 10;
SELECT id, provider, status, consent_state, last_checked_at, last_error_code, last_error_message FROM provider_connections WHERE tenant_id = :tenant ORDER BY last_checked_at DESC NULLS LAST, id DESC LIMIT 1;
SELECT id, type, status, outcome, started_at, completed_at, failure_code, failure_message FROM operation_runs WHERE tenant_id = :tenant AND outcome = 'failed' ORDER BY started_at DESC, id DESC LIMIT 5;
SELECT COALESCE(outcome, 'none'), COUNT(*) FROM (SELECT outcome FROM operation_runs WHERE tenant_id = :tenant ORDER BY started_at DESC, id DESC LIMIT 50) latest GROUP BY COALESCE(outcome, 'none');
COMMIT;
\endpipeline
\startpipeline
BEGIN;
INSERT INTO support_requests (reference, workspace_id, tenant_id, context_type, context_id, severity, summary,
  reproduction_notes, contact_name, contact_email, created_by, created_at, attachment_mode, context, context_digest)
  VALUES ('SR-' || lpad(:client_id::text || lpad(:n::text, 12, '0'), 26, '0'), :workspace, :tenant, 'tenant', :tenant,
  'high', 'Load test request', 'sent by pgbench', '', '', :user, now(), 'diagnostics_attached',
  repeat('x', 7000), 'sha256:' || repeat('0', 64));
INSERT INTO audit_entries (id, workspace_id, tenant_id, actor_id, action, subject_type, subject_id, metadata, occurred_at)
  VALUES (gen_random_uuid(), :workspace, :tenant, :user, 'support_request.created', 'support_request',
  'SR-' || lpad(:client_id::text || lpad(:n::text, 12, '0'), 26, '0'), '{"channel":"api"}', now());
COMMIT;
\endpipeline
