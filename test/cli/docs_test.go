package cli_test

import (
	"strings"
	"testing"
)

// exampleFixture is the fixture file the documentation shows.
const exampleFixture = "../../docs/examples/fixture.json"

// TestDocumentedFixtureImports: the example of docs/fixtures.md imports,
// the command the page prints works on it, and a second import changes
// nothing, as the page says.
func TestDocumentedFixtureImports(t *testing.T) {
	forEachEngine(t, func(t *testing.T, e engine) {
		d := emptyDesk(t, e)
		d.run(t, "seed", "--file", exampleFixture).ok(t, "imported 1 workspaces, 2 users, 2 API tokens, "+
			"2 workspace memberships, 1 tenants, 2 tenant memberships, 1 provider connections, 2 operation runs, "+
			"1 findings, 1 reviews, 1 reports, 1 audit entries\n")
		ref := d.create(t, "robin@example.com", "run", "0e000000-0000-4000-8000-000000000001", "high", "Policy sync keeps failing")
		if r := d.run(t, "request", "show", ref).ok(t); !strings.Contains(r.stdout, "canonical_context_only") {
			t.Errorf("the operator's request should carry the canonical context only:\n%s", r.stdout)
		}
		d.run(t, "seed", "--file", exampleFixture).failsWith(t, 1, `workspaces[0].id: a workspace with id "0a000000-0000-4000-8000-000000000001" already exists`)
	})
}
