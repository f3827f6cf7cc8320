// Package ports holds the interfaces between the use cases and the world:
// inbound, what the HTTP API, the web UI and the CLI call; outbound, what
// the use cases need from storage and the system.
package ports

import (
	"context"
	"time"

	"supportdesk/core/access"
	"supportdesk/core/audit"
	"supportdesk/core/envelope"
	"supportdesk/core/event"
	"supportdesk/core/reference"
	"supportdesk/core/support"
)

// Actor is the authenticated user an action is taken for.
type Actor struct {
	ID    string
	Name  string
	Email string
}

// Submission is one attempt to create a support request.
type Submission struct {
	Actor   Actor
	Target  support.PrimaryContext
	Input   support.Input
	Channel support.Channel
	// IdempotencyKey is optional; with it, a repeat of the same submission
	// by the same actor returns the first result instead of a new request.
	IdempotencyKey string
}

// Preview is what a submission made now would attach.
type Preview struct {
	Mode          support.AttachmentMode
	Reason        string
	Included      []string
	Omitted       []envelope.Omission
	ContextDigest string
}

// ListFilter selects requests for the admin CLI. Zero values do not filter.
type ListFilter struct {
	WorkspaceID string
	TenantID    string
	Since       time.Time
	Limit       int
}

// List bounds: a filter without a limit gets DefaultListLimit requests,
// and no list is longer than MaxListLimit.
const (
	DefaultListLimit = 50
	MaxListLimit     = 1000
)

// EffectiveLimit returns f.Limit within the list bounds.
func (f ListFilter) EffectiveLimit() int {
	switch {
	case f.Limit <= 0:
		return DefaultListLimit
	case f.Limit > MaxListLimit:
		return MaxListLimit
	}
	return f.Limit
}

// SupportDesk is the inbound port: the use cases every entry point calls.
type SupportDesk interface {
	// Authenticate returns the user owning an API token, or a
	// KindUnauthenticated error.
	Authenticate(ctx context.Context, token string) (Actor, error)
	// AttemptCreate takes one create attempt of actor: the entry points
	// call it for every authenticated create attempt, before reading the
	// body, so that malformed attempts count too (the admin CLI does not).
	// None left is a KindRateLimited error with RetryAfter.
	AttemptCreate(ctx context.Context, actor Actor) error
	// Submit authorizes, validates and creates a support request, or
	// replays the one an Idempotency-Key already made. Errors: KindNotFound,
	// KindForbidden, KindInvalid, KindConflict (with RetryAfter),
	// KindUnavailable.
	Submit(ctx context.Context, s Submission) (Submitted, error)
	// Preview tells what a submission on target would attach now.
	Preview(ctx context.Context, actor Actor, target support.PrimaryContext) (Preview, error)
	// Diagnostics returns the redacted diagnostics bundle as canonical JSON;
	// it needs support_diagnostics.view.
	Diagnostics(ctx context.Context, actor Actor, target support.PrimaryContext) ([]byte, error)
	// Get returns a request its creator asks for; anyone else gets KindNotFound.
	Get(ctx context.Context, actor Actor, ref reference.Reference) (*support.Request, error)
}

// Verification is the result of recomputing a stored envelope's digest.
type Verification struct {
	Reference reference.Reference
	Stored    string
	Computed  string
	// Canonical is false when the stored bytes are no longer canonical JSON.
	Canonical bool
}

// OK reports whether the stored envelope is intact.
func (v Verification) OK() bool { return v.Canonical && v.Stored == v.Computed }

// Admin is the inbound port of the admin CLI: support engineers read
// requests there, with no per-user authorization.
type Admin interface {
	// Show returns any request, or a KindNotFound error.
	Show(ctx context.Context, ref reference.Reference) (*support.Request, error)
	// List returns requests newest first.
	List(ctx context.Context, f ListFilter) ([]*support.Request, error)
	// Verify recomputes the digest of a stored envelope.
	Verify(ctx context.Context, ref reference.Reference) (Verification, error)
	// Names returns the names of the tenants (and workspaces) and the
	// creators of requests, to show beside their ids.
	Names(ctx context.Context, requests []*support.Request) (Names, error)
	// ActorByEmail returns the user with this email, to act as in the CLI.
	ActorByEmail(ctx context.Context, email string) (Actor, error)
	// IssueToken makes a new API token for the user with this email and
	// stores only its hash; the token is returned once.
	IssueToken(ctx context.Context, email string) (string, error)
}

