package httpapi_test

import (
	"bytes"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"net/http"
	"net/http/httptest"
	"slices"
	"strings"
	"testing"
	"time"

	"supportdesk/adapters/gormstore"
	"supportdesk/adapters/system"
)

// TestUnauthenticated checks that every API endpoint answers 401 with
// "WWW-Authenticate: Bearer" and one problem body, before it looks at the
// target or the body, unless the request carries a known bearer token.
func TestUnauthenticated(t *testing.T) {
	forEachEngine(t, func(t *testing.T, db *gormstore.DB) {
		w := newWorld()
		b := newBasic(w)
		w.load(t, db)
		s := newServer(t, db)
		valid := b.roles["owner"].token

		paths := []struct{ method, path string }{
			{http.MethodPost, "/v1/tenants/" + b.tenant + "/support-requests"},
			{http.MethodPost, "/v1/operation-runs/" + b.run + "/support-requests"},
			{http.MethodGet, "/v1/tenants/" + b.tenant + "/support-requests/attachment-preview"},
			{http.MethodGet, "/v1/operation-runs/" + b.run + "/support-requests/attachment-preview"},
			{http.MethodGet, "/v1/tenants/" + b.tenant + "/support-diagnostics"},
			{http.MethodGet, "/v1/operation-runs/" + b.run + "/support-diagnostics"},
			{http.MethodGet, "/v1/support-requests/SR-01J9Z8K3M4N5P6Q7R8S9T0V1W2"},
			{http.MethodGet, "/v1/tenants/" + w.ids.NewID() + "/support-diagnostics"},
		}
		headers := map[string]string{
			"no header":             "",
			"basic scheme":          "Basic b3duZXI6c2VjcmV0",
			"other scheme":          "Token " + valid,
			"scheme only":           "Bearer",
			"empty token":           "Bearer ",
			"unknown token":         "Bearer tok-unknown",
			"token with extra part": "Bearer " + valid + " extra",
			"token without scheme":  valid,
		}
		var first []byte
		for _, p := range paths {
			for name, h := range headers {
				// The body is not JSON: the 401 must come first.
				req := httptest.NewRequest(p.method, p.path, strings.NewReader("not json"))
				req.Header.Set("Content-Type", "text/plain")
				if h != "" {
					req.Header.Set("Authorization", h)
				}
				res := s.send(t, req)
				problemOf(t, res, http.StatusUnauthorized)
				if got := res.Header.Get("WWW-Authenticate"); got != "Bearer" {
					t.Errorf("%s %s, %s: WWW-Authenticate = %q", p.method, p.path, name, got)
				}
				if first == nil {
					first = res.Body
				} else if !bytes.Equal(first, res.Body) {
					t.Errorf("%s %s, %s: 401 body differs: %s", p.method, p.path, name, res.Body)
				}
			}
		}
		if n := count(t, db, "support_requests"); n != 0 {
			t.Errorf("unauthenticated requests created %d rows", n)
		}
		// The scheme name is case-insensitive (RFC 9110 §11.1).
		req := httptest.NewRequest(http.MethodGet, paths[2].path, nil)
		req.Header.Set("Authorization", "bEaReR "+valid)
		if res := s.send(t, req); res.Status != http.StatusOK {
			t.Errorf("lower-case scheme: %s", res)
		}
		if strings.Contains(s.logs.String(), valid) {
			t.Error("a token reached the log")
		}
	})
}

