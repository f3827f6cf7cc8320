package usecase

import (
	"context"

	"supportdesk/core/access"
	"supportdesk/core/envelope"
	"supportdesk/core/redact"
	"supportdesk/core/support"
	"supportdesk/ports"
)

var _ ports.Browser = (*Service)(nil)

// Tenants implements ports.Browser: the listings are redacted like every
// other value a page shows.
func (s *Service) Tenants(ctx context.Context, actor ports.Actor) ([]ports.TenantListing, error) {
	list, err := s.directory.Tenants(ctx, actor.ID)
	if err != nil {
		return nil, err
	}
	for i := range list {
		list[i] = redactedListing(list[i])
	}
	return list, nil
}

// redactedListing applies the redaction policy to every string of a
// listing; a test walks the type by reflection, so a new field cannot be
// forgotten here.
func redactedListing(t ports.TenantListing) ports.TenantListing {
	for _, p := range []*string{&t.ID, &t.Name, &t.Status, &t.WorkspaceID, &t.WorkspaceName} {
		*p, _ = redact.String(*p)
	}
	role := string(t.Role)
	role, _ = redact.String(role)
	t.Role = access.Role(role)
	return t
}

// viewNeed is the capability that shows a target: a tenant's dashboard or
// a run's viewer.
func viewNeed(t support.ContextType) access.Capability {
	if t == support.ContextOperationRun {
		return access.OperationsView
	}
	return access.TenantView
}

// View implements ports.Browser: a tenant needs tenant.view, a run
// operations.view, with the 404 rule of every other entry point.
func (s *Service) View(ctx context.Context, actor ports.Actor, t support.PrimaryContext) (ports.View, error) {
	g, scope, err := s.authorize(ctx, actor, t, viewNeed(t.Type))
	if err != nil {
		return ports.View{}, err
	}
	snap, err := s.contexts.Snapshot(ctx, scope)
	if err != nil {
		return ports.View{}, err
	}
	return ports.View{Snapshot: envelope.Redacted(snap), Capabilities: g.Capabilities()}, nil
}
