// Package access holds the capability rules (docs/overview.md#who-may-do-what) and the single
// authorization decision (docs/overview.md#who-may-do-what) that every entry point applies.
package access

import "supportdesk/core/text"

// Role is a user's role in one tenant (its TenantMembership).
type Role string

// Tenant roles.
const (
	RoleOwner    Role = "owner"
	RoleManager  Role = "manager"
	RoleOperator Role = "operator"
	RoleReadonly Role = "readonly"
)

// Roles lists every tenant role, most powerful first.
var Roles = []Role{RoleOwner, RoleManager, RoleOperator, RoleReadonly}

// Valid reports whether r is a known tenant role.
func (r Role) Valid() bool { return text.OneOf(r, Roles) }

// WorkspaceRole is a user's role in a workspace. Any role satisfies the
// workspace-membership requirement; none grants a tenant capability.
type WorkspaceRole string

// Workspace roles.
const (
	WorkspaceOwner   WorkspaceRole = "owner"
	WorkspaceManager WorkspaceRole = "manager"
	WorkspaceMember  WorkspaceRole = "member"
)

// WorkspaceRoles lists every workspace role, most powerful first.
var WorkspaceRoles = []WorkspaceRole{WorkspaceOwner, WorkspaceManager, WorkspaceMember}

// Valid reports whether r is a known workspace role.
func (r WorkspaceRole) Valid() bool { return text.OneOf(r, WorkspaceRoles) }

// Capability names one thing a user may do on a tenant.
type Capability string

// The capabilities a tenant role can grant.
const (
	TenantView             Capability = "tenant.view"
	OperationsView         Capability = "operations.view"
	SupportRequestsCreate  Capability = "support_requests.create"
	SupportDiagnosticsView Capability = "support_diagnostics.view"
)

// Set is a set of capabilities.
type Set struct{ bits uint8 }

var capabilityBit = map[Capability]uint8{
	TenantView:             1 << 0,
	OperationsView:         1 << 1,
	SupportRequestsCreate:  1 << 2,
	SupportDiagnosticsView: 1 << 3,
}

// NewSet returns the set holding caps.
func NewSet(caps ...Capability) Set {
	var s Set
	for _, c := range caps {
		s.bits |= capabilityBit[c]
	}
	return s
}

// Has reports whether c is in the set.
func (s Set) Has(c Capability) bool {
	b, ok := capabilityBit[c]
	return ok && s.bits&b != 0
}

// List returns the capabilities in the set in the order of the capability table.
func (s Set) List() []Capability {
	var out []Capability
	for _, c := range []Capability{TenantView, OperationsView, SupportRequestsCreate, SupportDiagnosticsView} {
		if s.Has(c) {
			out = append(out, c)
		}
	}
	return out
}

// grants is the capability table: what each tenant role grants.
var grants = map[Role]Set{
	RoleOwner:    NewSet(TenantView, OperationsView, SupportRequestsCreate, SupportDiagnosticsView),
	RoleManager:  NewSet(TenantView, OperationsView, SupportRequestsCreate, SupportDiagnosticsView),
	RoleOperator: NewSet(TenantView, OperationsView, SupportRequestsCreate),
	RoleReadonly: NewSet(TenantView, OperationsView),
}

// CapabilitiesOf returns what role r grants (docs/overview.md#who-may-do-what). An unknown or empty
// role grants nothing.
func CapabilitiesOf(r Role) Set { return grants[r] }

// Grant is what storage knows about one user and one tenant (or one run):
// whether the target exists and which memberships the user holds.
type Grant struct {
	// Exists is false when the tenant (or run) does not exist; the other
	// fields are then empty.
	Exists      bool
	WorkspaceID string
	TenantID    string
	// RunID is set when the grant was looked up for an operation run.
	RunID string
	// WorkspaceRole is empty when the user is not a member of the tenant's workspace.
	WorkspaceRole WorkspaceRole
	// TenantRole is empty when the user has no membership in the tenant.
	TenantRole Role
}

// Capabilities returns what the user may do on the grant's tenant: nothing
// without workspace membership, else what the tenant role grants.
func (g Grant) Capabilities() Set {
	if !g.Exists || g.WorkspaceRole == "" {
		return Set{}
	}
	return CapabilitiesOf(g.TenantRole)
}

// Outcome is the result of an authorization decision.
type Outcome int

// Outcomes, in the order the rule checks them.
const (
	Allow Outcome = iota
	// NotFound: the target does not exist or the user may not know that it
	// does. Callers must answer exactly as for a target that does not exist.
	NotFound
	// Forbidden: the user sees the target but lacks the capability.
	Forbidden
)

func (o Outcome) String() string {
	switch o {
	case Allow:
		return "allow"
	case NotFound:
		return "not_found"
	case Forbidden:
		return "forbidden"
	}
	return "unknown"
}

// DecideTenant applies the authorization rule to an action on a tenant that needs capability need.
func DecideTenant(g Grant, need Capability) Outcome {
	caps := g.Capabilities()
	if !g.Exists || g.WorkspaceRole == "" || g.TenantRole == "" || !caps.Has(TenantView) {
		return NotFound
	}
	if !caps.Has(need) {
		return Forbidden
	}
	return Allow
}

// DecideRun applies the authorization rule to an action on an operation run: the run must
// exist, its tenant must pass the tenant rule and the user must hold
// operations.view, otherwise NotFound; then a missing need is Forbidden.
func DecideRun(g Grant, need Capability) Outcome {
	if DecideTenant(g, TenantView) != Allow || !g.Capabilities().Has(OperationsView) {
		return NotFound
	}
	if !g.Capabilities().Has(need) {
		return Forbidden
	}
	return Allow
}
