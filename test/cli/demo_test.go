package cli_test

import (
	"bufio"
	"bytes"
	"context"
	"encoding/json"
	"io"
	"net"
	"net/http"
	"net/url"
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
	"supportdesk/adapters/fixture"
	"supportdesk/bootstrap"
	"supportdesk/core/access"
)

// guideEnd is the last line the demo prints before it serves.
const guideEnd = "Press Ctrl-C to stop.\n"

func TestDemo(t *testing.T) {
	forEachEngine(t, func(t *testing.T, e engine) {
		// SQLite: a file that does not exist yet, as on a fresh clone.
		dbURL := filepath.Join(t.TempDir(), "demo.db")
		if e.name == "postgres" {
			dbURL = e.url(t)
		}
		d := deskAt(t, dbURL)

		guide, out, stop := startDemoOutput(t, dbURL)
		if !strings.Contains(guide, "\n  demo data loaded: ") {
			t.Errorf("the first run does not say it loaded the demo data:\n%s", guide)
		}
		wantGuide(t, guide)
		curls := parseCurls(t, guide)
		if len(curls) != 2 {
			t.Fatalf("want two curl commands, got %d:\n%s", len(curls), guide)
		}
		var refs []string
		for i, c := range curls {
			created := c.do(t)
			s := d.show(t, created.Reference)
			wantType := []string{"tenant", "operation_run"}[i]
			wantID := []string{fixture.DemoTenantID, fixture.DemoFailedRunID}[i]
			if s.PrimaryContext.Type != wantType || s.PrimaryContext.ID != wantID || s.ContextDigest != created.ContextDigest {
				t.Errorf("curl %d made %+v, want a %s request on %s", i, s, wantType, wantID)
			}
			refs = append(refs, created.Reference)
		}
		// Each is delivered to the demo's own receiver, which prints it.
		for _, ref := range refs {
			waitFor(t, out, "delivered to the demo webhook (signature verified): "+ref+" ")
		}
		if code := stop(); code != cli.ExitOK {
			t.Fatalf("demo exited %d after cancel, want 0", code)
		}
		// Its endpoint goes with it.
		if r := d.run(t, "webhook", "list"); r.code != cli.ExitOK || strings.Contains(r.stdout, "supportdesk-demo") {
			t.Errorf("the demo left its webhook registered:\n%s", r.stdout)
		}

		// A second run reuses the database and keeps the requests.
		guide, stop = startDemo(t, dbURL)
		if !strings.Contains(guide, "\n  demo data already loaded; earlier requests are kept\n") {
			t.Errorf("the second run does not say it reused the demo data:\n%s", guide)
		}
		for _, ref := range refs {
			d.run(t, "request", "show", ref).ok(t)
		}
		parseCurls(t, guide)[0].do(t)
		if code := stop(); code != cli.ExitOK {
			t.Fatalf("second demo exited %d, want 0", code)
		}
		if r := d.run(t, "request", "list", "--json").ok(t); strings.Count(r.stdout, "\n") != 3 {
			t.Errorf("want the three requests of both runs, got:\n%s", r.stdout)
		}
	})
}

// startDemo runs `demo` in-process on a free loopback port and returns its
// guide once printed, and a stop that cancels it and returns its exit code.
func startDemo(t *testing.T, dbURL string) (guide string, stop func() int) {
	guide, _, stop = startDemoOutput(t, dbURL)
	return guide, stop
}

// startDemoOutput is startDemo with the demo's whole output so far, which
// grows as deliveries are printed.
func startDemoOutput(t *testing.T, dbURL string) (guide string, out *syncBuffer, stop func() int) {
	t.Helper()
	ctx, cancel := context.WithCancel(context.Background())
	out, logs := &syncBuffer{}, &syncBuffer{}
	done := make(chan int, 1)
	go func() {
		done <- cli.Run(ctx, bootstrap.NewCommands(logs), []string{"--database-url", dbURL, "demo", "--addr", "127.0.0.1:0"}, out, logs)
	}()
	stop = func() int {
		cancel()
		select {
		case code := <-done:
			return code
		case <-time.After(time.Minute):
			t.Fatal("demo did not stop within a minute of its context's end")
			return -1
		}
	}
	deadline := time.After(2 * time.Minute)
	for !strings.HasSuffix(out.String(), guideEnd) {
		select {
		case code := <-done:
			cancel()
			t.Fatalf("demo exited %d before serving:\n%s\nstderr:\n%s", code, out, logs)
		case <-deadline:
			stop()
			t.Fatalf("demo printed no guide within two minutes:\n%s\nstderr:\n%s", out, logs)
		case <-time.After(20 * time.Millisecond):
		}
	}
	t.Cleanup(func() { cancel() })
	return out.String(), out, stop
}

