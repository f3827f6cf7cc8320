package gormstore_test

import (
	"cmp"
	"context"
	"fmt"
	"math/rand/v2"
	"reflect"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/google/uuid"
	"gorm.io/gorm"

	"supportdesk/adapters/gormstore"
	"supportdesk/core/envelope"
	"supportdesk/core/support"
	"supportdesk/test/testdb"
)

// history is what the snapshot tests insert for one tenant, kept in
// memory so that every expected list and count is computed from it by the
// rule of docs/envelope.md: newest first by timestamp, then by id.
type history struct {
	workspaceID, tenantID string
	runs                  []envelope.Run
	connections           []envelope.Connection
	findings              []envelope.Finding
	reviews               []envelope.Review
	reports               []envelope.Report
	audit                 []envelope.AuditItem
}

var base = time.Date(2030, 6, 1, 12, 0, 0, 0, time.UTC)

// at returns the i-th point in time: one second apart, with fractions of
// different lengths (none, tenths, microseconds), which SQLite stores as
// text of different lengths that must still sort as times.
func at(i int) time.Time {
	return base.Add(time.Duration(i)*time.Second + time.Duration(i%5)*100*time.Millisecond + time.Duration(i%3)*time.Microsecond)
}

func ptr[T any](v T) *T { return &v }

// Ids that sort first and last, for ties on the timestamp.
const (
	lowID  = "00000000-0000-4000-8000-000000000001"
	highID = "ffffffff-ffff-4fff-bfff-fffffffffffe"
)

// bigHistory makes n rows of every kind for a tenant, with ties at the top.
func bigHistory(ws, tenant, actor string, n int) history {
	h := history{workspaceID: ws, tenantID: tenant}
	outcomes := []string{"succeeded", "failed", "", "partially_succeeded", "cancelled"}
	for i := range n {
		r := envelope.Run{ID: uuid.NewString(), Type: "policy_sync", Outcome: outcomes[i%len(outcomes)], StartedAt: at(i)}
		h.runs = append(h.runs, finishRun(r, i))
	}
	// Two runs tied at the newest start: the id decides.
	h.runs = append(h.runs,
		finishRun(envelope.Run{ID: lowID, Type: "backup", Outcome: "", StartedAt: at(n + 10)}, n),
		finishRun(envelope.Run{ID: highID, Type: "backup", Outcome: "failed", StartedAt: at(n + 10)}, n+1))

	h.connections = []envelope.Connection{
		{ID: uuid.NewString(), LastCheckedAt: ptr(at(10))},
		{ID: lowID, LastCheckedAt: ptr(at(20)), LastErrorCode: "E_PROVIDER", LastErrorMessage: "older tie"},
		{ID: highID, LastCheckedAt: ptr(at(20)), LastErrorCode: "E_PROVIDER", LastErrorMessage: "consent revoked; Bearer abc"},
		{ID: uuid.NewString()}, // never checked: last
	}
	severities := []string{"low", "medium", "high", "critical"}
	reviewStatuses := []string{"pending", "in_progress", "completed"}
	actions := []string{"tenant.updated", "support_request.created", "supportXrequest.created", "operation_run.started"}
	for i := range n {
		status := "open"
		if i%3 == 0 {
			status = "resolved"
		}
		h.findings = append(h.findings, envelope.Finding{ID: uuid.NewString(), Severity: severities[i%4], Status: status, DetectedAt: at(i)})
		h.reviews = append(h.reviews, envelope.Review{ID: uuid.NewString(), Status: reviewStatuses[i%3], DueAt: at(i)})
		h.reports = append(h.reports, envelope.Report{ID: uuid.NewString(), Kind: "compliance", Status: "ready", GeneratedAt: at(i)})
		h.audit = append(h.audit, envelope.AuditItem{ID: uuid.NewString(), Action: actions[i%4], ActorID: actor, SubjectType: "tenant", OccurredAt: at(i)})
	}
	// The newest audit entries are all support requests': the excerpt must
	// reach past them.
	for i := range 15 {
		action := "support_request.created"
		if i%2 == 1 {
			action = "support_request.viewed"
		}
		h.audit = append(h.audit, envelope.AuditItem{ID: uuid.NewString(), Action: action, ActorID: actor, SubjectType: "tenant", OccurredAt: at(n + 100 + i)})
	}
	return h
}

