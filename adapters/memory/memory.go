// Package memory is an in-memory storage adapter for support requests and
// their audit entries. Core unit tests use it instead of a database, and
// it shows that the repository can be swapped: it passes the same contract
// suite (test/contract) as the SQL storage.
package memory

import (
	"cmp"
	"context"
	"fmt"
	"maps"
	"slices"
	"sync"
	"time"

	"supportdesk/core"
	"supportdesk/core/audit"
	"supportdesk/core/reference"
	"supportdesk/core/support"
	"supportdesk/ports"
)

// Store holds support requests and audit entries in memory. It is safe for
// concurrent use. The zero value is not usable; call New.
type Store struct {
	mu       sync.Mutex
	requests map[reference.Reference]*support.Request
	audit    []audit.Entry
	keys     map[keyID]ports.IdempotencyRecord
}

var (
	_ ports.SupportRequestRepository = (*Store)(nil)
	_ ports.AuditLogger              = (*Store)(nil)
)

// New returns an empty Store.
func New() *Store {
	return &Store{requests: map[reference.Reference]*support.Request{}, keys: map[keyID]ports.IdempotencyRecord{}}
}

// tx is the ports.Tx of a Store: the audit entries staged by one Create,
// applied only if its callback succeeds.
type tx struct {
	store       *Store
	entries     []audit.Entry
	completions []completion
	closed      bool
}

// Create stores r and the audit entries its callback records, all or
// nothing: the callback's writes are staged and applied only if it
// succeeds. It returns a KindConflict error if the reference exists.
func (s *Store) Create(_ context.Context, r *support.Request, inTx func(ports.Tx) error) error {
	if s.has(r.Reference()) {
		return errConflict(r.Reference())
	}
	// The callback runs without the lock, so it may call the Store.
	t := &tx{store: s}
	err := inTx(t)
	t.closed = true
	if err != nil {
		return err
	}

	s.mu.Lock()
	defer s.mu.Unlock()
	// Another Create may have taken the reference meanwhile.
	if _, dup := s.requests[r.Reference()]; dup {
		return errConflict(r.Reference())
	}
	if err := s.complete(t.completions); err != nil {
		return err
	}
	s.requests[r.Reference()] = stored(r)
	s.audit = append(s.audit, t.entries...)
	return nil
}

func (s *Store) has(ref reference.Reference) bool {
	s.mu.Lock()
	defer s.mu.Unlock()
	_, ok := s.requests[ref]
	return ok
}

func errConflict(ref reference.Reference) error {
	return core.Wrap(core.KindConflict, fmt.Errorf("reference %s is taken", ref),
		"a support request with this reference already exists")
}

// stored returns the copy of r that storage would give back: times in UTC
// to the microsecond, as PostgreSQL keeps them, and its own context bytes.
func stored(r *support.Request) *support.Request {
	s := r.Stored()
	s.CreatedAt, s.Context = storedTime(s.CreatedAt), slices.Clone(s.Context)
	return support.Rehydrate(s)
}

func storedTime(t time.Time) time.Time { return core.StoredTime(t) }

// Record stages e in tx, which must be a transaction of this Store that is
// still open; anything else is a KindInternal error.
func (s *Store) Record(_ context.Context, t ports.Tx, e audit.Entry) error {
	mt, ok := t.(*tx)
	switch {
	case !ok || mt.store != s:
		return core.Errorf(core.KindInternal, "memory: transaction of type %T is not one of this store", t)
	case mt.closed:
		return core.Errorf(core.KindInternal, "memory: transaction is already closed")
	}
	e.Metadata = maps.Clone(e.Metadata)
	e.OccurredAt = storedTime(e.OccurredAt)
	mt.entries = append(mt.entries, e)
	return nil
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

// List returns the requests f selects, newest first (created_at, then
// reference, both descending), bounded as the SQL storage bounds them.
func (s *Store) List(_ context.Context, f ports.ListFilter) ([]*support.Request, error) {
	s.mu.Lock()
	out := make([]*support.Request, 0, len(s.requests))
	for _, r := range s.requests {
		if (f.WorkspaceID == "" || r.WorkspaceID() == f.WorkspaceID) &&
			(f.TenantID == "" || r.TenantID() == f.TenantID) &&
			(f.Since.IsZero() || !r.CreatedAt().Before(storedTime(f.Since))) {
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

// Audit returns a copy of every audit entry committed so far, in commit order.
func (s *Store) Audit() []audit.Entry {
	s.mu.Lock()
	defer s.mu.Unlock()
	out := slices.Clone(s.audit)
	for i := range out {
		out[i].Metadata = maps.Clone(out[i].Metadata)
	}
	return out
}
