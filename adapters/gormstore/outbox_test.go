package gormstore_test

import (
	"context"
	"errors"
	"testing"
	"time"

	"github.com/google/uuid"

	"supportdesk/adapters/gormstore"
	"supportdesk/core"
	"supportdesk/ports"
	"supportdesk/test/testdb"
)

// TestOutboxStorage checks the relay's statements on both engines: each
// subtest works on events of its own, made on a fresh tenant.
func TestOutboxStorage(t *testing.T) {
	for _, e := range testdb.Engines() {
		t.Run(e.Name, func(t *testing.T) {
			db := e.Open(t)
			t.Run("fan-out makes one delivery per destination, once", func(t *testing.T) { testFanOut(t, db) })
			t.Run("a lease keeps a delivery from a second relay until it expires", func(t *testing.T) { testLeases(t, db) })
			t.Run("outcomes, retries and figures", func(t *testing.T) { testOutcomes(t, db) })
			t.Run("webhooks", func(t *testing.T) { testWebhookStore(t, db) })
		})
	}
}

var ctx = context.Background()

// drain fans out every pending event of db to dests and returns the
// deliveries due at now, leased to a throwaway owner then released.
func fanOutAll(t *testing.T, o *gormstore.Outbox, now time.Time, dests ...string) int {
	t.Helper()
	total := 0
	for {
		n, err := o.FanOut(ctx, now, dests, 100)
		if err != nil {
			t.Fatal(err)
		}
		if n == 0 {
			return total
		}
		total += n
	}
}

func testFanOut(t *testing.T, db *gormstore.DB) {
	o, d := gormstore.NewOutbox(db), gormstore.NewDeliveries(db)
	now := time.Now().UTC()
	fanOutAll(t, o, now, "drop") // events of earlier subtests
	r := storedRequest(t, db, now)
	before, err := d.ForReference(ctx, r.Reference())
	if err != nil || len(before) != 0 {
		t.Fatalf("deliveries before fan-out = %v, %v; want none", before, err)
	}
	if st, _ := d.Stats(ctx); st.Pending < 1 || st.OldestPending == nil {
		t.Errorf("an event not fanned out is not pending: %+v", st)
	}
	wh := ports.WebhookDestination(uuid.NewString())
	if n := fanOutAll(t, o, now, ports.DestinationNATS, wh); n != 1 {
		t.Fatalf("fanned out %d events, want 1", n)
	}
	if n := fanOutAll(t, o, now, ports.DestinationNATS, wh); n != 0 {
		t.Fatalf("fanned out %d events again", n)
	}
	got, err := d.ForReference(ctx, r.Reference())
	if err != nil || len(got) != 2 {
		t.Fatalf("deliveries = %+v, %v; want 2", got, err)
	}
	for _, s := range got {
		if s.State != "pending" || s.Attempts != 0 || s.NextAttemptAt == nil {
			t.Errorf("new delivery = %+v", s)
		}
	}
}

