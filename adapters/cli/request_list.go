package cli

import (
	"context"
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
	"supportdesk/core/support"
	"supportdesk/ports"
)

// summaryWidth is where the table cuts a summary, in code points, so that a
// row stays on one line of a wide terminal.
const summaryWidth = 48

// listOptions are the flags of request list.
type listOptions struct {
	workspace, tenant uuidFlag
	since             sinceFlag
	limit             int
	asJSON            bool
}

func newRequestList(e *env) *cobra.Command {
	var opts listOptions
	cmd := &cobra.Command{
		Use:   "list [--workspace ID] [--tenant ID] [--since DURATION] [--limit N] [--json]",
		Short: "List support requests, newest first",
		Long: `List support requests, newest first: a table for people, or with --json
one JSON object per line, shaped like "request show --json" without "context".`,
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error { return e.runList(cmd.Context(), opts) },
	}
	f := cmd.Flags()
	f.Var(&opts.workspace, "workspace", "only requests of this workspace")
	f.Var(&opts.tenant, "tenant", "only requests about this tenant")
	f.Var(&opts.since, "since", "only requests created within this long, e.g. 30m, 12h or 7d")
	f.IntVar(&opts.limit, "limit", ports.DefaultListLimit, fmt.Sprintf("at most this many requests (1–%d)", ports.MaxListLimit))
	f.BoolVar(&opts.asJSON, "json", false, "print one JSON object per line")
	return cmd
}

func (e *env) runList(ctx context.Context, opts listOptions) error {
	if opts.limit < 1 || opts.limit > ports.MaxListLimit {
		return usagef("--limit must be between 1 and %d", ports.MaxListLimit)
	}
	// One more than asked tells whether there are more to see (except at
	// ports.MaxListLimit, which no list exceeds).
	filter := ports.ListFilter{WorkspaceID: opts.workspace.id, TenantID: opts.tenant.id, Limit: opts.limit + 1}
	if opts.since.d > 0 {
		filter.Since = time.Now().Add(-opts.since.d)
	}
	return e.withService(ctx, migrated, func(p Ports) error {
		list, err := p.Admin.List(ctx, filter)
		if err != nil {
			return err
		}
		more := len(list) > opts.limit
		if more {
			list = list[:opts.limit]
		}
		if opts.asJSON {
			err = writeJSONLines(e.stdout, list)
		} else if len(list) > 0 {
			var names ports.Names
			if names, err = p.Admin.Names(ctx, list); err == nil {
				err = writeTable(e.stdout, list, names)
			}
		}
		if err != nil {
			return err
		}
		switch {
		case more:
			fmt.Fprintf(e.stderr, "showing the newest %d; raise --limit to see more\n", opts.limit)
		case len(list) == 0 && !opts.asJSON:
			fmt.Fprintln(e.stderr, "no support requests match")
		}
		return nil
	})
}

func writeJSONLines(w io.Writer, list []*support.Request) error {
	for _, r := range list {
		if err := writeJSON(w, requestjson.New(r, false)); err != nil {
			return err
		}
	}
	return nil
}

// writeTable prints list as a table for people, the tenant and the
// creator named beside their ids.
func writeTable(w io.Writer, list []*support.Request, names ports.Names) error {
	tw := tabwriter.NewWriter(w, 0, 0, 2, ' ', 0)
	fmt.Fprintln(tw, "REFERENCE\tCREATED\tTENANT\tCREATED BY\tCONTEXT\tSEVERITY\tATTACHMENT\tSUMMARY")
	for _, r := range list {
		fmt.Fprintf(tw, "%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\n",
			r.Reference(), r.CreatedAt().UTC().Format(timeLayout),
			cell(named(r.TenantID(), names.Tenants[r.TenantID()].Name), 0),
			cell(named(r.CreatedBy(), userLabel(names, r.CreatedBy())), 0),
			contextLabel(r.PrimaryContext()), r.Details().Severity, r.AttachmentMode(),
			cell(r.Details().Summary, summaryWidth))
	}
	return tw.Flush()
}

// cell makes s one cell of the table: tabs and line breaks, which would
// split cells and rows, become spaces, and with n > 0 it is cut to at most
// n code points, ending with "…" when it had to be.
func cell(s string, n int) string {
	s = strings.Map(func(r rune) rune {
		if r == '\t' || r == '\n' || r == '\r' || r == '\u2028' || r == '\u2029' {
			return ' '
		}
		return r
	}, s)
	if n <= 0 || utf8.RuneCountInString(s) <= n {
		return s
	}
	return string([]rune(s)[:n-1]) + "…"
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
