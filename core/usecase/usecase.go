// Package usecase implements the inbound port: the one path by which the
// HTTP API, the web UI and the CLI authorize, preview and create support
// requests.
package usecase

import (
	"context"
	"errors"
	"strings"
	"time"

	"supportdesk/core"
	"supportdesk/core/access"
	"supportdesk/core/audit"
	"supportdesk/core/credential"
	"supportdesk/core/envelope"
	"supportdesk/core/event"
	"supportdesk/core/reference"
	"supportdesk/core/support"
	"supportdesk/ports"
)

// Service implements ports.SupportDesk over the outbound ports.
type Service struct {
	requests    ports.SupportRequestRepository
	grants      ports.CapabilityMap
	contexts    ports.ContextReader
	diagnostics ports.DiagnosticsBuilder
	envelopes   ports.EnvelopeReader
	users       ports.Users
	directory   ports.Directory
	idempotency ports.IdempotencyKeys
	limiter     ports.RateLimiter
	pages       ports.RequestPages
	agents      ports.Agents
	deliveries  ports.DeliveryLog
	clock       ports.Clock
	ids         ports.IDs
	// Hooks hear what the service does, for logs and metrics.
	Hooks Hooks
}

// Hooks are optional observers of a Service; a nil hook is skipped.
type Hooks struct {
	// DiagnosticsFailed hears why a bundle could not be built; the request
	// goes ahead without it.
	DiagnosticsFailed func(ctx context.Context, err error)
	// EnvelopeBuilt hears how long reading and building an envelope took.
	EnvelopeBuilt func(ctx context.Context, took time.Duration)
	// Created hears of every request stored (not of replays).
	Created func(ctx context.Context, r *support.Request)
}

var _ ports.SupportDesk = (*Service)(nil)

// Deps are the outbound ports a Service needs.
type Deps struct {
	Requests    ports.SupportRequestRepository
	Grants      ports.CapabilityMap
	Contexts    ports.ContextReader
	Diagnostics ports.DiagnosticsBuilder
	// Envelopes, if set, reads a submission's snapshot and bundle in one
	// consistent read instead of through Contexts and Diagnostics.
	Envelopes ports.EnvelopeReader
	Users     ports.Users
	// Directory is only needed by the web UI's tenant list.
	Directory   ports.Directory
	Idempotency ports.IdempotencyKeys
	// Limiter bounds create attempts per user; nil means no limit.
	Limiter ports.RateLimiter
	// Pages and Agents serve the support desk and the requester's own
	// requests.
	Pages  ports.RequestPages
	Agents ports.Agents
	// Deliveries, if set, tells the support desk how each request's event
	// was delivered.
	Deliveries ports.DeliveryLog
	Clock      ports.Clock
	IDs        ports.IDs
}

// New returns a Service over d.
func New(d Deps) *Service {
	return &Service{
		requests: d.Requests, grants: d.Grants, contexts: d.Contexts,
		diagnostics: d.Diagnostics, envelopes: d.Envelopes, users: d.Users, directory: d.Directory, idempotency: d.Idempotency,
		limiter: d.Limiter, pages: d.Pages, agents: d.Agents, deliveries: d.Deliveries, clock: d.Clock, ids: d.IDs,
	}
}

// Authenticate returns the user owning token, or a KindUnauthenticated error.
func (s *Service) Authenticate(ctx context.Context, token string) (ports.Actor, error) {
	if token == "" {
		return ports.Actor{}, core.Errorf(core.KindUnauthenticated, "a bearer token is required")
	}
	return s.users.ByTokenHash(ctx, credential.Hash(token))
}

// errNotFound is the one answer for a target that does not exist or that
// the actor may not know about; its message must not tell the two apart.
func errNotFound(t support.PrimaryContext) error {
	if t.Type == support.ContextOperationRun {
		return core.Errorf(core.KindNotFound, "operation run not found")
	}
	return core.Errorf(core.KindNotFound, "tenant not found")
}

// authorize applies the 404/403 rule (docs/overview.md) for actor on
// target and returns the grant and the envelope scope.
func (s *Service) authorize(ctx context.Context, actor ports.Actor, t support.PrimaryContext, need access.Capability) (access.Grant, envelope.Scope, error) {
	var (
		g       access.Grant
		err     error
		outcome access.Outcome
	)
	// Ids are UUIDs, which name the same record in any case; the stored
	// form is lower case, which SQLite compares exactly.
	t.ID = strings.ToLower(t.ID)
	switch t.Type {
	case support.ContextTenant:
		g, err = s.grants.TenantGrant(ctx, actor.ID, t.ID)
		outcome = access.DecideTenant(g, need)
	case support.ContextOperationRun:
		g, err = s.grants.RunGrant(ctx, actor.ID, t.ID)
		outcome = access.DecideRun(g, need)
	default:
		return access.Grant{}, envelope.Scope{}, core.Errorf(core.KindInternal, "unknown context type %q", t.Type)
	}
	if err != nil {
		return access.Grant{}, envelope.Scope{}, err
	}
	switch outcome {
	case access.NotFound:
		return access.Grant{}, envelope.Scope{}, errNotFound(t)
	case access.Forbidden:
		return access.Grant{}, envelope.Scope{}, core.Errorf(core.KindForbidden, "you lack the %s capability on this tenant", need)
	}
	return g, envelope.Scope{Type: t.Type, TenantID: g.TenantID, RunID: g.RunID}, nil
}

