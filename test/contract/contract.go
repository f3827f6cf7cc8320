// Package contract holds the contract suite that every implementation of
// ports.SupportRequestRepository (with its ports.IdempotencyKeys) must
// pass: the SQL storage on SQLite and on PostgreSQL, and the in-memory
// fake.
package contract

import (
	"context"
	"errors"
	"fmt"
	"maps"
	"slices"
	"sync"
	"testing"
	"time"

	"github.com/google/uuid"

	"supportdesk/core"
	"supportdesk/core/audit"
	"supportdesk/core/canon"
	"supportdesk/core/event"
	"supportdesk/core/reference"
	"supportdesk/core/support"
	"supportdesk/ports"
)

// Subject is one implementation under test.
type Subject struct {
	Requests ports.SupportRequestRepository
	// Keys holds the claims the repository's creations complete.
	Keys ports.IdempotencyKeys
	// Seed makes the users, workspaces and tenants of w exist, for storage
	// that enforces foreign keys; a fake without them passes a no-op.
	Seed func(t *testing.T, w World)
	// Entries returns the committed audit entries of tenantID, in any order.
	Entries func(t *testing.T, tenantID string) []audit.Entry
	// Events returns the committed outbox events of workspaceID, in any order.
	Events func(t *testing.T, workspaceID string) []event.Event
}

// World is what a case needs to exist before it stores requests.
type World struct {
	UserIDs []string
	Tenants []Tenant
}

// Tenant is a tenant and its workspace.
type Tenant struct {
	ID          string
	WorkspaceID string
}

// RunRequestRepository runs the contract suite on the subject open returns.
// open is called once; the cases share the subject, each with its own
// workspaces, tenants and users, so a storage needs one fresh database per
// call, not one per case.
func RunRequestRepository(t *testing.T, open func(t *testing.T) Subject) {
	s := open(t)
	h := &harness{s: s, gen: reference.NewGenerator()}
	t.Run("CreateThenGetRoundTripsEveryField", h.roundTrip)
	t.Run("UnknownReferenceIsNotFound", h.unknownReference)
	t.Run("GetByCreatorFindsOnlyOwnRequests", h.getByCreator)
	t.Run("DuplicateReferenceConflictsAndChangesNothing", h.duplicate)
	t.Run("FailingWriteStoresNothing", h.failingWrite)
	t.Run("AuditEntryAndEventCommitWithTheRequest", h.commitTogether)
	t.Run("ListOrderAndFilters", h.list)
	t.Run("ConcurrentCreates", h.concurrent)
	t.Run("IdempotencyClaimCompleteReplay", h.idempotencyLifecycle)
	t.Run("IdempotencyReleaseOnlyInFlight", h.idempotencyRelease)
	t.Run("IdempotencyExpiredAndAbandonedAreReplaced", h.idempotencyReplace)
	t.Run("IdempotencyCompleteAfterTakeoverStoresNothing", h.idempotencyTakeover)
	t.Run("IdempotencyConcurrentClaims", h.idempotencyConcurrent)
}

type harness struct {
	s   Subject
	gen *reference.Generator
}

// world seeds workspaces, each with tenantsPerWorkspace tenants, and one user.
func (h *harness) world(t *testing.T, workspaces, tenantsPerWorkspace int) World {
	t.Helper()
	w := World{UserIDs: []string{uuid.NewString()}}
	for range workspaces {
		ws := uuid.NewString()
		for range tenantsPerWorkspace {
			w.Tenants = append(w.Tenants, Tenant{ID: uuid.NewString(), WorkspaceID: ws})
		}
	}
	h.s.Seed(t, w)
	return w
}

// contextBytes is a canonical envelope: non-ASCII text and escapes
// included, so that a byte-for-byte round trip is tested, not merely
// equal JSON.
func contextBytes(t *testing.T, note string) []byte {
	t.Helper()
	b, err := canon.Marshal(map[string]any{
		"schema": "support-request-context/v1",
		"tenant": map[string]any{"name": "Zürich – 東京 \"quoted\" \\ back\u2028sep", "note": note},
		"counts": map[string]any{"b": 2, "a": 1},
	})
	if err != nil {
		t.Fatalf("canonical context: %v", err)
	}
	return b
}

// newRequest makes a request on tenant by user at time at, in the tenant context.
func (h *harness) newRequest(t *testing.T, tn Tenant, user string, at time.Time) *support.Request {
	t.Helper()
	ref, err := h.gen.New(at)
	if err != nil {
		t.Fatalf("new reference: %v", err)
	}
	return h.requestWithRef(t, ref, tn, user, at, "Sync fails")
}

