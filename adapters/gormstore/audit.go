package gormstore

import (
	"context"
	"fmt"

	"supportdesk/core/audit"
	"supportdesk/ports"
)

// AuditLog appends audit entries to audit_entries, inside the transaction
// of a Requests.Create. The table is append-only: the database rejects
// UPDATE and DELETE.
type AuditLog struct{}

var _ ports.AuditLogger = (*AuditLog)(nil)

// NewAuditLog returns the audit logger of this storage. It holds no state:
// every entry is written through the transaction it is given.
func NewAuditLog() *AuditLog { return &AuditLog{} }

// Record inserts e, its metadata as JSON, in tx, which must be the *Tx a
// Requests.Create handed out; any other Tx is a KindInternal error.
func (*AuditLog) Record(ctx context.Context, tx ports.Tx, e audit.Entry) error {
	g, err := txOf(tx)
	if err != nil {
		return err
	}
	row, err := toAuditRow(e)
	if err != nil {
		return unavailable(err)
	}
	if err := g.WithContext(ctx).Create(&row).Error; err != nil {
		return unavailable(fmt.Errorf("insert audit entry %s: %w", e.ID, err))
	}
	return nil
}
