package httpapi_test

import (
	"bytes"
	"compress/gzip"
	"encoding/json"
	"net/http"
	"net/http/httptest"
	"slices"
	"strings"
	"testing"

	"supportdesk/adapters/gormstore"
)

// m renders one member of a JSON object with a valid JSON value.
func m(key string, value any) string {
	k, _ := json.Marshal(key)
	v, _ := json.Marshal(value)
	return string(k) + ":" + string(v)
}

// raw renders one member whose value is written exactly as given.
func raw(key, value string) string { return `"` + key + `":` + value }

func obj(members ...string) string { return "{" + strings.Join(members, ",") + "}" }

// The members of a valid body.
var (
	sev = m("severity", "normal")
	sum = m("summary", "Sync keeps failing")
)

// email returns a syntactically valid address of exactly n (≥ 191) characters.
func email(n int) string {
	prefix := strings.Repeat("a", 64) + "@" + strings.Repeat("b", 60) + "." + strings.Repeat("c", 60) + "."
	return prefix + strings.Repeat("d", n-len(prefix)-4) + ".com"
}

// validationCase is one create request and what must come of it.
type validationCase struct {
	name        string
	body        string
	contentType string // "" means application/json; "-" means none
	gzip        bool   // compress the body (and say so)
	status      int
	fields      []string // for 422: exactly the fields named, in order
	message     string   // for 422: a message that must appear
	stored      func(t *testing.T, rec map[string]any)
}

