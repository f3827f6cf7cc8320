package cli

import (
	"encoding/json"
	"io"

	"github.com/spf13/cobra"

	"supportdesk/core"
	"supportdesk/core/reference"
	"supportdesk/core/support"
	"supportdesk/ports"
)

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

// writeJSON writes v as one line. HTML escaping is off: it would rewrite
// "<", ">" and "&" inside the embedded envelope and change its bytes.
func writeJSON(w io.Writer, v any) error {
	enc := json.NewEncoder(w)
	enc.SetEscapeHTML(false)
	return enc.Encode(v)
}

// named is an id with what it names beside it, "id (name)", or the id
// alone when the name is not known.
func named(id, name string) string {
	if name == "" {
		return id
	}
	return id + " (" + name + ")"
}

// userLabel is "Name <email>" of user id, or "" if names lacks it.
func userLabel(names ports.Names, id string) string {
	u, ok := names.Users[id]
	if !ok {
		return ""
	}
	return u.Name + " <" + u.Email + ">"
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
