package usecase

import (
	"context"
	"errors"
	"fmt"
	"reflect"
	"slices"
	"sync"
	"testing"
	"time"

	"supportdesk/adapters/memory"
	"supportdesk/core"
	"supportdesk/core/access"
	"supportdesk/core/audit"
	"supportdesk/core/credential"
	"supportdesk/core/envelope"
	"supportdesk/core/event"
	"supportdesk/core/reference"
	"supportdesk/core/support"
	"supportdesk/ports"
)

// world answers grants and snapshots for one workspace w1 with tenant t1
// (and any in tenants) and t1's run r1; users hold the roles in
// tenantRoles on each tenant.
type world struct {
	tenantRoles map[string]access.Role
	diagErr     error
	// tenants are the tenants of w1 besides t1, with the same roles.
	tenants []string
}

func (w *world) TenantGrant(_ context.Context, user, tenant string) (access.Grant, error) {
	if tenant != "t1" && !slices.Contains(w.tenants, tenant) {
		return access.Grant{}, nil
	}
	g := access.Grant{Exists: true, WorkspaceID: "w1", TenantID: tenant, TenantRole: w.tenantRoles[user]}
	if user != "outsider" {
		g.WorkspaceRole = access.WorkspaceMember
	}
	return g, nil
}

func (w *world) RunGrant(ctx context.Context, user, run string) (access.Grant, error) {
	if run != "r1" {
		return access.Grant{}, nil
	}
	g, err := w.TenantGrant(ctx, user, "t1")
	g.RunID = run
	return g, err
}

func (w *world) Snapshot(_ context.Context, s envelope.Scope) (envelope.Snapshot, error) {
	snap := envelope.Snapshot{Scope: s, Workspace: envelope.Workspace{ID: "w1", Name: "W"},
		Tenant: envelope.Tenant{ID: "t1", WorkspaceID: "w1", Name: "T", Status: "active"}}
	if s.RunID != "" {
		snap.Run = &envelope.Run{ID: s.RunID, Type: "backup", Status: "completed", Outcome: "failed",
			StartedAt: time.Unix(0, 0).UTC(), FailureMessage: "password=canary-secret"}
	}
	return snap, nil
}

func (w *world) Bundle(_ context.Context, s envelope.Scope) (envelope.Bundle, error) {
	if w.diagErr != nil {
		return envelope.Bundle{}, w.diagErr
	}
	return envelope.Bundle{Scope: s, RunsCounted: 1, OutcomeCounts: map[string]int{"failed": 1}}, nil
}

// ReadEnvelope reads both halves as one read would: if the bundle's part
// fails, the whole read does.
func (w *world) ReadEnvelope(ctx context.Context, s envelope.Scope, withBundle bool) (envelope.Snapshot, *envelope.Bundle, error) {
	snap, _ := w.Snapshot(ctx, s)
	if !withBundle {
		return snap, nil, nil
	}
	b, err := w.Bundle(ctx, s)
	if err != nil {
		return envelope.Snapshot{}, nil, err
	}
	return snap, &b, nil
}

func (w *world) ByTokenHash(_ context.Context, hash string) (ports.Actor, error) {
	if hash == credential.Hash("good-token") {
		return ports.Actor{ID: "owner"}, nil
	}
	return ports.Actor{}, core.Errorf(core.KindUnauthenticated, "invalid or expired token")
}

func (w *world) ByEmail(context.Context, string) (ports.Actor, error) { return ports.Actor{}, nil }

func (w *world) IssueToken(context.Context, string, string) (ports.Actor, error) {
	return ports.Actor{}, nil
}

type fixedClock struct{}

func (fixedClock) Now() time.Time { return time.Date(2026, 11, 29, 9, 0, 0, 0, time.UTC) }

// seqIDs makes references and numbered UUIDs; with fixed set, every id
// is that one, so that a second creation's audit entry collides with the
// first's, as a failing audit write would.
type seqIDs struct {
	gen   *reference.Generator
	mu    sync.Mutex
	n     int
	fixed string
}

func (s *seqIDs) NewReference(t time.Time) (reference.Reference, error) { return s.gen.New(t) }

func (s *seqIDs) NewID() string {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.fixed != "" {
		return s.fixed
	}
	s.n++
	return fmt.Sprintf("00000000-0000-4000-8000-%012d", s.n)
}

// deps are the outbound ports of a service under test: storage is the
// in-memory adapter, which the contract suite holds to the SQL storage's
// behaviour; grants, snapshots and users come from world.
type deps struct {
	store *memory.Store
	world *world
	ids   *seqIDs
}

