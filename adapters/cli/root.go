// Package cli is the admin command line: the second inbound adapter over
// the same use cases as the HTTP API, plus the commands that run the
// service (serve, demo) and look after its database (migrate, seed).
package cli

import (
	"context"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"strings"

	"github.com/spf13/cobra"

	"supportdesk/core"
	"supportdesk/core/redact"
)

// Exit codes of every command.
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

// env carries what every command shares: the backend, the settings and
// where output goes.
type env struct {
	backend  Backend
	settings Settings
	stdout   io.Writer
	stderr   io.Writer
}

// Run executes the command line args (without the program name) on
// backend and returns the process exit code. Errors are printed to stderr
// as one line; an invalid environment is a usage error, like a bad flag.
func Run(ctx context.Context, backend Backend, args []string, stdout, stderr io.Writer) int {
	settings, err := backend.Environment()
	if err != nil {
		fmt.Fprintln(stderr, "supportdesk: "+oneLine(err))
		return ExitUsage
	}
	e := &env{backend: backend, settings: settings, stdout: stdout, stderr: stderr}
	root := newRoot(e)
	root.SetArgs(args)
	root.SetOut(stdout)
	root.SetErr(stderr)
	err = root.ExecuteContext(ctx)
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
	root.PersistentFlags().StringVar(&e.settings.DatabaseURL, "database-url", e.settings.DatabaseURL,
		"postgres:// URL or SQLite file path (env SUPPORTDESK_DATABASE_URL)")
	root.SetFlagErrorFunc(func(_ *cobra.Command, err error) error { return usageError{err} })
	root.AddCommand(newMigrate(e), newSeed(e), newServe(e), newDemo(e), newRequest(e), newToken(e), newAgent(e), newWebhook(e), newDeliveries(e))
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

// dbNeed is what a command needs of the database.
type dbNeed int

const (
	// mayCreate: the command makes the database if it is missing (a
	// SQLite file that does not exist yet): migrate and seed.
	mayCreate dbNeed = iota
	// existing: a database made earlier, with or without its migrations.
	existing
	// migrated: a database made earlier with every migration applied.
	migrated
)

// withService runs f on the ports of the service opened for one command,
// then releases the database. Only a command that may create the database
// makes a missing SQLite file: any other names the path it did not find,
// so a mistyped path or another working directory is not a new empty
// database. A command that needs the migrations refuses a database with
// pending ones first: it would otherwise fail on a missing table with
// nothing but "internal error".
func (e *env) withService(ctx context.Context, need dbNeed, f func(Ports) error) error {
	p, close, err := e.backend.Open(ctx, e.settings, need == mayCreate)
	if errors.Is(err, fs.ErrNotExist) {
		return fmt.Errorf("%w; run `supportdesk migrate` (or `seed`, or `demo`) to create it, or name the right file with --database-url or SUPPORTDESK_DATABASE_URL", err)
	}
	if err != nil {
		return err
	}
	defer close()
	if need == migrated {
		ok, err := p.Schema.Migrated(ctx)
		if err != nil {
			return err
		}
		if !ok {
			engine := p.Schema.Engine()
			return fmt.Errorf("the %s database %s has pending migrations; run `supportdesk migrate` first", engine, e.shownDatabaseURL(engine))
		}
	}
	return f(p)
}