// wantGuide checks what the guide promises a new user.
func wantGuide(t *testing.T, guide string) {
	t.Helper()
	m := regexp.MustCompile(`^supportdesk demo is running at (http://\S+)\n`).FindStringSubmatch(guide)
	if m == nil {
		t.Fatalf("no URL on the first line:\n%s", guide)
	}
	base, err := url.Parse(m[1])
	if err != nil || base.Hostname() != "localhost" || base.Port() == "0" || base.Port() == "" {
		t.Errorf("URL %s: want http://localhost:<bound port>", m[1])
	}
	for _, u := range fixture.DemoUsers {
		line := regexp.MustCompile(`\n  (\S+) +` + regexp.QuoteMeta(u.Token) + ` +` + regexp.QuoteMeta(u.Email) + `\n +([^\n]+)\n`).FindStringSubmatch(guide)
		if line == nil {
			t.Errorf("no line for %s's token:\n%s", u.Email, guide)
			continue
		}
		role := line[1]
		if u.Role == "" && role != "(none)" || u.Role != "" && role != u.Role {
			t.Errorf("%s is shown as %s, want %q", u.Email, role, u.Role)
		}
		for _, c := range access.CapabilitiesOf(access.Role(u.Role)).List() {
			if !strings.Contains(line[2], string(c)) {
				t.Errorf("%s: %q does not list %s", u.Email, line[2], c)
			}
		}
	}
	if !strings.Contains(guide, "\n  supportdesk --database-url ") || !strings.Contains(guide, " request show <reference>\n") {
		t.Errorf("no request show command for this database:\n%s", guide)
	}
}

// curlCommand is a curl command line of the guide.
type curlCommand struct {
	method, url string
	header      http.Header
	body        string
}

// parseCurls reads the guide's curl commands: continued lines joined, then
// split as a POSIX shell does for the single quotes the guide uses.
func parseCurls(t *testing.T, guide string) []curlCommand {
	t.Helper()
	var cmds []curlCommand
	joined := strings.ReplaceAll(guide, " \\\n", " ")
	for line := range strings.Lines(joined) {
		line = strings.TrimSpace(line)
		if !strings.HasPrefix(line, "curl ") {
			continue
		}
		words := shellWords(t, line)
		c := curlCommand{method: http.MethodGet, header: http.Header{}}
		for i := 1; i < len(words); i++ {
			switch w := words[i]; w {
			case "-sS":
			case "-w":
				i++ // output format only
			case "-X":
				i++
				c.method = words[i]
			case "-H":
				i++
				k, v, _ := strings.Cut(words[i], ": ")
				c.header.Add(k, v)
			case "-d":
				i++
				c.body = words[i]
			default:
				if !strings.HasPrefix(w, "http://") {
					t.Fatalf("curl option %q is not understood by this test", w)
				}
				c.url = w
			}
		}
		cmds = append(cmds, c)
	}
	return cmds
}

// shellWords splits s at blanks, honouring single quotes.
func shellWords(t *testing.T, s string) []string {
	t.Helper()
	var (
		words  []string
		word   strings.Builder
		quoted bool
		inWord bool
	)
	for _, r := range s {
		switch {
		case r == '\'':
			quoted, inWord = !quoted, true
		case r == ' ' && !quoted:
			if inWord {
				words = append(words, word.String())
				word.Reset()
				inWord = false
			}
		default:
			word.WriteRune(r)
			inWord = true
		}
	}
	if quoted {
		t.Fatalf("unbalanced quote in %q", s)
	}
	if inWord {
		words = append(words, word.String())
	}
	return words
}

// created is the 201 body of a create.
type created struct {
	Reference     string `json:"reference"`
	ContextDigest string `json:"context_digest"`
}

// do sends the command with net/http, only ever to this machine, and
// checks that it created a request.
func (c curlCommand) do(t *testing.T) created {
	t.Helper()
	u, err := url.Parse(c.url)
	if err != nil {
		t.Fatal(err)
	}
	if ip := net.ParseIP(u.Hostname()); u.Hostname() != "localhost" && (ip == nil || !ip.IsLoopback()) {
		t.Fatalf("the guide's curl targets %s, not this machine", u.Host)
	}
	req, err := http.NewRequest(c.method, c.url, strings.NewReader(c.body))
	if err != nil {
		t.Fatal(err)
	}
	req.Header = c.header
	client := &http.Client{Timeout: time.Minute}
	resp, err := client.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	body, _ := io.ReadAll(resp.Body)
	var out created
	if resp.StatusCode != http.StatusCreated || json.Unmarshal(body, &out) != nil || !referencePattern.MatchString(out.Reference) {
		t.Fatalf("%s %s: %s\n%s", c.method, c.url, resp.Status, body)
	}
	if loc := resp.Header.Get("Location"); loc != "/v1/support-requests/"+out.Reference {
		t.Errorf("Location %q", loc)
	}
	return out
}

