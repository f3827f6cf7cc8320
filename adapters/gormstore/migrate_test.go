package gormstore_test

import (
	"context"
	"io/fs"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"testing/fstest"
	"time"

	"github.com/pressly/goose/v3"

	"supportdesk/adapters/gormstore"
	"supportdesk/migrations"
	"supportdesk/test/testdb"
)

// Several instances starting at once migrate one blank PostgreSQL
// database: every one of them succeeds, and the schema is applied once.
func TestConcurrentMigrationsOnPostgres(t *testing.T) {
	url := blankPostgres(t)
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()
	const instances = 8
	dbs := make([]*gormstore.DB, instances)
	for i := range dbs {
		var err error
		if dbs[i], err = gormstore.Open(ctx, url); err != nil {
			t.Fatal(err)
		}
		defer dbs[i].Close()
	}
	errs := make([]error, instances)
	start := make(chan struct{})
	var wg sync.WaitGroup
	for i, db := range dbs {
		wg.Go(func() {
			<-start
			errs[i] = db.Migrate(ctx)
		})
	}
	close(start)
	wg.Wait()
	for i, err := range errs {
		if err != nil {
			t.Errorf("instance %d: %v", i, err)
		}
	}
}

// blankPostgres returns the URL of an empty PostgreSQL database, without
// migrations, next to a fresh test database; it is dropped when the test
// ends.
func blankPostgres(t *testing.T) string {
	t.Helper()
	base := testdb.PostgresURL(t)
	admin, err := gormstore.Open(context.Background(), base)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = admin.Close() })
	var name string
	if err := admin.Gorm().Raw("SELECT current_database()").Scan(&name).Error; err != nil {
		t.Fatal(err)
	}
	blank := name + "_blank"
	testdb.Exec(t, admin, "CREATE DATABASE "+blank)
	t.Cleanup(func() { testdb.Exec(t, admin, "DROP DATABASE IF EXISTS "+blank+" WITH (FORCE)") })
	return strings.Replace(base, "/"+name, "/"+blank, 1)
}

// A database migrated before 00004 existed — at 00006, as the first
// releases with deliveries left it — applies 00004 on its next migrate
// and is then up to date.
func TestLateMigrationIsApplied(t *testing.T) {
	for _, e := range []gormstore.Dialect{gormstore.SQLite, gormstore.Postgres} {
		t.Run(string(e), func(t *testing.T) {
			url := filepath.Join(t.TempDir(), "old.db")
			if e == gormstore.Postgres {
				url = blankPostgres(t)
			}
			ctx := context.Background()
			db, err := gormstore.Open(ctx, url)
			if err != nil {
				t.Fatal(err)
			}
			defer db.Close()
			all, err := migrations.For(string(e))
			if err != nil {
				t.Fatal(err)
			}
			old := fstest.MapFS{}
			files, err := fs.Glob(all, "*.sql")
			if err != nil {
				t.Fatal(err)
			}
			for _, f := range files {
				if strings.HasPrefix(f, "00004_") {
					continue
				}
				body, err := fs.ReadFile(all, f)
				if err != nil {
					t.Fatal(err)
				}
				old[f] = &fstest.MapFile{Data: body}
			}
			dialect := map[gormstore.Dialect]goose.Dialect{gormstore.SQLite: goose.DialectSQLite3, gormstore.Postgres: goose.DialectPostgres}[e]
			p, err := goose.NewProvider(dialect, db.SQL(), old)
			if err != nil {
				t.Fatal(err)
			}
			if _, err := p.Up(ctx); err != nil {
				t.Fatalf("migrate without 00004: %v", err)
			}

			if err := db.Migrate(ctx); err != nil {
				t.Fatalf("migrate with 00004: %v", err)
			}
			list, err := db.MigrationStatus(ctx)
			if err != nil {
				t.Fatal(err)
			}
			for _, m := range list {
				if !m.Applied {
					t.Errorf("%s not applied", m.Name)
				}
			}
			if e == gormstore.Postgres {
				testdb.Exec(t, db, "SELECT count(*) FROM create_rate_limits")
			}
		})
	}
}
