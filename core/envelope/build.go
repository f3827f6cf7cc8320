package envelope

import (
	"slices"
	"time"
	"unicode/utf8"

	"supportdesk/core"
	"supportdesk/core/access"
	"supportdesk/core/canon"
	"supportdesk/core/redact"
	"supportdesk/core/support"
)

// Schema names this version of the envelope.
const Schema = "support-request-context/v1"

// BundleSchema names this version of the standalone diagnostics bundle.
const BundleSchema = "support-diagnostics/v1"

// MaxBytes caps the canonical envelope.
const MaxBytes = 64 * 1024

// MaxText caps every free-text value, marker included, in code points.
const MaxText = 500

// TruncationMarker ends a free-text value that was cut.
const TruncationMarker = "…[truncated]"

// Reasons recorded in the envelope and the preview.
const (
	ReasonCapabilityMissing      = "capability_missing"
	ReasonDiagnosticsUnavailable = "diagnostics_unavailable"
	ReasonNotApplicable          = "not_applicable"
	ReasonMissing                = "missing"
	ReasonInaccessible           = "inaccessible"
	ReasonNeverCopied            = "raw_provider_payload_never_copied"
	ReasonSizeCap                = "size_cap"
)

// Omission names a section (or part of one) that the envelope leaves out and why.
type Omission struct {
	Section string
	Reason  string
}

// Envelope is a built context envelope: its canonical bytes, digest and
// what a preview shows about it.
type Envelope struct {
	Bytes  []byte
	Digest string
	Mode   support.AttachmentMode
	// Reason is empty when diagnostics are attached.
	Reason string
	// Included lists the sections that carry content; Omitted the others
	// and what else was left out, such as raw provider payloads.
	Included       []string
	Omitted        []Omission
	RedactionCount int
}

// Build makes the envelope for snapshot s as seen by a user holding caps.
// bundle is the diagnostics bundle, or nil when it could not be built
// (the request then goes ahead with canonical context only). Build
// only fails on a bug: the size cap is met by shrinking lists and, as a
// last resort, free text.
func Build(s Snapshot, caps access.Set, bundle *Bundle) (Envelope, error) {
	mode, reason := support.CanonicalContextOnly, ""
	switch {
	case !caps.Has(access.SupportDiagnosticsView):
		reason = ReasonCapabilityMissing
	case bundle == nil:
		reason = ReasonDiagnosticsUnavailable
	default:
		mode = support.DiagnosticsAttached
	}

	// Drop list items, then shorten free text, until the envelope fits.
	for _, textLimit := range []int{MaxText, 100, 24} {
		b := builder{text: textLimit}
		doc, env := b.document(s, caps, bundle, mode, reason)
		lists := droppableLists(doc)
		dropped := map[string]int{}
		for {
			out, err := b.finish(doc, dropped)
			if err != nil {
				return Envelope{}, err
			}
			if len(out) <= MaxBytes {
				env.Bytes, env.Digest, env.RedactionCount = out, canon.Digest(out), b.redactions
				for _, section := range sortedKeys(dropped) {
					env.Omitted = append(env.Omitted, Omission{Section: section, Reason: ReasonSizeCap})
				}
				return env, nil
			}
			if !dropLast(lists, dropped) {
				break
			}
		}
	}
	return Envelope{}, core.Errorf(core.KindInternal, "context envelope exceeds %d bytes", MaxBytes)
}

// builder turns snapshot values into JSON values, redacting and cutting
// every free-text value and counting redactions.
type builder struct {
	text       int
	redactions int
	// raw lists the raw payloads left out of this document, for both the
	// envelope's omissions and the preview.
	raw []string
}

func (b *builder) str(s string) any {
	red, n := redact.String(s)
	b.redactions += n
	return truncate(red, b.text)
}

