package delivery

import (
	"bytes"
	"encoding/json"
	"slices"
	"strings"
	"testing"
	"time"

	"supportdesk/core/canon"
	"supportdesk/core/redact"
	"supportdesk/core/reference"
	"supportdesk/core/support"
)

const (
	creatorID   = "7d1c2f04-5b0e-4d8e-9a41-2f6c0b7e9a10"
	workspaceID = "0b8f3c1e-3c52-4a8f-b2a5-6f8f1d1f2a33"
	tenantID    = "9a6e4d2b-1c3f-4e5a-8b7c-0d1e2f3a4b5c"
	eventID     = "01J9Z8K3M4N5P6Q7R8S9T0V1W2"
)

var (
	createdAt  = time.Date(2025, 3, 4, 5, 6, 7, 123456000, time.UTC)
	occurredAt = createdAt
)

// envelope returns canonical bytes shaped like a stored envelope.
func envelope(t *testing.T) []byte {
	t.Helper()
	b, err := canon.Marshal(map[string]any{
		"schema":    "support-request-context/v2",
		"tenant":    map[string]any{"id": tenantID, "name": "Contoso \"EU\"", "open": 3},
		"redaction": map[string]any{"policy": "v2", "count": 1, "rules": map[string]any{"jwt": 1}},
		"findings":  []any{"a", "ü", 1.5},
	})
	if err != nil {
		t.Fatal(err)
	}
	return b
}

func request(t *testing.T, d support.Details, context []byte) *support.Request {
	t.Helper()
	ref, err := reference.NewGenerator().New(createdAt)
	if err != nil {
		t.Fatal(err)
	}
	r, err := support.New(support.Params{
		Reference: ref, WorkspaceID: workspaceID, TenantID: tenantID,
		Primary: support.PrimaryContext{Type: support.ContextTenant, ID: tenantID},
		Input: support.Input{Severity: string(d.Severity), Summary: d.Summary, ReproductionNotes: d.ReproductionNotes,
			ContactName: d.ContactName, ContactEmail: d.ContactEmail},
		CreatedBy: creatorID, CreatedAt: createdAt, Mode: support.DiagnosticsAttached, Context: context,
	})
	if err != nil {
		t.Fatal(err)
	}
	return r
}

var details = support.Details{Severity: support.SeverityHigh, Summary: "Backups fail",
	ReproductionNotes: "Run a backup\nsee the error", ContactName: "Ada Lovelace", ContactEmail: "ada@example.com"}

var creator = Creator{ID: creatorID, Name: "Grace Hopper", Email: "grace@example.com"}

func TestBodyHoldsEverySection11Field(t *testing.T) {
	env := envelope(t)
	r := request(t, details, env)
	body, err := Body(eventID, occurredAt, r, creator)
	if err != nil {
		t.Fatal(err)
	}

	var got struct {
		Type       string         `json:"type"`
		ID         string         `json:"id"`
		OccurredAt string         `json:"occurred_at"`
		Data       map[string]any `json:"data"`
	}
	if err := json.Unmarshal(body, &got); err != nil {
		t.Fatalf("body is not JSON: %v\n%s", err, body)
	}
	if got.Type != "support_request.created" || got.ID != eventID || got.OccurredAt != "2025-03-04T05:06:07.123456Z" {
		t.Errorf("envelope fields = %q %q %q", got.Type, got.ID, got.OccurredAt)
	}
	wantKeys := []string{"attachment_mode", "contact_email", "contact_name", "context", "context_digest", "created_at",
		"created_by", "primary_context", "reference", "reproduction_notes", "severity", "summary", "tenant_id", "workspace_id"}
	var keys []string
	for k := range got.Data {
		keys = append(keys, k)
	}
	slices.Sort(keys)
	if !slices.Equal(keys, wantKeys) {
		t.Errorf("data keys = %v, want %v", keys, wantKeys)
	}
	want := map[string]any{
		"reference":          r.Reference().String(),
		"workspace_id":       workspaceID,
		"tenant_id":          tenantID,
		"severity":           "high",
		"summary":            "Backups fail",
		"reproduction_notes": "Run a backup\nsee the error",
		"contact_name":       "Ada Lovelace",
		"contact_email":      "ada@example.com",
		"created_at":         "2025-03-04T05:06:07.123456Z",
		"attachment_mode":    "diagnostics_attached",
		"context_digest":     canon.Digest(env),
	}
	for k, v := range want {
		if got.Data[k] != v {
			t.Errorf("data.%s = %v, want %v", k, got.Data[k], v)
		}
	}
	pc, _ := got.Data["primary_context"].(map[string]any)
	if pc["type"] != "tenant" || pc["id"] != tenantID || len(pc) != 2 {
		t.Errorf("primary_context = %v", pc)
	}
	cb, _ := got.Data["created_by"].(map[string]any)
	if cb["id"] != creatorID || cb["name"] != "Grace Hopper" || cb["email"] != "grace@example.com" || len(cb) != 3 {
		t.Errorf("created_by = %v", cb)
	}
}

