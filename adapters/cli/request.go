package cli

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"math"
	"strconv"
	"strings"
	"text/tabwriter"
	"time"
	"unicode/utf8"

	"github.com/google/uuid"
	"github.com/spf13/cobra"

	"supportdesk/adapters/requestjson"
	"supportdesk/core"
	"supportdesk/core/reference"
	"supportdesk/core/support"
	"supportdesk/ports"
)

// summaryWidth is where the table cuts a summary, in code points, so that a
// row stays on one line of a wide terminal.
const summaryWidth = 48

// timeLayout is how times are shown to people: RFC 3339 in UTC, to the second.
const timeLayout = "2006-01-02T15:04:05Z"

func newRequest(e *env) *cobra.Command {
	cmd := &cobra.Command{
		Use:   "request",
		Short: "Create, read and verify support requests",
		Args:  subcommandOnly,
		RunE:  func(cmd *cobra.Command, _ []string) error { return cmd.Help() },
	}
	cmd.AddCommand(newRequestCreate(e), newRequestShow(e), newRequestList(e), newRequestVerify(e))
	return cmd
}

// subcommandOnly refuses arguments to a command group, so that a mistyped
// subcommand is a usage error rather than a silent help page.
func subcommandOnly(cmd *cobra.Command, args []string) error {
	if len(args) > 0 {
		return usagef("unknown command %q for %q", args[0], cmd.CommandPath())
	}
	return nil
}

func newRequestCreate(e *env) *cobra.Command {
	var (
		as, tenant, run string
		in              support.Input
	)
	cmd := &cobra.Command{
		Use:   "create --as EMAIL (--tenant ID | --run ID) --severity S --summary TEXT",
		Short: "Create a support request as a user, through the same use case as the API",
		Long: `Create a support request acting as the user with email --as, with that
user's capabilities: the same authorization, validation and context envelope
as POST /v1/tenants/{id}/support-requests or /v1/operation-runs/{id}/support-requests.
Prints the new reference.`,
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			if as == "" {
				return usagef("request create needs --as EMAIL, the user to act as")
			}
			if (tenant == "") == (run == "") {
				return usagef("request create needs exactly one of --tenant ID or --run ID")
			}
			target := support.PrimaryContext{Type: support.ContextTenant, ID: tenant}
			if run != "" {
				target = support.PrimaryContext{Type: support.ContextOperationRun, ID: run}
			}
			p, close, err := e.openMigrated(cmd.Context())
			if err != nil {
				return err
			}
			defer close()
			actor, err := p.Admin.ActorByEmail(cmd.Context(), as)
			if err != nil {
				return userError(err, as)
			}
			req, err := p.Desk.Submit(cmd.Context(), ports.Submission{
				Actor: actor, Target: target, Input: in, Channel: support.ChannelCLI,
			})
			if err != nil {
				return err
			}
			fmt.Fprintln(e.stdout, req.Reference())
			return nil
		},
	}
	f := cmd.Flags()
	f.StringVar(&as, "as", "", "email of the user to act as (required)")
	f.StringVar(&tenant, "tenant", "", "tenant id: create from the tenant dashboard context")
	f.StringVar(&run, "run", "", "operation run id: create from the run viewer context")
	f.StringVar(&in.Severity, "severity", "", "low, normal, high or blocking (required)")
	f.StringVar(&in.Summary, "summary", "", "one line, at most 200 characters (required)")
	f.StringVar(&in.ReproductionNotes, "notes", "", "reproduction notes (reproduction_notes), at most 5,000 characters")
	f.StringVar(&in.ContactName, "contact-name", "", "who support should contact (contact_name)")
	f.StringVar(&in.ContactEmail, "contact-email", "", "where support should write (contact_email)")
	return cmd
}

// userError names the email the user was looked up by when there is no
// such user; other errors pass unchanged.
func userError(err error, email string) error {
	if core.KindOf(err) == core.KindNotFound {
		return core.Errorf(core.KindNotFound, "no user with email %q", email)
	}
	return err
}

// oneReference requires the one argument of show and verify.
func oneReference(cmd *cobra.Command, args []string) error {
	if len(args) != 1 {
		return usagef("%s needs exactly one reference, such as SR-01J9Z8K3M4N5P6Q7R8S9T0V1W2", cmd.CommandPath())
	}
	return nil
}

// parseReference validates a reference given on the command line. A
// malformed one is a failure (exit 1), not a usage error: like an unknown
// reference, it names no request, and scripts can treat both alike.
func parseReference(s string) (reference.Reference, error) {
	ref, err := reference.Parse(s)
	if err != nil {
		return "", core.Errorf(core.KindInvalid, "invalid reference %q (%s)", s, core.MessageOf(err))
	}
	return ref, nil
}

