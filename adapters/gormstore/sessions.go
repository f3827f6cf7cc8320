package gormstore

import (
	"context"
	"fmt"
	"time"

	"supportdesk/core"
	"supportdesk/ports"
)

// Sessions stores the web UI's server-side sessions in web_sessions. It
// only ever sees the SHA-256 of a session id: the id itself lives in the
// browser's cookie.
type Sessions struct{ db *DB }

// NewSessions returns the session store over db.
func NewSessions(db *DB) *Sessions { return &Sessions{db: db} }

// errNoSession is the one answer for a session that is unknown, expired
// or signed out.
var errNoSession = core.Errorf(core.KindUnauthenticated, "the session is unknown or has expired")

// sessionRow is a row of web_sessions.
type sessionRow struct {
	IDHash    string `gorm:"primaryKey"`
	UserID    string
	CSRFToken string `gorm:"column:csrf_token"`
	CreatedAt dbTime `gorm:"autoCreateTime:false"`
	ExpiresAt dbTime
}

func (sessionRow) TableName() string { return "web_sessions" }

// sessionActorRow is a live session joined with its user.
type sessionActorRow struct {
	ID        string
	Name      string
	Email     string
	CSRFToken string `gorm:"column:csrf_token"`
}

// Create stores a session of userID under idHash, valid until expiresAt.
// It first purges sessions that expired by createdAt, which keeps the
// table as small as the number of live sessions without a sweeper.
func (s *Sessions) Create(ctx context.Context, idHash, userID, csrfToken string, createdAt, expiresAt time.Time) error {
	db := s.db.gorm.WithContext(ctx)
	if err := db.Exec(`DELETE FROM web_sessions WHERE expires_at <= ?`, utc(createdAt)).Error; err != nil {
		return toCoreError(fmt.Errorf("purge expired sessions: %w", err))
	}
	row := sessionRow{IDHash: idHash, UserID: userID, CSRFToken: csrfToken, CreatedAt: utc(createdAt), ExpiresAt: utc(expiresAt)}
	if err := db.Create(&row).Error; err != nil {
		return toCoreError(fmt.Errorf("create session: %w", err))
	}
	return nil
}

// Lookup returns the user and the CSRF token of the session stored under
// idHash if it is still valid at now, or a KindUnauthenticated error.
func (s *Sessions) Lookup(ctx context.Context, idHash string, now time.Time) (ports.Actor, string, error) {
	var row sessionActorRow
	res := s.db.gorm.WithContext(ctx).Raw(`
		SELECT u.id, u.name, u.email, s.csrf_token
		FROM web_sessions s
		JOIN users u ON u.id = s.user_id
		WHERE s.id_hash = ? AND s.expires_at > ?`, idHash, utc(now)).Scan(&row)
	if res.Error != nil {
		return ports.Actor{}, "", toCoreError(fmt.Errorf("read session: %w", res.Error))
	}
	if res.RowsAffected == 0 {
		return ports.Actor{}, "", errNoSession
	}
	return toCoreActor(userRow{ID: row.ID, Name: row.Name, Email: row.Email}), row.CSRFToken, nil
}

// Delete removes the session stored under idHash; an unknown one is not
// an error, so signing out twice is harmless.
func (s *Sessions) Delete(ctx context.Context, idHash string) error {
	if err := s.db.gorm.WithContext(ctx).Exec(`DELETE FROM web_sessions WHERE id_hash = ?`, idHash).Error; err != nil {
		return toCoreError(fmt.Errorf("delete session: %w", err))
	}
	return nil
}