func (h *harness) requestWithRef(t *testing.T, ref reference.Reference, tn Tenant, user string, at time.Time, summary string) *support.Request {
	t.Helper()
	r, err := support.New(support.Params{
		Reference: ref, WorkspaceID: tn.WorkspaceID, TenantID: tn.ID,
		Primary:   support.PrimaryContext{Type: support.ContextTenant, ID: tn.ID},
		Input:     support.Input{Severity: "normal", Summary: summary},
		CreatedBy: user, CreatedAt: at, Mode: support.CanonicalContextOnly, Context: contextBytes(t, summary),
	})
	if err != nil {
		t.Fatalf("new request: %v", err)
	}
	return r
}

// creation is what the use case writes for r: its audit entry and its
// outbox event, each with a fresh id, and no Idempotency-Key.
func creation(r *support.Request, ch support.Channel) ports.Creation {
	return ports.Creation{
		Request: r,
		Audit:   audit.Created(uuid.NewString(), r, ch),
		Event:   event.Created(uuid.NewString(), r),
	}
}

// create stores r with its audit entry and event and returns the creation.
func (h *harness) create(t *testing.T, r *support.Request) ports.Creation {
	t.Helper()
	c := creation(r, support.ChannelAPI)
	if err := h.s.Requests.Create(context.Background(), c); err != nil {
		t.Fatalf("create %s: %v", r.Reference(), err)
	}
	return c
}

// assertNothingStored checks that r, refused, left nothing behind: no
// request, no audit entry about it, no event for it.
func (h *harness) assertNothingStored(t *testing.T, r *support.Request) {
	t.Helper()
	if _, err := h.s.Requests.Get(context.Background(), r.Reference()); core.KindOf(err) != core.KindNotFound {
		t.Errorf("Get %s after a failed create: error = %v, want not found", r.Reference(), err)
	}
	for _, e := range h.s.Entries(t, r.TenantID()) {
		if e.SubjectID == r.Reference().String() {
			t.Errorf("an audit entry of the refused %s was stored: %+v", r.Reference(), e)
		}
	}
	for _, e := range h.s.Events(t, r.WorkspaceID()) {
		if e.Reference == r.Reference() {
			t.Errorf("an outbox event of the refused %s was stored: %+v", r.Reference(), e)
		}
	}
}

func assertEvent(t *testing.T, got, want event.Event) {
	t.Helper()
	if got.ID != want.ID || got.Type != want.Type || got.Reference != want.Reference || got.WorkspaceID != want.WorkspaceID ||
		!got.OccurredAt.Equal(want.OccurredAt) || got.OccurredAt.Location() != time.UTC {
		t.Errorf("event = %+v\nwant %+v (occurred_at in UTC)", got, want)
	}
}

func (h *harness) roundTrip(t *testing.T) {
	w := h.world(t, 1, 1)
	tn, user := w.Tenants[0], w.UserIDs[0]
	ctx := context.Background()
	// Nanoseconds and a zone other than UTC: storage keeps microseconds, in UTC.
	at := time.Date(2031, 3, 4, 5, 6, 7, 123456789, time.FixedZone("UTC+5", 5*3600))
	ref, err := h.gen.New(at)
	if err != nil {
		t.Fatal(err)
	}
	ctxBytes := contextBytes(t, "round trip")
	runID := uuid.NewString()
	want, err := support.New(support.Params{
		Reference: ref, WorkspaceID: tn.WorkspaceID, TenantID: tn.ID,
		Primary: support.PrimaryContext{Type: support.ContextOperationRun, ID: runID},
		Input: support.Input{
			Severity:          "blocking",
			Summary:           "Backup stuck at 99 % — “quotes” and ünïcödé",
			ReproductionNotes: "1. open the run\n2. wait\r\n\tthen retry",
			ContactName:       "Zoë O'Brien",
			ContactEmail:      "zoe@example.com",
		},
		CreatedBy: user, CreatedAt: at, Mode: support.DiagnosticsAttached, Context: ctxBytes,
	})
	if err != nil {
		t.Fatal(err)
	}
	c := h.create(t, want)

	got, err := h.s.Requests.Get(ctx, ref)
	if err != nil {
		t.Fatalf("Get: %v", err)
	}
	wantAt := time.Date(2031, 3, 4, 0, 6, 7, 123456000, time.UTC)
	assertRequest(t, got, want, wantAt)

	entries := h.s.Entries(t, tn.ID)
	if len(entries) != 1 {
		t.Fatalf("audit entries = %d, want 1", len(entries))
	}
	wantEntry := c.Audit
	wantEntry.OccurredAt = wantAt
	assertEntry(t, entries[0], wantEntry)

	events := h.s.Events(t, tn.WorkspaceID)
	if len(events) != 1 {
		t.Fatalf("outbox events = %d, want 1", len(events))
	}
	wantEvent := c.Event
	wantEvent.OccurredAt = wantAt
	if wantEvent.Type != "support_request.created" {
		t.Fatalf("event type %q", wantEvent.Type)
	}
	assertEvent(t, events[0], wantEvent)
}

