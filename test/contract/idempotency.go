package contract

import (
	"context"
	"sync"
	"testing"
	"time"

	"github.com/google/uuid"

	"supportdesk/core"
	"supportdesk/core/support"
	"supportdesk/ports"
)

var claimTime = time.Date(2030, 1, 2, 3, 4, 5, 678901000, time.UTC)

func record(fingerprint string, at time.Time) ports.IdempotencyRecord {
	return ports.IdempotencyRecord{Fingerprint: fingerprint, CreatedAt: at, ExpiresAt: at.Add(24 * time.Hour)}
}

func (h *harness) claim(t *testing.T, user, key string, rec ports.IdempotencyRecord, abandonedBefore time.Time) (ports.IdempotencyRecord, bool) {
	t.Helper()
	held, fresh, err := h.s.Keys.Claim(context.Background(), user, key, rec, abandonedBefore)
	if err != nil {
		t.Fatalf("claim %s: %v", key, err)
	}
	return held, fresh
}

// createKeyed stores r with its audit entry and event and completes the
// claim made at claimedAt in the same transaction.
func (h *harness) createKeyed(r *support.Request, key string, claimedAt time.Time) error {
	c := creation(r, support.ChannelAPI)
	c.Idempotency = &ports.KeyCompletion{UserID: r.CreatedBy(), Key: key, ClaimedAt: claimedAt}
	return h.s.Requests.Create(context.Background(), c)
}

func (h *harness) idempotencyLifecycle(t *testing.T) {
	w := h.world(t, 1, 1)
	user, tn := w.UserIDs[0], w.Tenants[0]
	long := "k-" + uuid.NewString()
	held, fresh := h.claim(t, user, long, record("fp-1", claimTime), claimTime.Add(-time.Minute))
	if !fresh || held.Reference != "" || !held.CreatedAt.Equal(core.StoredTime(claimTime)) {
		t.Fatalf("first claim = %+v, fresh %v", held, fresh)
	}
	// While in flight, the key is held by the first claim.
	again, fresh := h.claim(t, user, long, record("fp-2", claimTime.Add(time.Second)), claimTime.Add(-time.Minute))
	if fresh || again.Fingerprint != "fp-1" || again.Reference != "" {
		t.Fatalf("repeat in flight = %+v, fresh %v", again, fresh)
	}
	// Another user's same key is a key of its own.
	other := h.world(t, 1, 1).UserIDs[0]
	if _, fresh := h.claim(t, other, long, record("fp-3", claimTime), claimTime.Add(-time.Minute)); !fresh {
		t.Fatal("another user's key was held by the first user's claim")
	}
	r := h.newRequest(t, tn, user, claimTime)
	if err := h.createKeyed(r, long, held.CreatedAt); err != nil {
		t.Fatalf("create with completion: %v", err)
	}
	done, fresh := h.claim(t, user, long, record("fp-1", claimTime.Add(time.Hour)), claimTime.Add(time.Hour-time.Minute))
	if fresh || done.Reference != r.Reference() || done.Fingerprint != "fp-1" {
		t.Fatalf("replay = %+v, fresh %v; want reference %s", done, fresh, r.Reference())
	}
	// A completed record is never taken for abandoned.
	if _, fresh := h.claim(t, user, long, record("fp-1", claimTime.Add(2*time.Hour)), claimTime.Add(2*time.Hour)); fresh {
		t.Fatal("a completed record was replaced before it expired")
	}
}

func (h *harness) idempotencyRelease(t *testing.T) {
	w := h.world(t, 1, 1)
	user, tn := w.UserIDs[0], w.Tenants[0]
	ctx := context.Background()
	held, _ := h.claim(t, user, "release", record("fp", claimTime), claimTime.Add(-time.Minute))
	// Releasing another claim's time changes nothing.
	if err := h.s.Keys.Release(ctx, user, "release", claimTime.Add(time.Second)); err != nil {
		t.Fatal(err)
	}
	if _, fresh := h.claim(t, user, "release", record("fp", claimTime), claimTime.Add(-time.Minute)); fresh {
		t.Fatal("a release naming another claim removed this one")
	}
	if err := h.s.Keys.Release(ctx, user, "release", held.CreatedAt); err != nil {
		t.Fatal(err)
	}
	held, fresh := h.claim(t, user, "release", record("fp", claimTime), claimTime.Add(-time.Minute))
	if !fresh {
		t.Fatal("a released key could not be claimed again")
	}
	if err := h.createKeyed(h.newRequest(t, tn, user, claimTime), "release", held.CreatedAt); err != nil {
		t.Fatal(err)
	}
	if err := h.s.Keys.Release(ctx, user, "release", held.CreatedAt); err != nil {
		t.Fatal(err)
	}
	if got, fresh := h.claim(t, user, "release", record("fp", claimTime), claimTime.Add(-time.Minute)); fresh || got.Reference == "" {
		t.Fatal("release removed a completed record")
	}
}

