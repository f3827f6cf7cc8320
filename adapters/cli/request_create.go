package cli

import (
	"context"
	"fmt"
	"strings"

	"github.com/spf13/cobra"

	"supportdesk/core/support"
	"supportdesk/ports"
)

// createOptions are the flags of request create.
type createOptions struct {
	as, tenant, run string
	input           support.Input
	// given tells whether a flag was on the command line, even empty.
	given func(flag string) bool
}

func newRequestCreate(e *env) *cobra.Command {
	var opts createOptions
	cmd := &cobra.Command{
		Use:   "create --as EMAIL (--tenant ID | --run ID) --severity S --summary TEXT",
		Short: "Create a support request as a user, through the same use case as the API",
		Long: `Create a support request acting as the user with email --as, with that
user's capabilities: the same authorization, validation and context envelope
as POST /v1/tenants/{id}/support-requests or /v1/operation-runs/{id}/support-requests.
Prints the new reference.`,
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			opts.given = cmd.Flags().Changed
			return e.runCreate(cmd.Context(), opts)
		},
	}
	f := cmd.Flags()
	f.StringVar(&opts.as, "as", "", "email of the user to act as (required)")
	f.StringVar(&opts.tenant, "tenant", "", "tenant id: create from the tenant dashboard context")
	f.StringVar(&opts.run, "run", "", "operation run id: create from the run viewer context")
	f.StringVar(&opts.input.Severity, "severity", "", "low, normal, high or blocking (required)")
	f.StringVar(&opts.input.Summary, "summary", "", "one line, at most 200 characters (required)")
	f.StringVar(&opts.input.ReproductionNotes, "notes", "", "reproduction notes (reproduction_notes), at most 5,000 characters")
	f.StringVar(&opts.input.ContactName, "contact-name", "", "who support should contact (contact_name)")
	f.StringVar(&opts.input.ContactEmail, "contact-email", "", "where support should write (contact_email)")
	return cmd
}

// inWords joins items as a sentence does: "a", "a and b", "a, b and c".
func inWords(items []string) string {
	if len(items) == 1 {
		return items[0]
	}
	return strings.Join(items[:len(items)-1], ", ") + " and " + items[len(items)-1]
}

func (e *env) runCreate(ctx context.Context, opts createOptions) error {
	// Every missing flag is named at once. A --severity or --summary given
	// empty is not missing: the use case says what it must be.
	var missing []string
	if opts.as == "" {
		missing = append(missing, "--as EMAIL (the user to act as)")
	}
	if opts.tenant == "" && opts.run == "" {
		missing = append(missing, "exactly one of --tenant ID or --run ID")
	}
	for _, f := range []struct{ name, usage string }{{"severity", "--severity S"}, {"summary", "--summary TEXT"}} {
		if !opts.given(f.name) {
			missing = append(missing, f.usage)
		}
	}
	switch {
	case len(missing) > 0:
		return usagef("request create needs %s", inWords(missing))
	case opts.tenant != "" && opts.run != "":
		return usagef("request create needs exactly one of --tenant ID or --run ID")
	}
	target := support.PrimaryContext{Type: support.ContextTenant, ID: opts.tenant}
	if opts.run != "" {
		target = support.PrimaryContext{Type: support.ContextOperationRun, ID: opts.run}
	}
	return e.withService(ctx, migrated, func(p Ports) error {
		actor, err := p.Admin.ActorByEmail(ctx, opts.as)
		if err != nil {
			return userError(err, opts.as)
		}
		req, err := p.Desk.Submit(ctx, ports.Submission{
			Actor: actor, Target: target, Input: opts.input, Channel: support.ChannelCLI,
		})
		if err != nil {
			return err
		}
		fmt.Fprintln(e.stdout, req.Reference())
		return nil
	})
}
