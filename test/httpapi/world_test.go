package httpapi_test

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"testing"
	"time"

	"supportdesk/adapters/gormstore"
	"supportdesk/adapters/system"
	"supportdesk/core/platform"
)

// world builds the records a test needs as one fixture file, imported in
// one transaction. Every id is fresh, so tests sharing a database never
// see each other's rows.
type world struct {
	platform.Records
	ids  *system.IDs
	tick time.Time
}

func newWorld() *world {
	return &world{ids: system.NewIDs(), tick: time.Date(2025, 6, 1, 8, 0, 0, 0, time.UTC)}
}

// at returns a new timestamp, each one second after the last, so that
// "newest first" has one answer.
func (w *world) at() time.Time {
	w.tick = w.tick.Add(time.Second)
	return w.tick
}

func (w *world) workspace(name string) string {
	id := w.ids.NewID()
	w.Workspaces = append(w.Workspaces, platform.Workspace{ID: id, Name: name})
	return id
}

// user adds a user with one API token and returns both.
func (w *world) user(name string) (id, token string) {
	id = w.ids.NewID()
	token = "tok-" + randomHex(16)
	w.Users = append(w.Users, platform.User{ID: id, Name: name, Email: id + "@example.test", Tokens: []string{token}})
	return id, token
}

func (w *world) workspaceMember(workspaceID, userID, role string) {
	w.WorkspaceMemberships = append(w.WorkspaceMemberships, platform.WorkspaceMembership{WorkspaceID: workspaceID, UserID: userID, Role: role})
}

func (w *world) tenant(workspaceID, name string) string {
	id := w.ids.NewID()
	w.Tenants = append(w.Tenants, platform.Tenant{ID: id, WorkspaceID: workspaceID, Name: name, ExternalID: "ext-" + name, Status: "active"})
	return id
}

func (w *world) tenantMember(tenantID, userID, role string) {
	w.TenantMemberships = append(w.TenantMemberships, platform.TenantMembership{TenantID: tenantID, UserID: userID, Role: role})
}

// failedRun adds a completed, failed run of tenantID.
func (w *world) failedRun(tenantID, message string) string {
	id := w.ids.NewID()
	start := w.at()
	done := start.Add(time.Minute)
	w.OperationRuns = append(w.OperationRuns, platform.OperationRun{
		ID: id, TenantID: tenantID, Type: "policy_sync", Status: "completed", Outcome: "failed",
		StartedAt: start, CompletedAt: &done, FailureCode: "graph_throttled", FailureMessage: message,
	})
	return id
}

// load imports the world into db.
func (w *world) load(t testing.TB, db *gormstore.DB) {
	t.Helper()
	if _, err := gormstore.NewRecords(db).Import(context.Background(), &w.Records); err != nil {
		t.Fatalf("import test world: %v", err)
	}
}

func randomHex(n int) string {
	b := make([]byte, n)
	_, _ = rand.Read(b)
	return hex.EncodeToString(b)
}

// member is one user of a tenant with the token to act as them.
type member struct {
	id, token string
}

// basic is a workspace with one tenant and one failed run, and a user for
// every tenant role, each a plain member of the workspace.
type basic struct {
	workspace, tenant, run string
	roles                  map[string]member
}

func newBasic(w *world) basic {
	b := basic{roles: map[string]member{}}
	b.workspace = w.workspace("Contoso MSP")
	b.tenant = w.tenant(b.workspace, "contoso")
	b.run = w.failedRun(b.tenant, "sync failed after 3 retries")
	for _, role := range []string{"owner", "manager", "operator", "readonly"} {
		id, token := w.user(role)
		w.workspaceMember(b.workspace, id, "member")
		w.tenantMember(b.tenant, id, role)
		b.roles[role] = member{id: id, token: token}
	}
	return b
}