func assertRequest(t *testing.T, got, want *support.Request, wantAt time.Time) {
	t.Helper()
	check := func(field string, g, w any) {
		t.Helper()
		if g != w {
			t.Errorf("%s = %#v, want %#v", field, g, w)
		}
	}
	check("Reference", got.Reference(), want.Reference())
	check("WorkspaceID", got.WorkspaceID(), want.WorkspaceID())
	check("TenantID", got.TenantID(), want.TenantID())
	check("PrimaryContext", got.PrimaryContext(), want.PrimaryContext())
	check("Details", got.Details(), want.Details())
	check("CreatedBy", got.CreatedBy(), want.CreatedBy())
	check("AttachmentMode", got.AttachmentMode(), want.AttachmentMode())
	check("ContextDigest", got.ContextDigest(), want.ContextDigest())
	check("ContextDigest of the bytes", got.ContextDigest(), canon.Digest(got.Context()))
	if string(got.Context()) != string(want.Context()) {
		t.Errorf("Context = %q\nwant %q", got.Context(), want.Context())
	}
	if !got.CreatedAt().Equal(wantAt) || got.CreatedAt().Location() != time.UTC {
		t.Errorf("CreatedAt = %v (%v), want %v in UTC", got.CreatedAt(), got.CreatedAt().Location(), wantAt)
	}
}

func assertEntry(t *testing.T, got, want audit.Entry) {
	t.Helper()
	if !got.OccurredAt.Equal(want.OccurredAt) {
		t.Errorf("OccurredAt = %v, want %v", got.OccurredAt, want.OccurredAt)
	}
	if !maps.Equal(stringMap(t, got.Metadata), stringMap(t, want.Metadata)) {
		t.Errorf("Metadata = %v, want %v", got.Metadata, want.Metadata)
	}
	fields := func(e audit.Entry) [7]string {
		return [7]string{e.ID, e.WorkspaceID, e.TenantID, e.ActorID, e.Action, e.SubjectType, e.SubjectID}
	}
	if fields(got) != fields(want) {
		t.Errorf("audit entry (id, workspace, tenant, actor, action, subject type, subject id) =\n %q\nwant\n %q", fields(got), fields(want))
	}
}

// stringMap returns m, whose values must all be strings, as map[string]string.
func stringMap(t *testing.T, m map[string]any) map[string]string {
	t.Helper()
	out := make(map[string]string, len(m))
	for k, v := range m {
		s, ok := v.(string)
		if !ok {
			t.Errorf("metadata %q is %T, want string", k, v)
		}
		out[k] = s
	}
	return out
}

func (h *harness) unknownReference(t *testing.T) {
	ref, err := h.gen.New(time.Now())
	if err != nil {
		t.Fatal(err)
	}
	_, err = h.s.Requests.Get(context.Background(), ref)
	if core.KindOf(err) != core.KindNotFound || !errors.Is(err, support.ErrNotFound) {
		t.Fatalf("Get(unknown) error = %v (kind %v), want support.ErrNotFound", err, core.KindOf(err))
	}
}

func (h *harness) getByCreator(t *testing.T) {
	w := h.world(t, 1, 1)
	tn := w.Tenants[0]
	owner, other := w.UserIDs[0], uuid.NewString()
	r := h.newRequest(t, tn, owner, time.Now())
	h.create(t, r)
	ctx := context.Background()
	got, err := h.s.Requests.GetByCreator(ctx, r.Reference(), owner)
	if err != nil || got.Reference() != r.Reference() {
		t.Fatalf("GetByCreator(own) = %v, %v", got, err)
	}
	unknown, err := h.gen.New(time.Now())
	if err != nil {
		t.Fatal(err)
	}
	for name, c := range map[string]struct {
		ref reference.Reference
		by  string
	}{
		"another user's": {r.Reference(), other},
		"unknown":        {unknown, owner},
		"not a user id":  {r.Reference(), "owner"},
	} {
		_, err := h.s.Requests.GetByCreator(ctx, c.ref, c.by)
		if !errors.Is(err, support.ErrNotFound) {
			t.Errorf("GetByCreator(%s) error = %v, want support.ErrNotFound", name, err)
		}
	}
}

