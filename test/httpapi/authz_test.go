package httpapi_test

import (
	"bytes"
	"encoding/json"
	"fmt"
	"net/http"
	"testing"

	"supportdesk/adapters/gormstore"
)

// TestAuthorizationMatrix checks docs/overview.md on every endpoint that acts on a
// tenant or a run: every tenant role × both contexts × six situations ×
// {create, attachment preview, diagnostics}. Every 404 of a context type
// must be byte-identical, whatever the reason.
func TestAuthorizationMatrix(t *testing.T) {
	forEachEngine(t, func(t *testing.T, db *gormstore.DB) {
		w := newWorld()
		own := w.workspace("own")
		ownTenant, sibling := w.tenant(own, "own"), w.tenant(own, "sibling")
		other := w.workspace("other")
		otherTenant := w.tenant(other, "other")
		wsOnly := w.workspace("workspace-only")
		wsOnlyTenant := w.tenant(wsOnly, "workspace-only")
		tmOnly := w.workspace("tenant-membership-only")
		tmOnlyTenant := w.tenant(tmOnly, "tenant-membership-only")
		runOf := map[string]string{}
		for _, tn := range []string{ownTenant, sibling, otherTenant, wsOnlyTenant, tmOnlyTenant} {
			runOf[tn] = w.failedRun(tn, "sync failed")
		}
		roles := []string{"owner", "manager", "operator", "readonly"}
		users := map[string]member{}
		for _, role := range roles {
			id, token := w.user(role)
			users[role] = member{id, token}
			w.workspaceMember(own, id, "member")
			w.tenantMember(ownTenant, id, role)
			// A workspace role, even owner, grants nothing on a tenant.
			w.workspaceMember(wsOnly, id, "owner")
			// A tenant role without workspace membership grants nothing.
			w.tenantMember(tmOnlyTenant, id, role)
		}
		w.load(t, db)
		s := newServer(t, db)

		missing := w.ids.NewID()
		situations := []struct {
			name        string
			tenant, run string
			entitled    bool
		}{
			{"own tenant", ownTenant, runOf[ownTenant], true},
			{"other tenant of the same workspace without membership", sibling, runOf[sibling], false},
			{"other workspace", otherTenant, runOf[otherTenant], false},
			{"workspace member without tenant membership", wsOnlyTenant, runOf[wsOnlyTenant], false},
			{"tenant membership without workspace membership", tmOnlyTenant, runOf[tmOnlyTenant], false},
			{"nonexistent id", missing, missing, false},
		}
		contexts := []struct {
			name, prefix string
			id           func(tenant, run string) string
		}{
			{"tenant", "/v1/tenants/", func(tenant, _ string) string { return tenant }},
			{"operation_run", "/v1/operation-runs/", func(_, run string) string { return run }},
		}
		create := func(p, tok string) response {
			return s.post(t, p, tok, `{"severity":"high","summary":"Sync keeps failing"}`)
		}
		get := func(p, tok string) response { return s.get(t, p, tok) }
		creators := map[string]bool{"owner": true, "manager": true, "operator": true}
		endpoints := []struct {
			name string
			call func(path, token string) response
			path string
			ok   int
			may  map[string]bool // roles holding the endpoint's capability
		}{
			{"create", create, "/support-requests", http.StatusCreated, creators},
			{"preview", get, "/support-requests/attachment-preview", http.StatusOK, creators},
			{"diagnostics", get, "/support-diagnostics", http.StatusOK, map[string]bool{"owner": true, "manager": true}},
		}

		cells := 0
		notFound := map[string][]byte{} // first 404 body per context type
		for _, c := range contexts {
			for _, e := range endpoints {
				for _, role := range roles {
					for _, sit := range situations {
						cells++
						name := fmt.Sprintf("%s/%s/%s/%s", c.name, e.name, role, sit.name)
						id := c.id(sit.tenant, sit.run)
						res := e.call(c.prefix+id+e.path, users[role].token)
						want := http.StatusNotFound
						switch {
						case sit.entitled && e.may[role]:
							want = e.ok
						case sit.entitled:
							want = http.StatusForbidden
						}
						if res.Status != want {
							t.Errorf("%s: status %d, want %d; body %s", name, res.Status, want, res.Body)
							continue
						}
						switch want {
						case http.StatusNotFound:
							problemOf(t, res, http.StatusNotFound)
							if first, ok := notFound[c.name]; !ok {
								notFound[c.name] = res.Body
							} else if !bytes.Equal(first, res.Body) {
								t.Errorf("%s: 404 body differs:\n%s\n%s", name, res.Body, first)
							}
						case http.StatusForbidden:
							p := problemOf(t, res, http.StatusForbidden)
							if p.Type != "https://supportdesk.dev/problems/forbidden" {
								t.Errorf("%s: problem type %q", name, p.Type)
							}
						case http.StatusCreated:
							checkCreated(t, name, createdOf(t, res), own, ownTenant, c.name, id, role)
						}
					}
				}
			}
		}
		for typ, body := range notFound {
			if bytes.Contains(body, []byte(ownTenant)) || bytes.Contains(body, []byte(missing)) {
				t.Errorf("%s 404 echoes an id: %s", typ, body)
			}
		}
		// A malformed id is answered like one that does not exist.
		for _, c := range contexts {
			for _, bad := range []string{"not-a-uuid", "00000000-0000-0000-0000-00000000000g", "%27%20OR%201=1--"} {
				res := s.get(t, c.prefix+bad+"/support-requests/attachment-preview", users["owner"].token)
				if res.Status != http.StatusNotFound || !bytes.Equal(res.Body, notFound[c.name]) {
					t.Errorf("%s id %q: %s, want the 404 of a missing one", c.name, bad, res)
				}
			}
		}
		if n := count(t, db, "support_requests"); n != 6 {
			t.Errorf("support_requests = %d, want 6 (3 roles × 2 contexts)", n)
		}
		t.Logf("authorization matrix: %d cells (%d per endpoint)", cells, cells/len(endpoints))
	})
}

func checkCreated(t *testing.T, name string, c created, workspace, tenant, ctxType, ctxID, role string) {
	t.Helper()
	wantMode := "canonical_context_only"
	if role == "owner" || role == "manager" {
		wantMode = "diagnostics_attached"
	}
	got, _ := json.Marshal(c)
	if c.WorkspaceID != workspace || c.TenantID != tenant || c.PrimaryContext.Type != ctxType ||
		c.PrimaryContext.ID != ctxID || c.AttachmentMode != wantMode || c.Severity != "high" {
		t.Errorf("%s: created %s", name, got)
	}
}
