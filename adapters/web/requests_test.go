package web_test

import (
	"context"
	"net/http"
	"net/url"
	"regexp"
	"strings"
	"testing"
	"time"

	"supportdesk/adapters/gormstore"
	"supportdesk/adapters/web"
	"supportdesk/core/credential"
	"supportdesk/ports"
)

// agentToken adds a support agent over all workspaces to s and returns
// its API token.
func (s *site) agentToken(t *testing.T, name, email string) string {
	t.Helper()
	ctx := context.Background()
	err := gormstore.NewAgents(s.db).Add(ctx, ports.Agent{UserID: "7a000000-0000-4000-8000-0000000000a1", Name: name, Email: email, CreatedAt: time.Now()})
	if err != nil {
		t.Fatal(err)
	}
	token := credential.NewToken()
	if _, err := gormstore.NewUsers(s.db).IssueToken(ctx, email, credential.Hash(token)); err != nil {
		t.Fatal(err)
	}
	return token
}

// TestOwnRequestsAndTheSupportDesk: an operator sends a request and finds
// it under Your support requests, not viewed; an agent opens it on the
// support desk; the operator then sees who viewed it. Nobody else sees
// either page.
func TestOwnRequestsAndTheSupportDesk(t *testing.T) {
	s := newSite(t, web.Deps{})
	agentTok := s.agentToken(t, "Sam Support", "sam@support.test")
	op := s.browser(t)
	op.signIn(operatorToken)
	form := url.Values{"severity": {"high"}, "summary": {"Sync fails every night"}}
	sent := op.post("/tenants/"+fabrikam+"/support", "/tenants/"+fabrikam+"/support", form)
	if sent.StatusCode != http.StatusSeeOther && sent.StatusCode != http.StatusOK {
		t.Fatalf("submit: %d", sent.StatusCode)
	}
	list := op.get("/requests")
	wantStatus(t, list, http.StatusOK)
	ref := regexp.MustCompile(`SR-[0-9A-Z]{26}`).FindString(list.body)
	if ref == "" || !strings.Contains(list.body, "Sync fails every night") {
		t.Fatalf("Your support requests does not list the request:\n%s", list.body)
	}
	page := op.get("/requests/" + ref)
	wantStatus(t, page, http.StatusOK)
	if !strings.Contains(page.body, "Not viewed yet.") || !strings.Contains(page.body, "Sections attached</dt><dd>Workspace, Tenant, Provider connection") {
		t.Errorf("request page before any view:\n%s", page.body)
	}

	// Another user, and the agent, get the 404 of an unknown request.
	owner := s.browser(t)
	owner.signIn(ownerToken)
	unknown := owner.get("/requests/SR-01J9Z8K3M4N5P6Q7R8S9T0V1W2")
	for _, r := range []response{owner.get("/requests/" + ref), owner.get("/support"), owner.get("/support/requests/" + ref)} {
		wantStatus(t, r, http.StatusNotFound)
		if r.body != unknown.body {
			t.Errorf("a 404 differs from the unknown request's")
		}
	}

	agent := s.browser(t)
	agent.signIn(agentTok)
	if r := agent.get("/"); r.Header.Get("Location") != "/support" {
		t.Errorf("an agent's home is the support desk, got %d %q", r.StatusCode, r.Header.Get("Location"))
	}
	desk := agent.get("/support?severity=high")
	wantStatus(t, desk, http.StatusOK)
	if !strings.Contains(desk.body, ref) {
		t.Errorf("desk list lacks %s", ref)
	}
	if r := agent.get("/support?severity=low"); strings.Contains(r.body, ref) {
		t.Errorf("the severity filter kept %s", ref)
	}
	views := countRows(t, s.db, `SELECT count(*) FROM audit_entries WHERE action = 'support_request.viewed'`)
	if views != 0 {
		t.Errorf("lists wrote %d viewed entries", views)
	}
	detail := agent.get("/support/requests/" + ref)
	wantStatus(t, detail, http.StatusOK)
	for _, want := range []string{"Sync fails every night", "Context envelope (raw)", "Deliveries", "support-request-context/v2",
		`id="section-tenant"`, `id="section-provider_connection"`, `id="section-recent_operation_runs"`,
		`id="section-findings"`, `id="section-diagnostics"`} {
		if !strings.Contains(detail.body, want) {
			t.Errorf("desk detail lacks %q", want)
		}
	}
	if strings.Contains(detail.body, clientSecret) {
		t.Error("desk detail shows the provider secret")
	}
	if n := countRows(t, s.db, `SELECT count(*) FROM audit_entries WHERE action = 'support_request.viewed' AND metadata LIKE '%"web"%'`); n != 1 {
		t.Errorf("want one web viewed entry, got %d", n)
	}
	after := op.get("/requests/" + ref)
	if !strings.Contains(after.body, "<strong>Sam Support</strong> viewed it") || strings.Contains(after.body, "Not viewed yet.") {
		t.Errorf("request page after the agent's view:\n%s", after.body)
	}
	if r := agent.get("/requests/" + ref); r.StatusCode != http.StatusNotFound {
		t.Errorf("the agent on the requester's page: %d", r.StatusCode)
	}
}