func testLeases(t *testing.T, db *gormstore.DB) {
	o := gormstore.NewOutbox(db)
	now := time.Now().UTC()
	fanOutAll(t, o, now, "drop")
	drainDue(t, o, now.Add(time.Hour))
	r := storedRequest(t, db, now)
	fanOutAll(t, o, now, ports.DestinationNATS)

	a, err := o.Claim(ctx, "relay-a", now, now.Add(time.Minute), 10)
	if err != nil || len(a) != 1 {
		t.Fatalf("relay a claimed %v, %v; want the 1 delivery", a, err)
	}
	if a[0].Event.Reference != r.Reference() || a[0].Event.WorkspaceID != r.WorkspaceID() || a[0].Destination != ports.DestinationNATS {
		t.Errorf("claimed %+v", a[0])
	}
	if b, err := o.Claim(ctx, "relay-b", now.Add(59*time.Second), now.Add(2*time.Minute), 10); err != nil || len(b) != 0 {
		t.Fatalf("relay b claimed %v, %v during a's lease", b, err)
	}
	if due, ok, err := o.NextDue(ctx); err != nil || !ok || !due.Equal(core.StoredTime(now.Add(time.Minute))) {
		t.Errorf("NextDue = %s, %v, %v; want the lease's expiry", due, ok, err)
	}
	// a's lease expires; b takes over and a's late result is refused.
	later := now.Add(61 * time.Second)
	b, err := o.Claim(ctx, "relay-b", later, later.Add(time.Minute), 10)
	if err != nil || len(b) != 1 || b[0].ID != a[0].ID {
		t.Fatalf("relay b claimed %v, %v after a's lease expired", b, err)
	}
	err = o.Record(ctx, "relay-a", a[0], ports.Outcome{At: later, Delivered: true})
	if !errors.Is(err, ports.ErrLeaseLost) {
		t.Fatalf("a's record after losing the lease = %v, want ErrLeaseLost", err)
	}
	// b shuts down: its lease goes, the delivery is due again at once.
	if err := o.Release(ctx, "relay-b"); err != nil {
		t.Fatal(err)
	}
	c, err := o.Claim(ctx, "relay-c", later, later.Add(time.Minute), 10)
	if err != nil || len(c) != 1 {
		t.Fatalf("relay c claimed %v, %v after b released", c, err)
	}
	if err := o.Record(ctx, "relay-c", c[0], ports.Outcome{At: later, Delivered: true}); err != nil {
		t.Fatal(err)
	}
	if again, _ := o.Claim(ctx, "relay-d", later.Add(time.Hour), later.Add(2*time.Hour), 10); len(again) != 0 {
		t.Fatalf("a delivered delivery was claimed again: %v", again)
	}
}

// drainDue marks every delivery due by now delivered.
func drainDue(t *testing.T, o *gormstore.Outbox, now time.Time) {
	t.Helper()
	for {
		ds, err := o.Claim(ctx, "drain", now, now.Add(time.Minute), 100)
		if err != nil {
			t.Fatal(err)
		}
		if len(ds) == 0 {
			return
		}
		for _, d := range ds {
			if err := o.Record(ctx, "drain", d, ports.Outcome{At: now, Delivered: true}); err != nil {
				t.Fatal(err)
			}
		}
	}
}

