package gormstore_test

import (
	"context"
	"testing"
	"time"

	"supportdesk/adapters/gormstore"
	"supportdesk/ports"
	"supportdesk/test/testdb"
)

func TestPurgeExpiredIdempotencyKeys(t *testing.T) {
	for _, e := range testdb.Engines() {
		t.Run(e.Name, func(t *testing.T) {
			db := e.Open(t)
			user := newSeeder(t, db).user()
			keys := gormstore.NewIdempotencyKeys(db)
			ctx := context.Background()
			now := time.Date(2030, 1, 2, 0, 0, 0, 0, time.UTC)
			for key, created := range map[string]time.Time{"old": now.Add(-25 * time.Hour), "live": now.Add(-time.Hour)} {
				rec := ports.IdempotencyRecord{Fingerprint: "fp", CreatedAt: created, ExpiresAt: created.Add(24 * time.Hour)}
				if _, fresh, err := keys.Claim(ctx, user, key, rec, created.Add(-time.Minute)); err != nil || !fresh {
					t.Fatalf("claim %s: fresh %v, %v", key, fresh, err)
				}
			}
			n, err := keys.PurgeExpired(ctx, now)
			if err != nil || n != 1 {
				t.Fatalf("PurgeExpired = %d, %v; want 1", n, err)
			}
			var left []string
			if err := db.Gorm().Raw(`SELECT key FROM idempotency_keys ORDER BY key`).Scan(&left).Error; err != nil {
				t.Fatal(err)
			}
			if len(left) != 1 || left[0] != "live" {
				t.Fatalf("keys left %v, want [live]", left)
			}
		})
	}
}