func (b *builder) document(s Snapshot, caps access.Set, bundle *Bundle, mode support.AttachmentMode, reason string) (map[string]any, Envelope) {
	env := Envelope{Mode: mode, Reason: reason}
	doc := map[string]any{
		"schema":          Schema,
		"primary_context": map[string]any{"type": string(s.Scope.Type), "id": b.str(s.Scope.ContextID())},
	}
	section := func(name string, need access.Capability, present bool, value func() any) {
		switch {
		case !caps.Has(need):
			doc[name] = state(ReasonInaccessible)
			env.Omitted = append(env.Omitted, Omission{Section: name, Reason: ReasonInaccessible})
		case !present:
			doc[name] = state(ReasonMissing)
			env.Omitted = append(env.Omitted, Omission{Section: name, Reason: ReasonMissing})
		default:
			doc[name] = value()
			env.Included = append(env.Included, name)
		}
	}

	section("workspace", access.TenantView, s.Workspace.ID != "", func() any {
		return map[string]any{"id": b.str(s.Workspace.ID), "name": b.str(s.Workspace.Name)}
	})
	section("tenant", access.TenantView, s.Tenant.ID != "", func() any {
		return map[string]any{
			"id": b.str(s.Tenant.ID), "name": b.str(s.Tenant.Name),
			"external_id": b.str(s.Tenant.ExternalID), "status": b.str(s.Tenant.Status),
		}
	})
	if s.Scope.Type == support.ContextOperationRun {
		section("operation_run", access.OperationsView, s.Run != nil, func() any { return b.run(*s.Run, true) })
	} else {
		doc["operation_run"] = state(ReasonNotApplicable)
		env.Omitted = append(env.Omitted, Omission{Section: "operation_run", Reason: ReasonNotApplicable})
	}
	section("provider_connection", access.TenantView, s.Connection != nil, func() any {
		return b.connection(*s.Connection, false)
	})
	section("recent_operation_runs", access.OperationsView, true, func() any {
		items := []any{}
		for _, r := range head(s.RecentRuns, MaxRecentRuns) {
			items = append(items, b.run(r, false))
		}
		return items
	})
	section("findings", access.TenantView, true, func() any {
		items := []any{}
		for _, f := range head(s.OpenFindings, MaxFindings) {
			items = append(items, map[string]any{
				"id": b.str(f.ID), "severity": b.str(f.Severity), "status": b.str(f.Status),
				"title": b.str(f.Title), "detected_at": timestamp(f.DetectedAt),
			})
		}
		return map[string]any{
			"open_by_severity": counts(s.OpenFindingsBySeverity, "low", "medium", "high", "critical"),
			"open_total":       total(s.OpenFindingsBySeverity),
			"latest_open":      items,
		}
	})
	section("reviews", access.TenantView, true, func() any {
		items := []any{}
		for _, r := range head(s.Reviews, MaxReviews) {
			items = append(items, map[string]any{
				"id": b.str(r.ID), "status": b.str(r.Status), "title": b.str(r.Title), "due_at": timestamp(r.DueAt),
			})
		}
		return map[string]any{
			"open_by_status": counts(s.OpenReviewsByStatus, "pending", "in_progress"),
			"latest":         items,
		}
	})
	section("reports", access.TenantView, true, func() any {
		items := []any{}
		for _, r := range head(s.Reports, MaxReports) {
			items = append(items, map[string]any{
				"id": b.str(r.ID), "kind": b.str(r.Kind), "status": b.str(r.Status), "generated_at": timestamp(r.GeneratedAt),
			})
		}
		return items
	})
	section("audit_excerpt", access.TenantView, true, func() any {
		items := []any{}
		for _, a := range head(s.Audit, MaxAuditEntries) {
			items = append(items, map[string]any{
				"action": b.str(a.Action), "actor_id": b.str(a.ActorID), "subject_type": b.str(a.SubjectType),
				"subject_id": b.str(a.SubjectID), "occurred_at": timestamp(a.OccurredAt),
			})
		}
		return items
	})

	attachment := map[string]any{"mode": string(mode)}
	if mode == support.DiagnosticsAttached {
		doc["diagnostics"] = b.bundle(*bundle)
		env.Included = append(env.Included, "diagnostics")
	} else {
		attachment["reason"] = reason
		doc["diagnostics"] = map[string]any{"state": "omitted", "reason": reason}
		env.Omitted = append(env.Omitted, Omission{Section: "diagnostics", Reason: reason})
	}
	doc["attachment"] = attachment

	// Raw provider payloads exist on every connection and run the document
	// carries; none is copied.
	included := func(section string) bool { return slices.Contains(env.Included, section) }
	b.raw = nil
	if included("provider_connection") {
		b.raw = append(b.raw, "provider_connection.raw_payload")
	}
	if included("operation_run") {
		b.raw = append(b.raw, "operation_run.raw_payload")
	}
	if included("recent_operation_runs") && len(s.RecentRuns) > 0 {
		b.raw = append(b.raw, "recent_operation_runs.raw_payload")
	}
	for _, r := range b.raw {
		env.Omitted = append(env.Omitted, Omission{Section: r, Reason: ReasonNeverCopied})
	}
	return doc, env
}

// finish adds the parts that depend on everything else — omissions and the
// redaction count — and encodes the document.
func (b *builder) finish(doc map[string]any, dropped map[string]int) ([]byte, error) {
	omissions := []any{}
	for _, path := range b.raw {
		omissions = append(omissions, map[string]any{"path": path, "reason": ReasonNeverCopied})
	}
	for _, s := range sortedKeys(dropped) {
		omissions = append(omissions, map[string]any{"path": s, "reason": ReasonSizeCap, "items": dropped[s]})
	}
	doc["omissions"] = omissions
	doc["redaction"] = map[string]any{"policy": redact.PolicyVersion, "count": b.redactions}
	out, err := canon.Marshal(doc)
	if err != nil {
		return nil, core.Wrap(core.KindInternal, err, "encode context envelope")
	}
	return out, nil
}

func (b *builder) run(r Run, withFailure bool) map[string]any {
	m := map[string]any{
		"id": b.str(r.ID), "type": b.str(r.Type), "status": b.str(r.Status),
		"outcome": nullable(b, r.Outcome), "started_at": timestamp(r.StartedAt),
		"completed_at": optionalTime(r.CompletedAt), "failure_code": nullable(b, r.FailureCode),
	}
	if withFailure {
		m["failure_message"] = nullable(b, r.FailureMessage)
	}
	return m
}

