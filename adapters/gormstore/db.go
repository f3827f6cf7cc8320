// Package gormstore is the storage adapter: GORM over PostgreSQL or
// SQLite, implementing the outbound ports of supportdesk.
package gormstore

import (
	"context"
	"database/sql"
	"fmt"
	"strings"
	"time"

	"github.com/glebarez/sqlite"
	"github.com/pressly/goose/v3"
	"gorm.io/driver/postgres"
	"gorm.io/gorm"
	"gorm.io/gorm/logger"

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
}

// DialectOf returns the engine a SUPPORTDESK_DATABASE_URL value names:
// postgres:// or postgresql:// URLs are PostgreSQL, anything else is a
// SQLite file path.
func DialectOf(url string) Dialect {
	if strings.HasPrefix(url, "postgres://") || strings.HasPrefix(url, "postgresql://") {
		return Postgres
	}
	return SQLite
}

// Open connects to url (see DialectOf); an empty url means DefaultURL. It
// does not migrate.
func Open(ctx context.Context, url string) (*DB, error) {
	if url == "" {
		url = DefaultURL
	}
	d := DialectOf(url)
	cfg := &gorm.Config{
		// Queries and their arguments never reach the logs: arguments can
		// hold request text.
		Logger:                 logger.Discard,
		SkipDefaultTransaction: true,
		PrepareStmt:            false,
		NowFunc:                func() time.Time { return time.Now().UTC().Truncate(time.Microsecond) },
	}
	var (
		g   *gorm.DB
		err error
	)
	switch d {
	case Postgres:
		g, err = gorm.Open(postgres.Open(url), cfg)
	default:
		g, err = gorm.Open(sqlite.Open(sqliteDSN(url)), cfg)
	}
	if err != nil {
		return nil, fmt.Errorf("open %s database: %w", d, err)
	}
	sqlDB, err := g.DB()
	if err != nil {
		return nil, fmt.Errorf("open %s database: %w", d, err)
	}
	if d == SQLite {
		// One writer at a time is all SQLite allows; a small pool keeps
		// readers concurrent in WAL mode without piling up busy waits.
		sqlDB.SetMaxOpenConns(4)
	} else {
		sqlDB.SetMaxOpenConns(32)
		sqlDB.SetMaxIdleConns(32)
	}
	sqlDB.SetConnMaxIdleTime(5 * time.Minute)
	if err := sqlDB.PingContext(ctx); err != nil {
		_ = sqlDB.Close()
		return nil, fmt.Errorf("connect to %s database: %w", d, err)
	}
	return &DB{gorm: g, sql: sqlDB, dialect: d}, nil
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
		return unavailable(err)
	}
	return nil
}

func (db *DB) goose() (*goose.Provider, error) {
	fsys, err := migrations.For(string(db.dialect))
	if err != nil {
		return nil, fmt.Errorf("load %s migrations: %w", db.dialect, err)
	}
	gd := goose.DialectPostgres
	if db.dialect == SQLite {
		gd = goose.DialectSQLite3
	}
	return goose.NewProvider(gd, db.sql, fsys)
}

// Migrate applies every pending migration.
func (db *DB) Migrate(ctx context.Context) error {
	p, err := db.goose()
	if err != nil {
		return err
	}
	if _, err := p.Up(ctx); err != nil {
		return fmt.Errorf("apply %s migrations: %w", db.dialect, err)
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
		return nil, fmt.Errorf("read %s migration status: %w", db.dialect, err)
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
		return false, unavailable(err)
	}
	return !pending, nil
}