// Creation is everything one support request's creation writes, in one
// transaction (docs/overview.md): the request, its audit entry, its outbox event
// and, with an Idempotency-Key, the completion of the key's claim. As one
// value, storage can send all of it at once.
type Creation struct {
	Request *support.Request
	Audit   audit.Entry
	// Idempotency completes the claim of an Idempotency-Key with the
	// request's reference; nil without a key.
	Idempotency *KeyCompletion
	Event       event.Event
}

// KeyCompletion names the claim of an Idempotency-Key that a creation
// completes.
type KeyCompletion struct {
	UserID string
	Key    string
	// ClaimedAt is the claim's CreatedAt: which claim is meant, should
	// another have taken the key over since.
	ClaimedAt time.Time
}

// SupportRequestRepository stores support requests. There is no update
// and no delete: a request is immutable.
type SupportRequestRepository interface {
	// Create writes everything c holds in one transaction, all or nothing.
	// Errors: KindConflict when the reference exists or the key's claim was
	// taken over, KindUnavailable when storage cannot be reached,
	// KindInternal otherwise.
	Create(ctx context.Context, c Creation) error
	// Get returns the request with reference ref, or a KindNotFound error.
	Get(ctx context.Context, ref reference.Reference) (*support.Request, error)
	// GetByCreator returns the request ref if createdBy made it. An unknown
	// reference and another user's request are the same KindNotFound
	// error, found by the same one lookup, so that neither the answer nor
	// its timing tells them apart.
	GetByCreator(ctx context.Context, ref reference.Reference, createdBy string) (*support.Request, error)
	// List returns requests newest first.
	List(ctx context.Context, f ListFilter) ([]*support.Request, error)
}

// CapabilityMap tells what a user may do on a tenant or an operation run.
type CapabilityMap interface {
	// TenantGrant returns the grant of userID on tenantID; Exists is false
	// when the tenant does not exist.
	TenantGrant(ctx context.Context, userID, tenantID string) (access.Grant, error)
	// RunGrant returns the grant of userID on the tenant of runID, with
	// RunID set; Exists is false when the run does not exist.
	RunGrant(ctx context.Context, userID, runID string) (access.Grant, error)
}

// ContextReader reads the database state an envelope is built from, with
// bounded, indexed queries.
type ContextReader interface {
	Snapshot(ctx context.Context, scope envelope.Scope) (envelope.Snapshot, error)
}

// EnvelopeReader reads what an envelope is built from in one consistent
// read: the snapshot and, withBundle, the diagnostics bundle. Storage that
// can offers it beside ContextReader and DiagnosticsBuilder.
type EnvelopeReader interface {
	ReadEnvelope(ctx context.Context, scope envelope.Scope, withBundle bool) (envelope.Snapshot, *envelope.Bundle, error)
}

// DiagnosticsBuilder gathers the data of a support diagnostics bundle.
type DiagnosticsBuilder interface {
	Bundle(ctx context.Context, scope envelope.Scope) (envelope.Bundle, error)
}

// Clock tells the time.
type Clock interface {
	Now() time.Time
}

// IDs makes identifiers.
type IDs interface {
	// NewReference returns a fresh support reference for time t.
	NewReference(t time.Time) (reference.Reference, error)
	// NewID returns a fresh UUID for other records, such as audit entries.
	NewID() string
}

// Users finds the users supportdesk acts for.
type Users interface {
	// ByTokenHash returns the user owning the API token with this hash, or
	// a KindUnauthenticated error.
	ByTokenHash(ctx context.Context, hash string) (Actor, error)
	// ByEmail returns the user with this email, or a KindNotFound error.
	ByEmail(ctx context.Context, email string) (Actor, error)
	// IssueToken stores hash as a new API token of the user with this
	// email (KindNotFound if there is none).
	IssueToken(ctx context.Context, email, hash string) (Actor, error)
}

// TenantListing is one tenant a user is entitled to see.
type TenantListing struct {
	ID            string
	Name          string
	Status        string
	WorkspaceID   string
	WorkspaceName string
	Role          access.Role
}

