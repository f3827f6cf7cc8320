package httpapi_test

import (
	"bytes"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"slices"
	"strings"
	"testing"

	"supportdesk/adapters/gormstore"
	"supportdesk/adapters/httpapi"
	"supportdesk/adapters/memory"
	"supportdesk/adapters/system"
	"supportdesk/core/usecase"
	"supportdesk/test/testdb"
)

// FuzzCreateRequest sends arbitrary bodies, content types and
// Idempotency-Keys to both create endpoints of the real app over the real
// use case — reads from SQLite, writes to the in-memory fake, so that a
// long run does not grow a database — and requires an answer the API
// documents for the client's mistakes: never a 5xx (a panic would be a
// 500), never a status outside 201, 400, 413, 415, 422.
//
//	go test -run '^$' -fuzz '^FuzzCreateRequest$' -fuzztime 60s ./test/httpapi/
func FuzzCreateRequest(f *testing.F) {
	for _, seed := range []struct {
		contentType, body, key string
		run                    bool
	}{
		{"application/json", `{"severity":"high","summary":"Sync fails"}`, "", false},
		{"application/json", `{"severity":"low","summary":"x","reproduction_notes":"a\nb\tc","contact_name":"Ann","contact_email":"ann@example.com"}`, "k-1", true},
		{"application/json; charset=utf-8", `{"severity":null,"summary":"\ud83d\ude00","contact_email":null}`, "", false},
		{"application/json", `{"summary":"\ud800","severity":"normal","summary":"twice"}`, "", true},
		{"application/json", `{"tenant_id":"x","reference":"SR-1","severity":1,"summary":[]}`, "", false},
		{"application/json", `[{"severity":"high"}]`, "", false},
		{"application/json", `{"severity":"high","summary":"x"} {}`, "", false},
		{"application/json", "\xef\xbb\xbf{}", "", true},
		{"application/json", `{"severity":"high","summary":"` + strings.Repeat("é", 201) + `"}`, "", false},
		{"text/plain", `{"severity":"high","summary":"x"}`, "", false},
		{"application/problem+json", `{}`, "", false},
		{"", ``, "", true},
	} {
		f.Add(seed.contentType, []byte(seed.body), seed.key, seed.run)
	}

	db := testdb.SQLite(f)
	w := newWorld()
	b := newBasic(w)
	w.load(f, db)
	store := memory.New()
	desk := usecase.New(usecase.Deps{
		Requests: store, Idempotency: store,
		Grants: gormstore.NewGrants(db), Contexts: gormstore.NewContexts(db), Diagnostics: gormstore.NewDiagnostics(db),
		Users: gormstore.NewUsers(db), Clock: system.Clock{}, IDs: system.NewIDs(),
	})
	app := httpapi.New(desk, httpapi.Config{}, slog.New(slog.DiscardHandler))
	allowed := []int{http.StatusCreated, http.StatusBadRequest, http.StatusRequestEntityTooLarge,
		http.StatusUnsupportedMediaType, http.StatusUnprocessableEntity}

	f.Fuzz(func(t *testing.T, contentType string, body []byte, key string, run bool) {
		if !validHeaderValue(contentType) || !validHeaderValue(key) {
			t.Skip("not a value a client can send in a header")
		}
		path := "/v1/tenants/" + b.tenant + "/support-requests"
		if run {
			path = "/v1/operation-runs/" + b.run + "/support-requests"
		}
		req := httptest.NewRequest(http.MethodPost, path, bytes.NewReader(body))
		req.Header.Set("Content-Type", contentType)
		bearer(req, b.roles["owner"].token)
		if key != "" {
			// A key seen before replays (201) or refuses another body (422).
			req.Header.Set("Idempotency-Key", key)
		}
		res, err := app.Test(req, -1)
		if err != nil {
			t.Fatal(err)
		}
		defer res.Body.Close()
		answer, err := io.ReadAll(res.Body)
		if err != nil {
			t.Fatal(err)
		}
		if !slices.Contains(allowed, res.StatusCode) {
			t.Fatalf("%d for %q (%s): %s", res.StatusCode, body, contentType, answer)
		}
		if res.StatusCode != http.StatusCreated && res.Header.Get("Content-Type") != "application/problem+json" {
			t.Fatalf("%d as %q", res.StatusCode, res.Header.Get("Content-Type"))
		}
	})
}

// validHeaderValue reports whether v can be sent as a header value: no
// control characters but tab, and no leading or trailing white space (which
// a client would not send and the server would not see).
func validHeaderValue(v string) bool {
	if strings.TrimSpace(v) != v {
		return false
	}
	for i := 0; i < len(v); i++ {
		if c := v[i]; c < 0x20 && c != '\t' || c == 0x7f {
			return false
		}
	}
	return true
}
