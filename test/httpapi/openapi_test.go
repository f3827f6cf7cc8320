package httpapi_test

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"path/filepath"
	"regexp"
	"slices"
	"strings"
	"sync"
	"testing"

	"github.com/getkin/kin-openapi/openapi3"
	"github.com/getkin/kin-openapi/openapi3filter"
	"github.com/getkin/kin-openapi/routers"
	"github.com/getkin/kin-openapi/routers/legacy"

	"supportdesk/adapters/gormstore"
	"supportdesk/adapters/httpapi"
	"supportdesk/adapters/metrics"
	"supportdesk/core/usecase"
)

// The OpenAPI conformance check. Every response the suites get through
// the harness (send, sendTCP, sendHead, the fx service's client) is
// checked against adapters/httpapi/openapi.json by conform: its status
// must be documented for the operation (an undocumented one fails), and
// its headers and body must match the documented schemas, which refuse
// members they do not list. So the document cannot drift from the code
// without a suite failing.
//
// The document is OpenAPI 3.1, which kin-openapi v0.133 does not fully
// implement: it reads a 3.1 document but validates the document itself by
// 3.0 rules, rejecting the type "null". The document therefore keeps to
// the part of 3.1 that has an exact 3.0 equivalent — the only 3.1 form it
// uses is a type list [T, "null"] — and spec30 rewrites that form into
// 3.0's "nullable" before loading, for validation only. spec30 refuses any
// other 3.1-only keyword, so the subset is kept by a test, not by habit.

// openAPI is the loaded document and its router, shared by every test.
var openAPI struct {
	once   sync.Once
	doc    *openapi3.T
	router routers.Router
	err    error
}

// spec returns the document, loaded and validated once.
func spec(t testing.TB) (*openapi3.T, routers.Router) {
	t.Helper()
	openAPI.once.Do(func() {
		doc30, err := spec30(httpapi.OpenAPI())
		if err != nil {
			openAPI.err = err
			return
		}
		loader := openapi3.NewLoader()
		doc, err := loader.LoadFromData(doc30)
		if err != nil {
			openAPI.err = fmt.Errorf("load: %w", err)
			return
		}
		if err := doc.Validate(context.Background()); err != nil {
			openAPI.err = fmt.Errorf("validate: %w", err)
			return
		}
		openAPI.doc = doc
		openAPI.router, openAPI.err = legacy.NewRouter(doc)
	})
	if openAPI.err != nil {
		t.Fatalf("openapi.json: %v", openAPI.err)
	}
	return openAPI.doc, openAPI.router
}

// only31 are keywords of OpenAPI 3.1 (JSON Schema 2020-12) without a 3.0
// equivalent that spec30 could write.
var only31 = []string{"const", "$schema", "$id", "$defs", "$anchor", "$dynamicRef", "prefixItems", "if", "then",
	"else", "dependentSchemas", "dependentRequired", "unevaluatedProperties", "unevaluatedItems",
	"contentMediaType", "contentEncoding", "contentSchema", "webhooks", "jsonSchemaDialect", "pathItems",
	"exclusiveMinimum", "exclusiveMaximum", "nullable", "examples"}

// spec30 rewrites the OpenAPI 3.1 document doc as the equivalent 3.0
// document, or says which part of it has no equivalent.
func spec30(doc []byte) ([]byte, error) {
	var v map[string]any
	if err := json.Unmarshal(doc, &v); err != nil {
		return nil, fmt.Errorf("parse: %w", err)
	}
	if v["openapi"] != "3.1.0" {
		return nil, fmt.Errorf(`openapi is %v, want "3.1.0"`, v["openapi"])
	}
	v["openapi"] = "3.0.3"
	var walk func(path string, node any) error
	walk = func(path string, node any) error {
		switch n := node.(type) {
		case []any:
			for i, item := range n {
				if err := walk(fmt.Sprintf("%s/%d", path, i), item); err != nil {
					return err
				}
			}
		case map[string]any:
			// The members of properties are names, not keywords.
			inProperties := strings.HasSuffix(path, "/properties")
			for key, value := range n {
				if !inProperties && slices.Contains(only31, key) {
					return fmt.Errorf("%s/%s: keyword outside the 3.0-compatible subset", path, key)
				}
				if err := walk(path+"/"+key, value); err != nil {
					return err
				}
			}
			if types, ok := n["type"].([]any); ok && !inProperties {
				if len(types) != 2 || types[1] != "null" {
					return fmt.Errorf("%s/type: only [T, \"null\"] lists are in the subset, not %v", path, types)
				}
				n["type"], n["nullable"] = types[0], true
			}
		}
		return nil
	}
	if err := walk("#", v); err != nil {
		return nil, err
	}
	return json.Marshal(v)
}

