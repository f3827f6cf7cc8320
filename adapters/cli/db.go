package cli

import (
	"context"
	"fmt"
	"os"

	"github.com/spf13/cobra"

	"supportdesk/adapters/fixture"
	"supportdesk/core/platform"
)

func newMigrate(e *env) *cobra.Command {
	cmd := &cobra.Command{
		Use:   "migrate",
		Short: "Apply pending database migrations",
		Args:  cobra.NoArgs,
		RunE:  func(cmd *cobra.Command, _ []string) error { return e.runMigrate(cmd.Context()) },
	}
	cmd.AddCommand(&cobra.Command{
		Use:   "status",
		Short: "List migrations and whether each is applied",
		Args:  cobra.NoArgs,
		RunE:  func(cmd *cobra.Command, _ []string) error { return e.runMigrateStatus(cmd.Context()) },
	})
	return cmd
}

func (e *env) runMigrate(ctx context.Context) error {
	return e.withService(ctx, mayCreate, func(p Ports) error {
		if err := p.Schema.Migrate(ctx); err != nil {
			return err
		}
		fmt.Fprintf(e.stdout, "%s database is up to date\n", p.Schema.Engine())
		return nil
	})
}

func (e *env) runMigrateStatus(ctx context.Context) error {
	return e.withService(ctx, existing, func(p Ports) error {
		list, err := p.Schema.Migrations(ctx)
		if err != nil {
			return err
		}
		for _, m := range list {
			state := "pending"
			if m.Applied {
				state = "applied " + m.AppliedAt.UTC().Format(timeLayout)
			}
			fmt.Fprintf(e.stdout, "%05d  %-32s %s\n", m.Version, m.Name, state)
		}
		return nil
	})
}

// seedOptions are the flags of seed.
type seedOptions struct {
	file string
	demo bool
}

func newSeed(e *env) *cobra.Command {
	var opts seedOptions
	cmd := &cobra.Command{
		Use:   "seed (--file F | --demo)",
		Short: "Import a fixture file or the built-in demo data, in one transaction",
		Args:  cobra.NoArgs,
		RunE:  func(cmd *cobra.Command, _ []string) error { return e.runSeed(cmd.Context(), opts) },
	}
	cmd.Flags().StringVar(&opts.file, "file", "", "fixture file to import")
	cmd.Flags().BoolVar(&opts.demo, "demo", false, "import the built-in demo data")
	return cmd
}

func (e *env) runSeed(ctx context.Context, opts seedOptions) error {
	if (opts.file == "") == !opts.demo {
		return usagef("seed needs exactly one of --file F or --demo")
	}
	var records *platform.Records
	if opts.demo {
		records = fixture.Demo()
	} else {
		r, err := os.Open(opts.file)
		if err != nil {
			return fmt.Errorf("open fixture: %w", err)
		}
		defer r.Close()
		if records, err = fixture.Parse(r); err != nil {
			return err
		}
	}
	return e.withService(ctx, mayCreate, func(p Ports) error {
		if err := p.Schema.Migrate(ctx); err != nil {
			return err
		}
		counts, err := p.Records.Import(ctx, records)
		if err != nil {
			return err
		}
		fmt.Fprintf(e.stdout, "imported %s\n", counts)
		return nil
	})
}
