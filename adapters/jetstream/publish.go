package jetstream

import (
	"context"
	"errors"
	"fmt"
	"strings"

	"github.com/nats-io/nats.go"
	jsapi "github.com/nats-io/nats.go/jetstream"

	"supportdesk/core/delivery"
)

// Ack is the stream's acknowledgement of a publish.
type Ack struct {
	Stream   string
	Sequence uint64
	// Duplicate is true when the stream already held a message with this
	// event id (within its duplicate window) and dropped this one.
	Duplicate bool
}

// PublishError is the error of every failed Publish.
type PublishError struct {
	// Retry is false only when the message itself can never be published
	// (an invalid subject or id, a body over the server's limit); the
	// delivery is then dead at once. Everything else — NATS down, a
	// timeout, a missing or misconfigured stream — is retried.
	Retry bool
	Err   error
}

func (e *PublishError) Error() string { return "publish to NATS: " + e.Err.Error() }

func (e *PublishError) Unwrap() error { return e.Err }

// Retryable reports whether err, from Publish, is worth another attempt:
// true unless it is a *PublishError with Retry false.
func Retryable(err error) bool {
	var pe *PublishError
	return !errors.As(err, &pe) || pe.Retry
}

// Publish publishes body on subject (delivery.Subject of the request's
// workspace) with Nats-Msg-Id = eventID, and waits for the stream's ack
// until ctx is done. It declares the stream first if that has not been
// done since connecting. A duplicate that the stream drops is a success
// with Ack.Duplicate set.
//
// It returns a *PublishError: with Retry false for a subject outside
// delivery.SubjectPrefix, an empty id or a body larger than the server
// takes, and with Retry true for everything else — no connection (it
// fails at once while NATS is down), ctx's deadline, the stream missing or
// not declarable (EnsureStream's errors).
func (p *Publisher) Publish(ctx context.Context, subject, eventID string, body []byte) (Ack, error) {
	switch {
	case !strings.HasPrefix(subject, delivery.SubjectPrefix) || len(subject) == len(delivery.SubjectPrefix):
		return Ack{}, &PublishError{Err: fmt.Errorf("subject %q is not an event subject", subject)}
	case eventID == "":
		return Ack{}, &PublishError{Err: errors.New("the event has no id")}
	}
	if !p.nc.IsConnected() {
		return Ack{}, &PublishError{Retry: true, Err: fmt.Errorf("NATS is not connected (%s); the connection keeps retrying", p.nc.Status())}
	}
	if !p.isDeclared() {
		if err := p.EnsureStream(ctx); err != nil {
			return Ack{}, &PublishError{Retry: true, Err: err}
		}
	}
	msg := &nats.Msg{Subject: subject, Data: body, Header: nats.Header{}}
	ack, err := p.js.PublishMsg(ctx, msg,
		jsapi.WithMsgID(eventID),
		jsapi.WithExpectStream(p.cfg.Stream),
		// The outbox retries with backoff; do not wait here for a stream
		// that may never answer.
		jsapi.WithRetryAttempts(0))
	if err != nil {
		return Ack{}, p.publishError(err)
	}
	return Ack{Stream: ack.Stream, Sequence: ack.Sequence, Duplicate: ack.Duplicate}, nil
}

func (p *Publisher) publishError(err error) error {
	switch {
	case errors.Is(err, nats.ErrMaxPayload), errors.Is(err, jsapi.ErrStreamMessageExceedsMaximum),
		errors.Is(err, nats.ErrBadSubject), errors.Is(err, jsapi.ErrInvalidSubject):
		return &PublishError{Err: err}
	case errors.Is(err, jsapi.ErrNoStreamResponse), errors.Is(err, nats.ErrNoResponders):
		// Nothing captures the subject: the stream was deleted, or the
		// server came back without its store. Declare it again next time.
		p.setDeclared(false)
		return &PublishError{Retry: true, Err: fmt.Errorf("no stream answered (it will be declared again): %w", err)}
	case errors.Is(err, nats.ErrReconnectBufExceeded), errors.Is(err, nats.ErrConnectionReconnecting),
		errors.Is(err, nats.ErrNoServers):
		return &PublishError{Retry: true, Err: fmt.Errorf("NATS is not connected: %w", err)}
	}
	var apiErr *jsapi.APIError
	if errors.As(err, &apiErr) {
		p.setDeclared(false) // e.g. another stream took the subject
	}
	return &PublishError{Retry: true, Err: err}
}