// conform checks res, the answer to req, against the document and returns
// it. A request for a path or method the document does not have must get
// the 404 or 405 problem.
func conform(t testing.TB, req *http.Request, res response) response {
	t.Helper()
	doc, router := spec(t)
	if req.Method == http.MethodHead {
		return res // no body to check; the GET twin is checked
	}
	route, params, err := router.FindRoute(req)
	if err != nil {
		conformUnrouted(t, doc, router, req, res)
		return res
	}
	input := &openapi3filter.ResponseValidationInput{
		RequestValidationInput: &openapi3filter.RequestValidationInput{Request: req, PathParams: params, Route: route},
		Status:                 res.Status,
		Header:                 res.Header,
		Options:                &openapi3filter.Options{IncludeResponseStatus: true, MultiError: true},
	}
	input.SetBodyBytes(res.Body)
	if err := openapi3filter.ValidateResponse(context.Background(), input); err != nil {
		t.Errorf("OpenAPI: %s %s → %d does not conform: %v\nbody: %.500s", req.Method, route.Path, res.Status, err, res.Body)
	}
	return res
}

// conformUnrouted checks the answer to a request the document has no
// operation for: the method-not-allowed problem, with Allow, when another
// method has one at that path, else the not-found problem.
func conformUnrouted(t testing.TB, doc *openapi3.T, router routers.Router, req *http.Request, res response) {
	t.Helper()
	for _, method := range []string{http.MethodGet, http.MethodPost, http.MethodPut, http.MethodPatch, http.MethodDelete} {
		other := req.Clone(context.Background())
		other.Method = method
		if _, _, err := router.FindRoute(other); err == nil {
			if res.Status != http.StatusMethodNotAllowed || res.Header.Get("Allow") == "" {
				t.Errorf("OpenAPI: %s %s has no operation, but got %d (Allow %q)", req.Method, req.URL.Path, res.Status, res.Header.Get("Allow"))
			}
			return
		}
	}
	if res.Status != http.StatusNotFound {
		t.Errorf("OpenAPI: %s %s is not in the document, but got %d", req.Method, req.URL.Path, res.Status)
		return
	}
	// Checked as the documented 404 of every operation.
	schema := doc.Components.Responses["NotFound"].Value.Content.Get("application/problem+json").Schema.Value
	var body any
	if err := json.Unmarshal(res.Body, &body); err != nil || schema.VisitJSON(body) != nil {
		t.Errorf("OpenAPI: the 404 of %s is not the not-found problem: %s", req.URL.Path, res.Body)
	}
}

// fiberParam is a parameter of a Fiber route template, {name} in OpenAPI.
var fiberParam = regexp.MustCompile(`:([A-Za-z]+)`)

// TestEveryRouteIsDocumented compares the routes the API registers with
// the document's operations, both ways. HEAD, which Fiber adds to every
// GET, follows from HTTP and is not listed.
func TestEveryRouteIsDocumented(t *testing.T) {
	doc, _ := spec(t)
	app := httpapi.New(usecase.New(usecase.Deps{}), httpapi.Config{Metrics: metrics.New(nil)}, slog.New(slog.DiscardHandler))
	registered := map[string]bool{}
	for _, r := range app.GetRoutes(true) {
		if r.Method == http.MethodHead {
			continue
		}
		op := r.Method + " " + fiberParam.ReplaceAllString(r.Path, "{$1}")
		registered[op] = true
		item := doc.Paths.Value(fiberParam.ReplaceAllString(r.Path, "{$1}"))
		if item == nil || item.GetOperation(r.Method) == nil {
			t.Errorf("%s is served but not documented", op)
		}
	}
	for path, item := range doc.Paths.Map() {
		for method := range item.Operations() {
			if !registered[method+" "+path] {
				t.Errorf("%s %s is documented but not served", method, path)
			}
		}
	}
}

// TestOpenAPIServedAsKept checks that /openapi.json is the file in the
// repository, byte for byte, and is an OpenAPI 3.1 document.
func TestOpenAPIServedAsKept(t *testing.T) {
	app := httpapi.New(usecase.New(usecase.Deps{}), httpapi.Config{}, slog.New(slog.DiscardHandler))
	req := httptest.NewRequest(http.MethodGet, "/openapi.json", nil)
	res, err := app.Test(req, -1)
	if err != nil {
		t.Fatal(err)
	}
	defer res.Body.Close()
	body, err := io.ReadAll(res.Body)
	if err != nil {
		t.Fatal(err)
	}
	conform(t, req, response{Status: res.StatusCode, Header: res.Header, Body: body})
	if res.StatusCode != http.StatusOK || res.Header.Get("Content-Type") != "application/json" || !bytes.Equal(body, httpapi.OpenAPI()) {
		t.Fatalf("%d %s: not the document as kept", res.StatusCode, res.Header.Get("Content-Type"))
	}
	var head struct {
		OpenAPI string `json:"openapi"`
	}
	if err := json.Unmarshal(body, &head); err != nil || head.OpenAPI != "3.1.0" {
		t.Fatalf("openapi %q (%v), want 3.1.0", head.OpenAPI, err)
	}
}

