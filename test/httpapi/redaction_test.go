package httpapi_test

import (
	"context"
	"encoding/base64"
	"fmt"
	"net/http"
	"strings"
	"testing"
	"time"

	"supportdesk/adapters/gormstore"
	"supportdesk/core/envelope"
	"supportdesk/core/platform"
	"supportdesk/core/usecase"
)

// canaries hands out unique secrets and finds them again.
type canaries []string

func (c *canaries) next() string {
	s := "CANARY" + randomHex(8)
	*c = append(*c, s)
	return s
}

// jwt returns a JWT whose payload holds a fresh canary; the whole token
// is a canary too.
func (c *canaries) jwt() string {
	enc := base64.RawURLEncoding
	tok := enc.EncodeToString([]byte(`{"alg":"HS256"}`)) + "." +
		enc.EncodeToString([]byte(`{"sub":"`+c.next()+`"}`)) + "." + enc.EncodeToString([]byte(c.next()))
	*c = append(*c, tok)
	return tok
}

// leaks returns the canaries found in text.
func (c canaries) leaks(text string) []string {
	var out []string
	for _, s := range c {
		if strings.Contains(text, s) {
			out = append(out, s)
		}
	}
	return out
}

// TestRedactionCanaries plants unique secrets in raw provider payloads,
// provider error messages, run failure messages and audit metadata, then
// uses every endpoint: no secret may reach a stored row, audit metadata,
// a response or the log.
func TestRedactionCanaries(t *testing.T) {
	forEachEngine(t, func(t *testing.T, db *gormstore.DB) {
		var secrets canaries
		w := newWorld()
		b := newBasic(w)
		checked := w.at()
		w.ProviderConnections = append(w.ProviderConnections, platform.ProviderConnection{
			ID: w.ids.NewID(), TenantID: b.tenant, Provider: "microsoft_graph", Status: "degraded", ConsentState: "granted",
			LastCheckedAt: &checked, LastErrorCode: "unauthorized",
			LastErrorMessage: "graph call failed: Authorization: Bearer " + secrets.next() +
				"; retried https://svc:" + secrets.next() + "@graph.example.com/v1.0",
			RawPayload: []byte(fmt.Sprintf(`{"access_token":%q,"note":%q,"nested":{"password":%q}}`,
				secrets.next(), secrets.next(), secrets.next())),
		})
		start := w.at()
		w.OperationRuns = append(w.OperationRuns, platform.OperationRun{
			ID: w.ids.NewID(), TenantID: b.tenant, Type: "backup", Status: "completed", Outcome: "failed",
			StartedAt: start, CompletedAt: &start, FailureCode: "auth_failed",
			FailureMessage: "backup failed: token=" + secrets.next() + " rejected; jwt " + secrets.jwt() +
				"\n-----BEGIN PRIVATE KEY-----\n" + secrets.next() + "\n-----END PRIVATE KEY-----" +
				" see https://store.example.com/b?sv=1&sig=" + secrets.next(),
			RawPayload: []byte(fmt.Sprintf(`{"refresh_token":%q,"plain":%q}`, secrets.next(), secrets.next())),
		})
		failedRun := w.OperationRuns[len(w.OperationRuns)-1].ID
		seededAudit := w.ids.NewID()
		w.AuditEntries = append(w.AuditEntries, platform.AuditEntry{
			ID: seededAudit, WorkspaceID: b.workspace, TenantID: b.tenant, ActorID: b.roles["owner"].id,
			Action: "connection.updated", SubjectType: "provider_connection", SubjectID: "conn-1", OccurredAt: w.at(),
			Metadata: []byte(fmt.Sprintf(`{"client_secret":%q,"detail":"Basic %s","plain":%q}`,
				secrets.next(), secrets.next(), secrets.next())),
		})
		w.load(t, db)

		s := newServer(t, db)
		// A second server whose diagnostics builder fails with a secret in
		// its error: the failure is logged, the secret is not.
		failing := newServer(t, db, func(d *usecase.Deps) {
			// The separate reads, where a bundle can fail on its own.
			d.Envelopes = nil
			d.Diagnostics = failingDiagnostics{err: fmt.Errorf("provider said: Authorization: Bearer %s", secrets.next())}
		})
		owner, operator := b.roles["owner"], b.roles["operator"]
		body := obj(sev, sum, m("contact_name", "Contact Person"), m("contact_email", "contact-person@example.com"))

		var responses []response
		for _, srv := range []*server{s, failing} {
			for _, path := range []string{"/v1/tenants/" + b.tenant, "/v1/operation-runs/" + failedRun} {
				for _, who := range []member{owner, operator} {
					responses = append(responses,
						srv.get(t, path+"/support-requests/attachment-preview", who.token),
						srv.get(t, path+"/support-diagnostics", who.token))
					res := srv.post(t, path+"/support-requests", who.token, body)
					c := createdOf(t, res)
					responses = append(responses, res, srv.get(t, "/v1/support-requests/"+c.Reference, who.token))
				}
			}
		}
		var all strings.Builder
		for _, r := range responses {
			fmt.Fprintf(&all, "%s %v\n", r.Body, r.Header)
		}
		if leaks := secrets.leaks(all.String()); len(leaks) > 0 {
			t.Errorf("responses leak %q", leaks)
		}
		// The messages did flow through, with only their secrets replaced.
		for _, want := range []string{"graph call failed: Authorization: Bearer [REDACTED]", "backup failed: token=[REDACTED]"} {
			if !strings.Contains(all.String(), want) {
				t.Errorf("no response holds %q", want)
			}
		}

		var stored []string
		stored = append(stored, dump(t, db, "support_requests", "reference")...)
		for _, row := range dump(t, db, "audit_entries", "id") {
			if !strings.HasPrefix(row, "id="+seededAudit+"\x1f") {
				stored = append(stored, row)
			}
		}
		if len(stored) != 16 {
			t.Fatalf("%d rows dumped, want 8 requests and 8 audit entries", len(stored))
		}
		if leaks := secrets.leaks(strings.Join(stored, "\n")); len(leaks) > 0 {
			t.Errorf("stored rows leak %q", leaks)
		}

		logs := s.logs.String() + failing.logs.String()
		if !strings.Contains(logs, "diagnostics bundle unavailable") {
			t.Errorf("the failing builder was not logged: %s", logs)
		}
		if leaks := secrets.leaks(logs); len(leaks) > 0 {
			t.Errorf("the log leaks %q", leaks)
		}
		for _, private := range []string{owner.token, operator.token, "contact-person@example.com", "Contact Person", "Sync keeps failing"} {
			if strings.Contains(logs, private) {
				t.Errorf("the log holds %q", private)
			}
		}
	})
}

