package httpapi_test

import (
	"context"
	"crypto/hmac"
	crand "crypto/rand"
	"crypto/sha256"
	"encoding/base64"
	"encoding/json"
	"io"
	"log/slog"
	"math/rand/v2"
	"net/http"
	"net/http/httptest"
	"slices"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/google/uuid"
	"github.com/nats-io/nats.go"
	jsapi "github.com/nats-io/nats.go/jetstream"

	"supportdesk/adapters/gormstore"
	"supportdesk/adapters/jetstream"
	"supportdesk/adapters/system"
	"supportdesk/adapters/webhook"
	"supportdesk/core/delivery"
	"supportdesk/core/reference"
	"supportdesk/core/relay"
	"supportdesk/ports"
	"supportdesk/test/testdb"
	"supportdesk/test/testnats"
)

// settableClock is the relays' clock: a test moves it, never sleeps.
type settableClock struct {
	mu  sync.Mutex
	now time.Time
}

func (c *settableClock) Now() time.Time {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.now
}

func (c *settableClock) advance(d time.Duration) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.now = c.now.Add(d)
}

// receiver is a webhook endpoint of the test. It checks every signature
// on its own — HMAC-SHA256 over id.timestamp.body, compared in constant
// time, the timestamp within 5 minutes of its clock — and answers each
// event's n-th attempt as script(n) says: a status, or 0 to hang until
// the sender gives up.
type receiver struct {
	key    []byte
	now    func() time.Time
	script func(attempt int) int
	srv    *httptest.Server

	mu       sync.Mutex
	attempts map[string]int    // by webhook-id
	bodies   map[string][]byte // the last verified body of each id
	inFlight map[string]int    // attempts of an id being answered now
	overlaps int               // attempts that came while one of the same id was in flight
	bad      []string
}

func newReceiver(t *testing.T, secret webhook.Secret, now func() time.Time, script func(int) int) *receiver {
	t.Helper()
	key, err := base64.StdEncoding.DecodeString(strings.TrimPrefix(secret.Encode(), webhook.SecretPrefix))
	if err != nil {
		t.Fatal(err)
	}
	rc := &receiver{key: key, now: now, script: script,
		attempts: map[string]int{}, bodies: map[string][]byte{}, inFlight: map[string]int{}}
	rc.srv = httptest.NewServer(http.HandlerFunc(rc.serve))
	t.Cleanup(rc.srv.Close)
	return rc
}

func (rc *receiver) serve(w http.ResponseWriter, r *http.Request) {
	body, _ := io.ReadAll(io.LimitReader(r.Body, 1<<20))
	id, ts := r.Header.Get("webhook-id"), r.Header.Get("webhook-timestamp")
	if !rc.verified(id, ts, r.Header.Get("webhook-signature"), body) {
		rc.mu.Lock()
		rc.bad = append(rc.bad, id)
		rc.mu.Unlock()
		http.Error(w, "bad signature", http.StatusBadRequest)
		return
	}
	rc.mu.Lock()
	rc.attempts[id]++
	n := rc.attempts[id]
	rc.bodies[id] = body
	if rc.inFlight[id] > 0 {
		rc.overlaps++
	}
	rc.inFlight[id]++
	rc.mu.Unlock()
	defer func() {
		rc.mu.Lock()
		rc.inFlight[id]--
		rc.mu.Unlock()
	}()
	status := rc.script(n)
	if status == 0 {
		<-r.Context().Done() // the sender's timeout ends it
		return
	}
	w.WriteHeader(status)
}

func (rc *receiver) verified(id, ts, header string, body []byte) bool {
	sec, err := strconv.ParseInt(ts, 10, 64)
	if err != nil || id == "" {
		return false
	}
	if d := rc.now().Sub(time.Unix(sec, 0)); d > 5*time.Minute || d < -5*time.Minute {
		return false
	}
	mac := hmac.New(sha256.New, rc.key)
	mac.Write([]byte(id + "." + ts + "."))
	mac.Write(body)
	want := mac.Sum(nil)
	for _, sig := range strings.Fields(header) {
		v, ok := strings.CutPrefix(sig, "v1,")
		got, err := base64.StdEncoding.DecodeString(v)
		if ok && err == nil && hmac.Equal(got, want) {
			return true
		}
	}
	return false
}

func (rc *receiver) count(id string) int {
	rc.mu.Lock()
	defer rc.mu.Unlock()
	return rc.attempts[id]
}

