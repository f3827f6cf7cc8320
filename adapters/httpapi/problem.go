package httpapi

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"log/slog"
	"net/http"
	"slices"
	"strings"
	"time"

	"github.com/gofiber/fiber/v2"

	"supportdesk/adapters/httpstatus"
	"supportdesk/core"
)

// ProblemTypeBase prefixes every problem type URI. The URIs identify
// problem types (RFC 9457 §3.1.1); they are absolute so that clients can
// compare them without resolving them against the request URL.
const ProblemTypeBase = "https://supportdesk.dev/problems/"

// problemContentType is the media type of every error response.
const problemContentType = "application/problem+json"

// problemType is one kind of problem the API reports.
type problemType struct {
	status int
	slug   string
	title  string
}

// The problem types of the API. Titles never change with the occurrence;
// the detail member says what happened.
var (
	problemMalformed   = problemType{http.StatusBadRequest, "malformed-request", "Malformed request"}
	problemUnauth      = problemType{http.StatusUnauthorized, "unauthenticated", "Authentication required"}
	problemForbidden   = problemType{http.StatusForbidden, "forbidden", "Forbidden"}
	problemNotFound    = problemType{http.StatusNotFound, "not-found", "Not found"}
	problemConflict    = problemType{http.StatusConflict, "conflict", "Conflict"}
	problemTooLarge    = problemType{http.StatusRequestEntityTooLarge, "body-too-large", "Request body too large"}
	problemMediaType   = problemType{http.StatusUnsupportedMediaType, "unsupported-media-type", "Unsupported media type"}
	problemValidation  = problemType{http.StatusUnprocessableEntity, "validation", "Invalid request"}
	problemInternal    = problemType{http.StatusInternalServerError, "internal", "Internal server error"}
	problemUnavailable = problemType{http.StatusServiceUnavailable, "unavailable", "Service unavailable"}
	problemRateLimited = problemType{http.StatusTooManyRequests, "rate-limited", "Too many requests"}
)

// problemByStatus names each status the API answers with: the statuses
// of core errors (httpstatus.For decides them) and those of the errors
// Fiber and fasthttp raise themselves (unknown route, body over the
// limit, …). Any other status becomes an "about:blank" problem.
var problemByStatus = map[int]problemType{}

func init() {
	for _, t := range []problemType{problemMalformed, problemUnauth, problemForbidden, problemNotFound, problemConflict,
		problemTooLarge, problemMediaType, problemValidation, problemInternal, problemUnavailable, problemRateLimited,
		problemNotImplemented} {
		problemByStatus[t.status] = t
	}
}

// Generic details for problems whose cause must not reach the client.
const (
	detailInternal    = "an unexpected error occurred; it has been logged"
	detailNoRoute     = "there is no such resource"
	detailTooLarge    = "the request body must be at most %d bytes"
	detailUnavailable = "the service is temporarily unavailable; retry later"
)

// fieldProblem is one entry of a validation problem's errors member.
type fieldProblem struct {
	Field   string `json:"field"`
	Message string `json:"message"`
}

// problem is an RFC 9457 problem details object. It doubles as the error
// the adapter's own checks return, so that the error handler writes it as is.
type problem struct {
	Type   string         `json:"type"`
	Title  string         `json:"title"`
	Status int            `json:"status"`
	Detail string         `json:"detail"`
	Errors []fieldProblem `json:"errors,omitempty"`
	// retryAfter, if set, goes out as the Retry-After header.
	retryAfter time.Duration
}

func (p *problem) Error() string { return p.Title + ": " + p.Detail }

func newProblem(t problemType, detail string) *problem {
	return &problem{Type: ProblemTypeBase + t.slug, Title: t.title, Status: t.status, Detail: detail}
}

// maxListedFields bounds the errors member of one problem: a 64 KiB body
// could otherwise name thousands of unknown members.
const maxListedFields = 100

// invalidFields returns the 422 problem listing fields.
func invalidFields(fields []core.FieldError) *problem {
	detail := fmt.Sprintf("the request has %d invalid fields", len(fields))
	switch {
	case len(fields) == 1:
		detail = "the request has 1 invalid field"
	case len(fields) > maxListedFields:
		detail += fmt.Sprintf("; the first %d are listed", maxListedFields)
		fields = fields[:maxListedFields]
	}
	p := newProblem(problemValidation, detail)
	p.Errors = make([]fieldProblem, len(fields))
	for i, f := range fields {
		p.Errors[i] = fieldProblem{Field: f.Field, Message: f.Message}
	}
	return p
}

// problemFor turns any error a handler, a middleware or Fiber itself
// returns, while serving a request with context ctx, into the problem to
// answer with: the adapter's own problems as they are, Fiber's by their
// status, core errors as httpstatus.For says. The error's own text is used
// only for the adapter's problems and for core errors that are not
// internal.
func problemFor(ctx context.Context, err error, bodyLimit int) *problem {
	var p *problem
	if errors.As(err, &p) {
		return p
	}
	var fe *fiber.Error
	if errors.As(err, &fe) {
		return fiberProblem(fe, bodyLimit)
	}
	a := httpstatus.For(ctx, err)
	var answer *problem
	switch {
	case a.Deadline:
		answer = newProblem(problemUnavailable, detailUnavailable)
	case a.Kind == core.KindInternal:
		answer = newProblem(problemInternal, detailInternal)
	case a.Kind == core.KindInvalid && len(core.FieldsOf(err)) > 0:
		answer = invalidFields(core.FieldsOf(err))
	default:
		answer = newProblem(problemByStatus[a.Status], core.MessageOf(err))
	}
	answer.retryAfter = a.RetryAfter
	return answer
}

