package webhook

import (
	"context"
	"strings"
	"testing"
	"time"

	"github.com/google/uuid"

	"supportdesk/adapters/gormstore"
	"supportdesk/adapters/system"
	"supportdesk/core"
	"supportdesk/ports"
	"supportdesk/test/testdb"
)

type fixedClock struct{ now time.Time }

func (c *fixedClock) Now() time.Time { return c.now }

// newRegistry returns a registry over a fresh SQLite store, with a key
// unless noKey, and its clock.
func newRegistry(t *testing.T, noKey bool) (*Registry, *gormstore.Webhooks, *fixedClock) {
	t.Helper()
	store := gormstore.NewWebhooks(testdb.SQLite(t))
	var box *Box
	if !noKey {
		key, _ := newKey(t)
		var err error
		if box, err = NewBox(key); err != nil {
			t.Fatal(err)
		}
	}
	clock := &fixedClock{now: time.Date(2026, 12, 4, 12, 0, 0, 0, time.UTC)}
	return NewRegistry(store, box, clock, system.NewIDs(), nil), store, clock
}

func TestRegistryAddsListsAndRemoves(t *testing.T) {
	ctx := context.Background()
	r, store, clock := newRegistry(t, false)
	info, secret, err := r.Add(ctx, "https://203.0.113.10/hooks/support", false)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := ParseSecret(secret); err != nil {
		t.Errorf("Add returned secret that does not parse: %v", err)
	}
	if info.URL != "https://203.0.113.10/hooks/support" || !info.CreatedAt.Equal(clock.now) || info.PreviousUntil != nil || info.AllowPrivate {
		t.Errorf("Add = %+v", info)
	}
	stored, err := store.Webhook(ctx, info.ID)
	if err != nil {
		t.Fatal(err)
	}
	if strings.Contains(stored.Secret, secret) || strings.Contains(stored.Secret, SecretPrefix) {
		t.Fatalf("the secret is stored in clear: %q", stored.Secret)
	}
	plain, err := r.box.Open(stored.Secret, info.ID)
	if err != nil || string(plain) != secret {
		t.Fatalf("stored secret opens to %q, %v; want the one returned", plain, err)
	}
	if _, err := r.box.Open(stored.Secret, uuid.NewString()); err == nil {
		t.Error("the sealed secret opens bound to another endpoint")
	}

	list, err := r.List(ctx)
	if err != nil || len(list) != 1 || list[0] != info {
		t.Fatalf("List = %+v, %v; want [%+v]", list, err, info)
	}
	if err := r.Remove(ctx, info.ID); err != nil {
		t.Fatal(err)
	}
	if list, err := r.List(ctx); err != nil || len(list) != 0 {
		t.Errorf("List after Remove = %+v, %v", list, err)
	}
	for _, id := range []string{info.ID, uuid.NewString(), "not-a-uuid"} {
		if err := r.Remove(ctx, id); core.KindOf(err) != core.KindNotFound {
			t.Errorf("Remove(%q) = %v, want KindNotFound", id, err)
		}
	}
}

func TestRegistryRefusesPrivateTargets(t *testing.T) {
	ctx := context.Background()
	r, store, _ := newRegistry(t, false)
	for i, u := range []string{
		"http://127.0.0.1:8787/",
		"https://10.0.0.1/hook",
		"http://169.254.169.254/latest/meta-data/",
		"http://[::1]:8787/",
		"http://localhost:8787/",
	} {
		_, secret, err := r.Add(ctx, u, false)
		if core.KindOf(err) != core.KindInvalid || secret != "" || !strings.Contains(core.MessageOf(err), "--allow-private") {
			t.Errorf("Add(%s) = %q, %v; want KindInvalid saying --allow-private", u, secret, err)
		}
		if list, _ := store.Webhooks(ctx); len(list) != i {
			t.Fatalf("Add(%s) refused but stored %+v", u, list)
		}
		info, secret, err := r.Add(ctx, u, true)
		if err != nil || secret == "" || !info.AllowPrivate {
			t.Errorf("Add(%s, allowPrivate) = %+v, %q, %v", u, info, secret, err)
		}
	}
	for _, u := range []string{"ftp://203.0.113.10/", "203.0.113.10/hook", "https://user:pw@203.0.113.10/", ""} {
		if _, _, err := r.Add(ctx, u, true); core.KindOf(err) != core.KindInvalid {
			t.Errorf("Add(%q) = %v, want KindInvalid", u, err)
		}
	}
	if list, _ := store.Webhooks(ctx); len(list) != 5 {
		t.Errorf("stored %d endpoints, want the 5 allowed", len(list))
	}
}

