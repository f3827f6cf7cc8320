package httpapi_test

import (
	"context"
	"io"
	"net/http"
	"strings"
	"testing"
	"time"

	"go.uber.org/fx"

	"supportdesk/adapters/gormstore"
	"supportdesk/bootstrap"
	"supportdesk/test/testdb"
)

// fxService is the service as `supportdesk serve` wires it — bootstrap's
// Service and HTTP modules, web UI included — serving on a free port, with
// adapters swapped by fx options.
type fxService struct {
	app    *fx.App
	url    string // of the database
	base   string
	db     *gormstore.DB
	logs   *lockedBuffer
	client *http.Client
}

// engineURL returns the URL of a fresh, migrated database of the named
// engine, dropped when the test ends.
func engineURL(t *testing.T, engine string) string {
	t.Helper()
	if engine == string(gormstore.Postgres) {
		return testdb.PostgresURL(t)
	}
	return testdb.SQLitePath(t)
}

// forEachEngineURL runs fn with the URL of a fresh database of every
// engine, for tests that open it more than once.
func forEachEngineURL(t *testing.T, fn func(t *testing.T, url string)) {
	for _, e := range testdb.Engines() {
		t.Run(e.Name, func(t *testing.T) { fn(t, engineURL(t, e.Name)) })
	}
}

// serviceConfig is the configuration of a test service over url: a free
// port, and a create limit no suite reaches unless it means to.
func serviceConfig(url string) bootstrap.Config {
	return bootstrap.Config{DatabaseURL: url, Addr: "127.0.0.1:0", CreateLimit: 1000, RequestTimeout: 10 * time.Second}
}

// startService starts the service with cfg and stops it, if the test did
// not, when the test ends.
func startService(t *testing.T, cfg bootstrap.Config, opts ...fx.Option) *fxService {
	t.Helper()
	svc := &fxService{url: cfg.DatabaseURL, logs: &lockedBuffer{}, client: &http.Client{Transport: &http.Transport{}}}
	var listening *bootstrap.Listening
	opts = append([]fx.Option{bootstrap.Service(cfg, svc.logs), bootstrap.HTTP(), fx.Populate(&svc.db, &listening)}, opts...)
	svc.app = fx.New(opts...)
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	if err := svc.app.Start(ctx); err != nil {
		t.Fatalf("start the service: %v", err)
	}
	t.Cleanup(func() {
		if err := svc.stop(); err != nil {
			t.Errorf("stop the service: %v", err)
		}
	})
	svc.base = "http://" + listening.Addr().String()
	return svc
}

// stop stops the service, letting in-flight requests finish; stopping it
// again does nothing.
func (s *fxService) stop() error {
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	return s.app.Stop(ctx)
}

// do sends req (its URL a path) to the service and checks the answer
// against the OpenAPI document.
func (s *fxService) do(t testing.TB, req *http.Request) response {
	t.Helper()
	res, err := s.send(req)
	if err != nil {
		t.Fatalf("%s %s: %v", req.Method, req.URL.Path, err)
	}
	return conform(t, req, res)
}

// send sends req (its URL a path) to the service: for goroutines, which
// must not end the test.
func (s *fxService) send(req *http.Request) (response, error) {
	out := req.Clone(context.Background())
	u, err := out.URL.Parse(s.base + req.URL.RequestURI())
	if err != nil {
		return response{}, err
	}
	out.URL, out.Host, out.RequestURI = u, u.Host, ""
	res, err := s.client.Do(out)
	if err != nil {
		return response{}, err
	}
	defer res.Body.Close()
	body, err := io.ReadAll(res.Body)
	return response{Status: res.StatusCode, Header: res.Header, Body: body}, err
}

// createRequest is a create of path with body as application/json, the
// bearer token (none if "") and header, name and value pairs.
func createRequest(t testing.TB, path, token, body string, header ...string) *http.Request {
	t.Helper()
	req, err := http.NewRequest(http.MethodPost, path, strings.NewReader(body))
	if err != nil {
		t.Fatal(err)
	}
	req.Header.Set("Content-Type", "application/json")
	bearer(req, token)
	for i := 0; i+1 < len(header); i += 2 {
		req.Header.Set(header[i], header[i+1])
	}
	return req
}

// post sends body as application/json with the bearer token (none if "")
// and header, name and value pairs.
func (s *fxService) post(t testing.TB, path, token, body string, header ...string) response {
	t.Helper()
	return s.do(t, createRequest(t, path, token, body, header...))
}

// get sends a GET with the bearer token (none if "").
func (s *fxService) get(t testing.TB, path, token string) response {
	t.Helper()
	req, err := http.NewRequest(http.MethodGet, path, nil)
	if err != nil {
		t.Fatal(err)
	}
	bearer(req, token)
	return s.do(t, req)
}
