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
	var email, agent string
	issue := &cobra.Command{
		Use:   "issue (--user EMAIL | --agent EMAIL)",
		Short: "Issue a new API token for a user or a support agent and print it once",
		Long: `Issue a new API token for the user (--user) or the support agent (--agent)
with this email. The token is printed once, alone on stdout; only its SHA-256
is stored, so it cannot be shown again.`,
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error { return e.runTokenIssue(cmd.Context(), email, agent) },
	}
	issue.Flags().StringVar(&email, "user", "", "email of the user the token authenticates")
	issue.Flags().StringVar(&agent, "agent", "", "email of the support agent the token authenticates")
	cmd.AddCommand(issue)
	return cmd
}

func (e *env) runTokenIssue(ctx context.Context, email, agent string) error {
	if (email == "") == (agent == "") {
		return usagef("token issue needs one of --user EMAIL or --agent EMAIL")
	}
	return e.withService(ctx, migrated, func(p Ports) error {
		var (
			token string
			err   error
		)
		if agent != "" {
			email = agent
			token, err = p.Agents.IssueAgentToken(ctx, agent)
			err = agentError(err, agent)
		} else {
			token, err = p.Admin.IssueToken(ctx, email)
			err = userError(err, email)
		}
		if err != nil {
			return err
		}
		fmt.Fprintln(e.stdout, token)
		fmt.Fprintf(e.stderr, "issued an API token for %s; keep it now, it cannot be shown again\n", email)
		return nil
	})
}
