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