func newRequestShow(e *env) *cobra.Command {
	var asJSON bool
	cmd := &cobra.Command{
		Use:   "show REF",
		Short: "Show one support request with its context envelope",
		Long: `Show one support request with its context envelope. With --json the
output is one JSON object; its "context" member holds the stored envelope
bytes unchanged, so its SHA-256 is the context_digest.`,
		Args: oneReference,
		RunE: func(cmd *cobra.Command, args []string) error {
			ref, err := parseReference(args[0])
			if err != nil {
				return err
			}
			p, close, err := e.openMigrated(cmd.Context())
			if err != nil {
				return err
			}
			defer close()
			req, err := p.Admin.Show(cmd.Context(), ref)
			if err != nil {
				return err
			}
			if asJSON {
				if !json.Valid(req.Context()) {
					return fmt.Errorf("the stored context of %s is not valid JSON; run `supportdesk request verify %s`", ref, ref)
				}
				return writeJSON(e.stdout, requestjson.New(req, true))
			}
			return writeRequest(e.stdout, req)
		},
	}
	cmd.Flags().BoolVar(&asJSON, "json", false, "print one JSON object, the context envelope embedded verbatim")
	return cmd
}

// writeJSON writes v as one line. HTML escaping is off: it would rewrite
// "<", ">" and "&" inside the embedded envelope and change its bytes.
func writeJSON(w io.Writer, v any) error {
	enc := json.NewEncoder(w)
	enc.SetEscapeHTML(false)
	return enc.Encode(v)
}

// writeRequest prints r for people: aligned fields, then the envelope
// indented (or as stored, if it is no longer JSON).
func writeRequest(w io.Writer, r *support.Request) error {
	d := r.Details()
	contact := d.ContactName
	switch {
	case d.ContactEmail != "" && contact != "":
		contact += " <" + d.ContactEmail + ">"
	case d.ContactEmail != "":
		contact = d.ContactEmail
	}
	fields := []struct{ label, value string }{
		{"reference", r.Reference().String()},
		{"created at", r.CreatedAt().UTC().Format(timeLayout)},
		{"created by", r.CreatedBy()},
		{"workspace", r.WorkspaceID()},
		{"tenant", r.TenantID()},
		{"context", contextLabel(r.PrimaryContext())},
		{"severity", string(d.Severity)},
		{"summary", d.Summary},
		{"reproduction notes", orNone(d.ReproductionNotes)},
		{"contact", orNone(contact)},
		{"attachment mode", string(r.AttachmentMode())},
		{"context digest", r.ContextDigest()},
	}
	const width = len("reproduction notes") + 2
	// Continuation lines of multi-line notes line up under the value.
	indent := "\n" + strings.Repeat(" ", width)
	lineBreaks := strings.NewReplacer("\r\n", indent, "\r", indent, "\n", indent)
	var b strings.Builder
	for _, f := range fields {
		fmt.Fprintf(&b, "%-*s%s\n", width, f.label, lineBreaks.Replace(f.value))
	}
	fmt.Fprintf(&b, "\ncontext envelope (%d bytes):\n", len(r.Context()))
	var pretty bytes.Buffer
	if err := json.Indent(&pretty, r.Context(), "", "  "); err != nil {
		b.Write(r.Context())
	} else {
		b.Write(pretty.Bytes())
	}
	b.WriteByte('\n')
	_, err := io.WriteString(w, b.String())
	return err
}

func orNone(s string) string {
	if s == "" {
		return "(none)"
	}
	return s
}

// contextLabel names where a request was made from: "tenant" (its id is
// the tenant column) or the run.
func contextLabel(c support.PrimaryContext) string {
	if c.Type == support.ContextOperationRun {
		return "run " + c.ID
	}
	return string(c.Type)
}

// uuidFlag is a flag holding a UUID, kept in canonical lower-case form;
// anything else is refused while the flags are parsed (a usage error).
type uuidFlag struct{ id string }

func (f *uuidFlag) String() string { return f.id }
func (f *uuidFlag) Type() string   { return "ID" }
func (f *uuidFlag) Set(s string) error {
	id, err := uuid.Parse(s)
	if err != nil || len(s) != 36 {
		return fmt.Errorf("%q is not a UUID such as 3f0c6b1e-8a43-4c55-9f0b-2b1f7c1d2e3a", s)
	}
	f.id = id.String()
	return nil
}

// sinceFlag is a positive duration: a Go duration such as 90m or 36h, or
// whole days such as 7d.
type sinceFlag struct{ d time.Duration }

func (f *sinceFlag) String() string {
	if f.d == 0 {
		return ""
	}
	return f.d.String()
}
func (f *sinceFlag) Type() string { return "DURATION" }
func (f *sinceFlag) Set(s string) error {
	const day = 24 * time.Hour
	d, err := time.ParseDuration(s)
	if days, ok := strings.CutSuffix(s, "d"); ok {
		var n int64
		n, err = strconv.ParseInt(days, 10, 64)
		if n > int64(math.MaxInt64/day) {
			n = -1 // overflows a Duration: refused below
		}
		d = time.Duration(n) * day
	}
	if err != nil || d <= 0 {
		return fmt.Errorf("%q is not a positive duration such as 30m, 12h or 7d", s)
	}
	f.d = d
	return nil
}

