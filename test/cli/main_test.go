// Package cli_test runs the supportdesk command line end to end, on SQLite
// and on PostgreSQL: the command tree in-process through cli.Run, and the
// built binary where the process boundary matters (environment, exit
// status, signals).
package cli_test

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
	"time"

	"supportdesk/adapters/cli"
	"supportdesk/adapters/gormstore"
	"supportdesk/bootstrap"
	"supportdesk/test/testdb"
)

// binary is the supportdesk command built once by TestMain.
var binary string

func TestMain(m *testing.M) {
	dir, err := os.MkdirTemp("", "supportdesk-cli-test-")
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		os.Exit(1)
	}
	binary = filepath.Join(dir, "supportdesk")
	if out, err := exec.Command("go", "build", "-o", binary, "supportdesk/cmd/supportdesk").CombinedOutput(); err != nil {
		fmt.Fprintf(os.Stderr, "build supportdesk: %v\n%s", err, out)
		os.Exit(1)
	}
	code := m.Run()
	os.RemoveAll(dir)
	os.Exit(code)
}

// Records of testdata/fixture.json.
const (
	acmeWorkspace   = "a1000000-0000-4000-8000-000000000001"
	globexWorkspace = "a1000000-0000-4000-8000-000000000002"

	ownerID       = "b2000000-0000-4000-8000-000000000001"
	operatorID    = "b2000000-0000-4000-8000-000000000002"
	globexOwnerID = "b2000000-0000-4000-8000-000000000005"
	owner         = "owner@acme.example"    // owner of initech and hooli
	operator      = "operator@acme.example" // operator on initech
	readonly      = "readonly@acme.example" // readonly on initech
	outsider      = "outsider@acme.example" // Acme member without a tenant role
	globexOwner   = "owner@globex.example"  // owner of umbrella, in Globex
	ownerToken    = "test-owner-token-0001"
	initech       = "c3000000-0000-4000-8000-000000000001"
	initechName   = "Initech & <Sons>\u2028Ltd"
	hooli         = "c3000000-0000-4000-8000-000000000002"
	umbrella      = "c3000000-0000-4000-8000-000000000003"
	initechRun    = "e5000000-0000-4000-8000-000000000001" // failed policy sync
	umbrellaRun   = "e5000000-0000-4000-8000-000000000003"
	missingID     = "c3000000-0000-4000-8000-0000000000ff"
	fixturePath   = "testdata/fixture.json"
	fixtureCount  = "imported 2 workspaces, 5 users, 1 API tokens, 5 workspace memberships, 3 tenants, 5 tenant memberships, 1 provider connections, 2 operation runs, 1 findings, 1 reviews, 1 reports, 1 audit entries\n"
)

var referencePattern = regexp.MustCompile(`^SR-[0-9A-HJKMNP-TV-Z]{26}$`)

// engine gives a test the URL of a fresh, migrated database, dropped when
// the test ends.
type engine struct {
	name string
	url  func(testing.TB) string
}

var engines = []engine{
	{string(gormstore.SQLite), testdb.SQLitePath},
	{string(gormstore.Postgres), testdb.PostgresURL},
}

// forEachEngine runs f as a subtest per engine.
func forEachEngine(t *testing.T, f func(t *testing.T, e engine)) {
	for _, e := range engines {
		t.Run(e.name, func(t *testing.T) { f(t, e) })
	}
}

// desk is one database that commands run against.
type desk struct {
	url     string
	dialect gormstore.Dialect
	db      *gormstore.DB // opened on first use by sql
	cleanup func(func())  // of the test that made the desk, which outlives its subtests
}

// newDesk returns a fresh database of engine e, seeded with the test
// fixture through `seed --file`.
func newDesk(t *testing.T, e engine) *desk {
	t.Helper()
	d := emptyDesk(t, e)
	d.run(t, "seed", "--file", fixturePath).ok(t, fixtureCount)
	return d
}

// emptyDesk returns a fresh migrated database of engine e without data.
func emptyDesk(t *testing.T, e engine) *desk {
	t.Helper()
	return deskAt(t, e.url(t))
}

// deskAt returns the database at url.
func deskAt(t *testing.T, url string) *desk {
	return &desk{url: url, dialect: gormstore.DialectOf(url), cleanup: t.Cleanup}
}

// result is what one command did.
type result struct {
	code           int
	stdout, stderr string
}

func (r result) String() string {
	return fmt.Sprintf("exit %d\nstdout:\n%s\nstderr:\n%s", r.code, r.stdout, r.stderr)
}

// ok fails the test unless the command succeeded with empty stderr and,
// when stdout is given, exactly that output.
func (r result) ok(t *testing.T, stdout ...string) result {
	t.Helper()
	if r.code != cli.ExitOK || r.stderr != "" {
		t.Fatalf("want success, got %s", r)
	}
	if len(stdout) > 0 && r.stdout != stdout[0] {
		t.Fatalf("stdout:\n got %q\nwant %q", r.stdout, stdout[0])
	}
	return r
}

