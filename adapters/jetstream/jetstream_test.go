package jetstream

import (
	"bytes"
	"context"
	"errors"
	"log/slog"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/nats-io/nats.go"
	jsapi "github.com/nats-io/nats.go/jetstream"

	"supportdesk/core/delivery"
	"supportdesk/test/testnats"
)

const subject = delivery.SubjectPrefix + "0b8f3c1e-3c52-4a8f-b2a5-6f8f1d1f2a33"

var body = []byte(`{"type":"support_request.created","id":"01JEVENT0000000000000000001"}`)

func connect(t *testing.T, url string) *Publisher {
	t.Helper()
	p, err := Connect(Config{URL: url})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(p.Close)
	return p
}

func ctxFor(t *testing.T, d time.Duration) context.Context {
	ctx, cancel := context.WithTimeout(context.Background(), d)
	t.Cleanup(cancel)
	return ctx
}

// admin is a plain JetStream client of the test, for reading the stream
// back and changing it behind the publisher's back.
func admin(t *testing.T, url string) jsapi.JetStream {
	t.Helper()
	nc, err := nats.Connect(url)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(nc.Close)
	js, err := jsapi.New(nc)
	if err != nil {
		t.Fatal(err)
	}
	return js
}

// readAll returns every message of the stream, in order.
func readAll(t *testing.T, js jsapi.JetStream) []jsapi.Msg {
	t.Helper()
	ctx := ctxFor(t, 5*time.Second)
	s, err := js.Stream(ctx, DefaultStream)
	if err != nil {
		t.Fatal(err)
	}
	n := s.CachedInfo().State.Msgs
	c, err := s.OrderedConsumer(ctx, jsapi.OrderedConsumerConfig{})
	if err != nil {
		t.Fatal(err)
	}
	var msgs []jsapi.Msg
	for range n {
		m, err := c.Next(jsapi.FetchMaxWait(3 * time.Second))
		if err != nil {
			t.Fatalf("read message %d of %d: %v", len(msgs)+1, n, err)
		}
		msgs = append(msgs, m)
	}
	return msgs
}

func TestPublishedEventsCanBeReadBack(t *testing.T) {
	srv := testnats.Start(t)
	p := connect(t, srv.URL)
	ack, err := p.Publish(ctxFor(t, 5*time.Second), subject, "01JEVENT0000000000000000001", body)
	if err != nil {
		t.Fatal(err)
	}
	if ack.Stream != DefaultStream || ack.Sequence != 1 || ack.Duplicate {
		t.Fatalf("ack = %+v", ack)
	}

	msgs := readAll(t, admin(t, srv.URL))
	if len(msgs) != 1 {
		t.Fatalf("stream holds %d messages, want 1", len(msgs))
	}
	m := msgs[0]
	if m.Subject() != subject || !bytes.Equal(m.Data(), body) || m.Headers().Get("Nats-Msg-Id") != "01JEVENT0000000000000000001" {
		t.Fatalf("read back %s %q with Nats-Msg-Id %q", m.Subject(), m.Data(), m.Headers().Get("Nats-Msg-Id"))
	}
}

func TestTheStreamDropsADuplicate(t *testing.T) {
	srv := testnats.Start(t)
	p := connect(t, srv.URL)
	ctx := ctxFor(t, 5*time.Second)
	first, err := p.Publish(ctx, subject, "01JEVENT-A", body)
	if err != nil {
		t.Fatal(err)
	}
	again, err := p.Publish(ctx, subject, "01JEVENT-A", body)
	if err != nil {
		t.Fatal(err)
	}
	if first.Duplicate || !again.Duplicate || again.Sequence != first.Sequence {
		t.Fatalf("first %+v, again %+v: want the second dropped as a duplicate", first, again)
	}
	other, err := p.Publish(ctx, subject, "01JEVENT-B", body)
	if err != nil || other.Duplicate || other.Sequence != first.Sequence+1 {
		t.Fatalf("another event: %+v, %v", other, err)
	}
	if n := len(readAll(t, admin(t, srv.URL))); n != 2 {
		t.Fatalf("stream holds %d messages, want 2", n)
	}
}

