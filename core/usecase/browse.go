package usecase

import (
	"context"

	"supportdesk/core/access"
	"supportdesk/core/envelope"
	"supportdesk/core/support"
	"supportdesk/ports"
)

var _ ports.Browser = (*Service)(nil)

// Tenants implements ports.Browser.
func (s *Service) Tenants(ctx context.Context, actor ports.Actor) ([]ports.TenantListing, error) {
	return s.directory.Tenants(ctx, actor.ID)
}

// View implements ports.Browser: a tenant needs tenant.view, a run
// operations.view, with the 404 rule of every other entry point.
func (s *Service) View(ctx context.Context, actor ports.Actor, t support.PrimaryContext) (ports.View, error) {
	need := access.TenantView
	if t.Type == support.ContextOperationRun {
		need = access.OperationsView
	}
	g, scope, err := s.authorize(ctx, actor, t, need)
	if err != nil {
		return ports.View{}, err
	}
	snap, err := s.contexts.Snapshot(ctx, scope)
	if err != nil {
		return ports.View{}, err
	}
	return ports.View{Snapshot: envelope.Redacted(snap), Capabilities: g.Capabilities()}, nil
}