// fails fails the test unless the command exited with code, printing
// nothing on stdout and exactly stderr, one line.
func (r result) fails(t *testing.T, code int, stderr string) {
	t.Helper()
	if r.code != code || r.stdout != "" || r.stderr != stderr {
		t.Fatalf("want exit %d with stderr %q, got %s", code, stderr, r)
	}
}

// failsWith is fails for an error line that is checked in parts.
func (r result) failsWith(t *testing.T, code int, parts ...string) {
	t.Helper()
	if r.code != code || r.stdout != "" || strings.Count(r.stderr, "\n") != 1 || !strings.HasPrefix(r.stderr, "supportdesk: ") {
		t.Fatalf("want exit %d with one line on stderr, got %s", code, r)
	}
	for _, p := range parts {
		if !strings.Contains(r.stderr, p) {
			t.Errorf("stderr %q does not mention %q", r.stderr, p)
		}
	}
}

// run executes the command tree in-process against d.
func (d *desk) run(t *testing.T, args ...string) result {
	t.Helper()
	return runCLI(t, append([]string{"--database-url", d.url}, args...)...)
}

func runCLI(t *testing.T, args ...string) result {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Minute)
	defer cancel()
	var stdout, stderr bytes.Buffer
	code := cli.Run(ctx, bootstrap.NewCommands(&stderr), args, &stdout, &stderr)
	return result{code: code, stdout: stdout.String(), stderr: stderr.String()}
}

// create makes a request with `request create` and returns its reference.
func (d *desk) create(t *testing.T, as, target, id, severity, summary string, more ...string) string {
	t.Helper()
	args := append([]string{"request", "create", "--as", as, "--" + target, id, "--severity", severity, "--summary", summary}, more...)
	r := d.run(t, args...).ok(t)
	ref := strings.TrimSuffix(r.stdout, "\n")
	if !referencePattern.MatchString(ref) {
		t.Fatalf("request create printed %q, want a reference alone on a line", r.stdout)
	}
	return ref
}

// shown is `request show --json` decoded.
type shown struct {
	Reference      string `json:"reference"`
	WorkspaceID    string `json:"workspace_id"`
	TenantID       string `json:"tenant_id"`
	PrimaryContext struct {
		Type string `json:"type"`
		ID   string `json:"id"`
	} `json:"primary_context"`
	Severity          string          `json:"severity"`
	Summary           string          `json:"summary"`
	ReproductionNotes *string         `json:"reproduction_notes"`
	ContactName       *string         `json:"contact_name"`
	ContactEmail      *string         `json:"contact_email"`
	CreatedBy         string          `json:"created_by"`
	CreatedAt         string          `json:"created_at"`
	AttachmentMode    string          `json:"attachment_mode"`
	ContextDigest     string          `json:"context_digest"`
	Context           json.RawMessage `json:"context"`
}

func (d *desk) show(t *testing.T, ref string) shown {
	t.Helper()
	r := d.run(t, "request", "show", ref, "--json").ok(t)
	var s shown
	if err := json.Unmarshal([]byte(r.stdout), &s); err != nil {
		t.Fatalf("request show --json: %v\n%s", err, r.stdout)
	}
	return s
}

// sql returns a connection to d for looking behind the commands' back.
func (d *desk) sql(t *testing.T) *gormstore.DB {
	t.Helper()
	if d.db == nil {
		db, err := gormstore.Open(context.Background(), d.url)
		if err != nil {
			t.Fatalf("open %s: %v", d.url, err)
		}
		d.cleanup(func() { db.Close() })
		d.db = db
	}
	return d.db
}

// storedContext returns the context column of a request as stored.
func (d *desk) storedContext(t *testing.T, ref string) []byte {
	t.Helper()
	var ctx string
	if err := d.sql(t).Gorm().Raw("SELECT context FROM support_requests WHERE reference = ?", ref).Scan(&ctx).Error; err != nil {
		t.Fatal(err)
	}
	return []byte(ctx)
}

// rowCounts counts the rows of every table a fixture or a request writes.
func (d *desk) rowCounts(t *testing.T) map[string]int64 {
	t.Helper()
	counts := map[string]int64{}
	for _, table := range []string{"workspaces", "users", "api_tokens", "workspace_memberships", "tenants",
		"tenant_memberships", "provider_connections", "operation_runs", "findings", "reviews", "reports",
		"audit_entries", "support_requests"} {
		var n int64
		if err := d.sql(t).Gorm().Table(table).Count(&n).Error; err != nil {
			t.Fatal(err)
		}
		counts[table] = n
	}
	return counts
}
