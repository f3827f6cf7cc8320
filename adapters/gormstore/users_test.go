package gormstore_test

import (
	"context"
	"strings"
	"testing"

	"supportdesk/adapters/gormstore"
	"supportdesk/core"
	"supportdesk/core/credential"
	"supportdesk/ports"
	"supportdesk/test/testdb"
)

func TestUsers(t *testing.T) {
	for _, e := range testdb.Engines() {
		t.Run(e.Name, func(t *testing.T) {
			db := e.Open(t)
			s := newSeeder(t, db)
			users := gormstore.NewUsers(db)
			ctx := context.Background()
			id := s.user()
			want := ports.Actor{ID: id, Name: "User " + id[:8], Email: id + "@example.com"}

			t.Run("ByEmail", func(t *testing.T) {
				got, err := users.ByEmail(ctx, want.Email)
				if err != nil || got != want {
					t.Errorf("ByEmail = %+v, %v; want %+v", got, err, want)
				}
				_, err = users.ByEmail(ctx, "nobody@example.com")
				if core.KindOf(err) != core.KindNotFound || core.MessageOf(err) != "user not found" {
					t.Errorf("ByEmail(unknown) error = %v, want not found", err)
				}
				got, err = users.ByEmail(ctx, strings.ToUpper(want.Email))
				if err != nil || got != want {
					t.Errorf("ByEmail(upper case) = %+v, %v; want %+v: emails match in any case", got, err, want)
				}
			})

			token := "sdk_" + strings.Repeat("x", 40)
			hash := credential.Hash(token)
			t.Run("IssueToken stores only the hash", func(t *testing.T) {
				got, err := users.IssueToken(ctx, want.Email, hash)
				if err != nil || got != want {
					t.Fatalf("IssueToken = %+v, %v; want %+v", got, err, want)
				}
				var stored []string
				if err := db.Gorm().Raw(`SELECT token_hash FROM api_tokens WHERE user_id = ?`, id).Scan(&stored).Error; err != nil {
					t.Fatal(err)
				}
				if len(stored) != 1 || stored[0] != hash {
					t.Errorf("stored tokens = %q, want only the hash %q", stored, hash)
				}
			})
			t.Run("IssueToken errors", func(t *testing.T) {
				if _, err := users.IssueToken(ctx, want.Email, hash); core.KindOf(err) != core.KindConflict {
					t.Errorf("IssueToken(same hash) error = %v, want conflict", err)
				}
				if _, err := users.IssueToken(ctx, "nobody@example.com", credential.Hash("other")); core.KindOf(err) != core.KindNotFound {
					t.Errorf("IssueToken(unknown email) error = %v, want not found", err)
				}
			})
			t.Run("ByTokenHash", func(t *testing.T) {
				got, err := users.ByTokenHash(ctx, hash)
				if err != nil || got != want {
					t.Errorf("ByTokenHash = %+v, %v; want %+v", got, err, want)
				}
				for _, h := range []string{credential.Hash("wrong"), token, ""} {
					_, err := users.ByTokenHash(ctx, h)
					if core.KindOf(err) != core.KindUnauthenticated || core.MessageOf(err) != "invalid or expired token" {
						t.Errorf("ByTokenHash(%q) error = %v, want unauthenticated", h, err)
					}
				}
			})
		})
	}
}
