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

// Schema names this version of the envelope: canonical JSON per RFC 8785
// (JCS) and a redaction manifest per rule.
const Schema = "support-request-context/v2"

// SchemaV1 names the envelopes stored before v2: byte-ordered canonical
// JSON (canon.MarshalV1). They are never written again but keep verifying.
const SchemaV1 = "support-request-context/v1"

// BundleSchema names this version of the standalone diagnostics bundle.
const BundleSchema = "support-diagnostics/v2"

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
	Included []string
	Omitted  []Omission
	// Redaction counts what the policy replaced in the envelope, per rule.
	Redaction redact.Counts
}

// Build makes the envelope for snapshot s as seen by a user holding caps.
// bundle is the diagnostics bundle, or nil when it could not be built
// (the request then goes ahead with canonical context only). Build
// only fails on a bug: the size cap is met by shrinking lists and, as a
// last resort, free text.
func Build(s Snapshot, caps access.Set, bundle *Bundle) (Envelope, error) {
	mode, reason := attachment(caps, bundle)
	// Drop list items, then shorten free text, until the envelope fits.
	for _, textLimit := range []int{MaxText, 100, 24} {
		b := newBuilder(textLimit)
		doc, env := b.document(s, caps, bundle, mode, reason)
		dropped := map[string]int{}
		for {
			out, err := b.finish(doc, dropped)
			if err != nil {
				return Envelope{}, err
			}
			if len(out) <= MaxBytes {
				env.Bytes, env.Digest, env.Redaction = out, canon.Digest(out), b.counts()
				for _, section := range sortedKeys(dropped) {
					env.Omitted = append(env.Omitted, Omission{Section: section, Reason: ReasonSizeCap})
				}
				return env, nil
			}
			if !b.dropLast(dropped) {
				break
			}
		}
	}
	return Envelope{}, core.Errorf(core.KindInternal, "context envelope exceeds %d bytes", MaxBytes)
}

// attachment decides the attachment mode and, without diagnostics, why.
func attachment(caps access.Set, bundle *Bundle) (support.AttachmentMode, string) {
	switch {
	case !caps.Has(access.SupportDiagnosticsView):
		return support.CanonicalContextOnly, ReasonCapabilityMissing
	case bundle == nil:
		return support.CanonicalContextOnly, ReasonDiagnosticsUnavailable
	}
	return support.DiagnosticsAttached, ""
}

// builder turns snapshot values into JSON values, redacting and cutting
// every free-text value. Redactions are counted per list item, so that
// the manifest counts only what the document still holds once the size
// cap has dropped items.
type builder struct {
	text int
	// base counts the redactions outside droppable lists; cur is where
	// str counts now.
	base redact.Counts
	cur  *redact.Counts
	// lists are the lists the size cap may shorten, in the order they
	// are shrunk, each with the redaction counts of its items.
	lists []*list
	// raw lists the raw payloads left out of this document, for both the
	// envelope's omissions and the preview.
	raw []string
}

// list is a list of a document the size cap may shorten.
type list struct {
	path   string
	parent map[string]any
	key    string
	counts []*redact.Counts
}

// dropOrder is the order in which the size cap shortens lists: the least
// useful to support first.
var dropOrder = []string{
	"audit_excerpt", "diagnostics.latest_failed_runs", "reports", "reviews.latest",
	"findings.latest_open", "recent_operation_runs",
}

func newBuilder(textLimit int) *builder {
	b := &builder{text: textLimit}
	b.cur = &b.base
	return b
}

// str redacts and cuts a free-text value.
func (b *builder) str(s string) any {
	return truncate(b.cur.String(s), b.text)
}

// items builds the n items of the list at path (key of parent), counting
// each item's redactions apart.
func (b *builder) items(path string, parent map[string]any, key string, n int, item func(i int) any) {
	l := &list{path: path, parent: parent, key: key}
	out := make([]any, 0, n)
	for i := range n {
		c := &redact.Counts{}
		b.cur = c
		out = append(out, item(i))
		l.counts = append(l.counts, c)
	}
	b.cur = &b.base
	parent[key] = out
	b.lists = append(b.lists, l)
}

// dropLast removes the last (oldest) item of the first non-empty list, in
// dropOrder, and reports whether anything was left to remove.
func (b *builder) dropLast(dropped map[string]int) bool {
	slices.SortStableFunc(b.lists, func(x, y *list) int {
		return slices.Index(dropOrder, x.path) - slices.Index(dropOrder, y.path)
	})
	for _, l := range b.lists {
		items := l.parent[l.key].([]any)
		if len(items) > 0 {
			l.parent[l.key] = items[:len(items)-1]
			l.counts = l.counts[:len(items)-1]
			dropped[l.path]++
			return true
		}
	}
	return false
}

// counts returns the redactions of what the document holds.
func (b *builder) counts() redact.Counts {
	var c redact.Counts
	c.Merge(&b.base)
	for _, l := range b.lists {
		for _, ic := range l.counts {
			c.Merge(ic)
		}
	}
	return c
}