func (h *harness) duplicate(t *testing.T) {
	w := h.world(t, 2, 1)
	first, other, user := w.Tenants[0], w.Tenants[1], w.UserIDs[0]
	ctx := context.Background()
	at := time.Now()
	ref, err := h.gen.New(at)
	if err != nil {
		t.Fatal(err)
	}
	original := h.requestWithRef(t, ref, first, user, at, "the original")
	h.create(t, original)

	again := h.requestWithRef(t, ref, other, user, at.Add(time.Second), "a second one")
	err = h.s.Requests.Create(ctx, creation(again, support.ChannelAPI))
	if core.KindOf(err) != core.KindConflict {
		t.Fatalf("duplicate Create error = %v (kind %v), want conflict", err, core.KindOf(err))
	}

	got, err := h.s.Requests.Get(ctx, ref)
	if err != nil {
		t.Fatal(err)
	}
	if got.Details().Summary != "the original" || got.TenantID() != first.ID {
		t.Errorf("after a duplicate, Get = %q on %s, want the original", got.Details().Summary, got.TenantID())
	}
	if n := len(h.s.Entries(t, first.ID)); n != 1 {
		t.Errorf("audit entries of the original's tenant = %d, want 1", n)
	}
	if n := len(h.s.Entries(t, other.ID)); n != 0 {
		t.Errorf("audit entries of the duplicate's tenant = %d, want 0", n)
	}
	if n := len(h.s.Events(t, first.WorkspaceID)); n != 1 {
		t.Errorf("outbox events of the original's workspace = %d, want 1", n)
	}
	if n := len(h.s.Events(t, other.WorkspaceID)); n != 0 {
		t.Errorf("outbox events of the duplicate's workspace = %d, want 0", n)
	}
}

// failingWrite makes each write of a creation after the request's fail in
// turn — an audit entry or an event whose id is taken, as a primary key
// refuses it — and checks that nothing of that creation is stored: the
// request and every other row roll back with the failing one.
func (h *harness) failingWrite(t *testing.T) {
	w := h.world(t, 1, 1)
	tn, user := w.Tenants[0], w.UserIDs[0]
	ctx := context.Background()
	taken := h.create(t, h.newRequest(t, tn, user, time.Now()))
	for _, c := range []struct {
		name  string
		spoil func(*ports.Creation)
	}{
		{"audit entry id taken", func(c *ports.Creation) { c.Audit.ID = taken.Audit.ID }},
		{"event id taken", func(c *ports.Creation) { c.Event.ID = taken.Event.ID }},
	} {
		t.Run(c.name, func(t *testing.T) {
			r := h.newRequest(t, tn, user, time.Now())
			cr := creation(r, support.ChannelCLI)
			c.spoil(&cr)
			if err := h.s.Requests.Create(ctx, cr); err == nil || core.KindOf(err) == core.KindConflict {
				t.Fatalf("Create error = %v (kind %v), want a failure other than a conflict", err, core.KindOf(err))
			}
			h.assertNothingStored(t, r)
			if n := len(h.s.Entries(t, tn.ID)); n != 1 {
				t.Errorf("audit entries = %d, want only the first creation's", n)
			}
			if n := len(h.s.Events(t, tn.WorkspaceID)); n != 1 {
				t.Errorf("outbox events = %d, want only the first creation's", n)
			}
		})
	}
}