// Names are the names of tenants and users, by id, for people reading ids.
type Names struct {
	Tenants map[string]TenantName
	Users   map[string]Actor
}

// TenantName is a tenant's name and its workspace's.
type TenantName struct {
	Name          string
	WorkspaceName string
}

// Directory lists what a user may browse, and names what ids point at.
type Directory interface {
	// Tenants returns the tenants where userID holds both a workspace and a
	// tenant membership, by workspace name, then tenant name.
	Tenants(ctx context.Context, userID string) ([]TenantListing, error)
	// Names returns the names of the tenants and users with these ids;
	// an id that names nothing is left out.
	Names(ctx context.Context, tenantIDs, userIDs []string) (Names, error)
}

// View is a redacted snapshot of a tenant (or one of its runs) with what
// the viewer may do there.
type View struct {
	Snapshot     envelope.Snapshot
	Capabilities access.Set
}

// Browser is the inbound port of the web UI's pages.
type Browser interface {
	// Tenants lists the tenants actor is entitled to.
	Tenants(ctx context.Context, actor Actor) ([]TenantListing, error)
	// View returns the dashboard of a tenant, or the viewer of a run, under
	// the same 404 rule as every other entry point.
	View(ctx context.Context, actor Actor, target support.PrimaryContext) (View, error)
	// SupportForm returns what the support form on target shows — what a
	// submission now would attach, and the view of the target — from one
	// authorization and one read. Errors as Preview's.
	SupportForm(ctx context.Context, actor Actor, target support.PrimaryContext) (Preview, View, error)
}

// Submitted is the request a submission made or, when Replayed, the one
// its Idempotency-Key made before.
type Submitted struct {
	*support.Request
	Replayed bool
}

// IdempotencyRecord is what storage keeps for one (user, Idempotency-Key).
type IdempotencyRecord struct {
	// Fingerprint identifies the submission the key was first used for.
	Fingerprint string
	// Reference is empty while the first submission is in flight.
	Reference reference.Reference
	CreatedAt time.Time
	ExpiresAt time.Time
}

// IdempotencyKeys keeps Idempotency-Key records in storage, so that they
// hold across restarts and across several server instances. A claim is
// completed by the creation it was made for (Creation.Idempotency).
type IdempotencyKeys interface {
	// Claim records rec as in flight for (userID, key) unless a live record
	// exists. It returns the record that now holds the key and whether it is
	// rec. An expired record, or an in-flight one created before
	// abandonedBefore (its server died), is replaced.
	Claim(ctx context.Context, userID, key string, rec IdempotencyRecord, abandonedBefore time.Time) (IdempotencyRecord, bool, error)
	// Release removes the in-flight claim made at claimedAt, after its
	// submission failed.
	Release(ctx context.Context, userID, key string, claimedAt time.Time) error
}

// AuthFailures throttles failed authentication per client address, so that
// guessing tokens from one address is slowed without locking out the user
// whose token is guessed.
type AuthFailures interface {
	// Check reports whether addr may try to authenticate now; when it may
	// not, how long until it may.
	Check(addr string) (bool, time.Duration)
	// Failed records a failed attempt from addr.
	Failed(addr string)
}

// RateLimiter bounds how often one user may try to create a request.
type RateLimiter interface {
	// Allow takes one attempt of userID at now; when none is left it
	// returns false and how long until the next one, and the refused
	// attempt takes nothing. A limiter whose store fails allows: the
	// limit protects the service, and an outage of its store must not
	// stop every create.
	Allow(ctx context.Context, userID string, now time.Time) (bool, time.Duration)
}

// DeliveryStatus is where the delivery of a request's event to one
// destination stands (docs/delivery.md).
type DeliveryStatus struct {
	ID string
	// Destination names where it goes: "nats" or "webhook <endpoint URL>".
	Destination string
	// State is "pending", "delivered" or "dead".
	State         string
	Attempts      int
	LastAttemptAt *time.Time
	NextAttemptAt *time.Time
	DeliveredAt   *time.Time
	// LastError says why the last attempt failed, without secrets.
	LastError string
}

// DeliveryLog tells how a request's event was delivered.
type DeliveryLog interface {
	// ForReference lists the deliveries of the event of the request ref,
	// by destination; none yet is an empty list.
	ForReference(ctx context.Context, ref reference.Reference) ([]DeliveryStatus, error)
}
