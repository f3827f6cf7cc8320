package usecase

import (
	"context"
	"fmt"
	"slices"
	"strings"

	"supportdesk/core"
	"supportdesk/core/audit"
	"supportdesk/core/redact"
	"supportdesk/core/reference"
	"supportdesk/core/support"
	"supportdesk/core/text"
	"supportdesk/ports"
)

var (
	_ ports.Desk      = (*Service)(nil)
	_ ports.Requester = (*Service)(nil)
)

// errNoDesk is the answer to anyone who is not an active agent asking for
// the support desk: the 404 of a path that does not exist.
var errNoDesk = core.Errorf(core.KindNotFound, "not found")

// DeskAgent implements ports.Desk.
func (s *Service) DeskAgent(ctx context.Context, actor ports.Actor) (ports.Agent, error) {
	if s.agents == nil {
		return ports.Agent{}, errNoDesk
	}
	a, err := s.agents.ByUserID(ctx, actor.ID)
	if core.KindOf(err) == core.KindNotFound || (err == nil && !a.Active()) {
		return ports.Agent{}, errNoDesk
	}
	return a, err
}

// DeskRequests implements ports.Desk: the agent's scope bounds the page
// whatever the filter asks, so a workspace outside it is an empty page,
// as a workspace with no requests is.
func (s *Service) DeskRequests(ctx context.Context, actor ports.Actor, f ports.DeskFilter, cursor string, limit int) (ports.Page, error) {
	a, err := s.DeskAgent(ctx, actor)
	if err != nil {
		return ports.Page{}, err
	}
	if err := checkDeskFilter(f); err != nil {
		return ports.Page{}, err
	}
	f.WorkspaceID, f.TenantID = strings.ToLower(f.WorkspaceID), strings.ToLower(f.TenantID)
	return s.page(ctx, ports.PageQuery{Filter: f, Workspaces: a.Workspaces}, cursor, limit)
}

// checkDeskFilter names each filter value that cannot select anything
// because it is not of its kind.
func checkDeskFilter(f ports.DeskFilter) error {
	var fields []core.FieldError
	if f.WorkspaceID != "" && !core.IsUUID(f.WorkspaceID) {
		fields = append(fields, core.FieldError{Field: "workspace", Message: "must be a UUID"})
	}
	if f.TenantID != "" && !core.IsUUID(f.TenantID) {
		fields = append(fields, core.FieldError{Field: "tenant", Message: "must be a UUID"})
	}
	if f.Severity != "" && !f.Severity.Valid() {
		fields = append(fields, core.FieldError{Field: "severity", Message: "must be one of low, normal, high, blocking"})
	}
	if len(fields) > 0 {
		return core.Invalid(fields...)
	}
	return nil
}

// DeskRequest implements ports.Desk: the read and its
// support_request.viewed entry are one transaction.
func (s *Service) DeskRequest(ctx context.Context, actor ports.Actor, ref reference.Reference, ch support.Channel) (ports.DeskRecord, error) {
	a, err := s.DeskAgent(ctx, actor)
	if err != nil {
		return ports.DeskRecord{}, err
	}
	at := s.clock.Now()
	req, err := s.pages.ReadAudited(ctx, ref, a.Workspaces, func(r *support.Request) audit.Entry {
		return audit.Viewed(s.ids.NewID(), r, a.UserID, ch, at)
	})
	if core.KindOf(err) == core.KindNotFound {
		return ports.DeskRecord{}, support.ErrNotFound
	}
	if err != nil {
		return ports.DeskRecord{}, err
	}
	names, err := s.names(ctx, []*support.Request{req})
	if err != nil {
		return ports.DeskRecord{}, err
	}
	rec := ports.DeskRecord{Request: req, Names: names, Deliveries: []ports.DeliveryStatus{}}
	if s.deliveries != nil {
		if rec.Deliveries, err = s.deliveries.ForReference(ctx, ref); err != nil {
			return ports.DeskRecord{}, fmt.Errorf("read deliveries of %s: %w", ref, err)
		}
	}
	return rec, nil
}

// OwnRequests implements ports.Requester.
func (s *Service) OwnRequests(ctx context.Context, actor ports.Actor, cursor string, limit int) (ports.Page, error) {
	return s.page(ctx, ports.PageQuery{CreatedBy: actor.ID}, cursor, limit)
}

