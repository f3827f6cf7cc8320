package usecase

import (
	"context"
	"errors"
	"strings"
	"sync"
	"testing"
	"time"

	"supportdesk/core"
	"supportdesk/core/reference"
	"supportdesk/ports"
)

// fakeKeys is an in-memory ports.IdempotencyKeys; its staged completions
// are applied by fakeStore only when the request commits.
type fakeKeys struct {
	mu   sync.Mutex
	recs map[string]ports.IdempotencyRecord
}

func (f *fakeKeys) Claim(_ context.Context, user, key string, rec ports.IdempotencyRecord, abandonedBefore time.Time) (ports.IdempotencyRecord, bool, error) {
	f.mu.Lock()
	defer f.mu.Unlock()
	held, ok := f.recs[user+"\x00"+key]
	live := ok && held.ExpiresAt.After(rec.CreatedAt) && (held.Reference != "" || !held.CreatedAt.Before(abandonedBefore))
	if live {
		return held, false, nil
	}
	f.recs[user+"\x00"+key] = rec
	return rec, true, nil
}

func (f *fakeKeys) Complete(_ context.Context, tx ports.Tx, user, key string, claimedAt time.Time, ref reference.Reference) error {
	tx.(*fakeTx).done = append(tx.(*fakeTx).done, func() {
		f.mu.Lock()
		defer f.mu.Unlock()
		rec := f.recs[user+"\x00"+key]
		rec.Reference = ref
		f.recs[user+"\x00"+key] = rec
	})
	return nil
}

func (f *fakeKeys) Release(_ context.Context, user, key string, claimedAt time.Time) error {
	f.mu.Lock()
	defer f.mu.Unlock()
	if rec, ok := f.recs[user+"\x00"+key]; ok && rec.Reference == "" && rec.CreatedAt.Equal(claimedAt) {
		delete(f.recs, user+"\x00"+key)
	}
	return nil
}

func keyed(key, summary string) ports.Submission {
	s := submission("owner", "tenant", "t1")
	s.IdempotencyKey = key
	s.Input.Summary = summary
	return s
}

func TestIdempotentReplay(t *testing.T) {
	s, store, _ := newService(t)
	first, err := s.Submit(context.Background(), keyed("k1", "Backups fail"))
	if err != nil {
		t.Fatal(err)
	}
	again, err := s.Submit(context.Background(), keyed("k1", "Backups fail"))
	if err != nil {
		t.Fatal(err)
	}
	if again.Reference() != first.Reference() || len(store.requests) != 1 || len(store.audit) != 1 {
		t.Fatalf("replay made %s (first %s), %d requests, %d audit entries", again.Reference(), first.Reference(), len(store.requests), len(store.audit))
	}
	// Another user's identical key is theirs alone.
	other := keyed("k1", "Backups fail")
	other.Actor.ID = "manager"
	if r, err := s.Submit(context.Background(), other); err != nil || r.Reference() == first.Reference() {
		t.Fatalf("another user's key replayed the first request: %v", err)
	}
	// Without a key every submission is new.
	if r, _ := s.Submit(context.Background(), keyed("", "Backups fail")); r.Reference() == first.Reference() {
		t.Fatal("a submission without a key replayed")
	}
}

func TestIdempotencyKeyWithDifferentBody(t *testing.T) {
	s, store, _ := newService(t)
	if _, err := s.Submit(context.Background(), keyed("k2", "Backups fail")); err != nil {
		t.Fatal(err)
	}
	_, err := s.Submit(context.Background(), keyed("k2", "Restores fail"))
	if core.KindOf(err) != core.KindInvalid || core.FieldsOf(err)[0].Field != "Idempotency-Key" {
		t.Fatalf("error = %v, want KindInvalid on Idempotency-Key", err)
	}
	if len(store.requests) != 1 {
		t.Fatalf("%d requests, want 1", len(store.requests))
	}
}

func TestIdempotencyInFlightConflicts(t *testing.T) {
	s, store, _ := newService(t)
	now := fixedClock{}.Now()
	rec := ports.IdempotencyRecord{Fingerprint: fingerprint(keyed("k3", "Backups fail")), CreatedAt: now.Add(-time.Second), ExpiresAt: now.Add(time.Hour)}
	s.idempotency.(*fakeKeys).recs["owner\x00k3"] = rec
	if _, err := s.Submit(context.Background(), keyed("k3", "Backups fail")); core.KindOf(err) != core.KindConflict {
		t.Fatalf("error = %v, want KindConflict", err)
	}
	// An in-flight claim older than AbandonedAfter belongs to a dead server.
	rec.CreatedAt = now.Add(-AbandonedAfter - time.Second)
	s.idempotency.(*fakeKeys).recs["owner\x00k3"] = rec
	if _, err := s.Submit(context.Background(), keyed("k3", "Backups fail")); err != nil {
		t.Fatalf("abandoned claim not taken over: %v", err)
	}
	if len(store.requests) != 1 {
		t.Fatalf("%d requests, want 1", len(store.requests))
	}
}

func TestIdempotencyKeyNotStoredForInvalidOrFailed(t *testing.T) {
	s, store, _ := newService(t)
	keys := s.idempotency.(*fakeKeys)
	if _, err := s.Submit(context.Background(), keyed("k4", "")); core.KindOf(err) != core.KindInvalid {
		t.Fatalf("error = %v", err)
	}
	if len(keys.recs) != 0 {
		t.Fatal("an invalid submission stored its key")
	}
	store.failTx = errors.New("audit down")
	if _, err := s.Submit(context.Background(), keyed("k4", "Backups fail")); err == nil {
		t.Fatal("Submit succeeded with a failing audit log")
	}
	if len(keys.recs) != 0 {
		t.Fatal("a failed submission kept its key in flight")
	}
	store.failTx = nil
	if _, err := s.Submit(context.Background(), keyed("k4", "Backups fail")); err != nil {
		t.Fatalf("retry after failure: %v", err)
	}
	// Printable means no C0 or C1 control (DEL, NEL and CSI included), no
	// tab, no bidirectional control and not only invisible characters.
	for _, bad := range []string{strings.Repeat("k", 256), "a\nb", "a\x7fb", "a\u0085b", "a\u009bb", "a\tb",
		"a\u202eb", "\u200b", "a\xffb"} {
		if _, err := s.Submit(context.Background(), keyed(bad, "x")); core.KindOf(err) != core.KindInvalid {
			t.Errorf("key %q: error %v, want KindInvalid", bad, err)
		}
	}
}

func TestIdempotencyConcurrentSameKey(t *testing.T) {
	s, store, _ := newService(t)
	var wg sync.WaitGroup
	refs := make(chan reference.Reference, 20)
	for i := 0; i < 20; i++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			r, err := s.Submit(context.Background(), keyed("k5", "Backups fail"))
			if err == nil {
				refs <- r.Reference()
			} else if core.KindOf(err) != core.KindConflict {
				t.Errorf("unexpected error %v", err)
			}
		}()
	}
	wg.Wait()
	close(refs)
	seen := map[reference.Reference]bool{}
	for r := range refs {
		seen[r] = true
	}
	if len(store.requests) != 1 || len(seen) != 1 {
		t.Fatalf("%d requests and %d distinct references, want 1 and 1", len(store.requests), len(seen))
	}
}
