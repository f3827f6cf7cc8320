package cli_test

import (
	"bufio"
	"context"
	"encoding/json"
	"errors"
	"io"
	"net"
	"net/http"
	"net/url"
	"os/exec"
	"strings"
	"syscall"
	"testing"
	"time"
)

// TestServeWaitsForPostgres starts serve on a PostgreSQL address that
// refuses connections (a free port): it serves all the same, live but not
// ready; once PostgreSQL answers on that address, it applies the
// migrations and becomes ready by itself.
func TestServeWaitsForPostgres(t *testing.T) {
	real, err := url.Parse(blankDatabase(t, engines[1]))
	if err != nil {
		t.Fatal(err)
	}
	refusing := freeAddr(t)
	dbURL := *real
	dbURL.Host = refusing

	srv := startServe(t, dbURL.String())
	if got := srv.status(t, "/healthz"); got != http.StatusOK {
		t.Errorf("/healthz while the database refuses: %d, want 200", got)
	}
	if got := srv.status(t, "/readyz"); got != http.StatusServiceUnavailable {
		t.Errorf("/readyz while the database refuses: %d, want 503", got)
	}

	forward(t, refusing, real.Host)
	deadline := time.Now().Add(30 * time.Second)
	for srv.status(t, "/readyz") != http.StatusOK {
		if time.Now().After(deadline) {
			t.Fatalf("not ready 30 s after the database answered; log:\n%s", srv.log.String())
		}
		time.Sleep(50 * time.Millisecond)
	}
	// Ready means migrated: the database behind the proxy has the schema.
	if r := runCLI(t, "--database-url", real.String(), "migrate", "status").ok(t); strings.Contains(r.stdout, "pending") {
		t.Errorf("ready with migrations pending:\n%s", r.stdout)
	}
	if log := srv.log.String(); !strings.Contains(log, "database not reachable") || !strings.Contains(log, "ready") {
		t.Errorf("the log does not tell the wait and the recovery:\n%s", log)
	}
	srv.stop(t)
}

// TestServeFailsFastOnAWrongDatabase: a database that answers but refuses
// (unknown role, unknown database) or a URL that cannot be used is not an
// outage to wait for: serve exits 1 at once, saying why.
func TestServeFailsFastOnAWrongDatabase(t *testing.T) {
	good, err := url.Parse(blankDatabase(t, engines[1]))
	if err != nil {
		t.Fatal(err)
	}
	badRole, badDB := *good, *good
	badRole.User = url.User("no_such_role")
	badDB.Path = "/no_such_database"
	for _, c := range []struct{ url, want string }{
		{badRole.String(), `role "no_such_role" does not exist`},
		{badDB.String(), `database "no_such_database" does not exist`},
		{"postgres://" + good.Host + ":notaport/x", "invalid port"},
		{"postgres://no-such-host.invalid/x", "no-such-host.invalid"},
	} {
		if strings.Contains(c.url, ".invalid") && !resolverSaysNotFound("no-such-host.invalid") {
			continue // a resolver that cannot answer is an outage, rightly waited for
		}
		ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
		cmd := exec.CommandContext(ctx, binary, "serve", "--addr", "127.0.0.1:0")
		cmd.Env = append(cleanEnv(), "SUPPORTDESK_DATABASE_URL="+c.url)
		out, err := cmd.Output()
		cancel()
		var exit *exec.ExitError
		if !errors.As(err, &exit) || exit.ExitCode() != 1 {
			t.Errorf("%s: serve ended with %v, want exit 1 at once; stdout %q", c.url, err, out)
			continue
		}
		if stderr := string(exit.Stderr); !strings.Contains(stderr, c.want) || strings.Contains(stderr, `"msg":"serving"`) {
			t.Errorf("%s: stderr does not say %q, or it served:\n%s", c.url, c.want, stderr)
		}
	}
}

// freeAddr returns a local address nothing listens on: connecting to it
// is refused.
func freeAddr(t *testing.T) string {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	addr := ln.Addr().String()
	ln.Close()
	return addr
}

// forward accepts connections on addr and copies each to and from target,
// until the test ends.
func forward(t *testing.T, addr, target string) {
	t.Helper()
	ln, err := net.Listen("tcp", addr)
	if err != nil {
		t.Fatalf("listen on %s again: %v", addr, err)
	}
	t.Cleanup(func() { ln.Close() })
	go func() {
		for {
			client, err := ln.Accept()
			if err != nil {
				return
			}
			go func() {
				defer client.Close()
				server, err := net.Dial("tcp", target)
				if err != nil {
					return
				}
				defer server.Close()
				go io.Copy(server, client)
				io.Copy(client, server)
			}()
		}
	}()
}

// served is a running `supportdesk serve`.
type served struct {
	cmd  *exec.Cmd
	base string
	log  *syncBuffer
}

// startServe runs serve on dbURL and returns once it listens.
func startServe(t *testing.T, dbURL string) *served {
	t.Helper()
	cmd := exec.Command(binary, "serve", "--addr", "127.0.0.1:0")
	cmd.Env = append(cleanEnv(), "SUPPORTDESK_DATABASE_URL="+dbURL)
	stderr, err := cmd.StderrPipe()
	if err != nil {
		t.Fatal(err)
	}
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { cmd.Process.Kill() })
	s := &served{cmd: cmd, log: &syncBuffer{}}
	addrs := make(chan string, 1)
	go func() {
		r := bufio.NewReader(stderr)
		for {
			line, err := r.ReadString('\n')
			s.log.Write([]byte(line))
			if err != nil {
				return
			}
			var rec struct{ Msg, Addr string }
			if json.Unmarshal([]byte(line), &rec) == nil && rec.Msg == "serving" {
				addrs <- rec.Addr
			}
		}
	}()
	select {
	case addr := <-addrs:
		s.base = "http://" + addr
	case <-time.After(30 * time.Second):
		t.Fatalf("serve did not listen within 30 s; log:\n%s", s.log.String())
	}
	return s
}

// status returns the status of a GET of path.
func (s *served) status(t *testing.T, path string) int {
	t.Helper()
	res, err := http.Get(s.base + path)
	if err != nil {
		t.Fatalf("GET %s: %v", path, err)
	}
	res.Body.Close()
	return res.StatusCode
}

// stop sends SIGTERM and wants exit status 0.
func (s *served) stop(t *testing.T) {
	t.Helper()
	if err := s.cmd.Process.Signal(syscall.SIGTERM); err != nil {
		t.Fatal(err)
	}
	if err := s.cmd.Wait(); err != nil {
		t.Fatalf("serve after SIGTERM: %v\nlog:\n%s", err, s.log.String())
	}
}

// resolverSaysNotFound reports whether the resolver answers that host does
// not exist (rather than failing to answer).
func resolverSaysNotFound(host string) bool {
	_, err := net.LookupHost(host)
	var dnsErr *net.DNSError
	return errors.As(err, &dnsErr) && dnsErr.IsNotFound
}