// TestSpec30RefusesWhatIsOnly31 checks the guard of the 3.0-compatible
// subset.
func TestSpec30RefusesWhatIsOnly31(t *testing.T) {
	for _, doc := range []string{
		`{"openapi":"3.0.3"}`,
		`{"openapi":"3.1.0","components":{"schemas":{"A":{"const":1}}}}`,
		`{"openapi":"3.1.0","components":{"schemas":{"A":{"type":["string","integer"]}}}}`,
		`{"openapi":"3.1.0","components":{"schemas":{"A":{"type":"integer","exclusiveMinimum":0}}}}`,
	} {
		if _, err := spec30([]byte(doc)); err == nil {
			t.Errorf("accepted %s", doc)
		}
	}
	out, err := spec30([]byte(`{"openapi":"3.1.0","components":{"schemas":{"A":{"properties":{"const":{"type":["string","null"]}}}}}}`))
	if err != nil || !strings.Contains(string(out), `"nullable":true`) || !strings.Contains(string(out), `"3.0.3"`) {
		t.Errorf("%s, %v", out, err)
	}
}

// TestOperationalEndpoints checks /healthz, /readyz and /metrics on a
// fresh database of every engine, their answers checked by conform.
func TestOperationalEndpoints(t *testing.T) {
	forEachEngine(t, func(t *testing.T, db *gormstore.DB) {
		w := newWorld()
		b := newBasic(w)
		w.load(t, db)
		s := newServer(t, db)
		if res := s.get(t, "/healthz", ""); res.Status != http.StatusOK || string(res.Body) != `{"status":"ok"}` {
			t.Errorf("healthz: %s", res)
		}
		if res := s.get(t, "/readyz", ""); res.Status != http.StatusOK || string(res.Body) != `{"status":"ready"}` {
			t.Errorf("readyz: %s", res)
		}
		createdOf(t, s.post(t, "/v1/operation-runs/"+b.run+"/support-requests", b.roles["owner"].token, obj(sev, sum)))
		createdOf(t, s.post(t, "/v1/tenants/"+b.tenant+"/support-requests", b.roles["operator"].token, obj(sev, sum)))
		s.post(t, "/v1/tenants/"+b.tenant+"/support-requests", "", obj(sev, sum))
		s.get(t, "/v1/no/such/path", "")
		s.get(t, "/no/such/path", "")
		// Refused by the server before routing, and still counted.
		tooLarge := httptest.NewRequest(http.MethodPost, "/v1/tenants/"+b.tenant+"/support-requests", nil)
		tooLarge.Header.Set("Content-Type", "application/json")
		problemOf(t, s.sendHead(t, tooLarge, httpapi.DefaultBodyLimit+1), http.StatusRequestEntityTooLarge)

		res := s.get(t, "/metrics", "")
		if res.Status != http.StatusOK || !strings.HasPrefix(res.Header.Get("Content-Type"), "text/plain") {
			t.Fatalf("metrics: %d %s", res.Status, res.Header.Get("Content-Type"))
		}
		text := string(res.Body)
		for _, want := range []string{
			`supportdesk_http_request_duration_seconds_count{method="POST",route="/v1/operation-runs/:runID/support-requests",status="201"} 1`,
			`supportdesk_http_request_duration_seconds_count{method="POST",route="/v1/tenants/:tenantID/support-requests",status="201"} 1`,
			`supportdesk_http_request_duration_seconds_count{method="POST",route="/v1/tenants/:tenantID/support-requests",status="401"} 1`,
			`supportdesk_http_request_duration_seconds_count{method="GET",route="/readyz",status="200"} 1`,
			`supportdesk_http_request_duration_seconds_count{method="GET",route="unmatched",status="404"} 2`,
			`supportdesk_http_request_duration_seconds_count{method="POST",route="unmatched",status="413"} 1`,
			`supportdesk_support_requests_created_total{attachment_mode="diagnostics_attached",context_type="operation_run"} 1`,
			`supportdesk_support_requests_created_total{attachment_mode="canonical_context_only",context_type="tenant"} 1`,
			`supportdesk_support_requests_created_total{attachment_mode="diagnostics_attached",context_type="tenant"} 0`,
			`supportdesk_envelope_build_duration_seconds_count 2`,
			`go_sql_max_open_connections{db_name="supportdesk"}`,
			`go_goroutines `,
			`process_cpu_seconds_total `,
		} {
			if !strings.Contains(text, want) {
				t.Errorf("metrics lack %s", want)
			}
		}
		for _, raw := range []string{b.tenant, b.run, "no/such/path"} {
			if strings.Contains(text, raw) {
				t.Errorf("a raw path reached the metrics: %s", raw)
			}
		}
	})
}