func validationCases() []validationCase {
	var cases []validationCase
	add := func(c ...validationCase) { cases = append(cases, c...) }
	ok := func(name, body string, check ...func(*testing.T, map[string]any)) validationCase {
		c := validationCase{name: name, body: body, status: http.StatusCreated}
		if len(check) > 0 {
			c.stored = check[0]
		}
		return c
	}
	bad := func(name, body, message string, fields ...string) validationCase {
		return validationCase{name: name, body: body, status: http.StatusUnprocessableEntity, fields: fields, message: message}
	}
	malformed := func(name, body string) validationCase {
		return validationCase{name: name, body: body, status: http.StatusBadRequest}
	}
	storedField := func(field string, want any) func(*testing.T, map[string]any) {
		return func(t *testing.T, rec map[string]any) {
			t.Helper()
			if rec[field] != want {
				t.Errorf("stored %s = %q, want %q", field, rec[field], want)
			}
		}
	}
	a := func(n int) string { return strings.Repeat("a", n) }

	// Severity.
	for _, s := range []string{"low", "normal", "high", "blocking"} {
		add(ok("severity "+s, obj(m("severity", s), sum), storedField("severity", s)))
	}
	add(
		bad("severity missing", obj(sum), "is required", "severity"),
		bad("severity empty", obj(m("severity", ""), sum), "is required", "severity"),
		bad("severity unknown", obj(m("severity", "urgent"), sum), "must be one of", "severity"),
		bad("severity upper case", obj(m("severity", "LOW"), sum), "must be one of", "severity"),
		bad("severity null", obj(raw("severity", "null"), sum), "is required", "severity"),
		bad("severity number", obj(raw("severity", "3"), sum), "must be a string", "severity"),
		bad("severity boolean", obj(raw("severity", "true"), sum), "must be a string", "severity"),
		bad("severity object", obj(raw("severity", `{"level":"low"}`), sum), "must be a string", "severity"),
		bad("severity array", obj(raw("severity", `["low"]`), sum), "must be a string", "severity"),
	)

	// Summary: required, trimmed, 1–200 code points, one line.
	add(
		ok("summary 1 character", obj(sev, m("summary", "x"))),
		ok("summary 200 ASCII", obj(sev, m("summary", a(200)))),
		ok("summary 200 two-byte", obj(sev, m("summary", strings.Repeat("é", 200)))),
		ok("summary 200 three-byte", obj(sev, m("summary", strings.Repeat("€", 200)))),
		ok("summary 200 four-byte", obj(sev, m("summary", strings.Repeat("😀", 200)))),
		ok("summary 200 code points as combining pairs", obj(sev, m("summary", strings.Repeat("e\u0301", 100)))),
		ok("summary surrogate pair escape", obj(sev, raw("summary", `"ok \ud83d\ude00"`)), storedField("summary", "ok 😀")),
		ok("summary trimmed", obj(sev, m("summary", " \t padded \n ")), storedField("summary", "padded")),
		ok("summary 200 after trimming", obj(sev, m("summary", "   "+a(200)+"   ")), storedField("summary", a(200))),
		ok("summary inner tab", obj(sev, m("summary", "a\tb")), storedField("summary", "a\tb")),
		ok("summary escaped HTML kept", obj(sev, m("summary", "<b>&</b>")), storedField("summary", "<b>&</b>")),
		bad("summary missing", obj(sev), "is required", "summary"),
		bad("summary empty", obj(sev, m("summary", "")), "is required", "summary"),
		bad("summary white space only", obj(sev, m("summary", " \t ")), "is required", "summary"),
		bad("summary 201 ASCII", obj(sev, m("summary", a(201))), "at most 200", "summary"),
		bad("summary 201 two-byte", obj(sev, m("summary", strings.Repeat("é", 201))), "at most 200", "summary"),
		bad("summary 201 four-byte", obj(sev, m("summary", strings.Repeat("😀", 201))), "at most 200", "summary"),
		bad("summary 201 code points as combining pairs", obj(sev, m("summary", strings.Repeat("e\u0301", 100)+"x")), "at most 200", "summary"),
		bad("summary null", obj(sev, raw("summary", "null")), "is required", "summary"),
		bad("summary number", obj(sev, raw("summary", "5")), "must be a string", "summary"),
		bad("summary boolean", obj(sev, raw("summary", "false")), "must be a string", "summary"),
		bad("summary object", obj(sev, raw("summary", "{}")), "must be a string", "summary"),
		bad("summary array", obj(sev, raw("summary", `["a"]`)), "must be a string", "summary"),
		bad("summary NUL", obj(sev, m("summary", "a\x00b")), "NUL", "summary"),
		bad("summary BEL", obj(sev, m("summary", "a\x07b")), "control characters", "summary"),
		bad("summary ESC", obj(sev, m("summary", "a\x1b[31mb")), "control characters", "summary"),
		bad("summary DEL", obj(sev, m("summary", "a\x7fb")), "control characters", "summary"),
		bad("summary C1 control", obj(sev, m("summary", "a\u0085b")), "control characters", "summary"),
		bad("summary line feed", obj(sev, m("summary", "a\nb")), "control characters", "summary"),
		bad("summary carriage return", obj(sev, m("summary", "a\rb")), "control characters", "summary"),
		bad("summary invalid byte", obj(sev, raw("summary", "\"a\xffb\"")), "valid UTF-8", "summary"),
		bad("summary overlong encoding", obj(sev, raw("summary", "\"a\xc0\xafb\"")), "valid UTF-8", "summary"),
		bad("summary truncated sequence", obj(sev, raw("summary", "\"a\xe2\x82\"")), "valid UTF-8", "summary"),
		bad("summary UTF-8 encoded surrogate", obj(sev, raw("summary", "\"a\xed\xa0\x80b\"")), "valid UTF-8", "summary"),
		bad("summary lone high surrogate escape", obj(sev, raw("summary", `"a\ud800b"`)), "valid UTF-8", "summary"),
		bad("summary lone low surrogate escape", obj(sev, raw("summary", `"a\udc00b"`)), "valid UTF-8", "summary"),
		bad("summary high surrogate then letter", obj(sev, raw("summary", `"\ud800\u0041"`)), "valid UTF-8", "summary"),
		bad("summary given twice", obj(sev, sum, sum), "only once", "summary"),
		// Spoofed text: what is shown must be what is there.
		bad("summary right-to-left override", obj(sev, m("summary", "invoice \u202egnp.exe")), "bidirectional", "summary"),
		bad("summary isolate escaped", obj(sev, raw("summary", `"a\u2066b\u2069"`)), "bidirectional", "summary"),
		bad("summary line separator", obj(sev, m("summary", "a\u2028b")), "control characters", "summary"),
		bad("summary only zero-width space", obj(sev, m("summary", "\u200b")), "visible characters", "summary"),
		bad("summary only byte order mark", obj(sev, raw("summary", `"\ufeff"`)), "visible characters", "summary"),
		bad("summary C1 CSI", obj(sev, m("summary", "a\u009b31mb")), "control characters", "summary"),
		ok("summary emoji with zero-width joiner", obj(sev, m("summary", "👩\u200d💻 locked out")), storedField("summary", "👩\u200d💻 locked out")),
		ok("summary Hebrew with right-to-left mark", obj(sev, m("summary", "הסנכרון נכשל\u200f")), storedField("summary", "הסנכרון נכשל\u200f")),
	)

	// Reproduction notes: optional, at most 5,000 code points, line breaks allowed.
	add(
		ok("notes 5000 ASCII", obj(sev, sum, m("reproduction_notes", a(5000)))),
		ok("notes 5000 three-byte", obj(sev, sum, m("reproduction_notes", strings.Repeat("€", 5000)))),
		ok("notes line breaks and tabs", obj(sev, sum, m("reproduction_notes", "1. open\r\n2. sync\n\t3. fail")),
			storedField("reproduction_notes", "1. open\r\n2. sync\n\t3. fail")),
		ok("notes not trimmed", obj(sev, sum, m("reproduction_notes", "  x  ")), storedField("reproduction_notes", "  x  ")),
		ok("notes empty is absent", obj(sev, sum, m("reproduction_notes", "")), storedField("reproduction_notes", nil)),
		ok("notes null is absent", obj(sev, sum, raw("reproduction_notes", "null")), storedField("reproduction_notes", nil)),
		bad("notes 5001 ASCII", obj(sev, sum, m("reproduction_notes", a(5001))), "at most 5000", "reproduction_notes"),
		bad("notes 5001 four-byte", obj(sev, sum, m("reproduction_notes", strings.Repeat("😀", 5001))), "at most 5000", "reproduction_notes"),
		bad("notes NUL", obj(sev, sum, m("reproduction_notes", "a\x00")), "NUL", "reproduction_notes"),
		bad("notes vertical tab", obj(sev, sum, m("reproduction_notes", "a\vb")), "control characters", "reproduction_notes"),
		bad("notes form feed", obj(sev, sum, m("reproduction_notes", "a\fb")), "control characters", "reproduction_notes"),
		ok("notes paragraph separator", obj(sev, sum, m("reproduction_notes", "one\u2029two")), storedField("reproduction_notes", "one\u2029two")),
		bad("notes override", obj(sev, sum, m("reproduction_notes", "see \u202eexe.txt")), "bidirectional", "reproduction_notes"),
		bad("notes only invisible", obj(sev, sum, m("reproduction_notes", "\u200b\n\ufeff")), "visible characters", "reproduction_notes"),
		bad("notes invalid byte", obj(sev, sum, raw("reproduction_notes", "\"\xfe\"")), "valid UTF-8", "reproduction_notes"),
		bad("notes number", obj(sev, sum, raw("reproduction_notes", "12")), "must be a string", "reproduction_notes"),
		bad("notes array", obj(sev, sum, raw("reproduction_notes", `["a","b"]`)), "must be a string", "reproduction_notes"),
	)

	// Contact name: optional, at most 120 code points, one line.
	add(
		ok("contact name 120", obj(sev, sum, m("contact_name", strings.Repeat("ß", 120))), storedField("contact_name", strings.Repeat("ß", 120))),
		ok("contact name with tab", obj(sev, sum, m("contact_name", "Ada\tLovelace"))),
		ok("contact name null is absent", obj(sev, sum, raw("contact_name", "null")), storedField("contact_name", nil)),
		bad("contact name 121", obj(sev, sum, m("contact_name", strings.Repeat("ß", 121))), "at most 120", "contact_name"),
		bad("contact name line feed", obj(sev, sum, m("contact_name", "Ada\nLovelace")), "control characters", "contact_name"),
		bad("contact name NUL", obj(sev, sum, m("contact_name", "\x00")), "NUL", "contact_name"),
		bad("contact name invalid byte", obj(sev, sum, raw("contact_name", "\"Ad\xe9\"")), "valid UTF-8", "contact_name"),
		ok("contact name Arabic with mark", obj(sev, sum, m("contact_name", "مريم\u200f")), storedField("contact_name", "مريم\u200f")),
		bad("contact name line separator", obj(sev, sum, m("contact_name", "Ada\u2028Lovelace")), "control characters", "contact_name"),
		bad("contact name isolate", obj(sev, sum, m("contact_name", "\u2068Ada")), "bidirectional", "contact_name"),
		bad("contact name only invisible", obj(sev, sum, m("contact_name", "\u2060\u200c")), "visible characters", "contact_name"),
		bad("contact name number", obj(sev, sum, raw("contact_name", "1.5")), "must be a string", "contact_name"),
	)

	// Contact email: optional, a valid address of at most 254 characters.
	add(
		ok("contact email", obj(sev, sum, m("contact_email", "ops@example.com")), storedField("contact_email", "ops@example.com")),
		ok("contact email 254", obj(sev, sum, m("contact_email", email(254)))),
		ok("contact email null is absent", obj(sev, sum, raw("contact_email", "null")), storedField("contact_email", nil)),
		bad("contact email 255", obj(sev, sum, m("contact_email", email(255))), "at most 254", "contact_email"),
		bad("contact email without at", obj(sev, sum, m("contact_email", "not-an-email")), "valid email", "contact_email"),
		bad("contact email without dotted domain", obj(sev, sum, m("contact_email", "ops@localhost")), "valid email", "contact_email"),
		bad("contact email with display name", obj(sev, sum, m("contact_email", "Ops <ops@example.com>")), "valid email", "contact_email"),
		bad("contact email with surrounding space", obj(sev, sum, m("contact_email", " ops@example.com")), "valid email", "contact_email"),
		bad("contact email line feed", obj(sev, sum, m("contact_email", "ops@example.com\n")), "control characters", "contact_email"),
		bad("contact email boolean", obj(sev, sum, raw("contact_email", "true")), "must be a string", "contact_email"),
	)

	// Unknown members: nothing the server decides can be set by the client.
	for _, f := range []string{"tenant_id", "workspace_id", "reference", "created_by", "created_at", "attachment_mode",
		"context", "context_digest", "primary_context", "id", "Summary", "severity "} {
		add(bad("unknown member "+f, obj(sev, sum, m(f, "x")), "is not a field", f))
	}
	add(
		bad("unknown member with invalid UTF-8 name", obj(sev, sum, raw("\xffx", `"x"`)), "is not a field", "\ufffdx"),
		bad("unknown member null", obj(sev, sum, raw("tenant_id", "null")), "is not a field", "tenant_id"),
		bad("every problem at once", obj(m("tenant_id", "x"), m("severity", "urgent"), m("summary", a(201)),
			raw("contact_name", "7"), m("contact_email", "nope"), raw("reproduction_notes", "\"\xff\""), m("created_by", "x")),
			"", "severity", "summary", "reproduction_notes", "contact_name", "contact_email", "tenant_id", "created_by"),
	)

	// Malformed JSON: 400.
	add(
		malformed("empty body", ""),
		malformed("white space only", "  \n"),
		malformed("unterminated object", `{"severity":"low"`),
		malformed("missing value", `{"summary":}`),
		malformed("trailing comma", obj(sev, sum)+","),
		malformed("trailing comma inside", `{"severity":"low",}`),
		malformed("unquoted name", `{severity:"low"}`),
		malformed("single quotes", `{'severity':'low'}`),
		malformed("trailing garbage", obj(sev, sum)+"x"),
		malformed("two objects", obj(sev, sum)+obj(sev, sum)),
		malformed("array", "["+obj(sev, sum)+"]"),
		malformed("string", `"summary"`),
		malformed("null", "null"),
		malformed("number", "42"),
		malformed("invalid byte outside strings", "{\xff}"),
		malformed("byte order mark", "\xef\xbb\xbf"+obj(sev, sum)),
	)

	// Media type and content coding: 415; parameters and case are fine.
	mt := func(name, contentType string, status int) validationCase {
		return validationCase{name: name, body: obj(sev, sum), contentType: contentType, status: status}
	}
	add(
		mt("content type with charset", "application/json; charset=utf-8", http.StatusCreated),
		mt("content type upper case", "Application/JSON; Charset=UTF-8", http.StatusCreated),
		mt("no content type", "-", http.StatusUnsupportedMediaType),
		mt("text/plain", "text/plain", http.StatusUnsupportedMediaType),
		mt("form", "application/x-www-form-urlencoded", http.StatusUnsupportedMediaType),
		mt("xml", "application/xml", http.StatusUnsupportedMediaType),
		mt("json suffix type", "application/merge-patch+json", http.StatusUnsupportedMediaType),
		mt("latin-1 charset", "application/json; charset=iso-8859-1", http.StatusUnsupportedMediaType),
		mt("unparsable content type", "application/json; charset", http.StatusUnsupportedMediaType),
		validationCase{name: "gzip content coding", body: obj(sev, sum), gzip: true, status: http.StatusUnsupportedMediaType},
	)

	// Body size: 64 KiB is read (and judged on its content), one byte more is
	// refused from the declared length, before the body is read.
	add(
		validationCase{name: "body of exactly 64 KiB", body: sized(64 << 10), status: http.StatusUnprocessableEntity,
			fields: []string{"reproduction_notes"}, message: "at most 5000"},
		validationCase{name: "body over 64 KiB", body: sized(64<<10 + 1), status: http.StatusRequestEntityTooLarge},
		validationCase{name: "1 MiB body", body: sized(1 << 20), status: http.StatusRequestEntityTooLarge},
	)
	return cases
}

