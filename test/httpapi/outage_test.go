package httpapi_test

import (
	"io"
	"net"
	"net/http"
	"net/url"
	"strings"
	"sync"
	"testing"
	"time"

	"supportdesk/test/testdb"
)

// tcpProxy forwards local connections to a target address; cutting it
// makes the target unreachable as a failed server or network would.
type tcpProxy struct {
	target string
	addr   string // fixed at start, so a restored proxy is the same address

	mu    sync.Mutex
	ln    net.Listener
	conns map[net.Conn]bool
}

// startProxy listens on a free local port for target; it stops when the
// test ends.
func startProxy(t *testing.T, target string) *tcpProxy {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	p := &tcpProxy{target: target, addr: ln.Addr().String(), conns: map[net.Conn]bool{}}
	p.serve(ln)
	t.Cleanup(p.cut)
	return p
}

func (p *tcpProxy) serve(ln net.Listener) {
	p.mu.Lock()
	p.ln = ln
	p.mu.Unlock()
	go func() {
		for {
			client, err := ln.Accept()
			if err != nil {
				return // cut
			}
			go p.forward(client)
		}
	}()
}

// forward copies both ways between client and a new connection to the
// target until either side ends, then closes both.
func (p *tcpProxy) forward(client net.Conn) {
	server, err := net.Dial("tcp", p.target)
	if err != nil {
		client.Close()
		return
	}
	if !p.track(client, server) {
		return
	}
	done := make(chan struct{}, 2)
	pipe := func(dst, src net.Conn) {
		_, _ = io.Copy(dst, src)
		done <- struct{}{}
	}
	go pipe(server, client)
	go pipe(client, server)
	<-done
	p.untrack(client, server)
}

// track registers a pair of connections, or closes them if the proxy was
// cut in the meantime.
func (p *tcpProxy) track(conns ...net.Conn) bool {
	p.mu.Lock()
	defer p.mu.Unlock()
	if p.ln == nil {
		for _, c := range conns {
			c.Close()
		}
		return false
	}
	for _, c := range conns {
		p.conns[c] = true
	}
	return true
}

func (p *tcpProxy) untrack(conns ...net.Conn) {
	p.mu.Lock()
	defer p.mu.Unlock()
	for _, c := range conns {
		c.Close()
		delete(p.conns, c)
	}
}

// cut closes the listener and every proxied connection: new connections
// are refused, and open ones end mid-stream.
func (p *tcpProxy) cut() {
	p.mu.Lock()
	defer p.mu.Unlock()
	if p.ln != nil {
		p.ln.Close()
		p.ln = nil
	}
	for c := range p.conns {
		c.Close()
		delete(p.conns, c)
	}
}

// restore listens again on the same address.
func (p *tcpProxy) restore(t *testing.T) {
	t.Helper()
	var (
		ln  net.Listener
		err error
	)
	for range 50 { // the port is ours, but the kernel may take a moment
		if ln, err = net.Listen("tcp", p.addr); err == nil {
			p.serve(ln)
			return
		}
		time.Sleep(100 * time.Millisecond)
	}
	t.Fatalf("restore the proxy on %s: %v", p.addr, err)
}

// wantUnavailable checks a 503 problem that asks to retry and tells
// nothing of the cause.
func wantUnavailable(t *testing.T, what string, res response) {
	t.Helper()
	p := problemOf(t, res, http.StatusServiceUnavailable)
	if p.Type != "https://supportdesk.dev/problems/unavailable" || res.Header.Get("Retry-After") == "" {
		t.Errorf("%s: problem type %q, Retry-After %q", what, p.Type, res.Header.Get("Retry-After"))
	}
	for _, leak := range []string{"SELECT", "INSERT", "FROM", "sql", "dial", "tcp", "127.0.0.1", "connection", "closed", "goroutine", ".go:", "pgconn", "pgx"} {
		if strings.Contains(string(res.Body), leak) {
			t.Errorf("%s: the 503 tells %q: %s", what, leak, res.Body)
		}
	}
}

