package ports

import (
	"context"
	"time"

	"supportdesk/core/platform"
)

// Migration is the state of one schema migration.
type Migration struct {
	Version   int64
	Name      string
	Applied   bool
	AppliedAt time.Time
}

// Schema is the storage's schema, which the service migrates before it
// serves and the admin CLI's migrate command applies and lists.
type Schema interface {
	// Engine names the database engine: "postgres" or "sqlite".
	Engine() string
	// Migrate applies every pending migration.
	Migrate(ctx context.Context) error
	// Migrations lists every known migration and whether it is applied.
	Migrations(ctx context.Context) ([]Migration, error)
	// Migrated reports whether every known migration is applied.
	Migrated(ctx context.Context) (bool, error)
}

// RecordImporter writes the platform's records (a fixture file, the demo
// data) into storage: the admin CLI's seed and demo commands.
type RecordImporter interface {
	// Import writes every record of r in one transaction and returns how
	// many of each it wrote. A record whose id (or a user whose email, or
	// a token) is already stored is a KindInvalid error naming it as the
	// file does, e.g. `tenants[0].id: a tenant with id "…" already
	// exists`; a concurrent writer taking a key meanwhile is KindConflict.
	// Whatever fails, nothing is written.
	Import(ctx context.Context, r *platform.Records) (platform.Counts, error)
	// HasWorkspace reports whether the workspace with this id exists; an
	// import is all or nothing, so its first workspace tells whether it
	// was loaded.
	HasWorkspace(ctx context.Context, id string) (bool, error)
}