// recordingTB records the failures reported to it instead of failing.
type recordingTB struct {
	testing.TB
	failures []string
}

func (r *recordingTB) Helper() {}

func (r *recordingTB) Errorf(format string, args ...any) {
	r.failures = append(r.failures, fmt.Sprintf(format, args...))
}

// TestConformCatchesDrift feeds conform answers the document does not
// allow: each must be reported.
func TestConformCatchesDrift(t *testing.T) {
	created := `{"reference":"SR-01JDQ2ZK8W6J3M0V2Q1C9B7N5X","workspace_id":"w","tenant_id":"t",` +
		`"primary_context":{"type":"tenant","id":"t"},"severity":"high","attachment_mode":"diagnostics_attached",` +
		`"context_digest":"sha256:` + strings.Repeat("0", 64) + `","created_at":"2025-06-01T08:00:00Z"}`
	header := func(kv ...string) http.Header {
		h := http.Header{"X-Request-Id": {"id-1"}}
		for i := 0; i+1 < len(kv); i += 2 {
			h.Set(kv[i], kv[i+1])
		}
		return h
	}
	json201 := header("Content-Type", "application/json", "Location", "/v1/support-requests/SR-01JDQ2ZK8W6J3M0V2Q1C9B7N5X")
	problem := func(status int, slug string) []byte {
		return fmt.Appendf(nil, `{"type":"https://supportdesk.dev/problems/%s","title":"t","status":%d,"detail":"d"}`, slug, status)
	}
	create := httptest.NewRequest(http.MethodPost, "/v1/tenants/t/support-requests", nil)
	for name, c := range map[string]struct {
		req *http.Request
		res response
	}{
		"conforming (control)":       {create, response{201, json201, []byte(created)}},
		"undocumented status":        {create, response{418, header("Content-Type", "application/problem+json"), problem(418, "teapot")}},
		"unlisted member":            {create, response{201, json201, []byte(strings.Replace(created, `{`, `{"summary":"x",`, 1))}},
		"no Location":                {create, response{201, header("Content-Type", "application/json"), []byte(created)}},
		"no X-Request-ID":            {create, response{201, http.Header{"Content-Type": {"application/json"}, "Location": {"/v1/support-requests/SR-01JDQ2ZK8W6J3M0V2Q1C9B7N5X"}}, []byte(created)}},
		"429 without Retry-After":    {create, response{429, header("Content-Type", "application/problem+json"), problem(429, "rate-limited")}},
		"wrong problem type":         {create, response{409, header("Content-Type", "application/problem+json"), problem(409, "validation")}},
		"JSON where problem is due":  {create, response{404, header("Content-Type", "application/json"), problem(404, "not-found")}},
		"unknown path answered 200":  {httptest.NewRequest(http.MethodGet, "/v2/anything", nil), response{200, header("Content-Type", "application/json"), []byte(`{}`)}},
		"wrong method without Allow": {httptest.NewRequest(http.MethodDelete, "/healthz", nil), response{405, header("Content-Type", "application/problem+json"), []byte(`{}`)}},
	} {
		rec := &recordingTB{TB: t}
		conform(rec, c.req, c.res)
		if control := strings.HasSuffix(name, "(control)"); control != (len(rec.failures) == 0) {
			t.Errorf("%s: reported %q", name, rec.failures)
		}
	}
}

// TestNotReadyBeforeMigrations: a database that answers but lacks the
// schema is not ready.
func TestNotReadyBeforeMigrations(t *testing.T) {
	s := newServer(t, openDB(t, filepath.Join(t.TempDir(), "empty.db")))
	p := problemOf(t, s.get(t, "/readyz", ""), http.StatusServiceUnavailable)
	if p.Detail != "database migrations are pending" {
		t.Errorf("detail %q", p.Detail)
	}
}

// TestOpenAPIIsSelfContained: the document reads on its own; a client has
// no product specification to look things up in.
func TestOpenAPIIsSelfContained(t *testing.T) {
	if doc := string(httpapi.OpenAPI()); strings.Contains(doc, "SPEC") || strings.Contains(doc, "§") {
		t.Error("openapi.json refers to a specification the reader does not have")
	}
}
