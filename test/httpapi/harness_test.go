// Package httpapi_test runs the HTTP API end to end: real HTTP through
// Fiber (app.Test, or a real listener), the real use case and real storage,
// on SQLite and on PostgreSQL (set SUPPORTDESK_TEST_POSTGRES_URL), and the
// whole service as fx wires it (service_test.go). Every answer the helpers
// get is checked against the OpenAPI document (openapi_test.go).
package httpapi_test

import (
	"bufio"
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"log/slog"
	"net"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/gofiber/fiber/v2"

	"supportdesk/adapters/gormstore"
	"supportdesk/adapters/httpapi"
	"supportdesk/adapters/logging"
	"supportdesk/adapters/metrics"
	"supportdesk/adapters/system"
	"supportdesk/bootstrap"
	"supportdesk/core/usecase"
	"supportdesk/test/testdb"
)

// server is the API over one test database, with its log captured.
type server struct {
	db   *gormstore.DB
	desk *usecase.Service
	app  *fiber.App
	logs *lockedBuffer
	// base is the URL of the app served on a real listener, client the
	// client for it (its own transport: tests may forbid the default one).
	base   string
	client *http.Client
}

// newServer wires the API as bootstrap does, over the GORM adapters of db;
// swaps replace outbound ports (a failing builder, say) before wiring.
func newServer(t testing.TB, db *gormstore.DB, swaps ...func(*usecase.Deps)) *server {
	t.Helper()
	return newServerWith(t, db, httpapi.Config{}, swaps...)
}

// newServerWith is newServer with the app's configuration; its readiness
// check and metrics default to bootstrap's.
func newServerWith(t testing.TB, db *gormstore.DB, cfg httpapi.Config, swaps ...func(*usecase.Deps)) *server {
	t.Helper()
	deps := usecase.Deps{
		Requests:    gormstore.NewRequests(db),
		Grants:      gormstore.NewGrants(db),
		Contexts:    gormstore.NewContexts(db),
		Diagnostics: gormstore.NewDiagnostics(db),
		Envelopes:   gormstore.NewContexts(db),
		Users:       gormstore.NewUsers(db),
		Idempotency: gormstore.NewIdempotencyKeys(db),
		Directory:   gormstore.NewDirectory(db),
		Pages:       gormstore.NewPages(db),
		Agents:      gormstore.NewAgents(db),
		Clock:       system.Clock{},
		IDs:         system.NewIDs(),
	}
	for _, swap := range swaps {
		swap(&deps)
	}
	logs := &lockedBuffer{}
	log := logging.New(logs, slog.LevelDebug)
	if cfg.Metrics == nil {
		cfg.Metrics = metrics.New(db.SQL())
	}
	if cfg.Ready == nil {
		cfg.Ready = bootstrap.Readiness(db)
	}
	desk := usecase.New(deps)
	desk.Hooks.DiagnosticsFailed = func(ctx context.Context, err error) {
		log.WarnContext(ctx, "diagnostics bundle unavailable; attaching canonical context only", "error", err)
	}
	if m, ok := cfg.Metrics.(*metrics.Metrics); ok {
		desk.Hooks.EnvelopeBuilt, desk.Hooks.Created = m.EnvelopeBuilt, m.Created
	}
	s := &server{db: db, desk: desk, app: httpapi.New(desk, cfg, log), logs: logs}
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatalf("listen: %v", err)
	}
	go func() { _ = s.app.Listener(ln) }()
	t.Cleanup(func() { _ = s.app.Shutdown() })
	s.base = "http://" + ln.Addr().String()
	s.client = &http.Client{Transport: &http.Transport{}}
	return s
}

// forEachEngine runs fn on a fresh database of every engine.
func forEachEngine(t *testing.T, fn func(t *testing.T, db *gormstore.DB)) {
	for _, e := range testdb.Engines() {
		t.Run(e.Name, func(t *testing.T) { fn(t, e.Open(t)) })
	}
}

// response is what the server answered.
type response struct {
	Status int
	Header http.Header
	Body   []byte
}

func (r response) String() string { return fmt.Sprintf("%d %s", r.Status, r.Body) }

