package httpstatus

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"testing"
	"time"

	"supportdesk/core"
)

func TestFor(t *testing.T) {
	expired, cancel := context.WithDeadline(context.Background(), time.Now().Add(-time.Second))
	defer cancel()
	live := context.Background()
	for _, c := range []struct {
		name       string
		ctx        context.Context
		err        error
		status     int
		retryAfter time.Duration
		deadline   bool
	}{
		{"invalid", live, core.Invalid(core.FieldError{Field: "summary", Message: "is required"}), 422, 0, false},
		{"unauthenticated", live, core.Errorf(core.KindUnauthenticated, "no"), 401, 0, false},
		{"not found, wrapped", live, fmt.Errorf("get: %w", core.Errorf(core.KindNotFound, "no")), 404, 0, false},
		{"forbidden", live, core.Errorf(core.KindForbidden, "no"), 403, 0, false},
		{"conflict with a delay", live, &core.Error{Kind: core.KindConflict, RetryAfter: 2 * time.Second}, 409, 2 * time.Second, false},
		{"unavailable", live, core.Errorf(core.KindUnavailable, "down"), 503, DefaultRetryAfter, false},
		{"unavailable with a delay", live, &core.Error{Kind: core.KindUnavailable, RetryAfter: time.Minute}, 503, time.Minute, false},
		{"rate limited", live, &core.Error{Kind: core.KindRateLimited, RetryAfter: 300 * time.Millisecond}, 429, time.Second, false},
		{"rate limited with a delay", live, &core.Error{Kind: core.KindRateLimited, RetryAfter: 7 * time.Second}, 429, 7 * time.Second, false},
		{"plain error", live, errors.New("boom"), 500, 0, false},
		{"deadline in the chain", live, fmt.Errorf("query: %w", context.DeadlineExceeded), 503, DefaultRetryAfter, true},
		{"deadline of the request", expired, errors.New("sqlite: interrupted"), 503, DefaultRetryAfter, true},
		{"not found after the deadline", expired, core.Errorf(core.KindNotFound, "no"), 404, 0, false},
		{"cancelled by the client", live, context.Canceled, 500, 0, false},
	} {
		a := For(c.ctx, c.err)
		if a.Status != c.status || a.RetryAfter != c.retryAfter || a.Deadline != c.deadline {
			t.Errorf("%s: For = %+v, want status %d, retry after %v, deadline %v", c.name, a, c.status, c.retryAfter, c.deadline)
		}
		if a.Status != http.StatusServiceUnavailable && a.Deadline {
			t.Errorf("%s: deadline without 503", c.name)
		}
	}
}

func TestRetryAfterRoundsUp(t *testing.T) {
	for d, want := range map[time.Duration]string{
		time.Second: "1", 1200 * time.Millisecond: "2", time.Millisecond: "1", 5 * time.Second: "5", 59*time.Second + 1: "60",
	} {
		if got := RetryAfter(d); got != want {
			t.Errorf("RetryAfter(%v) = %s, want %s", d, got, want)
		}
	}
}
