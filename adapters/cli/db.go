package cli

import (
	"fmt"
	"os"

	"github.com/spf13/cobra"

	"supportdesk/adapters/fixture"
	"supportdesk/adapters/gormstore"
)

func newMigrate(e *env) *cobra.Command {
	cmd := &cobra.Command{
		Use:   "migrate",
		Short: "Apply pending database migrations",
		Args:  cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			var db *gormstore.DB
			stop, err := e.open(cmd.Context(), &db)
			if err != nil {
				return err
			}
			defer stop()
			if err := db.Migrate(cmd.Context()); err != nil {
				return err
			}
			fmt.Fprintf(e.stdout, "%s database is up to date\n", db.Dialect())
			return nil
		},
	}
	cmd.AddCommand(&cobra.Command{
		Use:   "status",
		Short: "List migrations and whether each is applied",
		Args:  cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			var db *gormstore.DB
			stop, err := e.open(cmd.Context(), &db)
			if err != nil {
				return err
			}
			defer stop()
			list, err := db.MigrationStatus(cmd.Context())
			if err != nil {
				return err
			}
			for _, m := range list {
				state := "pending"
				if m.Applied {
					state = "applied " + m.AppliedAt.UTC().Format("2006-01-02T15:04:05Z")
				}
				fmt.Fprintf(e.stdout, "%05d  %-32s %s\n", m.Version, m.Name, state)
			}
			return nil
		},
	})
	return cmd
}

func newSeed(e *env) *cobra.Command {
	var (
		file string
		demo bool
	)
	cmd := &cobra.Command{
		Use:   "seed (--file F | --demo)",
		Short: "Import a fixture file (SPEC §10) or the built-in demo data, in one transaction",
		Args:  cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			if (file == "") == !demo {
				return usagef("seed needs exactly one of --file F or --demo")
			}
			var f *fixture.File
			if demo {
				f = fixture.Demo()
			} else {
				r, err := os.Open(file)
				if err != nil {
					return fmt.Errorf("open fixture: %w", err)
				}
				defer r.Close()
				if f, err = fixture.Parse(r); err != nil {
					return err
				}
			}
			var db *gormstore.DB
			stop, err := e.open(cmd.Context(), &db)
			if err != nil {
				return err
			}
			defer stop()
			if err := db.Migrate(cmd.Context()); err != nil {
				return err
			}
			counts, err := fixture.Import(cmd.Context(), db, f)
			if err != nil {
				return err
			}
			fmt.Fprintf(e.stdout, "imported %s\n", counts)
			return nil
		},
	}
	cmd.Flags().StringVar(&file, "file", "", "fixture file to import")
	cmd.Flags().BoolVar(&demo, "demo", false, "import the built-in demo data")
	return cmd
}
