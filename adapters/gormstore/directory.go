package gormstore

import (
	"context"
	"fmt"

	"supportdesk/core/access"
	"supportdesk/ports"
)

// Directory implements ports.Directory: what a user may browse.
type Directory struct{ db *DB }

var _ ports.Directory = (*Directory)(nil)

// NewDirectory returns the directory over db.
func NewDirectory(db *DB) *Directory { return &Directory{db: db} }

// listingRow is a tenant joined with its workspace and the user's tenant role.
type listingRow struct {
	ID            string
	Name          string
	Status        string
	WorkspaceID   string
	WorkspaceName string
	Role          string
}

func toCoreListing(row listingRow) ports.TenantListing {
	return ports.TenantListing{
		ID: row.ID, Name: row.Name, Status: row.Status,
		WorkspaceID: row.WorkspaceID, WorkspaceName: row.WorkspaceName, Role: access.Role(row.Role),
	}
}

// Tenants implements ports.Directory. Both memberships are required, as
// in SPEC §3: a tenant membership without the workspace's grants nothing.
func (d *Directory) Tenants(ctx context.Context, userID string) ([]ports.TenantListing, error) {
	var rows []listingRow
	err := d.db.gorm.WithContext(ctx).Raw(`
		SELECT t.id, t.name, t.status, t.workspace_id, w.name AS workspace_name, tm.role
		FROM tenant_memberships tm
		JOIN tenants t ON t.id = tm.tenant_id
		JOIN workspaces w ON w.id = t.workspace_id
		JOIN workspace_memberships wm ON wm.workspace_id = t.workspace_id AND wm.user_id = tm.user_id
		WHERE tm.user_id = ?
		ORDER BY w.name, w.id, t.name, t.id`, userID).Scan(&rows).Error
	if err != nil {
		return nil, unavailable(fmt.Errorf("list tenants of user: %w", err))
	}
	return toCore(rows, toCoreListing), nil
}
