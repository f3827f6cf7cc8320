package cli

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"strings"

	"github.com/spf13/cobra"

	"supportdesk/adapters/requestjson"
	"supportdesk/core/support"
	"supportdesk/ports"
)

// showOptions are the argument and flags of request show.
type showOptions struct {
	ref    string
	asJSON bool
}

func newRequestShow(e *env) *cobra.Command {
	var opts showOptions
	cmd := &cobra.Command{
		Use:   "show REF",
		Short: "Show one support request with its context envelope",
		Long: `Show one support request with its context envelope. With --json the
output is one JSON object; its "context" member holds the stored envelope
bytes unchanged, so its SHA-256 is the context_digest.`,
		Args: oneReference,
		RunE: func(cmd *cobra.Command, args []string) error {
			opts.ref = args[0]
			return e.runShow(cmd.Context(), opts)
		},
	}
	cmd.Flags().BoolVar(&opts.asJSON, "json", false, "print one JSON object, the context envelope embedded verbatim")
	return cmd
}

func (e *env) runShow(ctx context.Context, opts showOptions) error {
	ref, err := parseReference(opts.ref)
	if err != nil {
		return err
	}
	return e.withService(ctx, migrated, func(p Ports) error {
		req, err := p.Admin.Show(ctx, ref)
		if err != nil {
			return err
		}
		if opts.asJSON {
			if !json.Valid(req.Context()) {
				return fmt.Errorf("the stored context of %s is not valid JSON; run `supportdesk request verify %s`", ref, ref)
			}
			return writeJSON(e.stdout, requestjson.New(req, true))
		}
		names, err := p.Admin.Names(ctx, []*support.Request{req})
		if err != nil {
			return err
		}
		return writeRequest(e.stdout, req, names)
	})
}

// writeRequest prints r for people: aligned fields, the ids with the
// names they point at, then the envelope indented (or as stored, if it is
// no longer JSON).
func writeRequest(w io.Writer, r *support.Request, names ports.Names) error {
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
		{"created by", named(r.CreatedBy(), cell(userLabel(names, r.CreatedBy()), 0))},
		{"workspace", named(r.WorkspaceID(), cell(names.Tenants[r.TenantID()].WorkspaceName, 0))},
		{"tenant", named(r.TenantID(), cell(names.Tenants[r.TenantID()].Name, 0))},
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
	lineBreaks := strings.NewReplacer("\r\n", indent, "\r", indent, "\n", indent, "\u2028", indent, "\u2029", indent)
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
