// Package core holds what every part of supportdesk shares: the error type
// whose kind decides how an adapter reports a failure. The domain itself
// lives in the packages below core.
package core

import (
	"errors"
	"fmt"
	"time"
)

// Kind classifies an error for the adapters: the HTTP adapter maps each kind
// to one status code, the CLI to one exit code.
type Kind int

// The kinds of error the core reports.
const (
	KindInternal        Kind = iota // a bug or an unexpected failure; details stay in the logs
	KindInvalid                     // the caller's input breaks a rule (see Fields)
	KindUnauthenticated             // no valid credentials
	KindNotFound                    // does not exist, or the caller may not know it exists
	KindForbidden                   // exists and is visible, but the capability is missing
	KindConflict                    // the request collides with another one in flight
	KindUnavailable                 // a dependency (the database) cannot be reached; retry later
	KindRateLimited                 // the caller made too many attempts; retry after RetryAfter
)

var kindNames = map[Kind]string{
	KindInternal:        "internal",
	KindInvalid:         "invalid",
	KindUnauthenticated: "unauthenticated",
	KindNotFound:        "not_found",
	KindForbidden:       "forbidden",
	KindConflict:        "conflict",
	KindUnavailable:     "unavailable",
	KindRateLimited:     "rate_limited",
}

func (k Kind) String() string {
	if n, ok := kindNames[k]; ok {
		return n
	}
	return fmt.Sprintf("kind(%d)", int(k))
}

// FieldError names one invalid input field and what is wrong with it.
type FieldError struct {
	Field   string
	Message string
}

// Error is the error type of the core. Message is safe to show to the caller;
// Err, if set, is the underlying cause and is only for logs.
type Error struct {
	Kind    Kind
	Message string
	Fields  []FieldError
	// RetryAfter, when set, is how long the caller should wait before
	// trying again (KindRateLimited, KindUnavailable).
	RetryAfter time.Duration
	Err        error
}

func (e *Error) Error() string {
	if e.Err != nil {
		return e.Message + ": " + e.Err.Error()
	}
	return e.Message
}

func (e *Error) Unwrap() error { return e.Err }

// Errorf returns an *Error of the given kind with a formatted message.
func Errorf(kind Kind, format string, args ...any) *Error {
	return &Error{Kind: kind, Message: fmt.Sprintf(format, args...)}
}

// Wrap returns an *Error of the given kind that keeps err as its cause.
func Wrap(kind Kind, err error, message string) *Error {
	return &Error{Kind: kind, Message: message, Err: err}
}

// Invalid returns a KindInvalid error listing every invalid field.
func Invalid(fields ...FieldError) *Error {
	return &Error{Kind: KindInvalid, Message: "the request has invalid fields", Fields: fields}
}

// KindOf returns the kind of the first *Error in err's chain, or KindInternal.
func KindOf(err error) Kind {
	var e *Error
	if errors.As(err, &e) {
		return e.Kind
	}
	return KindInternal
}

// FieldsOf returns the field errors of the first *Error in err's chain.
func FieldsOf(err error) []FieldError {
	var e *Error
	if errors.As(err, &e) {
		return e.Fields
	}
	return nil
}

// MessageOf returns the caller-safe message of the first *Error in err's
// chain; an error of any other type yields a generic message, never its text.
func MessageOf(err error) string {
	var e *Error
	if errors.As(err, &e) && e.Kind != KindInternal {
		return e.Message
	}
	return "internal error"
}

// RetryAfterOf returns the RetryAfter of the first *Error in err's chain.
func RetryAfterOf(err error) time.Duration {
	var e *Error
	if errors.As(err, &e) {
		return e.RetryAfter
	}
	return 0
}
