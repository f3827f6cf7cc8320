// Package support holds the SupportRequest aggregate: an operator's request
// for help, captured with its context envelope and never changed afterwards.
package support

import (
	"time"

	"supportdesk/core"
	"supportdesk/core/canon"
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

// ContextTypes lists both entry contexts.
var ContextTypes = []ContextType{ContextTenant, ContextOperationRun}

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

// AttachmentModes lists both attachment modes.
var AttachmentModes = []AttachmentMode{DiagnosticsAttached, CanonicalContextOnly}

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
// made it cannot change, and New makes only valid ones.
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

// Params is what a new request is made of.
type Params struct {
	Reference   reference.Reference
	WorkspaceID string
	TenantID    string
	Primary     PrimaryContext
	// Input is the operator's input exactly as received.
	Input     Input
	CreatedBy string
	CreatedAt time.Time
	Mode      AttachmentMode
	// Context is the canonical bytes of the context envelope; New
	// computes their digest.
	Context []byte
}

// New makes a request from p. It validates the input (a KindInvalid error
// naming every invalid field, as Validate) and stores its free text —
// summary, reproduction notes, contact name — redacted (see Details), so
// that a secret an operator pasted reaches no response, page, event or log.
// The digest is computed from the context bytes, so it always matches
// them. An identifier, context type, mode or envelope that is missing or
// unknown is a KindInternal error: those come from the system, not the
// operator.
func New(p Params) (*Request, error) {
	switch {
	case p.Reference == "" || p.WorkspaceID == "" || p.TenantID == "" || p.Primary.ID == "" || p.CreatedBy == "":
		return nil, core.Errorf(core.KindInternal, "support request is missing an identifier")
	case !text.OneOf(p.Primary.Type, ContextTypes):
		return nil, core.Errorf(core.KindInternal, "unknown primary context type %q", p.Primary.Type)
	case !text.OneOf(p.Mode, AttachmentModes):
		return nil, core.Errorf(core.KindInternal, "unknown attachment mode %q", p.Mode)
	case len(p.Context) == 0:
		return nil, core.Errorf(core.KindInternal, "support request has no context envelope")
	}
	d, err := Validate(p.Input)
	if err != nil {
		return nil, err
	}
	return &Request{
		ref: p.Reference, workspaceID: p.WorkspaceID, tenantID: p.TenantID, primary: p.Primary,
		details: d.redacted(), createdBy: p.CreatedBy, createdAt: core.StoredTime(p.CreatedAt),
		attachmentMode: p.Mode, context: p.Context, contextDigest: canon.Digest(p.Context),
	}, nil
}

// Stored is a request as storage keeps it, for Rehydrate.
type Stored struct {
	Reference   reference.Reference
	WorkspaceID string
	TenantID    string
	Primary     PrimaryContext
	Details     Details
	CreatedBy   string
	CreatedAt   time.Time
	Mode        AttachmentMode
	Context     []byte
	// Digest is the context digest stored at creation, which may no longer
	// match Context if the stored bytes were tampered with.
	Digest string
}

// Rehydrate rebuilds a request read from storage. It trusts its input: the
// rules were checked when the request was made.
func Rehydrate(s Stored) *Request {
	return &Request{
		ref: s.Reference, workspaceID: s.WorkspaceID, tenantID: s.TenantID, primary: s.Primary,
		details: s.Details, createdBy: s.CreatedBy, createdAt: s.CreatedAt.UTC(), attachmentMode: s.Mode,
		context: s.Context, contextDigest: s.Digest,
	}
}

// Stored returns r as storage keeps it; Rehydrate(r.Stored()) is r.
func (r *Request) Stored() Stored {
	return Stored{
		Reference: r.ref, WorkspaceID: r.workspaceID, TenantID: r.tenantID, Primary: r.primary,
		Details: r.details, CreatedBy: r.createdBy, CreatedAt: r.createdAt, Mode: r.attachmentMode,
		Context: r.context, Digest: r.contextDigest,
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

// Details returns the operator's validated input, its free text redacted.
func (r *Request) Details() Details { return r.details }

// CreatedBy returns the id of the user who made the request.
func (r *Request) CreatedBy() string { return r.createdBy }

// CreatedAt returns when the request was made, in UTC to core.TimePrecision.
func (r *Request) CreatedAt() time.Time { return r.createdAt }

// AttachmentMode returns whether diagnostics were attached.
func (r *Request) AttachmentMode() AttachmentMode { return r.attachmentMode }

// Context returns the canonical bytes of the context envelope. The caller
// must not modify them.
func (r *Request) Context() []byte { return r.context }

// ContextDigest returns "sha256:<hex>" of Context as it was when the request was made.
func (r *Request) ContextDigest() string { return r.contextDigest }
