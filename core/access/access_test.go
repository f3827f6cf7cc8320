package access

import (
	"fmt"
	"testing"
)

func TestCapabilitiesOfMatchesSpecTable(t *testing.T) {
	want := map[Role][]Capability{
		RoleOwner:    {TenantView, OperationsView, SupportRequestsCreate, SupportDiagnosticsView},
		RoleManager:  {TenantView, OperationsView, SupportRequestsCreate, SupportDiagnosticsView},
		RoleOperator: {TenantView, OperationsView, SupportRequestsCreate},
		RoleReadonly: {TenantView, OperationsView},
		"":           nil,
		"admin":      nil,
	}
	for role, caps := range want {
		if got := CapabilitiesOf(role).List(); fmt.Sprint(got) != fmt.Sprint(caps) {
			t.Errorf("CapabilitiesOf(%q) = %v, want %v", role, got, caps)
		}
	}
}

func TestDecide(t *testing.T) {
	member := func(role Role) Grant {
		return Grant{Exists: true, WorkspaceID: "w", TenantID: "t", WorkspaceRole: WorkspaceMember, TenantRole: role}
	}
	noWorkspace := member(RoleOwner)
	noWorkspace.WorkspaceRole = ""
	noTenant := member("")
	cases := []struct {
		name   string
		g      Grant
		need   Capability
		tenant Outcome
		run    Outcome
	}{
		{"missing target", Grant{}, SupportRequestsCreate, NotFound, NotFound},
		{"no workspace membership", noWorkspace, TenantView, NotFound, NotFound},
		{"no tenant membership", noTenant, TenantView, NotFound, NotFound},
		{"owner creates", member(RoleOwner), SupportRequestsCreate, Allow, Allow},
		{"manager reads diagnostics", member(RoleManager), SupportDiagnosticsView, Allow, Allow},
		{"operator creates", member(RoleOperator), SupportRequestsCreate, Allow, Allow},
		{"operator reads diagnostics", member(RoleOperator), SupportDiagnosticsView, Forbidden, Forbidden},
		{"readonly creates", member(RoleReadonly), SupportRequestsCreate, Forbidden, Forbidden},
		{"readonly views", member(RoleReadonly), OperationsView, Allow, Allow},
		{"unknown role", member("admin"), TenantView, NotFound, NotFound},
	}
	for _, c := range cases {
		if got := DecideTenant(c.g, c.need); got != c.tenant {
			t.Errorf("%s: DecideTenant = %v, want %v", c.name, got, c.tenant)
		}
		if got := DecideRun(c.g, c.need); got != c.run {
			t.Errorf("%s: DecideRun = %v, want %v", c.name, got, c.run)
		}
	}
}

func TestRoleValidity(t *testing.T) {
	for _, r := range Roles {
		if !r.Valid() {
			t.Errorf("%q should be valid", r)
		}
	}
	for _, r := range []Role{"", "Owner", "member", "admin"} {
		if r.Valid() {
			t.Errorf("%q should be invalid", r)
		}
	}
	if WorkspaceRole("operator").Valid() || !WorkspaceMember.Valid() {
		t.Error("workspace roles are owner, manager, member")
	}
}

// Every role of docs/overview.md holds operations.view, so the run rule's own
// clause — a user who may see the tenant but not its runs gets 404 for a
// run, not 403 — shows only with a role that grants tenant.view alone.
// The test adds such a role to the table for its duration.
func TestDecideRunNeedsOperationsView(t *testing.T) {
	const tenantOnly Role = "tenant_viewer"
	grants[tenantOnly] = NewSet(TenantView, SupportRequestsCreate)
	defer delete(grants, tenantOnly)
	g := Grant{Exists: true, WorkspaceID: "w", TenantID: "t", RunID: "r", WorkspaceRole: WorkspaceMember, TenantRole: tenantOnly}
	if got := DecideTenant(g, SupportRequestsCreate); got != Allow {
		t.Fatalf("DecideTenant = %v, want allow: the role may see the tenant", got)
	}
	for _, need := range []Capability{TenantView, OperationsView, SupportRequestsCreate, SupportDiagnosticsView} {
		if got := DecideRun(g, need); got != NotFound {
			t.Errorf("DecideRun(%s) without operations.view = %v, want not_found", need, got)
		}
	}
}
