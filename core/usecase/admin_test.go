package usecase

import (
	"bytes"
	"context"
	"encoding/json"
	"os"
	"strings"
	"testing"
	"time"

	"supportdesk/core/access"
	"supportdesk/core/audit"
	"supportdesk/core/canon"
	"supportdesk/core/envelope"
	"supportdesk/core/event"
	"supportdesk/core/reference"
	"supportdesk/core/support"
	"supportdesk/ports"
)

// envelopeV1 is an envelope as the v1 code stored it (built at commit
// ad3c0a0, the last of policy v1): byte-ordered keys, \u0008 and \u000c
// escapes, a count of 1,000,000. v1Digest is the digest stored with it.
const v1Digest = "sha256:7f8adb05bfa7ca8a1223abc03d7bac67f8b4171415c152263a561ad2583638aa"

// store puts a request with context b and digest d into the service's
// store and returns its reference.
func store(t *testing.T, d deps, b []byte, digest string) reference.Reference {
	t.Helper()
	ref, err := reference.NewGenerator().New(time.Now())
	if err != nil {
		t.Fatal(err)
	}
	r := support.Rehydrate(support.Stored{
		Reference: ref, WorkspaceID: "w1", TenantID: "t1", Primary: support.PrimaryContext{Type: support.ContextTenant, ID: "t1"},
		Details: support.Details{Severity: "high", Summary: "x"}, CreatedBy: "owner", CreatedAt: time.Now(),
		Mode: support.DiagnosticsAttached, Context: b, Digest: digest,
	})
	c := ports.Creation{Request: r, Audit: audit.Entry{ID: d.ids.NewID()}, Event: event.Event{ID: d.ids.NewID()}}
	if err := d.store.Create(context.Background(), c); err != nil {
		t.Fatal(err)
	}
	return ref
}

func TestVerify(t *testing.T) {
	s, d := newService(t)
	v1, err := os.ReadFile("testdata/envelope-v1.json")
	if err != nil {
		t.Fatal(err)
	}
	if canon.Digest(v1) != v1Digest {
		t.Fatalf("testdata/envelope-v1.json changed: digest %s", canon.Digest(v1))
	}
	if !bytes.Contains(v1, []byte(`"high":1000000`)) || !bytes.Contains(v1, []byte(`\u0008`)) {
		t.Fatal("the v1 sample lost the forms it is kept for")
	}

	// A v2 envelope holding integers of a million and more.
	snap := envelope.Snapshot{
		Scope:                  envelope.Scope{Type: support.ContextTenant, TenantID: "t1"},
		Workspace:              envelope.Workspace{ID: "w1", Name: "Northwind"},
		Tenant:                 envelope.Tenant{ID: "t1", WorkspaceID: "w1", Name: "Contoso\b", Status: "active"},
		OpenFindingsBySeverity: map[string]int{"high": 1_000_000, "low": 12_345_678},
	}
	env, err := envelope.Build(snap, access.CapabilitiesOf(access.RoleOwner), nil)
	if err != nil {
		t.Fatal(err)
	}
	if !bytes.Contains(env.Bytes, []byte(`"open_total":13345678`)) {
		t.Fatalf("the v2 sample lacks its large count: %s", env.Bytes)
	}

	tampered := bytes.Replace(v1, []byte(`"status":"degraded"`), []byte(`"status":"connected"`), 1)
	v1AsJCS := bytes.Replace(v1, []byte(`\u0008`), []byte(`\b`), 1)
	var indented bytes.Buffer
	if err := json.Indent(&indented, env.Bytes, "", "  "); err != nil {
		t.Fatal(err)
	}
	for name, c := range map[string]struct {
		ctx       []byte
		digest    string
		ok, canon bool
	}{
		"v1 stored by the v1 code":          {v1, v1Digest, true, true},
		"v1 tampered with":                  {tampered, v1Digest, false, true},
		"v1 rewritten in the v2 form":       {v1AsJCS, canon.Digest(v1AsJCS), false, false},
		"v2 with 1,000,000 in it":           {env.Bytes, env.Digest, true, true},
		"v2 tampered with":                  {bytes.Replace(env.Bytes, []byte("Northwind"), []byte("Southwind"), 1), env.Digest, false, true},
		"v2 indented, digest of the indent": {indented.Bytes(), canon.Digest(indented.Bytes()), false, false},
	} {
		ref := store(t, d, c.ctx, c.digest)
		v, err := s.Verify(context.Background(), ref)
		if err != nil {
			t.Fatalf("%s: %v", name, err)
		}
		if v.OK() != c.ok || v.Canonical != c.canon || v.Stored != c.digest || v.Computed != canon.Digest(c.ctx) {
			t.Errorf("%s: verification %+v, want ok %v canonical %v", name, v, c.ok, c.canon)
		}
	}
	if _, err := s.Verify(context.Background(), reference.Reference("SR-"+strings.Repeat("0", 26))); err == nil {
		t.Error("verifying an unknown reference succeeded")
	}
}
