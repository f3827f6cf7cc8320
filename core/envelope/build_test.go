package envelope

import (
	"bytes"
	"encoding/json"
	"fmt"
	"strings"
	"testing"
	"time"
	"unicode/utf8"

	"supportdesk/core/access"
	"supportdesk/core/canon"
	"supportdesk/core/redact"
	"supportdesk/core/support"
)

var t0 = time.Date(2026, 11, 1, 8, 0, 0, 0, time.UTC)

func snapshot(runContext bool) Snapshot {
	done := t0.Add(time.Minute)
	s := Snapshot{
		Scope:     Scope{Type: support.ContextTenant, TenantID: "t1"},
		Workspace: Workspace{ID: "w1", Name: "Northwind"},
		Tenant:    Tenant{ID: "t1", WorkspaceID: "w1", Name: "Contoso", ExternalID: "ext-1", Status: "active"},
		Connection: &Connection{ID: "c1", Provider: "microsoft_graph", Status: "degraded", ConsentState: "granted",
			LastCheckedAt: &done, LastErrorCode: "401", LastErrorMessage: "Authorization: Bearer abcdefghijklmnop1234"},
		OpenFindingsBySeverity: map[string]int{"high": 7, "low": 2},
		OpenReviewsByStatus:    map[string]int{"pending": 1},
	}
	for i := 0; i < 8; i++ {
		s.RecentRuns = append(s.RecentRuns, Run{ID: fmt.Sprintf("r%d", i), Type: "backup", Status: "completed",
			Outcome: "failed", StartedAt: t0.Add(-time.Duration(i) * time.Hour), CompletedAt: &done, FailureCode: "E1"})
		s.OpenFindings = append(s.OpenFindings, Finding{ID: fmt.Sprintf("f%d", i), Severity: "high", Status: "open", Title: "MFA off", DetectedAt: t0})
		s.Reviews = append(s.Reviews, Review{ID: fmt.Sprintf("v%d", i), Status: "pending", Title: "Q4", DueAt: t0})
		s.Reports = append(s.Reports, Report{ID: fmt.Sprintf("p%d", i), Kind: "security", Status: "ready", GeneratedAt: t0})
	}
	for i := 0; i < 12; i++ {
		s.Audit = append(s.Audit, AuditItem{ID: fmt.Sprintf("a%d", i), Action: "tenant.updated", ActorID: "u1",
			SubjectType: "tenant", SubjectID: "t1", OccurredAt: t0})
	}
	if runContext {
		s.Scope = Scope{Type: support.ContextOperationRun, TenantID: "t1", RunID: "r0"}
		run := s.RecentRuns[0]
		run.FailureMessage = "login failed for https://svc:hunter2@login.example.com/token"
		s.Run = &run
	}
	return s
}

func bundle(s Snapshot) *Bundle {
	return &Bundle{Scope: s.Scope, Connection: s.Connection, Run: s.Run, FailedRuns: s.RecentRuns,
		RunsCounted: 8, OutcomeCounts: map[string]int{"failed": 8}}
}

var (
	owner    = access.CapabilitiesOf(access.RoleOwner)
	operator = access.CapabilitiesOf(access.RoleOperator)
)

func decode(t *testing.T, b []byte) map[string]any {
	t.Helper()
	var m map[string]any
	if err := json.Unmarshal(b, &m); err != nil {
		t.Fatalf("envelope is not JSON: %v", err)
	}
	return m
}