// TestPostgresOutageAndRecovery serves over a TCP proxy to PostgreSQL and
// cuts it: requests get 503 and /readyz fails while /healthz does not;
// once the proxy is back, the same server recovers by itself.
func TestPostgresOutageAndRecovery(t *testing.T) {
	u, err := url.Parse(testdb.PostgresURL(t))
	if err != nil {
		t.Fatal(err)
	}
	proxy := startProxy(t, u.Host)
	u.Host = proxy.addr
	svc := startService(t, serviceConfig(u.String()))
	w := newWorld()
	b := newBasic(w)
	w.load(t, svc.db)
	owner := b.roles["owner"].token
	create := "/v1/tenants/" + b.tenant + "/support-requests"
	before := createdOf(t, svc.post(t, create, owner, obj(sev, sum)))

	proxy.cut()
	wantUnavailable(t, "create", svc.post(t, create, owner, obj(sev, sum), "Idempotency-Key", "during-outage"))
	wantUnavailable(t, "run create", svc.post(t, "/v1/operation-runs/"+b.run+"/support-requests", owner, obj(sev, sum)))
	wantUnavailable(t, "preview", svc.get(t, create+"/attachment-preview", owner))
	wantUnavailable(t, "diagnostics", svc.get(t, "/v1/tenants/"+b.tenant+"/support-diagnostics", owner))
	wantUnavailable(t, "read", svc.get(t, "/v1/support-requests/"+before.Reference, owner))
	wantUnavailable(t, "readyz", svc.get(t, "/readyz", ""))
	if res := svc.get(t, "/healthz", ""); res.Status != http.StatusOK {
		t.Errorf("healthz during the outage: %s", res)
	}

	proxy.restore(t)
	deadline := time.Now().Add(30 * time.Second)
	for svc.get(t, "/readyz", "").Status != http.StatusOK {
		if time.Now().After(deadline) {
			t.Fatal("not ready 30 s after the database came back")
		}
		time.Sleep(100 * time.Millisecond)
	}
	createdOf(t, svc.post(t, create, owner, obj(sev, sum), "Idempotency-Key", "during-outage"))
	if res := svc.get(t, "/v1/support-requests/"+before.Reference, owner); res.Status != http.StatusOK {
		t.Errorf("read after recovery: %s", res)
	}
	if logs := svc.logs.String(); strings.Contains(logs, "panic") {
		t.Errorf("the outage caused a panic:\n%s", logs)
	}
}

// TestSQLiteClosedPool closes the server's pool under it, the nearest an
// embedded database comes to becoming unreachable: requests get 503 and
// /readyz fails, without a panic. A closed pool never reopens, so unlike
// a PostgreSQL outage this one lasts until the process restarts — which an
// orchestrator does once /readyz has failed for long enough.
func TestSQLiteClosedPool(t *testing.T) {
	db := testdb.SQLite(t)
	w := newWorld()
	b := newBasic(w)
	w.load(t, db)
	s := newServer(t, db)
	owner := b.roles["owner"].token
	create := "/v1/tenants/" + b.tenant + "/support-requests"
	before := createdOf(t, s.post(t, create, owner, obj(sev, sum)))

	if err := db.Close(); err != nil {
		t.Fatal(err)
	}
	wantUnavailable(t, "create", s.post(t, create, owner, obj(sev, sum)))
	wantUnavailable(t, "preview", s.get(t, create+"/attachment-preview", owner))
	wantUnavailable(t, "read", s.get(t, "/v1/support-requests/"+before.Reference, owner))
	wantUnavailable(t, "readyz", s.get(t, "/readyz", ""))
	if res := s.get(t, "/healthz", ""); res.Status != http.StatusOK {
		t.Errorf("healthz: %s", res)
	}
	if logs := s.logs.String(); strings.Contains(logs, "panic") || !strings.Contains(logs, `"status":503`) {
		t.Errorf("logs:\n%s", logs)
	}
}
