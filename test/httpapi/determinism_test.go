package httpapi_test

import (
	"bytes"
	"encoding/json"
	"net/http"
	"slices"
	"testing"

	"supportdesk/adapters/gormstore"
)

// preview is the body of an attachment preview.
type preview struct {
	AttachmentMode string   `json:"attachment_mode"`
	Reason         *string  `json:"reason"`
	Included       []string `json:"included"`
	Omitted        []struct {
		Section string `json:"section"`
		Reason  string `json:"reason"`
	} `json:"omitted"`
	ContextDigest string `json:"context_digest"`
}

func (s *server) preview(t *testing.T, path, token string) preview {
	t.Helper()
	res := s.get(t, path+"/support-requests/attachment-preview", token)
	if res.Status != http.StatusOK {
		t.Fatalf("preview: %s", res)
	}
	var p preview
	decodeStrict(t, res.Body, &p)
	return p
}

// TestDeterminism checks docs/envelope.md: two identical submissions make two
// references with one context digest, which is the digest the preview
// announced before and still announces after.
func TestDeterminism(t *testing.T) {
	forEachEngine(t, func(t *testing.T, db *gormstore.DB) {
		w := newWorld()
		b := newBasic(w)
		w.load(t, db)
		s := newServer(t, db)

		for _, path := range []string{"/v1/tenants/" + b.tenant, "/v1/operation-runs/" + b.run} {
			for _, role := range []string{"owner", "operator"} {
				token := b.roles[role].token
				before := s.preview(t, path, token)
				body := obj(m("severity", "low"), m("summary", "Same input twice"), m("contact_email", "ops@example.com"))
				first := createdOf(t, s.post(t, path+"/support-requests", token, body))
				second := createdOf(t, s.post(t, path+"/support-requests", token, body))
				after := s.preview(t, path, token)

				if first.Reference == second.Reference {
					t.Errorf("%s as %s: one reference for two submissions", path, role)
				}
				if first.ContextDigest != second.ContextDigest || first.ContextDigest != before.ContextDigest ||
					after.ContextDigest != before.ContextDigest {
					t.Errorf("%s as %s: digests preview %s, first %s, second %s, preview after %s", path, role,
						before.ContextDigest, first.ContextDigest, second.ContextDigest, after.ContextDigest)
				}
				if before.AttachmentMode != first.AttachmentMode {
					t.Errorf("%s as %s: preview mode %s, stored %s", path, role, before.AttachmentMode, first.AttachmentMode)
				}
				a, b := s.rawContext(t, first.Reference, token), s.rawContext(t, second.Reference, token)
				if !bytes.Equal(a, b) {
					t.Errorf("%s as %s: the stored envelopes differ", path, role)
				}
			}
		}
	})
}

// TestPreview checks what the preview tells for each attachment outcome.
func TestPreview(t *testing.T) {
	forEachEngine(t, func(t *testing.T, db *gormstore.DB) {
		w := newWorld()
		b := newBasic(w)
		w.load(t, db)
		s := newServer(t, db)

		owner := s.preview(t, "/v1/operation-runs/"+b.run, b.roles["owner"].token)
		if owner.AttachmentMode != "diagnostics_attached" || owner.Reason != nil || !slices.Contains(owner.Included, "diagnostics") {
			t.Errorf("owner preview %+v", owner)
		}
		op := s.preview(t, "/v1/tenants/"+b.tenant, b.roles["operator"].token)
		if op.AttachmentMode != "canonical_context_only" || op.Reason == nil || *op.Reason != "capability_missing" {
			t.Errorf("operator preview %+v", op)
		}
		omitted := map[string]string{}
		for _, o := range op.Omitted {
			omitted[o.Section] = o.Reason
		}
		if omitted["diagnostics"] != "capability_missing" || omitted["operation_run"] != "not_applicable" {
			t.Errorf("operator preview omits %v", omitted)
		}
	})
}

// rawContext returns the stored envelope bytes of a request, as sent.
func (s *server) rawContext(t *testing.T, ref, token string) []byte {
	t.Helper()
	res := s.get(t, "/v1/support-requests/"+ref, token)
	var rec struct {
		Context json.RawMessage `json:"context"`
	}
	if err := json.Unmarshal(res.Body, &rec); err != nil {
		t.Fatalf("decode record %s: %v", ref, err)
	}
	return rec.Context
}
