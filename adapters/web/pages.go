package web

import (
	"bytes"
	"encoding/json"
	"time"

	"github.com/gofiber/fiber/v2"

	"supportdesk/core"
	"supportdesk/core/access"
	"supportdesk/core/envelope"
	"supportdesk/core/reference"
	"supportdesk/core/support"
	"supportdesk/ports"
)

// crumb is one step of a page's breadcrumb trail.
type crumb struct {
	Label, URL string
}

// workspaceGroup is a workspace's tenants on the tenants page.
type workspaceGroup struct {
	Name    string
	Tenants []ports.TenantListing
}

type tenantsData struct {
	page
	Workspaces []workspaceGroup
}

// tenants lists the tenants the user is entitled to, by workspace.
func (s *site) tenants(c *fiber.Ctx, sess *session) error {
	list, err := s.browser.Tenants(c.UserContext(), sess.actor)
	if err != nil {
		return err
	}
	var groups []workspaceGroup
	for _, t := range list {
		if n := len(groups); n == 0 || groups[n-1].Name != t.WorkspaceName {
			groups = append(groups, workspaceGroup{Name: t.WorkspaceName})
		}
		g := &groups[len(groups)-1]
		g.Tenants = append(g.Tenants, t)
	}
	return s.render(c, fiber.StatusOK, "tenants", tenantsData{page: s.page(sess, "Tenants"), Workspaces: groups})
}

// count is one labelled number, such as open findings of one severity.
type count struct {
	Key string
	N   int
}

// counts returns m's values for keys, in that order.
func counts(m map[string]int, keys ...string) []count {
	out := make([]count, len(keys))
	for i, k := range keys {
		out[i] = count{Key: k, N: m[k]}
	}
	return out
}

// created is the notification shown after a request was submitted.
type created struct {
	Reference string
	Mode      string
}

// contextData is the tenant dashboard and the run viewer: the same
// snapshot, seen from the tenant or from one of its runs.
type contextData struct {
	page
	Crumbs     []crumb
	Paths      contextPaths
	Workspace  envelope.Workspace
	Tenant     envelope.Tenant
	Run        *envelope.Run
	Connection *envelope.Connection
	RecentRuns []envelope.Run
	Findings   []envelope.Finding
	// FindingCounts are the open findings per severity, most severe first.
	FindingCounts []count
	OpenFindings  int
	// Reviews are the latest reviews still to be done.
	Reviews      []envelope.Review
	ReviewCounts []count
	Reports      []envelope.Report
	CanRequest   bool
	CanDiagnose  bool
	Created      *created
}

// contextPage renders the tenant dashboard or the run viewer.
func (s *site) contextPage(k contextKind) handler {
	return func(c *fiber.Ctx, sess *session) error {
		target := k.target(c)
		view, err := s.browser.View(c.UserContext(), sess.actor, target)
		if err != nil {
			return err
		}
		snap := view.Snapshot
		if k.typ == support.ContextOperationRun && snap.Run == nil {
			// The use case found the run; a snapshot without it means it is gone.
			return core.Errorf(core.KindNotFound, "operation run not found")
		}
		d := contextData{
			Paths:         k.paths(target.ID),
			Workspace:     snap.Workspace,
			Tenant:        snap.Tenant,
			Run:           snap.Run,
			Connection:    snap.Connection,
			RecentRuns:    snap.RecentRuns,
			Findings:      snap.OpenFindings,
			FindingCounts: counts(snap.OpenFindingsBySeverity, "critical", "high", "medium", "low"),
			ReviewCounts:  counts(snap.OpenReviewsByStatus, "pending", "in_progress"),
			Reports:       snap.Reports,
			CanRequest:    view.Capabilities.Has(access.SupportRequestsCreate),
			CanDiagnose:   view.Capabilities.Has(access.SupportDiagnosticsView),
			Created:       s.justCreated(c, sess, target),
		}
		for _, n := range d.FindingCounts {
			d.OpenFindings += n.N
		}
		for _, r := range snap.Reviews {
			if r.Status != "completed" {
				d.Reviews = append(d.Reviews, r)
			}
		}
		d.Crumbs = []crumb{{Label: "Tenants", URL: "/tenants"}}
		name := "dashboard"
		title := snap.Tenant.Name
		if k.typ == support.ContextOperationRun {
			name = "run"
			title = label(snap.Run.Type) + " run · " + snap.Tenant.Name
			d.Crumbs = append(d.Crumbs, crumb{Label: snap.Tenant.Name, URL: tenantContext.paths(snap.Tenant.ID).View})
		}
		d.page = s.page(sess, title)
		return s.render(c, fiber.StatusOK, name, d)
	}
}

