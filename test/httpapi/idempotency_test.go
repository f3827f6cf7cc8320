package httpapi_test

import (
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"

	"supportdesk/adapters/gormstore"
)

// TestIdempotencyKeyReachesTheUseCase checks that the create endpoints
// pass Idempotency-Key on: a repeat replays the first request, another
// body under the same key is refused. (The use case's own suite covers
// the rest of SPEC §8's rules.)
func TestIdempotencyKeyReachesTheUseCase(t *testing.T) {
	forEachEngine(t, func(t *testing.T, db *gormstore.DB) {
		w := newWorld()
		b := newBasic(w)
		w.load(t, db)
		s := newServer(t, db)
		token := b.roles["owner"].token
		send := func(key, body string) response {
			req := httptest.NewRequest(http.MethodPost, "/v1/tenants/"+b.tenant+"/support-requests", strings.NewReader(body))
			req.Header.Set("Content-Type", "application/json")
			req.Header.Set("Idempotency-Key", key)
			bearer(req, token)
			return s.send(t, req)
		}
		first := createdOf(t, send("key-1", obj(sev, sum)))
		again := createdOf(t, send("key-1", obj(sev, sum)))
		if again.Reference != first.Reference {
			t.Errorf("a repeat made %s, want %s", again.Reference, first.Reference)
		}
		p := problemOf(t, send("key-1", obj(sev, m("summary", "Another summary"))), http.StatusUnprocessableEntity)
		if len(p.Errors) != 1 || p.Errors[0].Field != "Idempotency-Key" {
			t.Errorf("another body under the key: %+v", p)
		}
		problemOf(t, send(strings.Repeat("k", 256), obj(sev, sum)), http.StatusUnprocessableEntity)
		if other := createdOf(t, send("key-2", obj(sev, sum))); other.Reference == first.Reference {
			t.Error("another key replayed the first request")
		}
		if n := count(t, db, "support_requests"); n != 2 {
			t.Errorf("support_requests = %d, want 2", n)
		}
	})
}
