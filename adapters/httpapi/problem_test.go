package httpapi

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/gofiber/fiber/v2"

	"supportdesk/adapters/httpstatus"
	"supportdesk/core"
)

func TestProblemForMapsEveryKindThroughWrapping(t *testing.T) {
	cases := []struct {
		kind   core.Kind
		status int
		slug   string
	}{
		{core.KindInvalid, 422, "validation"},
		{core.KindUnauthenticated, 401, "unauthenticated"},
		{core.KindNotFound, 404, "not-found"},
		{core.KindForbidden, 403, "forbidden"},
		{core.KindConflict, 409, "conflict"},
		{core.KindUnavailable, 503, "unavailable"},
		{core.KindRateLimited, 429, "rate-limited"},
		{core.KindInternal, 500, "internal"},
	}
	for _, c := range cases {
		inner := core.Wrap(c.kind, errors.New("SELECT secret FROM t"), "caller-safe message")
		err := fmt.Errorf("handler: %w", fmt.Errorf("use case: %w", inner))
		p := problemFor(context.Background(), err, DefaultBodyLimit)
		if p.Status != c.status || p.Type != ProblemTypeBase+c.slug {
			t.Errorf("%v: %d %s, want %d %s", c.kind, p.Status, p.Type, c.status, c.slug)
		}
		if strings.Contains(p.Detail, "SELECT") {
			t.Errorf("%v: the cause reached the detail: %q", c.kind, p.Detail)
		}
	}
	// Every kind the core has is in the table above.
	if n := int(core.KindRateLimited) + 1; n != len(cases) {
		t.Errorf("the core has %d kinds, the test %d", n, len(cases))
	}
}

func TestProblemForRetryAfter(t *testing.T) {
	limited := fmt.Errorf("submit: %w", &core.Error{Kind: core.KindRateLimited, Message: "slow down", RetryAfter: 1500 * time.Millisecond})
	for _, c := range []struct {
		err  error
		want string
	}{
		{limited, "2"},
		{core.Errorf(core.KindUnavailable, "database down"), "5"},
		{&core.Error{Kind: core.KindUnavailable, Message: "database down", RetryAfter: 30 * time.Second}, "30"},
		{fmt.Errorf("query: %w", context.DeadlineExceeded), "5"},
		{core.Errorf(core.KindNotFound, "tenant not found"), ""},
	} {
		p := problemFor(context.Background(), c.err, DefaultBodyLimit)
		got := ""
		if p.retryAfter > 0 {
			got = httpstatus.RetryAfter(p.retryAfter)
		}
		if got != c.want {
			t.Errorf("%v: Retry-After %q, want %q", c.err, got, c.want)
		}
	}
}

func TestProblemForHidesInternalDetail(t *testing.T) {
	for _, err := range []error{
		errors.New("pq: relation \"support_requests\" does not exist"),
		core.Errorf(core.KindInternal, "envelope exceeds %d bytes", 1),
	} {
		p := problemFor(context.Background(), err, DefaultBodyLimit)
		if p.Status != 500 || p.Detail != detailInternal {
			t.Errorf("%v: %+v", err, p)
		}
	}
}

func TestProblemForDeadlineIsUnavailable(t *testing.T) {
	p := problemFor(context.Background(), fmt.Errorf("read snapshot: %w", context.DeadlineExceeded), DefaultBodyLimit)
	if p.Status != http.StatusServiceUnavailable {
		t.Errorf("deadline: %+v", p)
	}
}

func TestProblemForFiberErrors(t *testing.T) {
	cases := []struct {
		err    *fiber.Error
		status int
		typ    string
	}{
		{fiber.NewError(404, "Cannot GET /v1/<script>"), 404, ProblemTypeBase + "not-found"},
		{fiber.ErrRequestEntityTooLarge, 413, ProblemTypeBase + "body-too-large"},
		{fiber.NewError(400, "error when reading request headers: \x00junk"), 400, ProblemTypeBase + "malformed-request"},
		{fiber.ErrMethodNotAllowed, 405, "about:blank"},
		{fiber.ErrRequestTimeout, 408, "about:blank"},
		{fiber.ErrRequestHeaderFieldsTooLarge, 431, "about:blank"},
	}
	for _, c := range cases {
		p := problemFor(context.Background(), c.err, 1234)
		if p.Status != c.status || p.Type != c.typ {
			t.Errorf("%v: %d %s", c.err, p.Status, p.Type)
		}
		if strings.Contains(p.Detail, "script") || strings.Contains(p.Detail, "junk") {
			t.Errorf("%v: the detail echoes the request: %q", c.err, p.Detail)
		}
	}
	if p := problemFor(context.Background(), fiber.ErrRequestEntityTooLarge, 1234); !strings.Contains(p.Detail, "1234") {
		t.Errorf("413 detail %q does not give the limit", p.Detail)
	}
}

func TestInvalidFieldsListsAtMostALimit(t *testing.T) {
	fields := make([]core.FieldError, maxListedFields+5)
	for i := range fields {
		fields[i] = core.FieldError{Field: fmt.Sprint("f", i), Message: "is not a field of this request"}
	}
	p := invalidFields(fields)
	if len(p.Errors) != maxListedFields || !strings.Contains(p.Detail, fmt.Sprint(len(fields))) {
		t.Errorf("%d errors, detail %q", len(p.Errors), p.Detail)
	}
}