func TestRegistryWithoutKey(t *testing.T) {
	ctx := context.Background()
	r, store, _ := newRegistry(t, true)
	_, secret, err := r.Add(ctx, "https://203.0.113.10/hook", false)
	if core.KindOf(err) != core.KindUnavailable || secret != "" || !strings.Contains(core.MessageOf(err), KeyEnv) {
		t.Fatalf("Add without a key = %q, %v; want KindUnavailable naming %s", secret, err, KeyEnv)
	}
	if list, _ := store.Webhooks(ctx); len(list) != 0 {
		t.Fatalf("Add without a key stored %+v", list)
	}
	// Listing and removing need no key.
	id := uuid.NewString()
	if err := store.AddWebhook(ctx, ports.Webhook{ID: id, URL: "https://203.0.113.10/", Secret: "v1:x:y", CreatedAt: time.Now()}); err != nil {
		t.Fatal(err)
	}
	if _, _, err := r.Rotate(ctx, id, 0); core.KindOf(err) != core.KindUnavailable {
		t.Errorf("Rotate without a key = %v, want KindUnavailable", err)
	}
	if list, err := r.List(ctx); err != nil || len(list) != 1 {
		t.Errorf("List without a key = %+v, %v", list, err)
	}
	if err := r.Remove(ctx, id); err != nil {
		t.Errorf("Remove without a key: %v", err)
	}
}

func TestRegistryRotates(t *testing.T) {
	ctx := context.Background()
	r, store, clock := newRegistry(t, false)
	info, first, err := r.Add(ctx, "https://203.0.113.10/hook", false)
	if err != nil {
		t.Fatal(err)
	}
	before, _ := store.Webhook(ctx, info.ID)
	rotated, second, err := r.Rotate(ctx, info.ID, 0)
	if err != nil {
		t.Fatal(err)
	}
	if second == first || !strings.HasPrefix(second, SecretPrefix) {
		t.Errorf("Rotate returned %q after %q", second, first)
	}
	if want := clock.now.Add(DefaultGrace); rotated.PreviousUntil == nil || !rotated.PreviousUntil.Equal(want) {
		t.Errorf("PreviousUntil = %v, want %v (24 h by default)", rotated.PreviousUntil, want)
	}
	after, _ := store.Webhook(ctx, info.ID)
	if after.PreviousSecret != before.Secret {
		t.Error("the old secret is not kept as the previous one")
	}
	if plain, err := r.box.Open(after.Secret, info.ID); err != nil || string(plain) != second {
		t.Errorf("the new secret opens to %q, %v", plain, err)
	}
	if list, _ := r.List(ctx); len(list) != 1 || list[0].PreviousUntil == nil {
		t.Errorf("List during the grace period = %+v", list)
	}
	clock.now = clock.now.Add(DefaultGrace)
	if list, _ := r.List(ctx); len(list) != 1 || list[0].PreviousUntil != nil {
		t.Errorf("List after the grace period = %+v, want no grace end", list)
	}

	custom, _, err := r.Rotate(ctx, info.ID, time.Hour)
	if err != nil || custom.PreviousUntil == nil || !custom.PreviousUntil.Equal(clock.now.Add(time.Hour)) {
		t.Errorf("Rotate with 1h grace = %+v, %v", custom, err)
	}
	if _, _, err := r.Rotate(ctx, info.ID, -time.Hour); core.KindOf(err) != core.KindInvalid {
		t.Errorf("Rotate with a negative grace = %v, want KindInvalid", err)
	}
	if _, _, err := r.Rotate(ctx, uuid.NewString(), 0); core.KindOf(err) != core.KindNotFound {
		t.Errorf("Rotate of an unknown endpoint = %v, want KindNotFound", err)
	}
}

