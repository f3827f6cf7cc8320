// Package testdb gives storage tests a fresh, migrated database on each
// engine, and removes it when the test ends.
//
// A fresh PostgreSQL database costs about 100 ms on an idle machine, and
// up to a second on a busy one (CREATE DATABASE plus the migrations): open
// one per top-level test and let its subtests share it, each with rows of
// its own (fresh UUIDs), rather than one per subtest. SQLite databases are
// cheap, but follow the same pattern so a suite runs alike on both.
//
//	func TestX(t *testing.T) {
//		for _, e := range testdb.Engines() {
//			t.Run(e.Name, func(t *testing.T) {
//				db := e.Open(t)
//				…
//			})
//		}
//	}
package testdb

import (
	"context"
	"crypto/rand"
	"fmt"
	"net/url"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"supportdesk/adapters/gormstore"
)

// PostgresURLEnv names the environment variable holding the URL of a
// PostgreSQL server, e.g.
// postgres://postgres@127.0.0.1:5432/postgres?sslmode=disable. The role
// must be allowed to create databases; the database in the URL is only
// used to create and drop the test databases.
const PostgresURLEnv = "SUPPORTDESK_TEST_POSTGRES_URL"

// setupTimeout bounds connecting, creating and migrating a database.
const setupTimeout = 30 * time.Second

// Engine is one database engine the storage suites run on.
type Engine struct {
	// Name is "sqlite" or "postgres", fit for t.Run.
	Name string
	// Open returns a fresh migrated database, closed (and dropped) in
	// cleanup. On PostgreSQL it skips the test when no server is
	// configured or reachable, or fails it under CI=true.
	Open func(t testing.TB) *gormstore.DB
}

// Engines returns every engine, SQLite first.
func Engines() []Engine {
	return []Engine{
		{Name: string(gormstore.SQLite), Open: SQLite},
		{Name: string(gormstore.Postgres), Open: Postgres},
	}
}

// SQLite returns a fresh migrated SQLite database in a file under
// t.TempDir(), closed in cleanup.
func SQLite(t testing.TB) *gormstore.DB {
	t.Helper()
	return open(t, SQLitePath(t))
}

// SQLitePath returns the path of a fresh migrated SQLite database file
// under t.TempDir(), for tests that hand a database URL to the program
// (the CLI, the fx app) rather than a *gormstore.DB.
func SQLitePath(t testing.TB) string {
	t.Helper()
	path := filepath.Join(t.TempDir(), "supportdesk.db")
	migrate(t, path)
	return path
}

// Postgres returns a fresh migrated PostgreSQL database, closed and
// dropped in cleanup. See PostgresURL for when it skips.
func Postgres(t testing.TB) *gormstore.DB {
	t.Helper()
	return open(t, PostgresURL(t))
}

// PostgresURL creates a fresh migrated PostgreSQL database with a unique
// random name on the server of PostgresURLEnv, drops it (WITH (FORCE)) in
// cleanup, and returns its URL. When the variable is unset or the server
// cannot be reached it skips the test — unless CI=true, where it fails
// it: CI must not pass without the PostgreSQL suite.
func PostgresURL(t testing.TB) string {
	t.Helper()
	adminURL := os.Getenv(PostgresURLEnv)
	if adminURL == "" {
		unavailable(t, "%s is not set", PostgresURLEnv)
	}
	admin, err := adminDB(adminURL)
	if err != nil {
		unavailable(t, "%v", err)
	}

	// rand.Text is base32: lower-cased, a valid unquoted identifier.
	name := "supportdesk_test_" + strings.ToLower(rand.Text())
	ctx, cancel := context.WithTimeout(context.Background(), setupTimeout)
	defer cancel()
	// A database name cannot be a bind parameter; this one is [a-z0-9_] only.
	if err := admin.Gorm().WithContext(ctx).Exec("CREATE DATABASE " + name).Error; err != nil {
		t.Fatalf("create test database %s: %v", name, err)
	}
	t.Cleanup(func() {
		ctx, cancel := context.WithTimeout(context.Background(), setupTimeout)
		defer cancel()
		if err := admin.Gorm().WithContext(ctx).Exec("DROP DATABASE IF EXISTS " + name + " WITH (FORCE)").Error; err != nil {
			t.Errorf("drop test database %s: %v", name, err)
		}
	})

	u, err := url.Parse(adminURL)
	if err != nil {
		t.Fatalf("parse %s: %v", PostgresURLEnv, err)
	}
	u.Path = "/" + name
	dbURL := u.String()
	migrate(t, dbURL)
	return dbURL
}

// admins holds, per server URL, the one connection pool of the test
// binary through which test databases are created and dropped, or why it
// could not connect, so an unreachable server costs one attempt, not one
// per test. The pools stay open until the process exits: every test's
// cleanup needs them.
var admins = struct {
	sync.Mutex
	byURL map[string]admin
}{byURL: map[string]admin{}}

type admin struct {
	db  *gormstore.DB
	err error
}

// connectTimeout bounds the first connection to the server.
const connectTimeout = 5 * time.Second

func adminDB(adminURL string) (*gormstore.DB, error) {
	admins.Lock()
	defer admins.Unlock()
	a, ok := admins.byURL[adminURL]
	if !ok {
		ctx, cancel := context.WithTimeout(context.Background(), connectTimeout)
		defer cancel()
		a.db, a.err = gormstore.Open(ctx, adminURL)
		admins.byURL[adminURL] = a
	}
	return a.db, a.err
}

// unavailable skips the test, or fails it under CI=true.
func unavailable(t testing.TB, format string, args ...any) {
	t.Helper()
	reason := fmt.Sprintf(format, args...)
	if os.Getenv("CI") == "true" {
		t.Fatalf("PostgreSQL suite did not run, which CI does not allow: %s", reason)
	}
	t.Skipf("PostgreSQL skipped: %s (set %s to run it)", reason, PostgresURLEnv)
}

// migrate applies the migrations to the database at url and closes it.
func migrate(t testing.TB, url string) {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), setupTimeout)
	defer cancel()
	db, err := gormstore.Open(ctx, url)
	if err != nil {
		t.Fatalf("open test database: %v", err)
	}
	defer db.Close()
	if err := db.Migrate(ctx); err != nil {
		t.Fatalf("migrate test database: %v", err)
	}
}

// open opens the database at url and closes it in cleanup.
func open(t testing.TB, url string) *gormstore.DB {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), setupTimeout)
	defer cancel()
	db, err := gormstore.Open(ctx, url)
	if err != nil {
		t.Fatalf("open test database: %v", err)
	}
	t.Cleanup(func() {
		if err := db.Close(); err != nil {
			t.Errorf("close test database: %v", err)
		}
	})
	return db
}

// Exec runs one statement on db and fails the test if it fails: for
// inserting test rows with plain SQL. Pass time.Time values for timestamp
// columns, never formatted strings, so that both engines store them as
// the adapter does.
func Exec(t testing.TB, db *gormstore.DB, query string, args ...any) {
	t.Helper()
	if err := db.Gorm().Exec(query, args...).Error; err != nil {
		t.Fatalf("exec %q: %v", query, err)
	}
}
