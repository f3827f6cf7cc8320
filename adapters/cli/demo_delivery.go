package cli

import (
	"context"
	"crypto/rand"
	"encoding/base64"
	"encoding/json"
	"fmt"
	"net"
	"net/url"
	"strconv"
	"strings"
	"sync"
	"time"
)

// The demo delivers every request it takes to a webhook receiver of its
// own, and to NATS when a server runs on this machine.
const (
	// demoNATS is where the demo looks for a NATS server when
	// SUPPORTDESK_NATS_URL is not set.
	demoNATS = "127.0.0.1:4222"
	// demoHookPath marks the demo's own endpoint, so a later run can
	// remove what an earlier one left.
	demoHookPath = "/supportdesk-demo"
	// natsProbe bounds the look for a local NATS server.
	natsProbe = 300 * time.Millisecond
)

// demoDelivery is how this demo run delivers.
type demoDelivery struct {
	natsURL   string
	natsFound bool // the demo found the server itself
	tempKey   bool // no SUPPORTDESK_SECRET_KEY: a key for this run only
}

// demoDeliverySettings completes the settings for the demo: a local NATS
// server if one answers and none is configured, and a key for this run if
// none is set, so that the demo's own endpoint can be added.
func (e *env) demoDeliverySettings() (demoDelivery, error) {
	d := demoDelivery{natsURL: e.settings.NATSURL}
	if d.natsURL == "" {
		if c, err := net.DialTimeout("tcp", demoNATS, natsProbe); err == nil {
			_ = c.Close()
			d.natsURL, d.natsFound = "nats://"+demoNATS, true
			e.settings.NATSURL = d.natsURL
		}
	}
	if e.settings.SecretKey == "" {
		key := make([]byte, 32)
		if _, err := rand.Read(key); err != nil {
			return d, fmt.Errorf("make a key for the demo: %w", err)
		}
		e.settings.SecretKey, d.tempKey = base64.StdEncoding.EncodeToString(key), true
	}
	return d, nil
}

// describe is the guide's paragraph about delivery.
func (d demoDelivery) describe(receiver string) string {
	var b strings.Builder
	b.WriteString("Every request is delivered, after it is stored, to:\n")
	fmt.Fprintf(&b, "  - the demo's own webhook receiver at %s, which checks each signature and prints the event here;\n", receiver)
	switch {
	case d.natsURL != "" && d.natsFound:
		fmt.Fprintf(&b, "  - NATS JetStream at %s (found running), stream SUPPORTDESK.\n", d.natsURL)
	case d.natsURL != "":
		fmt.Fprintf(&b, "  - NATS JetStream at %s, stream SUPPORTDESK.\n", d.natsURL)
	default:
		fmt.Fprintf(&b, "  - (no NATS: none answers on %s and SUPPORTDESK_NATS_URL is not set; webhooks only).\n", demoNATS)
	}
	if d.tempKey {
		b.WriteString("  Webhook secrets are sealed with a key made for this run (SUPPORTDESK_SECRET_KEY is not set).\n")
	}
	b.WriteString("  See them with: supportdesk deliveries list; add your own endpoint with: supportdesk webhook add URL\n")
	return b.String()
}

// startDemoReceiver registers an endpoint for a receiver of the demo's own
// on a free loopback port and serves it, printing each verified event. It
// first removes the endpoints earlier runs left (their receivers are
// gone). The stop it returns ends the receiver and removes its endpoint.
func (e *env) startDemoReceiver(ctx context.Context, srv *Server) (string, func(context.Context), error) {
	hooks, err := srv.Webhooks.List(ctx)
	if err != nil {
		return "", nil, err
	}
	for _, h := range hooks {
		if u, err := url.Parse(h.URL); err == nil && u.Path == demoHookPath && u.Hostname() == "127.0.0.1" {
			if err := srv.Webhooks.Remove(ctx, h.ID); err != nil {
				return "", nil, err
			}
		}
	}
	addr, err := freeLoopback()
	if err != nil {
		return "", nil, err
	}
	endpoint := "http://" + addr + demoHookPath
	info, secret, err := srv.Webhooks.Add(ctx, endpoint, true)
	if err != nil {
		return "", nil, fmt.Errorf("add the demo's webhook: %w", err)
	}
	lctx, cancel := context.WithCancel(ctx)
	done := make(chan struct{})
	var mu sync.Mutex // deliveries arrive on several goroutines
	go func() {
		defer close(done)
		err := e.backend.Listen(lctx, addr, []string{secret}, Listening{
			Listening: func(net.Addr) {},
			Received: func(m ReceivedWebhook) {
				var ev event
				_ = json.Unmarshal(m.Body, &ev)
				mu.Lock()
				defer mu.Unlock()
				fmt.Fprintf(e.stdout, "delivered to the demo webhook (signature verified): %s %s %s\n",
					ev.Data.Reference, ev.Data.Severity, strconv.Quote(ev.Data.Summary))
			},
			Refused: func(status int, reason string) {
				mu.Lock()
				defer mu.Unlock()
				fmt.Fprintf(e.stderr, "the demo webhook refused a delivery with %d: %s\n", status, reason)
			},
		})
		if err != nil {
			fmt.Fprintf(e.stderr, "the demo webhook receiver stopped: %v\n", err)
		}
	}()
	stop := func(ctx context.Context) {
		cancel()
		<-done
		if err := srv.Webhooks.Remove(ctx, info.ID); err != nil {
			fmt.Fprintf(e.stderr, "remove the demo webhook %s: %v\n", info.ID, err)
		}
	}
	return endpoint, stop, nil
}

// freeLoopback returns a loopback address with a port free just now.
func freeLoopback() (string, error) {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return "", fmt.Errorf("find a port for the demo's webhook: %w", err)
	}
	defer ln.Close()
	return ln.Addr().String(), nil
}
