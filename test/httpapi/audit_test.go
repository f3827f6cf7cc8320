package httpapi_test

import (
	"encoding/json"
	"slices"
	"strings"
	"testing"

	"supportdesk/adapters/gormstore"
)

// TestAuditEntry checks docs/overview.md: each request writes exactly one
// support_request.created entry with exactly the listed metadata, and
// none of the request's free text.
func TestAuditEntry(t *testing.T) {
	forEachEngine(t, func(t *testing.T, db *gormstore.DB) {
		w := newWorld()
		b := newBasic(w)
		w.load(t, db)
		s := newServer(t, db)
		actor := b.roles["manager"]

		for _, target := range []struct{ path, typ, id string }{
			{"/v1/tenants/" + b.tenant, "tenant", b.tenant},
			{"/v1/operation-runs/" + b.run, "operation_run", b.run},
		} {
			entries := count(t, db, "audit_entries")
			body := obj(m("severity", "high"), m("summary", "Audit summary text"), m("reproduction_notes", "Audit notes text"),
				m("contact_name", "Audit Contact"), m("contact_email", "audit-contact@example.com"))
			c := createdOf(t, s.post(t, target.path+"/support-requests", actor.token, body))
			if n := count(t, db, "audit_entries") - entries; n != 1 {
				t.Fatalf("%s: %d audit entries written, want 1", target.typ, n)
			}

			var rows []struct {
				WorkspaceID, TenantID, ActorID, Action, SubjectType, SubjectID, Metadata string
			}
			err := db.Gorm().Raw(`SELECT workspace_id, tenant_id, actor_id, action, subject_type, subject_id, metadata
FROM audit_entries WHERE subject_id = ?`, c.Reference).Scan(&rows).Error
			if err != nil {
				t.Fatal(err)
			}
			if len(rows) != 1 {
				t.Fatalf("%s: %d entries for %s", target.typ, len(rows), c.Reference)
			}
			e := rows[0]
			if e.WorkspaceID != b.workspace || e.TenantID != b.tenant || e.ActorID != actor.id ||
				e.Action != "support_request.created" || e.SubjectType != "support_request" {
				t.Errorf("%s: entry %+v", target.typ, e)
			}
			var meta map[string]any
			if err := json.Unmarshal([]byte(e.Metadata), &meta); err != nil {
				t.Fatalf("metadata %q: %v", e.Metadata, err)
			}
			want := map[string]any{
				"reference": c.Reference, "severity": "high", "primary_context_type": target.typ,
				"primary_context_id": target.id, "attachment_mode": "diagnostics_attached",
				"context_digest": c.ContextDigest, "channel": "api",
			}
			keys := func(m map[string]any) []string {
				var out []string
				for k := range m {
					out = append(out, k)
				}
				slices.Sort(out)
				return out
			}
			if !slices.Equal(keys(meta), keys(want)) {
				t.Errorf("%s: metadata keys %q, want %q", target.typ, keys(meta), keys(want))
			}
			for k, v := range want {
				if meta[k] != v {
					t.Errorf("%s: metadata %s = %v, want %v", target.typ, k, meta[k], v)
				}
			}
			for _, text := range []string{"Audit summary", "Audit notes", "Audit Contact", "audit-contact@"} {
				if strings.Contains(e.Metadata, text) {
					t.Errorf("%s: metadata holds request text %q", target.typ, text)
				}
			}
		}
	})
}
