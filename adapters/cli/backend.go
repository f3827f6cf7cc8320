package cli

import (
	"context"
	"net"
	"time"

	"supportdesk/ports"
)

// Settings are what the global flags set; the environment gives their
// defaults.
type Settings struct {
	// DatabaseURL is a postgres:// URL or a SQLite file path.
	DatabaseURL string
	// Addr is the HTTP listen address of serve and demo.
	Addr string
	// NATSURL is the NATS server events are published to; none: no NATS
	// delivery. The demo uses a server on 127.0.0.1:4222 when it finds one.
	NATSURL string
	// SecretKey seals webhook secrets (SUPPORTDESK_SECRET_KEY). Without
	// one, the demo makes a key for its own run.
	SecretKey string
	// DefaultDatabaseURL is the database used when neither the environment
	// nor a flag names one; it is not a setting, only what the demo's
	// guide compares with.
	DefaultDatabaseURL string
}

// Backend runs the service for the commands. bootstrap builds it, so that
// the commands reach the use cases only through their ports and the CLI
// knows nothing of how the service is wired.
type Backend interface {
	// Environment returns the settings the environment gives, which flags
	// override. A value of the environment that is invalid (for any
	// setting, not only these) is an error.
	Environment() (Settings, error)
	// Open starts storage and the use cases for one command, without a
	// server; close releases them. Only with create may it make a SQLite
	// file that does not exist yet; without, a missing file is an error
	// that matches fs.ErrNotExist.
	Open(ctx context.Context, s Settings, create bool) (p Ports, close func(), err error)
	// Serve serves the HTTP API and web UI on s.Addr and migrates the
	// database (creating a SQLite file that does not exist), waiting for
	// a database that does not answer yet; it returns once the server
	// listens.
	Serve(ctx context.Context, s Settings) (*Server, error)
	// Listen runs the local webhook receiver of "webhook listen" on addr
	// until ctx ends, with no database: it verifies each POST against the
	// secrets (whsec_ form; several during a rotation) and reports to h. A
	// malformed secret is a core.KindInvalid error; an address that cannot
	// be bound, an error.
	Listen(ctx context.Context, addr string, secrets []string, h Listening) error
}

// Listening is what a webhook receiver reports, each call from the
// goroutine of one HTTP request.
type Listening struct {
	// Listening is called once with the address bound.
	Listening func(addr net.Addr)
	// Received is called with each delivery whose signature verified.
	Received func(ReceivedWebhook)
	// Refused is called with each delivery turned away: the HTTP status
	// answered (400 malformed or replayed, 401 bad signature, …) and why.
	Refused func(status int, reason string)
}

// ReceivedWebhook is one verified delivery: its webhook-id (the event id),
// its webhook-timestamp and the exact body.
type ReceivedWebhook struct {
	ID        string
	Timestamp time.Time
	Body      []byte
}

// Ports are the ports the commands use.
type Ports struct {
	Desk    ports.SupportDesk
	Admin   ports.Admin
	Agents  ports.AgentAdmin
	Schema  ports.Schema
	Records ports.RecordImporter
	// Webhooks registers the endpoints events are delivered to.
	Webhooks ports.WebhookAdmin
	// Deliveries lists and retries the deliveries of events.
	Deliveries ports.Deliveries
}

// Server is the service that serve and demo run.
type Server struct {
	Ports
	// Addr is the address the server bound.
	Addr net.Addr
	// Done receives once if the server stops by itself: nil after a clean
	// shutdown it was asked for, an error if it failed.
	Done <-chan error
	// Stop lets in-flight requests finish, then releases everything.
	Stop func(ctx context.Context) error
}