func finishRun(r envelope.Run, i int) envelope.Run {
	r.Status = "running"
	if r.Outcome != "" {
		r.Status = "completed"
		r.CompletedAt = ptr(r.StartedAt.Add(time.Minute))
	}
	if r.Outcome == "failed" {
		r.FailureCode, r.FailureMessage = "E_SYNC", fmt.Sprintf("sync failed #%d", i)
	}
	return r
}

// insert writes h in a random order, so that no result follows insertion order.
func (h history) insert(s seeder) {
	s.t.Helper()
	rng := rand.New(rand.NewPCG(1, 2))
	for _, i := range rng.Perm(len(h.runs)) {
		r := h.runs[i]
		var outcome *string
		if r.Outcome != "" {
			outcome = &r.Outcome
		}
		s.run(run{ID: r.ID, TenantID: h.tenantID, Type: r.Type, Status: r.Status, Outcome: outcome,
			StartedAt: r.StartedAt, CompletedAt: r.CompletedAt, FailureCode: r.FailureCode, FailureMsg: r.FailureMessage})
	}
	for _, i := range rng.Perm(len(h.connections)) {
		c := h.connections[i]
		s.connection(h.tenantID, c.ID, c.LastCheckedAt, c.LastErrorMessage)
	}
	for _, i := range rng.Perm(len(h.findings)) {
		f := h.findings[i]
		s.finding(h.tenantID, f.ID, f.Severity, f.Status, f.DetectedAt)
	}
	for _, i := range rng.Perm(len(h.reviews)) {
		r := h.reviews[i]
		s.review(h.tenantID, r.ID, r.Status, r.DueAt)
	}
	for _, i := range rng.Perm(len(h.reports)) {
		r := h.reports[i]
		s.report(h.tenantID, r.ID, r.GeneratedAt)
	}
	for _, i := range rng.Perm(len(h.audit)) {
		a := h.audit[i]
		s.audit(h.workspaceID, h.tenantID, a.ActorID, a.ID, a.Action, a.OccurredAt)
	}
}

// newest sorts items newest first, then by id descending, and keeps n.
func newest[T any](items []T, n int, key func(T) (time.Time, string)) []T {
	out := slices.Clone(items)
	slices.SortFunc(out, func(a, b T) int {
		ta, ia := key(a)
		tb, ib := key(b)
		return cmp.Or(tb.Compare(ta), strings.Compare(ib, ia))
	})
	return out[:min(n, len(out))]
}

func runKey(r envelope.Run) (time.Time, string) { return r.StartedAt, r.ID }

