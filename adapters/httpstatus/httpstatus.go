// Package httpstatus is the one policy by which the HTTP entry points —
// the JSON API and the web UI — answer an error of the core: the status of
// each error kind, when a server error is really a 503, and what
// Retry-After says. Each entry point then renders the answer its own way
// (a problem document, an HTML page).
package httpstatus

import (
	"cmp"
	"context"
	"errors"
	"net/http"
	"strconv"
	"time"

	"supportdesk/core"
)

// DefaultRetryAfter is what a 503 asks clients to wait when the cause does
// not say.
const DefaultRetryAfter = 5 * time.Second

// statusByKind is the one table from a core error kind to a status.
var statusByKind = map[core.Kind]int{
	core.KindInvalid:         http.StatusUnprocessableEntity,
	core.KindUnauthenticated: http.StatusUnauthorized,
	core.KindNotFound:        http.StatusNotFound,
	core.KindForbidden:       http.StatusForbidden,
	core.KindConflict:        http.StatusConflict,
	core.KindUnavailable:     http.StatusServiceUnavailable,
	core.KindRateLimited:     http.StatusTooManyRequests,
	core.KindInternal:        http.StatusInternalServerError,
}

// Answer is how an HTTP entry point answers one error.
type Answer struct {
	// Kind is the error's kind, KindUnavailable for a server error that
	// came from the request's deadline.
	Kind   core.Kind
	Status int
	// RetryAfter, when positive, goes out as the Retry-After header.
	RetryAfter time.Duration
	// Deadline is set when the request's deadline made a server error a
	// 503: the error's own message is then no use to the caller.
	Deadline bool
}

// For returns how to answer err, returned while serving a request whose
// context is ctx. A server error after the request's deadline ran out —
// in err's chain, or in ctx, whatever the driver made of the cancellation
// (PostgreSQL's says "deadline exceeded", SQLite's "interrupted") — is a
// 503: most likely a slow database, which calls for the same advice as an
// unreachable one. A 503 always asks to retry (after the cause's delay or
// DefaultRetryAfter), and so does a 429 (after at least a second).
func For(ctx context.Context, err error) Answer {
	a := Answer{Kind: core.KindOf(err), RetryAfter: core.RetryAfterOf(err)}
	if a.Kind == core.KindInternal && (errors.Is(err, context.DeadlineExceeded) || errors.Is(ctx.Err(), context.DeadlineExceeded)) {
		a.Kind, a.Deadline = core.KindUnavailable, true
	}
	a.Status = cmp.Or(statusByKind[a.Kind], http.StatusInternalServerError)
	switch a.Kind {
	case core.KindUnavailable:
		a.RetryAfter = cmp.Or(a.RetryAfter, DefaultRetryAfter)
	case core.KindRateLimited:
		a.RetryAfter = max(a.RetryAfter, time.Second)
	}
	return a
}

// RetryAfter renders d as the delay-seconds of a Retry-After header,
// rounded up so that a client never retries too early.
func RetryAfter(d time.Duration) string {
	return strconv.FormatInt(RetryAfterSeconds(d), 10)
}

// RetryAfterSeconds is d in whole seconds, rounded up, as Retry-After
// and the pages that repeat it say it.
func RetryAfterSeconds(d time.Duration) int64 {
	return int64((d + time.Second - 1) / time.Second)
}