// document builds the envelope's sections; finish adds what depends on
// all of them.
func (b *builder) document(s Snapshot, caps access.Set, bundle *Bundle, mode support.AttachmentMode, reason string) (map[string]any, Envelope) {
	d := &doc{b: b, s: s, caps: caps, m: map[string]any{
		"schema":          Schema,
		"primary_context": map[string]any{"type": string(s.Scope.Type), "id": b.str(s.Scope.ContextID())},
	}, env: Envelope{Mode: mode, Reason: reason}}
	d.workspace()
	d.tenant()
	d.operationRun()
	d.providerConnection()
	d.recentRuns()
	d.findings()
	d.reviews()
	d.reports()
	d.auditExcerpt()
	d.attachment(bundle)
	d.rawPayloads()
	return d.m, d.env
}

// doc is an envelope being built: its sections in m, what the preview
// shows in env.
type doc struct {
	b    *builder
	s    Snapshot
	caps access.Set
	m    map[string]any
	env  Envelope
}

// section sets section name to value() when the user holds need and the
// record is present, and to an explicit gap otherwise.
func (d *doc) section(name string, need access.Capability, present bool, value func() any) {
	switch {
	case !d.caps.Has(need):
		d.omit(name, ReasonInaccessible)
	case !present:
		d.omit(name, ReasonMissing)
	default:
		d.m[name] = value()
		d.env.Included = append(d.env.Included, name)
	}
}

// omit sets section name to {"state": reason} and records the omission.
func (d *doc) omit(name, reason string) {
	d.m[name] = state(reason)
	d.env.Omitted = append(d.env.Omitted, Omission{Section: name, Reason: reason})
}

func (d *doc) workspace() {
	b, w := d.b, d.s.Workspace
	d.section("workspace", access.TenantView, w.ID != "", func() any {
		return map[string]any{"id": b.str(w.ID), "name": b.str(w.Name)}
	})
}

func (d *doc) tenant() {
	b, t := d.b, d.s.Tenant
	d.section("tenant", access.TenantView, t.ID != "", func() any {
		return map[string]any{
			"id": b.str(t.ID), "name": b.str(t.Name), "external_id": b.str(t.ExternalID), "status": b.str(t.Status),
		}
	})
}

func (d *doc) operationRun() {
	if d.s.Scope.Type != support.ContextOperationRun {
		d.omit("operation_run", ReasonNotApplicable)
		return
	}
	d.section("operation_run", access.OperationsView, d.s.Run != nil, func() any { return d.b.run(*d.s.Run, true) })
}

func (d *doc) providerConnection() {
	d.section("provider_connection", access.TenantView, d.s.Connection != nil, func() any {
		return d.b.connection(*d.s.Connection, false)
	})
}

func (d *doc) recentRuns() {
	runs := head(d.s.RecentRuns, MaxRecentRuns)
	d.section("recent_operation_runs", access.OperationsView, true, func() any {
		d.b.items("recent_operation_runs", d.m, "recent_operation_runs", len(runs), func(i int) any {
			return d.b.run(runs[i], false)
		})
		return d.m["recent_operation_runs"]
	})
}

func (d *doc) findings() {
	b, open := d.b, head(d.s.OpenFindings, MaxFindings)
	d.section("findings", access.TenantView, true, func() any {
		m := map[string]any{
			"open_by_severity": counts(d.s.OpenFindingsBySeverity, "low", "medium", "high", "critical"),
			"open_total":       total(d.s.OpenFindingsBySeverity),
		}
		b.items("findings.latest_open", m, "latest_open", len(open), func(i int) any {
			f := open[i]
			return map[string]any{
				"id": b.str(f.ID), "severity": b.str(f.Severity), "status": b.str(f.Status),
				"title": b.str(f.Title), "detected_at": timestamp(f.DetectedAt),
			}
		})
		return m
	})
}

func (d *doc) reviews() {
	b, reviews := d.b, head(d.s.Reviews, MaxReviews)
	d.section("reviews", access.TenantView, true, func() any {
		m := map[string]any{"open_by_status": counts(d.s.OpenReviewsByStatus, "pending", "in_progress")}
		b.items("reviews.latest", m, "latest", len(reviews), func(i int) any {
			r := reviews[i]
			return map[string]any{
				"id": b.str(r.ID), "status": b.str(r.Status), "title": b.str(r.Title), "due_at": timestamp(r.DueAt),
			}
		})
		return m
	})
}

func (d *doc) reports() {
	b, reports := d.b, head(d.s.Reports, MaxReports)
	d.section("reports", access.TenantView, true, func() any {
		b.items("reports", d.m, "reports", len(reports), func(i int) any {
			r := reports[i]
			return map[string]any{
				"id": b.str(r.ID), "kind": b.str(r.Kind), "status": b.str(r.Status), "generated_at": timestamp(r.GeneratedAt),
			}
		})
		return d.m["reports"]
	})
}

