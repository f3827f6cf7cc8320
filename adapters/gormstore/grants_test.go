package gormstore_test

import (
	"context"
	"testing"
	"time"

	"github.com/google/uuid"

	"supportdesk/adapters/gormstore"
	"supportdesk/core/access"
	"supportdesk/test/testdb"
)

func TestGrants(t *testing.T) {
	for _, e := range testdb.Engines() {
		t.Run(e.Name, func(t *testing.T) {
			db := e.Open(t)
			s := newSeeder(t, db)
			grants := gormstore.NewGrants(db)
			ctx := context.Background()

			ws := s.workspace()
			t1, t2 := s.tenant(ws), s.tenant(ws)
			full, wsOnly, tenantOnly, stranger, otherTenant := s.user(), s.user(), s.user(), s.user(), s.user()
			s.workspaceMember(ws, full, "manager")
			s.tenantMember(t1, full, "operator")
			s.workspaceMember(ws, wsOnly, "member")
			s.tenantMember(t1, tenantOnly, "owner")
			s.workspaceMember(ws, otherTenant, "owner")
			s.tenantMember(t2, otherTenant, "owner")
			runID := uuid.NewString()
			s.run(run{ID: runID, TenantID: t1, Type: "policy_sync", Status: "running", StartedAt: time.Now()})

			tenantCases := []struct {
				name, user, tenant string
				want               access.Grant
			}{
				{"both memberships", full, t1, access.Grant{Exists: true, WorkspaceID: ws, TenantID: t1,
					WorkspaceRole: access.WorkspaceManager, TenantRole: access.RoleOperator}},
				{"workspace membership only", wsOnly, t1, access.Grant{Exists: true, WorkspaceID: ws, TenantID: t1,
					WorkspaceRole: access.WorkspaceMember}},
				{"tenant membership only", tenantOnly, t1, access.Grant{Exists: true, WorkspaceID: ws, TenantID: t1,
					TenantRole: access.RoleOwner}},
				{"no membership", stranger, t1, access.Grant{Exists: true, WorkspaceID: ws, TenantID: t1}},
				{"membership of another tenant does not count", otherTenant, t1, access.Grant{Exists: true, WorkspaceID: ws, TenantID: t1,
					WorkspaceRole: access.WorkspaceOwner}},
				{"unknown tenant", full, uuid.NewString(), access.Grant{}},
				{"tenant id that is not a UUID", full, "not-a-uuid", access.Grant{}},
			}
			for _, c := range tenantCases {
				t.Run("tenant/"+c.name, func(t *testing.T) {
					got, err := grants.TenantGrant(ctx, c.user, c.tenant)
					if err != nil {
						t.Fatalf("TenantGrant: %v", err)
					}
					if got != c.want {
						t.Errorf("TenantGrant = %+v\nwant %+v", got, c.want)
					}
				})
			}

			runCases := []struct {
				name, user, run string
				want            access.Grant
			}{
				{"member of the run's tenant", full, runID, access.Grant{Exists: true, WorkspaceID: ws, TenantID: t1, RunID: runID,
					WorkspaceRole: access.WorkspaceManager, TenantRole: access.RoleOperator}},
				{"no membership", stranger, runID, access.Grant{Exists: true, WorkspaceID: ws, TenantID: t1, RunID: runID}},
				{"member of another tenant", otherTenant, runID, access.Grant{Exists: true, WorkspaceID: ws, TenantID: t1, RunID: runID,
					WorkspaceRole: access.WorkspaceOwner}},
				{"unknown run", full, uuid.NewString(), access.Grant{}},
				{"a tenant id is not a run id", full, t1, access.Grant{}},
				{"run id that is not a UUID", full, "42", access.Grant{}},
			}
			for _, c := range runCases {
				t.Run("run/"+c.name, func(t *testing.T) {
					got, err := grants.RunGrant(ctx, c.user, c.run)
					if err != nil {
						t.Fatalf("RunGrant: %v", err)
					}
					if got != c.want {
						t.Errorf("RunGrant = %+v\nwant %+v", got, c.want)
					}
				})
			}
		})
	}
}