// deliveryWorld is a loaded database with a server, a box for secrets
// and the parts a relay needs.
type deliveryWorld struct {
	db    *gormstore.DB
	s     *server
	b     basic
	box   *webhook.Box
	clock *settableClock
	hooks *gormstore.Webhooks
}

func newDeliveryWorld(t *testing.T, db *gormstore.DB) *deliveryWorld {
	w := newWorld()
	b := newBasic(w)
	w.load(t, db)
	key := make([]byte, webhook.KeyBytes)
	if _, err := crand.Read(key); err != nil {
		t.Fatal(err)
	}
	box, err := webhook.NewBox(key)
	if err != nil {
		t.Fatal(err)
	}
	return &deliveryWorld{db: db, s: newServer(t, db), b: b, box: box,
		clock: &settableClock{now: time.Now().UTC().Truncate(time.Second)}, hooks: gormstore.NewWebhooks(db)}
}

// addWebhook registers url with a fresh secret, as webhook add does.
func (dw *deliveryWorld) addWebhook(t *testing.T, url string) (string, webhook.Secret) {
	t.Helper()
	secret, err := webhook.NewSecret()
	if err != nil {
		t.Fatal(err)
	}
	return dw.addWebhookWith(t, url, secret)
}

// relayConfig is a relay on the world's clock with a fixed jitter source
// and webhook attempts that time out after 300 ms.
func (dw *deliveryWorld) relayConfig(owner string) relay.Config {
	return relay.Config{
		Outbox: gormstore.NewOutbox(dw.db), Webhooks: dw.hooks,
		Requests: gormstore.NewRequests(dw.db), Directory: gormstore.NewDirectory(dw.db),
		Webhook: webhook.NewTransport(dw.hooks, dw.box, webhook.NewSender(300*time.Millisecond, dw.clock.Now), dw.clock.Now),
		Clock:   dw.clock, Random: rand.New(rand.NewPCG(1, 2)), Owner: owner,
	}
}

// relay returns the relay of relayConfig with these parts.
func (dw *deliveryWorld) relay(t *testing.T, owner string, nats ports.Transport, p delivery.Policy, observe func(string, string)) *relay.Relay {
	t.Helper()
	cfg := dw.relayConfig(owner)
	cfg.NATS, cfg.Policy, cfg.Observe = nats, p, observe
	return newRelay(t, cfg)
}

func newRelay(t *testing.T, cfg relay.Config) *relay.Relay {
	t.Helper()
	r, err := relay.New(cfg)
	if err != nil {
		t.Fatal(err)
	}
	return r
}

// create makes a request through the API and returns its reference.
func (dw *deliveryWorld) create(t *testing.T, summary string) string {
	t.Helper()
	return createdOf(t, dw.s.post(t, "/v1/tenants/"+dw.b.tenant+"/support-requests", dw.b.roles["owner"].token,
		obj(sev, m("summary", summary)))).Reference
}

