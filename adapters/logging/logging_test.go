package logging

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"log/slog"
	"strings"
	"testing"
)

const (
	requestID = "8c2a9f1e-601e-4042-9a1b-9bd5a3b0c0d1"
	jwt       = "eyJhbGciOiJIUzI1NiJ9.eyJzdWIiOiJjYW5hcnkifQ.c2lnbmF0dXJlLWNhbmFyeQ"
)

type credentials struct {
	User     string
	Password string
	Note     string `json:"note"`
}

type account struct {
	ID    string
	Creds *credentials
	Tags  []string
}

// secretValuer logs a secret through slog.LogValuer.
type secretValuer struct{}

func (secretValuer) LogValue() slog.Value {
	return slog.GroupValue(slog.String("id", requestID), slog.String("token", "canary-valuer"))
}

// stringer has no JSON form (a channel) but a text one.
type stringer struct{ Ch chan int }

func (stringer) String() string { return "dial failed: password=canary-stringer" }

// TestEveryAttributeShape logs a secret in each shape an attribute can
// take and checks that the secret never appears in the line while the
// ordinary id next to it does.
func TestEveryAttributeShape(t *testing.T) {
	for _, c := range []struct {
		name   string
		log    func(*slog.Logger)
		secret string
	}{
		{"message", func(l *slog.Logger) { l.Info("login with password=canary-msg", "request_id", requestID) }, "canary-msg"},
		{"string", func(l *slog.Logger) {
			l.Info("x", "url", "https://svc:canary-url@graph.example.com", "request_id", requestID)
		}, "canary-url"},
		{"secret-named key", func(l *slog.Logger) { l.Info("x", "client_secret", "canary-key", "request_id", requestID) }, "canary-key"},
		{"secret-named key, number", func(l *slog.Logger) { l.Info("x", slog.Int("pin_token", 918273), "request_id", requestID) }, "918273"},
		{"error", func(l *slog.Logger) {
			l.Info("x", "error", errors.New("upstream said Bearer "+jwt), "request_id", requestID)
		}, jwt},
		{"wrapped error", func(l *slog.Logger) {
			l.Info("x", "error", fmt.Errorf("sync: %w", errors.New("token=canary-wrapped")), "request_id", requestID)
		}, "canary-wrapped"},
		{"map", func(l *slog.Logger) {
			l.Info("x", slog.Any("meta", map[string]any{"password": "canary-map", "request_id": requestID}))
		}, "canary-map"},
		{"map of strings", func(l *slog.Logger) {
			l.Info("x", slog.Any("headers", map[string]string{"Authorization": "Bearer canary-hdr1234", "x-request-id": requestID}))
		}, "canary-hdr1234"},
		{"slice", func(l *slog.Logger) { l.Info("x", slog.Any("args", []string{"--token", "canary-slice", requestID})) }, "canary-slice"},
		{"slice of maps", func(l *slog.Logger) {
			l.Info("x", slog.Any("items", []any{map[string]any{"apiKey": "canary-items"}, requestID}))
		}, "canary-items"},
		{"struct", func(l *slog.Logger) {
			l.Info("x", slog.Any("login", credentials{User: "bob", Password: "canary-struct", Note: requestID}))
		}, "canary-struct"},
		{"pointer to nested struct", func(l *slog.Logger) {
			l.Info("x", slog.Any("acct", &account{ID: requestID, Creds: &credentials{Password: "canary-ptr"}, Tags: []string{"secret=canary-tag"}}))
		}, "canary-ptr"},
		{"nested struct field text", func(l *slog.Logger) {
			l.Info("x", slog.Any("acct", account{ID: requestID, Tags: []string{"secret=canary-tag"}}))
		}, "canary-tag"},
		{"raw JSON", func(l *slog.Logger) {
			l.Info("x", slog.Any("body", json.RawMessage(`{"refresh_token":"canary-raw","request_id":"`+requestID+`"}`)))
		}, "canary-raw"},
		{"log valuer", func(l *slog.Logger) { l.Info("x", slog.Any("v", secretValuer{})) }, "canary-valuer"},
		{"no JSON form", func(l *slog.Logger) { l.Info("x", slog.Any("conn", stringer{}), "request_id", requestID) }, "canary-stringer"},
		{"group", func(l *slog.Logger) {
			l.Info("x", slog.Group("g", "client_secret", "canary-group", "request_id", requestID))
		}, "canary-group"},
		{"nested group", func(l *slog.Logger) {
			l.Info("x", slog.Group("a", slog.Group("b", slog.Any("m", map[string]any{"token": "canary-deep"}), "request_id", requestID)))
		}, "canary-deep"},
		{"with attrs", func(l *slog.Logger) { l.With("session_id", "canary-with", "request_id", requestID).Info("x") }, "canary-with"},
		{"with group", func(l *slog.Logger) {
			l.WithGroup("req").Info("x", "note", "Authorization: Basic Y2FuYXJ5LWJhc2lj", "request_id", requestID)
		}, "Y2FuYXJ5LWJhc2lj"},
	} {
		t.Run(c.name, func(t *testing.T) {
			var buf bytes.Buffer
			c.log(New(&buf, slog.LevelDebug))
			out := buf.String()
			if strings.Contains(out, c.secret) {
				t.Errorf("the log line leaks %q: %s", c.secret, out)
			}
			if !strings.Contains(out, requestID) || !strings.Contains(out, "[REDACTED]") || !json.Valid(bytes.TrimSpace(buf.Bytes())) {
				t.Errorf("the log line lost its ordinary content or its marker: %s", out)
			}
		})
	}
}

// TestOrdinaryValuesKept: numbers, booleans, times and ids pass as they
// are, and a boolean under a secret-named key (one bit) is kept.
func TestOrdinaryValuesKept(t *testing.T) {
	var buf bytes.Buffer
	New(&buf, slog.LevelDebug).Info("sync done", "items", 12873, "ok", true, "password_set", true, "request_id", requestID,
		slog.Any("counts", map[string]int{"failed": 1, "max_tokens": 5}))
	want := `"msg":"sync done","items":12873,"ok":true,"password_set":true,"request_id":"` + requestID + `","counts":{"failed":1,"max_tokens":5}}`
	if !strings.HasSuffix(strings.TrimSpace(buf.String()), want) {
		t.Errorf("got %s\nwant it to end with %s", buf.String(), want)
	}
}
