package gormstore

import (
	"context"
	"database/sql"
	"errors"
	"fmt"

	"supportdesk/core"
	"supportdesk/core/access"
	"supportdesk/ports"
)

// Grants reads a user's memberships for a tenant or an operation run, each
// in one query.
type Grants struct{ db *DB }

var _ ports.CapabilityMap = (*Grants)(nil)

// NewGrants returns the capability map over db.
func NewGrants(db *DB) *Grants { return &Grants{db: db} }

// The tenant joined with the user's two memberships; a missing membership
// leaves its role NULL. Served by the primary keys of all three tables.
const (
	tenantGrantSQL = `SELECT '' AS run_id, t.id AS tenant_id, t.workspace_id, wm.role AS workspace_role, tm.role AS tenant_role
FROM tenants t
LEFT JOIN workspace_memberships wm ON wm.workspace_id = t.workspace_id AND wm.user_id = ?
LEFT JOIN tenant_memberships tm ON tm.tenant_id = t.id AND tm.user_id = ?
WHERE t.id = ?`

	runGrantSQL = `SELECT r.id AS run_id, t.id AS tenant_id, t.workspace_id, wm.role AS workspace_role, tm.role AS tenant_role
FROM operation_runs r
JOIN tenants t ON t.id = r.tenant_id
LEFT JOIN workspace_memberships wm ON wm.workspace_id = t.workspace_id AND wm.user_id = ?
LEFT JOIN tenant_memberships tm ON tm.tenant_id = t.id AND tm.user_id = ?
WHERE r.id = ?`
)

// TenantGrant implements ports.CapabilityMap. Exists is false when the
// tenant does not exist. An id that is not a UUID matches nothing, so its
// grant holds nothing.
func (g *Grants) TenantGrant(ctx context.Context, userID, tenantID string) (access.Grant, error) {
	if !core.IsUUID(userID) || !core.IsUUID(tenantID) {
		return access.Grant{}, nil
	}
	grant, err := g.grant(ctx, tenantGrantSQL, userID, tenantID)
	if err != nil {
		return access.Grant{}, toCoreError(fmt.Errorf("read tenant grant: %w", err))
	}
	return grant, nil
}

// RunGrant implements ports.CapabilityMap: the grant on the run's tenant,
// with RunID set. Exists is false when the run does not exist.
func (g *Grants) RunGrant(ctx context.Context, userID, runID string) (access.Grant, error) {
	if !core.IsUUID(userID) || !core.IsUUID(runID) {
		return access.Grant{}, nil
	}
	grant, err := g.grant(ctx, runGrantSQL, userID, runID)
	if err != nil {
		return access.Grant{}, toCoreError(fmt.Errorf("read operation run grant: %w", err))
	}
	return grant, nil
}

func (g *Grants) grant(ctx context.Context, query, userID, targetID string) (access.Grant, error) {
	var row grantRow
	err := g.db.queryRow(ctx, query, userID, userID, targetID).Scan(&row.RunID, &row.TenantID, &row.WorkspaceID, &row.WorkspaceRole, &row.TenantRole)
	switch {
	case errors.Is(err, sql.ErrNoRows):
		return access.Grant{}, nil
	case err != nil:
		return access.Grant{}, err
	}
	return toCoreGrant(row), nil
}
