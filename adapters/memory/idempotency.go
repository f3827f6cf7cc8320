package memory

import (
	"context"
	"time"

	"supportdesk/core"
	"supportdesk/core/reference"
	"supportdesk/ports"
)

var _ ports.IdempotencyKeys = (*Store)(nil)

type keyID struct{ user, key string }

// completion is an idempotency record to complete when its request commits.
type completion struct {
	id        keyID
	claimedAt time.Time
	ref       reference.Reference
}

// Claim implements ports.IdempotencyKeys.
func (s *Store) Claim(_ context.Context, userID, key string, rec ports.IdempotencyRecord, abandonedBefore time.Time) (ports.IdempotencyRecord, bool, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	id := keyID{userID, key}
	if held, ok := s.keys[id]; ok {
		expired := !held.ExpiresAt.After(rec.CreatedAt)
		abandoned := held.Reference == "" && held.CreatedAt.Before(abandonedBefore)
		if !expired && !abandoned {
			return held, false, nil
		}
	}
	rec.CreatedAt, rec.ExpiresAt, rec.Reference = storedTime(rec.CreatedAt), storedTime(rec.ExpiresAt), ""
	s.keys[id] = rec
	return rec, true, nil
}

// Complete implements ports.IdempotencyKeys: it stages the completion in
// t, applied when the request commits.
func (s *Store) Complete(_ context.Context, t ports.Tx, userID, key string, claimedAt time.Time, ref reference.Reference) error {
	mt, ok := t.(*tx)
	if !ok || mt.store != s || mt.closed {
		return core.Errorf(core.KindInternal, "memory: transaction of type %T is not an open one of this store", t)
	}
	mt.completions = append(mt.completions, completion{id: keyID{userID, key}, claimedAt: storedTime(claimedAt), ref: ref})
	return nil
}

// complete applies staged completions, all or none; s.mu must be held.
func (s *Store) complete(cs []completion) error {
	for _, c := range cs {
		held, ok := s.keys[c.id]
		if !ok || held.Reference != "" || !held.CreatedAt.Equal(c.claimedAt) {
			return core.Errorf(core.KindConflict, "the Idempotency-Key was taken over by another request; retry")
		}
	}
	for _, c := range cs {
		held := s.keys[c.id]
		held.Reference = c.ref
		s.keys[c.id] = held
	}
	return nil
}

// Release implements ports.IdempotencyKeys.
func (s *Store) Release(_ context.Context, userID, key string, claimedAt time.Time) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	id := keyID{userID, key}
	if held, ok := s.keys[id]; ok && held.Reference == "" && held.CreatedAt.Equal(storedTime(claimedAt)) {
		delete(s.keys, id)
	}
	return nil
}
