package usecase

import (
	"context"
	"slices"

	"supportdesk/core"
	"supportdesk/core/canon"
	"supportdesk/core/credential"
	"supportdesk/core/envelope"
	"supportdesk/core/reference"
	"supportdesk/core/support"
	"supportdesk/ports"
)

var _ ports.Admin = (*Service)(nil)

// Show implements ports.Admin.
func (s *Service) Show(ctx context.Context, ref reference.Reference) (*support.Request, error) {
	return s.requests.Get(ctx, ref)
}

// List implements ports.Admin.
func (s *Service) List(ctx context.Context, f ports.ListFilter) ([]*support.Request, error) {
	if f.Limit < 0 {
		return nil, core.Invalid(core.FieldError{Field: "limit", Message: "must not be negative"})
	}
	return s.requests.List(ctx, f)
}

// Verify implements ports.Admin: it recomputes the digest of the stored
// bytes and checks they are still in the canonical form of the schema
// they name (records stored as v1 keep their v1 form).
func (s *Service) Verify(ctx context.Context, ref reference.Reference) (ports.Verification, error) {
	req, err := s.requests.Get(ctx, ref)
	if err != nil {
		return ports.Verification{}, err
	}
	return ports.Verification{
		Reference: ref, Stored: req.ContextDigest(), Computed: canon.Digest(req.Context()),
		Canonical: envelope.Canonical(req.Context()),
	}, nil
}

// Names implements ports.Admin.
func (s *Service) Names(ctx context.Context, requests []*support.Request) (ports.Names, error) {
	var tenants, users []string
	for _, r := range requests {
		if !slices.Contains(tenants, r.TenantID()) {
			tenants = append(tenants, r.TenantID())
		}
		if !slices.Contains(users, r.CreatedBy()) {
			users = append(users, r.CreatedBy())
		}
	}
	return s.directory.Names(ctx, tenants, users)
}

// ActorByEmail implements ports.Admin.
func (s *Service) ActorByEmail(ctx context.Context, email string) (ports.Actor, error) {
	return s.users.ByEmail(ctx, email)
}

// IssueToken implements ports.Admin for a tenant user: an agent's tokens
// come from IssueAgentToken, so that no one makes one by mistake.
func (s *Service) IssueToken(ctx context.Context, email string) (string, error) {
	if s.agents != nil {
		if a, err := s.agents.ByEmail(ctx, email); err == nil {
			return "", core.Errorf(core.KindConflict, "%s is a support agent: issue its token with --agent", a.Email)
		} else if core.KindOf(err) != core.KindNotFound {
			return "", err
		}
	}
	return s.issueToken(ctx, email)
}

// issueToken makes a credential.NewToken for the user with this email, of
// which only the hash is stored.
func (s *Service) issueToken(ctx context.Context, email string) (string, error) {
	token := credential.NewToken()
	if _, err := s.users.IssueToken(ctx, email, credential.Hash(token)); err != nil {
		return "", err
	}
	return token, nil
}
