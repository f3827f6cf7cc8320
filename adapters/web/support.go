package web

import (
	"net/url"
	"strings"
	"unicode/utf8"

	"github.com/gofiber/fiber/v2"

	"supportdesk/adapters/httpstatus"
	"supportdesk/core"
	"supportdesk/core/envelope"
	"supportdesk/core/support"
	"supportdesk/ports"
)

// field is one input of the support form with what to show around it.
type field struct {
	// ID is the input's id and name, the API's field name.
	ID       string
	Label    string
	Optional bool
	Hint     string
	// Counted is set when a live character count follows the input.
	Counted bool
	Value   string
	// Error is the whole sentence shown by the field and in the summary
	// at the top, e.g. "Summary is required".
	Error string
}

// describedBy returns the ids an input's aria-describedby lists: its hint,
// and its error when it has one.
func describedBy(f field) string {
	ids := []string{}
	if f.Hint != "" {
		ids = append(ids, f.ID+"-hint")
	}
	if f.Counted {
		ids = append(ids, f.ID+"-count")
	}
	if f.Error != "" {
		ids = append(ids, f.ID+"-error")
	}
	return strings.Join(ids, " ")
}

// option is one choice of a select.
type option struct {
	Value, Label string
	Selected     bool
}

// severityLabels explains each severity in the operator's terms.
var severityLabels = map[support.Severity]string{
	support.SeverityLow:      "Low — a question, or a minor issue with a workaround",
	support.SeverityNormal:   "Normal — something does not work as expected",
	support.SeverityHigh:     "High — important work is blocked or degraded",
	support.SeverityBlocking: "Blocking — the tenant cannot be operated at all",
}

// supportFormData is the request support form, for a tenant or a run.
type supportFormData struct {
	page
	Crumbs       []crumb
	Noun         string
	Name         string
	Paths        contextPaths
	Severity     field
	Severities   []option
	Summary      field
	SummaryCount int
	SummaryMax   int
	Notes        field
	ContactName  field
	ContactEmail field
	// Problems lists the invalid fields, in form order, for the summary
	// at the top of the form.
	Problems []field
	// Notice is a problem with the whole form, such as the rate limit.
	Notice     string
	Attachment attachment
}

// attachment tells, in words, what a submission would attach.
type attachment struct {
	Diagnostics bool
	Headline    string
	Explanation string
	Included    []string
	Omitted     []omitted
}

// omitted is a section left out of the attachment, and why.
type omitted struct {
	Section, Reason string
}

// sectionLabels names the envelope's sections for the attachment summary.
var sectionLabels = map[string]string{
	"workspace":                         "Workspace",
	"tenant":                            "Tenant details",
	"operation_run":                     "This operation run, with its failure",
	"provider_connection":               "Provider connection health",
	"recent_operation_runs":             "Recent operation runs (up to 5)",
	"findings":                          "Open findings (counts and up to 5 latest)",
	"reviews":                           "Reviews (up to 5)",
	"reports":                           "Latest reports (up to 5)",
	"audit_excerpt":                     "Recent audit entries (up to 10, without their details)",
	"diagnostics":                       "Support diagnostics",
	"provider_connection.raw_payload":   "Raw provider payloads",
	"operation_run.raw_payload":         "Raw provider payloads",
	"recent_operation_runs.raw_payload": "Raw provider payloads",
}

// reasonTexts says why a section is left out, in plain words.
var reasonTexts = map[string]string{
	envelope.ReasonCapabilityMissing:      "not available to your role on this tenant",
	envelope.ReasonDiagnosticsUnavailable: "could not be gathered just now",
	envelope.ReasonNotApplicable:          "not applicable when asking from the tenant",
	envelope.ReasonMissing:                "there is none",
	envelope.ReasonInaccessible:           "you may not see it",
	envelope.ReasonNeverCopied:            "never copied, for the tenant's safety",
	envelope.ReasonSizeCap:                "some entries left out to stay within the size limit",
}

func sectionLabel(s string) string {
	if l, ok := sectionLabels[s]; ok {
		return l
	}
	return label(s)
}

func reasonText(r string) string {
	if t, ok := reasonTexts[r]; ok {
		return t
	}
	return strings.ReplaceAll(r, "_", " ")
}

// describeAttachment turns a preview into the attachment summary.
func describeAttachment(p ports.Preview) attachment {
	a := attachment{Diagnostics: p.Mode == support.DiagnosticsAttached}
	switch {
	case a.Diagnostics:
		a.Headline = "Canonical context and support diagnostics"
		a.Explanation = "Your request carries the canonical context below and the support diagnostics bundle: provider connection health with its last error, run failures and recent outcome counts. Secrets are redacted before anything is attached."
	case p.Reason == envelope.ReasonCapabilityMissing:
		a.Headline = "Canonical context only"
		a.Explanation = "Your role on this tenant does not include viewing support diagnostics, so only the canonical context below is attached, without the diagnostics bundle. Support may ask you for more detail."
	default:
		a.Headline = "Canonical context only"
		a.Explanation = "The support diagnostics could not be gathered just now, so only the canonical context below is attached. Your request still goes ahead."
	}
	for _, s := range p.Included {
		a.Included = append(a.Included, sectionLabel(s))
	}
	seen := map[omitted]bool{}
	for _, o := range p.Omitted {
		item := omitted{Section: sectionLabel(o.Section), Reason: reasonText(o.Reason)}
		if !seen[item] {
			seen[item] = true
			a.Omitted = append(a.Omitted, item)
		}
	}
	return a
}