// TestGetSupportRequest checks that only the creator reads a request, as
// the whole record with its context as a JSON object, and that anyone
// else gets the 404 of a reference that does not exist.
func TestGetSupportRequest(t *testing.T) {
	forEachEngine(t, func(t *testing.T, db *gormstore.DB) {
		w := newWorld()
		b := newBasic(w)
		w.load(t, db)
		s := newServer(t, db)
		creator := b.roles["operator"]

		body := obj(m("severity", "blocking"), m("summary", "  Backups fail  "), m("reproduction_notes", "1. run\n2. fail"),
			m("contact_name", "Ada"), m("contact_email", "ada@example.com"))
		c := createdOf(t, s.post(t, "/v1/operation-runs/"+b.run+"/support-requests", creator.token, body))

		res := s.get(t, "/v1/support-requests/"+c.Reference, creator.token)
		if res.Status != http.StatusOK || res.Header.Get("Content-Type") != "application/json" {
			t.Fatalf("creator: %s (%s)", res, res.Header.Get("Content-Type"))
		}
		var rec map[string]json.RawMessage
		if err := json.Unmarshal(res.Body, &rec); err != nil {
			t.Fatal(err)
		}
		keys := make([]string, 0, len(rec))
		for k := range rec {
			keys = append(keys, k)
		}
		slices.Sort(keys)
		want := []string{"attachment_mode", "contact_email", "contact_name", "context", "context_digest", "created_at",
			"created_by", "primary_context", "reference", "reproduction_notes", "severity", "summary", "tenant_id", "workspace_id"}
		if !slices.Equal(keys, want) {
			t.Errorf("record keys %q, want %q", keys, want)
		}
		for key, want := range map[string]string{
			"reference": `"` + c.Reference + `"`, "summary": `"Backups fail"`, "severity": `"blocking"`,
			"reproduction_notes": `"1. run\n2. fail"`, "contact_name": `"Ada"`, "contact_email": `"ada@example.com"`,
			"created_by": `"` + creator.id + `"`, "tenant_id": `"` + b.tenant + `"`, "workspace_id": `"` + b.workspace + `"`,
			"primary_context": `{"type":"operation_run","id":"` + b.run + `"}`, "context_digest": `"` + c.ContextDigest + `"`,
			"created_at": `"` + c.CreatedAt + `"`,
		} {
			if string(rec[key]) != want {
				t.Errorf("%s = %s, want %s", key, rec[key], want)
			}
		}
		if !bytes.HasPrefix(rec["context"], []byte(`{"`)) {
			t.Errorf("context is not a JSON object: %.60s", rec["context"])
		}
		// The context is sent as stored: its bytes hash to the digest.
		sum := sha256.Sum256(rec["context"])
		if "sha256:"+hex.EncodeToString(sum[:]) != c.ContextDigest {
			t.Error("the context bytes sent do not hash to context_digest")
		}
		if _, err := time.Parse(time.RFC3339Nano, c.CreatedAt); err != nil || !strings.HasSuffix(c.CreatedAt, "Z") {
			t.Errorf("created_at %q is not RFC 3339 UTC", c.CreatedAt)
		}

		// Anyone else, even an owner of the tenant, gets the 404 of a
		// reference that does not exist, or is not even well formed.
		unknown, err := system.NewIDs().NewReference(time.Now())
		if err != nil {
			t.Fatal(err)
		}
		missing := s.get(t, "/v1/support-requests/"+unknown.String(), creator.token)
		problemOf(t, missing, http.StatusNotFound)
		for name, res := range map[string]response{
			"tenant owner":          s.get(t, "/v1/support-requests/"+c.Reference, b.roles["owner"].token),
			"readonly member":       s.get(t, "/v1/support-requests/"+c.Reference, b.roles["readonly"].token),
			"malformed":             s.get(t, "/v1/support-requests/SR-123", creator.token),
			"excluded letter":       s.get(t, "/v1/support-requests/SR-"+strings.Repeat("U", 26), creator.token),
			"ULID out of range":     s.get(t, "/v1/support-requests/SR-8"+strings.Repeat("0", 25), creator.token),
			"SQL in the reference":  s.get(t, "/v1/support-requests/SR-%27%20OR%20%271%27=%271", creator.token),
			"reference with suffix": s.get(t, "/v1/support-requests/"+c.Reference+"0", creator.token),
		} {
			if res.Status != http.StatusNotFound || !bytes.Equal(res.Body, missing.Body) {
				t.Errorf("%s: %s, want the 404 of an unknown reference %s", name, res, missing.Body)
			}
		}
		if bytes.Contains(missing.Body, []byte(unknown)) {
			t.Errorf("the 404 echoes the reference: %s", missing.Body)
		}

		// References are accepted in any letter case and shown in upper case.
		for _, ref := range []string{strings.ToLower(c.Reference), "sR-" + strings.ToLower(c.Reference[3:13]) + c.Reference[13:]} {
			again := s.get(t, "/v1/support-requests/"+ref, creator.token)
			if again.Status != http.StatusOK || !bytes.Equal(again.Body, res.Body) {
				t.Errorf("%s: %s, want the record as for %s", ref, again, c.Reference)
			}
		}
		// Someone else's reference in another case is still a 404.
		if other := s.get(t, "/v1/support-requests/"+strings.ToLower(c.Reference), b.roles["owner"].token); !bytes.Equal(other.Body, missing.Body) {
			t.Errorf("another user's request in lower case: %s", other)
		}
	})
}

// TestResponseHeaders checks the request id and the caching headers.
func TestResponseHeaders(t *testing.T) {
	forEachEngine(t, func(t *testing.T, db *gormstore.DB) {
		w := newWorld()
		b := newBasic(w)
		w.load(t, db)
		s := newServer(t, db)
		path := "/v1/tenants/" + b.tenant + "/support-requests/attachment-preview"

		req := httptest.NewRequest(http.MethodGet, path, nil)
		bearer(req, b.roles["owner"].token)
		req.Header.Set("X-Request-ID", "client-id.42:a_b")
		res := s.send(t, req)
		if got := res.Header.Get("X-Request-ID"); got != "client-id.42:a_b" {
			t.Errorf("a valid X-Request-ID came back as %q", got)
		}
		if res.Header.Get("Cache-Control") != "no-store" || res.Header.Get("X-Content-Type-Options") != "nosniff" {
			t.Errorf("headers %v", res.Header)
		}
		for _, id := range []string{"", "has space", strings.Repeat("x", 129), "quote\"", "ünïcode"} {
			req := httptest.NewRequest(http.MethodGet, path, nil)
			bearer(req, b.roles["owner"].token)
			if id != "" {
				req.Header.Set("X-Request-ID", id)
			}
			got := s.send(t, req).Header.Get("X-Request-ID")
			if got == id || len(got) != 32 {
				t.Errorf("X-Request-ID %q came back as %q, want a generated one", id, got)
			}
		}
		if res := s.get(t, "/healthz", ""); res.Status != http.StatusOK {
			t.Errorf("healthz: %s", res)
		}
		res = s.get(t, "/v1/no-such-thing", b.roles["owner"].token)
		problemOf(t, res, http.StatusNotFound)
		// Authentication belongs to each route, so a method no route
		// serves is a 405 naming the ones it does, token or not.
		for _, token := range []string{"", b.roles["owner"].token} {
			req = httptest.NewRequest(http.MethodDelete, "/v1/tenants/"+b.tenant+"/support-requests", nil)
			bearer(req, token)
			res = s.send(t, req)
			problemOf(t, res, http.StatusMethodNotAllowed)
			if got := res.Header.Get("Allow"); got != "POST" {
				t.Errorf("DELETE: Allow %q, want POST", got)
			}
		}
		res = s.send(t, httptest.NewRequest(http.MethodPut, "/healthz", nil))
		if got := res.Header.Get("Allow"); res.Status != http.StatusMethodNotAllowed || got != "GET, HEAD" {
			t.Errorf("PUT /healthz: %s, Allow %q", res, got)
		}
	})
}