func testOutcomes(t *testing.T, db *gormstore.DB) {
	o, d := gormstore.NewOutbox(db), gormstore.NewDeliveries(db)
	now := time.Now().UTC()
	fanOutAll(t, o, now, "drop")
	drainDue(t, o, now.Add(time.Hour))
	r := storedRequest(t, db, now)
	fanOutAll(t, o, now, ports.DestinationNATS)

	claim := func(at time.Time) ports.Delivery {
		t.Helper()
		ds, err := o.Claim(ctx, "relay", at, at.Add(time.Minute), 10)
		if err != nil || len(ds) != 1 {
			t.Fatalf("claimed %v, %v at %s; want 1", ds, err, at)
		}
		return ds[0]
	}
	first := claim(now)
	next := now.Add(3 * time.Second)
	if err := o.Record(ctx, "relay", first, ports.Outcome{At: now, Status: 500, Error: "receiver answered 500", Next: next}); err != nil {
		t.Fatal(err)
	}
	if ds, _ := o.Claim(ctx, "relay", now.Add(time.Second), now.Add(time.Minute), 10); len(ds) != 0 {
		t.Fatalf("a failed delivery was claimed before its next attempt: %v", ds)
	}
	second := claim(next)
	if second.Attempts != 1 || second.FirstAttemptAt == nil || !second.FirstAttemptAt.Equal(core.StoredTime(now)) {
		t.Errorf("second attempt = %+v, want 1 attempt made at %s", second, now)
	}
	if err := o.Record(ctx, "relay", second, ports.Outcome{At: next, Error: "no answer within 15s", Dead: true}); err != nil {
		t.Fatal(err)
	}
	list, err := d.List(ctx, ports.DeliveryFilter{Dead: true, Reference: r.Reference().String()})
	if err != nil || len(list) != 1 {
		t.Fatalf("dead deliveries of %s = %v, %v", r.Reference(), list, err)
	}
	dl := list[0]
	if dl.State != "dead" || dl.Attempts != 2 || dl.LastError != "no answer within 15s" || dl.EventID != second.Event.ID || dl.Reference != r.Reference().String() {
		t.Errorf("dead delivery = %+v", dl)
	}
	if st, err := d.Stats(ctx); err != nil || st.Dead < 1 {
		t.Errorf("Stats = %+v, %v; want a dead delivery", st, err)
	}

	// Retry starts the schedule again.
	retryAt := next.Add(time.Hour)
	if err := d.Retry(ctx, dl.ID, retryAt); err != nil {
		t.Fatal(err)
	}
	third := claim(retryAt)
	if third.Attempts != 0 || third.FirstAttemptAt != nil {
		t.Errorf("retried delivery = %+v, want a fresh schedule", third)
	}
	if err := o.Record(ctx, "relay", third, ports.Outcome{At: retryAt, Delivered: true, Status: 204}); err != nil {
		t.Fatal(err)
	}
	err = d.Retry(ctx, dl.ID, retryAt)
	if core.KindOf(err) != core.KindConflict {
		t.Errorf("retry of a delivered one = %v, want a conflict", err)
	}
	for _, id := range []string{uuid.NewString(), "not-a-uuid"} {
		if err := d.Retry(ctx, id, retryAt); core.KindOf(err) != core.KindNotFound {
			t.Errorf("retry of %q = %v, want not found", id, err)
		}
	}
}

func testWebhookStore(t *testing.T, db *gormstore.DB) {
	s := gormstore.NewWebhooks(db)
	now := time.Now().UTC()
	w := ports.Webhook{ID: uuid.NewString(), URL: "https://support.example.com/hook", Secret: "v1:sealed-a", CreatedAt: now, AllowPrivate: true}
	if err := s.AddWebhook(ctx, w); err != nil {
		t.Fatal(err)
	}
	got, err := s.Webhook(ctx, w.ID)
	if err != nil || got.URL != w.URL || got.Secret != w.Secret || !got.AllowPrivate || got.PreviousSecret != "" || got.PreviousUntil != nil {
		t.Fatalf("Webhook = %+v, %v", got, err)
	}
	until := now.Add(24 * time.Hour)
	if err := s.RotateWebhook(ctx, w.ID, "v1:sealed-b", until); err != nil {
		t.Fatal(err)
	}
	got, _ = s.Webhook(ctx, w.ID)
	if got.Secret != "v1:sealed-b" || got.PreviousSecret != "v1:sealed-a" || got.PreviousUntil == nil || !got.PreviousUntil.Equal(core.StoredTime(until)) {
		t.Fatalf("after rotation: %+v", got)
	}
	list, err := s.Webhooks(ctx)
	if err != nil || len(list) == 0 || list[len(list)-1].ID != w.ID {
		t.Fatalf("Webhooks = %v, %v", list, err)
	}
	if err := s.RemoveWebhook(ctx, w.ID, now); err != nil {
		t.Fatal(err)
	}
	if _, err := s.Webhook(ctx, w.ID); core.KindOf(err) != core.KindNotFound {
		t.Errorf("a removed webhook: %v, want not found", err)
	}
	for _, err := range []error{s.RemoveWebhook(ctx, w.ID, now), s.RotateWebhook(ctx, w.ID, "x", until), s.RemoveWebhook(ctx, "nope", now)} {
		if core.KindOf(err) != core.KindNotFound {
			t.Errorf("got %v, want not found", err)
		}
	}
}
