package webhook

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"net/url"
	"strconv"
	"time"

	"supportdesk/core/redact"
	"supportdesk/core/text"
	"supportdesk/ports"
)

// DefaultTimeout bounds one delivery attempt, connection to response
// headers. Standard Webhooks recommends 15–30 s; receivers should answer
// quickly and work afterwards.
const DefaultTimeout = 15 * time.Second

// Endpoint is where one delivery goes.
type Endpoint struct {
	// URL is the endpoint, validated with ValidateURL when it was added.
	URL string
	// AllowPrivate lets the endpoint reach loopback and private addresses
	// (it was added with --allow-private).
	AllowPrivate bool
	// Secrets sign each attempt: the current secret, then during a
	// rotation's grace period the previous one.
	Secrets []Secret
}

// Result is the outcome of one attempt.
type Result struct {
	// Delivered is true for a 2xx answer; anything else is to be retried
	// (or is dead when the retry policy says so).
	Delivered bool
	// Status is the HTTP status code, 0 if no answer came.
	Status int
	// RetryAfter is the receiver's Retry-After, 0 if none or unreadable.
	RetryAfter time.Duration
	// Error says briefly why the attempt failed ("" when delivered). It
	// never holds the body, a secret or the URL, and is redacted and at
	// most ports.MaxAttemptError bytes, so it can be stored and shown.
	Error string
}

// Sender POSTs signed event bodies to endpoints. It is safe for
// concurrent use.
type Sender struct {
	strict     *http.Client // refuses non-public addresses when dialling
	permissive *http.Client // for endpoints added with --allow-private
	timeout    time.Duration
	now        func() time.Time
}

// NewSender returns a Sender whose attempts time out after timeout
// (DefaultTimeout if 0) and are stamped with now (time.Now if nil). Its
// clients follow no redirect and use no proxy from the environment — a
// proxy would dial on the sender's behalf and escape the address check.
func NewSender(timeout time.Duration, now func() time.Time) *Sender {
	if timeout <= 0 {
		timeout = DefaultTimeout
	}
	if now == nil {
		now = time.Now
	}
	return &Sender{strict: client(true), permissive: client(false), timeout: timeout, now: now}
}

func client(checkAddrs bool) *http.Client {
	d := &net.Dialer{Timeout: 10 * time.Second, KeepAlive: 30 * time.Second}
	if checkAddrs {
		d.Control = guard
	}
	return &http.Client{
		Transport: &http.Transport{
			Proxy:                 nil,
			DialContext:           d.DialContext,
			ForceAttemptHTTP2:     true,
			TLSHandshakeTimeout:   10 * time.Second,
			MaxIdleConnsPerHost:   4,
			IdleConnTimeout:       90 * time.Second,
			ExpectContinueTimeout: time.Second,
		},
		CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse },
	}
}

// Send makes one attempt to deliver the event with id eventID and body to
// e: a POST with Content-Type application/json and the Standard Webhooks
// headers, signed with every secret of e at the current time. It waits at
// most the Sender's timeout (or ctx's deadline, if sooner). A 2xx answer
// is delivered; a 3xx (not followed), any other status, a refused address,
// a network error or a timeout is not, and Result says why.
func (s *Sender) Send(ctx context.Context, e Endpoint, eventID string, body []byte) Result {
	limit := s.timeout
	if deadline, ok := ctx.Deadline(); ok && time.Until(deadline) < limit {
		limit = time.Until(deadline).Round(time.Millisecond)
	}
	ctx, cancel := context.WithTimeout(ctx, limit)
	defer cancel()

	req, err := http.NewRequestWithContext(ctx, http.MethodPost, e.URL, bytes.NewReader(body))
	if err != nil {
		return Result{Error: "invalid endpoint URL"}
	}
	if err := SetHeaders(req.Header, Message{ID: eventID, Timestamp: s.now(), Body: body}, e.Secrets...); err != nil {
		return Result{Error: errorText(err)}
	}
	req.Header.Set("Content-Type", "application/json")
	req.Header.Set("User-Agent", "supportdesk-webhooks/1")

	c := s.strict
	if e.AllowPrivate {
		c = s.permissive
	}
	resp, err := c.Do(req)
	if err != nil {
		return Result{Error: failure(err, limit)}
	}
	defer resp.Body.Close()
	// Read a little of the answer so the connection can be reused; its
	// content is the receiver's and is not kept.
	_, _ = io.Copy(io.Discard, io.LimitReader(resp.Body, 64<<10))

	r := Result{Status: resp.StatusCode, RetryAfter: retryAfter(resp.Header.Get("Retry-After"), s.now())}
	switch {
	case resp.StatusCode >= 200 && resp.StatusCode <= 299:
		r.Delivered = true
	case resp.StatusCode >= 300 && resp.StatusCode <= 399:
		r.Error = fmt.Sprintf("redirect (%d) not followed: update the endpoint URL", resp.StatusCode)
	default:
		r.Error = fmt.Sprintf("receiver answered %d %s", resp.StatusCode, http.StatusText(resp.StatusCode))
	}
	return r
}

// failure describes a request that got no answer within limit, without
// its URL.
func failure(err error, limit time.Duration) string {
	var addrErr *AddrError
	var dnsErr *net.DNSError
	switch {
	case errors.As(err, &addrErr):
		return "refused: " + addrErr.Error() + " (the endpoint does not allow private addresses)"
	case errors.Is(err, ErrPrivateAddress):
		return "refused: the target address could not be checked"
	case errors.Is(err, context.DeadlineExceeded) || isTimeout(err):
		return fmt.Sprintf("no answer within %s", limit)
	case errors.Is(err, context.Canceled):
		return "attempt cancelled"
	case errors.As(err, &dnsErr):
		return "cannot resolve host " + dnsErr.Name
	}
	var urlErr *url.Error
	if errors.As(err, &urlErr) {
		err = urlErr.Err // its text repeats the URL
	}
	return errorText(err)
}

func isTimeout(err error) bool {
	var t interface{ Timeout() bool }
	return errors.As(err, &t) && t.Timeout()
}

// errorText redacts err's text and bounds its length.
func errorText(err error) string {
	s, _ := redact.String(err.Error())
	return text.Clip(s, ports.MaxAttemptError)
}

// retryAfter reads a Retry-After value, delay-seconds or an HTTP date.
func retryAfter(v string, now time.Time) time.Duration {
	if v == "" {
		return 0
	}
	if n, err := strconv.ParseInt(v, 10, 64); err == nil {
		if n <= 0 {
			return 0
		}
		return time.Duration(min(n, int64(24*time.Hour/time.Second))) * time.Second
	}
	if t, err := http.ParseTime(v); err == nil && t.After(now) {
		return t.Sub(now)
	}
	return 0
}