func (h *harness) idempotencyReplace(t *testing.T) {
	w := h.world(t, 1, 1)
	user, tn := w.UserIDs[0], w.Tenants[0]
	// Expired: completed a day and more ago.
	held, _ := h.claim(t, user, "expired", record("old", claimTime), claimTime.Add(-time.Minute))
	if err := h.createKeyed(h.newRequest(t, tn, user, claimTime), "expired", held.CreatedAt); err != nil {
		t.Fatal(err)
	}
	later := claimTime.Add(25 * time.Hour)
	got, fresh := h.claim(t, user, "expired", record("new", later), later.Add(-time.Minute))
	if !fresh || got.Fingerprint != "new" || got.Reference != "" {
		t.Fatalf("expired record not replaced: %+v, fresh %v", got, fresh)
	}
	// Abandoned: in flight since before abandonedBefore.
	h.claim(t, user, "abandoned", record("dead", claimTime), claimTime.Add(-time.Minute))
	got, fresh = h.claim(t, user, "abandoned", record("alive", claimTime.Add(3*time.Minute)), claimTime.Add(time.Minute))
	if !fresh || got.Fingerprint != "alive" {
		t.Fatalf("abandoned claim not replaced: %+v, fresh %v", got, fresh)
	}
}

func (h *harness) idempotencyTakeover(t *testing.T) {
	w := h.world(t, 1, 1)
	user, tn := w.UserIDs[0], w.Tenants[0]
	first, _ := h.claim(t, user, "takeover", record("fp", claimTime), claimTime.Add(-time.Minute))
	h.claim(t, user, "takeover", record("fp", claimTime.Add(3*time.Minute)), claimTime.Add(time.Minute))
	r := h.newRequest(t, tn, user, claimTime)
	err := h.createKeyed(r, "takeover", first.CreatedAt)
	if core.KindOf(err) != core.KindConflict {
		t.Fatalf("completing a taken-over claim: %v, want KindConflict", err)
	}
	h.assertNothingStored(t, r)
	if n := len(h.s.Entries(t, tn.ID)); n != 0 {
		t.Fatalf("%d audit entries stored, want 0", n)
	}
	if n := len(h.s.Events(t, tn.WorkspaceID)); n != 0 {
		t.Fatalf("%d outbox events stored, want 0", n)
	}
	// The claim that took the key over is still in flight, untouched.
	if held, fresh := h.claim(t, user, "takeover", record("fp", claimTime.Add(4*time.Minute)), claimTime.Add(time.Minute)); fresh || held.Reference != "" {
		t.Fatalf("after the failed completion the key is %+v (fresh %v), want the second claim in flight", held, fresh)
	}
}

func (h *harness) idempotencyConcurrent(t *testing.T) {
	user := h.world(t, 1, 1).UserIDs[0]
	const n = 20
	var (
		wg    sync.WaitGroup
		mu    sync.Mutex
		fresh int
	)
	for i := range n {
		wg.Add(1)
		go func() {
			defer wg.Done()
			_, ok, err := h.s.Keys.Claim(context.Background(), user, "concurrent", record("fp", claimTime.Add(time.Duration(i))), claimTime.Add(-time.Minute))
			if err != nil && core.KindOf(err) != core.KindConflict {
				t.Errorf("claim: %v", err)
			}
			mu.Lock()
			defer mu.Unlock()
			if ok {
				fresh++
			}
		}()
	}
	wg.Wait()
	if fresh != 1 {
		t.Fatalf("%d of %d concurrent claims of one key succeeded, want exactly 1", fresh, n)
	}
}
