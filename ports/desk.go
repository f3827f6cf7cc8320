package ports

import (
	"context"
	"slices"
	"time"

	"supportdesk/core/audit"
	"supportdesk/core/reference"
	"supportdesk/core/support"
)

// Agent is a support agent: a user who reads requests on the support desk
// and holds no tenant capability (docs/support-desk.md).
type Agent struct {
	UserID string
	Name   string
	Email  string
	// Workspaces are the workspaces the agent may read; none means all.
	Workspaces []string
	CreatedAt  time.Time
	// DisabledAt is set once the agent is disabled: its tokens stop
	// opening the support desk.
	DisabledAt *time.Time
}

// Active reports whether the agent may use the support desk.
func (a Agent) Active() bool { return a.DisabledAt == nil }

// Covers reports whether the agent may read requests of workspaceID.
func (a Agent) Covers(workspaceID string) bool {
	return len(a.Workspaces) == 0 || slices.Contains(a.Workspaces, workspaceID)
}

// Agents stores support agents.
type Agents interface {
	// Add stores a as a new user marked as an agent. Errors: KindConflict
	// when a user with its email exists, KindInvalid for a workspace that
	// does not exist.
	Add(ctx context.Context, a Agent) error
	// List returns every agent, disabled ones too, by email.
	List(ctx context.Context) ([]Agent, error)
	// ByUserID returns the agent userID is, or a KindNotFound error for a
	// user who is none.
	ByUserID(ctx context.Context, userID string) (Agent, error)
	// ByEmail returns the agent with this email, in any case, or a
	// KindNotFound error.
	ByEmail(ctx context.Context, email string) (Agent, error)
	// Disable marks the agent with this email disabled at t; disabling one
	// twice keeps the first time. KindNotFound when there is none.
	Disable(ctx context.Context, email string, t time.Time) error
}

// DeskFilter selects requests on the support desk; zero values do not
// filter.
type DeskFilter struct {
	WorkspaceID string
	TenantID    string
	Severity    support.Severity
	// Since keeps requests created at or after it.
	Since time.Time
}

// Page bounds of the support desk and the requester's list.
const (
	DefaultPageLimit = 50
	MaxPageLimit     = 200
)

// PageKey is the position of a request in the newest-first order of
// every list: created_at, then reference, both descending.
type PageKey struct {
	CreatedAt time.Time
	Reference reference.Reference
}

// KeyOf returns the position of r.
func KeyOf(r *support.Request) PageKey {
	return PageKey{CreatedAt: r.CreatedAt(), Reference: r.Reference()}
}

// PageQuery asks storage for one page of requests, newest first.
type PageQuery struct {
	Filter DeskFilter
	// Workspaces bounds the page to these workspaces; nil means all.
	Workspaces []string
	// CreatedBy, if set, keeps only that user's requests.
	CreatedBy string
	// After, if set, starts the page just after this position.
	After *PageKey
	Limit int
}

// Viewing is one read of a whole request by a support agent, from its
// support_request.viewed audit entry.
type Viewing struct {
	AgentID   string
	AgentName string
	At        time.Time
	Channel   support.Channel
}

// RequestPages reads requests a page at a time, and whole requests with
// the audit entry their reading writes.
type RequestPages interface {
	// Page returns at most q.Limit requests q selects, newest first.
	Page(ctx context.Context, q PageQuery) ([]*support.Request, error)
	// ReadAudited returns the request ref, if it belongs to one of
	// workspaces (nil: any), and stores the audit entry entry makes of it
	// in the same transaction: when that write fails, so does the read.
	// An unknown reference and one outside workspaces are the same
	// KindNotFound error.
	ReadAudited(ctx context.Context, ref reference.Reference, workspaces []string,
		entry func(*support.Request) audit.Entry) (*support.Request, error)
	// Viewings returns the reads of request ref by agents, oldest first.
	Viewings(ctx context.Context, ref reference.Reference) ([]Viewing, error)
}

// Page is one page of requests, newest first, with the names their ids
// point at. NextCursor is empty on the last page.
type Page struct {
	Requests   []*support.Request
	Names      Names
	NextCursor string
}

// OwnRecord is a request as its requester sees it: with who from support
// viewed it.
type OwnRecord struct {
	Request  *support.Request
	Names    Names
	Viewings []Viewing
}

// DeskRecord is a request as a support agent sees it: with the
// deliveries of its event.
type DeskRecord struct {
	Request    *support.Request
	Names      Names
	Deliveries []DeliveryStatus
}

// Requester is the inbound port of a user's own requests (docs/support-desk.md).
type Requester interface {
	// OwnRequests returns a page of actor's requests, newest first, after
	// cursor (empty: the first page). A limit of 0 takes the default; a
	// limit out of bounds or a cursor that is not one is KindInvalid.
	OwnRequests(ctx context.Context, actor Actor, cursor string, limit int) (Page, error)
	// OwnRequest returns actor's request ref with its viewings; anyone
	// else's is support.ErrNotFound, as an unknown one is.
	OwnRequest(ctx context.Context, actor Actor, ref reference.Reference) (OwnRecord, error)
}

// Desk is the inbound port of the support desk (docs/support-desk.md). Every method
// answers a user who is not an active agent with KindNotFound, as for a
// path that does not exist.
type Desk interface {
	// DeskAgent returns the active agent actor is.
	DeskAgent(ctx context.Context, actor Actor) (Agent, error)
	// DeskRequests returns a page of the requests in the agent's scope
	// that f selects, newest first, after cursor.
	DeskRequests(ctx context.Context, actor Actor, f DeskFilter, cursor string, limit int) (Page, error)
	// DeskRequest returns the whole request ref and records the agent's
	// view of it through channel ch in the same transaction.
	DeskRequest(ctx context.Context, actor Actor, ref reference.Reference, ch support.Channel) (DeskRecord, error)
}

// AgentAdmin is the admin CLI's management of support agents.
type AgentAdmin interface {
	// AddAgent makes a new agent; no workspaces means all.
	AddAgent(ctx context.Context, name, email string, workspaces []string) (Agent, error)
	// Agents lists every agent.
	Agents(ctx context.Context) ([]Agent, error)
	// DisableAgent disables the agent with this email.
	DisableAgent(ctx context.Context, email string) error
	// IssueAgentToken makes a new API token for the active agent with this
	// email; the token is returned once.
	IssueAgentToken(ctx context.Context, email string) (string, error)
}
