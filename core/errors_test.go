package core

import (
	"errors"
	"fmt"
	"testing"
)

func TestKindSurvivesWrapping(t *testing.T) {
	base := Invalid(FieldError{Field: "summary", Message: "is required"})
	wrapped := fmt.Errorf("submit: %w", fmt.Errorf("validate: %w", base))
	if KindOf(wrapped) != KindInvalid || len(FieldsOf(wrapped)) != 1 {
		t.Fatalf("KindOf = %v, fields %v", KindOf(wrapped), FieldsOf(wrapped))
	}
	if KindOf(errors.New("plain")) != KindInternal || FieldsOf(errors.New("plain")) != nil {
		t.Fatal("a plain error must be internal with no fields")
	}
}

func TestMessageOfHidesInternalDetail(t *testing.T) {
	cause := errors.New(`pq: relation "support_requests" does not exist`)
	if got := MessageOf(fmt.Errorf("x: %w", Wrap(KindInternal, cause, "database error"))); got != "internal error" {
		t.Errorf("internal message = %q", got)
	}
	if got := MessageOf(cause); got != "internal error" {
		t.Errorf("plain error message = %q", got)
	}
	err := Wrap(KindUnavailable, cause, "the database is unavailable, retry later")
	if got := MessageOf(err); got != "the database is unavailable, retry later" {
		t.Errorf("unavailable message = %q", got)
	}
	if !errors.Is(err, cause) || err.Error() == MessageOf(err) {
		t.Error("the cause must stay reachable for logs")
	}
}