func newRequestList(e *env) *cobra.Command {
	var (
		workspace, tenant uuidFlag
		since             sinceFlag
		limit             int
		asJSON            bool
	)
	cmd := &cobra.Command{
		Use:   "list [--workspace ID] [--tenant ID] [--since DURATION] [--limit N] [--json]",
		Short: "List support requests, newest first",
		Long: `List support requests, newest first: a table for people, or with --json
one JSON object per line, shaped like "request show --json" without "context".`,
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			if limit < 1 || limit > ports.MaxListLimit {
				return usagef("--limit must be between 1 and %d", ports.MaxListLimit)
			}
			// One more than asked tells whether there are more to see (except
			// at ports.MaxListLimit, which no list exceeds).
			filter := ports.ListFilter{WorkspaceID: workspace.id, TenantID: tenant.id, Limit: limit + 1}
			if since.d > 0 {
				filter.Since = time.Now().Add(-since.d)
			}
			p, close, err := e.openMigrated(cmd.Context())
			if err != nil {
				return err
			}
			defer close()
			list, err := p.Admin.List(cmd.Context(), filter)
			if err != nil {
				return err
			}
			more := len(list) > limit
			if more {
				list = list[:limit]
			}
			if asJSON {
				err = writeJSONLines(e.stdout, list)
			} else {
				err = writeTable(e.stdout, list)
			}
			if err != nil {
				return err
			}
			switch {
			case more:
				fmt.Fprintf(e.stderr, "showing the newest %d; raise --limit to see more\n", limit)
			case len(list) == 0 && !asJSON:
				fmt.Fprintln(e.stderr, "no support requests match")
			}
			return nil
		},
	}
	f := cmd.Flags()
	f.Var(&workspace, "workspace", "only requests of this workspace")
	f.Var(&tenant, "tenant", "only requests about this tenant")
	f.Var(&since, "since", "only requests created within this long, e.g. 30m, 12h or 7d")
	f.IntVar(&limit, "limit", ports.DefaultListLimit, fmt.Sprintf("at most this many requests (1–%d)", ports.MaxListLimit))
	f.BoolVar(&asJSON, "json", false, "print one JSON object per line")
	return cmd
}

func writeJSONLines(w io.Writer, list []*support.Request) error {
	for _, r := range list {
		if err := writeJSON(w, requestjson.New(r, false)); err != nil {
			return err
		}
	}
	return nil
}

func writeTable(w io.Writer, list []*support.Request) error {
	if len(list) == 0 {
		return nil
	}
	tw := tabwriter.NewWriter(w, 0, 0, 2, ' ', 0)
	fmt.Fprintln(tw, "REFERENCE\tCREATED\tTENANT\tCONTEXT\tSEVERITY\tATTACHMENT\tSUMMARY")
	for _, r := range list {
		fmt.Fprintf(tw, "%s\t%s\t%s\t%s\t%s\t%s\t%s\n",
			r.Reference(), r.CreatedAt().UTC().Format(timeLayout), r.TenantID(),
			contextLabel(r.PrimaryContext()), r.Details().Severity, r.AttachmentMode(),
			cut(r.Details().Summary, summaryWidth))
	}
	return tw.Flush()
}

// cut shortens s to at most n code points, ending with "…" when it had to.
// Tabs, which summaries may hold, would split the table's cells.
func cut(s string, n int) string {
	s = strings.ReplaceAll(s, "\t", " ")
	if utf8.RuneCountInString(s) <= n {
		return s
	}
	return string([]rune(s)[:n-1]) + "…"
}

func newRequestVerify(e *env) *cobra.Command {
	return &cobra.Command{
		Use:   "verify REF",
		Short: "Recompute the digest of a request's stored context envelope",
		Long: `Recompute the SHA-256 of a request's stored context envelope and compare
it with the digest stored at creation. Prints "ok <digest>" when they match;
exits 1 naming both digests when they do not.`,
		Args: oneReference,
		RunE: func(cmd *cobra.Command, args []string) error {
			ref, err := parseReference(args[0])
			if err != nil {
				return err
			}
			p, close, err := e.openMigrated(cmd.Context())
			if err != nil {
				return err
			}
			defer close()
			v, err := p.Admin.Verify(cmd.Context(), ref)
			if err != nil {
				return err
			}
			if !v.OK() {
				msg := fmt.Sprintf("%s: the stored context envelope does not match its digest: stored %s, computed %s", ref, v.Stored, v.Computed)
				if !v.Canonical {
					msg += "; the stored bytes are not canonical JSON"
				}
				return errors.New(msg)
			}
			fmt.Fprintln(e.stdout, "ok", v.Computed)
			return nil
		},
	}
}
