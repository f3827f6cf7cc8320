// Package gormstore is the storage adapter: GORM over PostgreSQL or
// SQLite, implementing the outbound ports of supportdesk.
package gormstore

import (
	"cmp"
	"context"
	"database/sql"
	"errors"
	"fmt"
	"io/fs"
	neturl "net/url"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"time"

	"github.com/libtnb/sqlite"
	"github.com/pressly/goose/v3"
	"github.com/pressly/goose/v3/lock"
	"gorm.io/driver/postgres"
	"gorm.io/gorm"
	"gorm.io/gorm/logger"

	"supportdesk/core"
	"supportdesk/migrations"
)

// Dialect names a database engine.
type Dialect string

// Supported engines.
const (
	Postgres Dialect = "postgres"
	SQLite   Dialect = "sqlite"
)

// DefaultURL is the embedded default: a SQLite file in the working directory.
const DefaultURL = "supportdesk.db"

// DB is an open database with its dialect.
type DB struct {
	gorm    *gorm.DB
	sql     *sql.DB
	dialect Dialect
	name    string // for error messages: the SQLite path, or the PostgreSQL URL without credentials
	url     string // to LISTEN on a connection of its own; never printed
	// written receives after a commit that wrote outbox events, for the
	// relay of this process.
	written chan struct{}
	// relayHere: see Options.RelayHere.
	relayHere bool
}

// DialectOf returns the engine a SUPPORTDESK_DATABASE_URL value names:
// postgres:// or postgresql:// URLs are PostgreSQL, anything else is a
// SQLite file path (Open refuses other URL schemes).
func DialectOf(url string) Dialect {
	if strings.HasPrefix(url, "postgres://") || strings.HasPrefix(url, "postgresql://") {
		return Postgres
	}
	return SQLite
}

// otherScheme matches a URL of a scheme Open does not take (mysql://…),
// which would otherwise become the name of a SQLite file.
var otherScheme = regexp.MustCompile(`^[A-Za-z][A-Za-z0-9+.-]*://`)

// Options change what Open requires of the database.
type Options struct {
	// Existing refuses to create a SQLite file: the file must exist. For
	// commands that only work on a database made earlier, so that a
	// mistyped path or another working directory is an error naming the
	// path, not a new empty database.
	Existing bool
	// NoWait returns the pool without waiting for the database to answer,
	// for a server that starts before its database does: the first query
	// (or Ping) connects. A URL that does not parse is still an error.
	NoWait bool
	// RelayHere says a relay runs in this process (serve, demo): it is
	// woken within the process when a request is created. Without, a
	// creation on PostgreSQL notifies the relays of other processes after
	// its commit.
	RelayHere bool
}

// Open connects to url (see DialectOf), creating a SQLite file that does
// not exist yet; an empty url means DefaultURL. It does not migrate.
func Open(ctx context.Context, url string) (*DB, error) {
	return OpenWith(ctx, url, Options{})
}

// OpenWith is Open with options. Its errors name the database: the SQLite
// path, or the PostgreSQL URL without its credentials. A SQLite file that
// Existing requires and that does not exist is an error that matches
// fs.ErrNotExist.
func OpenWith(ctx context.Context, url string, o Options) (*DB, error) {
	if url == "" {
		url = DefaultURL
	}
	d := DialectOf(url)
	if d == SQLite && otherScheme.MatchString(url) {
		// Only the scheme: the rest may hold credentials.
		scheme, _, _ := strings.Cut(url, "://")
		return nil, fmt.Errorf("unsupported database URL %q: use a postgres:// URL or a SQLite file path", scheme+"://…")
	}
	db := &DB{dialect: d, name: displayName(d, url), url: url, written: make(chan struct{}, 1), relayHere: o.RelayHere}
	if d == SQLite {
		if err := db.checkSQLitePath(url, o.Existing); err != nil {
			return nil, err
		}
	}
	cfg := &gorm.Config{
		// Queries and their arguments never reach the logs: arguments can
		// hold request text.
		Logger:                 logger.Discard,
		SkipDefaultTransaction: true,
		PrepareStmt:            false,
		NowFunc:                func() time.Time { return core.StoredTime(time.Now()) },
		// Open pings below, when asked to.
		DisableAutomaticPing: true,
	}
	var err error
	switch d {
	case Postgres:
		db.gorm, err = gorm.Open(postgres.Open(url), cfg)
	default:
		db.gorm, err = gorm.Open(sqlite.Open(sqliteDSN(url)), cfg)
	}
	if err != nil {
		return nil, fmt.Errorf("open %s: %w", db, err)
	}
	if db.sql, err = db.gorm.DB(); err != nil {
		return nil, fmt.Errorf("open %s: %w", db, err)
	}
	if d == SQLite {
		// One writer at a time is all SQLite allows; a small pool keeps
		// readers concurrent in WAL mode without piling up busy waits.
		db.sql.SetMaxOpenConns(4)
	} else {
		db.sql.SetMaxOpenConns(32)
		db.sql.SetMaxIdleConns(32)
	}
	db.sql.SetConnMaxIdleTime(5 * time.Minute)
	if o.NoWait {
		return db, nil
	}
	if err := db.sql.PingContext(ctx); err != nil {
		_ = db.sql.Close()
		return nil, fmt.Errorf("connect to %s: %w", db, err)
	}
	return db, nil
}

// String names db for messages: "sqlite database PATH" or "postgres
// database URL" without credentials.
func (db *DB) String() string { return fmt.Sprintf("%s database %s", db.dialect, db.name) }

