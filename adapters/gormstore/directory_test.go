package gormstore_test

import (
	"context"
	"testing"

	"github.com/google/uuid"

	"supportdesk/adapters/gormstore"
	"supportdesk/core/access"
	"supportdesk/ports"
	"supportdesk/test/testdb"
)

func TestDirectoryTenants(t *testing.T) {
	for _, e := range testdb.Engines() {
		t.Run(e.Name, func(t *testing.T) {
			db := e.Open(t)
			dir := gormstore.NewDirectory(db)
			ctx := context.Background()

			workspace := func(name string) string {
				id := uuid.NewString()
				testdb.Exec(t, db, `INSERT INTO workspaces (id, name) VALUES (?, ?)`, id, name)
				return id
			}
			tenant := func(ws, name, status string) string {
				id := uuid.NewString()
				testdb.Exec(t, db, `INSERT INTO tenants (id, workspace_id, name, external_id, status) VALUES (?, ?, ?, ?, ?)`,
					id, ws, name, name+".example", status)
				return id
			}
			joinWorkspace := func(ws, user string) {
				testdb.Exec(t, db, `INSERT INTO workspace_memberships (workspace_id, user_id, role) VALUES (?, ?, 'member')`, ws, user)
			}
			joinTenant := func(tn, user string, role access.Role) {
				testdb.Exec(t, db, `INSERT INTO tenant_memberships (tenant_id, user_id, role) VALUES (?, ?, ?)`, tn, user, string(role))
			}

			user, other := addUser(t, db, "Olivia"), addUser(t, db, "Someone else")
			zeta, alpha := workspace("Zeta MSP"), workspace("Alpha MSP")
			joinWorkspace(zeta, user)
			joinWorkspace(alpha, user)
			joinWorkspace(alpha, other)

			zetaTenant := tenant(zeta, "Contoso", "active")
			alphaB := tenant(alpha, "Bravo", "suspended")
			alphaA := tenant(alpha, "Able", "active")
			joinTenant(zetaTenant, user, access.RoleReadonly)
			joinTenant(alphaB, user, access.RoleOwner)
			joinTenant(alphaA, user, access.RoleOperator)
			// Not listed: another user's tenant, a tenant of the user's
			// workspace without a tenant membership, and a tenant membership
			// in a workspace the user does not belong to.
			joinTenant(tenant(alpha, "Other's", "active"), other, access.RoleOwner)
			tenant(alpha, "No membership", "active")
			foreign := workspace("Foreign MSP")
			joinTenant(tenant(foreign, "Outside", "active"), user, access.RoleOwner)

			got, err := dir.Tenants(ctx, user)
			if err != nil {
				t.Fatalf("Tenants: %v", err)
			}
			want := []ports.TenantListing{
				{ID: alphaA, Name: "Able", Status: "active", WorkspaceID: alpha, WorkspaceName: "Alpha MSP", Role: access.RoleOperator},
				{ID: alphaB, Name: "Bravo", Status: "suspended", WorkspaceID: alpha, WorkspaceName: "Alpha MSP", Role: access.RoleOwner},
				{ID: zetaTenant, Name: "Contoso", Status: "active", WorkspaceID: zeta, WorkspaceName: "Zeta MSP", Role: access.RoleReadonly},
			}
			if len(got) != len(want) {
				t.Fatalf("Tenants = %+v, want %+v", got, want)
			}
			for i := range want {
				if got[i] != want[i] {
					t.Errorf("Tenants[%d] = %+v, want %+v", i, got[i], want[i])
				}
			}

			none, err := dir.Tenants(ctx, addUser(t, db, "Newcomer"))
			if err != nil || len(none) != 0 {
				t.Errorf("Tenants of a user without memberships = %v, %v; want none", none, err)
			}
		})
	}
}