// OwnRequest implements ports.Requester: the same one lookup as Get, so
// another user's request is never read.
func (s *Service) OwnRequest(ctx context.Context, actor ports.Actor, ref reference.Reference) (ports.OwnRecord, error) {
	req, err := s.Get(ctx, actor, ref)
	if err != nil {
		return ports.OwnRecord{}, err
	}
	views, err := s.pages.Viewings(ctx, ref)
	if err != nil {
		return ports.OwnRecord{}, err
	}
	for i := range views {
		views[i].AgentName, _ = redact.String(views[i].AgentName)
	}
	names, err := s.names(ctx, []*support.Request{req})
	if err != nil {
		return ports.OwnRecord{}, err
	}
	return ports.OwnRecord{Request: req, Names: names, Viewings: views}, nil
}

// page reads one page of q after cursor: one row more than asked tells
// whether another page follows.
func (s *Service) page(ctx context.Context, q ports.PageQuery, cursor string, limit int) (ports.Page, error) {
	var err error
	if q.Limit, err = pageLimit(limit); err != nil {
		return ports.Page{}, err
	}
	if q.After, err = decodeCursor(cursor); err != nil {
		return ports.Page{}, err
	}
	want := q.Limit
	q.Limit++
	reqs, err := s.pages.Page(ctx, q)
	if err != nil {
		return ports.Page{}, err
	}
	page := ports.Page{Requests: reqs}
	if len(reqs) > want {
		page.Requests = reqs[:want]
		page.NextCursor = encodeCursor(ports.KeyOf(page.Requests[want-1]))
	}
	if page.Names, err = s.names(ctx, page.Requests); err != nil {
		return ports.Page{}, err
	}
	return page, nil
}

// names returns the redacted names of the tenants, workspaces and
// creators of requests, for the pages that show them beside ids.
func (s *Service) names(ctx context.Context, requests []*support.Request) (ports.Names, error) {
	n, err := s.Names(ctx, requests)
	if err != nil {
		return ports.Names{}, err
	}
	for id, t := range n.Tenants {
		t.Name, _ = redact.String(t.Name)
		t.WorkspaceName, _ = redact.String(t.WorkspaceName)
		n.Tenants[id] = t
	}
	for id, u := range n.Users {
		u.Name, _ = redact.String(u.Name)
		u.Email, _ = redact.String(u.Email)
		n.Users[id] = u
	}
	return n, nil
}

var _ ports.AgentAdmin = (*Service)(nil)

// AddAgent implements ports.AgentAdmin: the agent is a new user with no
// membership anywhere, so it holds no tenant capability by construction.
func (s *Service) AddAgent(ctx context.Context, name, email string, workspaces []string) (ports.Agent, error) {
	var fields []core.FieldError
	if strings.TrimSpace(name) == "" {
		fields = append(fields, core.FieldError{Field: "name", Message: "is required"})
	} else if p := text.Check(name, text.Line); p != text.OK {
		fields = append(fields, core.FieldError{Field: "name", Message: p.Message()})
	}
	if !text.IsEmail(email) {
		fields = append(fields, core.FieldError{Field: "email", Message: "must be an email address"})
	}
	ws := make([]string, 0, len(workspaces))
	for _, w := range workspaces {
		w = strings.ToLower(w)
		if !core.IsUUID(w) {
			fields = append(fields, core.FieldError{Field: "workspace", Message: fmt.Sprintf("%q is not a UUID", w)})
			continue
		}
		if !slices.Contains(ws, w) {
			ws = append(ws, w)
		}
	}
	if len(fields) > 0 {
		return ports.Agent{}, core.Invalid(fields...)
	}
	slices.Sort(ws)
	a := ports.Agent{UserID: s.ids.NewID(), Name: name, Email: email, Workspaces: ws, CreatedAt: core.StoredTime(s.clock.Now())}
	if err := s.agents.Add(ctx, a); err != nil {
		return ports.Agent{}, err
	}
	return a, nil
}

// Agents implements ports.AgentAdmin.
func (s *Service) Agents(ctx context.Context) ([]ports.Agent, error) { return s.agents.List(ctx) }

// DisableAgent implements ports.AgentAdmin.
func (s *Service) DisableAgent(ctx context.Context, email string) error {
	return s.agents.Disable(ctx, email, core.StoredTime(s.clock.Now()))
}

// IssueAgentToken implements ports.AgentAdmin.
func (s *Service) IssueAgentToken(ctx context.Context, email string) (string, error) {
	a, err := s.agents.ByEmail(ctx, email)
	if err != nil {
		return "", err
	}
	if !a.Active() {
		return "", core.Errorf(core.KindConflict, "agent %s is disabled", a.Email)
	}
	return s.issueToken(ctx, a.Email)
}