func (h history) expectedSnapshot(ws envelope.Workspace, tn envelope.Tenant, scope envelope.Scope, run *envelope.Run) envelope.Snapshot {
	s := envelope.Snapshot{Scope: scope, Workspace: ws, Tenant: tn, Run: run}
	// Connections: most recently checked first, never-checked last.
	conns := slices.Clone(h.connections)
	slices.SortFunc(conns, func(a, b envelope.Connection) int {
		switch {
		case a.LastCheckedAt == nil && b.LastCheckedAt == nil:
			return strings.Compare(b.ID, a.ID)
		case a.LastCheckedAt == nil:
			return 1
		case b.LastCheckedAt == nil:
			return -1
		}
		return cmp.Or(b.LastCheckedAt.Compare(*a.LastCheckedAt), strings.Compare(b.ID, a.ID))
	})
	if len(conns) > 0 {
		s.Connection = connectionAsStored(conns[0])
	}
	s.RecentRuns = newest(h.runs, envelope.MaxRecentRuns, runKey)

	var open []envelope.Finding
	s.OpenFindingsBySeverity = map[string]int{}
	for _, f := range h.findings {
		if f.Status == "open" {
			open = append(open, withTitle(f))
			s.OpenFindingsBySeverity[f.Severity]++
		}
	}
	s.OpenFindings = newest(open, envelope.MaxFindings, func(f envelope.Finding) (time.Time, string) { return f.DetectedAt, f.ID })

	s.OpenReviewsByStatus = map[string]int{}
	var reviews []envelope.Review
	for _, r := range h.reviews {
		r.Title = "Review " + r.ID[:8]
		reviews = append(reviews, r)
		if r.Status != "completed" {
			s.OpenReviewsByStatus[r.Status]++
		}
	}
	s.Reviews = newest(reviews, envelope.MaxReviews, func(r envelope.Review) (time.Time, string) { return r.DueAt, r.ID })
	s.Reports = newest(h.reports, envelope.MaxReports, func(r envelope.Report) (time.Time, string) { return r.GeneratedAt, r.ID })

	var items []envelope.AuditItem
	for _, a := range h.audit {
		if !strings.HasPrefix(a.Action, "support_request.") {
			a.SubjectID = "subject-" + a.ID[:8]
			items = append(items, a)
		}
	}
	s.Audit = newest(items, envelope.MaxAuditEntries, func(a envelope.AuditItem) (time.Time, string) { return a.OccurredAt, a.ID })
	return s
}

// connectionAsStored adds what the seeder stores besides the test's fields.
func connectionAsStored(c envelope.Connection) *envelope.Connection {
	c.Provider, c.Status, c.ConsentState = "microsoft_graph", "degraded", "granted"
	return &c
}

func withTitle(f envelope.Finding) envelope.Finding {
	f.Title = "Finding " + f.ID[:8]
	return f
}

func TestContextsAndDiagnostics(t *testing.T) {
	for _, e := range testdb.Engines() {
		t.Run(e.Name, func(t *testing.T) { testContextsAndDiagnostics(t, e.Open(t)) })
	}
}

