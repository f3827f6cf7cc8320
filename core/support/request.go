// Package support holds the SupportRequest aggregate: an operator's request
// for help, captured with its context envelope and never changed afterwards.
package support

import (
	"time"

	"supportdesk/core"
	"supportdesk/core/reference"
	"supportdesk/core/text"
)

// Severity is how badly the operator is affected.
type Severity string

// Severities, least severe first.
const (
	SeverityLow      Severity = "low"
	SeverityNormal   Severity = "normal"
	SeverityHigh     Severity = "high"
	SeverityBlocking Severity = "blocking"
)

// Severities lists every severity, least severe first.
var Severities = []Severity{SeverityLow, SeverityNormal, SeverityHigh, SeverityBlocking}

// Valid reports whether s is a known severity.
func (s Severity) Valid() bool { return text.OneOf(s, Severities) }

// ContextType says where the operator asked for support from.
type ContextType string

// Entry contexts.
const (
	ContextTenant       ContextType = "tenant"
	ContextOperationRun ContextType = "operation_run"
)

// PrimaryContext is the tenant or the run the request was made from.
type PrimaryContext struct {
	Type ContextType
	ID   string
}

// AttachmentMode says whether the diagnostics bundle went with the request.
type AttachmentMode string

// Attachment modes.
const (
	DiagnosticsAttached  AttachmentMode = "diagnostics_attached"
	CanonicalContextOnly AttachmentMode = "canonical_context_only"
)

// Channel is the entry point a request came through.
type Channel string

// Channels.
const (
	ChannelAPI Channel = "api"
	ChannelWeb Channel = "web"
	ChannelCLI Channel = "cli"
)

// ErrNotFound is the one answer for a reference that does not exist or
// that the caller did not create.
var ErrNotFound = &core.Error{Kind: core.KindNotFound, Message: "support request not found"}

// Request is the SupportRequest aggregate. Its fields are unexported: once
// made it cannot change.
type Request struct {
	ref            reference.Reference
	workspaceID    string
	tenantID       string
	primary        PrimaryContext
	details        Details
	createdBy      string
	createdAt      time.Time
	attachmentMode AttachmentMode
	context        []byte
	contextDigest  string
}

// TimePrecision is the precision of a request's creation time: what both
// databases store, so that the time answered at creation is the time read
// back later.
const TimePrecision = time.Microsecond

// New makes a request from validated details and the envelope built for it.
// It returns a KindInternal error if an identifier is missing, since those
// come from the system, not the operator.
func New(ref reference.Reference, workspaceID, tenantID string, primary PrimaryContext, d Details,
	createdBy string, createdAt time.Time, mode AttachmentMode, context []byte, digest string) (*Request, error) {
	switch {
	case ref == "" || workspaceID == "" || tenantID == "" || primary.ID == "" || createdBy == "":
		return nil, core.Errorf(core.KindInternal, "support request is missing an identifier")
	case primary.Type != ContextTenant && primary.Type != ContextOperationRun:
		return nil, core.Errorf(core.KindInternal, "unknown primary context type %q", primary.Type)
	case mode != DiagnosticsAttached && mode != CanonicalContextOnly:
		return nil, core.Errorf(core.KindInternal, "unknown attachment mode %q", mode)
	case len(context) == 0 || digest == "":
		return nil, core.Errorf(core.KindInternal, "support request has no context envelope")
	}
	return &Request{
		ref: ref, workspaceID: workspaceID, tenantID: tenantID, primary: primary, details: d,
		createdBy: createdBy, createdAt: createdAt.UTC().Truncate(TimePrecision), attachmentMode: mode,
		context: context, contextDigest: digest,
	}, nil
}

// Rehydrate rebuilds a request read from storage. It trusts its input: the
// rules were checked when the request was made.
func Rehydrate(ref reference.Reference, workspaceID, tenantID string, primary PrimaryContext, d Details,
	createdBy string, createdAt time.Time, mode AttachmentMode, context []byte, digest string) *Request {
	return &Request{
		ref: ref, workspaceID: workspaceID, tenantID: tenantID, primary: primary, details: d,
		createdBy: createdBy, createdAt: createdAt.UTC(), attachmentMode: mode,
		context: context, contextDigest: digest,
	}
}

// Reference returns the request's quotable reference.
func (r *Request) Reference() reference.Reference { return r.ref }

// WorkspaceID returns the workspace of the request's tenant.
func (r *Request) WorkspaceID() string { return r.workspaceID }

// TenantID returns the tenant the request is about.
func (r *Request) TenantID() string { return r.tenantID }

// PrimaryContext returns where the request was made from.
func (r *Request) PrimaryContext() PrimaryContext { return r.primary }

// Details returns the operator's validated input.
func (r *Request) Details() Details { return r.details }

// CreatedBy returns the id of the user who made the request.
func (r *Request) CreatedBy() string { return r.createdBy }

// CreatedAt returns when the request was made, in UTC.
func (r *Request) CreatedAt() time.Time { return r.createdAt }

// AttachmentMode returns whether diagnostics were attached.
func (r *Request) AttachmentMode() AttachmentMode { return r.attachmentMode }

// Context returns the canonical bytes of the context envelope. The caller
// must not modify them.
func (r *Request) Context() []byte { return r.context }

// ContextDigest returns "sha256:<hex>" of Context as it was when the request was made.
func (r *Request) ContextDigest() string { return r.contextDigest }
