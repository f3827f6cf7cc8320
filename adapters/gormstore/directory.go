package gormstore

import (
	"context"
	"fmt"
	"slices"

	"supportdesk/core"
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
// the authorization rule says: a tenant membership without the
// workspace's grants nothing.
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
		return nil, toCoreError(fmt.Errorf("list tenants of user: %w", err))
	}
	return toCore(rows, toCoreListing), nil
}

// nameRow is a tenant's or a user's id with its names.
type nameRow struct {
	ID, Name, Second string
}

// Names implements ports.Directory: one query for the tenants, joined with
// their workspaces, one for the users. Ids that are not UUIDs name nothing.
func (d *Directory) Names(ctx context.Context, tenantIDs, userIDs []string) (ports.Names, error) {
	n := ports.Names{Tenants: map[string]ports.TenantName{}, Users: map[string]ports.Actor{}}
	read := func(query string, ids []string, put func(nameRow)) error {
		ids = slices.DeleteFunc(slices.Clone(ids), func(id string) bool { return !core.IsUUID(id) })
		if len(ids) == 0 {
			return nil
		}
		var rows []nameRow
		if err := d.db.gorm.WithContext(ctx).Raw(query, ids).Scan(&rows).Error; err != nil {
			return toCoreError(fmt.Errorf("read names: %w", err))
		}
		for _, r := range rows {
			put(r)
		}
		return nil
	}
	err := read(`SELECT t.id, t.name, w.name AS second FROM tenants t JOIN workspaces w ON w.id = t.workspace_id WHERE t.id IN ?`,
		tenantIDs, func(r nameRow) { n.Tenants[r.ID] = ports.TenantName{Name: r.Name, WorkspaceName: r.Second} })
	if err != nil {
		return ports.Names{}, err
	}
	err = read(`SELECT id, name, email AS second FROM users WHERE id IN ?`,
		userIDs, func(r nameRow) { n.Users[r.ID] = ports.Actor{ID: r.ID, Name: r.Name, Email: r.Second} })
	if err != nil {
		return ports.Names{}, err
	}
	return n, nil
}