// displayName is url as messages show it: a PostgreSQL URL without its
// user, password and parameters (which may hold a password), a SQLite
// path without its parameters.
func displayName(d Dialect, raw string) string {
	if d == SQLite {
		// Absolute, so that a command run from another directory says
		// where it looked.
		path, _, _ := strings.Cut(raw, "?")
		if abs, err := filepath.Abs(path); err == nil && path != ":memory:" && !strings.HasPrefix(path, "file:") {
			return abs
		}
		return path
	}
	u, err := neturl.Parse(raw)
	if err != nil {
		return string(d) + "://…" // a URL that does not parse may hold anything
	}
	return (&neturl.URL{Scheme: u.Scheme, Host: u.Host, Path: u.Path}).String()
}

// checkSQLitePath refuses, before the driver sees it, a path whose
// directory does not exist (the driver would say "out of memory (14)"), a
// directory, and, when the file must exist, a missing file — which
// matches fs.ErrNotExist.
func (db *DB) checkSQLitePath(raw string, existing bool) error {
	path, _, _ := strings.Cut(raw, "?")
	if path == ":memory:" || strings.HasPrefix(path, "file:") {
		return nil // the driver's own forms
	}
	dir := filepath.Dir(path)
	if st, err := os.Stat(dir); err != nil || !st.IsDir() {
		abs, _ := filepath.Abs(dir)
		return fmt.Errorf("open %s: the directory %s does not exist", db, cmp.Or(abs, dir))
	}
	st, err := os.Stat(path)
	switch {
	case errors.Is(err, fs.ErrNotExist) && existing:
		return fmt.Errorf("open %s: %w", db, fs.ErrNotExist)
	case errors.Is(err, fs.ErrNotExist):
		return nil
	case err != nil:
		return fmt.Errorf("open %s: %w", db, err)
	case st.IsDir():
		return fmt.Errorf("open %s: it is a directory, not a database file", db)
	}
	return nil
}

// sqliteDSN adds the pragmas every connection needs: WAL so readers do not
// block the writer, a busy timeout instead of immediate SQLITE_BUSY,
// foreign keys on, and immediate write transactions so two writers never
// deadlock upgrading a read lock.
func sqliteDSN(path string) string {
	sep := "?"
	if strings.Contains(path, "?") {
		sep = "&"
	}
	return path + sep + "_pragma=journal_mode(WAL)&_pragma=busy_timeout(10000)&_pragma=foreign_keys(1)&_pragma=synchronous(NORMAL)&_txlock=immediate"
}

// Dialect returns the engine of db.
func (db *DB) Dialect() Dialect { return db.dialect }

// Gorm returns the GORM handle, for adapters of this package's family
// (the fixture import) and tests.
func (db *DB) Gorm() *gorm.DB { return db.gorm }

// SQL returns the underlying pool.
func (db *DB) SQL() *sql.DB { return db.sql }

// Close closes the pool.
func (db *DB) Close() error { return db.sql.Close() }

// Ping checks that the database answers.
func (db *DB) Ping(ctx context.Context) error {
	if err := db.sql.PingContext(ctx); err != nil {
		return toCoreError(err)
	}
	return nil
}

func (db *DB) goose() (*goose.Provider, error) {
	fsys, err := migrations.For(string(db.dialect))
	if err != nil {
		return nil, fmt.Errorf("load %s migrations: %w", db.dialect, err)
	}
	// A database migrated before a lower version was added (00004 came
	// after 00005 and 00006) applies it on its next migrate instead of
	// refusing to. Such a late version must not depend on the higher ones
	// already applied; 00004 depends on none.
	outOfOrder := goose.WithAllowOutofOrder(true)
	if db.dialect == SQLite {
		// SQLite serialises writers itself.
		return goose.NewProvider(goose.DialectSQLite3, db.sql, fsys, outOfOrder)
	}
	// Instances starting together take turns on an advisory lock, so
	// that only the first applies a migration and the rest find it done.
	locker, err := lock.NewPostgresSessionLocker(lock.WithLockTimeout(1, 300))
	if err != nil {
		return nil, fmt.Errorf("lock %s migrations: %w", db.dialect, err)
	}
	return goose.NewProvider(goose.DialectPostgres, db.sql, fsys, goose.WithSessionLocker(locker), outOfOrder)
}

// Migrate applies every pending migration.
func (db *DB) Migrate(ctx context.Context) error {
	p, err := db.goose()
	if err != nil {
		return err
	}
	if _, err := p.Up(ctx); err != nil {
		return fmt.Errorf("apply migrations to %s: %w", db, err)
	}
	return nil
}

// Migration is the state of one migration.
type Migration struct {
	Version   int64
	Name      string
	Applied   bool
	AppliedAt time.Time
}

// MigrationStatus lists every known migration and whether it is applied.
func (db *DB) MigrationStatus(ctx context.Context) ([]Migration, error) {
	p, err := db.goose()
	if err != nil {
		return nil, err
	}
	st, err := p.Status(ctx)
	if err != nil {
		return nil, fmt.Errorf("read the migration status of %s: %w", db, err)
	}
	out := make([]Migration, 0, len(st))
	for _, s := range st {
		out = append(out, Migration{
			Version:   s.Source.Version,
			Name:      s.Source.Path,
			Applied:   s.State == goose.StateApplied,
			AppliedAt: s.AppliedAt,
		})
	}
	return out, nil
}

// Migrated reports whether every known migration is applied.
func (db *DB) Migrated(ctx context.Context) (bool, error) {
	p, err := db.goose()
	if err != nil {
		return false, err
	}
	pending, err := p.HasPending(ctx)
	if err != nil {
		return false, toCoreError(err)
	}
	return !pending, nil
}