// commitTogether checks that one creation stores exactly its request, one
// audit entry and one outbox event, and that two creations' rows do not mix.
func (h *harness) commitTogether(t *testing.T) {
	w := h.world(t, 1, 1)
	tn, user := w.Tenants[0], w.UserIDs[0]
	ctx := context.Background()
	var made []ports.Creation
	for range 2 {
		r := h.newRequest(t, tn, user, time.Now())
		c := creation(r, support.ChannelWeb)
		if err := h.s.Requests.Create(ctx, c); err != nil {
			t.Fatalf("Create: %v", err)
		}
		made = append(made, c)
	}
	entries, events := h.s.Entries(t, tn.ID), h.s.Events(t, tn.WorkspaceID)
	if len(entries) != 2 || len(events) != 2 {
		t.Fatalf("%d audit entries and %d events after two creations, want 2 and 2", len(entries), len(events))
	}
	for _, c := range made {
		if _, err := h.s.Requests.Get(ctx, c.Request.Reference()); err != nil {
			t.Errorf("Get %s: %v", c.Request.Reference(), err)
		}
		at := core.StoredTime(c.Request.CreatedAt())
		wantEntry, wantEvent := c.Audit, c.Event
		wantEntry.OccurredAt, wantEvent.OccurredAt = at, at
		for _, e := range entries {
			if e.ID == c.Audit.ID {
				assertEntry(t, e, wantEntry)
			}
		}
		for _, e := range events {
			if e.ID == c.Event.ID {
				assertEvent(t, e, wantEvent)
			}
		}
	}
}

func (h *harness) list(t *testing.T) {
	w := h.world(t, 2, 2)
	t1, t2, t3 := w.Tenants[0], w.Tenants[1], w.Tenants[2] // t1, t2 in one workspace, t3 in another
	user := w.UserIDs[0]
	ctx := context.Background()
	// Later than any other case's requests, so this case's are the newest.
	base := time.Date(2040, 1, 1, 0, 0, 0, 0, time.UTC)
	hour := func(n int) time.Time { return base.Add(time.Duration(n) * time.Hour) }
	r1 := h.newRequest(t, t1, user, hour(1))
	r2 := h.newRequest(t, t2, user, hour(2))
	r3 := h.newRequest(t, t3, user, hour(3))
	r4 := h.newRequest(t, t1, user, hour(4))
	r5 := h.newRequest(t, t2, user, hour(4)) // same time as r4: the reference decides
	r6 := h.newRequest(t, t3, user, hour(5))
	if r5.Reference() <= r4.Reference() {
		t.Fatalf("references are not increasing: %s then %s", r4.Reference(), r5.Reference())
	}
	for _, r := range []*support.Request{r3, r1, r6, r5, r2, r4} {
		h.create(t, r)
	}

	for _, c := range []struct {
		name string
		f    ports.ListFilter
		want []*support.Request
	}{
		{"since, all of this case", ports.ListFilter{Since: base}, []*support.Request{r6, r5, r4, r3, r2, r1}},
		{"workspace", ports.ListFilter{WorkspaceID: t1.WorkspaceID}, []*support.Request{r5, r4, r2, r1}},
		{"other workspace", ports.ListFilter{WorkspaceID: t3.WorkspaceID}, []*support.Request{r6, r3}},
		{"tenant", ports.ListFilter{TenantID: t2.ID}, []*support.Request{r5, r2}},
		{"workspace and tenant", ports.ListFilter{WorkspaceID: t1.WorkspaceID, TenantID: t1.ID}, []*support.Request{r4, r1}},
		{"tenant of another workspace", ports.ListFilter{WorkspaceID: t3.WorkspaceID, TenantID: t1.ID}, nil},
		{"since is inclusive", ports.ListFilter{Since: hour(4)}, []*support.Request{r6, r5, r4}},
		{"since, one microsecond later", ports.ListFilter{Since: hour(4).Add(time.Microsecond)}, []*support.Request{r6}},
		{"since in another zone", ports.ListFilter{Since: hour(4).In(time.FixedZone("UTC-8", -8*3600))}, []*support.Request{r6, r5, r4}},
		{"limit", ports.ListFilter{WorkspaceID: t1.WorkspaceID, Limit: 3}, []*support.Request{r5, r4, r2}},
		{"tenant and since and limit", ports.ListFilter{TenantID: t2.ID, Since: hour(2), Limit: 1}, []*support.Request{r5}},
		{"unknown tenant", ports.ListFilter{TenantID: uuid.NewString()}, nil},
		{"tenant id that is not a UUID", ports.ListFilter{TenantID: "not-a-uuid"}, nil},
		{"workspace id that is not a UUID", ports.ListFilter{WorkspaceID: "'; DROP TABLE x; --"}, nil},
	} {
		t.Run(c.name, func(t *testing.T) {
			got, err := h.s.Requests.List(ctx, c.f)
			if err != nil {
				t.Fatalf("List: %v", err)
			}
			if g, w := refs(got), refs(c.want); !slices.Equal(g, w) {
				t.Errorf("List(%+v) =\n %v\nwant\n %v", c.f, g, w)
			}
		})
	}

	t.Run("no filter, newest first across workspaces", func(t *testing.T) {
		got, err := h.s.Requests.List(ctx, ports.ListFilter{})
		if err != nil {
			t.Fatalf("List: %v", err)
		}
		want := refs([]*support.Request{r6, r5, r4, r3, r2, r1})
		if len(got) < len(want) || !slices.Equal(refs(got[:len(want)]), want) {
			t.Errorf("List({}) starts with %v, want %v", refs(got), want)
		}
	})
	t.Run("returned requests are whole", func(t *testing.T) {
		got, err := h.s.Requests.List(ctx, ports.ListFilter{TenantID: t3.ID, Limit: 1})
		if err != nil || len(got) != 1 {
			t.Fatalf("List = %d requests, %v; want 1", len(got), err)
		}
		assertRequest(t, got[0], r6, hour(5))
	})
}