func newService(t *testing.T) (*Service, deps) {
	t.Helper()
	d := deps{store: memory.New(), ids: &seqIDs{gen: reference.NewGenerator()}, world: &world{tenantRoles: map[string]access.Role{
		"owner": access.RoleOwner, "manager": access.RoleManager, "operator": access.RoleOperator,
		"readonly": access.RoleReadonly, "outsider": access.RoleOwner,
	}}}
	s := New(Deps{Requests: d.store, Idempotency: d.store, Grants: d.world, Contexts: d.world, Diagnostics: d.world,
		Users: d.world, Clock: fixedClock{}, IDs: d.ids})
	return s, d
}

// requests returns every request stored, newest first.
func (d deps) requests(t *testing.T) []*support.Request {
	t.Helper()
	list, err := d.store.List(context.Background(), ports.ListFilter{Limit: ports.MaxListLimit})
	if err != nil {
		t.Fatal(err)
	}
	return list
}

// stored reports how many requests, audit entries and events are stored.
func (d deps) stored(t *testing.T) [3]int {
	t.Helper()
	return [3]int{len(d.requests(t)), len(d.store.Audit()), len(d.store.Events())}
}

func submission(user string, ctxType support.ContextType, id string) ports.Submission {
	return ports.Submission{
		Actor:   ports.Actor{ID: user},
		Target:  support.PrimaryContext{Type: ctxType, ID: id},
		Input:   support.Input{Severity: "high", Summary: " Backups fail "},
		Channel: support.ChannelAPI,
	}
}

func TestSubmitCreatesRequestAndOneAuditEntry(t *testing.T) {
	s, d := newService(t)
	req, err := s.Submit(context.Background(), submission("owner", support.ContextOperationRun, "r1"))
	if err != nil {
		t.Fatal(err)
	}
	if req.TenantID() != "t1" || req.WorkspaceID() != "w1" || req.Details().Summary != "Backups fail" ||
		req.AttachmentMode() != support.DiagnosticsAttached || req.CreatedBy() != "owner" {
		t.Fatalf("request = %+v", req)
	}
	if got, err := d.store.Get(context.Background(), req.Reference()); err != nil || got.ContextDigest() != req.ContextDigest() {
		t.Fatalf("stored request: %v", err)
	}
	audits := d.store.Audit()
	if len(audits) != 1 {
		t.Fatalf("%d audit entries, want 1", len(audits))
	}
	events := d.store.Events()
	if len(events) != 1 || events[0].Type != event.TypeSupportRequestCreated || events[0].Reference != req.Reference() ||
		events[0].WorkspaceID != "w1" || !events[0].OccurredAt.Equal(req.CreatedAt()) || events[0].ID == audits[0].ID {
		t.Fatalf("outbox events = %+v, want one support_request.created of %s with an id of its own", events, req.Reference())
	}
	e := audits[0]
	var keys []string
	for k := range e.Metadata {
		keys = append(keys, k)
	}
	slices.Sort(keys)
	want := []string{"attachment_mode", "channel", "context_digest", "primary_context_id", "primary_context_type", "reference", "severity"}
	if !slices.Equal(keys, want) || e.Metadata["channel"] != "api" || e.Action != audit.ActionSupportRequestCreated ||
		e.SubjectID != req.Reference().String() || e.TenantID != "t1" {
		t.Fatalf("audit entry = %+v", e)
	}
}

func TestSubmitAuthorization(t *testing.T) {
	s, d := newService(t)
	cases := []struct {
		user string
		typ  support.ContextType
		id   string
		want core.Kind
	}{
		{"operator", support.ContextTenant, "t1", -1},
		{"readonly", support.ContextTenant, "t1", core.KindForbidden},
		{"readonly", support.ContextOperationRun, "r1", core.KindForbidden},
		{"stranger", support.ContextTenant, "t1", core.KindNotFound},
		{"outsider", support.ContextTenant, "t1", core.KindNotFound},
		{"owner", support.ContextTenant, "t2", core.KindNotFound},
		{"owner", support.ContextOperationRun, "r2", core.KindNotFound},
		{"stranger", support.ContextOperationRun, "r1", core.KindNotFound},
	}
	for _, c := range cases {
		before := d.stored(t)
		_, err := s.Submit(context.Background(), submission(c.user, c.typ, c.id))
		if c.want == -1 {
			if err != nil {
				t.Errorf("%s on %s %s: %v", c.user, c.typ, c.id, err)
			}
			continue
		}
		if core.KindOf(err) != c.want {
			t.Errorf("%s on %s %s: error %v, want %v", c.user, c.typ, c.id, err, c.want)
		}
		if after := d.stored(t); after != before {
			t.Errorf("%s on %s %s: stored %v, was %v", c.user, c.typ, c.id, after, before)
		}
	}
	// "Not entitled" and "does not exist" say exactly the same.
	_, hidden := s.Submit(context.Background(), submission("stranger", support.ContextTenant, "t1"))
	_, absent := s.Submit(context.Background(), submission("owner", support.ContextTenant, "t404"))
	if hidden.Error() != absent.Error() {
		t.Errorf("404 messages differ: %q vs %q", hidden, absent)
	}
}

