package webhook

import (
	"bytes"
	"context"
	"crypto/hmac"
	"io"
	"net"
	"net/http"
	"net/http/httptest"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"
)

// clock is a fake clock the sender stamps attempts with.
var clock = time.Date(2025, 6, 1, 12, 0, 0, 0, time.UTC)

func fixedNow() time.Time { return clock }

// received is what the test receiver saw of one request.
type received struct {
	method, contentType, id string
	body                    []byte
	validSigs               int // signatures that verify, each with its own secret
}

// receiver is a real HTTP server that verifies every signature on its own
// (nothing of the package) and answers by script.
type receiver struct {
	t       *testing.T
	secrets []string // whsec_ texts, in the order the sender signs
	script  []func(http.ResponseWriter, *http.Request)

	mu   sync.Mutex
	got  []received
	next int
	srv  *httptest.Server
}

func newReceiver(t *testing.T, secrets []string, script ...func(http.ResponseWriter, *http.Request)) *receiver {
	rc := &receiver{t: t, secrets: secrets, script: script}
	rc.srv = httptest.NewServer(http.HandlerFunc(rc.serve))
	t.Cleanup(rc.srv.Close)
	return rc
}

func (rc *receiver) serve(w http.ResponseWriter, r *http.Request) {
	body, _ := io.ReadAll(r.Body)
	id, ts := r.Header.Get("webhook-id"), r.Header.Get("webhook-timestamp")
	sent, err := strconv.ParseInt(ts, 10, 64)
	if err != nil || time.Unix(sent, 0).Sub(clock).Abs() > 5*time.Minute {
		rc.t.Errorf("webhook-timestamp %q is not within 5 minutes of the sender's clock", ts)
	}
	sigs := strings.Fields(r.Header.Get("webhook-signature"))
	valid := 0
	for i, secret := range rc.secrets {
		want := independentSignature(rc.t, secret, id, sent, body)
		if i < len(sigs) && hmac.Equal([]byte(sigs[i]), []byte(want)) {
			valid++
		}
	}
	rc.mu.Lock()
	rc.got = append(rc.got, received{r.Method, r.Header.Get("Content-Type"), id, body, valid})
	step := rc.next
	rc.next++
	rc.mu.Unlock()
	if step >= len(rc.script) {
		rc.t.Errorf("request %d beyond the script", step+1)
		w.WriteHeader(http.StatusTeapot)
		return
	}
	rc.script[step](w, r)
}

func (rc *receiver) requests() []received {
	rc.mu.Lock()
	defer rc.mu.Unlock()
	return append([]received(nil), rc.got...)
}

func status(code int) func(http.ResponseWriter, *http.Request) {
	return func(w http.ResponseWriter, _ *http.Request) { w.WriteHeader(code) }
}

// hang answers only after the sender has given up.
func hang(_ http.ResponseWriter, r *http.Request) { <-r.Context().Done() }

const eventBody = `{"type":"support_request.created","id":"01JEVENT","data":{"summary":"BODY-CANARY"}}`

func TestSendFollowsTheScript(t *testing.T) {
	rc := newReceiver(t, []string{rotatedSecret, vectorSecret}, status(500), hang, status(204))
	s := NewSender(300*time.Millisecond, fixedNow)
	e := Endpoint{URL: rc.srv.URL + "/hooks/support?token=URL-CANARY", AllowPrivate: true,
		Secrets: []Secret{mustSecret(t, rotatedSecret), mustSecret(t, vectorSecret)}}

	want := []Result{
		{Status: 500, Error: "receiver answered 500 Internal Server Error"},
		{Error: "no answer within 300ms"},
		{Delivered: true, Status: 204},
	}
	for i, w := range want {
		started := time.Now()
		got := s.Send(context.Background(), e, "01JEVENT", []byte(eventBody))
		if got != w {
			t.Errorf("attempt %d: %+v, want %+v", i+1, got, w)
		}
		if elapsed := time.Since(started); elapsed > 5*time.Second {
			t.Errorf("attempt %d took %s, beyond its timeout", i+1, elapsed)
		}
		for _, canary := range []string{"BODY-CANARY", "URL-CANARY", "c3VwcG9y", "cm90YXRl"} {
			if strings.Contains(got.Error, canary) {
				t.Errorf("attempt %d: the error text leaks %s: %q", i+1, canary, got.Error)
			}
		}
	}

	reqs := rc.requests()
	if len(reqs) != 3 {
		t.Fatalf("receiver saw %d requests, want 3", len(reqs))
	}
	for i, r := range reqs {
		if r.method != "POST" || r.contentType != "application/json" || r.id != "01JEVENT" || !bytes.Equal(r.body, []byte(eventBody)) {
			t.Errorf("request %d = %s %q id %q body %q", i+1, r.method, r.contentType, r.id, r.body)
		}
		if r.validSigs != 2 {
			t.Errorf("request %d: %d of 2 signatures verify", i+1, r.validSigs)
		}
	}
}