// build reads what the envelope of scope is made from (see read) and
// builds it.
func (s *Service) build(ctx context.Context, g access.Grant, scope envelope.Scope) (envelope.Envelope, error) {
	env, _, err := s.buildWithSnapshot(ctx, g, scope)
	return env, err
}

// buildWithSnapshot is build, also returning the snapshot it read.
func (s *Service) buildWithSnapshot(ctx context.Context, g access.Grant, scope envelope.Scope) (envelope.Envelope, envelope.Snapshot, error) {
	if s.Hooks.EnvelopeBuilt != nil {
		start := time.Now()
		defer func() { s.Hooks.EnvelopeBuilt(ctx, time.Since(start)) }()
	}
	caps := g.Capabilities()
	snap, bundle, err := s.read(ctx, scope, caps.Has(access.SupportDiagnosticsView))
	if err != nil {
		return envelope.Envelope{}, envelope.Snapshot{}, err
	}
	env, err := envelope.Build(snap, caps, bundle)
	return env, snap, err
}

// read reads the snapshot and, withBundle, the diagnostics bundle. With an
// EnvelopeReader both come from one consistent read. A bundle that cannot
// be read leaves it nil — the envelope then carries the canonical context
// only — and the snapshot is read alone.
func (s *Service) read(ctx context.Context, scope envelope.Scope, withBundle bool) (envelope.Snapshot, *envelope.Bundle, error) {
	if s.envelopes != nil {
		snap, bundle, err := s.envelopes.ReadEnvelope(ctx, scope, withBundle)
		if err != nil && withBundle && ctx.Err() == nil {
			// The bundle's part may be what failed: read the snapshot alone.
			s.diagnosticsFailed(ctx, err)
			snap, err = s.contexts.Snapshot(ctx, scope)
		}
		return snap, bundle, err
	}
	snap, err := s.contexts.Snapshot(ctx, scope)
	if err != nil || !withBundle {
		return snap, nil, err
	}
	b, err := s.diagnostics.Bundle(ctx, scope)
	switch {
	case err == nil:
		return snap, &b, nil
	case ctx.Err() != nil:
		// The caller gave up; do not record a request without diagnostics
		// the caller could not see being made.
		return envelope.Snapshot{}, nil, err
	}
	s.diagnosticsFailed(ctx, err)
	return snap, nil, nil
}

func (s *Service) diagnosticsFailed(ctx context.Context, err error) {
	if s.Hooks.DiagnosticsFailed != nil {
		s.Hooks.DiagnosticsFailed(ctx, err)
	}
}

// Submit implements ports.SupportDesk. With an Idempotency-Key, the key
// is claimed after validation (an invalid request stores no key) and
// completed by the request's own creation; a failed attempt releases it.
func (s *Service) Submit(ctx context.Context, sub ports.Submission) (ports.Submitted, error) {
	req, replayed, err := s.submit(ctx, sub)
	if err != nil {
		return ports.Submitted{}, err
	}
	return ports.Submitted{Request: req, Replayed: replayed}, nil
}

func (s *Service) submit(ctx context.Context, sub ports.Submission) (*support.Request, bool, error) {
	g, scope, err := s.authorize(ctx, sub.Actor, sub.Target, access.SupportRequestsCreate)
	if err != nil {
		return nil, false, err
	}
	// Validated now so that an invalid submission claims no key; the
	// request validates its input again when it is made.
	if _, err := support.Validate(sub.Input); err != nil {
		return nil, false, err
	}
	now := s.clock.Now().UTC()
	if sub.IdempotencyKey == "" {
		req, err := s.create(ctx, g, scope, sub, now, nil)
		return req, false, err
	}
	if err := checkIdempotencyKey(sub.IdempotencyKey); err != nil {
		return nil, false, err
	}
	prior, claimedAt, err := s.claim(ctx, sub, now)
	if err != nil || prior != nil {
		return prior, prior != nil, err
	}
	req, err := s.create(ctx, g, scope, sub, now,
		&ports.KeyCompletion{UserID: sub.Actor.ID, Key: sub.IdempotencyKey, ClaimedAt: claimedAt})
	if err != nil {
		// Free the key for a retry, even when ctx is what failed.
		rctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), 5*time.Second)
		defer cancel()
		if rerr := s.idempotency.Release(rctx, sub.Actor.ID, sub.IdempotencyKey, claimedAt); rerr != nil {
			return nil, false, errors.Join(err, rerr)
		}
		return nil, false, err
	}
	return req, false, nil
}

