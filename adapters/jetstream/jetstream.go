// Package jetstream publishes support_request.created events to NATS
// JetStream (docs/delivery.md) with github.com/nats-io/nats.go: it connects
// without blocking a server's start, declares the stream the events go to,
// and publishes each with Nats-Msg-Id = the event id, waiting for the ack,
// so that the stream drops the duplicates at-least-once delivery makes.
package jetstream

import (
	"errors"
	"fmt"
	"log/slog"
	"sync"
	"time"

	"github.com/nats-io/nats.go"
	jsapi "github.com/nats-io/nats.go/jetstream"
)

// URLEnv names the variable holding the NATS server URL (or a comma
// separated list of them), e.g. nats://127.0.0.1:4222. Without it the
// service publishes nowhere.
const URLEnv = "SUPPORTDESK_NATS_URL"

// Defaults of Config.
const (
	DefaultStream = "SUPPORTDESK"
	// DefaultDuplicates is the stream's duplicate window: twice the 24 h
	// in which a delivery is retried, so every retry of a published event
	// — after a lost ack, a relay crash, a broker restart — is dropped.
	DefaultDuplicates = 48 * time.Hour
	// DefaultMaxAge is how long the stream keeps events: long enough for a
	// consumer to be down for weeks, short enough that the stream does not
	// grow without bound. The database keeps every request regardless.
	DefaultMaxAge = 30 * 24 * time.Hour
	// MinDuplicates is the shortest duplicate window Config accepts: the
	// retry policy's 24 h.
	MinDuplicates = 24 * time.Hour
)

// Connection behaviour, fit for a server that runs for months.
const (
	connectTimeout = 2 * time.Second        // one dial of one server
	reconnectWait  = time.Second            // between reconnect rounds…
	reconnectJit   = 500 * time.Millisecond // …plus up to this, so instances spread out
	pingInterval   = 20 * time.Second       // a silent broker is noticed within ~1 min
	maxPingsOut    = 3
)

// Config says where and how to publish.
type Config struct {
	// URL is the server URL, or several comma separated; required.
	URL string
	// Stream names the stream; DefaultStream if empty.
	Stream string
	// Duplicates is the stream's duplicate window; DefaultDuplicates if 0,
	// at least MinDuplicates.
	Duplicates time.Duration
	// MaxAge is how long the stream keeps a message; DefaultMaxAge if 0.
	// It must not be shorter than Duplicates.
	MaxAge time.Duration
	// Name is the client name the server shows; "supportdesk" if empty.
	Name string
	// Log receives disconnects and reconnects; nothing is logged if nil.
	Log *slog.Logger
}

// Publisher publishes events on one NATS connection. It is safe for
// concurrent use.
type Publisher struct {
	cfg Config
	nc  *nats.Conn
	js  jsapi.JetStream

	mu       sync.Mutex
	declared bool // the stream was found or made as Config wants it
}

// Connect returns a Publisher for cfg. It does not wait for the server: if
// NATS is down it returns at once (or after one 2 s dial timeout for an
// unreachable host) with a connection that keeps retrying in the
// background — every second or so, forever — so that a broker outage never
// stops the service from starting or taking requests; publishes fail,
// retryably, until it is back. The stream is declared on the first
// publish after connecting, or with EnsureStream.
//
// It returns an error only for a configuration that cannot work: no URL, a
// malformed URL, or a bad stream name or window.
func Connect(cfg Config) (*Publisher, error) {
	cfg, err := cfg.withDefaults()
	if err != nil {
		return nil, err
	}
	log := cfg.Log
	if log == nil {
		log = slog.New(slog.DiscardHandler)
	}
	p := &Publisher{cfg: cfg}
	nc, err := nats.Connect(cfg.URL,
		nats.Name(cfg.Name),
		nats.Timeout(connectTimeout),
		nats.RetryOnFailedConnect(true),
		nats.MaxReconnects(-1),
		nats.ReconnectWait(reconnectWait),
		nats.ReconnectJitter(reconnectJit, reconnectJit),
		nats.PingInterval(pingInterval),
		nats.MaxPingsOutstanding(maxPingsOut),
		// No buffering while disconnected: a publish fails at once and
		// the outbox retries it, rather than sending it later unasked.
		nats.ReconnectBufSize(-1),
		nats.ConnectHandler(func(c *nats.Conn) {
			log.Info("nats connected", "server", c.ConnectedUrlRedacted())
		}),
		nats.DisconnectErrHandler(func(_ *nats.Conn, err error) {
			if err != nil {
				log.Warn("nats disconnected; reconnecting", "error", err.Error())
			}
		}),
		nats.ReconnectHandler(func(c *nats.Conn) {
			// The server may have lost or changed the stream meanwhile.
			p.setDeclared(false)
			log.Info("nats reconnected", "server", c.ConnectedUrlRedacted())
		}),
	)
	if err != nil {
		return nil, fmt.Errorf("connect to NATS: %w", err)
	}
	js, err := jsapi.New(nc)
	if err != nil {
		nc.Close()
		return nil, fmt.Errorf("connect to NATS JetStream: %w", err)
	}
	p.nc, p.js = nc, js
	return p, nil
}

func (c Config) withDefaults() (Config, error) {
	if c.URL == "" {
		return c, errors.New("NATS: no server URL (" + URLEnv + ")")
	}
	if c.Stream == "" {
		c.Stream = DefaultStream
	}
	if c.Duplicates == 0 {
		c.Duplicates = DefaultDuplicates
	}
	if c.MaxAge == 0 {
		c.MaxAge = DefaultMaxAge
	}
	if c.Name == "" {
		c.Name = "supportdesk"
	}
	switch {
	case !validStreamName(c.Stream):
		return c, fmt.Errorf("NATS: %q is not a stream name (letters, digits, - and _)", c.Stream)
	case c.Duplicates < MinDuplicates:
		return c, fmt.Errorf("NATS: a duplicate window of %s is shorter than the %s in which events are retried", c.Duplicates, MinDuplicates)
	case c.MaxAge < c.Duplicates:
		return c, fmt.Errorf("NATS: the stream's max age %s is shorter than its duplicate window %s", c.MaxAge, c.Duplicates)
	}
	return c, nil
}

func validStreamName(s string) bool {
	for _, r := range s {
		if !('a' <= r && r <= 'z' || 'A' <= r && r <= 'Z' || '0' <= r && r <= '9' || r == '-' || r == '_') {
			return false
		}
	}
	return s != "" && len(s) <= 64
}

// Close closes the connection; publishes in flight fail. It is safe to
// call more than once.
func (p *Publisher) Close() { p.nc.Close() }

func (p *Publisher) setDeclared(v bool) {
	p.mu.Lock()
	p.declared = v
	p.mu.Unlock()
}

func (p *Publisher) isDeclared() bool {
	p.mu.Lock()
	defer p.mu.Unlock()
	return p.declared
}
