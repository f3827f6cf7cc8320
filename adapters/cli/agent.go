package cli

import (
	"context"
	"fmt"
	"strings"
	"text/tabwriter"
	"time"

	"github.com/spf13/cobra"

	"supportdesk/core"
)

func newAgent(e *env) *cobra.Command {
	cmd := &cobra.Command{
		Use:   "agent",
		Short: "Manage support agents, who read requests on the support desk",
		Long: `Support agents read support requests on the support desk (the API under
/v1/support and the web pages under /support). An agent holds no tenant
capability, and every whole request it reads is recorded as a
support_request.viewed audit entry that the requester can see.`,
		Args: subcommandOnly,
		RunE: func(cmd *cobra.Command, _ []string) error { return cmd.Help() },
	}
	var (
		email, name string
		workspaces  []string
	)
	add := &cobra.Command{
		Use:   "add --email EMAIL --name NAME [--workspace ID ...]",
		Short: "Add a support agent",
		Long: `Add a support agent: a new user with this email and name, which must not
belong to an existing user. With --workspace (repeatable) the agent reads only
the requests of those workspaces; without, of every workspace. Issue its API
token with: supportdesk token issue --agent EMAIL`,
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			return e.runAgentAdd(cmd.Context(), name, email, workspaces)
		},
	}
	add.Flags().StringVar(&email, "email", "", "the agent's email address (required)")
	add.Flags().StringVar(&name, "name", "", "the agent's name, shown to requesters (required)")
	add.Flags().StringArrayVar(&workspaces, "workspace", nil, "a workspace id the agent may read (repeatable; none: all)")
	list := &cobra.Command{
		Use:   "list",
		Short: "List support agents",
		Args:  cobra.NoArgs,
		RunE:  func(cmd *cobra.Command, _ []string) error { return e.runAgentList(cmd.Context()) },
	}
	disable := &cobra.Command{
		Use:   "disable EMAIL",
		Short: "Disable a support agent: its tokens no longer open the support desk",
		Args: func(cmd *cobra.Command, args []string) error {
			if len(args) != 1 {
				return usagef("agent disable needs exactly one email")
			}
			return nil
		},
		RunE: func(cmd *cobra.Command, args []string) error { return e.runAgentDisable(cmd.Context(), args[0]) },
	}
	cmd.AddCommand(add, list, disable)
	return cmd
}

func (e *env) runAgentAdd(ctx context.Context, name, email string, workspaces []string) error {
	if email == "" || name == "" {
		return usagef("agent add needs --email EMAIL and --name NAME")
	}
	return e.withService(ctx, migrated, func(p Ports) error {
		a, err := p.Agents.AddAgent(ctx, name, email, workspaces)
		if err != nil {
			return err
		}
		scope := "all workspaces"
		if len(a.Workspaces) > 0 {
			scope = "workspaces " + strings.Join(a.Workspaces, ", ")
		}
		fmt.Fprintf(e.stdout, "added support agent %s (%s), reading %s\n", a.Email, a.UserID, scope)
		return nil
	})
}

func (e *env) runAgentList(ctx context.Context) error {
	return e.withService(ctx, migrated, func(p Ports) error {
		agents, err := p.Agents.Agents(ctx)
		if err != nil {
			return err
		}
		w := tabwriter.NewWriter(e.stdout, 0, 4, 2, ' ', 0)
		fmt.Fprintln(w, "EMAIL\tNAME\tWORKSPACES\tSTATE\tCREATED")
		for _, a := range agents {
			scope := "all"
			if len(a.Workspaces) > 0 {
				scope = strings.Join(a.Workspaces, ",")
			}
			state := "active"
			if !a.Active() {
				state = "disabled " + a.DisabledAt.UTC().Format(time.RFC3339)
			}
			fmt.Fprintf(w, "%s\t%s\t%s\t%s\t%s\n", a.Email, a.Name, scope, state, a.CreatedAt.UTC().Format(time.RFC3339))
		}
		return w.Flush()
	})
}

func (e *env) runAgentDisable(ctx context.Context, email string) error {
	return e.withService(ctx, migrated, func(p Ports) error {
		if err := p.Agents.DisableAgent(ctx, email); err != nil {
			return agentError(err, email)
		}
		fmt.Fprintf(e.stdout, "disabled support agent %s\n", email)
		return nil
	})
}

// agentError names the email an unknown agent was looked up by.
func agentError(err error, email string) error {
	if core.KindOf(err) == core.KindNotFound {
		return core.Errorf(core.KindNotFound, "no support agent with email %q", email)
	}
	return err
}
