package httpapi

import (
	"bytes"
	"cmp"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"log/slog"
	"net/http"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/gofiber/fiber/v2"

	"supportdesk/core"
)

// ProblemTypeBase prefixes every problem type URI. The URIs identify
// problem types (RFC 9457 §3.1.1); they are absolute so that clients can
// compare them without resolving them against the request URL.
const ProblemTypeBase = "https://supportdesk.dev/problems/"

// problemContentType is the media type of every error response.
const problemContentType = "application/problem+json"

// defaultRetryAfter is what a 503 asks clients to wait when the core does
// not say.
const defaultRetryAfter = 5 * time.Second

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

// problemByKind is the one table from a core error kind to the problem
// (and so the status) the API answers with.
var problemByKind = map[core.Kind]problemType{
	core.KindInvalid:         problemValidation,
	core.KindUnauthenticated: problemUnauth,
	core.KindNotFound:        problemNotFound,
	core.KindForbidden:       problemForbidden,
	core.KindConflict:        problemConflict,
	core.KindUnavailable:     problemUnavailable,
	core.KindRateLimited:     problemRateLimited,
	core.KindInternal:        problemInternal,
}

// problemByStatus names the errors Fiber and fasthttp raise themselves
// (unknown route, body over the limit, …) with the same types; any other
// status becomes an "about:blank" problem.
var problemByStatus = map[int]problemType{
	http.StatusBadRequest:            problemMalformed,
	http.StatusNotFound:              problemNotFound,
	http.StatusRequestEntityTooLarge: problemTooLarge,
	http.StatusUnsupportedMediaType:  problemMediaType,
	http.StatusServiceUnavailable:    problemUnavailable,
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

// problemFor turns any error a handler, a middleware or Fiber itself returns
// into the problem to answer with. The error's own text is used only for
// the adapter's problems and for core errors that are not internal.
func problemFor(err error, bodyLimit int) *problem {
	var p *problem
	if errors.As(err, &p) {
		return p
	}
	var fe *fiber.Error
	if errors.As(err, &fe) {
		return fiberProblem(fe, bodyLimit)
	}
	kind := core.KindOf(err)
	if kind == core.KindInternal && errors.Is(err, context.DeadlineExceeded) {
		// The request's deadline ran out below the use case, most likely in
		// a slow database: the same advice as an unreachable one.
		return unavailableProblem(detailUnavailable, 0)
	}
	t, ok := problemByKind[kind]
	switch {
	case !ok || kind == core.KindInternal:
		return newProblem(problemInternal, detailInternal)
	case kind == core.KindInvalid && len(core.FieldsOf(err)) > 0:
		return invalidFields(core.FieldsOf(err))
	case kind == core.KindUnavailable:
		return unavailableProblem(core.MessageOf(err), core.RetryAfterOf(err))
	}
	answer := newProblem(t, core.MessageOf(err))
	answer.retryAfter = core.RetryAfterOf(err)
	if kind == core.KindRateLimited {
		// A 429 always says when to come back (SPEC §8).
		answer.retryAfter = cmp.Or(answer.retryAfter, time.Second)
	}
	return answer
}

// unavailableProblem is a 503 asking to retry after wait, or after
// defaultRetryAfter when the cause does not tell.
func unavailableProblem(detail string, wait time.Duration) *problem {
	p := newProblem(problemUnavailable, detail)
	p.retryAfter = cmp.Or(wait, defaultRetryAfter)
	return p
}

// retryAfterSeconds renders d as the delay-seconds of Retry-After, rounded
// up so that a client never retries too early.
func retryAfterSeconds(d time.Duration) string {
	return strconv.FormatInt(int64((d+time.Second-1)/time.Second), 10)
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
		return unavailableProblem(detailUnavailable, 0)
	case problemMalformed:
		return newProblem(t, "the request could not be parsed")
	}
	return newProblem(t, strings.ToLower(t.title))
}

// answerError sends err as a problem. Server errors are logged with their
// cause; the response never carries it. A server error after the request's
// deadline ran out is a 503 whatever the driver made of the cancellation
// (PostgreSQL's says "deadline exceeded", SQLite's "interrupted"): the
// advice is the same as for an unreachable database.
func answerError(c *fiber.Ctx, log *slog.Logger, bodyLimit int, err error) {
	p := problemFor(err, bodyLimit)
	if p.Status == http.StatusInternalServerError && errors.Is(c.UserContext().Err(), context.DeadlineExceeded) {
		p = unavailableProblem(detailUnavailable, 0)
	}
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
		c.Set(fiber.HeaderRetryAfter, retryAfterSeconds(p.retryAfter))
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