// fiberProblem maps an error raised by Fiber or fasthttp. Their messages
// can echo the request (a path, a header parse error), so details are ours.
func fiberProblem(fe *fiber.Error, bodyLimit int) *problem {
	t, ok := problemByStatus[fe.Code]
	if !ok {
		text := http.StatusText(fe.Code)
		if text == "" || fe.Code < 400 {
			return newProblem(problemInternal, detailInternal)
		}
		return &problem{Type: "about:blank", Title: text, Status: fe.Code, Detail: strings.ToLower(text)}
	}
	switch t {
	case problemTooLarge:
		return newProblem(t, fmt.Sprintf(detailTooLarge, bodyLimit))
	case problemNotFound:
		return newProblem(t, detailNoRoute)
	case problemUnavailable:
		p := newProblem(t, detailUnavailable)
		p.retryAfter = httpstatus.DefaultRetryAfter
		return p
	case problemMalformed:
		return newProblem(t, "the request could not be parsed")
	}
	return newProblem(t, strings.ToLower(t.title))
}

// answerError sends err as a problem. Server errors are logged with their
// cause; the response never carries it.
func answerError(c *fiber.Ctx, log *slog.Logger, bodyLimit int, err error) {
	p := problemFor(c.UserContext(), err, bodyLimit)
	if p.Status >= http.StatusInternalServerError {
		level := slog.LevelError
		if p.Status == http.StatusServiceUnavailable {
			level = slog.LevelWarn
		}
		log.LogAttrs(c.UserContext(), level, "request failed",
			slog.String("request_id", requestID(c)),
			slog.String("method", c.Method()),
			slog.String("route", routeOf(c)),
			slog.Int("status", p.Status),
			slog.Any("error", err))
	}
	switch p.Status {
	case http.StatusUnauthorized:
		c.Set(fiber.HeaderWWWAuthenticate, "Bearer")
	case http.StatusMethodNotAllowed:
		c.Set(fiber.HeaderAllow, allowedMethods(c.App(), c.Path()))
	}
	if p.retryAfter > 0 {
		c.Set(fiber.HeaderRetryAfter, httpstatus.RetryAfter(p.retryAfter))
	}
	if werr := writeProblem(c, p); werr != nil {
		// Only a problem that cannot be encoded gets here: a bug.
		log.ErrorContext(c.UserContext(), "write problem", "request_id", requestID(c), "error", werr)
		_ = c.SendStatus(http.StatusInternalServerError)
	}
}

// allowedMethods lists the methods the app serves at path, for the Allow
// header a 405 must carry (RFC 9110 §15.5.6), which Fiber leaves out. It
// runs only for a 405, so it walks the routes rather than keep an index.
func allowedMethods(app *fiber.App, path string) string {
	if len(path) > 1 {
		path = strings.TrimSuffix(path, "/") // routing is not strict
	}
	var methods []string
	for _, r := range app.GetRoutes(true) {
		if matchesTemplate(r.Path, path) && !slices.Contains(methods, r.Method) {
			methods = append(methods, r.Method)
		}
	}
	slices.Sort(methods)
	return strings.Join(methods, ", ")
}

// matchesTemplate reports whether path matches a route template made of
// literal segments and :parameters, the only kinds this app registers.
func matchesTemplate(template, path string) bool {
	ts, ps := strings.Split(template, "/"), strings.Split(path, "/")
	if len(ts) != len(ps) {
		return false
	}
	for i, t := range ts {
		if strings.HasPrefix(t, ":") {
			if ps[i] == "" {
				return false
			}
		} else if t != ps[i] {
			return false
		}
	}
	return true
}

// writeProblem sends p. The encoding is fixed (no HTML escaping, no
// per-request members), so two problems that are equal are sent as equal
// bytes — the 404s for "not entitled" and "does not exist" rely on it.
func writeProblem(c *fiber.Ctx, p *problem) error {
	body, err := encodeJSON(p)
	if err != nil {
		return fmt.Errorf("encode problem: %w", err)
	}
	c.Status(p.Status)
	c.Set(fiber.HeaderContentType, problemContentType)
	return c.Send(body)
}

// encodeJSON encodes v without HTML escaping and without the trailing
// newline json.Encoder adds.
func encodeJSON(v any) ([]byte, error) {
	var b bytes.Buffer
	enc := json.NewEncoder(&b)
	enc.SetEscapeHTML(false)
	if err := enc.Encode(v); err != nil {
		return nil, err
	}
	return bytes.TrimSuffix(b.Bytes(), []byte("\n")), nil
}