func TestSubmitInvalidInputWritesNothing(t *testing.T) {
	s, d := newService(t)
	sub := submission("owner", support.ContextTenant, "t1")
	sub.Input = support.Input{Severity: "urgent", Summary: ""}
	_, err := s.Submit(context.Background(), sub)
	if core.KindOf(err) != core.KindInvalid || len(core.FieldsOf(err)) != 2 {
		t.Fatalf("error = %v (%v)", err, core.FieldsOf(err))
	}
	if got := d.stored(t); got != [3]int{} {
		t.Fatalf("an invalid submission wrote %v", got)
	}
}

func TestFailingDiagnosticsStillCreates(t *testing.T) {
	for _, oneRead := range []bool{false, true} {
		s, d := newService(t)
		if oneRead {
			s.envelopes = d.world
		}
		d.world.diagErr = errors.New("provider table locked")
		var heard error
		s.Hooks.DiagnosticsFailed = func(_ context.Context, err error) { heard = err }
		req, err := s.Submit(context.Background(), submission("manager", support.ContextOperationRun, "r1"))
		if err != nil {
			t.Fatal(err)
		}
		if req.AttachmentMode() != support.CanonicalContextOnly || heard == nil {
			t.Fatalf("one read %v: mode %s, heard %v", oneRead, req.AttachmentMode(), heard)
		}
		d.world.diagErr = nil
		if req, err := s.Submit(context.Background(), submission("manager", support.ContextOperationRun, "r1")); err != nil ||
			req.AttachmentMode() != support.DiagnosticsAttached {
			t.Fatalf("one read %v, diagnostics back: %v", oneRead, err)
		}
	}
	s, d := newService(t)
	d.world.diagErr = errors.New("provider table locked")
	req, err := s.Submit(context.Background(), submission("manager", support.ContextOperationRun, "r1"))
	if err != nil {
		t.Fatal(err)
	}
	// The standalone endpoint reports the failure as unavailable.
	if _, err := s.Diagnostics(context.Background(), ports.Actor{ID: "manager"}, req.PrimaryContext()); core.KindOf(err) != core.KindUnavailable {
		t.Fatalf("Diagnostics error = %v, want KindUnavailable", err)
	}
}

// A creation whose audit entry cannot be written (its id is taken, as
// the storage's primary key refuses it) stores nothing at all.
func TestFailingAuditCreatesNothing(t *testing.T) {
	s, d := newService(t)
	d.ids.fixed = "00000000-0000-4000-8000-00000000a0d1"
	if _, err := s.Submit(context.Background(), submission("owner", support.ContextTenant, "t1")); err != nil {
		t.Fatal(err)
	}
	if _, err := s.Submit(context.Background(), submission("owner", support.ContextTenant, "t1")); err == nil {
		t.Fatal("Submit succeeded without its audit entry")
	}
	if got := d.stored(t); got != [3]int{1, 1, 1} {
		t.Fatalf("stored %v (requests, audit entries, events), want only the first creation's", got)
	}
}

func TestPreviewDigestMatchesSubmission(t *testing.T) {
	s, _ := newService(t)
	for _, user := range []string{"owner", "operator"} {
		target := support.PrimaryContext{Type: support.ContextOperationRun, ID: "r1"}
		p, err := s.Preview(context.Background(), ports.Actor{ID: user}, target)
		if err != nil {
			t.Fatal(err)
		}
		a, err := s.Submit(context.Background(), submission(user, target.Type, target.ID))
		if err != nil {
			t.Fatal(err)
		}
		b, err := s.Submit(context.Background(), submission(user, target.Type, target.ID))
		if err != nil {
			t.Fatal(err)
		}
		if p.ContextDigest != a.ContextDigest() || a.ContextDigest() != b.ContextDigest() || a.Reference() == b.Reference() {
			t.Errorf("%s: preview %s, stored %s and %s (refs %s, %s)", user, p.ContextDigest, a.ContextDigest(), b.ContextDigest(), a.Reference(), b.Reference())
		}
		if p.Mode != a.AttachmentMode() {
			t.Errorf("%s: preview mode %s, stored %s", user, p.Mode, a.AttachmentMode())
		}
	}
}

