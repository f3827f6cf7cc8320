package gormstore_test

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"testing"
	"time"

	"github.com/google/uuid"

	"supportdesk/adapters/gormstore"
	"supportdesk/core"
	"supportdesk/test/testdb"
)

// sessionHash returns what the web UI stores for a session id.
func sessionHash(id string) string {
	sum := sha256.Sum256([]byte(id))
	return hex.EncodeToString(sum[:])
}

// addUser inserts a user with a fresh id and returns the id.
func addUser(t *testing.T, db *gormstore.DB, name string) string {
	t.Helper()
	id := uuid.NewString()
	testdb.Exec(t, db, `INSERT INTO users (id, name, email) VALUES (?, ?, ?)`, id, name, id+"@example.com")
	return id
}

// liveSessions counts the rows stored under idHash.
func liveSessions(t *testing.T, db *gormstore.DB, idHash string) int64 {
	t.Helper()
	var n int64
	if err := db.Gorm().Raw(`SELECT count(*) FROM web_sessions WHERE id_hash = ?`, idHash).Scan(&n).Error; err != nil {
		t.Fatalf("count sessions: %v", err)
	}
	return n
}

func TestSessions(t *testing.T) {
	for _, e := range testdb.Engines() {
		t.Run(e.Name, func(t *testing.T) {
			db := e.Open(t)
			store := gormstore.NewSessions(db)
			ctx := context.Background()
			now := time.Date(2030, 5, 1, 12, 0, 0, 0, time.UTC)
			csrf := "csrf-token-0123456789-abcdefghijklmnopqrstuvwxyz"

			t.Run("lookup returns the user and the CSRF token until expiry", func(t *testing.T) {
				userID := addUser(t, db, "Ada Lovelace")
				h := sessionHash("session-" + uuid.NewString())
				if err := store.Create(ctx, h, userID, csrf, now, now.Add(time.Hour)); err != nil {
					t.Fatalf("Create: %v", err)
				}
				actor, gotCSRF, err := store.Lookup(ctx, h, now.Add(59*time.Minute))
				if err != nil {
					t.Fatalf("Lookup: %v", err)
				}
				if actor.ID != userID || actor.Name != "Ada Lovelace" || actor.Email != userID+"@example.com" || gotCSRF != csrf {
					t.Errorf("Lookup = %+v, %q; want user %s with its CSRF token", actor, gotCSRF, userID)
				}
				_, _, err = store.Lookup(ctx, h, now.Add(time.Hour))
				if core.KindOf(err) != core.KindUnauthenticated {
					t.Errorf("Lookup at expiry: error %v, want KindUnauthenticated", err)
				}
			})

			t.Run("an unknown session is unauthenticated", func(t *testing.T) {
				_, _, err := store.Lookup(ctx, sessionHash("never-issued"), now)
				if core.KindOf(err) != core.KindUnauthenticated {
					t.Errorf("Lookup: error %v, want KindUnauthenticated", err)
				}
			})

			t.Run("delete signs out, twice is harmless", func(t *testing.T) {
				userID := addUser(t, db, "Grace Hopper")
				h := sessionHash("session-" + uuid.NewString())
				if err := store.Create(ctx, h, userID, csrf, now, now.Add(time.Hour)); err != nil {
					t.Fatalf("Create: %v", err)
				}
				for i := 0; i < 2; i++ {
					if err := store.Delete(ctx, h); err != nil {
						t.Fatalf("Delete #%d: %v", i+1, err)
					}
				}
				if _, _, err := store.Lookup(ctx, h, now); core.KindOf(err) != core.KindUnauthenticated {
					t.Errorf("Lookup after Delete: error %v, want KindUnauthenticated", err)
				}
			})

			t.Run("create purges expired sessions and keeps live ones", func(t *testing.T) {
				userID := addUser(t, db, "Edsger Dijkstra")
				expired, live := sessionHash("old-"+uuid.NewString()), sessionHash("live-"+uuid.NewString())
				later := now.Add(24 * time.Hour)
				if err := store.Create(ctx, expired, userID, csrf, now, now.Add(time.Minute)); err != nil {
					t.Fatalf("Create: %v", err)
				}
				if err := store.Create(ctx, live, userID, csrf, now, later.Add(time.Hour)); err != nil {
					t.Fatalf("Create: %v", err)
				}
				if err := store.Create(ctx, sessionHash("new-"+uuid.NewString()), userID, csrf, later, later.Add(time.Hour)); err != nil {
					t.Fatalf("Create: %v", err)
				}
				if n := liveSessions(t, db, expired); n != 0 {
					t.Errorf("expired session rows = %d, want 0", n)
				}
				if n := liveSessions(t, db, live); n != 1 {
					t.Errorf("live session rows = %d, want 1", n)
				}
			})

			t.Run("the table holds hashes, not session ids", func(t *testing.T) {
				userID := addUser(t, db, "Barbara Liskov")
				if err := store.Create(ctx, "a-raw-session-id", userID, csrf, now, now.Add(time.Hour)); err == nil {
					t.Error("Create with a session id instead of its SHA-256: no error")
				}
			})

			t.Run("a closed database is unavailable", func(t *testing.T) {
				closed := e.Open(t)
				if err := closed.Close(); err != nil {
					t.Fatal(err)
				}
				_, _, err := gormstore.NewSessions(closed).Lookup(ctx, sessionHash("x"), now)
				if core.KindOf(err) != core.KindUnavailable {
					t.Errorf("Lookup on a closed database: error %v, want KindUnavailable", err)
				}
			})
		})
	}
}