func TestRegistryReseals(t *testing.T) {
	ctx := context.Background()
	store := gormstore.NewWebhooks(testdb.SQLite(t))
	clock := &fixedClock{now: time.Date(2026, 12, 4, 12, 0, 0, 0, time.UTC)}
	oldRaw, _ := newKey(t)
	oldKey, err := NewBox(oldRaw)
	if err != nil {
		t.Fatal(err)
	}
	old := NewRegistry(store, oldKey, clock, system.NewIDs(), nil)
	a, secretA, err := old.Add(ctx, "https://203.0.113.10/a", false)
	if err != nil {
		t.Fatal(err)
	}
	b, _, _ := old.Add(ctx, "https://203.0.113.10/b", false)
	_, secretB, err := old.Rotate(ctx, b.ID, time.Hour)
	if err != nil {
		t.Fatal(err)
	}
	expired, _, _ := old.Add(ctx, "https://203.0.113.10/expired", false)
	if _, _, err := old.Rotate(ctx, expired.ID, time.Minute); err != nil {
		t.Fatal(err)
	}
	clock.now = clock.now.Add(2 * time.Minute)
	beforeB, _ := store.Webhook(ctx, b.ID)

	// The key is rotated: the new one seals, the old one still opens.
	newRaw, _ := newKey(t)
	box, err := NewBox(newRaw, oldRaw)
	if err != nil {
		t.Fatal(err)
	}
	r := NewRegistry(store, box, clock, system.NewIDs(), nil)
	done, err := r.Reseal(ctx)
	if err != nil || done != (ports.Resealed{KeyID: box.KeyID(), Resealed: 3}) {
		t.Fatalf("Reseal = %+v, %v; want 3 resealed under %s", done, err, box.KeyID())
	}
	if done, err := r.Reseal(ctx); err != nil || done.Resealed != 0 || done.Current != 3 {
		t.Errorf("a second Reseal = %+v, %v; want none left to reseal", done, err)
	}

	// Without the old key every secret in use still opens.
	only, _ := NewBox(newRaw)
	for id, want := range map[string]string{a.ID: secretA, b.ID: secretB} {
		w, _ := store.Webhook(ctx, id)
		if got, err := only.Open(w.Secret, id); err != nil || string(got) != want {
			t.Errorf("webhook %s opens to %q, %v under the new key alone", id, got, err)
		}
	}
	afterB, _ := store.Webhook(ctx, b.ID)
	prev, err := only.Open(afterB.PreviousSecret, b.ID)
	if want, _ := oldKey.Open(beforeB.PreviousSecret, b.ID); err != nil || string(prev) != string(want) {
		t.Errorf("the previous secret of a rotation in its grace was not resealed: %v", err)
	}
	if w, _ := store.Webhook(ctx, expired.ID); !strings.HasPrefix(w.PreviousSecret, "v1:"+oldKey.KeyID()+":") {
		t.Errorf("a previous secret past its grace was resealed: %q", w.PreviousSecret)
	}

	// A secret no configured key opens is an error naming the endpoint.
	stranger, _ := newKey(t)
	lost, _ := NewBox(stranger)
	_, err = NewRegistry(store, lost, clock, system.NewIDs(), nil).Reseal(ctx)
	// (The endpoints share a creation time, so which comes first varies.)
	names := err != nil && (strings.Contains(err.Error(), a.ID) || strings.Contains(err.Error(), b.ID) || strings.Contains(err.Error(), expired.ID))
	if !names || !strings.Contains(err.Error(), PreviousKeyEnv) {
		t.Errorf("Reseal with a key that opens nothing = %v", err)
	}
	if _, err := NewRegistry(store, nil, clock, system.NewIDs(), nil).Reseal(ctx); core.KindOf(err) != core.KindUnavailable {
		t.Errorf("Reseal without a key = %v, want KindUnavailable", err)
	}
}