// sized returns a valid create body of exactly n bytes, its notes too long.
func sized(n int) string {
	prefix := `{"severity":"low","summary":"big","reproduction_notes":"`
	return prefix + strings.Repeat("n", n-len(prefix)-2) + `"}`
}

// TestValidation sends every validation case as a tenant-context create
// and checks the status, the fields named, and that a rejected request
// wrote nothing.
func TestValidation(t *testing.T) {
	forEachEngine(t, func(t *testing.T, db *gormstore.DB) {
		w := newWorld()
		b := newBasic(w)
		w.load(t, db)
		s := newServer(t, db)
		token := b.roles["operator"].token
		path := "/v1/tenants/" + b.tenant + "/support-requests"

		cases := validationCases()
		for _, c := range cases {
			t.Run(c.name, func(t *testing.T) {
				requests, entries := count(t, db, "support_requests"), count(t, db, "audit_entries")
				var res response
				if c.status == http.StatusRequestEntityTooLarge {
					res = s.sendHead(t, c.request(t, path, token), len(c.body))
				} else {
					res = s.sendTCP(t, c.request(t, path, token))
				}
				if res.Status != c.status {
					t.Fatalf("status %d, want %d; body %s", res.Status, c.status, res.Body)
				}
				wrote := count(t, db, "support_requests") - requests
				audited := count(t, db, "audit_entries") - entries
				if c.status == http.StatusCreated {
					if wrote != 1 || audited != 1 {
						t.Fatalf("wrote %d requests and %d audit entries, want 1 and 1", wrote, audited)
					}
					if c.stored != nil {
						c.stored(t, s.record(t, createdOf(t, res).Reference, token))
					}
					return
				}
				if wrote != 0 || audited != 0 {
					t.Fatalf("a rejected request wrote %d requests and %d audit entries", wrote, audited)
				}
				p := problemOf(t, res, c.status)
				if c.status != http.StatusUnprocessableEntity {
					if len(p.Errors) != 0 {
						t.Errorf("a %d names fields: %s", c.status, res.Body)
					}
					return
				}
				if !slices.Equal(p.fields(), c.fields) {
					t.Errorf("fields %q, want %q; body %s", p.fields(), c.fields, res.Body)
				}
				if c.message != "" && !bytes.Contains(res.Body, []byte(c.message)) {
					t.Errorf("no message containing %q: %s", c.message, res.Body)
				}
				for _, e := range p.Errors {
					if e.Message == "" {
						t.Errorf("field %q has no message", e.Field)
					}
				}
			})
		}
		t.Logf("validation table: %d cases", len(cases))
	})
}