// justCreated returns the notification for the request named by the
// "created" query parameter that the support form redirects with, if the
// user made that request from this very page; anything else is ignored,
// so the parameter cannot be used to show a made-up reference.
func (s *site) justCreated(c *fiber.Ctx, sess *session, target support.PrimaryContext) *created {
	ref, err := reference.Parse(c.Query("created"))
	if err != nil {
		return nil
	}
	req, err := s.desk.Get(c.UserContext(), sess.actor, ref)
	if err != nil || req.PrimaryContext() != target {
		return nil
	}
	mode := "canonical context only"
	if req.AttachmentMode() == support.DiagnosticsAttached {
		mode = "canonical context and support diagnostics"
	}
	return &created{Reference: req.Reference().String(), Mode: mode}
}

// diagConnection is a provider connection in a diagnostics bundle, or
// {"state": …} when there is none.
type diagConnection struct {
	State            string     `json:"state"`
	Provider         string     `json:"provider"`
	Status           string     `json:"status"`
	ConsentState     string     `json:"consent_state"`
	LastCheckedAt    *time.Time `json:"last_checked_at"`
	LastErrorCode    string     `json:"last_error_code"`
	LastErrorMessage string     `json:"last_error_message"`
}

// diagRun is a run in a diagnostics bundle, or {"state": …}.
type diagRun struct {
	State          string     `json:"state"`
	ID             string     `json:"id"`
	Type           string     `json:"type"`
	Status         string     `json:"status"`
	Outcome        string     `json:"outcome"`
	StartedAt      *time.Time `json:"started_at"`
	CompletedAt    *time.Time `json:"completed_at"`
	FailureCode    string     `json:"failure_code"`
	FailureMessage string     `json:"failure_message"`
}

// diagBundle is the part of a diagnostics bundle the page lays out; the
// whole bundle is shown as JSON below it.
type diagBundle struct {
	Schema             string         `json:"schema"`
	ProviderConnection diagConnection `json:"provider_connection"`
	Run                *diagRun       `json:"run"`
	LatestFailedRuns   []diagRun      `json:"latest_failed_runs"`
	RecentOutcomes     diagOutcomes   `json:"recent_outcomes"`
	Redaction          diagRedaction  `json:"redaction"`
}

type diagOutcomes struct {
	Window      int            `json:"window"`
	RunsCounted int            `json:"runs_counted"`
	Counts      map[string]int `json:"counts"`
}

type diagRedaction struct {
	Policy string `json:"policy"`
	Count  int    `json:"count"`
}

type diagnosticsData struct {
	page
	Crumbs   []crumb
	Noun     string
	Name     string
	Paths    contextPaths
	IsRun    bool
	Bundle   diagBundle
	Outcomes []count
	Pretty   string
}

// diagnostics renders the redacted diagnostics bundle of a tenant or run.
func (s *site) diagnostics(k contextKind) handler {
	return func(c *fiber.Ctx, sess *session) error {
		target := k.target(c)
		raw, err := s.desk.Diagnostics(c.UserContext(), sess.actor, target)
		if err != nil {
			return err
		}
		view, err := s.browser.View(c.UserContext(), sess.actor, target)
		if err != nil {
			return err
		}
		var b diagBundle
		if err := json.Unmarshal(raw, &b); err != nil {
			return core.Wrap(core.KindInternal, err, "decode diagnostics bundle")
		}
		var pretty bytes.Buffer
		if err := json.Indent(&pretty, raw, "", "  "); err != nil {
			return core.Wrap(core.KindInternal, err, "indent diagnostics bundle")
		}
		d := diagnosticsData{
			Noun: k.noun, Paths: k.paths(target.ID), IsRun: k.typ == support.ContextOperationRun,
			Name: view.Snapshot.Tenant.Name, Bundle: b, Pretty: pretty.String(),
			Outcomes: counts(b.RecentOutcomes.Counts, "succeeded", "partially_succeeded", "failed", "cancelled", "none"),
			Crumbs:   []crumb{{Label: "Tenants", URL: "/tenants"}, {Label: view.Snapshot.Tenant.Name, URL: tenantContext.paths(view.Snapshot.Tenant.ID).View}},
		}
		if run := view.Snapshot.Run; run != nil {
			d.Name = label(run.Type) + " run"
			d.Crumbs = append(d.Crumbs, crumb{Label: d.Name, URL: d.Paths.View})
		}
		d.page = s.page(sess, "Support diagnostics · "+d.Name)
		return s.render(c, fiber.StatusOK, "diagnostics", d)
	}
}
