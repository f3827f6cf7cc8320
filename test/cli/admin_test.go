package cli_test

import (
	"context"
	"fmt"
	"io"
	"io/fs"
	"maps"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"

	"go.uber.org/fx"

	"supportdesk/adapters/cli"
	"supportdesk/adapters/gormstore"
	"supportdesk/bootstrap"
	"supportdesk/core"
	"supportdesk/core/credential"
	"supportdesk/migrations"
	"supportdesk/ports"
)

func TestTokenIssue(t *testing.T) {
	forEachEngine(t, func(t *testing.T, e engine) {
		d := newDesk(t, e)
		issue := func(t *testing.T, email string) string {
			t.Helper()
			r := d.run(t, "token", "issue", "--user", email)
			if r.code != 0 || r.stderr != "issued an API token for "+email+"; keep it now, it cannot be shown again\n" {
				t.Fatalf("got %s", r)
			}
			token := strings.TrimSuffix(r.stdout, "\n")
			if token == "" || strings.ContainsAny(token, " \t\n") {
				t.Fatalf("stdout %q is not one token on one line", r.stdout)
			}
			return token
		}
		first := issue(t, readonly)
		second := issue(t, readonly)
		if first == second {
			t.Fatal("two issues printed the same token")
		}

		desk := deskService(t, d.url)
		for _, token := range []string{first, second} {
			actor, err := desk.Authenticate(context.Background(), token)
			if err != nil || actor.Email != readonly {
				t.Errorf("Authenticate(issued token) = %+v, %v; want %s", actor, err, readonly)
			}
			// Only the hash is stored; the token itself is nowhere in the table.
			var plain, hashed int64
			d.sql(t).Gorm().Raw("SELECT count(*) FROM api_tokens WHERE token_hash = ?", credential.Hash(token)).Scan(&hashed)
			d.sql(t).Gorm().Raw("SELECT count(*) FROM api_tokens WHERE token_hash = ? OR CAST(user_id AS TEXT) = ? OR CAST(created_at AS TEXT) LIKE ?",
				token, token, "%"+token+"%").Scan(&plain)
			if hashed != 1 || plain != 0 {
				t.Errorf("api_tokens holds the hash %d times and the token %d times", hashed, plain)
			}
		}
		if _, err := desk.Authenticate(context.Background(), first+"x"); core.KindOf(err) != core.KindUnauthenticated {
			t.Errorf("a changed token authenticated: %v", err)
		}

		d.run(t, "token", "issue", "--user", "nobody@acme.example").
			fails(t, cli.ExitFailure, "supportdesk: no user with email \"nobody@acme.example\"\n")
		d.run(t, "token", "issue").fails(t, cli.ExitUsage, "supportdesk: token issue needs --user EMAIL\n")
		d.run(t, "token", "issue", "--user").failsWith(t, cli.ExitUsage, "flag needs an argument: --user")
		d.run(t, "token", "revoke").fails(t, cli.ExitUsage, "supportdesk: unknown command \"revoke\" for \"supportdesk token\"\n")
	})
}

// deskService starts the service modules on url, as a command does, and
// returns the use cases.
func deskService(t *testing.T, url string) ports.SupportDesk {
	t.Helper()
	var desk ports.SupportDesk
	app := fx.New(bootstrap.Service(bootstrap.Config{DatabaseURL: url}, io.Discard), fx.Populate(&desk))
	if err := app.Start(context.Background()); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { app.Stop(context.Background()) })
	return desk
}

