package cli_test

import (
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"

	"supportdesk/adapters/cli"
)

// TestReadCommandsNeverCreateTheDatabase: a command that reads (or writes
// into) a database made earlier, given a SQLite path where no file is —
// a typo, another working directory — says so, naming the path, and
// leaves no empty database behind; only migrate, seed, serve and demo
// create the file.
func TestReadCommandsNeverCreateTheDatabase(t *testing.T) {
	dir := t.TempDir()
	missing := filepath.Join(dir, "typo.db")
	for _, args := range [][]string{
		{"request", "show", "SR-01J0000000000000000000000A"},
		{"request", "list"},
		{"request", "verify", "SR-01J0000000000000000000000A"},
		{"request", "create", "--as", owner, "--tenant", initech, "--severity", "high", "--summary", "x"},
		{"token", "issue", "--user", owner},
		{"migrate", "status"},
	} {
		runCLI(t, append([]string{"--database-url", missing}, args...)...).failsWith(t, cli.ExitFailure,
			"sqlite database "+missing+": file does not exist", "supportdesk migrate")
		if _, err := os.Stat(missing); !os.IsNotExist(err) {
			t.Fatalf("%v created %s (%v)", args, missing, err)
		}
	}

	// The default file, from a directory that has none: the message says
	// where the command looked.
	cmd := exec.Command(binary, "request", "list")
	cmd.Dir, cmd.Env = dir, cleanEnv()
	out, err := cmd.CombinedOutput()
	if want := "sqlite database " + filepath.Join(dir, "supportdesk.db") + ": file does not exist"; err == nil || !strings.Contains(string(out), want) {
		t.Errorf("request list in an empty directory: %v\n%s\nwant it to say %q", err, out, want)
	}
	if entries, _ := os.ReadDir(dir); len(entries) != 0 {
		t.Errorf("the read command left %v in %s", entries, dir)
	}

	// The commands that make a database do.
	runCLI(t, "--database-url", missing, "migrate").ok(t, "sqlite database is up to date\n")
	runCLI(t, "--database-url", missing, "request", "list", "--json").ok(t, "")
}

// TestUnusableDatabasePaths: each error names what it could not use.
func TestUnusableDatabasePaths(t *testing.T) {
	dir := t.TempDir()
	noDir := filepath.Join(dir, "no", "such", "dir")
	for _, args := range [][]string{{"migrate"}, {"seed", "--demo"}, {"request", "list"}} {
		r := runCLI(t, append([]string{"--database-url", filepath.Join(noDir, "s.db")}, args...)...)
		r.failsWith(t, cli.ExitFailure, "the directory "+noDir+" does not exist")
		if strings.Contains(r.stderr, "out of memory") {
			t.Errorf("%v: %s", args, r.stderr)
		}
	}
	runCLI(t, "--database-url", dir, "request", "list").failsWith(t, cli.ExitFailure,
		"sqlite database "+dir+": it is a directory")

	notDB := filepath.Join(dir, "notes.txt")
	if err := os.WriteFile(notDB, []byte("these are not the tables you are looking for\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	runCLI(t, "--database-url", notDB, "request", "list").failsWith(t, cli.ExitFailure, notDB)
	runCLI(t, "--database-url", notDB, "migrate").failsWith(t, cli.ExitFailure, notDB)

	for _, url := range []string{"mysql://root@localhost/supportdesk", "sqlite://x.db", "HTTP://example.com/db"} {
		r := runCLI(t, "--database-url", url, "migrate")
		r.failsWith(t, cli.ExitFailure, "unsupported database URL", "postgres:// URL or a SQLite file path")
		if strings.Contains(r.stderr, "root@") {
			t.Errorf("the error repeats the URL's credentials: %s", r.stderr)
		}
		if _, err := os.Stat(url); !os.IsNotExist(err) {
			t.Errorf("%s was taken as a file name", url)
		}
	}
}