// failingDiagnostics is a diagnostics builder that always fails.
type failingDiagnostics struct{ err error }

func (f failingDiagnostics) Bundle(context.Context, envelope.Scope) (envelope.Bundle, error) {
	return envelope.Bundle{}, f.err
}

// TestFailingDiagnosticsStillCreates checks docs/envelope.md: a failing builder
// never blocks a request; it is created with canonical context only.
func TestFailingDiagnosticsStillCreates(t *testing.T) {
	forEachEngine(t, func(t *testing.T, db *gormstore.DB) {
		w := newWorld()
		b := newBasic(w)
		w.load(t, db)
		s := newServer(t, db, func(d *usecase.Deps) {
			d.Envelopes = nil // the separate reads, where a bundle can fail on its own
			d.Diagnostics = failingDiagnostics{err: fmt.Errorf("diagnostics store timed out after %v", time.Second)}
		})
		owner := b.roles["owner"]
		for _, path := range []string{"/v1/tenants/" + b.tenant, "/v1/operation-runs/" + b.run} {
			p := s.preview(t, path, owner.token)
			if p.AttachmentMode != "canonical_context_only" || p.Reason == nil || *p.Reason != "diagnostics_unavailable" {
				t.Errorf("%s: preview %+v", path, p)
			}
			c := createdOf(t, s.post(t, path+"/support-requests", owner.token, obj(sev, sum)))
			if c.AttachmentMode != "canonical_context_only" || c.ContextDigest != p.ContextDigest {
				t.Errorf("%s: created %+v, preview digest %s", path, c, p.ContextDigest)
			}
			ctx := string(s.rawContext(t, c.Reference, owner.token))
			for _, want := range []string{
				`"attachment":{"mode":"canonical_context_only","reason":"diagnostics_unavailable"}`,
				`"diagnostics":{"reason":"diagnostics_unavailable","state":"omitted"}`,
			} {
				if !strings.Contains(ctx, want) {
					t.Errorf("%s: the envelope lacks %s", path, want)
				}
			}
			// The bundle on its own is unavailable: retry later.
			res := s.get(t, path+"/support-diagnostics", owner.token)
			problemOf(t, res, http.StatusServiceUnavailable)
			if res.Header.Get("Retry-After") == "" {
				t.Errorf("%s: 503 without Retry-After", path)
			}
			if strings.Contains(string(res.Body), "timed out") {
				t.Errorf("%s: the 503 tells the cause: %s", path, res.Body)
			}
		}
	})
}