func testContextsAndDiagnostics(t *testing.T, db *gormstore.DB) {
	ctx := context.Background()
	s := newSeeder(t, db)
	ws := s.workspace()
	actor := s.user()
	big, small, empty := s.tenant(ws), s.tenant(ws), s.tenant(ws)

	const n = 200
	hBig := bigHistory(ws, big, actor, n)
	s.inTx(hBig.insert)
	hSmall := history{workspaceID: ws, tenantID: small,
		runs: []envelope.Run{
			finishRun(envelope.Run{ID: uuid.NewString(), Type: "restore", Outcome: "failed", StartedAt: at(5000)}, 1),
			finishRun(envelope.Run{ID: uuid.NewString(), Type: "restore", Outcome: "", StartedAt: at(5001)}, 2),
			finishRun(envelope.Run{ID: uuid.NewString(), Type: "restore", Outcome: "succeeded", StartedAt: at(4999)}, 3),
		},
		connections: []envelope.Connection{{ID: uuid.NewString()}},
		findings:    []envelope.Finding{{ID: uuid.NewString(), Severity: "critical", Status: "open", DetectedAt: at(9000)}},
		audit:       []envelope.AuditItem{{ID: uuid.NewString(), Action: "tenant.created", ActorID: actor, SubjectType: "tenant", OccurredAt: at(9000)}},
	}
	s.inTx(hSmall.insert)
	// Entries of the workspace without a tenant, newer than all: never in an excerpt.
	s.audit(ws, "", actor, uuid.NewString(), "workspace.updated", at(99999))

	contexts, diagnostics := gormstore.NewContexts(db), gormstore.NewDiagnostics(db)
	workspace := envelope.Workspace{ID: ws, Name: "Workspace " + ws[:8]}
	tenantOf := func(id string) envelope.Tenant {
		return envelope.Tenant{ID: id, WorkspaceID: ws, Name: "Tenant " + id[:8], ExternalID: "ext-" + id[:8], Status: "active"}
	}
	failedRun := hBig.runs[1]  // outcome failed, with a failure
	pendingRun := hBig.runs[2] // no outcome, not completed

	t.Run("snapshot of a tenant with a long history is bounded and exact", func(t *testing.T) {
		scope := envelope.Scope{Type: support.ContextTenant, TenantID: big}
		got, err := contexts.Snapshot(ctx, scope)
		if err != nil {
			t.Fatalf("Snapshot: %v", err)
		}
		want := hBig.expectedSnapshot(workspace, tenantOf(big), scope, nil)
		assertEqual(t, "snapshot", got, want)
		// The data really has the shapes the test means to exercise.
		if got.RecentRuns[0].ID != highID || got.RecentRuns[1].ID != lowID || got.Connection.ID != highID {
			t.Errorf("ties are not broken by id descending")
		}
		if got.Audit[0].Action == "support_request.created" || !slices.ContainsFunc(got.Audit, func(a envelope.AuditItem) bool {
			return a.Action == "supportXrequest.created"
		}) {
			t.Errorf("audit excerpt %v: want support_request.* out and supportXrequest.* in", got.Audit)
		}
		if total := got.OpenFindingsBySeverity["low"] + got.OpenFindingsBySeverity["medium"] +
			got.OpenFindingsBySeverity["high"] + got.OpenFindingsBySeverity["critical"]; total != 133 {
			t.Errorf("open findings counted = %d, want 133", total)
		}
	})

	t.Run("snapshot of a run", func(t *testing.T) {
		for _, r := range []envelope.Run{failedRun, pendingRun} {
			scope := envelope.Scope{Type: support.ContextOperationRun, TenantID: big, RunID: r.ID}
			got, err := contexts.Snapshot(ctx, scope)
			if err != nil {
				t.Fatalf("Snapshot: %v", err)
			}
			want := hBig.expectedSnapshot(workspace, tenantOf(big), scope, &r)
			assertEqual(t, "snapshot", got, want)
		}
	})

	t.Run("a run of another tenant is not read", func(t *testing.T) {
		scope := envelope.Scope{Type: support.ContextOperationRun, TenantID: small, RunID: failedRun.ID}
		got, err := contexts.Snapshot(ctx, scope)
		if err != nil {
			t.Fatalf("Snapshot: %v", err)
		}
		if got.Run != nil {
			t.Errorf("Run = %+v, want nil: it belongs to another tenant", got.Run)
		}
		want := hSmall.expectedSnapshot(workspace, tenantOf(small), scope, nil)
		assertEqual(t, "snapshot", got, want)
		if got.Connection == nil || got.Connection.LastCheckedAt != nil {
			t.Errorf("Connection = %+v, want the never-checked one", got.Connection)
		}
	})

	t.Run("snapshot of a tenant with nothing", func(t *testing.T) {
		scope := envelope.Scope{Type: support.ContextTenant, TenantID: empty}
		got, err := contexts.Snapshot(ctx, scope)
		if err != nil {
			t.Fatalf("Snapshot: %v", err)
		}
		if got.Tenant != tenantOf(empty) || got.Connection != nil || len(got.RecentRuns)+len(got.OpenFindings)+
			len(got.Reviews)+len(got.Reports)+len(got.Audit)+len(got.OpenFindingsBySeverity)+len(got.OpenReviewsByStatus) != 0 {
			t.Errorf("Snapshot = %+v, want the tenant and nothing else", got)
		}
	})

	t.Run("snapshot of a tenant that does not exist", func(t *testing.T) {
		for _, id := range []string{uuid.NewString(), "not-a-uuid"} {
			scope := envelope.Scope{Type: support.ContextTenant, TenantID: id}
			got, err := contexts.Snapshot(ctx, scope)
			if err != nil {
				t.Fatalf("Snapshot(%q): %v", id, err)
			}
			assertEqual(t, "snapshot", got, envelope.Snapshot{Scope: scope})
		}
	})

	t.Run("diagnostics of a tenant", func(t *testing.T) {
		scope := envelope.Scope{Type: support.ContextTenant, TenantID: big}
		got, err := diagnostics.Bundle(ctx, scope)
		if err != nil {
			t.Fatalf("Bundle: %v", err)
		}
		var failed []envelope.Run
		for _, r := range hBig.runs {
			if r.Outcome == "failed" {
				failed = append(failed, r)
			}
		}
		want := envelope.Bundle{
			Scope:         scope,
			Connection:    hBig.expectedSnapshot(workspace, tenantOf(big), scope, nil).Connection,
			FailedRuns:    newest(failed, envelope.MaxFailedRuns, runKey),
			RunsCounted:   envelope.OutcomeWindow,
			OutcomeCounts: outcomeCounts(newest(hBig.runs, envelope.OutcomeWindow, runKey)),
		}
		assertEqual(t, "bundle", got, want)
		if got.Connection.LastErrorMessage == "" || got.FailedRuns[0].FailureMessage == "" || got.OutcomeCounts["none"] == 0 {
			t.Errorf("bundle lacks the error messages or the runs without outcome: %+v", got)
		}
	})

	t.Run("diagnostics of a run", func(t *testing.T) {
		scope := envelope.Scope{Type: support.ContextOperationRun, TenantID: big, RunID: failedRun.ID}
		got, err := diagnostics.Bundle(ctx, scope)
		if err != nil {
			t.Fatalf("Bundle: %v", err)
		}
		if got.Run == nil || !reflect.DeepEqual(*got.Run, failedRun) || got.FailedRuns != nil {
			t.Errorf("Bundle.Run = %+v, FailedRuns = %v; want the run with its failure and no failed-run list", got.Run, got.FailedRuns)
		}
		if got.RunsCounted != envelope.OutcomeWindow {
			t.Errorf("RunsCounted = %d, want %d", got.RunsCounted, envelope.OutcomeWindow)
		}
	})

	t.Run("diagnostics of a tenant with few runs", func(t *testing.T) {
		scope := envelope.Scope{Type: support.ContextTenant, TenantID: small}
		got, err := diagnostics.Bundle(ctx, scope)
		if err != nil {
			t.Fatalf("Bundle: %v", err)
		}
		want := envelope.Bundle{
			Scope:         scope,
			Connection:    connectionAsStored(hSmall.connections[0]),
			FailedRuns:    hSmall.runs[:1],
			RunsCounted:   3,
			OutcomeCounts: map[string]int{"failed": 1, "none": 1, "succeeded": 1},
		}
		assertEqual(t, "bundle", got, want)
	})

	t.Run("one read gives what the two reads give", func(t *testing.T) {
		for _, scope := range []envelope.Scope{
			{Type: support.ContextTenant, TenantID: big},
			{Type: support.ContextOperationRun, TenantID: big, RunID: failedRun.ID},
			{Type: support.ContextTenant, TenantID: small},
			{Type: support.ContextTenant, TenantID: empty},
		} {
			snap, bundle, err := contexts.ReadEnvelope(ctx, scope, true)
			if err != nil {
				t.Fatal(err)
			}
			wantSnap, err := contexts.Snapshot(ctx, scope)
			if err != nil {
				t.Fatal(err)
			}
			wantBundle, err := diagnostics.Bundle(ctx, scope)
			if err != nil {
				t.Fatal(err)
			}
			assertEqual(t, "snapshot", snap, wantSnap)
			if bundle == nil {
				t.Fatalf("%+v: no bundle", scope)
			}
			assertEqual(t, "bundle", *bundle, wantBundle)
			if snap, bundle, err := contexts.ReadEnvelope(ctx, scope, false); err != nil || bundle != nil {
				t.Errorf("%+v without the bundle: %v, %+v", scope, err, bundle)
			} else {
				assertEqual(t, "snapshot alone", snap, wantSnap)
			}
		}
	})

	t.Run("diagnostics of a tenant with nothing", func(t *testing.T) {
		scope := envelope.Scope{Type: support.ContextTenant, TenantID: empty}
		got, err := diagnostics.Bundle(ctx, scope)
		if err != nil {
			t.Fatalf("Bundle: %v", err)
		}
		assertEqual(t, "bundle", got, envelope.Bundle{Scope: scope, FailedRuns: []envelope.Run{}, OutcomeCounts: map[string]int{}})
	})
}

