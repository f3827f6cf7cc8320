// Package memory is an in-memory storage adapter: support requests with
// everything their creation writes (audit entries, outbox events,
// Idempotency-Key records). The use-case tests run on it instead of a
// database, and it shows that the repository can be swapped: it passes
// the same contract suite (test/contract) as the SQL storage.
package memory

import (
	"cmp"
	"context"
	"fmt"
	"maps"
	"slices"
	"sync"

	"supportdesk/core"
	"supportdesk/core/audit"
	"supportdesk/core/event"
	"supportdesk/core/reference"
	"supportdesk/core/support"
	"supportdesk/ports"
)

// Store holds support requests, their audit entries and outbox events,
// and Idempotency-Key records in memory. It is safe for concurrent use.
// The zero value is not usable; call New.
type Store struct {
	mu       sync.Mutex
	requests map[reference.Reference]*support.Request
	audit    []audit.Entry
	events   []event.Event
	// auditIDs and eventIDs are unique, as primary keys are.
	auditIDs map[string]bool
	eventIDs map[string]bool
	keys     map[keyID]ports.IdempotencyRecord
}

var _ ports.SupportRequestRepository = (*Store)(nil)

// New returns an empty Store.
func New() *Store {
	return &Store{
		requests: map[reference.Reference]*support.Request{},
		auditIDs: map[string]bool{},
		eventIDs: map[string]bool{},
		keys:     map[keyID]ports.IdempotencyRecord{},
	}
}

// Create implements ports.SupportRequestRepository: every write of c is
// checked first and applied only if all of them can be, as one database
// transaction would. A taken reference or a taken-over key claim is a
// KindConflict error; a taken audit entry or event id, a KindInternal one
// (the primary key violation a database would raise).
func (s *Store) Create(_ context.Context, c ports.Creation) error {
	r := c.Request
	s.mu.Lock()
	defer s.mu.Unlock()
	if _, dup := s.requests[r.Reference()]; dup {
		return core.Wrap(core.KindConflict, fmt.Errorf("reference %s is taken", r.Reference()),
			"a support request with this reference already exists")
	}
	if s.auditIDs[c.Audit.ID] {
		return core.Errorf(core.KindInternal, "memory: audit entry id %s is taken", c.Audit.ID)
	}
	if s.eventIDs[c.Event.ID] {
		return core.Errorf(core.KindInternal, "memory: outbox event id %s is taken", c.Event.ID)
	}
	if c.Idempotency != nil {
		if err := s.checkCompletion(*c.Idempotency); err != nil {
			return err
		}
		s.complete(*c.Idempotency, r.Reference())
	}
	s.requests[r.Reference()] = stored(r)
	e := c.Audit
	e.Metadata = maps.Clone(e.Metadata)
	e.OccurredAt = core.StoredTime(e.OccurredAt)
	s.audit = append(s.audit, e)
	ev := c.Event
	ev.OccurredAt = core.StoredTime(ev.OccurredAt)
	s.events = append(s.events, ev)
	s.auditIDs[c.Audit.ID], s.eventIDs[c.Event.ID] = true, true
	return nil
}

// stored returns the copy of r that storage would give back: times in UTC
// to the microsecond, as PostgreSQL keeps them, and its own context bytes.
func stored(r *support.Request) *support.Request {
	s := r.Stored()
	s.CreatedAt, s.Context = core.StoredTime(s.CreatedAt), slices.Clone(s.Context)
	return support.Rehydrate(s)
}

// Get returns the request with reference ref, or support.ErrNotFound.
func (s *Store) Get(_ context.Context, ref reference.Reference) (*support.Request, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	r, ok := s.requests[ref]
	if !ok {
		return nil, fmt.Errorf("get support request %s: %w", ref, support.ErrNotFound)
	}
	return r, nil
}

// GetByCreator returns the request ref if createdBy made it, else
// support.ErrNotFound.
func (s *Store) GetByCreator(_ context.Context, ref reference.Reference, createdBy string) (*support.Request, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	r, ok := s.requests[ref]
	if !ok || r.CreatedBy() != createdBy {
		return nil, fmt.Errorf("get support request %s: %w", ref, support.ErrNotFound)
	}
	return r, nil
}

// List returns the requests f selects, newest first (created_at, then
// reference, both descending), bounded as the SQL storage bounds them.
func (s *Store) List(_ context.Context, f ports.ListFilter) ([]*support.Request, error) {
	s.mu.Lock()
	out := make([]*support.Request, 0, len(s.requests))
	for _, r := range s.requests {
		if (f.WorkspaceID == "" || r.WorkspaceID() == f.WorkspaceID) &&
			(f.TenantID == "" || r.TenantID() == f.TenantID) &&
			(f.Since.IsZero() || !r.CreatedAt().Before(core.StoredTime(f.Since))) {
			out = append(out, r)
		}
	}
	s.mu.Unlock()
	slices.SortFunc(out, func(a, b *support.Request) int {
		return cmp.Or(b.CreatedAt().Compare(a.CreatedAt()), cmp.Compare(b.Reference(), a.Reference()))
	})
	limit := f.EffectiveLimit()
	return out[:min(limit, len(out))], nil
}

// Audit returns a copy of every audit entry stored so far, in commit order.
func (s *Store) Audit() []audit.Entry {
	s.mu.Lock()
	defer s.mu.Unlock()
	out := slices.Clone(s.audit)
	for i := range out {
		out[i].Metadata = maps.Clone(out[i].Metadata)
	}
	return out
}

// Events returns a copy of every outbox event stored so far, in commit order.
func (s *Store) Events() []event.Event {
	s.mu.Lock()
	defer s.mu.Unlock()
	return slices.Clone(s.events)
}
