package usecase

import (
	"testing"
	"time"

	"supportdesk/core"
)

type countingLimiter struct{ left int }

func (l *countingLimiter) Allow(string) (bool, time.Duration) {
	if l.left == 0 {
		return false, 3 * time.Second
	}
	l.left--
	return true, 0
}

func TestCheckRate(t *testing.T) {
	l := &countingLimiter{left: 1}
	if err := CheckRate(l, "u"); err != nil {
		t.Fatal(err)
	}
	err := CheckRate(l, "u")
	if core.KindOf(err) != core.KindRateLimited || core.RetryAfterOf(err) != 3*time.Second {
		t.Fatalf("second attempt: %v (retry after %v)", err, core.RetryAfterOf(err))
	}
	if err := CheckRate(nil, "u"); err != nil {
		t.Fatalf("no limiter: %v", err)
	}
}
