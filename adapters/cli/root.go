// Package cli is the admin command line: the second inbound adapter over
// the same use cases as the HTTP API, plus the commands that run the
// service (serve, demo) and look after its database (migrate, seed).
package cli

import (
	"context"
	"errors"
	"fmt"
	"io"
	"strings"

	"github.com/spf13/cobra"
	"go.uber.org/dig"
	"go.uber.org/fx"

	"supportdesk/bootstrap"
	"supportdesk/core"
	"supportdesk/core/redact"
)

// Exit codes of SPEC §9.
const (
	ExitOK      = 0
	ExitFailure = 1
	ExitUsage   = 2
)

// usageError marks a mistake in how a command was called.
type usageError struct{ err error }

func (e usageError) Error() string { return e.err.Error() }
func (e usageError) Unwrap() error { return e.err }

func usagef(format string, args ...any) error { return usageError{fmt.Errorf(format, args...)} }

// env carries what every command shares: configuration and where output goes.
type env struct {
	cfg    bootstrap.Config
	stdout io.Writer
	stderr io.Writer
}

// Run executes the command line args (without the program name) and
// returns the process exit code. Errors are printed to stderr as one line.
func Run(ctx context.Context, args []string, stdout, stderr io.Writer) int {
	e := &env{cfg: bootstrap.ConfigFromEnv(), stdout: stdout, stderr: stderr}
	root := newRoot(e)
	root.SetArgs(args)
	root.SetOut(stdout)
	root.SetErr(stderr)
	err := root.ExecuteContext(ctx)
	if err == nil {
		return ExitOK
	}
	fmt.Fprintln(stderr, "supportdesk: "+oneLine(err))
	var ue usageError
	if errors.As(err, &ue) {
		return ExitUsage
	}
	return ExitFailure
}

// oneLine renders err for stderr: the caller-safe message of a core error
// with its field errors, or the error text, redacted and on one line.
func oneLine(err error) string {
	msg := err.Error()
	var ce *core.Error
	if errors.As(err, &ce) {
		msg = core.MessageOf(err)
		for _, f := range ce.Fields {
			// Some messages (a fixture's) already name their field.
			if !strings.Contains(ce.Message, f.Field) {
				msg += fmt.Sprintf("; %s %s", f.Field, f.Message)
			}
		}
	}
	msg, _ = redact.String(msg)
	out := make([]rune, 0, len(msg))
	for _, r := range msg {
		if r == '\n' || r == '\r' {
			r = ' '
		}
		out = append(out, r)
	}
	return string(out)
}

func newRoot(e *env) *cobra.Command {
	root := &cobra.Command{
		Use:           "supportdesk",
		Short:         "Support requests with their context, from where the operator is",
		SilenceUsage:  true,
		SilenceErrors: true,
		// Unknown subcommands are usage errors, not a silent help page.
		Args: func(cmd *cobra.Command, args []string) error {
			if len(args) > 0 {
				return usagef("unknown command %q for %q", args[0], cmd.CommandPath())
			}
			return nil
		},
		RunE: func(cmd *cobra.Command, _ []string) error { return cmd.Help() },
	}
	root.PersistentFlags().StringVar(&e.cfg.DatabaseURL, "database-url", e.cfg.DatabaseURL,
		"postgres:// URL or SQLite file path (env SUPPORTDESK_DATABASE_URL)")
	root.SetFlagErrorFunc(func(_ *cobra.Command, err error) error { return usageError{err} })
	root.AddCommand(newMigrate(e), newSeed(e), newServe(e), newDemo(e), newRequest(e), newToken(e))
	for _, c := range root.Commands() {
		wrapArgs(c)
	}
	return root
}

// wrapArgs makes argument-count errors of c and its children usage errors.
func wrapArgs(c *cobra.Command) {
	if c.Args != nil {
		check := c.Args
		c.Args = func(cmd *cobra.Command, args []string) error {
			if err := check(cmd, args); err != nil {
				return usageError{err}
			}
			return nil
		}
	}
	for _, sub := range c.Commands() {
		wrapArgs(sub)
	}
}

// open starts the service modules (storage, core; no server) and fills
// targets, pointers to what the command needs. stop releases the database.
func (e *env) open(ctx context.Context, targets ...any) (stop func(), err error) {
	app := fx.New(bootstrap.Service(e.cfg, e.stderr), fx.Populate(targets...))
	if err := app.Start(ctx); err != nil {
		return nil, dig.RootCause(err)
	}
	return func() { _ = app.Stop(context.Background()) }, nil
}
