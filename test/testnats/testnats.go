// Package testnats gives tests a NATS server with JetStream of their own:
// a nats-server process on a free port of 127.0.0.1 with its store under
// t.TempDir(), which the test can kill and restart, so stream names never
// collide with other tests and outages are real.
//
//	srv := testnats.Start(t)
//	… connect to srv.URL …
//	srv.Kill()    // the broker crashes (SIGKILL)
//	srv.Restart() // and comes back on the same port with the same store
//
// A missing nats-server binary skips the test, saying so — unless CI=true,
// where it fails it: CI must not pass without the NATS suite.
package testnats

import (
	"bufio"
	"bytes"
	"fmt"
	"net"
	"os"
	"os/exec"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"
)

// BinaryEnv names an environment variable that may hold the path of the
// nats-server binary; by default it is looked up on PATH and in /usr/sbin,
// where Debian's nats-server package puts it.
const BinaryEnv = "SUPPORTDESK_TEST_NATS_SERVER"

// readyTimeout bounds a server's start, on a busy machine too.
const readyTimeout = 15 * time.Second

// Server is one nats-server process of a test.
type Server struct {
	// URL is nats://127.0.0.1:<port>, the same across restarts.
	URL string

	t      testing.TB
	binary string
	port   int
	store  string

	mu  sync.Mutex
	cmd *exec.Cmd
	out *syncBuffer
}

// Start runs a nats-server with JetStream on a free port of 127.0.0.1,
// waits until it accepts clients with JetStream enabled, and kills it in
// cleanup. It skips the test if no nats-server binary is found (fails it
// under CI=true) and fails it if the server does not come up.
func Start(t testing.TB) *Server {
	t.Helper()
	bin, err := binary()
	if err != nil {
		unavailable(t, "%v", err)
	}
	s := &Server{t: t, binary: bin, port: freePort(t), store: t.TempDir()}
	s.URL = "nats://127.0.0.1:" + strconv.Itoa(s.port)
	t.Cleanup(s.Kill)
	s.Restart()
	return s
}

// Kill stops the server with SIGKILL, as a crash would, and waits for the
// process to end. Killing a stopped server does nothing.
func (s *Server) Kill() {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.cmd == nil {
		return
	}
	_ = s.cmd.Process.Kill()
	_ = s.cmd.Wait()
	s.cmd = nil
}

// Restart starts the server again — on the same port, with the same
// store, so streams and their messages survive — and waits until it is
// ready. It kills a running server first. It fails the test if the server
// does not come up.
func (s *Server) Restart() {
	s.t.Helper()
	s.Kill()
	s.mu.Lock()
	defer s.mu.Unlock()
	s.out = &syncBuffer{}
	cmd := exec.Command(s.binary, "-a", "127.0.0.1", "-p", strconv.Itoa(s.port), "-js", "-sd", s.store)
	cmd.Stdout, cmd.Stderr = s.out, s.out
	if err := cmd.Start(); err != nil {
		s.t.Fatalf("start nats-server: %v", err)
	}
	s.cmd = cmd
	if err := waitReady(s.port); err != nil {
		_ = cmd.Process.Kill()
		_ = cmd.Wait()
		s.cmd = nil
		s.t.Fatalf("nats-server did not come up: %v\n%s", err, s.out.String())
	}
}

// waitReady polls until the server on port greets a client with an INFO
// line announcing JetStream, or readyTimeout passes. Polling a real
// process is the one wait tests allow.
func waitReady(port int) error {
	deadline := time.Now().Add(readyTimeout)
	addr := net.JoinHostPort("127.0.0.1", strconv.Itoa(port))
	var last error
	for time.Now().Before(deadline) {
		last = greet(addr)
		if last == nil {
			return nil
		}
		time.Sleep(20 * time.Millisecond)
	}
	return fmt.Errorf("after %s: %v", readyTimeout, last)
}

func greet(addr string) error {
	c, err := net.DialTimeout("tcp", addr, time.Second)
	if err != nil {
		return err
	}
	defer c.Close()
	_ = c.SetDeadline(time.Now().Add(time.Second))
	line, err := bufio.NewReader(c).ReadString('\n')
	if err != nil {
		return err
	}
	if !strings.HasPrefix(line, "INFO ") || !strings.Contains(line, `"jetstream":true`) {
		return fmt.Errorf("not ready: %.120s", line)
	}
	return nil
}

// binary finds nats-server.
func binary() (string, error) {
	if p := os.Getenv(BinaryEnv); p != "" {
		if _, err := os.Stat(p); err != nil {
			return "", fmt.Errorf("%s=%s: %v", BinaryEnv, p, err)
		}
		return p, nil
	}
	if p, err := exec.LookPath("nats-server"); err == nil {
		return p, nil
	}
	if _, err := os.Stat("/usr/sbin/nats-server"); err == nil {
		return "/usr/sbin/nats-server", nil
	}
	return "", fmt.Errorf("no nats-server binary on PATH or in /usr/sbin (apt-get install nats-server, or set %s)", BinaryEnv)
}

// freePort returns a TCP port of 127.0.0.1 that nothing listens on now.
func freePort(t testing.TB) int {
	t.Helper()
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatalf("find a free port: %v", err)
	}
	defer l.Close()
	return l.Addr().(*net.TCPAddr).Port
}

// unavailable skips the test, or fails it under CI=true.
func unavailable(t testing.TB, format string, args ...any) {
	t.Helper()
	reason := fmt.Sprintf(format, args...)
	if os.Getenv("CI") == "true" {
		t.Fatalf("NATS suite did not run, which CI does not allow: %s", reason)
	}
	t.Skipf("NATS skipped: %s", reason)
}

// syncBuffer collects the server's output for failure messages.
type syncBuffer struct {
	mu sync.Mutex
	b  bytes.Buffer
}

func (b *syncBuffer) Write(p []byte) (int, error) {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.b.Write(p)
}

func (b *syncBuffer) String() string {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.b.String()
}