// TestValidationInRunContext checks that the run-context create decodes
// and validates its body the same way.
func TestValidationInRunContext(t *testing.T) {
	forEachEngine(t, func(t *testing.T, db *gormstore.DB) {
		w := newWorld()
		b := newBasic(w)
		w.load(t, db)
		s := newServer(t, db)
		path := "/v1/operation-runs/" + b.run + "/support-requests"
		token := b.roles["manager"].token

		res := s.post(t, path, token, obj(m("tenant_id", b.tenant), m("severity", "urgent"), sum))
		p := problemOf(t, res, http.StatusUnprocessableEntity)
		if !slices.Equal(p.fields(), []string{"severity", "tenant_id"}) {
			t.Errorf("fields %q", p.fields())
		}
		res = s.post(t, path, token, obj(sev, sum)+"}")
		problemOf(t, res, http.StatusBadRequest)
		if n := count(t, db, "support_requests"); n != 0 {
			t.Errorf("rejected run-context requests wrote %d rows", n)
		}
		c := createdOf(t, s.post(t, path, token, obj(sev, sum)))
		if c.PrimaryContext.Type != "operation_run" || c.PrimaryContext.ID != b.run {
			t.Errorf("primary context %+v", c.PrimaryContext)
		}
	})
}

func (c validationCase) request(t *testing.T, path, token string) *http.Request {
	body := []byte(c.body)
	if c.gzip {
		var buf bytes.Buffer
		zw := gzip.NewWriter(&buf)
		_, _ = zw.Write(body)
		if err := zw.Close(); err != nil {
			t.Fatal(err)
		}
		body = buf.Bytes()
	}
	req := httptest.NewRequest(http.MethodPost, path, bytes.NewReader(body))
	switch c.contentType {
	case "":
		req.Header.Set("Content-Type", "application/json")
	case "-":
	default:
		req.Header.Set("Content-Type", c.contentType)
	}
	if c.gzip {
		req.Header.Set("Content-Encoding", "gzip")
	}
	bearer(req, token)
	return req
}

// record reads a request back through GET /v1/support-requests/{ref}.
func (s *server) record(t testing.TB, ref, token string) map[string]any {
	t.Helper()
	res := s.get(t, "/v1/support-requests/"+ref, token)
	if res.Status != http.StatusOK {
		t.Fatalf("GET %s: %s", ref, res)
	}
	var rec map[string]any
	if err := json.Unmarshal(res.Body, &rec); err != nil {
		t.Fatalf("decode record: %v", err)
	}
	return rec
}
