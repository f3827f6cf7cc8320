package httpapi

import (
	"bytes"
	"context"
	"encoding/json"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"supportdesk/core"
	"supportdesk/core/reference"
	"supportdesk/core/support"
	"supportdesk/ports"
)

// fakeDesk records what the handlers pass to the inbound port.
type fakeDesk struct {
	// The support desk and the own lists are not what these tests look at.
	ports.Requester
	ports.Desk
	tokens  []string
	targets []support.PrimaryContext
	preview func(ctx context.Context) (ports.Preview, error)
}

func (f *fakeDesk) Authenticate(_ context.Context, token string) (ports.Actor, error) {
	f.tokens = append(f.tokens, token)
	if !strings.HasPrefix(token, "good") {
		return ports.Actor{}, core.Errorf(core.KindUnauthenticated, "token %s unknown", token)
	}
	return ports.Actor{ID: "u1"}, nil
}

func (f *fakeDesk) AttemptCreate(context.Context, ports.Actor) error { return nil }

func (f *fakeDesk) Submit(context.Context, ports.Submission) (ports.Submitted, error) {
	return ports.Submitted{}, core.Errorf(core.KindInternal, "not used")
}

func (f *fakeDesk) Preview(ctx context.Context, _ ports.Actor, t support.PrimaryContext) (ports.Preview, error) {
	f.targets = append(f.targets, t)
	if f.preview != nil {
		return f.preview(ctx)
	}
	return ports.Preview{Mode: support.CanonicalContextOnly, Reason: "capability_missing", ContextDigest: "sha256:x"}, nil
}

func (f *fakeDesk) Diagnostics(context.Context, ports.Actor, support.PrimaryContext) ([]byte, error) {
	panic("diagnostics exploded: password=hunter2")
}

func (f *fakeDesk) Get(context.Context, ports.Actor, reference.Reference) (*support.Request, error) {
	return nil, support.ErrNotFound
}

func do(t *testing.T, app interface {
	Test(*http.Request, ...int) (*http.Response, error)
}, path, token string) (*http.Response, []byte) {
	t.Helper()
	req := httptest.NewRequest(http.MethodGet, path, nil)
	if token != "" {
		req.Header.Set("Authorization", "Bearer "+token)
	}
	res, err := app.Test(req, -1)
	if err != nil {
		t.Fatal(err)
	}
	defer res.Body.Close()
	body, _ := io.ReadAll(res.Body)
	return res, body
}

// Fiber reuses the buffers behind headers and route parameters; what the
// handlers pass on must survive the next request.
func TestValuesPassedOnAreCopies(t *testing.T) {
	desk := &fakeDesk{}
	app := New(desk, Config{}, slog.New(slog.DiscardHandler))
	do(t, app, "/v1/tenants/AAAAAAAA-0000-0000-0000-000000000001/support-requests/attachment-preview", "good-token-1")
	do(t, app, "/v1/tenants/bbbbbbbb-0000-0000-0000-000000000002/support-requests/attachment-preview", "good-token-2")
	if desk.tokens[0] != "good-token-1" || desk.targets[0].ID != "aaaaaaaa-0000-0000-0000-000000000001" {
		t.Errorf("first request's values changed: %q %+v", desk.tokens[0], desk.targets[0])
	}
}

func TestRequestDeadlineReachesTheUseCase(t *testing.T) {
	desk := &fakeDesk{preview: func(ctx context.Context) (ports.Preview, error) {
		if _, ok := ctx.Deadline(); !ok {
			t.Error("the use case got a context without a deadline")
		}
		<-ctx.Done()
		return ports.Preview{}, ctx.Err()
	}}
	app := New(desk, Config{RequestTimeout: 20 * time.Millisecond}, slog.New(slog.DiscardHandler))
	res, body := do(t, app, "/v1/operation-runs/x/support-requests/attachment-preview", "good")
	if res.StatusCode != http.StatusServiceUnavailable || res.Header.Get("Retry-After") == "" {
		t.Errorf("%d %s (Retry-After %q)", res.StatusCode, body, res.Header.Get("Retry-After"))
	}
}

func TestPanicIsAnInternalProblem(t *testing.T) {
	var logs bytes.Buffer
	app := New(&fakeDesk{}, Config{}, slog.New(slog.NewJSONHandler(&logs, nil)))
	res, body := do(t, app, "/v1/tenants/x/support-diagnostics", "good")
	var p problem
	if err := json.Unmarshal(body, &p); err != nil || res.StatusCode != 500 || p.Detail != detailInternal {
		t.Fatalf("%d %s", res.StatusCode, body)
	}
	if res.Header.Get("Content-Type") != problemContentType || strings.Contains(string(body), "hunter2") {
		t.Errorf("%s %s", res.Header.Get("Content-Type"), body)
	}
	if !strings.Contains(logs.String(), "diagnostics exploded") {
		t.Errorf("the panic was not logged: %s", logs.String())
	}
}

func TestUnauthenticatedAnswersOneWay(t *testing.T) {
	app := New(&fakeDesk{}, Config{}, nil)
	res1, body1 := do(t, app, "/v1/tenants/x/support-diagnostics", "")
	res2, body2 := do(t, app, "/v1/tenants/x/support-diagnostics", "bad-token")
	for _, res := range []*http.Response{res1, res2} {
		if res.StatusCode != 401 || res.Header.Get("WWW-Authenticate") != "Bearer" {
			t.Errorf("%d, WWW-Authenticate %q", res.StatusCode, res.Header.Get("WWW-Authenticate"))
		}
	}
	if !bytes.Equal(body1, body2) || bytes.Contains(body2, []byte("bad-token")) {
		t.Errorf("401 bodies: %s / %s", body1, body2)
	}
}
