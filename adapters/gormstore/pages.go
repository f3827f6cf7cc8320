package gormstore

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"

	"gorm.io/gorm"

	"supportdesk/core"
	"supportdesk/core/audit"
	"supportdesk/core/reference"
	"supportdesk/core/support"
	"supportdesk/ports"
)

// Pages reads requests a page at a time for the support desk and the
// requester's list, and whole requests with the audit entry of their
// reading.
type Pages struct{ db *DB }

var _ ports.RequestPages = (*Pages)(nil)

// NewPages returns the page reader over db.
func NewPages(db *DB) *Pages { return &Pages{db: db} }

// pageColumns leave the envelope out: a list shows none.
const pageColumns = `reference, workspace_id, tenant_id, context_type, context_id, severity, summary,
reproduction_notes, contact_name, contact_email, created_by, created_at, attachment_mode, context_digest`

// Page implements ports.RequestPages. The position is a row-value
// comparison on (created_at, reference), which both engines serve from
// the (…, created_at DESC, reference DESC) indexes: a page costs the same
// however deep it is.
func (p *Pages) Page(ctx context.Context, q ports.PageQuery) ([]*support.Request, error) {
	if q.CreatedBy != "" && !core.IsUUID(q.CreatedBy) {
		return []*support.Request{}, nil
	}
	var rows []requestRow
	if err := pageQuery(p.db.gorm.WithContext(ctx), q).Find(&rows).Error; err != nil {
		return nil, toCoreError(fmt.Errorf("read a page of support requests: %w", err))
	}
	return toCore(rows, toCoreRequest), nil
}

// pageQuery is the statement of one page.
func pageQuery(db *gorm.DB, q ports.PageQuery) *gorm.DB {
	db = db.Model(&requestRow{}).Select(pageColumns)
	f := q.Filter
	if f.WorkspaceID != "" {
		db = db.Where("workspace_id = ?", f.WorkspaceID)
	}
	if q.Workspaces != nil {
		db = db.Where("workspace_id IN ?", q.Workspaces)
	}
	if f.TenantID != "" {
		db = db.Where("tenant_id = ?", f.TenantID)
	}
	if f.Severity != "" {
		db = db.Where("severity = ?", string(f.Severity))
	}
	if !f.Since.IsZero() {
		db = db.Where("created_at >= ?", utc(f.Since))
	}
	if q.CreatedBy != "" {
		db = db.Where("created_by = ?", q.CreatedBy)
	}
	if q.After != nil {
		db = db.Where("(created_at, reference) < (?, ?)", utc(q.After.CreatedAt), q.After.Reference.String())
	}
	return db.Order("created_at DESC, reference DESC").Limit(q.Limit)
}

// ReadAudited implements ports.RequestPages in one transaction: the read
// and the audit entry commit together or not at all.
func (p *Pages) ReadAudited(ctx context.Context, ref reference.Reference, workspaces []string,
	entry func(*support.Request) audit.Entry) (*support.Request, error) {
	var req *support.Request
	err := p.db.gorm.WithContext(ctx).Transaction(func(tx *gorm.DB) error {
		q := tx.Where("reference = ?", ref.String())
		if workspaces != nil {
			q = q.Where("workspace_id IN ?", workspaces)
		}
		var row requestRow
		if err := q.Take(&row).Error; err != nil {
			if errors.Is(err, gorm.ErrRecordNotFound) {
				return support.ErrNotFound
			}
			return fmt.Errorf("read support request: %w", err)
		}
		req = toCoreRequest(row)
		a, err := toAuditRow(entry(req))
		if err != nil {
			return err
		}
		if err := tx.Create(&a).Error; err != nil {
			return fmt.Errorf("insert viewed entry: %w", err)
		}
		return nil
	})
	if err != nil {
		return nil, toCoreError(fmt.Errorf("read support request %s for support: %w", ref, err))
	}
	return req, nil
}

type viewingRow struct {
	ActorID    string
	Name       string
	Metadata   string
	OccurredAt dbTime
}

// Viewings implements ports.RequestPages from the request's viewed
// entries, which a partial index serves.
func (p *Pages) Viewings(ctx context.Context, ref reference.Reference) ([]ports.Viewing, error) {
	var rows []viewingRow
	err := p.db.gorm.WithContext(ctx).Raw(`SELECT a.actor_id, u.name, a.metadata, a.occurred_at
		FROM audit_entries a JOIN users u ON u.id = a.actor_id
		WHERE a.subject_id = ? AND a.action = ?
		ORDER BY a.occurred_at, a.id`, ref.String(), audit.ActionSupportRequestViewed).Scan(&rows).Error
	if err != nil {
		return nil, toCoreError(fmt.Errorf("read viewings of %s: %w", ref, err))
	}
	out := make([]ports.Viewing, len(rows))
	for i, r := range rows {
		var meta struct {
			Channel string `json:"channel"`
		}
		_ = json.Unmarshal([]byte(r.Metadata), &meta)
		out[i] = ports.Viewing{AgentID: r.ActorID, AgentName: r.Name, At: r.OccurredAt.Time, Channel: support.Channel(meta.Channel)}
	}
	return out, nil
}
