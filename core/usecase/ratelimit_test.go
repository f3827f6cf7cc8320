package usecase

import (
	"context"
	"testing"
	"time"

	"supportdesk/core"
	"supportdesk/ports"
)

type countingLimiter struct {
	left map[string]int
	at   []time.Time
}

func (l *countingLimiter) Allow(_ context.Context, user string, now time.Time) (bool, time.Duration) {
	l.at = append(l.at, now)
	if l.left[user] == 0 {
		return false, 3 * time.Second
	}
	l.left[user]--
	return true, 0
}

func TestAttemptCreate(t *testing.T) {
	l := &countingLimiter{left: map[string]int{"u": 1, "v": 1}}
	s := New(Deps{Limiter: l, Clock: fixedClock{}})
	ctx := context.Background()
	if err := s.AttemptCreate(ctx, ports.Actor{ID: "u"}); err != nil {
		t.Fatal(err)
	}
	err := s.AttemptCreate(ctx, ports.Actor{ID: "u"})
	if core.KindOf(err) != core.KindRateLimited || core.RetryAfterOf(err) != 3*time.Second {
		t.Fatalf("second attempt: %v (retry after %v)", err, core.RetryAfterOf(err))
	}
	if err := s.AttemptCreate(ctx, ports.Actor{ID: "v"}); err != nil {
		t.Fatalf("another user's attempt: %v", err)
	}
	// Attempts are taken at the time of the service's clock.
	for i, at := range l.at {
		if !at.Equal(fixedClock{}.Now()) {
			t.Errorf("attempt %d taken at %v, want the clock's %v", i+1, at, fixedClock{}.Now())
		}
	}
	if err := New(Deps{}).AttemptCreate(ctx, ports.Actor{ID: "u"}); err != nil {
		t.Fatalf("no limiter: %v", err)
	}
}