// TestOperatorTextIsStoredRedacted: a secret an operator pastes into the
// summary, the notes or the contact name is redacted when the request is
// made, so it reaches no response, stored row or log line; the rest of
// the text, and the contact email, stay whole. A repeat with the same
// Idempotency-Key replays: the key is matched on the text as sent.
func TestOperatorTextIsStoredRedacted(t *testing.T) {
	forEachEngine(t, func(t *testing.T, db *gormstore.DB) {
		var secrets canaries
		w := newWorld()
		b := newBasic(w)
		w.load(t, db)
		s := newServer(t, db)
		owner := b.roles["owner"].token
		body := obj(sev,
			m("summary", "Sync fails: client_secret="+secrets.next()),
			m("reproduction_notes", "Ran:\nGET /v1.0/users\nAuthorization: Bearer "+secrets.next()+"\nGot 401"),
			m("contact_name", "Ops password="+secrets.next()),
			m("contact_email", "ops@example.com"))
		path := "/v1/tenants/" + b.tenant + "/support-requests"
		first := s.postKey(t, path, owner, "paste-1", body)
		c := createdOf(t, first)
		again := s.postKey(t, path, owner, "paste-1", body)
		if createdOf(t, again).Reference != c.Reference {
			t.Errorf("the repeat with the same key and body made a new request")
		}
		got := s.get(t, "/v1/support-requests/"+c.Reference, owner)
		rec := s.record(t, c.Reference, owner)

		var all strings.Builder
		for _, r := range []response{first, again, got} {
			fmt.Fprintf(&all, "%s %v\n", r.Body, r.Header)
		}
		all.WriteString(strings.Join(dump(t, db, "support_requests", "reference"), "\n"))
		all.WriteString(s.logs.String())
		if leaks := secrets.leaks(all.String()); len(leaks) > 0 {
			t.Errorf("the pasted secrets leak: %q", leaks)
		}
		for field, want := range map[string]string{
			"summary":       "Sync fails: client_secret=[REDACTED]",
			"contact_name":  "Ops password=[REDACTED]",
			"contact_email": "ops@example.com",
		} {
			if rec[field] != want {
				t.Errorf("%s = %q, want %q", field, rec[field], want)
			}
		}
		notes, _ := rec["reproduction_notes"].(string)
		if !strings.HasPrefix(notes, "Ran:\nGET /v1.0/users\nAuthorization: ") || !strings.HasSuffix(notes, "[REDACTED]\nGot 401") {
			t.Errorf("reproduction_notes = %q, want only the token redacted", notes)
		}
	})
}
