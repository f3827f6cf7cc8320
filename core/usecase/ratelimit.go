package usecase

import (
	"supportdesk/core"
	"supportdesk/ports"
)

// CheckRate takes one create attempt of userID from l. The entry points
// call it for every authenticated create attempt, before reading the body,
// so that malformed attempts count too; the admin CLI does not. A nil l
// allows everything.
func CheckRate(l ports.RateLimiter, userID string) error {
	if l == nil {
		return nil
	}
	if ok, wait := l.Allow(userID); !ok {
		return &core.Error{Kind: core.KindRateLimited, RetryAfter: wait,
			Message: "too many support request attempts; wait before trying again"}
	}
	return nil
}
