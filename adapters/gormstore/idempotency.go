package gormstore

import (
	"context"
	"errors"
	"fmt"
	"time"

	"gorm.io/gorm"

	"supportdesk/core"
	"supportdesk/core/reference"
	"supportdesk/ports"
)

// IdempotencyKeys keeps Idempotency-Key records in idempotency_keys. A
// record's created_at doubles as the version of its claim: completing
// (Requests.Create), releasing and replacing a claim all name the one
// they mean by it.
type IdempotencyKeys struct{ db *DB }

var _ ports.IdempotencyKeys = (*IdempotencyKeys)(nil)

// NewIdempotencyKeys returns the idempotency store over db.
func NewIdempotencyKeys(db *DB) *IdempotencyKeys { return &IdempotencyKeys{db: db} }

type idempotencyRow struct {
	Fingerprint string
	Reference   *string
	CreatedAt   dbTime
	ExpiresAt   dbTime
}

// errKeyTakenOver is the answer when a claim to complete was replaced.
var errKeyTakenOver = core.Errorf(core.KindConflict, "the Idempotency-Key was taken over by another request; retry")

// claimAttempts bounds the insert-or-read loop; each round only repeats
// when another server changed the record between two statements.
const claimAttempts = 5

// Claim implements ports.IdempotencyKeys. The claim commits on its own,
// before the request is built, so a concurrent repeat sees it in flight:
// on PostgreSQL a concurrent insert of the same key waits for the first
// one's commit and then finds it; SQLite serialises the writers.
func (k *IdempotencyKeys) Claim(ctx context.Context, userID, key string, rec ports.IdempotencyRecord, abandonedBefore time.Time) (ports.IdempotencyRecord, bool, error) {
	rec.CreatedAt, rec.ExpiresAt = utc(rec.CreatedAt).Time, utc(rec.ExpiresAt).Time
	db := k.db.gorm.WithContext(ctx)
	for range claimAttempts {
		res := db.Exec(`INSERT INTO idempotency_keys (user_id, key, fingerprint, created_at, expires_at)
			VALUES (?, ?, ?, ?, ?) ON CONFLICT (user_id, key) DO NOTHING`,
			userID, key, rec.Fingerprint, utc(rec.CreatedAt), utc(rec.ExpiresAt))
		if res.Error != nil {
			return ports.IdempotencyRecord{}, false, toCoreError(fmt.Errorf("claim idempotency key: %w", res.Error))
		}
		if res.RowsAffected == 1 {
			return rec, true, nil
		}

		var row idempotencyRow
		err := db.Raw(`SELECT fingerprint, reference, created_at, expires_at FROM idempotency_keys
			WHERE user_id = ? AND key = ?`, userID, key).Take(&row).Error
		if errors.Is(err, gorm.ErrRecordNotFound) {
			continue // released in between: try to insert again
		}
		if err != nil {
			return ports.IdempotencyRecord{}, false, toCoreError(fmt.Errorf("read idempotency key: %w", err))
		}
		held := ports.IdempotencyRecord{Fingerprint: row.Fingerprint, CreatedAt: row.CreatedAt.Time, ExpiresAt: row.ExpiresAt.Time}
		if row.Reference != nil {
			held.Reference = reference.Reference(*row.Reference)
		}
		expired := !held.ExpiresAt.After(rec.CreatedAt)
		abandoned := held.Reference == "" && held.CreatedAt.Before(abandonedBefore)
		if !expired && !abandoned {
			return held, false, nil
		}
		res = db.Exec(`UPDATE idempotency_keys SET fingerprint = ?, reference = NULL, created_at = ?, expires_at = ?
			WHERE user_id = ? AND key = ? AND created_at = ?`,
			rec.Fingerprint, utc(rec.CreatedAt), utc(rec.ExpiresAt), userID, key, utc(held.CreatedAt))
		if res.Error != nil {
			return ports.IdempotencyRecord{}, false, toCoreError(fmt.Errorf("replace idempotency key: %w", res.Error))
		}
		if res.RowsAffected == 1 {
			return rec, true, nil
		}
	}
	return ports.IdempotencyRecord{}, false, core.Errorf(core.KindConflict,
		"a request with this Idempotency-Key is still being processed; retry later")
}

// Release implements ports.IdempotencyKeys: only the unfinished claim made
// at claimedAt is removed, never a completed record.
func (k *IdempotencyKeys) Release(ctx context.Context, userID, key string, claimedAt time.Time) error {
	err := k.db.gorm.WithContext(ctx).Exec(`DELETE FROM idempotency_keys
		WHERE user_id = ? AND key = ? AND created_at = ? AND reference IS NULL`,
		userID, key, utc(claimedAt)).Error
	return toCoreError(err)
}

// PurgeExpired deletes records that expired before now and returns how many.
func (k *IdempotencyKeys) PurgeExpired(ctx context.Context, now time.Time) (int64, error) {
	res := k.db.gorm.WithContext(ctx).Exec(`DELETE FROM idempotency_keys WHERE expires_at < ?`, utc(now))
	if res.Error != nil {
		return 0, toCoreError(fmt.Errorf("purge idempotency keys: %w", res.Error))
	}
	return res.RowsAffected, nil
}
