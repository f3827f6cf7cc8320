package webhook

import (
	"bytes"
	"context"
	"errors"
	"net/http"
	"net/http/httptest"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"
)

// listener is the Receiver behind a real HTTP server, collecting what it
// hands over.
type listener struct {
	mu   sync.Mutex
	got  []Message
	fail bool
	srv  *httptest.Server
}

func newListener(t *testing.T, secrets ...string) *listener {
	t.Helper()
	l := &listener{}
	var ss []Secret
	for _, s := range secrets {
		ss = append(ss, mustSecret(t, s))
	}
	rc, err := NewReceiver(ss, fixedNow, func(m Message) error {
		l.mu.Lock()
		defer l.mu.Unlock()
		if l.fail {
			return errors.New("disk full")
		}
		l.got = append(l.got, m)
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	l.srv = httptest.NewServer(rc)
	t.Cleanup(l.srv.Close)
	return l
}

func (l *listener) messages() []Message {
	l.mu.Lock()
	defer l.mu.Unlock()
	return append([]Message(nil), l.got...)
}

func post(t *testing.T, url string, h http.Header, body []byte) int {
	t.Helper()
	req, err := http.NewRequest(http.MethodPost, url, bytes.NewReader(body))
	if err != nil {
		t.Fatal(err)
	}
	for k, v := range h {
		req.Header[k] = v
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	return resp.StatusCode
}

func TestReceiverAnswers(t *testing.T) {
	l := newListener(t, rotatedSecret, vectorSecret)
	body := []byte(eventBody)
	ts := strconv.FormatInt(clock.Unix(), 10)
	signed := func(secret string, at time.Time) http.Header {
		return headers("01JEVENT", strconv.FormatInt(at.Unix(), 10), independentSignature(t, secret, "01JEVENT", at.Unix(), body))
	}
	stranger, _ := NewSecret()
	cases := []struct {
		name string
		h    http.Header
		body []byte
		want int
	}{
		{"signed with the new secret", signed(rotatedSecret, clock), body, 204},
		{"signed with the old secret", signed(vectorSecret, clock), body, 204},
		{"4 minutes old", signed(vectorSecret, clock.Add(-4*time.Minute)), body, 204},
		{"6 minutes old", signed(vectorSecret, clock.Add(-6*time.Minute)), body, 400},
		{"6 minutes ahead", signed(vectorSecret, clock.Add(6*time.Minute)), body, 400},
		{"timestamp not a number", headers("01JEVENT", "yesterday", "v1,AAAA"), body, 400},
		{"no id", headers("", ts, "v1,AAAA"), body, 400},
		{"no signature", headers("01JEVENT", ts, ""), body, 400},
		{"unknown secret", signed(stranger.Encode(), clock), body, 401},
		{"tampered body", signed(vectorSecret, clock), append([]byte(eventBody), '\n'), 401},
		{"garbage signature", headers("01JEVENT", ts, "v1,AAAA"), body, 401},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			before := len(l.messages())
			if got := post(t, l.srv.URL, c.h, c.body); got != c.want {
				t.Fatalf("status %d, want %d", got, c.want)
			}
			handed := len(l.messages()) - before
			if (c.want == 204) != (handed == 1) {
				t.Fatalf("%d messages handed to the callback", handed)
			}
		})
	}
	if m := l.messages()[0]; m.ID != "01JEVENT" || !m.Timestamp.Equal(clock) || string(m.Body) != eventBody {
		t.Errorf("callback got %+v", m)
	}
}

func TestReceiverRefusesOtherMethodsBigBodiesAndReportsCallbackFailure(t *testing.T) {
	l := newListener(t, vectorSecret)
	resp, err := http.Get(l.srv.URL)
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if resp.StatusCode != 405 || resp.Header.Get("Allow") != "POST" {
		t.Errorf("GET: %d, Allow %q", resp.StatusCode, resp.Header.Get("Allow"))
	}

	big := bytes.Repeat([]byte("a"), MaxReceivedBody+1)
	if got := post(t, l.srv.URL, headers("01JEVENT", strconv.FormatInt(clock.Unix(), 10), "v1,AAAA"), big); got != 413 {
		t.Errorf("big body: %d, want 413", got)
	}

	l.mu.Lock()
	l.fail = true
	l.mu.Unlock()
	h := http.Header{}
	if err := SetHeaders(h, Message{ID: "01JEVENT", Timestamp: clock, Body: []byte(eventBody)}, mustSecret(t, vectorSecret)); err != nil {
		t.Fatal(err)
	}
	if got := post(t, l.srv.URL, h, []byte(eventBody)); got != 500 {
		t.Errorf("failing callback: %d, want 500", got)
	}
}

func TestNewReceiverNeedsSecretsAndACallback(t *testing.T) {
	if _, err := NewReceiver(nil, nil, func(Message) error { return nil }); err == nil || !strings.Contains(err.Error(), "no secret") {
		t.Errorf("no secrets: %v", err)
	}
	if _, err := NewReceiver([]Secret{mustSecret(t, vectorSecret)}, nil, nil); err == nil {
		t.Error("no callback: no error")
	}
}

func TestSenderAndReceiverAgree(t *testing.T) {
	l := newListener(t, vectorSecret)
	s := NewSender(time.Second, fixedNow)
	// During a rotation the sender signs with the new secret first; a
	// receiver that still knows only the old one accepts.
	newer, _ := NewSecret()
	got := s.Send(context.Background(), Endpoint{URL: l.srv.URL, AllowPrivate: true, Secrets: []Secret{newer, mustSecret(t, vectorSecret)}},
		"01JEVENT", []byte(eventBody))
	if !got.Delivered || got.Status != 204 {
		t.Fatalf("Send to Receiver: %+v", got)
	}
	if ms := l.messages(); len(ms) != 1 || string(ms[0].Body) != eventBody {
		t.Fatalf("receiver got %v", ms)
	}
}