func step(t *testing.T, r *relay.Relay) int {
	t.Helper()
	n, err := r.Step(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	return n
}

// deliveriesOf lists the deliveries of ref's event by destination as the
// operator sees it: "nats", or "webhook " and the endpoint's URL.
func deliveriesOf(t *testing.T, db *gormstore.DB, ref string) map[string]ports.DeliveryListing {
	t.Helper()
	list, err := gormstore.NewDeliveries(db).List(context.Background(), ports.DeliveryFilter{Reference: ref})
	if err != nil {
		t.Fatal(err)
	}
	out := map[string]ports.DeliveryListing{}
	for _, d := range list {
		out[d.Destination] = d
	}
	return out
}

// TestDeliveryToTheStreamAndAWebhook: each request's event reaches the
// real NATS stream once and a real webhook receiver after a 500 and a
// timeout, retried on the relay's clock; the receiver verifies every
// signature itself.
func TestDeliveryToTheStreamAndAWebhook(t *testing.T) {
	forEachEngine(t, func(t *testing.T, db *gormstore.DB) {
		dw := newDeliveryWorld(t, db)
		nsrv := testnats.Start(t)
		pub, err := jetstream.Connect(jetstream.Config{URL: nsrv.URL})
		if err != nil {
			t.Fatal(err)
		}
		t.Cleanup(pub.Close)
		secret, _ := webhook.NewSecret()
		rc := newReceiver(t, secret, dw.clock.Now, func(n int) int { return [...]int{http.StatusInternalServerError, 0, http.StatusNoContent}[min(n, 3)-1] })
		dw.addWebhookWith(t, rc.srv.URL, secret)
		observed := map[string]int{}
		var mu sync.Mutex
		r := dw.relay(t, "relay-a", pub, delivery.DefaultPolicy, func(dest, result string) {
			mu.Lock()
			observed[dest+" "+result]++
			mu.Unlock()
		})
		refs := []string{dw.create(t, "Backups fail"), dw.create(t, "Sync is slow")}
		hook := "webhook " + rc.srv.URL

		if n := step(t, r); n != 4 {
			t.Fatalf("first round claimed %d deliveries, want 2 events × 2 destinations", n)
		}
		for _, ref := range refs {
			d := deliveriesOf(t, db, ref)
			if d[ports.DestinationNATS].State != "delivered" || d[hook].State != "pending" || d[hook].Attempts != 1 {
				t.Fatalf("%s after one round: %+v", ref, d)
			}
		}
		if n := step(t, r); n != 0 {
			t.Fatalf("a round before the retry is due claimed %d", n)
		}
		// The second attempt hangs until the sender's timeout, the third
		// is answered 204.
		for range 2 {
			dw.clock.advance(delivery.DefaultPolicy.Ceiling(3) + time.Second)
			step(t, r)
		}
		for _, ref := range refs {
			d := deliveriesOf(t, db, ref)[hook]
			if d.State != "delivered" || d.Attempts != 3 {
				t.Errorf("%s: webhook delivery %+v, want delivered on the third attempt", ref, d)
			}
		}
		if len(rc.bad) > 0 || rc.overlaps > 0 {
			t.Errorf("receiver saw %d bad signatures and %d overlapping attempts", len(rc.bad), rc.overlaps)
		}
		if observed["nats delivered"] != 2 || observed["webhook failed"] != 4 || observed["webhook delivered"] != 2 {
			t.Errorf("observed %v", observed)
		}

		// The stream holds each event once, with its id as Nats-Msg-Id,
		// on the workspace's subject; the body is the webhook's.
		msgs := readStream(t, nsrv.URL)
		if len(msgs) != 2 {
			t.Fatalf("stream holds %d messages, want 2", len(msgs))
		}
		for _, m := range msgs {
			var ev struct {
				Type string
				ID   string
				Data struct{ Reference, WorkspaceID string }
			}
			if err := json.Unmarshal(m.Data(), &ev); err != nil {
				t.Fatal(err)
			}
			if m.Headers().Get("Nats-Msg-Id") != ev.ID || m.Subject() != delivery.SubjectPrefix+dw.b.workspace ||
				ev.Type != "support_request.created" || string(rc.bodies[ev.ID]) != string(m.Data()) {
				t.Errorf("message %s on %s: %s", m.Headers().Get("Nats-Msg-Id"), m.Subject(), m.Data())
			}
			// A repeat of the same event is dropped by the stream.
			ack, err := pub.Publish(context.Background(), m.Subject(), ev.ID, m.Data())
			if err != nil || !ack.Duplicate {
				t.Errorf("a repeated publish of %s: %+v, %v", ev.ID, ack, err)
			}
		}
		if n := len(readStream(t, nsrv.URL)); n != 2 {
			t.Errorf("after repeats the stream holds %d messages", n)
		}
	})
}

// readStream returns every message of the service's stream.
func readStream(t *testing.T, url string) []jsapi.Msg {
	t.Helper()
	nc, err := nats.Connect(url)
	if err != nil {
		t.Fatal(err)
	}
	defer nc.Close()
	js, err := jsapi.New(nc)
	if err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	s, err := js.Stream(ctx, jetstream.DefaultStream)
	if err != nil {
		t.Fatal(err)
	}
	c, err := s.OrderedConsumer(ctx, jsapi.OrderedConsumerConfig{})
	if err != nil {
		t.Fatal(err)
	}
	var msgs []jsapi.Msg
	for range s.CachedInfo().State.Msgs {
		m, err := c.Next(jsapi.FetchMaxWait(3 * time.Second))
		if err != nil {
			t.Fatal(err)
		}
		msgs = append(msgs, m)
	}
	return msgs
}

// TestADeliveryDiesAfterItsLastAttempt: an endpoint that always fails is
// retried until MaxAge after the first attempt, then dead and listed; a
// removed endpoint's delivery is dead at once; a retry makes a dead one
// due again.
func TestADeliveryDiesAfterItsLastAttempt(t *testing.T) {
	forEachEngine(t, func(t *testing.T, db *gormstore.DB) {
		dw := newDeliveryWorld(t, db)
		secret, _ := webhook.NewSecret()
		failing := newReceiver(t, secret, dw.clock.Now, func(int) int { return http.StatusServiceUnavailable })
		liveURL, goneURL := failing.srv.URL+"/live", failing.srv.URL+"/gone"
		dw.addWebhookWith(t, liveURL, secret)
		gone, _ := dw.addWebhook(t, goneURL)
		p := delivery.Policy{Base: time.Second, Cap: 4 * time.Second, MaxAge: 30 * time.Second}
		r := dw.relay(t, "relay-a", nil, p, nil)
		ref := dw.create(t, "Exports stopped")
		first := dw.clock.Now()
		step(t, r)
		// Removed after its first attempt: the next one ends it.
		if err := dw.hooks.RemoveWebhook(context.Background(), gone, dw.clock.Now()); err != nil {
			t.Fatal(err)
		}
		for i := 0; i < 100 && deliveriesOf(t, db, ref)["webhook "+liveURL].State == "pending"; i++ {
			dw.clock.advance(p.Cap)
			step(t, r)
		}
		d := deliveriesOf(t, db, ref)
		live, removed := d["webhook "+liveURL], d["webhook "+goneURL]
		if live.State != "dead" || !strings.Contains(live.LastError, "503") || dw.clock.Now().Before(first.Add(p.MaxAge)) {
			t.Fatalf("failing endpoint: %+v at %s after the first attempt", live, dw.clock.Now().Sub(first))
		}
		if failing.count(eventOf(t, db, ref)) != live.Attempts || live.Attempts < 8 {
			t.Errorf("receiver saw %d attempts, the delivery records %d", failing.count(eventOf(t, db, ref)), live.Attempts)
		}
		if removed.State != "dead" || removed.Attempts != 2 || removed.LastError != "the endpoint was removed" {
			t.Errorf("removed endpoint: %+v", removed)
		}
		dead, err := gormstore.NewDeliveries(db).List(context.Background(), ports.DeliveryFilter{Dead: true})
		if err != nil || len(dead) != 2 {
			t.Fatalf("dead list: %d, %v", len(dead), err)
		}
		if err := gormstore.NewDeliveries(db).Retry(context.Background(), live.ID, dw.clock.Now()); err != nil {
			t.Fatal(err)
		}
		if n := step(t, r); n != 1 {
			t.Errorf("a retried dead delivery: %d claimed", n)
		}
	})
}

// addWebhookWith registers url with a given secret.
func (dw *deliveryWorld) addWebhookWith(t *testing.T, url string, secret webhook.Secret) (string, webhook.Secret) {
	t.Helper()
	id := uuid.NewString()
	sealed, err := webhook.SealSecret(dw.box, id, secret)
	if err != nil {
		t.Fatal(err)
	}
	if err := dw.hooks.AddWebhook(context.Background(), ports.Webhook{ID: id, URL: url, AllowPrivate: true, Secret: sealed, CreatedAt: dw.clock.Now()}); err != nil {
		t.Fatal(err)
	}
	return id, secret
}

// eventOf returns the id of ref's event.
func eventOf(t *testing.T, db *gormstore.DB, ref string) string {
	t.Helper()
	for _, d := range deliveriesOf(t, db, ref) {
		return d.EventID
	}
	t.Fatalf("%s has no deliveries", ref)
	return ""
}

// TestRelaysShareTheWork: two relays making rounds at the same time over
// the same events deliver each event once, never two attempts of one at
// once.
func TestRelaysShareTheWork(t *testing.T) {
	forEachEngine(t, func(t *testing.T, db *gormstore.DB) {
		dw := newDeliveryWorld(t, db)
		secret, _ := webhook.NewSecret()
		rc := newReceiver(t, secret, dw.clock.Now, func(int) int { return http.StatusOK })
		dw.addWebhookWith(t, rc.srv.URL, secret)
		const n = 40
		for i := range n {
			dw.create(t, "Request "+strconv.Itoa(i))
		}
		relays := []*relay.Relay{dw.relay(t, "relay-a", nil, delivery.DefaultPolicy, nil), dw.relay(t, "relay-b", nil, delivery.DefaultPolicy, nil)}
		claimed := make([]int, len(relays))
		var wg sync.WaitGroup
		for i, r := range relays {
			wg.Go(func() {
				for {
					k, err := r.Step(context.Background())
					if err != nil {
						t.Error(err)
						return
					}
					if k == 0 {
						return
					}
					claimed[i] += k
				}
			})
		}
		wg.Wait()
		rc.mu.Lock()
		defer rc.mu.Unlock()
		if len(rc.attempts) != n || rc.overlaps != 0 || claimed[0]+claimed[1] != n {
			t.Fatalf("%d events reached the receiver, %d overlapping; relays claimed %v", len(rc.attempts), rc.overlaps, claimed)
		}
		for id, k := range rc.attempts {
			if k != 1 {
				t.Errorf("event %s delivered %d times", id, k)
			}
		}
		t.Logf("relays claimed %v of %d deliveries", claimed, n)
	})
}

// TestRunIsWokenByNewEvents: a running relay whose poll interval is a
// minute delivers each new request within moments — woken by its own
// process's creations, and on PostgreSQL by the NOTIFY of another process
// without a relay (the CLI) — and gives back its leases when it stops.
func TestRunIsWokenByNewEvents(t *testing.T) {
	for _, e := range testdb.Engines() {
		t.Run(e.Name, func(t *testing.T) {
			url := engineURL(t, e.Name)
			db := openWith(t, url, gormstore.Options{RelayHere: true})
			dw := newDeliveryWorld(t, db)
			secret, _ := webhook.NewSecret()
			rc := newReceiver(t, secret, time.Now, func(int) int { return http.StatusOK })
			dw.addWebhookWith(t, rc.srv.URL, secret)
			cfg := dw.relayConfig("relay-run")
			cfg.Clock, cfg.Poll = system.Clock{}, time.Minute
			cfg.Webhook = webhook.NewTransport(dw.hooks, dw.box, webhook.NewSender(5*time.Second, nil), nil)
			cfg.Wakeups = gormstore.NewWakeups(db, slog.New(slog.DiscardHandler))
			r := newRelay(t, cfg)
			ctx, cancel := context.WithCancel(context.Background())
			done := make(chan struct{})
			go func() {
				defer close(done)
				r.Run(ctx)
			}()
			creators := map[string]*server{"this process": dw.s}
			if e.Name == string(gormstore.Postgres) {
				creators["another process"] = newServer(t, openWith(t, url, gormstore.Options{}))
			}
			for who, s := range creators {
				const n = 10
				var refs []string
				for i := range n {
					refs = append(refs, createdOf(t, s.post(t, "/v1/tenants/"+dw.b.tenant+"/support-requests", dw.b.roles["owner"].token,
						obj(sev, m("summary", "Request "+strconv.Itoa(i))))).Reference)
				}
				delays := waitDelivered(t, db, "webhook "+rc.srv.URL, refs)
				t.Logf("created by %s: delivery delay of %d requests: median %v, max %v", who, n, delays[n/2], delays[n-1])
			}
			cancel()
			<-done
			var held int64
			if err := db.SQL().QueryRow(`SELECT count(*) FROM deliveries WHERE lease_owner IS NOT NULL`).Scan(&held); err != nil || held != 0 {
				t.Errorf("after stopping, %d leases are held (%v)", held, err)
			}
		})
	}
}

// openWith opens url with o and closes it in cleanup.
func openWith(t *testing.T, url string, o gormstore.Options) *gormstore.DB {
	t.Helper()
	db, err := gormstore.OpenWith(context.Background(), url, o)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = db.Close() })
	return db
}

// waitDelivered waits until every ref's delivery to dest is delivered —
// well within the relay's one-minute poll — and returns the delays from
// creation to delivery, sorted.
func waitDelivered(t *testing.T, db *gormstore.DB, dest string, refs []string) []time.Duration {
	t.Helper()
	var delays []time.Duration
	deadline := time.Now().Add(30 * time.Second)
	for _, ref := range refs {
		for {
			d := deliveriesOf(t, db, ref)[dest]
			if d.State == "delivered" {
				delays = append(delays, d.DeliveredAt.Sub(createdAt(t, db, ref)))
				break
			}
			if time.Now().After(deadline) {
				t.Fatalf("%s not delivered within 30 s (the poll interval is a minute): %+v", ref, d)
			}
			time.Sleep(20 * time.Millisecond) // waiting for the relay, not timing it
		}
	}
	slices.Sort(delays)
	return delays
}

// createdAt returns when ref was stored.
func createdAt(t *testing.T, db *gormstore.DB, ref string) time.Time {
	t.Helper()
	r, err := gormstore.NewRequests(db).Get(context.Background(), reference.Reference(ref))
	if err != nil {
		t.Fatal(err)
	}
	return r.CreatedAt()
}
