package httpapi

import (
	"bytes"
	"encoding/json"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
)

// A method Fiber does not know gets a problem, a request id and a log
// line like every other error — not fasthttp's plain-text 400.
func TestUnknownMethodsAreProblems(t *testing.T) {
	var logs bytes.Buffer
	app := New(&fakeDesk{}, Config{}, slog.New(slog.NewJSONHandler(&logs, nil)))
	for _, method := range []string{"PROPFIND", "BREW", "MKCOL", "X-Evil\u00e9"[:6]} {
		for _, path := range []string{"/v1/tenants/x/support-requests", "/no/such/path", "/healthz"} {
			logs.Reset()
			req := httptest.NewRequest(http.MethodGet, path, nil)
			req.Method = method
			res, err := app.Test(req, -1)
			if err != nil {
				t.Fatal(err)
			}
			body, _ := io.ReadAll(res.Body)
			res.Body.Close()
			var p problem
			if err := json.Unmarshal(body, &p); err != nil || res.StatusCode != http.StatusNotImplemented || p.Status != 501 {
				t.Errorf("%s %s: %d %s", method, path, res.StatusCode, body)
			}
			if ct := res.Header.Get("Content-Type"); ct != problemContentType {
				t.Errorf("%s %s: Content-Type %q", method, path, ct)
			}
			if res.Header.Get(HeaderRequestID) == "" {
				t.Errorf("%s %s: no request id", method, path)
			}
			line := logs.String()
			if !strings.Contains(line, `"msg":"request"`) || !strings.Contains(line, `"method":"OTHER"`) ||
				!strings.Contains(line, `"route":"unmatched"`) || strings.Contains(line, method) {
				t.Errorf("%s %s: log line %s", method, path, line)
			}
		}
	}
}

// Known methods keep their answers: 405 with Allow where the path exists.
func TestKnownMethodsStillRoute(t *testing.T) {
	app := New(&fakeDesk{}, Config{}, slog.New(slog.DiscardHandler))
	req := httptest.NewRequest(http.MethodPut, "/healthz", nil)
	res, err := app.Test(req, -1)
	if err != nil {
		t.Fatal(err)
	}
	res.Body.Close()
	if res.StatusCode != http.StatusMethodNotAllowed || !strings.Contains(res.Header.Get("Allow"), "GET") {
		t.Errorf("PUT /healthz: %d, Allow %q", res.StatusCode, res.Header.Get("Allow"))
	}
}
