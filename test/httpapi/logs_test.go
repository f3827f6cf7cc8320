package httpapi_test

import (
	"bufio"
	"encoding/json"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"

	"supportdesk/adapters/gormstore"
)

// requestLine is the one log line of a request.
type requestLine struct {
	Msg       string   `json:"msg"`
	Level     string   `json:"level"`
	RequestID string   `json:"request_id"`
	Method    string   `json:"method"`
	Route     string   `json:"route"`
	Status    int      `json:"status"`
	LatencyMS *float64 `json:"latency_ms"`
	UserID    string   `json:"user_id"`
}

// TestOneLogLinePerRequest: every request gets one JSON line with its
// method, route template, status, latency and request id — the client's
// X-Request-ID when it sent one — and no log line holds a body, a token,
// a contact detail, a secret or a raw path.
func TestOneLogLinePerRequest(t *testing.T) {
	forEachEngine(t, func(t *testing.T, db *gormstore.DB) {
		w := newWorld()
		b := newBasic(w)
		w.load(t, db)
		s := newServer(t, db)
		canary := "CANARY" + randomHex(6)
		owner := b.roles["owner"]
		create := "/v1/tenants/" + b.tenant + "/support-requests"
		full := obj(sev, m("summary", "Summary "+canary), m("reproduction_notes", "password="+canary+"pw"),
			m("contact_name", "Name "+canary), m("contact_email", strings.ToLower(canary)+"@example.test"))

		type sent struct {
			req   *http.Request
			route string
			user  string
		}
		var reqs []sent
		add := func(method, path, token, body, route, user string, header ...string) {
			req := httptest.NewRequest(method, path, strings.NewReader(body))
			if body != "" {
				req.Header.Set("Content-Type", "application/json")
			}
			bearer(req, token)
			for i := 0; i+1 < len(header); i += 2 {
				req.Header.Set(header[i], header[i+1])
			}
			reqs = append(reqs, sent{req, route, user})
		}
		createRoute := "/v1/tenants/:tenantID/support-requests"
		add(http.MethodPost, create, owner.token, full, createRoute, owner.id, "X-Request-ID", "client-"+randomHex(4), "Idempotency-Key", canary+"key")
		add(http.MethodPost, create, owner.token, `{"summary":"`+canary, createRoute, owner.id)
		add(http.MethodPost, create, "tok-"+canary, full, createRoute, "")
		add(http.MethodPost, create, owner.token, obj(sev, m("summary", canary), m("contact_email", "not-an-address-"+canary)), createRoute, owner.id)
		add(http.MethodGet, create+"/attachment-preview", owner.token, "", "/v1/tenants/:tenantID/support-requests/attachment-preview", owner.id)
		add(http.MethodGet, "/v1/no/"+canary, owner.token, "", "unmatched", "")

		answers := make([]response, len(reqs))
		for i, r := range reqs {
			answers[i] = s.send(t, r.req)
		}
		ref := createdOf(t, answers[0]).Reference
		getReq := httptest.NewRequest(http.MethodGet, "/v1/support-requests/"+ref, nil)
		bearer(getReq, owner.token)
		reqs = append(reqs, sent{getReq, "/v1/support-requests/:reference", owner.id})
		answers = append(answers, s.send(t, getReq))
		if !strings.Contains(string(answers[len(answers)-1].Body), canary) {
			t.Fatal("the read does not return the contact details, so the test shows nothing")
		}

		var lines []requestLine
		sc := bufio.NewScanner(strings.NewReader(s.logs.String()))
		for sc.Scan() {
			var l requestLine
			if err := json.Unmarshal(sc.Bytes(), &l); err != nil {
				t.Fatalf("a log line is not JSON: %s", sc.Text())
			}
			if l.Msg == "request" {
				lines = append(lines, l)
			}
		}
		if len(lines) != len(reqs) {
			t.Fatalf("%d request lines for %d requests:\n%s", len(lines), len(reqs), s.logs.String())
		}
		for i, l := range lines {
			r, res := reqs[i], answers[i]
			want := requestLine{Msg: "request", Level: "INFO", RequestID: res.Header.Get("X-Request-ID"),
				Method: r.req.Method, Route: r.route, Status: res.Status, UserID: r.user}
			got := l
			got.LatencyMS = nil
			if got != want || l.LatencyMS == nil || *l.LatencyMS < 0 {
				t.Errorf("line %d: %+v (latency %v), want %+v", i, got, l.LatencyMS, want)
			}
		}
		if id := reqs[0].req.Header.Get("X-Request-ID"); lines[0].RequestID != id {
			t.Errorf("the client's request id %q was logged as %q", id, lines[0].RequestID)
		}
		logs := s.logs.String()
		for _, secret := range []string{canary, strings.ToLower(canary), owner.token, b.tenant} {
			if strings.Contains(logs, secret) {
				t.Errorf("the log holds %q:\n%s", secret, logs)
			}
		}
	})
}
