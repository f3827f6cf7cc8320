package gormstore

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"time"

	"supportdesk/core"
	"supportdesk/ports"
)

// Users finds users by API token hash or email, and issues tokens.
type Users struct{ db *DB }

var _ ports.Users = (*Users)(nil)

// NewUsers returns the user directory over db.
func NewUsers(db *DB) *Users { return &Users{db: db} }

const (
	userByTokenSQL = `SELECT u.id, u.name, u.email
FROM api_tokens k JOIN users u ON u.id = k.user_id
WHERE k.token_hash = ?`
	// Emails match whatever their case, as mail addresses do in practice;
	// the fixture import refuses two users whose emails differ only by case.
	userByEmailSQL = `SELECT id, name, email FROM users WHERE lower(email) = lower(?)`
)

// ByTokenHash returns the owner of the token whose SHA-256 is hash, or a
// KindUnauthenticated error.
func (u *Users) ByTokenHash(ctx context.Context, hash string) (ports.Actor, error) {
	var a ports.Actor
	err := u.db.queryRow(ctx, userByTokenSQL, hash).Scan(&a.ID, &a.Name, &a.Email)
	switch {
	case errors.Is(err, sql.ErrNoRows):
		return ports.Actor{}, core.Errorf(core.KindUnauthenticated, "invalid or expired token")
	case err != nil:
		return ports.Actor{}, toCoreError(fmt.Errorf("read user by token: %w", err))
	}
	return a, nil
}

// ByEmail returns the user with this email, in any case, or a KindNotFound error.
func (u *Users) ByEmail(ctx context.Context, email string) (ports.Actor, error) {
	var row userRow
	res := u.db.gorm.WithContext(ctx).Raw(userByEmailSQL, email).Scan(&row)
	if res.Error != nil {
		return ports.Actor{}, toCoreError(fmt.Errorf("read user by email: %w", res.Error))
	}
	if res.RowsAffected == 0 {
		return ports.Actor{}, core.Errorf(core.KindNotFound, "user not found")
	}
	return toCoreActor(row), nil
}

// IssueToken stores hash, the SHA-256 of a new API token, for the user with
// this email and returns that user. The token itself is never stored.
// Errors: KindNotFound for an unknown email, KindConflict if the hash is
// already stored.
func (u *Users) IssueToken(ctx context.Context, email, hash string) (ports.Actor, error) {
	actor, err := u.ByEmail(ctx, email)
	if err != nil {
		return ports.Actor{}, err
	}
	row := tokenRow{TokenHash: hash, UserID: actor.ID, CreatedAt: utc(time.Now())}
	if err := u.db.gorm.WithContext(ctx).Create(&row).Error; err != nil {
		if isDuplicate(err) {
			return ports.Actor{}, core.Wrap(core.KindConflict, err, "this token is already issued")
		}
		return ports.Actor{}, toCoreError(fmt.Errorf("store API token: %w", err))
	}
	return actor, nil
}