func TestTenantContextEnvelope(t *testing.T) {
	s := snapshot(false)
	env, err := Build(s, operator, nil)
	if err != nil {
		t.Fatal(err)
	}
	m := decode(t, env.Bytes)
	want := []string{"schema", "primary_context", "workspace", "tenant", "operation_run", "provider_connection",
		"recent_operation_runs", "findings", "reviews", "reports", "audit_excerpt", "attachment", "diagnostics",
		"omissions", "redaction"}
	if len(m) != len(want) {
		t.Errorf("envelope has %d top-level keys, want %d", len(m), len(want))
	}
	for _, k := range want {
		if _, ok := m[k]; !ok {
			t.Errorf("missing top-level key %q", k)
		}
	}
	checks := map[string]string{
		"schema":          `"support-request-context/v2"`,
		"primary_context": `{"id":"t1","type":"tenant"}`,
		"operation_run":   `{"state":"not_applicable"}`,
		"attachment":      `{"mode":"canonical_context_only","reason":"capability_missing"}`,
		"diagnostics":     `{"reason":"capability_missing","state":"omitted"}`,
	}
	for k, v := range checks {
		if got, _ := json.Marshal(m[k]); string(got) != v {
			t.Errorf("%s = %s, want %s", k, got, v)
		}
	}
	if env.Mode != support.CanonicalContextOnly || env.Reason != ReasonCapabilityMissing {
		t.Errorf("mode %s reason %s", env.Mode, env.Reason)
	}
	lens := map[string]int{"recent_operation_runs": 5, "reports": 5, "audit_excerpt": 10}
	for k, n := range lens {
		if got := len(m[k].([]any)); got != n {
			t.Errorf("len(%s) = %d, want %d", k, got, n)
		}
	}
	f := m["findings"].(map[string]any)
	if len(f["latest_open"].([]any)) != 5 || f["open_total"].(float64) != 9 {
		t.Errorf("findings = %v", f)
	}
	if got, _ := json.Marshal(f["open_by_severity"]); string(got) != `{"critical":0,"high":7,"low":2,"medium":0}` {
		t.Errorf("open_by_severity = %s", got)
	}
	// The provider connection's error message is diagnostics, not canonical context.
	if _, ok := m["provider_connection"].(map[string]any)["last_error_message"]; ok {
		t.Error("canonical provider_connection carries the error message")
	}
	for _, item := range m["audit_excerpt"].([]any) {
		if len(item.(map[string]any)) != 5 {
			t.Errorf("audit item %v should hold exactly action, actor_id, subject_type, subject_id, occurred_at", item)
		}
	}
	if !strings.Contains(string(env.Bytes), `{"path":"provider_connection.raw_payload","reason":"raw_provider_payload_never_copied"}`) {
		t.Errorf("omissions do not name the raw payload: %s", m["omissions"])
	}
}

func TestRunContextWithDiagnostics(t *testing.T) {
	s := snapshot(true)
	env, err := Build(s, owner, bundle(s))
	if err != nil {
		t.Fatal(err)
	}
	if env.Mode != support.DiagnosticsAttached || env.Reason != "" {
		t.Fatalf("mode %s reason %q", env.Mode, env.Reason)
	}
	m := decode(t, env.Bytes)
	run := m["operation_run"].(map[string]any)
	if run["id"] != "r0" || run["failure_message"] != "login failed for https://svc:[REDACTED]@login.example.com/token" {
		t.Errorf("operation_run = %v", run)
	}
	diag := m["diagnostics"].(map[string]any)
	pc := diag["provider_connection"].(map[string]any)
	if pc["last_error_message"] != "Authorization: Bearer [REDACTED]" {
		t.Errorf("diagnostics provider error = %v", pc["last_error_message"])
	}
	if _, ok := diag["run"]; !ok {
		t.Errorf("run-context diagnostics lack the run: %v", diag)
	}
	// The manifest counts per rule, and what it counts is what the
	// envelope holds: the failure message twice (user info) and the
	// provider error's bearer token.
	got, _ := json.Marshal(m["redaction"])
	if want := `{"count":3,"policy":"v2","rules":{"bearer":1,"url-userinfo":2}}`; string(got) != want {
		t.Errorf("redaction = %s, want %s", got, want)
	}
	if n := strings.Count(string(env.Bytes), redact.Marker); n != env.Redaction.Total() {
		t.Errorf("%d markers in the envelope, manifest counts %d", n, env.Redaction.Total())
	}
	for _, secret := range []string{"hunter2", "abcdefghijklmnop1234"} {
		if strings.Contains(string(env.Bytes), secret) {
			t.Errorf("envelope leaks %q", secret)
		}
	}
}

func TestDiagnosticsUnavailable(t *testing.T) {
	env, err := Build(snapshot(true), owner, nil)
	if err != nil {
		t.Fatal(err)
	}
	m := decode(t, env.Bytes)
	if env.Mode != support.CanonicalContextOnly || env.Reason != ReasonDiagnosticsUnavailable {
		t.Fatalf("mode %s reason %s", env.Mode, env.Reason)
	}
	if got, _ := json.Marshal(m["diagnostics"]); string(got) != `{"reason":"diagnostics_unavailable","state":"omitted"}` {
		t.Errorf("diagnostics = %s", got)
	}
}

func TestMissingAndInaccessible(t *testing.T) {
	s := snapshot(true)
	s.Connection = nil
	s.Run = nil
	env, err := Build(s, access.NewSet(access.TenantView, access.SupportRequestsCreate), nil)
	if err != nil {
		t.Fatal(err)
	}
	m := decode(t, env.Bytes)
	for k, want := range map[string]string{
		"provider_connection":   `{"state":"missing"}`,
		"operation_run":         `{"state":"inaccessible"}`,
		"recent_operation_runs": `{"state":"inaccessible"}`,
	} {
		if got, _ := json.Marshal(m[k]); string(got) != want {
			t.Errorf("%s = %s, want %s", k, got, want)
		}
	}
	env, _ = Build(s, owner, nil)
	if got, _ := json.Marshal(decode(t, env.Bytes)["operation_run"]); string(got) != `{"state":"missing"}` {
		t.Errorf("operation_run = %s, want missing", got)
	}
}

