package gormstore

import (
	"context"
	"errors"
	"fmt"

	"gorm.io/gorm"

	"supportdesk/core"
	"supportdesk/core/reference"
	"supportdesk/core/support"
	"supportdesk/ports"
)

// Requests stores support requests in support_requests. It has no update
// and no delete; the database rejects both anyway.
type Requests struct{ db *DB }

var _ ports.SupportRequestRepository = (*Requests)(nil)

// NewRequests returns the support-request repository over db.
func NewRequests(db *DB) *Requests { return &Requests{db: db} }

// Create implements ports.SupportRequestRepository: the request, its
// audit entry and its outbox event are inserted, and the Idempotency-Key
// claim completed, in one transaction. Errors: KindConflict when the
// reference exists or the claim was taken over, KindUnavailable when the
// database cannot be reached, KindInternal otherwise.
func (s *Requests) Create(ctx context.Context, c ports.Creation) error {
	row := toRequestRow(c.Request)
	entry, err := toAuditRow(c.Audit)
	if err != nil {
		return toCoreError(fmt.Errorf("create support request %s: %w", row.Reference, err))
	}
	event := toEventRow(c.Event)
	if s.db.dialect == Postgres {
		err = s.db.createPipelined(ctx, row, entry, event, c.Idempotency)
	} else {
		err = s.createInTx(ctx, row, entry, event, c.Idempotency)
	}
	if err != nil {
		return toCoreError(fmt.Errorf("create support request %s: %w", row.Reference, err))
	}
	s.db.signalWritten(ctx)
	return nil
}

// errReferenceTaken is the answer when the new request's reference exists.
func errReferenceTaken(err error) error {
	return core.Wrap(core.KindConflict, err, "a support request with this reference already exists")
}

// createInTx writes a creation statement by statement in one transaction.
func (s *Requests) createInTx(ctx context.Context, row requestRow, entry auditRow, event eventRow, key *ports.KeyCompletion) error {
	return s.db.gorm.WithContext(ctx).Transaction(func(tx *gorm.DB) error {
		if err := tx.Create(&row).Error; err != nil {
			if isDuplicate(err) {
				return errReferenceTaken(err)
			}
			return fmt.Errorf("insert support request: %w", err)
		}
		if err := tx.Create(&entry).Error; err != nil {
			return fmt.Errorf("insert audit entry %s: %w", entry.ID, err)
		}
		if err := tx.Create(&event).Error; err != nil {
			return fmt.Errorf("insert outbox event %s: %w", event.ID, err)
		}
		if key != nil {
			return completeKey(tx, *key, row.Reference)
		}
		return nil
	})
}

// completeKey sets the reference of the Idempotency-Key claim k names,
// unless another claim took the key over since (KindConflict).
func completeKey(tx *gorm.DB, k ports.KeyCompletion, ref string) error {
	res := tx.Exec(`UPDATE idempotency_keys SET reference = ?
		WHERE user_id = ? AND key = ? AND created_at = ? AND reference IS NULL`,
		ref, k.UserID, k.Key, utc(k.ClaimedAt))
	if res.Error != nil {
		return fmt.Errorf("complete idempotency key: %w", res.Error)
	}
	if res.RowsAffected != 1 {
		return errKeyTakenOver
	}
	return nil
}

// Get returns the request with reference ref, or support.ErrNotFound.
func (s *Requests) Get(ctx context.Context, ref reference.Reference) (*support.Request, error) {
	return s.get(ctx, ref, s.db.gorm.WithContext(ctx).Where("reference = ?", ref.String()))
}

// GetByCreator implements ports.SupportRequestRepository: one primary-key
// lookup that also matches the creator, so another user's request is not
// read, decoded or sent back, just as an unknown reference is not.
func (s *Requests) GetByCreator(ctx context.Context, ref reference.Reference, createdBy string) (*support.Request, error) {
	if !core.IsUUID(createdBy) {
		return nil, fmt.Errorf("get support request %s: %w", ref, support.ErrNotFound)
	}
	return s.get(ctx, ref, s.db.gorm.WithContext(ctx).Where("reference = ? AND created_by = ?", ref.String(), createdBy))
}

func (s *Requests) get(ctx context.Context, ref reference.Reference, q *gorm.DB) (*support.Request, error) {
	var row requestRow
	err := q.Take(&row).Error
	if errors.Is(err, gorm.ErrRecordNotFound) {
		return nil, fmt.Errorf("get support request %s: %w", ref, support.ErrNotFound)
	}
	if err != nil {
		return nil, toCoreError(fmt.Errorf("get support request %s: %w", ref, err))
	}
	return toCoreRequest(row), nil
}

// List returns the requests f selects, newest first (created_at, then
// reference, both descending), at most f.EffectiveLimit() of them. Each filter combination is served by
// one of the indexes on (…, created_at DESC, reference DESC).
func (s *Requests) List(ctx context.Context, f ports.ListFilter) ([]*support.Request, error) {
	if (f.WorkspaceID != "" && !core.IsUUID(f.WorkspaceID)) || (f.TenantID != "" && !core.IsUUID(f.TenantID)) {
		return []*support.Request{}, nil
	}
	q := s.db.gorm.WithContext(ctx).Model(&requestRow{})
	if f.WorkspaceID != "" {
		q = q.Where("workspace_id = ?", f.WorkspaceID)
	}
	if f.TenantID != "" {
		q = q.Where("tenant_id = ?", f.TenantID)
	}
	if !f.Since.IsZero() {
		q = q.Where("created_at >= ?", utc(f.Since))
	}
	var rows []requestRow
	if err := q.Order("created_at DESC, reference DESC").Limit(f.EffectiveLimit()).Find(&rows).Error; err != nil {
		return nil, toCoreError(fmt.Errorf("list support requests: %w", err))
	}
	return toCore(rows, toCoreRequest), nil
}
