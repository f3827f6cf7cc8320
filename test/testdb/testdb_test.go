package testdb

import (
	"fmt"
	"os"
	"runtime"
	"strings"
	"testing"
)

// outcome records how a helper ended a fake test.
type outcome struct {
	testing.TB
	skipped, failed string
}

func (o *outcome) Helper() {}

func (o *outcome) Skipf(format string, args ...any) {
	o.skipped = fmt.Sprintf(format, args...)
	runtime.Goexit()
}

func (o *outcome) Fatalf(format string, args ...any) {
	o.failed = fmt.Sprintf(format, args...)
	runtime.Goexit()
}

// run calls fn with a fake test on its own goroutine, as the testing
// package runs a test, so that Skipf and Fatalf can end it.
func run(t *testing.T, fn func(tb testing.TB)) *outcome {
	o := &outcome{TB: t}
	done := make(chan struct{})
	go func() {
		defer close(done)
		fn(o)
	}()
	<-done
	return o
}

func TestPostgresWithoutAServerSkipsButFailsInCI(t *testing.T) {
	for _, c := range []struct {
		name, url, ci string
		wantSkip      bool
	}{
		{"unset", "", "", true},
		{"unreachable", "postgres://postgres@127.0.0.1:1/postgres?sslmode=disable&connect_timeout=2", "", true},
		{"unset in CI", "", "true", false},
		{"unreachable in CI", "postgres://postgres@127.0.0.1:1/postgres?sslmode=disable&connect_timeout=2", "true", false},
	} {
		t.Run(c.name, func(t *testing.T) {
			t.Setenv(PostgresURLEnv, c.url)
			t.Setenv("CI", c.ci)
			o := run(t, func(tb testing.TB) { Postgres(tb) })
			switch {
			case c.wantSkip && (o.failed != "" || !strings.HasPrefix(o.skipped, "PostgreSQL skipped: ")):
				t.Errorf("skipped %q, failed %q; want a skip starting with \"PostgreSQL skipped: \"", o.skipped, o.failed)
			case !c.wantSkip && (o.skipped != "" || o.failed == ""):
				t.Errorf("skipped %q, failed %q; want a failure under CI=true", o.skipped, o.failed)
			}
		})
	}
}

func TestPostgresGivesAFreshDatabaseAndDropsIt(t *testing.T) {
	var name string
	t.Run("use", func(t *testing.T) {
		db := Postgres(t)
		if err := db.Gorm().Raw("SELECT current_database()").Scan(&name).Error; err != nil {
			t.Fatal(err)
		}
		if !strings.HasPrefix(name, "supportdesk_test_") {
			t.Errorf("database %q is not a test database", name)
		}
		var tables int
		if err := db.Gorm().Raw("SELECT count(*) FROM information_schema.tables WHERE table_name = 'support_requests'").Scan(&tables).Error; err != nil || tables != 1 {
			t.Errorf("support_requests tables = %d (%v), want a migrated database", tables, err)
		}
	})
	if name == "" {
		return // skipped: no server
	}
	admin, err := adminDB(os.Getenv(PostgresURLEnv))
	if err != nil {
		t.Fatal(err)
	}
	var left int
	if err := admin.Gorm().Raw("SELECT count(*) FROM pg_database WHERE datname = ?", name).Scan(&left).Error; err != nil {
		t.Fatal(err)
	}
	if left != 0 {
		t.Errorf("database %s still exists after its test ended", name)
	}
}

func TestSQLiteGivesAFreshMigratedFile(t *testing.T) {
	a, b := SQLite(t), SQLite(t)
	Exec(t, a, "INSERT INTO workspaces (id, name) VALUES ('00000000-0000-4000-8000-000000000001', 'a')")
	var n int
	if err := b.Gorm().Raw("SELECT count(*) FROM workspaces").Scan(&n).Error; err != nil || n != 0 {
		t.Errorf("second database has %d workspaces (%v), want a fresh one", n, err)
	}
}
