package web

import (
	"bytes"
	"encoding/json"
	"strings"
	"time"

	"github.com/gofiber/fiber/v2"

	"supportdesk/core"
	"supportdesk/core/reference"
	"supportdesk/core/support"
	"supportdesk/ports"
)

// requestRow is one request in a list page.
type requestRow struct {
	Reference, Severity, Summary, Tenant, Workspace string
	CreatedAt                                       time.Time
}

func rowsOf(p ports.Page) []requestRow {
	out := make([]requestRow, len(p.Requests))
	for i, r := range p.Requests {
		n := p.Names.Tenants[r.TenantID()]
		out[i] = requestRow{
			Reference: r.Reference().String(), Severity: string(r.Details().Severity), Summary: r.Details().Summary,
			Tenant: n.Name, Workspace: n.WorkspaceName, CreatedAt: r.CreatedAt(),
		}
	}
	return out
}

type requestsData struct {
	page
	Rows []requestRow
	// Next is the link to the next page, empty on the last.
	Next string
}

// ownRequests is "Your support requests": the signed-in user's own.
func (s *site) ownRequests(c *fiber.Ctx, sess *session) error {
	p, err := s.requester.OwnRequests(c.UserContext(), sess.actor, strings.Clone(c.Query("cursor")), 0)
	if err != nil {
		return notFoundOnInvalid(err)
	}
	next := ""
	if p.NextCursor != "" {
		next = "/requests?cursor=" + p.NextCursor
	}
	return s.render(c, fiber.StatusOK, "requests", requestsData{page: s.page(sess, "Your support requests"), Rows: rowsOf(p), Next: next})
}

// notFoundOnInvalid: a page link with a cursor no page made names no page.
func notFoundOnInvalid(err error) error {
	if core.KindOf(err) == core.KindInvalid {
		return support.ErrNotFound
	}
	return err
}

// viewingRow is one read by support, for the requester.
type viewingRow struct {
	Agent, Channel string
	At             time.Time
}

type requestData struct {
	page
	Request  requestView
	Viewings []viewingRow
}

// requestView is what a request page shows of the request itself.
type requestView struct {
	Reference, Severity, Summary, Notes, ContactName, ContactEmail string
	Tenant, Workspace, ContextType, ContextID, Mode, Digest        string
	CreatedAt                                                      time.Time
	Sections                                                       []string
	Raw                                                            string
}

// viewOf is what the request pages show of r, and its envelope's sections.
func viewOf(r *support.Request, names ports.Names) (requestView, []sectionView) {
	d := r.Details()
	n := names.Tenants[r.TenantID()]
	v := requestView{
		Reference: r.Reference().String(), Severity: string(d.Severity), Summary: d.Summary, Notes: d.ReproductionNotes,
		ContactName: d.ContactName, ContactEmail: d.ContactEmail, Tenant: n.Name, Workspace: n.WorkspaceName,
		ContextType: string(r.PrimaryContext().Type), ContextID: r.PrimaryContext().ID, Mode: string(r.AttachmentMode()),
		Digest: r.ContextDigest(), CreatedAt: r.CreatedAt(),
	}
	sections := sectionsOf(r.Context())
	for _, s := range sections {
		if s.Gap == "" && s.Key != "primary_context" {
			v.Sections = append(v.Sections, s.Title)
		}
	}
	var pretty bytes.Buffer
	if json.Indent(&pretty, r.Context(), "", "  ") == nil {
		v.Raw = pretty.String()
	}
	return v, sections
}

// ownRequest is one of the user's own requests, with who from support
// viewed it; anyone else's is the 404 of an unknown one.
func (s *site) ownRequest(c *fiber.Ctx, sess *session) error {
	ref, err := reference.Parse(strings.Clone(c.Params("reference")))
	if err != nil {
		return support.ErrNotFound
	}
	rec, err := s.requester.OwnRequest(c.UserContext(), sess.actor, ref)
	if err != nil {
		return err
	}
	view, _ := viewOf(rec.Request, rec.Names)
	data := requestData{page: s.page(sess, "Support request "+ref.String()), Request: view}
	for _, v := range rec.Viewings {
		data.Viewings = append(data.Viewings, viewingRow{Agent: v.AgentName, Channel: string(v.Channel), At: v.At})
	}
	return s.render(c, fiber.StatusOK, "request", data)
}

type deskData struct {
	requestsData
	Filter ports.DeskFilter
	Since  string
	Agent  string
}

// deskList is the support desk's list for agents; anyone else gets the
// 404 of a page that does not exist.
func (s *site) deskList(c *fiber.Ctx, sess *session) error {
	a, err := s.support.DeskAgent(c.UserContext(), sess.actor)
	if err != nil {
		return err
	}
	f := ports.DeskFilter{
		WorkspaceID: strings.TrimSpace(strings.Clone(c.Query("workspace"))),
		TenantID:    strings.TrimSpace(strings.Clone(c.Query("tenant"))),
		Severity:    support.Severity(strings.Clone(c.Query("severity"))),
	}
	since := strings.Clone(c.Query("since"))
	if since != "" {
		t, err := time.Parse("2006-01-02", since)
		if err != nil {
			return support.ErrNotFound
		}
		f.Since = t
	}
	p, err := s.support.DeskRequests(c.UserContext(), sess.actor, f, strings.Clone(c.Query("cursor")), 0)
	if err != nil {
		return notFoundOnInvalid(err)
	}
	data := deskData{requestsData: requestsData{page: s.page(sess, "Support desk"), Rows: rowsOf(p)}, Filter: f, Since: since, Agent: a.Name}
	if p.NextCursor != "" {
		q := c.Request().URI().QueryArgs()
		q.Set("cursor", p.NextCursor)
		data.Next = "/support?" + string(q.QueryString())
	}
	return s.render(c, fiber.StatusOK, "desk", data)
}

type deskRequestData struct {
	page
	Request    requestView
	Sections   []sectionView
	Deliveries []ports.DeliveryStatus
}

// deskRequest is one whole request for an agent: reading it records a
// support_request.viewed entry with channel web.
func (s *site) deskRequest(c *fiber.Ctx, sess *session) error {
	ref, err := reference.Parse(strings.Clone(c.Params("reference")))
	if err != nil {
		return support.ErrNotFound
	}
	rec, err := s.support.DeskRequest(c.UserContext(), sess.actor, ref, support.ChannelWeb)
	if err != nil {
		return err
	}
	view, sections := viewOf(rec.Request, rec.Names)
	return s.render(c, fiber.StatusOK, "desk_request", deskRequestData{
		page: s.page(sess, "Support request "+ref.String()), Request: view, Sections: sections, Deliveries: rec.Deliveries,
	})
}
