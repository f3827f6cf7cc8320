package cli_test

import (
	"bytes"
	"errors"
	"fmt"
	"os/exec"
	"strings"
	"testing"

	"supportdesk/adapters/cli"
)

// runBinary runs the built supportdesk with SUPPORTDESK_DATABASE_URL set
// to url, as an operator's shell would, and returns what it did.
func runBinary(t *testing.T, url string, args ...string) result {
	t.Helper()
	cmd := exec.Command(binary, args...)
	cmd.Env = append(cleanEnv(), "SUPPORTDESK_DATABASE_URL="+url)
	var stdout, stderr bytes.Buffer
	cmd.Stdout, cmd.Stderr = &stdout, &stderr
	err := cmd.Run()
	var exit *exec.ExitError
	if err != nil && !errors.As(err, &exit) {
		t.Fatalf("run %s: %v", binary, err)
	}
	return result{code: cmd.ProcessState.ExitCode(), stdout: stdout.String(), stderr: stderr.String()}
}

// TestBinary checks the process boundary: configuration from the
// environment, output streams and exit statuses of the real program.
func TestBinary(t *testing.T) {
	forEachEngine(t, func(t *testing.T, e engine) {
		d := newDesk(t, e)
		run := func(args ...string) result { t.Helper(); return runBinary(t, d.url, args...) }

		r := run("request", "create", "--as", owner, "--tenant", initech, "--severity", "high", "--summary", "From the binary").ok(t)
		ref := strings.TrimSuffix(r.stdout, "\n")
		if !referencePattern.MatchString(ref) {
			t.Fatalf("stdout %q is not a reference", r.stdout)
		}
		d.wantAudit(t, ref, ownerID)
		if r := run("request", "show", ref, "--json").ok(t); !strings.HasPrefix(r.stdout, `{"reference":"`+ref+`",`) {
			t.Errorf("show --json: %s", r.stdout)
		}
		if r := run("request", "list").ok(t); !strings.Contains(r.stdout, ref) {
			t.Errorf("list lacks %s:\n%s", ref, r.stdout)
		}
		if r := run("request", "verify", ref).ok(t); !strings.HasPrefix(r.stdout, "ok sha256:") {
			t.Errorf("verify: %s", r.stdout)
		}
		if r := run("token", "issue", "--user", operator); r.code != 0 || len(strings.TrimSpace(r.stdout)) < 32 {
			t.Errorf("token issue: %s", r)
		}

		run("request", "create", "--as", owner, "--tenant", umbrella, "--severity", "high", "--summary", "x").
			fails(t, 1, "supportdesk: tenant not found\n")
		run("request", "create", "--as", readonly, "--run", initechRun, "--severity", "high", "--summary", "x").
			fails(t, 1, "supportdesk: you lack the support_requests.create capability on this tenant\n")
		run("request", "create", "--as", owner, "--tenant", initech, "--severity", "meh", "--summary", "x").
			fails(t, 1, "supportdesk: the request has invalid fields; severity must be one of low, normal, high, blocking\n")
		run("request", "create", "--tenant", initech).fails(t, 2,
			"supportdesk: request create needs --as EMAIL (the user to act as), --severity S and --summary TEXT\n")
		run("request", "list", "--since", "yesterday").failsWith(t, 2, `"yesterday" is not a positive duration`)
		run("requests").fails(t, 2, "supportdesk: unknown command \"requests\" for \"supportdesk\"\n")
	})
}

// TestInvalidCreateLimitIsRefused: a SUPPORTDESK_CREATE_LIMIT that is not a
// whole number of at least 1 stops the program at start with one line and
// exit 2, whatever the command, instead of being silently replaced by the
// default; a valid one is taken, an empty one is the default.
func TestInvalidCreateLimitIsRefused(t *testing.T) {
	testSettingIsChecked(t, "SUPPORTDESK_CREATE_LIMIT", []string{"abc", "0", "-1", "2.5", " 5"},
		"must be a whole number of create attempts per user and minute, at least 1",
		[]string{"5", ""}) // empty is unset, as for every setting
}

// TestInvalidSecureCookiesIsRefused: SUPPORTDESK_SECURE_COOKIES is true
// or false; "yes" or "on" is refused at start rather than silently off.
func TestInvalidSecureCookiesIsRefused(t *testing.T) {
	testSettingIsChecked(t, "SUPPORTDESK_SECURE_COOKIES", []string{"yes", "on", "enabled"},
		"must be true or false", []string{"true", "false", "1", ""})
}

// testSettingIsChecked runs a command with each bad value of the setting
// name, which must stop it at start with exit 2 and the one line "name
// rule (got value)", and with each good value, which must work.
func testSettingIsChecked(t *testing.T, name string, bad []string, rule string, good []string) {
	t.Helper()
	d := newDesk(t, engines[0])
	for _, v := range bad {
		cmd := exec.Command(binary, "request", "list")
		cmd.Env = append(cleanEnv(), "SUPPORTDESK_DATABASE_URL="+d.url, name+"="+v)
		var stdout, stderr bytes.Buffer
		cmd.Stdout, cmd.Stderr = &stdout, &stderr
		_ = cmd.Run()
		r := result{code: cmd.ProcessState.ExitCode(), stdout: stdout.String(), stderr: stderr.String()}
		r.fails(t, 2, fmt.Sprintf("supportdesk: %s %s (got %q)\n", name, rule, v))
	}
	for _, v := range good {
		cmd := exec.Command(binary, "request", "list", "--json")
		cmd.Env = append(cleanEnv(), "SUPPORTDESK_DATABASE_URL="+d.url, name+"="+v)
		if out, err := cmd.CombinedOutput(); err != nil {
			t.Fatalf("%s=%q: %v\n%s", name, v, err, out)
		}
	}
}

// TestHelpIsSelfContained: the help of every command reads on its own, in
// a clone that has no product specification beside it.
func TestHelpIsSelfContained(t *testing.T) {
	for _, args := range [][]string{{}, {"demo"}, {"serve"}, {"migrate"}, {"migrate", "status"}, {"seed"},
		{"request"}, {"request", "create"}, {"request", "show"}, {"request", "list"}, {"request", "verify"},
		{"token"}, {"token", "issue"}, {"webhook"}, {"webhook", "add"}, {"webhook", "list"}, {"webhook", "remove"},
		{"webhook", "rotate"}, {"webhook", "reseal"}, {"webhook", "listen"}, {"deliveries"}, {"deliveries", "list"},
		{"deliveries", "retry"}} {
		r := runCLI(t, append(args, "--help")...)
		if r.code != cli.ExitOK || !strings.Contains(r.stdout, "Usage:") {
			t.Fatalf("%v --help: %s", args, r)
		}
		if strings.Contains(r.stdout, "SPEC") || strings.Contains(r.stdout, "§") {
			t.Errorf("%v --help refers to a specification the reader does not have:\n%s", args, r.stdout)
		}
	}
}
