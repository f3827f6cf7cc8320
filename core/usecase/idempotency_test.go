package usecase

import (
	"context"
	"strings"
	"sync"
	"testing"
	"time"

	"supportdesk/core"
	"supportdesk/core/reference"
	"supportdesk/core/support"
	"supportdesk/ports"
)

func keyed(key, summary string) ports.Submission {
	s := submission("owner", "tenant", "t1")
	s.IdempotencyKey = key
	s.Input.Summary = summary
	return s
}

func TestIdempotentReplay(t *testing.T) {
	s, d := newService(t)
	first, err := s.Submit(context.Background(), keyed("k1", "Backups fail"))
	if err != nil {
		t.Fatal(err)
	}
	again, err := s.Submit(context.Background(), keyed("k1", "Backups fail"))
	if err != nil {
		t.Fatal(err)
	}
	if got := d.stored(t); again.Reference() != first.Reference() || got != [3]int{1, 1, 1} {
		t.Fatalf("replay made %s (first %s), stored %v", again.Reference(), first.Reference(), got)
	}
	if first.Replayed || !again.Replayed {
		t.Errorf("Replayed: first %v, again %v", first.Replayed, again.Replayed)
	}
	// Another user's identical key is theirs alone.
	other := keyed("k1", "Backups fail")
	other.Actor.ID = "manager"
	if r, err := s.Submit(context.Background(), other); err != nil || r.Reference() == first.Reference() || r.Replayed {
		t.Fatalf("another user's key replayed the first request: %v", err)
	}
	// Without a key every submission is new.
	if r, _ := s.Submit(context.Background(), keyed("", "Backups fail")); r.Reference() == first.Reference() {
		t.Fatal("a submission without a key replayed")
	}
}

func TestIdempotencyKeyWithDifferentBody(t *testing.T) {
	s, d := newService(t)
	if _, err := s.Submit(context.Background(), keyed("k2", "Backups fail")); err != nil {
		t.Fatal(err)
	}
	_, err := s.Submit(context.Background(), keyed("k2", "Restores fail"))
	if core.KindOf(err) != core.KindInvalid || core.FieldsOf(err)[0].Field != "Idempotency-Key" {
		t.Fatalf("error = %v, want KindInvalid on Idempotency-Key", err)
	}
	if n := len(d.requests(t)); n != 1 {
		t.Fatalf("%d requests, want 1", n)
	}
}

// claimEarlier claims key for owner as another server would have at
// claimedAt, and leaves the claim in flight.
func claimEarlier(t *testing.T, d deps, key string, claimedAt time.Time) {
	t.Helper()
	rec := ports.IdempotencyRecord{Fingerprint: fingerprint(keyed(key, "Backups fail")), CreatedAt: claimedAt, ExpiresAt: claimedAt.Add(IdempotencyTTL)}
	if _, fresh, err := d.store.Claim(context.Background(), "owner", key, rec, claimedAt.Add(-AbandonedAfter)); err != nil || !fresh {
		t.Fatalf("claim %s: fresh %v, %v", key, fresh, err)
	}
}

func TestIdempotencyInFlightConflicts(t *testing.T) {
	s, d := newService(t)
	now := fixedClock{}.Now()
	claimEarlier(t, d, "k3", now.Add(-time.Second))
	_, err := s.Submit(context.Background(), keyed("k3", "Backups fail"))
	if core.KindOf(err) != core.KindConflict {
		t.Fatalf("error = %v, want KindConflict", err)
	}
	// Retry when the claim's lease ends: 30 seconds after it was made.
	if got := core.RetryAfterOf(err); got != AbandonedAfter-time.Second {
		t.Errorf("RetryAfter %v, want %v", got, AbandonedAfter-time.Second)
	}
	// An in-flight claim older than AbandonedAfter belongs to a dead server.
	claimEarlier(t, d, "k3b", now.Add(-AbandonedAfter-time.Second))
	if _, err := s.Submit(context.Background(), keyed("k3b", "Backups fail")); err != nil {
		t.Fatalf("abandoned claim not taken over: %v", err)
	}
	if n := len(d.requests(t)); n != 1 {
		t.Fatalf("%d requests, want 1", n)
	}
}