func TestSendDoesNotFollowRedirects(t *testing.T) {
	target := newReceiver(t, []string{vectorSecret})
	rc := newReceiver(t, []string{vectorSecret}, func(w http.ResponseWriter, r *http.Request) {
		http.Redirect(w, r, target.srv.URL+"/elsewhere", http.StatusTemporaryRedirect)
	})
	s := NewSender(time.Second, fixedNow)
	got := s.Send(context.Background(), Endpoint{URL: rc.srv.URL, AllowPrivate: true, Secrets: []Secret{mustSecret(t, vectorSecret)}},
		"01JEVENT", []byte(eventBody))
	if got.Delivered || got.Status != 307 || !strings.Contains(got.Error, "redirect (307) not followed") {
		t.Errorf("redirect: %+v", got)
	}
	if n := len(target.requests()); n != 0 {
		t.Errorf("the redirect target got %d requests", n)
	}
}

func TestSendReadsRetryAfter(t *testing.T) {
	rc := newReceiver(t, []string{vectorSecret},
		func(w http.ResponseWriter, _ *http.Request) {
			w.Header().Set("Retry-After", "120")
			w.WriteHeader(http.StatusServiceUnavailable)
		},
		func(w http.ResponseWriter, _ *http.Request) {
			w.Header().Set("Retry-After", clock.Add(10*time.Minute).Format(http.TimeFormat))
			w.WriteHeader(http.StatusTooManyRequests)
		},
		func(w http.ResponseWriter, _ *http.Request) {
			w.Header().Set("Retry-After", "soon")
			w.WriteHeader(http.StatusServiceUnavailable)
		},
	)
	s := NewSender(time.Second, fixedNow)
	e := Endpoint{URL: rc.srv.URL, AllowPrivate: true, Secrets: []Secret{mustSecret(t, vectorSecret)}}
	for _, want := range []time.Duration{2 * time.Minute, 10 * time.Minute, 0} {
		if got := s.Send(context.Background(), e, "01JEVENT", []byte(eventBody)); got.Delivered || got.RetryAfter != want {
			t.Errorf("Retry-After: %+v, want %s", got, want)
		}
	}
}

func TestSendRefusesLoopbackAtDialTime(t *testing.T) {
	rc := newReceiver(t, []string{vectorSecret})
	_, port, _ := net.SplitHostPort(rc.srv.Listener.Addr().String())
	s := NewSender(time.Second, fixedNow)
	secrets := []Secret{mustSecret(t, vectorSecret)}
	// Validation is skipped here on purpose: the dialer alone must refuse.
	for _, url := range []string{rc.srv.URL, "http://localhost:" + port + "/hook", "http://[::1]:" + port + "/", "http://127.0.0.2:" + port} {
		got := s.Send(context.Background(), Endpoint{URL: url, Secrets: secrets}, "01JEVENT", []byte(eventBody))
		if got.Delivered || got.Status != 0 || !strings.Contains(got.Error, "refused: ") || !strings.Contains(got.Error, "loopback") {
			t.Errorf("%s without allow-private: %+v, want a refusal", url, got)
		}
	}
	if n := len(rc.requests()); n != 0 {
		t.Errorf("the loopback receiver got %d requests", n)
	}
}

func TestSendReportsNetworkErrorsWithoutTheURL(t *testing.T) {
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	addr := l.Addr().String()
	l.Close() // nothing listens there now
	s := NewSender(time.Second, fixedNow)
	got := s.Send(context.Background(), Endpoint{URL: "http://" + addr + "/p?token=URL-CANARY", AllowPrivate: true,
		Secrets: []Secret{mustSecret(t, vectorSecret)}}, "01JEVENT", []byte(eventBody))
	if got.Delivered || got.Status != 0 || !strings.Contains(got.Error, "connection refused") || strings.Contains(got.Error, "URL-CANARY") {
		t.Errorf("closed port: %+v", got)
	}
}

func TestSendRefusesToSendUnsigned(t *testing.T) {
	rc := newReceiver(t, nil)
	s := NewSender(time.Second, fixedNow)
	for name, e := range map[string]Endpoint{
		"no secret": {URL: rc.srv.URL, AllowPrivate: true},
		"bad URL":   {URL: "http://[::1", AllowPrivate: true, Secrets: []Secret{mustSecret(t, vectorSecret)}},
	} {
		if got := s.Send(context.Background(), e, "01JEVENT", []byte(eventBody)); got.Delivered || got.Error == "" {
			t.Errorf("%s: %+v", name, got)
		}
	}
	if got := s.Send(context.Background(), Endpoint{URL: rc.srv.URL, AllowPrivate: true, Secrets: []Secret{mustSecret(t, vectorSecret)}},
		"01J.EVENT", []byte(eventBody)); got.Delivered || !strings.Contains(got.Error, "without dots") {
		t.Errorf("id with a dot: %+v", got)
	}
	if n := len(rc.requests()); n != 0 {
		t.Errorf("unsigned requests went out: %d", n)
	}
}

func TestSendHonoursTheCallersDeadline(t *testing.T) {
	rc := newReceiver(t, []string{vectorSecret}, hang)
	s := NewSender(time.Minute, fixedNow)
	ctx, cancel := context.WithTimeout(context.Background(), 200*time.Millisecond)
	defer cancel()
	started := time.Now()
	got := s.Send(ctx, Endpoint{URL: rc.srv.URL, AllowPrivate: true, Secrets: []Secret{mustSecret(t, vectorSecret)}}, "01JEVENT", []byte(eventBody))
	if got.Delivered || got.Error != "no answer within 200ms" || time.Since(started) > 10*time.Second {
		t.Errorf("caller's deadline: %+v after %s", got, time.Since(started))
	}
}