func outcomeCounts(runs []envelope.Run) map[string]int {
	out := map[string]int{}
	for _, r := range runs {
		out[cmp.Or(r.Outcome, "none")]++
	}
	return out
}

// assertEqual compares deeply; nil and empty slices count as equal.
func assertEqual[T any](t *testing.T, what string, got, want T) {
	t.Helper()
	if g, w := printable(reflect.ValueOf(got)), printable(reflect.ValueOf(want)); g != w {
		t.Errorf("%s =\n%s\nwant\n%s", what, g, w)
	}
}

// printable prints v with pointers followed, maps sorted and times in
// RFC 3339 with their zone, so that equal values print equally and a
// difference is readable.
func printable(v reflect.Value) string {
	switch v.Kind() {
	case reflect.Pointer:
		if v.IsNil() {
			return "nil"
		}
		return "&" + printable(v.Elem())
	case reflect.Slice:
		parts := make([]string, v.Len())
		for i := range parts {
			parts[i] = printable(v.Index(i))
		}
		return "[" + strings.Join(parts, ",\n ") + "]"
	case reflect.Map:
		keys := v.MapKeys()
		slices.SortFunc(keys, func(a, b reflect.Value) int { return strings.Compare(a.String(), b.String()) })
		parts := make([]string, len(keys))
		for i, k := range keys {
			parts[i] = k.String() + ":" + printable(v.MapIndex(k))
		}
		return "map[" + strings.Join(parts, " ") + "]"
	case reflect.Struct:
		if tm, ok := v.Interface().(time.Time); ok {
			return tm.Format(time.RFC3339Nano) + "(" + tm.Location().String() + ")"
		}
		parts := make([]string, v.NumField())
		for i := range parts {
			parts[i] = v.Type().Field(i).Name + ":" + printable(v.Field(i))
		}
		return "{" + strings.Join(parts, " ") + "}"
	}
	return fmt.Sprintf("%#v", v.Interface())
}

