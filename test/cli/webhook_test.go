package cli_test

import (
	"bytes"
	"context"
	"crypto/rand"
	"encoding/base64"
	"errors"
	"io"
	"io/fs"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"

	"supportdesk/adapters/cli"
	"supportdesk/adapters/webhook"
	"supportdesk/bootstrap"
)

// setSecretKey gives the commands of the test a fresh SUPPORTDESK_SECRET_KEY.
func setSecretKey(t *testing.T) {
	t.Helper()
	key := make([]byte, webhook.KeyBytes)
	if _, err := rand.Read(key); err != nil {
		t.Fatal(err)
	}
	t.Setenv(webhook.KeyEnv, base64.StdEncoding.EncodeToString(key))
}

var addedWebhook = regexp.MustCompile(`^added webhook ([0-9a-f-]{36}) for (\S+)\nsecret: (whsec_\S+)\n` +
	`This secret will not be shown again: give it to the receiver now \(only an encrypted copy is stored\)\.\n$`)

// addWebhook runs `webhook add` and returns the endpoint's id and secret.
func (d *desk) addWebhook(t *testing.T, args ...string) (id, secret string) {
	t.Helper()
	r := d.run(t, append([]string{"webhook", "add"}, args...)...).ok(t)
	m := addedWebhook.FindStringSubmatch(r.stdout)
	if m == nil {
		t.Fatalf("webhook add printed %q", r.stdout)
	}
	if _, err := webhook.ParseSecret(m[3]); err != nil {
		t.Fatalf("webhook add printed a secret that does not parse: %v", err)
	}
	return m[1], m[3]
}

// webhookRows counts the endpoints stored, removed ones included.
func (d *desk) webhookRows(t *testing.T) int64 {
	t.Helper()
	var n int64
	if err := d.sql(t).Gorm().Table("webhooks").Count(&n).Error; err != nil {
		t.Fatal(err)
	}
	return n
}

