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
	rec.CreatedAt, rec.ExpiresAt, rec.Reference = core.StoredTime(rec.CreatedAt), core.StoredTime(rec.ExpiresAt), ""
	s.keys[id] = rec
	return rec, true, nil
}

// checkCompletion refuses to complete a claim that another took over; s.mu
// must be held.
func (s *Store) checkCompletion(k ports.KeyCompletion) error {
	held, ok := s.keys[keyID{k.UserID, k.Key}]
	if !ok || held.Reference != "" || !held.CreatedAt.Equal(core.StoredTime(k.ClaimedAt)) {
		return core.Errorf(core.KindConflict, "the Idempotency-Key was taken over by another request; retry")
	}
	return nil
}

// complete sets the reference of the claim checkCompletion accepted; s.mu
// must be held.
func (s *Store) complete(k ports.KeyCompletion, ref reference.Reference) {
	id := keyID{k.UserID, k.Key}
	held := s.keys[id]
	held.Reference = ref
	s.keys[id] = held
}

// Release implements ports.IdempotencyKeys.
func (s *Store) Release(_ context.Context, userID, key string, claimedAt time.Time) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	id := keyID{userID, key}
	if held, ok := s.keys[id]; ok && held.Reference == "" && held.CreatedAt.Equal(core.StoredTime(claimedAt)) {
		delete(s.keys, id)
	}
	return nil
}