// send runs req through the app; -1: no client-side timeout, since
// envelope builds on a loaded CI machine can take more than Fiber's 1 s.
func (s *server) send(t testing.TB, req *http.Request) response {
	t.Helper()
	res, err := s.app.Test(req, -1)
	if err != nil {
		t.Fatalf("%s %s: %v", req.Method, req.URL.Path, err)
	}
	defer res.Body.Close()
	body, err := io.ReadAll(res.Body)
	if err != nil {
		t.Fatalf("%s %s: read body: %v", req.Method, req.URL.Path, err)
	}
	return conform(t, req, response{Status: res.StatusCode, Header: res.Header, Body: body})
}

// sendTCP sends req to the app served on a real listener: unlike
// app.Test, it sees what fasthttp itself answers, such as a 413 for a body
// over the limit.
func (s *server) sendTCP(t testing.TB, req *http.Request) response {
	t.Helper()
	out, err := http.NewRequest(req.Method, s.base+req.URL.RequestURI(), req.Body)
	if err != nil {
		t.Fatal(err)
	}
	out.Header = req.Header.Clone()
	res, err := s.client.Do(out)
	if err != nil {
		t.Fatalf("%s %s: %v", req.Method, req.URL.Path, err)
	}
	defer res.Body.Close()
	body, err := io.ReadAll(res.Body)
	if err != nil {
		t.Fatalf("%s %s: read body: %v", req.Method, req.URL.Path, err)
	}
	return conform(t, req, response{Status: res.StatusCode, Header: res.Header, Body: body})
}

// sendHead sends only the head of req, with its Content-Length, over a
// fresh connection and reads the answer. A server that refuses a body from
// its declared length answers at once; sending the body as well would race
// the server's close (a reset can lose the answer), so it is never sent.
func (s *server) sendHead(t testing.TB, req *http.Request, length int) response {
	t.Helper()
	conn, err := net.Dial("tcp", strings.TrimPrefix(s.base, "http://"))
	if err != nil {
		t.Fatal(err)
	}
	defer conn.Close()
	head := fmt.Sprintf("%s %s HTTP/1.1\r\nHost: test\r\nContent-Length: %d\r\n", req.Method, req.URL.RequestURI(), length)
	if _, err := io.WriteString(conn, head); err != nil {
		t.Fatal(err)
	}
	if err := req.Header.Write(conn); err != nil {
		t.Fatal(err)
	}
	if _, err := io.WriteString(conn, "\r\n"); err != nil {
		t.Fatal(err)
	}
	if err := conn.SetReadDeadline(time.Now().Add(10 * time.Second)); err != nil {
		t.Fatal(err)
	}
	res, err := http.ReadResponse(bufio.NewReader(conn), req)
	if err != nil {
		t.Fatalf("%s %s: no answer to the head alone: %v", req.Method, req.URL.Path, err)
	}
	defer res.Body.Close()
	body, err := io.ReadAll(res.Body)
	if err != nil {
		t.Fatal(err)
	}
	return conform(t, req, response{Status: res.StatusCode, Header: res.Header, Body: body})
}

// post sends body as application/json with the bearer token (none if "").
func (s *server) post(t testing.TB, path, token, body string) response {
	t.Helper()
	req := httptest.NewRequest(http.MethodPost, path, strings.NewReader(body))
	req.Header.Set("Content-Type", "application/json")
	bearer(req, token)
	return s.send(t, req)
}

// get sends a GET with the bearer token (none if "").
func (s *server) get(t testing.TB, path, token string) response {
	t.Helper()
	req := httptest.NewRequest(http.MethodGet, path, nil)
	bearer(req, token)
	return s.send(t, req)
}

func bearer(req *http.Request, token string) {
	if token != "" {
		req.Header.Set("Authorization", "Bearer "+token)
	}
}

// problemBody is an RFC 9457 problem as the API sends it.
type problemBody struct {
	Type   string `json:"type"`
	Title  string `json:"title"`
	Status int    `json:"status"`
	Detail string `json:"detail"`
	Errors []struct {
		Field   string `json:"field"`
		Message string `json:"message"`
	} `json:"errors"`
}