func TestWebhookCommands(t *testing.T) {
	forEachEngine(t, func(t *testing.T, e engine) {
		d := emptyDesk(t, e)
		const hook = "https://203.0.113.10/hooks/support"

		t.Setenv(webhook.KeyEnv, "")
		d.run(t, "webhook", "add", hook).failsWith(t, cli.ExitFailure, webhook.KeyEnv+" is not set", "openssl rand -base64 32")
		if n := d.webhookRows(t); n != 0 {
			t.Fatalf("webhook add without a key stored %d endpoints", n)
		}
		t.Setenv(webhook.KeyEnv, "not a key")
		d.run(t, "webhook", "list").failsWith(t, cli.ExitFailure, webhook.KeyEnv, "not standard base64")

		setSecretKey(t)
		id, secret := d.addWebhook(t, hook)

		for _, u := range []string{
			"http://127.0.0.1:8787/", "https://10.0.0.1/hook", "http://169.254.169.254/latest/meta-data/",
			"http://[::1]:8787/", "http://localhost:8787/",
		} {
			d.run(t, "webhook", "add", u).failsWith(t, cli.ExitFailure, "webhook URL refused", "--allow-private")
		}
		d.run(t, "webhook", "add", "ftp://203.0.113.10/").failsWith(t, cli.ExitFailure, "scheme must be http or https")
		d.run(t, "webhook", "add", "https://user:pw@203.0.113.10/").failsWith(t, cli.ExitFailure, "user info")
		d.run(t, "webhook", "add").fails(t, cli.ExitUsage, "supportdesk: webhook add needs exactly one URL\n")
		if n := d.webhookRows(t); n != 1 {
			t.Fatalf("refused URLs stored endpoints: %d rows, want 1", n)
		}
		local, _ := d.addWebhook(t, "http://localhost:8787/", "--allow-private")

		list := d.run(t, "webhook", "list").ok(t)
		if !regexp.MustCompile(`(?m)^`+id+`  `+regexp.QuoteMeta(hook)+`\s+no\s+\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ\s+-$`).MatchString(list.stdout) ||
			!regexp.MustCompile(`(?m)^`+local+`  http://localhost:8787/\s+allowed\s`).MatchString(list.stdout) {
			t.Errorf("webhook list:\n%s", list.stdout)
		}
		var stored string
		if err := d.sql(t).Gorm().Raw("SELECT secret FROM webhooks WHERE id = ?", id).Scan(&stored).Error; err != nil {
			t.Fatal(err)
		}
		if strings.Contains(stored, strings.TrimPrefix(secret, webhook.SecretPrefix)) || !strings.HasPrefix(stored, "v1:") {
			t.Fatalf("the secret is stored in clear: %q", stored)
		}

		r := d.run(t, "webhook", "rotate", id).ok(t)
		rotated := regexp.MustCompile(`^rotated the secret of webhook ` + id + ` \(` + regexp.QuoteMeta(hook) + `\)\nsecret: (whsec_\S+)\n` +
			`The old secret keeps signing beside it until (\S+) \(grace 24h0m0s\)\.\nThis secret will not be shown again`).FindStringSubmatch(r.stdout)
		if rotated == nil || rotated[1] == secret {
			t.Fatalf("webhook rotate printed %q", r.stdout)
		}
		until, err := time.Parse(time.RFC3339, rotated[2])
		if err != nil || until.Sub(time.Now()) < 23*time.Hour || until.Sub(time.Now()) > 25*time.Hour {
			t.Errorf("grace ends %v, %v; want in 24 h", until, err)
		}
		list = d.run(t, "webhook", "list").ok(t)
		if !strings.Contains(list.stdout, rotated[2]) {
			t.Errorf("webhook list does not show the end of the grace %s:\n%s", rotated[2], list.stdout)
		}
		for _, s := range []string{secret, rotated[1], "whsec_", "v1:"} {
			if strings.Contains(list.stdout, s) {
				t.Errorf("webhook list shows %q:\n%s", s, list.stdout)
			}
		}
		r = d.run(t, "webhook", "rotate", id, "--grace", "1h").ok(t)
		if !strings.Contains(r.stdout, "(grace 1h0m0s)") {
			t.Errorf("webhook rotate --grace 1h printed %q", r.stdout)
		}
		d.run(t, "webhook", "rotate", id, "--grace", "-1h").fails(t, cli.ExitUsage, "supportdesk: --grace must be a positive duration such as 1h or 24h\n")
		d.run(t, "webhook", "rotate", id, "--grace", "soon").failsWith(t, cli.ExitUsage, "--grace")
		d.run(t, "webhook", "rotate", missingID).
			fails(t, cli.ExitFailure, "supportdesk: no webhook with id \""+missingID+"\" (see `supportdesk webhook list`)\n")

		d.run(t, "webhook", "remove", id).ok(t, "removed webhook "+id+": nothing more is delivered to it\n")
		d.run(t, "webhook", "remove", id).
			fails(t, cli.ExitFailure, "supportdesk: no webhook with id \""+id+"\" (see `supportdesk webhook list`)\n")
		d.run(t, "webhook", "remove", "not-an-id").
			fails(t, cli.ExitFailure, "supportdesk: no webhook with id \"not-an-id\" (see `supportdesk webhook list`)\n")
		d.run(t, "webhook", "remove").fails(t, cli.ExitUsage, "supportdesk: webhook remove needs exactly one webhook id\n")
		if list := d.run(t, "webhook", "list").ok(t); strings.Contains(list.stdout, id) || !strings.Contains(list.stdout, local) {
			t.Errorf("webhook list after remove:\n%s", list.stdout)
		}
		d.run(t, "webhook", "remove", local).ok(t)
		r = d.run(t, "webhook", "list")
		if r.code != 0 || r.stdout != "" || r.stderr != "no webhooks; add one with: supportdesk webhook add URL\n" {
			t.Errorf("webhook list of none: %s", r)
		}
	})
}

// lines is an io.Writer that hands each complete line written to it to a
// channel, for a test following a command that runs in the background.
type lines struct {
	mu      sync.Mutex
	partial []byte
	c       chan string
}

func newLines() *lines { return &lines{c: make(chan string, 100)} }

func (l *lines) Write(b []byte) (int, error) {
	l.mu.Lock()
	defer l.mu.Unlock()
	l.partial = append(l.partial, b...)
	for {
		i := bytes.IndexByte(l.partial, '\n')
		if i < 0 {
			return len(b), nil
		}
		l.c <- string(l.partial[:i])
		l.partial = l.partial[i+1:]
	}
}

// next returns the next line, failing the test if none comes in time.
func (l *lines) next(t *testing.T) string {
	t.Helper()
	select {
	case s := <-l.c:
		return s
	case <-time.After(10 * time.Second):
		t.Fatal("no line written within 10 s")
		return ""
	}
}