func (b *builder) connection(c Connection, withError bool) map[string]any {
	m := map[string]any{
		"id": b.str(c.ID), "provider": b.str(c.Provider), "status": b.str(c.Status),
		"consent_state": b.str(c.ConsentState), "last_checked_at": optionalTime(c.LastCheckedAt),
		"last_error_code": nullable(b, c.LastErrorCode),
	}
	if withError {
		m["last_error_message"] = nullable(b, c.LastErrorMessage)
	}
	return m
}

// bundle renders the diagnostics bundle's content.
func (b *builder) bundle(d Bundle) map[string]any {
	m := map[string]any{
		"scope": map[string]any{"type": string(d.Scope.Type), "id": b.str(d.Scope.ContextID())},
		"recent_outcomes": map[string]any{
			"window":       OutcomeWindow,
			"runs_counted": d.RunsCounted,
			"counts":       counts(d.OutcomeCounts, "succeeded", "partially_succeeded", "failed", "cancelled", "none"),
		},
	}
	if d.Connection != nil {
		m["provider_connection"] = b.connection(*d.Connection, true)
	} else {
		m["provider_connection"] = state(ReasonMissing)
	}
	if d.Scope.Type == support.ContextOperationRun {
		if d.Run != nil {
			m["run"] = b.run(*d.Run, true)
		} else {
			m["run"] = state(ReasonMissing)
		}
	} else {
		failed := []any{}
		for _, r := range head(d.FailedRuns, MaxFailedRuns) {
			failed = append(failed, b.run(r, true))
		}
		m["latest_failed_runs"] = failed
	}
	return m
}

// Diagnostics returns the canonical JSON of bundle d as served on its own,
// with its redaction count.
func Diagnostics(d Bundle) ([]byte, error) {
	b := builder{text: MaxText}
	doc := b.bundle(d)
	doc["schema"] = BundleSchema
	doc["redaction"] = map[string]any{"policy": redact.PolicyVersion, "count": b.redactions}
	out, err := canon.Marshal(doc)
	if err != nil {
		return nil, core.Wrap(core.KindInternal, err, "encode diagnostics bundle")
	}
	return out, nil
}

// droppableLists returns, in the order they are shrunk, the lists of doc
// that the size cap may shorten, keyed by their path.
func droppableLists(doc map[string]any) []listRef {
	var refs []listRef
	add := func(path string, parent map[string]any, key string) {
		if parent == nil {
			return
		}
		if _, ok := parent[key].([]any); ok {
			refs = append(refs, listRef{path: path, parent: parent, key: key})
		}
	}
	diag, _ := doc["diagnostics"].(map[string]any)
	findings, _ := doc["findings"].(map[string]any)
	reviews, _ := doc["reviews"].(map[string]any)
	add("audit_excerpt", doc, "audit_excerpt")
	add("diagnostics.latest_failed_runs", diag, "latest_failed_runs")
	add("reports", doc, "reports")
	add("reviews.latest", reviews, "latest")
	add("findings.latest_open", findings, "latest_open")
	add("recent_operation_runs", doc, "recent_operation_runs")
	return refs
}

type listRef struct {
	path   string
	parent map[string]any
	key    string
}

// dropLast removes the last (oldest) item of the first non-empty list and
// reports whether anything was left to remove.
func dropLast(lists []listRef, dropped map[string]int) bool {
	for _, l := range lists {
		items := l.parent[l.key].([]any)
		if len(items) > 0 {
			l.parent[l.key] = items[:len(items)-1]
			dropped[l.path]++
			return true
		}
	}
	return false
}

func state(s string) map[string]any { return map[string]any{"state": s} }

func nullable(b *builder, s string) any {
	if s == "" {
		return nil
	}
	return b.str(s)
}

func timestamp(t time.Time) any { return t.UTC().Format(time.RFC3339Nano) }

func optionalTime(t *time.Time) any {
	if t == nil {
		return nil
	}
	return timestamp(*t)
}

// counts returns a count for every key of keys (zero when absent) plus any
// other key present in m, so the shape does not depend on the data.
func counts(m map[string]int, keys ...string) map[string]any {
	out := make(map[string]any, len(keys))
	for _, k := range keys {
		out[k] = m[k]
	}
	for k, v := range m {
		out[k] = v
	}
	return out
}

func total(m map[string]int) int {
	n := 0
	for _, v := range m {
		n += v
	}
	return n
}

func head[T any](items []T, n int) []T {
	if len(items) > n {
		return items[:n]
	}
	return items
}

// truncate cuts s to at most limit code points, marker included.
func truncate(s string, limit int) string {
	if utf8.RuneCountInString(s) <= limit {
		return s
	}
	keep := limit - utf8.RuneCountInString(TruncationMarker)
	i := 0
	for n := 0; n < keep; n++ {
		_, size := utf8.DecodeRuneInString(s[i:])
		i += size
	}
	return s[:i] + TruncationMarker
}

func sortedKeys(m map[string]int) []string {
	keys := make([]string, 0, len(m))
	for k := range m {
		keys = append(keys, k)
	}
	slices.Sort(keys)
	return keys
}