func TestDiagnosticsNeedsCapability(t *testing.T) {
	s, _ := newService(t)
	target := support.PrimaryContext{Type: support.ContextTenant, ID: "t1"}
	if _, err := s.Diagnostics(context.Background(), ports.Actor{ID: "operator"}, target); core.KindOf(err) != core.KindForbidden {
		t.Fatalf("operator: %v, want KindForbidden", err)
	}
	out, err := s.Diagnostics(context.Background(), ports.Actor{ID: "owner"}, target)
	if err != nil || len(out) == 0 {
		t.Fatalf("owner: %v", err)
	}
}

func TestGetOnlyForCreator(t *testing.T) {
	s, _ := newService(t)
	req, err := s.Submit(context.Background(), submission("owner", support.ContextTenant, "t1"))
	if err != nil {
		t.Fatal(err)
	}
	if got, err := s.Get(context.Background(), ports.Actor{ID: "owner"}, req.Reference()); err != nil || got.Reference() != req.Reference() {
		t.Fatalf("creator: %v", err)
	}
	_, other := s.Get(context.Background(), ports.Actor{ID: "manager"}, req.Reference())
	_, unknown := s.Get(context.Background(), ports.Actor{ID: "owner"}, "SR-01JDQ8Y7Z3K4M5N6P7Q8R9S0TV")
	if core.KindOf(other) != core.KindNotFound || other.Error() != unknown.Error() {
		t.Fatalf("other creator %v, unknown %v: want identical not found", other, unknown)
	}
}

func TestAuthenticate(t *testing.T) {
	s, _ := newService(t)
	if a, err := s.Authenticate(context.Background(), "good-token"); err != nil || a.ID != "owner" {
		t.Fatalf("good token: %v %v", a, err)
	}
	for _, tok := range []string{"", "bad-token"} {
		if _, err := s.Authenticate(context.Background(), tok); core.KindOf(err) != core.KindUnauthenticated {
			t.Errorf("token %q: %v", tok, err)
		}
	}
}

func TestIdsMatchInAnyCase(t *testing.T) {
	s, _ := newService(t)
	req, err := s.Submit(context.Background(), submission("owner", support.ContextOperationRun, "R1"))
	if err != nil {
		t.Fatal(err)
	}
	if req.PrimaryContext().ID != "r1" {
		t.Fatalf("primary context id %q, want the stored form r1", req.PrimaryContext().ID)
	}
}

// countingReader counts the envelope reads it serves from next.
type countingReader struct {
	next  ports.EnvelopeReader
	reads int
}

func (c *countingReader) ReadEnvelope(ctx context.Context, s envelope.Scope, withBundle bool) (envelope.Snapshot, *envelope.Bundle, error) {
	c.reads++
	return c.next.ReadEnvelope(ctx, s, withBundle)
}

// TestSupportForm: the form's preview and view come from one read, equal
// to what Preview and View give; who may not create gets Preview's error.
func TestSupportForm(t *testing.T) {
	s, d := newService(t)
	reader := &countingReader{next: d.world}
	s.envelopes = reader
	ctx := context.Background()
	for _, target := range []support.PrimaryContext{{Type: support.ContextTenant, ID: "t1"}, {Type: support.ContextOperationRun, ID: "r1"}} {
		for _, user := range []string{"owner", "operator"} {
			reader.reads = 0
			p, v, err := s.SupportForm(ctx, ports.Actor{ID: user}, target)
			if err != nil {
				t.Fatal(err)
			}
			if reader.reads != 1 {
				t.Errorf("%s on %s: %d envelope reads, want 1", user, target.Type, reader.reads)
			}
			wantP, err := s.Preview(ctx, ports.Actor{ID: user}, target)
			if err != nil {
				t.Fatal(err)
			}
			wantV, err := s.View(ctx, ports.Actor{ID: user}, target)
			if err != nil {
				t.Fatal(err)
			}
			if !reflect.DeepEqual(p, wantP) || !reflect.DeepEqual(v, wantV) {
				t.Errorf("%s on %s: form %+v %+v, want %+v %+v", user, target.Type, p, v, wantP, wantV)
			}
		}
	}
	for user, want := range map[string]core.Kind{"readonly": core.KindForbidden, "outsider": core.KindNotFound} {
		_, _, err := s.SupportForm(ctx, ports.Actor{ID: user}, support.PrimaryContext{Type: support.ContextTenant, ID: "t1"})
		_, perr := s.Preview(ctx, ports.Actor{ID: user}, support.PrimaryContext{Type: support.ContextTenant, ID: "t1"})
		if core.KindOf(err) != want || core.KindOf(perr) != want {
			t.Errorf("%s: form error %v, preview error %v, want %v", user, err, perr, want)
		}
	}
}