func TestDeterministic(t *testing.T) {
	first, err := Build(snapshot(true), owner, bundle(snapshot(true)))
	if err != nil {
		t.Fatal(err)
	}
	for i := 0; i < 50; i++ {
		again, err := Build(snapshot(true), owner, bundle(snapshot(true)))
		if err != nil {
			t.Fatal(err)
		}
		if string(again.Bytes) != string(first.Bytes) || again.Digest != first.Digest {
			t.Fatalf("build %d differs", i)
		}
	}
	if !strings.HasPrefix(first.Digest, "sha256:") || len(first.Digest) != 71 {
		t.Fatalf("digest %q", first.Digest)
	}
}

func TestFreeTextIsCutTo500(t *testing.T) {
	s := snapshot(true)
	s.Tenant.Name = strings.Repeat("名", 2000)
	env, err := Build(s, owner, bundle(s))
	if err != nil {
		t.Fatal(err)
	}
	name := decode(t, env.Bytes)["tenant"].(map[string]any)["name"].(string)
	if utf8.RuneCountInString(name) != MaxText || !strings.HasSuffix(name, TruncationMarker) {
		t.Fatalf("name has %d code points, want %d ending in the marker", utf8.RuneCountInString(name), MaxText)
	}
}

func TestSizeCapShrinksListsNeverFails(t *testing.T) {
	s := snapshot(true)
	long := strings.Repeat("\x01", 1000) // each escapes to six bytes
	s.Tenant.Name, s.Workspace.Name = long, long
	s.Run.FailureMessage = long
	s.Connection.LastErrorMessage = long
	for i := range s.Audit {
		s.Audit[i].Action, s.Audit[i].SubjectType, s.Audit[i].SubjectID = long, long, long
	}
	for i := range s.RecentRuns {
		s.RecentRuns[i].Type, s.RecentRuns[i].FailureCode, s.RecentRuns[i].FailureMessage = long, long, long
	}
	for i := range s.OpenFindings {
		s.OpenFindings[i].Title = long
		s.Reviews[i].Title = long
		s.Reports[i].Kind = long
	}
	env, err := Build(s, owner, bundle(s))
	if err != nil {
		t.Fatal(err)
	}
	if len(env.Bytes) > MaxBytes {
		t.Fatalf("envelope is %d bytes, over %d", len(env.Bytes), MaxBytes)
	}
	m := decode(t, env.Bytes)
	if !strings.Contains(fmt.Sprint(m["omissions"]), "size_cap") {
		t.Errorf("omissions do not record the size cap: %v", m["omissions"])
	}
	// Counts stay exact even when lists shrink.
	if m["findings"].(map[string]any)["open_total"].(float64) != 9 {
		t.Errorf("open_total changed: %v", m["findings"])
	}
}

func TestDiagnosticsBundleStandalone(t *testing.T) {
	s := snapshot(false)
	out, err := Diagnostics(*bundle(s))
	if err != nil {
		t.Fatal(err)
	}
	m := decode(t, out)
	if m["schema"] != BundleSchema || len(m["latest_failed_runs"].([]any)) != MaxFailedRuns {
		t.Errorf("bundle = %v", m)
	}
	if strings.Contains(string(out), "abcdefghijklmnop1234") || m["redaction"].(map[string]any)["count"].(float64) < 1 {
		t.Errorf("bundle not redacted: %s", out)
	}
	counts := m["recent_outcomes"].(map[string]any)["counts"].(map[string]any)
	if counts["failed"].(float64) != 8 || counts["succeeded"].(float64) != 0 {
		t.Errorf("counts = %v", counts)
	}
}

// The preview's omissions and the envelope's name the same raw payloads:
// those of the records the document carries, whatever lists shrink.
func TestRawPayloadOmissionsMatchThePreview(t *testing.T) {
	s := snapshot(true)
	for _, caps := range []access.Set{owner, access.NewSet(access.TenantView, access.SupportRequestsCreate)} {
		env, err := Build(s, caps, nil)
		if err != nil {
			t.Fatal(err)
		}
		var inPreview []string
		for _, o := range env.Omitted {
			if o.Reason == ReasonNeverCopied {
				inPreview = append(inPreview, o.Section)
			}
		}
		var inEnvelope []string
		for _, o := range decode(t, env.Bytes)["omissions"].([]any) {
			if o := o.(map[string]any); o["reason"] == ReasonNeverCopied {
				inEnvelope = append(inEnvelope, o["path"].(string))
			}
		}
		if fmt.Sprint(inPreview) != fmt.Sprint(inEnvelope) {
			t.Errorf("preview omits %v, envelope %v", inPreview, inEnvelope)
		}
		if caps == owner && len(inEnvelope) != 3 {
			t.Errorf("owner: raw payload omissions %v, want all three", inEnvelope)
		}
		if caps != owner && fmt.Sprint(inEnvelope) != "[provider_connection.raw_payload]" {
			t.Errorf("without operations.view: %v, want only the connection's", inEnvelope)
		}
	}
}