func TestEnsureStreamDeclaresTheStream(t *testing.T) {
	srv := testnats.Start(t)
	js := admin(t, srv.URL)
	ctx := ctxFor(t, 10*time.Second)

	// Two instances start at once on an empty server.
	var wg sync.WaitGroup
	errs := make([]error, 4)
	for i := range errs {
		p := connect(t, srv.URL)
		wg.Go(func() { errs[i] = p.EnsureStream(ctx) })
	}
	wg.Wait()
	for i, err := range errs {
		if err != nil {
			t.Fatalf("instance %d: %v", i, err)
		}
	}
	s, err := js.Stream(ctx, DefaultStream)
	if err != nil {
		t.Fatal(err)
	}
	cfg := s.CachedInfo().Config
	if cfg.Storage != jsapi.FileStorage || cfg.Retention != jsapi.LimitsPolicy ||
		len(cfg.Subjects) != 1 || cfg.Subjects[0] != "supportdesk.support_request.created.>" ||
		cfg.Duplicates != DefaultDuplicates || cfg.Duplicates < 24*time.Hour || cfg.MaxAge != DefaultMaxAge {
		t.Fatalf("stream config = %+v", cfg)
	}
	// Again: nothing to do.
	if err := connect(t, srv.URL).EnsureStream(ctx); err != nil {
		t.Fatal(err)
	}
}

func TestEnsureStreamRepairsDriftAndKeepsTheOperatorsSettings(t *testing.T) {
	srv := testnats.Start(t)
	js := admin(t, srv.URL)
	ctx := ctxFor(t, 10*time.Second)
	p := connect(t, srv.URL)
	if err := p.EnsureStream(ctx); err != nil {
		t.Fatal(err)
	}

	// Someone shortens the windows and adds a subject and a byte limit.
	s, _ := js.Stream(ctx, DefaultStream)
	drifted := s.CachedInfo().Config
	drifted.Duplicates, drifted.MaxAge = time.Minute, time.Hour
	drifted.Subjects = append(drifted.Subjects, "other.events.>")
	drifted.MaxBytes = 1 << 30
	if _, err := js.UpdateStream(ctx, drifted); err != nil {
		t.Fatal(err)
	}

	if err := p.EnsureStream(ctx); err != nil {
		t.Fatal(err)
	}
	s, _ = js.Stream(ctx, DefaultStream)
	cfg := s.CachedInfo().Config
	if cfg.Duplicates != DefaultDuplicates || cfg.MaxAge != DefaultMaxAge {
		t.Errorf("windows not repaired: duplicates %s, max age %s", cfg.Duplicates, cfg.MaxAge)
	}
	if len(cfg.Subjects) != 2 || cfg.MaxBytes != 1<<30 {
		t.Errorf("the operator's settings were lost: subjects %v, max bytes %d", cfg.Subjects, cfg.MaxBytes)
	}
}

func TestEnsureStreamRefusesAStreamItCannotRepair(t *testing.T) {
	srv := testnats.Start(t)
	js := admin(t, srv.URL)
	ctx := ctxFor(t, 10*time.Second)
	if _, err := js.CreateStream(ctx, jsapi.StreamConfig{Name: DefaultStream, Subjects: []string{Subjects}, Storage: jsapi.MemoryStorage}); err != nil {
		t.Fatal(err)
	}
	p := connect(t, srv.URL)
	err := p.EnsureStream(ctx)
	if !errors.Is(err, ErrStreamDrift) || !strings.Contains(err.Error(), "Memory storage") || !strings.Contains(err.Error(), "nats stream rm SUPPORTDESK") {
		t.Fatalf("EnsureStream = %v, want a drift error saying what to do", err)
	}
	_, err = p.Publish(ctx, subject, "01JEVENT-A", body)
	if err == nil || !Retryable(err) || !errors.Is(err, ErrStreamDrift) {
		t.Fatalf("Publish = %v, want a retryable drift error", err)
	}
}

func TestPublishRefusesMessagesThatCanNeverBePublished(t *testing.T) {
	srv := testnats.Start(t)
	p := connect(t, srv.URL)
	ctx := ctxFor(t, 5*time.Second)
	for name, c := range map[string]struct {
		subject, id string
		body        []byte
	}{
		"foreign subject": {"orders.created", "01JEVENT-A", body},
		"bare prefix":     {delivery.SubjectPrefix, "01JEVENT-A", body},
		"no id":           {subject, "", body},
		"body too large":  {subject, "01JEVENT-A", bytes.Repeat([]byte("a"), 2<<20)},
	} {
		_, err := p.Publish(ctx, c.subject, c.id, c.body)
		var pe *PublishError
		if !errors.As(err, &pe) || Retryable(err) {
			t.Errorf("%s: Publish = %v, want a permanent *PublishError", name, err)
		}
	}
}

// publishUntil retries a publish, as the outbox would, until it succeeds
// or the deadline passes: for a server that is coming back.
func publishUntil(t *testing.T, p *Publisher, id string, within time.Duration) Ack {
	t.Helper()
	deadline := time.Now().Add(within)
	for {
		ack, err := p.Publish(ctxFor(t, time.Second), subject, id, body)
		if err == nil {
			return ack
		}
		if !Retryable(err) || time.Now().After(deadline) {
			t.Fatalf("publish %s: %v", id, err)
		}
		time.Sleep(50 * time.Millisecond) // waiting for the real server to reconnect
	}
}