func TestBodyEmbedsTheStoredEnvelopeByteForByte(t *testing.T) {
	env := envelope(t)
	body, err := Body(eventID, occurredAt, request(t, details, env), creator)
	if err != nil {
		t.Fatal(err)
	}
	var raw struct {
		Data struct {
			Context json.RawMessage `json:"context"`
			Digest  string          `json:"context_digest"`
		} `json:"data"`
	}
	if err := json.Unmarshal(body, &raw); err != nil {
		t.Fatal(err)
	}
	if !bytes.Equal(raw.Data.Context, env) {
		t.Fatalf("data.context = %s\nwant the stored bytes %s", raw.Data.Context, env)
	}
	if canon.Digest(raw.Data.Context) != raw.Data.Digest {
		t.Error("a receiver cannot check context_digest against data.context")
	}
}

func TestBodyIsCanonicalAndDeterministic(t *testing.T) {
	r := request(t, details, envelope(t))
	a, err := Body(eventID, occurredAt, r, creator)
	if err != nil {
		t.Fatal(err)
	}
	b, err := Body(eventID, occurredAt, r, creator)
	if err != nil {
		t.Fatal(err)
	}
	if !bytes.Equal(a, b) {
		t.Fatal("two bodies of the same event differ")
	}
	dec := json.NewDecoder(bytes.NewReader(a))
	dec.UseNumber()
	var v any
	if err := dec.Decode(&v); err != nil {
		t.Fatal(err)
	}
	again, err := canon.Marshal(v)
	if err != nil {
		t.Fatal(err)
	}
	if !bytes.Equal(again, a) {
		t.Fatalf("body is not canonical:\n got %s\nwant %s", a, again)
	}
}

func TestBodyRedactsEveryFreeTextValue(t *testing.T) {
	const jwt = "eyJhbGciOiJIUzI1NiJ9.eyJzdWIiOiIxMjM0NTY3ODkwIn0.dozjgNryP4J3jVmNHl0w5N_XgL0n3I9PlFUP0THsR8U"
	d := details
	d.Summary = "Sync fails with password=Hunter2Hunter2"
	d.ReproductionNotes = "curl -H \"Authorization: Bearer " + jwt + "\" https://graph.example.com/v1"
	d.ContactName = "token: " + jwt
	d.ContactEmail = "ops@example.com"
	c := creator
	c.Name = "Grace " + jwt
	c.Email = "grace@example.com"

	body, err := Body(eventID, occurredAt, request(t, d, envelope(t)), c)
	if err != nil {
		t.Fatal(err)
	}
	for _, secret := range []string{"Hunter2Hunter2", jwt, "dozjgNryP4J3"} {
		if bytes.Contains(body, []byte(secret)) {
			t.Errorf("body leaks %q:\n%s", secret, body)
		}
	}
	if n := bytes.Count(body, []byte(redact.Marker)); n < 4 {
		t.Errorf("body has %d markers, want one per secret (4):\n%s", n, body)
	}
	if !bytes.Contains(body, []byte("Sync fails with password=")) || !bytes.Contains(body, []byte("https://graph.example.com/v1")) {
		t.Errorf("redaction removed more than the secrets:\n%s", body)
	}
}

func TestBodyKeepsTextThatLooksLikeItsOwnPlumbing(t *testing.T) {
	d := details
	d.Summary = `"context-00000000000000000000000000000000" {"context":1}`
	body, err := Body(eventID, occurredAt, request(t, d, envelope(t)), creator)
	if err != nil {
		t.Fatal(err)
	}
	var got struct {
		Data struct {
			Summary string `json:"summary"`
		} `json:"data"`
	}
	if err := json.Unmarshal(body, &got); err != nil {
		t.Fatal(err)
	}
	if got.Data.Summary != d.Summary {
		t.Errorf("summary = %q, want %q", got.Data.Summary, d.Summary)
	}
}

func TestBodyRefusesWhatTheSystemGotWrong(t *testing.T) {
	good := request(t, details, envelope(t))
	ref := good.Reference()
	broken := support.Rehydrate(support.Stored{
		Reference: ref, WorkspaceID: workspaceID, TenantID: tenantID, Primary: good.PrimaryContext(), Details: details,
		CreatedBy: creatorID, CreatedAt: createdAt, Mode: support.CanonicalContextOnly,
		Context: []byte(`{"schema":`), Digest: "sha256:00",
	})
	cases := []struct {
		name    string
		id      string
		r       *support.Request
		creator Creator
		want    string
	}{
		{"no event id", "", good, creator, "no id"},
		{"no creator id", eventID, good, Creator{Name: "x"}, "is not the creator"},
		{"another creator", eventID, good, Creator{ID: "someone-else"}, "is not the creator"},
		{"envelope not JSON", eventID, broken, creator, "not valid JSON"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			b, err := Body(c.id, occurredAt, c.r, c.creator)
			if err == nil || !strings.Contains(err.Error(), c.want) || b != nil {
				t.Fatalf("Body = %q, %v; want an error saying %q", b, err, c.want)
			}
		})
	}
}

func TestSubject(t *testing.T) {
	got, err := Subject(workspaceID)
	if err != nil || got != "supportdesk.support_request.created."+workspaceID {
		t.Fatalf("Subject = %q, %v", got, err)
	}
	if !strings.HasPrefix(got, SubjectPrefix) {
		t.Errorf("%q does not start with SubjectPrefix", got)
	}
	for _, bad := range []string{"", "a.b", "*", ">", "a b", "a\tb", "a\n"} {
		if s, err := Subject(bad); err == nil {
			t.Errorf("Subject(%q) = %q, want an error", bad, s)
		}
	}
}