func TestSeed(t *testing.T) {
	forEachEngine(t, func(t *testing.T, e engine) {
		d := emptyDesk(t, e)
		d.run(t, "seed", "--file", fixturePath).ok(t, fixtureCount)
		seeded := d.rowCounts(t)

		for _, c := range []struct {
			name    string
			fixture string
			want    []string
		}{
			{"bad JSON", `{"workspaces": [}`, []string{"line 1"}},
			{"unknown enum value",
				`{"workspaces": [{"id": "a1000000-0000-4000-8000-0000000000aa", "name": "New"}],
				  "tenants": [{"id": "c3000000-0000-4000-8000-0000000000aa", "workspace_id": "a1000000-0000-4000-8000-0000000000aa",
				               "name": "T", "external_id": "t", "status": "archived"}]}`,
				[]string{"tenants[0].status"}},
			{"dangling reference",
				`{"workspaces": [{"id": "a1000000-0000-4000-8000-0000000000aa", "name": "New"}],
				  "tenants": [{"id": "c3000000-0000-4000-8000-0000000000aa", "workspace_id": "a1000000-0000-4000-8000-0000000000aa",
				               "name": "T", "external_id": "t", "status": "active"},
				              {"id": "c3000000-0000-4000-8000-0000000000ab", "workspace_id": "a1000000-0000-4000-8000-0000000000ff",
				               "name": "U", "external_id": "u", "status": "active"}]}`,
				[]string{"tenants[1].workspace_id"}},
			// Valid on its own, refused by the database's state.
			{"email already taken",
				`{"workspaces": [{"id": "a1000000-0000-4000-8000-0000000000aa", "name": "New"}],
				  "users": [{"id": "b2000000-0000-4000-8000-0000000000aa", "name": "Ann Again", "email": "OWNER@acme.example"}]}`,
				[]string{"users[0].email"}},
			{"the same file again", "", []string{"workspaces[0].id", acmeWorkspace}},
		} {
			t.Run(c.name, func(t *testing.T) {
				path := fixturePath
				if c.fixture != "" {
					path = filepath.Join(t.TempDir(), "fixture.json")
					if err := os.WriteFile(path, []byte(c.fixture), 0o600); err != nil {
						t.Fatal(err)
					}
				}
				d.run(t, "seed", "--file", path).failsWith(t, cli.ExitFailure, c.want...)
				if after := d.rowCounts(t); !maps.Equal(after, seeded) {
					t.Errorf("a refused seed changed the database: %v, was %v", after, seeded)
				}
			})
		}

		d.run(t, "seed", "--file", filepath.Join(t.TempDir(), "missing.json")).failsWith(t, cli.ExitFailure, "open fixture", "missing.json")
		d.run(t, "seed").fails(t, cli.ExitUsage, "supportdesk: seed needs exactly one of --file F or --demo\n")
		d.run(t, "seed", "--demo", "--file", fixturePath).fails(t, cli.ExitUsage, "supportdesk: seed needs exactly one of --file F or --demo\n")
	})
}

func TestMigrate(t *testing.T) {
	forEachEngine(t, func(t *testing.T, e engine) {
		d := deskAt(t, blankDatabase(t, e))
		fsys, err := migrations.For(e.name)
		if err != nil {
			t.Fatal(err)
		}
		files, err := fs.Glob(fsys, "*.sql")
		if err != nil || len(files) == 0 {
			t.Fatalf("no %s migrations: %v", e.name, err)
		}
		var pending, applied strings.Builder
		// Versions are the files' numbers, which may have gaps (each
		// issue has its number reserved).
		for _, f := range files {
			version := f[:5]
			fmt.Fprintf(&pending, "%s  %-32s pending\n", version, f)
			applied.WriteString(regexp.QuoteMeta(fmt.Sprintf("%s  %-32s applied ", version, f)) + `\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ\n`)
		}

		d.run(t, "migrate", "status").ok(t, pending.String())
		// Commands that need the schema say what to do.
		d.run(t, "request", "list").fails(t, cli.ExitFailure,
			fmt.Sprintf("supportdesk: the %s database has pending migrations; run `supportdesk migrate` first\n", e.name))

		d.run(t, "migrate").ok(t, e.name+" database is up to date\n")
		if r := d.run(t, "migrate", "status").ok(t); !regexp.MustCompile("^" + applied.String() + "$").MatchString(r.stdout) {
			t.Errorf("migrate status after migrate:\n%s", r.stdout)
		}
		// Migrating again changes nothing.
		d.run(t, "migrate").ok(t, e.name+" database is up to date\n")
		d.run(t, "request", "list", "--json").ok(t, "")
		d.run(t, "migrate", "down").failsWith(t, cli.ExitUsage, "unknown command \"down\"")
	})
}

// blankDatabase returns the URL of an empty database of engine e, without
// migrations: a file path that does not exist yet for SQLite, a new
// database next to a fresh test database for PostgreSQL.
func blankDatabase(t *testing.T, e engine) string {
	t.Helper()
	if e.name == string(gormstore.SQLite) {
		return filepath.Join(t.TempDir(), "blank.db")
	}
	url := e.url(t) // skips when PostgreSQL is not available
	db, err := gormstore.Open(context.Background(), url)
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	var name string
	db.Gorm().Raw("SELECT current_database()").Scan(&name)
	blank := name + "_blank"
	if err := db.Gorm().Exec("CREATE DATABASE " + blank).Error; err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() {
		db, err := gormstore.Open(context.Background(), url)
		if err != nil {
			t.Error(err)
			return
		}
		defer db.Close()
		if err := db.Gorm().Exec("DROP DATABASE IF EXISTS " + blank + " WITH (FORCE)").Error; err != nil {
			t.Error(err)
		}
	})
	return strings.Replace(url, "/"+name, "/"+blank, 1)
}