// keyFree reports whether owner's key is free: a claim of it now is fresh.
func keyFree(t *testing.T, d deps, key string) bool {
	t.Helper()
	now := fixedClock{}.Now()
	probe := ports.IdempotencyRecord{Fingerprint: "probe", CreatedAt: now, ExpiresAt: now.Add(time.Hour)}
	_, fresh, err := d.store.Claim(context.Background(), "owner", key, probe, now.Add(-AbandonedAfter))
	if err != nil {
		t.Fatal(err)
	}
	if fresh {
		if err := d.store.Release(context.Background(), "owner", key, now); err != nil {
			t.Fatal(err)
		}
	}
	return fresh
}

func TestIdempotencyKeyNotStoredForInvalidOrFailed(t *testing.T) {
	s, d := newService(t)
	if _, err := s.Submit(context.Background(), keyed("k4", "")); core.KindOf(err) != core.KindInvalid {
		t.Fatalf("error = %v", err)
	}
	if !keyFree(t, d, "k4") {
		t.Fatal("an invalid submission stored its key")
	}
	// A request whose audit entry cannot be written: its id is taken.
	d.ids.fixed = "00000000-0000-4000-8000-00000000a0d1"
	if _, err := s.Submit(context.Background(), keyed("k4-first", "Backups fail")); err != nil {
		t.Fatal(err)
	}
	if _, err := s.Submit(context.Background(), keyed("k4", "Backups fail")); err == nil {
		t.Fatal("Submit succeeded with a failing audit write")
	}
	if !keyFree(t, d, "k4") {
		t.Fatal("a failed submission kept its key in flight")
	}
	d.ids.fixed = ""
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
	s, d := newService(t)
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
	if n := len(d.requests(t)); n != 1 || len(seen) != 1 {
		t.Fatalf("%d requests and %d distinct references, want 1 and 1", n, len(seen))
	}
}

// The fingerprint covers the whole submission: a repeat under the same key
// that differs in any input field, in the target's id or in its type is a
// different request, refused, and stores nothing.
func TestIdempotencyKeyWithAnyOtherField(t *testing.T) {
	for name, change := range map[string]func(*ports.Submission){
		"severity":           func(s *ports.Submission) { s.Input.Severity = "low" },
		"summary":            func(s *ports.Submission) { s.Input.Summary = "Restores fail" },
		"reproduction_notes": func(s *ports.Submission) { s.Input.ReproductionNotes = "step 2" },
		"contact_name":       func(s *ports.Submission) { s.Input.ContactName = "Bo" },
		"contact_email":      func(s *ports.Submission) { s.Input.ContactEmail = "bo@example.com" },
		"target_id":          func(s *ports.Submission) { s.Target.ID = "t2" },
		"entry context": func(s *ports.Submission) {
			s.Target = support.PrimaryContext{Type: support.ContextOperationRun, ID: "r1"}
		},
	} {
		t.Run(name, func(t *testing.T) {
			s, d := newService(t)
			d.world.tenants = []string{"t2"}
			first := keyed("k6", "Backups fail")
			first.Input.ReproductionNotes, first.Input.ContactName, first.Input.ContactEmail = "step 1", "Ada", "ada@example.com"
			if _, err := s.Submit(context.Background(), first); err != nil {
				t.Fatal(err)
			}
			again := first
			change(&again)
			_, err := s.Submit(context.Background(), again)
			if core.KindOf(err) != core.KindInvalid || len(core.FieldsOf(err)) != 1 || core.FieldsOf(err)[0].Field != "Idempotency-Key" {
				t.Fatalf("error = %v, want KindInvalid on Idempotency-Key", err)
			}
			if got := d.stored(t); got != [3]int{1, 1, 1} {
				t.Fatalf("stored %v, want only the first request", got)
			}
		})
	}
}
