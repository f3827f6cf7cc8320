package cli_test

import (
	"regexp"
	"strings"
	"testing"

	"supportdesk/adapters/cli"
)

func TestAgentCommands(t *testing.T) {
	forEachEngine(t, func(t *testing.T, e engine) {
		d := newDesk(t, e)
		r := d.run(t, "agent", "add", "--email", "ada@support.test", "--name", "Ada Agent")
		if r.code != 0 || !regexp.MustCompile(`^added support agent ada@support.test \([0-9a-f-]{36}\), reading all workspaces\n$`).MatchString(r.stdout) {
			t.Fatalf("agent add: %s", r)
		}
		d.run(t, "agent", "add", "--email", "ADA@support.test", "--name", "Again").
			fails(t, cli.ExitFailure, "supportdesk: a user with email ADA@support.test exists already\n")
		d.run(t, "agent", "add", "--email", readonly, "--name", "Tenant user").
			fails(t, cli.ExitFailure, "supportdesk: a user with email "+readonly+" exists already\n")
		d.run(t, "agent", "add", "--email", "bob@support.test", "--name", "Bob", "--workspace", "not-a-uuid").
			failsWith(t, cli.ExitFailure, "workspace")
		d.run(t, "agent", "add", "--email", "bob@support.test", "--name", "Bob", "--workspace", "00000000-0000-4000-8000-00000000dead").
			failsWith(t, cli.ExitFailure, "workspace")
		d.run(t, "agent", "add", "--name", "Bob").fails(t, cli.ExitUsage, "supportdesk: agent add needs --email EMAIL and --name NAME\n")

		r = d.run(t, "token", "issue", "--agent", "ada@support.test")
		if r.code != 0 || len(strings.TrimSpace(r.stdout)) < 20 {
			t.Fatalf("token issue --agent: %s", r)
		}
		d.run(t, "token", "issue", "--user", "ada@support.test").
			fails(t, cli.ExitFailure, "supportdesk: ada@support.test is a support agent: issue its token with --agent\n")
		d.run(t, "token", "issue", "--agent", readonly).
			fails(t, cli.ExitFailure, "supportdesk: no support agent with email \""+readonly+"\"\n")

		d.run(t, "agent", "disable", "ada@support.test").ok(t, "disabled support agent ada@support.test\n")
		d.run(t, "token", "issue", "--agent", "ada@support.test").
			fails(t, cli.ExitFailure, "supportdesk: agent ada@support.test is disabled\n")
		d.run(t, "agent", "disable", "nobody@support.test").
			fails(t, cli.ExitFailure, "supportdesk: no support agent with email \"nobody@support.test\"\n")
		list := d.run(t, "agent", "list")
		if list.code != 0 || !strings.Contains(list.stdout, "ada@support.test  Ada Agent  all         disabled ") {
			t.Errorf("agent list: %s", list)
		}
	})
}