func TestWebhookListen(t *testing.T) {
	secret, err := webhook.NewSecret()
	if err != nil {
		t.Fatal(err)
	}
	other, _ := webhook.NewSecret()
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	stdout, stderr := newLines(), newLines()
	code := make(chan int, 1)
	go func() {
		// No --database-url and no database: listen needs none.
		code <- cli.Run(ctx, bootstrap.NewCommands(io.Discard),
			[]string{"webhook", "listen", "--addr", "127.0.0.1:0", "--secret", secret.Encode(), "--body"}, stdout, stderr)
	}()
	m := regexp.MustCompile(`^listening for webhooks on (http://127\.0\.0\.1:\d+/) until interrupted \(Ctrl-C\)$`).FindStringSubmatch(stderr.next(t))
	if m == nil {
		t.Fatal("listen did not say where it listens")
	}
	url := m[1]

	const ref = "SR-01JF3Q9W8Z6X1V2B3N4M5P6R7S"
	body := `{"type":"support_request.created","id":"0b7c2a54-3f5e-4a7e-9d1c-2b8f6e4d3a10","occurred_at":"2026-12-04T12:00:00Z",` +
		`"data":{"reference":"` + ref + `","severity":"high","summary":"Policy sync fails\tagain"}}`
	post := func(sign func(h http.Header)) int {
		t.Helper()
		req, err := http.NewRequest(http.MethodPost, url, strings.NewReader(body))
		if err != nil {
			t.Fatal(err)
		}
		sign(req.Header)
		resp, err := http.DefaultClient.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		resp.Body.Close()
		return resp.StatusCode
	}
	signed := func(s webhook.Secret, at time.Time) func(http.Header) {
		return func(h http.Header) {
			msg := webhook.Message{ID: "0b7c2a54-3f5e-4a7e-9d1c-2b8f6e4d3a10", Timestamp: at, Body: []byte(body)}
			if err := webhook.SetHeaders(h, msg, s); err != nil {
				t.Fatal(err)
			}
		}
	}

	if got := post(signed(secret, time.Now())); got != http.StatusNoContent {
		t.Fatalf("a signed delivery got %d, want 204", got)
	}
	if got, want := stdout.next(t), `0b7c2a54-3f5e-4a7e-9d1c-2b8f6e4d3a10  support_request.created  `+ref+`  high  "Policy sync fails\tagain"`; got != want {
		t.Errorf("printed %q, want %q", got, want)
	}
	if got := stdout.next(t); got != body {
		t.Errorf("--body printed %q, want the body", got)
	}

	if got := post(signed(other, time.Now())); got != http.StatusUnauthorized {
		t.Errorf("a delivery signed with another secret got %d, want 401", got)
	}
	if got := stderr.next(t); got != "refused a delivery with 401: no valid webhook signature" {
		t.Errorf("stderr after a bad signature: %q", got)
	}
	if got := post(signed(secret, time.Now().Add(-time.Hour))); got != http.StatusBadRequest {
		t.Errorf("a replayed delivery got %d, want 400", got)
	}
	if got := stderr.next(t); !strings.HasPrefix(got, "refused a delivery with 400: bad webhook timestamp") {
		t.Errorf("stderr after a replay: %q", got)
	}
	if got := post(func(http.Header) {}); got != http.StatusBadRequest {
		t.Errorf("an unsigned delivery got %d, want 400", got)
	}
	if got := stderr.next(t); got != "refused a delivery with 400: missing webhook header: webhook-id" {
		t.Errorf("stderr after an unsigned delivery: %q", got)
	}
	select {
	case s := <-stdout.c:
		t.Errorf("a refused delivery was printed: %q", s)
	default:
	}

	cancel()
	select {
	case c := <-code:
		if c != cli.ExitOK {
			t.Errorf("listen exited %d after being interrupted, want 0", c)
		}
	case <-time.After(10 * time.Second):
		t.Fatal("listen did not stop when interrupted")
	}
}

func TestWebhookListenUsage(t *testing.T) {
	runCLI(t, "webhook", "listen").
		fails(t, cli.ExitUsage, "supportdesk: webhook listen needs the endpoint's secret, as webhook add printed it, in --secret\n")
	runCLI(t, "webhook", "listen", "--secret", "whsec_c2hvcnQ=").
		fails(t, cli.ExitUsage, "supportdesk: bad webhook secret: it holds 5 bytes, want 24 to 64 (in --secret)\n")
	runCLI(t, "webhook", "listen", "--secret", "not-a-secret").
		fails(t, cli.ExitUsage, "supportdesk: bad webhook secret: it must start with whsec_ (in --secret)\n")
	s, _ := webhook.NewSecret()
	runCLI(t, "webhook", "listen", "--addr", "256.0.0.1:1", "--secret", s.Encode()).
		failsWith(t, cli.ExitFailure, "webhook listen on 256.0.0.1:1")
}