// auditExcerpt lists the latest audit entries, never their metadata.
func (d *doc) auditExcerpt() {
	b, entries := d.b, head(d.s.Audit, MaxAuditEntries)
	d.section("audit_excerpt", access.TenantView, true, func() any {
		b.items("audit_excerpt", d.m, "audit_excerpt", len(entries), func(i int) any {
			a := entries[i]
			return map[string]any{
				"action": b.str(a.Action), "actor_id": b.str(a.ActorID), "subject_type": b.str(a.SubjectType),
				"subject_id": b.str(a.SubjectID), "occurred_at": timestamp(a.OccurredAt),
			}
		})
		return d.m["audit_excerpt"]
	})
}

// attachment adds the attachment section and the diagnostics bundle, or
// why it is omitted.
func (d *doc) attachment(bundle *Bundle) {
	a := map[string]any{"mode": string(d.env.Mode)}
	if d.env.Mode == support.DiagnosticsAttached {
		diag := d.b.bundle(*bundle)
		d.m["diagnostics"] = diag
		d.env.Included = append(d.env.Included, "diagnostics")
	} else {
		a["reason"] = d.env.Reason
		d.m["diagnostics"] = map[string]any{"state": "omitted", "reason": d.env.Reason}
		d.env.Omitted = append(d.env.Omitted, Omission{Section: "diagnostics", Reason: d.env.Reason})
	}
	d.m["attachment"] = a
}

// rawPayloads records the raw provider payloads left out: one exists on
// every connection and run the document carries, and none is copied.
func (d *doc) rawPayloads() {
	included := func(section string) bool { return slices.Contains(d.env.Included, section) }
	b := d.b
	b.raw = nil
	if included("provider_connection") {
		b.raw = append(b.raw, "provider_connection.raw_payload")
	}
	if included("operation_run") {
		b.raw = append(b.raw, "operation_run.raw_payload")
	}
	if included("recent_operation_runs") && len(d.s.RecentRuns) > 0 {
		b.raw = append(b.raw, "recent_operation_runs.raw_payload")
	}
	for _, r := range b.raw {
		d.env.Omitted = append(d.env.Omitted, Omission{Section: r, Reason: ReasonNeverCopied})
	}
}

// finish adds the parts that depend on everything else — omissions and the
// redaction manifest — and encodes the document.
func (b *builder) finish(doc map[string]any, dropped map[string]int) ([]byte, error) {
	omissions := []any{}
	for _, path := range b.raw {
		omissions = append(omissions, map[string]any{"path": path, "reason": ReasonNeverCopied})
	}
	for _, s := range sortedKeys(dropped) {
		omissions = append(omissions, map[string]any{"path": s, "reason": ReasonSizeCap, "items": dropped[s]})
	}
	doc["omissions"] = omissions
	c := b.counts()
	doc["redaction"] = c.Manifest()
	out, err := canon.Marshal(doc)
	if err != nil {
		return nil, core.Wrap(core.KindInternal, err, "encode context envelope")
	}
	return out, nil
}

func (b *builder) run(r Run, withFailure bool) map[string]any {
	m := map[string]any{
		"id": b.str(r.ID), "type": b.str(r.Type), "status": b.str(r.Status),
		"outcome": b.nullable(r.Outcome), "started_at": timestamp(r.StartedAt),
		"completed_at": optionalTime(r.CompletedAt), "failure_code": b.nullable(r.FailureCode),
	}
	if withFailure {
		m["failure_message"] = b.nullable(r.FailureMessage)
	}
	return m
}

func (b *builder) connection(c Connection, withError bool) map[string]any {
	m := map[string]any{
		"id": b.str(c.ID), "provider": b.str(c.Provider), "status": b.str(c.Status),
		"consent_state": b.str(c.ConsentState), "last_checked_at": optionalTime(c.LastCheckedAt),
		"last_error_code": b.nullable(c.LastErrorCode),
	}
	if withError {
		m["last_error_message"] = b.nullable(c.LastErrorMessage)
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
	switch {
	case d.Scope.Type != support.ContextOperationRun:
		failed := head(d.FailedRuns, MaxFailedRuns)
		b.items("diagnostics.latest_failed_runs", m, "latest_failed_runs", len(failed), func(i int) any {
			return b.run(failed[i], true)
		})
	case d.Run != nil:
		m["run"] = b.run(*d.Run, true)
	default:
		m["run"] = state(ReasonMissing)
	}
	return m
}

// Diagnostics returns the canonical JSON of bundle d as served on its own,
// with its redaction manifest.
func Diagnostics(d Bundle) ([]byte, error) {
	b := newBuilder(MaxText)
	doc := b.bundle(d)
	doc["schema"] = BundleSchema
	c := b.counts()
	doc["redaction"] = c.Manifest()
	out, err := canon.Marshal(doc)
	if err != nil {
		return nil, core.Wrap(core.KindInternal, err, "encode diagnostics bundle")
	}
	return out, nil
}

func state(s string) map[string]any { return map[string]any{"state": s} }

func (b *builder) nullable(s string) any {
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
