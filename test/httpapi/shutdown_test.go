package httpapi_test

import (
	"bufio"
	"encoding/json"
	"fmt"
	"io"
	"net"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"

	"supportdesk/adapters/gormstore"
	"supportdesk/test/testdb"
)

// TestStopFinishesInFlightRequests stops the service while a create is in
// flight: the listener closes at once, the create still completes with
// 201, and Stop returns nil once it has. (The server's stop does not touch
// storage, so one engine shows it.)
func TestStopFinishesInFlightRequests(t *testing.T) {
	var held *heldReader
	svc := startService(t, serviceConfig(engineURL(t, string(gormstore.SQLite))), holdSnapshots(&held))
	w := newWorld()
	b := newBasic(w)
	w.load(t, svc.db)

	req := createRequest(t, "/v1/tenants/"+b.tenant+"/support-requests", b.roles["owner"].token, obj(sev, sum))
	answered := make(chan response, 1)
	go func() {
		res, err := svc.send(req)
		if err != nil {
			t.Errorf("in-flight request: %v", err)
		}
		answered <- res
	}()
	<-held.arrived

	stopped := make(chan error, 1)
	go func() { stopped <- svc.stop() }()
	addr := strings.TrimPrefix(svc.base, "http://")
	deadline := time.Now().Add(5 * time.Second)
	for {
		conn, err := net.Dial("tcp", addr)
		if err != nil {
			break // the listener is closed: no new requests
		}
		conn.Close()
		if time.Now().After(deadline) {
			t.Fatal("the server still accepts connections 5 s into its stop")
		}
		time.Sleep(10 * time.Millisecond)
	}
	select {
	case err := <-stopped:
		t.Fatalf("Stop returned (%v) with a request in flight", err)
	case <-time.After(200 * time.Millisecond):
	}

	close(held.release)
	createdOf(t, conform(t, req, <-answered))
	if err := <-stopped; err != nil {
		t.Fatalf("Stop: %v", err)
	}
	if n := count(t, openDB(t, svc.url), "support_requests"); n != 1 {
		t.Errorf("%d requests stored, want 1", n)
	}
}

// binary is the supportdesk command, built on first use.
var binary struct {
	once sync.Once
	path string
	err  error
}

func buildBinary(t *testing.T) string {
	t.Helper()
	binary.once.Do(func() {
		dir, err := os.MkdirTemp("", "supportdesk-httpapi-test-")
		if err != nil {
			binary.err = err
			return
		}
		binary.path = filepath.Join(dir, "supportdesk")
		if out, err := exec.Command("go", "build", "-o", binary.path, "supportdesk/cmd/supportdesk").CombinedOutput(); err != nil {
			binary.err = fmt.Errorf("go build: %v\n%s", err, out)
		}
	})
	if binary.err != nil {
		t.Fatal(binary.err)
	}
	return binary.path
}

// TestServeBinaryDrainsOnSIGTERM runs `supportdesk serve` and sends it
// SIGTERM while a request's body is still arriving: the request completes
// with 201 and the process exits 0. The test waits for the server's own
// signals, not for time to pass: its "100 Continue" (it has read the
// request's head and waits for the body) before SIGTERM, and its
// "stopping" log line (it heard SIGTERM) before the rest of the body.
func TestServeBinaryDrainsOnSIGTERM(t *testing.T) {
	bin := buildBinary(t)
	dbPath := testdb.SQLitePath(t)
	w := newWorld()
	b := newBasic(w)
	w.load(t, openDB(t, dbPath))

	cmd := exec.Command(bin, "serve")
	cmd.Env = append(os.Environ(), "SUPPORTDESK_DATABASE_URL="+dbPath, "SUPPORTDESK_ADDR=127.0.0.1:0")
	stderr, err := cmd.StderrPipe()
	if err != nil {
		t.Fatal(err)
	}
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = cmd.Process.Kill() })
	logs := &lockedBuffer{}
	addr, stopping := make(chan string, 1), make(chan struct{})
	go func() {
		sc := bufio.NewScanner(stderr)
		for sc.Scan() {
			fmt.Fprintln(logs, sc.Text())
			var line struct{ Msg, Addr string }
			if json.Unmarshal(sc.Bytes(), &line) != nil {
				continue
			}
			switch {
			case line.Msg == "serving":
				addr <- line.Addr
			case strings.HasPrefix(line.Msg, "stopping"):
				close(stopping)
			}
		}
	}()
	var base string
	select {
	case base = <-addr:
	case <-time.After(time.Minute):
		t.Fatalf("serve did not start:\n%s", logs)
	}

	// A request whose body is still arriving when SIGTERM comes.
	conn, err := net.Dial("tcp", base)
	if err != nil {
		t.Fatal(err)
	}
	defer conn.Close()
	if err := conn.SetDeadline(time.Now().Add(time.Minute)); err != nil {
		t.Fatal(err)
	}
	body := obj(sev, sum)
	head := fmt.Sprintf("POST /v1/tenants/%s/support-requests HTTP/1.1\r\nHost: test\r\nAuthorization: Bearer %s\r\n"+
		"Content-Type: application/json\r\nContent-Length: %d\r\nExpect: 100-continue\r\n\r\n", b.tenant, b.roles["owner"].token, len(body))
	if _, err := io.WriteString(conn, head); err != nil {
		t.Fatal(err)
	}
	answers := bufio.NewReader(conn)
	if line, err := answers.ReadString('\n'); err != nil || !strings.HasPrefix(line, "HTTP/1.1 100 Continue") {
		t.Fatalf("no 100 Continue to the head (%q, %v):\n%s", line, err, logs)
	}
	if _, err := answers.ReadString('\n'); err != nil { // the blank line ending the interim answer
		t.Fatal(err)
	}
	if _, err := io.WriteString(conn, body[:5]); err != nil {
		t.Fatal(err)
	}
	if err := cmd.Process.Signal(syscall.SIGTERM); err != nil {
		t.Fatal(err)
	}
	exited := make(chan error, 1)
	go func() { exited <- cmd.Wait() }()
	select {
	case <-stopping:
	case err := <-exited:
		t.Fatalf("serve exited (%v) with a request in flight:\n%s", err, logs)
	case <-time.After(time.Minute):
		t.Fatalf("serve did not say it is stopping within a minute of SIGTERM:\n%s", logs)
	}
	select {
	case err := <-exited:
		t.Fatalf("serve exited (%v) with a request in flight:\n%s", err, logs)
	default:
	}
	if _, err := io.WriteString(conn, body[5:]); err != nil {
		t.Fatal(err)
	}
	req, _ := http.NewRequest(http.MethodPost, "/v1/tenants/"+b.tenant+"/support-requests", nil)
	res, err := http.ReadResponse(answers, req)
	if err != nil {
		t.Fatalf("no answer to the in-flight request: %v\n%s", err, logs)
	}
	answer, err := io.ReadAll(res.Body)
	res.Body.Close()
	if err != nil {
		t.Fatal(err)
	}
	createdOf(t, conform(t, req, response{Status: res.StatusCode, Header: res.Header, Body: answer}))

	select {
	case err := <-exited:
		if err != nil {
			t.Fatalf("serve after SIGTERM: %v\n%s", err, logs)
		}
	case <-time.After(30 * time.Second):
		t.Fatalf("serve did not exit 30 s after SIGTERM:\n%s", logs)
	}
}