// fields returns the fields the problem names, in its order.
func (p problemBody) fields() []string {
	out := make([]string, len(p.Errors))
	for i, e := range p.Errors {
		out[i] = e.Field
	}
	return out
}

// problemOf decodes r as a problem of status, after checking its media type.
func problemOf(t testing.TB, r response, status int) problemBody {
	t.Helper()
	if r.Status != status {
		t.Fatalf("status = %d, want %d; body %s", r.Status, status, r.Body)
	}
	if ct := r.Header.Get("Content-Type"); ct != "application/problem+json" {
		t.Fatalf("Content-Type = %q, want application/problem+json", ct)
	}
	var p problemBody
	decodeStrict(t, r.Body, &p)
	if p.Status != status || p.Type == "" || p.Title == "" || p.Detail == "" {
		t.Fatalf("incomplete problem: %s", r.Body)
	}
	return p
}

// decodeStrict decodes JSON, failing on members v does not have.
func decodeStrict(t testing.TB, body []byte, v any) {
	t.Helper()
	dec := json.NewDecoder(bytes.NewReader(body))
	dec.DisallowUnknownFields()
	if err := dec.Decode(v); err != nil {
		t.Fatalf("decode %s: %v", body, err)
	}
}

// created is the 201 body of a create.
type created struct {
	Reference      string `json:"reference"`
	WorkspaceID    string `json:"workspace_id"`
	TenantID       string `json:"tenant_id"`
	PrimaryContext struct {
		Type string `json:"type"`
		ID   string `json:"id"`
	} `json:"primary_context"`
	Severity       string `json:"severity"`
	AttachmentMode string `json:"attachment_mode"`
	ContextDigest  string `json:"context_digest"`
	CreatedAt      string `json:"created_at"`
}

// createdOf checks that r is a 201 with its Location and decodes it.
func createdOf(t testing.TB, r response) created {
	t.Helper()
	if r.Status != http.StatusCreated {
		t.Fatalf("status = %d, want 201; body %s", r.Status, r.Body)
	}
	var c created
	decodeStrict(t, r.Body, &c)
	if loc := r.Header.Get("Location"); loc != "/v1/support-requests/"+c.Reference {
		t.Fatalf("Location = %q for reference %q", loc, c.Reference)
	}
	return c
}

// count returns the number of rows of table.
func count(t testing.TB, db *gormstore.DB, table string) int64 {
	t.Helper()
	var n int64
	if err := db.Gorm().Table(table).Count(&n).Error; err != nil {
		t.Fatalf("count %s: %v", table, err)
	}
	return n
}

// dump returns every row of table (ordered by orderBy) as text, one line
// per row, every column included.
func dump(t testing.TB, db *gormstore.DB, table, orderBy string) []string {
	t.Helper()
	rows, err := db.SQL().Query("SELECT * FROM " + table + " ORDER BY " + orderBy)
	if err != nil {
		t.Fatalf("dump %s: %v", table, err)
	}
	defer rows.Close()
	cols, err := rows.Columns()
	if err != nil {
		t.Fatalf("dump %s: %v", table, err)
	}
	var out []string
	for rows.Next() {
		vals := make([]any, len(cols))
		ptrs := make([]any, len(cols))
		for i := range vals {
			ptrs[i] = &vals[i]
		}
		if err := rows.Scan(ptrs...); err != nil {
			t.Fatalf("dump %s: %v", table, err)
		}
		var line strings.Builder
		for i, v := range vals {
			if b, ok := v.([]byte); ok {
				v = string(b)
			}
			fmt.Fprintf(&line, "%s=%v\x1f", cols[i], v)
		}
		out = append(out, line.String())
	}
	if err := rows.Err(); err != nil {
		t.Fatalf("dump %s: %v", table, err)
	}
	return out
}

// lockedBuffer collects log output written from request goroutines.
type lockedBuffer struct {
	mu  sync.Mutex
	buf bytes.Buffer
}

func (b *lockedBuffer) Write(p []byte) (int, error) {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.buf.Write(p)
}

func (b *lockedBuffer) String() string {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.buf.String()
}