func refs(rs []*support.Request) []string {
	out := make([]string, 0, len(rs))
	for _, r := range rs {
		out = append(out, r.Reference().String())
	}
	return out
}

func (h *harness) concurrent(t *testing.T) {
	const workers, each = 16, 10
	w := h.world(t, 1, 1)
	tn, user := w.Tenants[0], w.UserIDs[0]
	ctx := context.Background()

	var (
		wg      sync.WaitGroup
		mu      sync.Mutex
		created []string
	)
	for range workers {
		wg.Go(func() {
			for range each {
				r, err := h.tryRequest(tn, user)
				if err == nil {
					err = h.s.Requests.Create(ctx, creation(r, support.ChannelAPI))
				}
				if err != nil {
					t.Errorf("concurrent Create: %v", err)
					return
				}
				mu.Lock()
				created = append(created, r.Reference().String())
				mu.Unlock()
			}
		})
	}
	wg.Wait()
	if t.Failed() {
		return
	}

	slices.Sort(created)
	if n := len(slices.Compact(slices.Clone(created))); n != workers*each {
		t.Fatalf("%d distinct references made, want %d", n, workers*each)
	}
	all, err := h.s.Requests.List(ctx, ports.ListFilter{TenantID: tn.ID, Limit: 1000})
	if err != nil {
		t.Fatalf("List: %v", err)
	}
	got := refs(all)
	slices.Sort(got)
	if !slices.Equal(got, created) {
		t.Errorf("stored %d requests, want exactly the %d created", len(got), len(created))
	}
	var subjects []string
	for _, e := range h.s.Entries(t, tn.ID) {
		subjects = append(subjects, e.SubjectID)
	}
	slices.Sort(subjects)
	if !slices.Equal(subjects, created) {
		t.Errorf("%d audit entries, want exactly one for each of the %d requests", len(subjects), len(created))
	}
	var evented []string
	for _, e := range h.s.Events(t, tn.WorkspaceID) {
		evented = append(evented, e.Reference.String())
	}
	slices.Sort(evented)
	if !slices.Equal(evented, created) {
		t.Errorf("%d outbox events, want exactly one for each of the %d requests", len(evented), len(created))
	}

	page, err := h.s.Requests.List(ctx, ports.ListFilter{TenantID: tn.ID})
	if err != nil {
		t.Fatalf("List: %v", err)
	}
	if len(page) != 50 {
		t.Errorf("List without a limit = %d requests, want the default of 50", len(page))
	}
}

// tryRequest is newRequest for goroutines, which must not call t.Fatal.
func (h *harness) tryRequest(tn Tenant, user string) (*support.Request, error) {
	now := time.Now()
	ref, err := h.gen.New(now)
	if err != nil {
		return nil, err
	}
	b, err := canon.Marshal(map[string]any{"schema": "support-request-context/v1"})
	if err != nil {
		return nil, err
	}
	r, err := support.New(support.Params{
		Reference: ref, WorkspaceID: tn.WorkspaceID, TenantID: tn.ID,
		Primary:   support.PrimaryContext{Type: support.ContextTenant, ID: tn.ID},
		Input:     support.Input{Severity: "low", Summary: "concurrent"},
		CreatedBy: user, CreatedAt: now, Mode: support.CanonicalContextOnly, Context: b,
	})
	if err != nil {
		return nil, fmt.Errorf("new request: %w", err)
	}
	return r, nil
}
