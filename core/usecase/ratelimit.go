package usecase

import (
	"context"

	"supportdesk/core"
	"supportdesk/ports"
)

// AttemptCreate implements ports.SupportDesk: it takes one create attempt
// of actor from the limiter, if the service has one.
func (s *Service) AttemptCreate(ctx context.Context, actor ports.Actor) error {
	if s.limiter == nil {
		return nil
	}
	if ok, wait := s.limiter.Allow(ctx, actor.ID, s.clock.Now()); !ok {
		return &core.Error{Kind: core.KindRateLimited, RetryAfter: wait,
			Message: "too many support request attempts; wait before trying again"}
	}
	return nil
}