// TestEnvelopeIsJCS checks that the stored bytes are RFC 8785 canonical:
// decoded with exact numbers and encoded again they are the same bytes,
// integers of a million and more included, and Canonical says so.
func TestEnvelopeIsJCS(t *testing.T) {
	s := snapshot(true)
	s.OpenFindingsBySeverity = map[string]int{"high": 1_000_000, "low": 2_500_001}
	s.Tenant.Name = "Contoso\b\f\u2028\U0001F600"
	env, err := Build(s, owner, bundle(s))
	if err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(string(env.Bytes), `"open_total":3500001`) || !strings.Contains(string(env.Bytes), `"name":"Contoso\b\f`+"\u2028\U0001F600"+`"`) {
		t.Fatalf("envelope does not hold the JCS forms: %s", env.Bytes)
	}
	dec := json.NewDecoder(strings.NewReader(string(env.Bytes)))
	dec.UseNumber()
	var doc any
	if err := dec.Decode(&doc); err != nil {
		t.Fatal(err)
	}
	if again, err := canon.Marshal(doc); err != nil || string(again) != string(env.Bytes) {
		t.Fatalf("re-encoded envelope differs (%v)", err)
	}
	if !Canonical(env.Bytes) {
		t.Fatal("Canonical rejects a built envelope")
	}
}

func TestCanonical(t *testing.T) {
	env, err := Build(snapshot(true), owner, bundle(snapshot(true)))
	if err != nil {
		t.Fatal(err)
	}
	var indented bytes.Buffer
	if err := json.Indent(&indented, env.Bytes, "", " "); err != nil {
		t.Fatal(err)
	}
	v1Form, _ := canon.MarshalV1(map[string]any{"schema": SchemaV1, "name": "a\bb", "n": 1_000_000})
	jcsAsV1, _ := canon.Marshal(map[string]any{"schema": SchemaV1, "name": "a\bb"})
	for name, c := range map[string]struct {
		in   []byte
		want bool
	}{
		"built":                  {env.Bytes, true},
		"indented":               {indented.Bytes(), false},
		"trailing data":          {append(append([]byte(nil), env.Bytes...), ' '), false},
		"v1 form of v1":          {v1Form, true},
		"jcs form claiming v1":   {jcsAsV1, false},
		"v1 form claiming v2":    {[]byte(strings.Replace(string(v1Form), SchemaV1, Schema, 1)), false},
		"unknown schema":         {[]byte(`{"schema":"support-request-context/v9"}`), false},
		"no schema":              {[]byte(`{}`), false},
		"not an object":          {[]byte(`[1]`), false},
		"not json":               {[]byte(`{"schema":`), false},
		"number re-encoded 1e6":  {[]byte(`{"n":1e6,"schema":"support-request-context/v2"}`), false},
		"number as written 1e6":  {[]byte(`{"n":1000000,"schema":"support-request-context/v2"}`), true},
		"v1 number as written":   {[]byte(`{"n":1000000,"schema":"support-request-context/v1"}`), true},
		"escaped non-ascii (v2)": {[]byte(`{"name":"\u00e9","schema":"support-request-context/v2"}`), false},
	} {
		if got := Canonical(c.in); got != c.want {
			t.Errorf("%s: Canonical = %v, want %v", name, got, c.want)
		}
	}
}

// TestManifestCountsWhatTheEnvelopeHolds: when the size cap drops list
// items, their redactions leave the manifest with them.
func TestManifestCountsWhatTheEnvelopeHolds(t *testing.T) {
	s := snapshot(false)
	long := strings.Repeat("\x01", 1000)
	for i := range s.Audit {
		s.Audit[i].SubjectID = "password=hunter2"
		s.Audit[i].Action, s.Audit[i].ActorID, s.Audit[i].SubjectType = long, long, long
	}
	env, err := Build(s, owner, bundle(s))
	if err != nil {
		t.Fatal(err)
	}
	m := decode(t, env.Bytes)
	kept := len(m["audit_excerpt"].([]any))
	if kept == len(s.Audit) || !strings.Contains(fmt.Sprint(m["omissions"]), "audit_excerpt") {
		t.Fatalf("the size cap dropped no audit entry (%d kept)", kept)
	}
	markers := strings.Count(string(env.Bytes), redact.Marker)
	rules := env.Redaction.Rules()
	if env.Redaction.Total() != markers || rules["assignment"] != kept {
		t.Errorf("manifest %v (total %d); the envelope holds %d markers and %d audit entries", rules, env.Redaction.Total(), markers, kept)
	}
}
