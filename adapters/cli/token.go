package cli

import (
	"context"
	"fmt"

	"github.com/spf13/cobra"
)

func newToken(e *env) *cobra.Command {
	cmd := &cobra.Command{
		Use:   "token",
		Short: "Manage API tokens",
		Args:  subcommandOnly,
		RunE:  func(cmd *cobra.Command, _ []string) error { return cmd.Help() },
	}
	var email string
	issue := &cobra.Command{
		Use:   "issue --user EMAIL",
		Short: "Issue a new API token for a user and print it once",
		Long: `Issue a new API token for the user with this email. The token is printed
once, alone on stdout; only its SHA-256 is stored, so it cannot be shown again.`,
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error { return e.runTokenIssue(cmd.Context(), email) },
	}
	issue.Flags().StringVar(&email, "user", "", "email of the user the token authenticates (required)")
	cmd.AddCommand(issue)
	return cmd
}

func (e *env) runTokenIssue(ctx context.Context, email string) error {
	if email == "" {
		return usagef("token issue needs --user EMAIL")
	}
	return e.withService(ctx, migrated, func(p Ports) error {
		token, err := p.Admin.IssueToken(ctx, email)
		if err != nil {
			return userError(err, email)
		}
		fmt.Fprintln(e.stdout, token)
		fmt.Fprintf(e.stderr, "issued an API token for %s; keep it now, it cannot be shown again\n", email)
		return nil
	})
}