// TestWebhookReseal: after SUPPORTDESK_SECRET_KEY is rotated, reseal puts
// every secret under the new key, so that the old one can go.
func TestWebhookReseal(t *testing.T) {
	forEachEngine(t, func(t *testing.T, e engine) {
		d := emptyDesk(t, e)
		setSecretKey(t)
		oldKey := os.Getenv(webhook.KeyEnv)
		id, secret := d.addWebhook(t, "https://203.0.113.10/hook")

		setSecretKey(t)
		t.Setenv(webhook.PreviousKeyEnv, oldKey)
		r := d.run(t, "webhook", "reseal").ok(t)
		if !regexp.MustCompile(`^resealed the secrets of 1 webhooks with key [0-9a-f]{8}; 0 were sealed with it already\n` +
			`every secret in use is sealed with it: the old key can be removed from SUPPORTDESK_SECRET_KEY_PREVIOUS\n$`).MatchString(r.stdout) {
			t.Fatalf("webhook reseal printed %q", r.stdout)
		}
		t.Setenv(webhook.PreviousKeyEnv, "")
		box, err := webhook.BoxFromEnv(os.Getenv)
		if err != nil {
			t.Fatal(err)
		}
		var stored string
		if err := d.sql(t).Gorm().Raw("SELECT secret FROM webhooks WHERE id = ?", id).Scan(&stored).Error; err != nil {
			t.Fatal(err)
		}
		if got, err := box.Open(stored, id); err != nil || string(got) != secret {
			t.Fatalf("after reseal the secret opens to %q, %v under the new key alone", got, err)
		}
		if r := d.run(t, "webhook", "reseal").ok(t); !strings.HasPrefix(r.stdout, "resealed the secrets of 0 webhooks with key "+box.KeyID()+"; 1 were") {
			t.Errorf("a second reseal printed %q", r.stdout)
		}

		setSecretKey(t) // neither key that sealed the secret
		d.run(t, "webhook", "reseal").failsWith(t, cli.ExitFailure, "webhook "+id, "SUPPORTDESK_SECRET_KEY_PREVIOUS")
		t.Setenv(webhook.KeyEnv, "")
		d.run(t, "webhook", "reseal").failsWith(t, cli.ExitFailure, webhook.KeyEnv+" is not set")
	})
}

// TestWebhookListenBinary: the built binary, with no database anywhere,
// prints a verified delivery and exits 0 on SIGINT.
func TestWebhookListenBinary(t *testing.T) {
	secret, err := webhook.NewSecret()
	if err != nil {
		t.Fatal(err)
	}
	cmd := exec.Command(binary, "webhook", "listen", "--addr", "127.0.0.1:0", "--secret", secret.Encode())
	db := filepath.Join(t.TempDir(), "none.db")
	cmd.Env = append(cleanEnv(), "SUPPORTDESK_DATABASE_URL="+db)
	stdout, stderr := newLines(), newLines()
	cmd.Stdout, cmd.Stderr = stdout, stderr
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { cmd.Process.Kill() })
	m := regexp.MustCompile(`^listening for webhooks on (http://\S+/) `).FindStringSubmatch(stderr.next(t))
	if m == nil {
		t.Fatal("listen did not say where it listens")
	}
	body := []byte(`{"type":"support_request.created","id":"e1","data":{"reference":"SR-01JF3Q9W8Z6X1V2B3N4M5P6R7S","severity":"low","summary":"s"}}`)
	req, _ := http.NewRequest(http.MethodPost, m[1], bytes.NewReader(body))
	if err := webhook.SetHeaders(req.Header, webhook.Message{ID: "e1", Timestamp: time.Now(), Body: body}, secret); err != nil {
		t.Fatal(err)
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if resp.StatusCode != http.StatusNoContent {
		t.Fatalf("a signed delivery got %d", resp.StatusCode)
	}
	if got := stdout.next(t); got != `e1  support_request.created  SR-01JF3Q9W8Z6X1V2B3N4M5P6R7S  low  "s"` {
		t.Errorf("printed %q", got)
	}
	if err := cmd.Process.Signal(syscall.SIGINT); err != nil {
		t.Fatal(err)
	}
	if err := cmd.Wait(); err != nil {
		t.Fatalf("listen after SIGINT: %v", err)
	}
	if _, err := os.Stat(db); !errors.Is(err, fs.ErrNotExist) {
		t.Errorf("listen touched the database: %v", err)
	}
}