// syncBuffer is a bytes.Buffer the demo writes to while the test reads.
type syncBuffer struct {
	mu  sync.Mutex
	buf bytes.Buffer
}

func (b *syncBuffer) Write(p []byte) (int, error) {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.buf.Write(p)
}

func (b *syncBuffer) String() string {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.buf.String()
}

// TestDemoBinary runs the built binary as a new user would: in an empty
// directory, with no configuration, so the default SQLite file is used;
// it stops on SIGTERM with exit status 0.
func TestDemoBinary(t *testing.T) {
	dir := t.TempDir()
	guide, stop := startDemoBinary(t, dir)
	if strings.Contains(guide, "--database-url") {
		t.Errorf("with the default database the show command needs no flag:\n%s", guide)
	}
	if !strings.Contains(guide, "\n  database: sqlite "+filepath.Join(dir, "supportdesk.db")+"\n") {
		t.Errorf("the guide does not name the database file in %s:\n%s", dir, guide)
	}
	curls := parseCurls(t, guide)
	if len(curls) != 2 {
		t.Fatalf("want two curl commands:\n%s", guide)
	}
	ref := curls[1].do(t).Reference
	stop()

	// The printed show command, run in the same directory, finds it.
	show := exec.Command(binary, "request", "show", ref)
	show.Dir, show.Env = dir, cleanEnv()
	out, err := show.CombinedOutput()
	if err != nil || !strings.HasPrefix(string(out), "reference           "+ref+"\n") {
		t.Fatalf("request show: %v\n%s", err, out)
	}

	guide, stop = startDemoBinary(t, dir)
	if !strings.Contains(guide, "demo data already loaded; earlier requests are kept") {
		t.Errorf("second run:\n%s", guide)
	}
	stop()
}

// startDemoBinary starts `supportdesk demo` in dir and returns its guide and
// a stop that sends SIGTERM and checks the exit status is 0.
func startDemoBinary(t *testing.T, dir string) (string, func()) {
	t.Helper()
	cmd := exec.Command(binary, "demo", "--addr", "127.0.0.1:0")
	cmd.Dir, cmd.Env = dir, cleanEnv()
	var stderr syncBuffer
	cmd.Stderr = &stderr
	stdout, err := cmd.StdoutPipe()
	if err != nil {
		t.Fatal(err)
	}
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { cmd.Process.Kill() })

	lines := make(chan string)
	go func() {
		defer close(lines)
		r := bufio.NewReader(stdout)
		for {
			line, err := r.ReadString('\n')
			if err != nil {
				return
			}
			lines <- line
		}
	}()
	var guide strings.Builder
	deadline := time.After(2 * time.Minute)
	for !strings.HasSuffix(guide.String(), guideEnd) {
		select {
		case line, ok := <-lines:
			if !ok {
				t.Fatalf("demo ended before serving: %v\n%s\nstderr:\n%s", cmd.Wait(), &guide, stderr.String())
			}
			guide.WriteString(line)
		case <-deadline:
			t.Fatalf("no guide within two minutes:\n%s", &guide)
		}
	}
	return guide.String(), func() {
		t.Helper()
		if err := cmd.Process.Signal(syscall.SIGTERM); err != nil {
			t.Fatal(err)
		}
		for range lines { // drain, so the process never blocks on stdout
		}
		if err := cmd.Wait(); err != nil {
			t.Fatalf("demo after SIGTERM: %v\nstderr:\n%s", err, stderr.String())
		}
	}
}

// cleanEnv is the test's environment without supportdesk configuration,
// so the binary runs on its defaults.
func cleanEnv() []string {
	var env []string
	for _, kv := range os.Environ() {
		if !strings.HasPrefix(kv, "SUPPORTDESK_") {
			env = append(env, kv)
		}
	}
	return env
}

// waitFor waits until out holds want; the demo prints deliveries as its
// relay makes them.
func waitFor(t *testing.T, out *syncBuffer, want string) {
	t.Helper()
	deadline := time.Now().Add(30 * time.Second)
	for !strings.Contains(out.String(), want) {
		if time.Now().After(deadline) {
			t.Fatalf("the demo did not print %q within 30 s:\n%s", want, out)
		}
		time.Sleep(20 * time.Millisecond) // waiting for the relay, not timing it
	}
}
