package httpapi_test

import (
	"encoding/json"
	"net/http"
	"net/http/httptest"
	"testing"

	"supportdesk/adapters/gormstore"
	"supportdesk/adapters/httpapi"
	"supportdesk/adapters/ratelimit"
)

// Failed authentication is throttled per client address: after the
// budget, that address gets 429 with Retry-After — even for a good token —
// while another address, and so the user whose token was guessed, goes on.
// X-Forwarded-For names the client only behind a trusted proxy.
func TestFailedAuthenticationIsThrottledPerAddress(t *testing.T) {
	forEachEngine(t, func(t *testing.T, db *gormstore.DB) {
		w := newWorld()
		b := newBasic(w)
		w.load(t, db)
		const budget = 5
		path := "/v1/tenants/" + b.tenant + "/support-requests/attachment-preview"
		good := b.roles["owner"].token
		from := func(s *server, addr, token string) response {
			req := httptest.NewRequest(http.MethodGet, path, nil)
			bearer(req, token)
			if addr != "" {
				req.Header.Set("X-Forwarded-For", addr)
			}
			return s.sendTCP(t, req)
		}

		t.Run("behind a trusted proxy", func(t *testing.T) {
			s := newServerWith(t, db, httpapi.Config{AuthFailures: ratelimit.NewFailures(budget), TrustedProxies: []string{"127.0.0.1"}})
			for i := range budget {
				if r := from(s, "203.0.113.7", "wrong-token-that-is-long-enough"); r.Status != http.StatusUnauthorized {
					t.Fatalf("failure %d: %s, want 401", i+1, r)
				}
			}
			for _, token := range []string{"wrong-token-that-is-long-enough", good} {
				r := from(s, "203.0.113.7", token)
				var p problemBody
				if r.Status != http.StatusTooManyRequests || r.Header.Get("Retry-After") == "" ||
					json.Unmarshal(r.Body, &p) != nil || p.Type != httpapi.ProblemTypeBase+"rate-limited" {
					t.Fatalf("over the budget: %s (Retry-After %q), want a 429 problem", r, r.Header.Get("Retry-After"))
				}
			}
			if r := from(s, "198.51.100.2", good); r.Status != http.StatusOK {
				t.Fatalf("the same user from another address: %s, want 200", r)
			}
			// No credentials at all guess nothing: not counted, not refused.
			if r := from(s, "198.51.100.3", ""); r.Status != http.StatusUnauthorized {
				t.Fatalf("no token: %s", r)
			}
		})

		t.Run("without a trusted proxy the header is ignored", func(t *testing.T) {
			s := newServerWith(t, db, httpapi.Config{AuthFailures: ratelimit.NewFailures(budget)})
			for i := range budget {
				// A new forged address each time does not escape the count.
				if r := from(s, "192.0.2."+string(rune('1'+i)), "wrong-token-that-is-long-enough"); r.Status != http.StatusUnauthorized {
					t.Fatalf("failure %d: %s", i+1, r)
				}
			}
			if r := from(s, "192.0.2.99", good); r.Status != http.StatusTooManyRequests {
				t.Fatalf("forged X-Forwarded-For escaped the throttle: %s", r)
			}
		})
	})
}
