package gormstore_test

import (
	"testing"
	"time"

	"github.com/google/uuid"

	"supportdesk/adapters/gormstore"
	"supportdesk/ports"
	"supportdesk/test/testdb"
)

// TestResealWebhook: the sealed values are replaced only while they are
// still those the caller read, on both engines.
func TestResealWebhook(t *testing.T) {
	for _, e := range testdb.Engines() {
		t.Run(e.Name, func(t *testing.T) {
			s := gormstore.NewWebhooks(e.Open(t))
			now := time.Now().UTC()
			w := ports.Webhook{ID: uuid.NewString(), URL: "https://support.example.com/hook", Secret: "v1:old-a", CreatedAt: now}
			if err := s.AddWebhook(ctx, w); err != nil {
				t.Fatal(err)
			}
			resealed := w
			resealed.Secret = "v1:new-a"
			if ok, err := s.ResealWebhook(ctx, w, resealed); !ok || err != nil {
				t.Fatalf("ResealWebhook = %v, %v", ok, err)
			}
			if ok, err := s.ResealWebhook(ctx, w, resealed); ok || err != nil {
				t.Errorf("ResealWebhook of values that changed meanwhile = %v, %v; want false", ok, err)
			}
			until := now.Add(time.Hour)
			if err := s.RotateWebhook(ctx, w.ID, "v1:old-b", until); err != nil {
				t.Fatal(err)
			}
			rotated, _ := s.Webhook(ctx, w.ID)
			again := rotated
			again.Secret, again.PreviousSecret = "v1:new-b", "v1:newer-a"
			stale := rotated
			stale.PreviousSecret = "v1:old-a"
			if ok, err := s.ResealWebhook(ctx, stale, again); ok || err != nil {
				t.Errorf("ResealWebhook over a stale previous secret = %v, %v; want false", ok, err)
			}
			if ok, err := s.ResealWebhook(ctx, rotated, again); !ok || err != nil {
				t.Fatalf("ResealWebhook after a rotation = %v, %v", ok, err)
			}
			got, _ := s.Webhook(ctx, w.ID)
			if got.Secret != "v1:new-b" || got.PreviousSecret != "v1:newer-a" || got.PreviousUntil == nil {
				t.Errorf("after reseal: %+v", got)
			}
			if err := s.RemoveWebhook(ctx, w.ID, now); err != nil {
				t.Fatal(err)
			}
			if ok, err := s.ResealWebhook(ctx, got, again); ok || err != nil {
				t.Errorf("ResealWebhook of a removed endpoint = %v, %v; want false", ok, err)
			}
		})
	}
}