// logBuffer collects a Publisher's log lines.
type logBuffer struct {
	mu sync.Mutex
	b  bytes.Buffer
}

func (l *logBuffer) Write(p []byte) (int, error) {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.b.Write(p)
}

func (l *logBuffer) String() string {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.b.String()
}

func TestPublishFailsRetryablyWhileNATSIsDownAndSucceedsAfterARestart(t *testing.T) {
	srv := testnats.Start(t)
	logs := &logBuffer{}
	p, err := Connect(Config{URL: srv.URL, Log: slog.New(slog.NewTextHandler(logs, nil))})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(p.Close)
	first := publishUntil(t, p, "01JEVENT-A", 5*time.Second)

	srv.Kill()
	started := time.Now()
	_, err = p.Publish(ctxFor(t, 2*time.Second), subject, "01JEVENT-B", body)
	if err == nil || !Retryable(err) {
		t.Fatalf("publish while down = %v, want a retryable error", err)
	}
	if elapsed := time.Since(started); elapsed > 2500*time.Millisecond {
		t.Fatalf("publish while down took %s, beyond its 2 s deadline", elapsed)
	}

	srv.Restart()
	second := publishUntil(t, p, "01JEVENT-B", 10*time.Second)
	if second.Duplicate || second.Sequence != first.Sequence+1 {
		t.Fatalf("after restart: %+v (first %+v)", second, first)
	}
	// The file store kept the first event and its id: a retry of it is
	// still dropped.
	if again := publishUntil(t, p, "01JEVENT-A", 5*time.Second); !again.Duplicate {
		t.Fatalf("retry of a stored event after restart: %+v, want a duplicate", again)
	}
	for _, want := range []string{"nats connected", "nats disconnected; reconnecting", "nats reconnected"} {
		if !strings.Contains(logs.String(), want) {
			t.Errorf("log lacks %q:\n%s", want, logs)
		}
	}
}

func TestPublishDeclaresADeletedStreamAgain(t *testing.T) {
	srv := testnats.Start(t)
	js := admin(t, srv.URL)
	p := connect(t, srv.URL)
	ctx := ctxFor(t, 10*time.Second)
	publishUntil(t, p, "01JEVENT-A", 5*time.Second)
	if err := js.DeleteStream(ctx, DefaultStream); err != nil {
		t.Fatal(err)
	}
	_, err := p.Publish(ctx, subject, "01JEVENT-B", body)
	if err == nil || !Retryable(err) {
		t.Fatalf("publish with the stream gone = %v, want a retryable error", err)
	}
	ack, err := p.Publish(ctx, subject, "01JEVENT-B", body)
	if err != nil || ack.Sequence != 1 {
		t.Fatalf("next publish = %+v, %v; want the stream declared again", ack, err)
	}
}

func TestConnectDoesNotWaitForADownServer(t *testing.T) {
	srv := testnats.Start(t)
	srv.Kill()

	started := time.Now()
	p := connect(t, srv.URL)
	if elapsed := time.Since(started); elapsed > time.Second {
		t.Fatalf("Connect took %s with NATS down", elapsed)
	}
	if _, err := p.Publish(ctxFor(t, time.Second), subject, "01JEVENT-A", body); err == nil || !Retryable(err) {
		t.Fatalf("publish before NATS is up = %v, want a retryable error", err)
	}
	srv.Restart()
	if ack := publishUntil(t, p, "01JEVENT-A", 10*time.Second); ack.Sequence != 1 {
		t.Fatalf("ack = %+v", ack)
	}
}

func TestConnectRefusesConfigurationsThatCannotWork(t *testing.T) {
	for name, c := range map[string]struct {
		cfg Config
		why string
	}{
		"no URL":               {Config{}, "SUPPORTDESK_NATS_URL"},
		"stream name":          {Config{URL: "nats://127.0.0.1:1", Stream: "a.b"}, "not a stream name"},
		"short window":         {Config{URL: "nats://127.0.0.1:1", Duplicates: time.Hour}, "shorter than the 24h0m0s"},
		"max age under window": {Config{URL: "nats://127.0.0.1:1", MaxAge: 25 * time.Hour}, "max age"},
		"malformed URL":        {Config{URL: "nats://[::1"}, "connect to NATS"},
	} {
		if p, err := Connect(c.cfg); err == nil || !strings.Contains(err.Error(), c.why) {
			if p != nil {
				p.Close()
			}
			t.Errorf("%s: Connect = %v, want an error saying %q", name, err, c.why)
		}
	}
}
