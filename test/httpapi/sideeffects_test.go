package httpapi_test

import (
	"errors"
	"net/http"
	"slices"
	"strings"
	"sync"
	"testing"

	"supportdesk/adapters/gormstore"
)

// noNetwork is an http.RoundTripper that records and refuses every request.
type noNetwork struct {
	mu   sync.Mutex
	urls []string
}

func (n *noNetwork) RoundTrip(r *http.Request) (*http.Response, error) {
	n.mu.Lock()
	defer n.mu.Unlock()
	n.urls = append(n.urls, r.URL.String())
	return nil, errors.New("outbound HTTP is forbidden in this test")
}

func (n *noNetwork) calls() []string {
	n.mu.Lock()
	defer n.mu.Unlock()
	return slices.Clone(n.urls)
}

// forbidOutboundHTTP replaces the default transport and client for the
// rest of the test.
func forbidOutboundHTTP(t *testing.T) *noNetwork {
	guard := &noNetwork{}
	transport, client := http.DefaultTransport, http.DefaultClient.Transport
	http.DefaultTransport, http.DefaultClient.Transport = guard, guard
	t.Cleanup(func() { http.DefaultTransport, http.DefaultClient.Transport = transport, client })
	return guard
}

// platformTables are the records supportdesk reads but never writes.
var platformTables = []string{"workspaces", "users", "api_tokens", "workspace_memberships", "tenants",
	"tenant_memberships", "provider_connections", "operation_runs", "findings", "reviews", "reports", "idempotency_keys"}

// TestNoSideEffects checks docs/overview.md: using every endpoint writes only
// support requests, their audit entries and their outbox events — no
// operation run or other record changes — and makes no outbound HTTP call.
func TestNoSideEffects(t *testing.T) {
	forEachEngine(t, func(t *testing.T, db *gormstore.DB) {
		w := newWorld()
		b := newBasic(w)
		w.fillTenant(b.workspace, b.tenant, b.roles["owner"].id, 20)
		w.load(t, db)
		s := newServer(t, db)
		guard := forbidOutboundHTTP(t)

		before := map[string][]string{}
		for _, table := range platformTables {
			before[table] = dump(t, db, table, "1, 2")
		}
		audits := dump(t, db, "audit_entries", "id")

		created := 0
		for _, path := range []string{"/v1/tenants/" + b.tenant, "/v1/operation-runs/" + b.run} {
			for _, role := range []string{"owner", "operator", "readonly"} {
				token := b.roles[role].token
				s.get(t, path+"/support-requests/attachment-preview", token)
				s.get(t, path+"/support-diagnostics", token)
				res := s.post(t, path+"/support-requests", token, obj(sev, sum))
				if res.Status == http.StatusCreated {
					created++
					s.get(t, "/v1/support-requests/"+createdOf(t, res).Reference, token)
				}
			}
		}
		if created != 4 {
			t.Fatalf("%d requests created, want 4", created)
		}

		for _, table := range platformTables {
			if after := dump(t, db, table, "1, 2"); !slices.Equal(before[table], after) {
				t.Errorf("%s changed", table)
			}
		}
		if n := count(t, db, "support_requests"); n != int64(created) {
			t.Errorf("support_requests = %d, want %d", n, created)
		}
		var added []string
		for _, row := range dump(t, db, "audit_entries", "id") {
			if !slices.Contains(audits, row) {
				added = append(added, row)
			}
		}
		if len(added) != created {
			t.Errorf("%d audit entries added, want %d", len(added), created)
		}
		for _, row := range added {
			if !strings.Contains(row, "action=support_request.created\x1f") {
				t.Errorf("unexpected audit entry %s", row)
			}
		}
		// One outbox event per request, and no other.
		events := dump(t, db, "outbox_events", "id")
		if len(events) != created {
			t.Errorf("%d outbox events, want %d", len(events), created)
		}
		for _, row := range events {
			if !strings.Contains(row, "type=support_request.created\x1f") || !strings.Contains(row, "workspace_id="+b.workspace+"\x1f") {
				t.Errorf("unexpected outbox event %s", row)
			}
		}

		if calls := guard.calls(); len(calls) > 0 {
			t.Errorf("outbound HTTP calls: %q", calls)
		}
		// The guard is in place: a call through the default client is caught.
		if _, err := http.Get("http://example.invalid/"); err == nil || len(guard.calls()) != 1 {
			t.Error("the outbound HTTP guard is not installed")
		}
	})
}