// supportForm shows the empty form, prefilled with the user's contact.
func (s *site) supportForm(k contextKind) handler {
	return func(c *fiber.Ctx, sess *session) error {
		in := support.Input{ContactName: sess.actor.Name, ContactEmail: sess.actor.Email}
		return s.renderSupportForm(c, sess, k, k.target(c), fiber.StatusOK, in, nil, "")
	}
}

// submitSupport creates a request through the use case, channel web. On
// success it redirects (Post/Redirect/Get) to the page the form was
// opened from, which shows the reference, so a reload cannot submit twice;
// invalid input renders the form again with the input kept.
func (s *site) submitSupport(k contextKind) handler {
	return func(c *fiber.Ctx, sess *session) error {
		target := k.target(c)
		in := support.Input{
			Severity:          formValue(c, "severity"),
			Summary:           formValue(c, "summary"),
			ReproductionNotes: normalizeNewlines(formValue(c, "reproduction_notes")),
			ContactName:       formValue(c, "contact_name"),
			ContactEmail:      formValue(c, "contact_email"),
		}
		if err := s.desk.AttemptCreate(c.UserContext(), sess.actor); err != nil {
			if core.KindOf(err) != core.KindRateLimited {
				return err
			}
			// The form comes back as typed, saying when to send it again.
			wait := httpstatus.For(c.UserContext(), err).RetryAfter
			c.Set(fiber.HeaderRetryAfter, httpstatus.RetryAfter(wait))
			notice := "You have sent many support requests in a short time, so this one was not sent. Wait " +
				plural(int(httpstatus.RetryAfterSeconds(wait)), "second", "seconds") + ", then send it again."
			return s.renderSupportForm(c, sess, k, target, fiber.StatusTooManyRequests, in, nil, notice)
		}
		req, err := s.desk.Submit(c.UserContext(), ports.Submission{
			Actor: sess.actor, Target: target, Input: in, Channel: support.ChannelWeb,
		})
		if fields := core.FieldsOf(err); core.KindOf(err) == core.KindInvalid && len(fields) > 0 {
			return s.renderSupportForm(c, sess, k, target, fiber.StatusUnprocessableEntity, in, fields, "")
		}
		if err != nil {
			return err
		}
		return c.Redirect(k.paths(target.ID).View+"?created="+url.QueryEscape(req.Reference().String()), fiber.StatusSeeOther)
	}
}

// normalizeNewlines turns the CRLF line breaks browsers submit into LF,
// so notes are stored as typed on any platform.
func normalizeNewlines(s string) string {
	return strings.ReplaceAll(s, "\r\n", "\n")
}

// renderSupportForm renders the form with in as its values, the field
// errors of a failed submission and, if not empty, a notice about the
// whole form (such as the rate limit). The preview runs the use case's own
// authorization, so a user who may not create requests gets its 404 or 403.
func (s *site) renderSupportForm(c *fiber.Ctx, sess *session, k contextKind, target support.PrimaryContext,
	status int, in support.Input, problems []core.FieldError, notice string) error {
	preview, view, err := s.browser.SupportForm(c.UserContext(), sess.actor, target)
	if err != nil {
		return err
	}
	// The core's messages are predicates ("is required", "must be …"), so
	// the field's label makes them a sentence.
	errs := map[string]string{}
	for _, p := range problems {
		if _, dup := errs[p.Field]; !dup {
			errs[p.Field] = p.Message
		}
	}
	f := func(id, lbl string, optional bool, hint, value string) field {
		fl := field{ID: id, Label: lbl, Optional: optional, Hint: hint, Value: value}
		if msg := errs[id]; msg != "" {
			fl.Error = lbl + " " + msg
		}
		return fl
	}
	d := supportFormData{
		Noun:         k.noun,
		Name:         view.Snapshot.Tenant.Name,
		Paths:        k.paths(target.ID),
		Severity:     f("severity", "Severity", false, "How badly is your work affected?", in.Severity),
		Summary:      f("summary", "Summary", false, "One line that says what is wrong.", in.Summary),
		SummaryCount: utf8.RuneCountInString(strings.TrimSpace(in.Summary)),
		SummaryMax:   support.MaxSummary,
		Notes:        f("reproduction_notes", "Steps to reproduce", true, "What did you do, what did you expect, what happened instead?", in.ReproductionNotes),
		ContactName:  f("contact_name", "Contact name", true, "", in.ContactName),
		ContactEmail: f("contact_email", "Contact email", true, "Support replies to this address.", in.ContactEmail),
		Attachment:   describeAttachment(preview),
		Notice:       notice,
		Crumbs:       []crumb{{Label: "Tenants", URL: "/tenants"}, {Label: view.Snapshot.Tenant.Name, URL: tenantContext.paths(view.Snapshot.Tenant.ID).View}},
	}
	d.Summary.Counted = true
	if run := view.Snapshot.Run; run != nil {
		d.Name = label(run.Type) + " run"
		d.Crumbs = append(d.Crumbs, crumb{Label: d.Name, URL: d.Paths.View})
	}
	for _, sev := range support.Severities {
		d.Severities = append(d.Severities, option{Value: string(sev), Label: severityLabels[sev], Selected: string(sev) == in.Severity})
	}
	for _, fl := range []field{d.Severity, d.Summary, d.Notes, d.ContactName, d.ContactEmail} {
		if fl.Error != "" {
			d.Problems = append(d.Problems, fl)
		}
	}
	title := "Request support"
	if len(d.Problems) > 0 || notice != "" {
		title = "Error: " + title
	}
	d.page = s.page(sess, title+" · "+d.Name)
	return s.render(c, status, "support", d)
}