// TestSnapshotDoesNotWaitForAWriter: the reads run in a read transaction
// that neither takes SQLite's write lock (as the DSN's BEGIN IMMEDIATE
// would) nor waits for it, and does not see the writer's uncommitted rows.
func TestSnapshotDoesNotWaitForAWriter(t *testing.T) {
	for _, e := range testdb.Engines() {
		t.Run(e.Name, func(t *testing.T) {
			db := e.Open(t)
			s := newSeeder(t, db)
			ws := s.workspace()
			tenant, user := s.tenant(ws), s.user()

			inside, release, done := make(chan struct{}), make(chan struct{}), make(chan error)
			go func() {
				done <- db.Gorm().Transaction(func(tx *gorm.DB) error {
					err := tx.Exec(`INSERT INTO audit_entries (id, workspace_id, tenant_id, actor_id, action, subject_type, subject_id, occurred_at)
						VALUES (?, ?, ?, ?, 'connection.updated', 'provider_connection', 'c1', ?)`,
						uuid.NewString(), ws, tenant, user, time.Now().UTC()).Error
					close(inside)
					<-release // hold the write transaction open
					return err
				})
			}()
			<-inside

			// Well below the 10 s busy timeout a blocked reader would wait.
			ctx, cancel := context.WithTimeout(context.Background(), 3*time.Second)
			defer cancel()
			snap, err := gormstore.NewContexts(db).Snapshot(ctx, envelope.Scope{Type: support.ContextTenant, TenantID: tenant})
			close(release)
			if err != nil {
				t.Fatalf("Snapshot while a write transaction is open: %v", err)
			}
			if snap.Tenant.ID != tenant || len(snap.Audit) != 0 {
				t.Errorf("Snapshot = tenant %q with %d audit entries, want the tenant and none of the uncommitted writes", snap.Tenant.ID, len(snap.Audit))
			}
			if err := <-done; err != nil {
				t.Fatalf("write: %v", err)
			}
		})
	}
}