// create builds the envelope and stores the request with everything its
// creation writes — audit entry, outbox event and, with key, the
// completion of the key's claim — in one transaction.
func (s *Service) create(ctx context.Context, g access.Grant, scope envelope.Scope, sub ports.Submission,
	now time.Time, key *ports.KeyCompletion) (*support.Request, error) {
	env, err := s.build(ctx, g, scope)
	if err != nil {
		return nil, err
	}
	ref, err := s.ids.NewReference(now)
	if err != nil {
		return nil, err
	}
	req, err := support.New(support.Params{
		Reference:   ref,
		WorkspaceID: g.WorkspaceID,
		TenantID:    g.TenantID,
		Primary:     support.PrimaryContext{Type: scope.Type, ID: scope.ContextID()},
		Input:       sub.Input,
		CreatedBy:   sub.Actor.ID,
		CreatedAt:   now,
		Mode:        env.Mode,
		Context:     env.Bytes,
	})
	if err != nil {
		return nil, err
	}
	err = s.requests.Create(ctx, ports.Creation{
		Request:     req,
		Audit:       audit.Created(s.ids.NewID(), req, sub.Channel),
		Idempotency: key,
		Event:       event.Created(s.ids.NewID(), req),
	})
	if err != nil {
		return nil, err
	}
	if s.Hooks.Created != nil {
		s.Hooks.Created(ctx, req)
	}
	return req, nil
}

// Preview implements ports.SupportDesk.
func (s *Service) Preview(ctx context.Context, actor ports.Actor, t support.PrimaryContext) (ports.Preview, error) {
	g, scope, err := s.authorize(ctx, actor, t, access.SupportRequestsCreate)
	if err != nil {
		return ports.Preview{}, err
	}
	env, err := s.build(ctx, g, scope)
	if err != nil {
		return ports.Preview{}, err
	}
	return previewOf(env), nil
}

func previewOf(env envelope.Envelope) ports.Preview {
	return ports.Preview{Mode: env.Mode, Reason: env.Reason, Included: env.Included, Omitted: env.Omitted, ContextDigest: env.Digest}
}

// SupportForm implements ports.Browser: the form needs the right to
// create, which every role that has it holds with the right to view.
func (s *Service) SupportForm(ctx context.Context, actor ports.Actor, t support.PrimaryContext) (ports.Preview, ports.View, error) {
	g, scope, err := s.authorize(ctx, actor, t, access.SupportRequestsCreate)
	if err != nil {
		return ports.Preview{}, ports.View{}, err
	}
	caps := g.Capabilities()
	if !caps.Has(viewNeed(t.Type)) {
		return ports.Preview{}, ports.View{}, core.Errorf(core.KindForbidden, "you lack the %s capability on this tenant", viewNeed(t.Type))
	}
	env, snap, err := s.buildWithSnapshot(ctx, g, scope)
	if err != nil {
		return ports.Preview{}, ports.View{}, err
	}
	return previewOf(env), ports.View{Snapshot: envelope.Redacted(snap), Capabilities: caps}, nil
}

// Diagnostics implements ports.SupportDesk.
func (s *Service) Diagnostics(ctx context.Context, actor ports.Actor, t support.PrimaryContext) ([]byte, error) {
	_, scope, err := s.authorize(ctx, actor, t, access.SupportDiagnosticsView)
	if err != nil {
		return nil, err
	}
	b, err := s.diagnostics.Bundle(ctx, scope)
	if err != nil {
		if core.KindOf(err) == core.KindInternal {
			return nil, core.Wrap(core.KindUnavailable, err, "support diagnostics are unavailable right now")
		}
		return nil, err
	}
	return envelope.Diagnostics(b)
}

// Get implements ports.SupportDesk. An unknown reference and another
// user's request get the one identical error, support.ErrNotFound, from
// the same lookup: the creator is part of the query, so another user's
// request is never loaded (its timing would tell it exists).
func (s *Service) Get(ctx context.Context, actor ports.Actor, ref reference.Reference) (*support.Request, error) {
	req, err := s.requests.GetByCreator(ctx, ref, actor.ID)
	if core.KindOf(err) == core.KindNotFound {
		return nil, support.ErrNotFound
	}
	return req, err
}
