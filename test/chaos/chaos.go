// Package chaos is the crash test of delivery (issue 13): clients create
// requests with Idempotency-Keys against two serve instances while the
// test kill -9s PostgreSQL, a serve instance and the NATS server, and
// restarts them. At the end every acknowledged request must exist once,
// with one audit entry, and have reached the webhook receiver and the
// stream at least once.
//
// Everything runs as child processes of the test — a PostgreSQL cluster
// of its own (initdb in a temporary directory, on a free port), a
// nats-server, two `supportdesk serve` — so the crashes hit nothing else
// on the machine.
package chaos

import (
	"bytes"
	"cmp"
	"context"
	"crypto/rand"
	"database/sql"
	"encoding/base64"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"os"
	"os/exec"
	"os/user"
	"path/filepath"
	"slices"
	"strconv"
	"sync"
	"syscall"
	"time"

	"github.com/google/uuid"
	_ "github.com/jackc/pgx/v5/stdlib" // database/sql driver "pgx"
	"github.com/nats-io/nats.go"
	jsapi "github.com/nats-io/nats.go/jetstream"

	"supportdesk/adapters/gormstore"
	"supportdesk/adapters/jetstream"
	"supportdesk/adapters/webhook"
	"supportdesk/ports"
)

// Config is one run.
type Config struct {
	// Binary is a built supportdesk.
	Binary string
	// Dir holds the cluster, the store and the logs.
	Dir string
	// Duration of the load; the crashes are spread over it.
	Duration time.Duration
	Clients  int
	// How many times each part is killed with SIGKILL.
	DatabaseCrashes, ServerKills, NATSKills int
	// Settle bounds the wait for the deliveries after the load.
	Settle time.Duration
	Log    io.Writer
}

// Report is what the run found.
type Report struct {
	Acknowledged int
	// Missing are acknowledged references not in the database; Doubled
	// those stored more than once, or with other than one audit entry.
	Missing, Doubled []string
	// Undelivered are acknowledged references that reached the receiver
	// or the stream not at all.
	UndeliveredWebhook, UndeliveredStream []string
	// Duplicates counts receipts beyond the first of an event.
	WebhookDuplicates, StreamDuplicates int
	// MaxDelay is the longest time from a 201 to the first receipt.
	MaxDelay, MedianDelay time.Duration
	// Pending deliveries left in the database (must be 0).
	Pending int
	Crashes map[string]int
}

// OK reports whether nothing acknowledged was lost.
func (r Report) OK() bool {
	return len(r.Missing)+len(r.Doubled)+len(r.UndeliveredWebhook)+len(r.UndeliveredStream)+r.Pending == 0 && r.Acknowledged > 0
}

func (r Report) String() string {
	return fmt.Sprintf(`crash report
  crashes: %d database, %d server, %d NATS
  acknowledged requests: %d
  missing: %d, stored twice or audit entries ≠ 1: %d
  undelivered: %d to the webhook, %d to the stream
  duplicates before dedup by event id: %d webhook, %d stream
  delivery delay after the 201 (first receipt): median %s, max %s
  deliveries still pending: %d`,
		r.Crashes["database"], r.Crashes["server"], r.Crashes["nats"], r.Acknowledged,
		len(r.Missing), len(r.Doubled), len(r.UndeliveredWebhook), len(r.UndeliveredStream),
		r.WebhookDuplicates, r.StreamDuplicates, r.MedianDelay.Round(time.Millisecond), r.MaxDelay.Round(time.Millisecond), r.Pending)
}

// The demo fixture's owner, tenant and token.
const (
	tenant = "30000000-0000-4000-8000-000000000001"
	token  = "demo-owner-token-please-change"
)

// Run runs one crash test.
func Run(ctx context.Context, cfg Config) (Report, error) {
	rep := Report{Crashes: map[string]int{}}
	pg, err := startPostgres(ctx, cfg)
	if err != nil {
		return rep, err
	}
	defer pg.stop()
	nsrv := &process{name: "nats", log: filepath.Join(cfg.Dir, "nats.log"), cmd: func() *exec.Cmd {
		return exec.Command(natsBinary(), "-a", "127.0.0.1", "-p", strconv.Itoa(pg.natsPort), "-js", "-sd", filepath.Join(cfg.Dir, "nats"))
	}}
	if err := nsrv.start(); err != nil {
		return rep, err
	}
	defer nsrv.stop()
	natsURL := "nats://127.0.0.1:" + strconv.Itoa(pg.natsPort)

	key := make([]byte, webhook.KeyBytes)
	_, _ = rand.Read(key)
	env := []string{"SUPPORTDESK_DATABASE_URL=" + pg.url, "SUPPORTDESK_NATS_URL=" + natsURL,
		"SUPPORTDESK_SECRET_KEY=" + base64.StdEncoding.EncodeToString(key), "SUPPORTDESK_CREATE_LIMIT=1000000000"}
	if out, err := command(cfg.Binary, env, "seed", "--demo").CombinedOutput(); err != nil {
		return rep, fmt.Errorf("seed: %v: %s", err, out)
	}
	rc, err := newReceiver(ctx, cfg, pg.url, key)
	if err != nil {
		return rep, err
	}
	defer rc.srv.Close()

	var servers []*process
	for i := range 2 {
		addr := "127.0.0.1:" + strconv.Itoa(freePort())
		s := &process{name: "serve-" + strconv.Itoa(i), addr: addr, log: filepath.Join(cfg.Dir, fmt.Sprintf("serve-%d.log", i)), cmd: func() *exec.Cmd {
			return command(cfg.Binary, append(env, "SUPPORTDESK_ADDR="+addr), "serve")
		}}
		if err := s.start(); err != nil {
			return rep, err
		}
		defer s.stop()
		if err := waitHTTP(ctx, "http://"+addr+"/readyz", time.Minute); err != nil {
			return rep, fmt.Errorf("%s: %w", s.name, err)
		}
		servers = append(servers, s)
	}

	acks := load(ctx, cfg, servers, func(parts chan<- struct{}) {
		schedule(ctx, cfg, pg, servers, nsrv, rep.Crashes, cfg.Log)
		close(parts)
	})
	rep.Acknowledged = len(acks)
	fmt.Fprintf(cfg.Log, "load done: %d acknowledged; settling\n", len(acks))

	stream := waitDelivered(ctx, cfg, rc, natsURL, acks)
	return rep, check(ctx, &rep, pg.url, rc, stream, acks)
}

// ack is one 201: the reference and when it came.
type ack struct {
	Reference string
	At        time.Time
}

// load runs the clients until the chaos schedule is over. Each client
// repeats one Idempotency-Key, on either server, until it gets a 201.
func load(ctx context.Context, cfg Config, servers []*process, chaos func(chan<- struct{})) []ack {
	done := make(chan struct{})
	go chaos(done)
	var mu sync.Mutex
	var acks []ack
	var wg sync.WaitGroup
	client := &http.Client{Timeout: 15 * time.Second}
	for c := range cfg.Clients {
		wg.Go(func() {
			for i := 0; ; i++ {
				select {
				case <-done:
					return
				default:
				}
				key := uuid.NewString()
				body := fmt.Sprintf(`{"severity":"normal","summary":"Chaos request %d of client %d"}`, i, c)
				for attempt := 0; ctx.Err() == nil; attempt++ {
					s := servers[(c+attempt)%len(servers)]
					if ref, ok := create(client, s.addr, key, body); ok {
						mu.Lock()
						acks = append(acks, ack{Reference: ref, At: time.Now()})
						mu.Unlock()
						break
					}
					time.Sleep(100 * time.Millisecond) // a client's back-off, not a test's wait
				}
			}
		})
	}
	wg.Wait()
	return acks
}

func create(c *http.Client, addr, key, body string) (string, bool) {
	req, _ := http.NewRequest(http.MethodPost, "http://"+addr+"/v1/tenants/"+tenant+"/support-requests", bytes.NewBufferString(body))
	req.Header.Set("Authorization", "Bearer "+token)
	req.Header.Set("Content-Type", "application/json")
	req.Header.Set("Idempotency-Key", key)
	res, err := c.Do(req)
	if err != nil {
		return "", false
	}
	defer res.Body.Close()
	var out struct{ Reference string }
	if res.StatusCode != http.StatusCreated || json.NewDecoder(res.Body).Decode(&out) != nil {
		return "", false
	}
	return out.Reference, true
}

// schedule spreads the crashes over the load's duration, in turns.
func schedule(ctx context.Context, cfg Config, pg *postgres, servers []*process, nsrv *process, crashes map[string]int, log io.Writer) {
	type crash struct {
		what string
		do   func() error
	}
	var plan []crash
	for i := range max(cfg.DatabaseCrashes, cfg.ServerKills, cfg.NATSKills) {
		if i < cfg.DatabaseCrashes {
			plan = append(plan, crash{"database", func() error { return pg.proc.crash(2 * time.Second) }})
		}
		if i < cfg.ServerKills {
			s := servers[i%len(servers)]
			plan = append(plan, crash{"server", func() error { return s.crash(time.Second) }})
		}
		if i < cfg.NATSKills {
			plan = append(plan, crash{"nats", func() error { return nsrv.crash(2 * time.Second) }})
		}
	}
	gap := cfg.Duration / time.Duration(len(plan)+1)
	for _, c := range plan {
		select {
		case <-ctx.Done():
			return
		case <-time.After(gap):
		}
		fmt.Fprintf(log, "%s kill -9 %s\n", time.Now().Format(time.TimeOnly), c.what)
		if err := c.do(); err != nil {
			fmt.Fprintf(log, "restart %s: %v\n", c.what, err)
		}
		crashes[c.what]++
	}
	time.Sleep(gap)
}

// receiver is the webhook endpoint: it verifies each delivery with the
// Standard Webhooks algorithm and keeps when each event first came.
type receiver struct {
	srv   *http.Server
	mu    sync.Mutex
	first map[string]time.Time // reference → first receipt
	count map[string]int       // event id → receipts
}

func newReceiver(ctx context.Context, cfg Config, dbURL string, key []byte) (*receiver, error) {
	secret, err := webhook.NewSecret()
	if err != nil {
		return nil, err
	}
	rc := &receiver{first: map[string]time.Time{}, count: map[string]int{}}
	h, err := webhook.NewReceiver([]webhook.Secret{secret}, nil, func(m webhook.Message) error {
		var ev struct{ Data struct{ Reference string } }
		if err := json.Unmarshal(m.Body, &ev); err != nil {
			return err
		}
		rc.mu.Lock()
		defer rc.mu.Unlock()
		rc.count[m.ID]++
		if _, ok := rc.first[ev.Data.Reference]; !ok {
			rc.first[ev.Data.Reference] = time.Now()
		}
		return nil
	})
	if err != nil {
		return nil, err
	}
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return nil, err
	}
	rc.srv = &http.Server{Handler: h, ReadHeaderTimeout: 5 * time.Second}
	go func() { _ = rc.srv.Serve(ln) }()

	// Registered as `webhook add --allow-private` does.
	db, err := gormstore.Open(ctx, dbURL)
	if err != nil {
		return nil, err
	}
	defer db.Close()
	box, err := webhook.NewBox(key)
	if err != nil {
		return nil, err
	}
	id := uuid.NewString()
	sealed, err := webhook.SealSecret(box, id, secret)
	if err != nil {
		return nil, err
	}
	err = gormstore.NewWebhooks(db).AddWebhook(ctx, ports.Webhook{ID: id, URL: "http://" + ln.Addr().String() + "/hook",
		AllowPrivate: true, Secret: sealed, CreatedAt: time.Now()})
	return rc, err
}

// waitDelivered waits until every acknowledged reference reached the
// receiver and the stream, or cfg.Settle passes; it returns the stream's
// receipts by reference.
func waitDelivered(ctx context.Context, cfg Config, rc *receiver, natsURL string, acks []ack) map[string]int {
	deadline := time.Now().Add(cfg.Settle)
	for {
		stream := readStream(ctx, natsURL)
		rc.mu.Lock()
		all := true
		for _, a := range acks {
			if _, ok := rc.first[a.Reference]; !ok || stream[a.Reference] == 0 {
				all = false
				break
			}
		}
		rc.mu.Unlock()
		if all || time.Now().After(deadline) || ctx.Err() != nil {
			return stream
		}
		time.Sleep(time.Second)
	}
}

// readStream counts the stream's messages by reference; the stream has
// dropped repeats of an event id already, so a count above 1 is a
// duplicate that got past it.
func readStream(ctx context.Context, url string) map[string]int {
	out := map[string]int{}
	nc, err := nats.Connect(url, nats.Timeout(2*time.Second))
	if err != nil {
		return out
	}
	defer nc.Close()
	js, err := jsapi.New(nc)
	if err != nil {
		return out
	}
	ctx, cancel := context.WithTimeout(ctx, 30*time.Second)
	defer cancel()
	s, err := js.Stream(ctx, jetstream.DefaultStream)
	if err != nil {
		return out
	}
	c, err := s.OrderedConsumer(ctx, jsapi.OrderedConsumerConfig{})
	if err != nil {
		return out
	}
	for range s.CachedInfo().State.Msgs {
		m, err := c.Next(jsapi.FetchMaxWait(3 * time.Second))
		if err != nil {
			return out
		}
		var ev struct{ Data struct{ Reference string } }
		if json.Unmarshal(m.Data(), &ev) == nil {
			out[ev.Data.Reference]++
		}
	}
	return out
}

// check compares what was acknowledged with the database and the two
// destinations.
func check(ctx context.Context, rep *Report, dbURL string, rc *receiver, stream map[string]int, acks []ack) error {
	db, err := sql.Open("pgx", dbURL)
	if err != nil {
		return err
	}
	defer db.Close()
	stored := map[string]int{}
	rows, err := db.QueryContext(ctx, `SELECT r.reference, count(a.id) FROM support_requests r
		LEFT JOIN audit_entries a ON a.subject_id = r.reference AND a.action = 'support_request.created' GROUP BY r.reference`)
	if err != nil {
		return fmt.Errorf("read the stored requests: %w", err)
	}
	defer rows.Close()
	for rows.Next() {
		var ref string
		var n int
		if err := rows.Scan(&ref, &n); err != nil {
			return err
		}
		stored[ref] = n
	}
	// A receipt is recorded just after the receiver answers: give the
	// relays a moment to record the last ones.
	for deadline := time.Now().Add(30 * time.Second); ; time.Sleep(200 * time.Millisecond) {
		if err := db.QueryRowContext(ctx, `SELECT count(*) FROM deliveries WHERE delivered_at IS NULL AND dead_at IS NULL`).Scan(&rep.Pending); err != nil {
			return err
		}
		if rep.Pending == 0 || time.Now().After(deadline) {
			break
		}
	}
	rc.mu.Lock()
	defer rc.mu.Unlock()
	var delays []time.Duration
	seen := map[string]bool{}
	for _, a := range acks {
		if seen[a.Reference] {
			rep.Doubled = append(rep.Doubled, a.Reference) // two keys got one reference: impossible
		}
		seen[a.Reference] = true
		switch n, ok := stored[a.Reference]; {
		case !ok:
			rep.Missing = append(rep.Missing, a.Reference)
		case n != 1:
			rep.Doubled = append(rep.Doubled, a.Reference)
		}
		if at, ok := rc.first[a.Reference]; ok {
			delays = append(delays, max(at.Sub(a.At), 0))
		} else {
			rep.UndeliveredWebhook = append(rep.UndeliveredWebhook, a.Reference)
		}
		if stream[a.Reference] == 0 {
			rep.UndeliveredStream = append(rep.UndeliveredStream, a.Reference)
		}
		rep.StreamDuplicates += max(stream[a.Reference]-1, 0)
	}
	for _, n := range rc.count {
		rep.WebhookDuplicates += n - 1
	}
	if len(delays) > 0 {
		slices.Sort(delays)
		rep.MedianDelay, rep.MaxDelay = delays[len(delays)/2], delays[len(delays)-1]
	}
	return nil
}

// process is a child the test can kill and restart.
type process struct {
	name, addr, log string
	cmd             func() *exec.Cmd
	mu              sync.Mutex
	running         *exec.Cmd
	// exited is closed once the running process has been waited for.
	exited chan struct{}
}

func (p *process) start() error {
	p.mu.Lock()
	defer p.mu.Unlock()
	f, err := os.OpenFile(p.log, os.O_CREATE|os.O_WRONLY|os.O_APPEND, 0o644)
	if err != nil {
		return err
	}
	c := p.cmd()
	c.Stdout, c.Stderr = f, f
	if c.SysProcAttr == nil {
		c.SysProcAttr = &syscall.SysProcAttr{}
	}
	c.SysProcAttr.Pdeathsig = syscall.SIGKILL // never outlive the test
	if err := c.Start(); err != nil {
		f.Close()
		return fmt.Errorf("start %s: %w", p.name, err)
	}
	exited := make(chan struct{})
	go func() {
		_ = c.Wait()
		f.Close()
		close(exited)
	}()
	p.running, p.exited = c, exited
	return nil
}

// crash kills the process with SIGKILL and starts it again after down.
func (p *process) crash(down time.Duration) error {
	p.kill()
	time.Sleep(down) // the outage itself
	return p.start()
}

// kill sends SIGKILL and waits until the process is gone.
func (p *process) kill() {
	p.mu.Lock()
	defer p.mu.Unlock()
	if p.running != nil {
		_ = p.running.Process.Kill()
		<-p.exited
	}
	p.running = nil
}

// stop asks the process to end with SIGTERM, and kills it if it has not
// within 10 seconds.
func (p *process) stop() {
	p.mu.Lock()
	c, exited := p.running, p.exited
	p.mu.Unlock()
	if c != nil {
		_ = c.Process.Signal(syscall.SIGTERM)
		select {
		case <-exited:
		case <-time.After(10 * time.Second):
		}
	}
	p.kill()
}

// postgres is the test's own cluster.
type postgres struct {
	proc     *process
	root     string
	url      string
	natsPort int
}

// startPostgres makes a cluster with initdb and starts it on a free port;
// as root, both run as the postgres user, which owns the directory.
func startPostgres(ctx context.Context, cfg Config) (*postgres, error) {
	bin := postgresBin()
	// A directory of its own under /tmp: the postgres user must reach it,
	// and a test's temporary directory is its owner's alone.
	root, err := os.MkdirTemp("", "supportdesk-chaos-pg-")
	if err != nil {
		return nil, err
	}
	data := filepath.Join(root, "data")
	var cred *syscall.Credential
	if os.Geteuid() == 0 {
		u, err := user.Lookup("postgres")
		if err != nil {
			return nil, fmt.Errorf("running as root needs the postgres user: %w", err)
		}
		uid, _ := strconv.Atoi(u.Uid)
		gid, _ := strconv.Atoi(u.Gid)
		cred = &syscall.Credential{Uid: uint32(uid), Gid: uint32(gid)}
		if err := os.Chown(root, uid, gid); err != nil {
			return nil, err
		}
	}
	as := func(c *exec.Cmd) *exec.Cmd {
		c.SysProcAttr = &syscall.SysProcAttr{Credential: cred}
		return c
	}
	if out, err := as(exec.CommandContext(ctx, bin+"/initdb", "--no-sync", "-D", data, "-U", "postgres", "--auth=trust", "-E", "UTF8")).CombinedOutput(); err != nil {
		return nil, fmt.Errorf("initdb: %v: %s", err, out)
	}
	port := freePort()
	pg := &postgres{root: root, natsPort: freePort(), url: fmt.Sprintf("postgres://postgres@127.0.0.1:%d/postgres?sslmode=disable", port)}
	pg.proc = &process{name: "postgres", log: filepath.Join(cfg.Dir, "postgres.log"), cmd: func() *exec.Cmd {
		return as(exec.Command(bin+"/postgres", "-D", data, "-p", strconv.Itoa(port), "-k", root, "-c", "listen_addresses=127.0.0.1",
			"-c", "fsync=on", "-c", "max_connections=200"))
	}}
	if err := pg.proc.start(); err != nil {
		return nil, err
	}
	for deadline := time.Now().Add(30 * time.Second); ; {
		db, err := sql.Open("pgx", pg.url)
		if err == nil {
			err = db.PingContext(ctx)
			db.Close()
		}
		if err == nil {
			return pg, nil
		}
		if time.Now().After(deadline) {
			pg.stop()
			return nil, fmt.Errorf("postgres did not start: %w", err)
		}
		time.Sleep(100 * time.Millisecond)
	}
}

func (pg *postgres) stop() {
	pg.proc.stop()
	_ = os.RemoveAll(pg.root)
}

func command(bin string, env []string, args ...string) *exec.Cmd {
	c := exec.Command(bin, args...)
	c.Env = append(os.Environ(), env...)
	return c
}

// postgresBin is the directory of the newest PostgreSQL server installed
// the Debian way (/usr/lib/postgresql/<version>/bin), or "" if none is.
func postgresBin() string {
	dirs, _ := filepath.Glob("/usr/lib/postgresql/*/bin/initdb")
	slices.SortFunc(dirs, func(a, b string) int {
		return cmp.Compare(versionOf(a), versionOf(b))
	})
	if len(dirs) == 0 {
		return ""
	}
	return filepath.Dir(dirs[len(dirs)-1])
}

// versionOf is the major version in a /usr/lib/postgresql/<version>/… path.
func versionOf(path string) int {
	n, _ := strconv.Atoi(filepath.Base(filepath.Dir(filepath.Dir(path))))
	return n
}

func natsBinary() string {
	if p, err := exec.LookPath("nats-server"); err == nil {
		return p
	}
	return "/usr/sbin/nats-server"
}

func freePort() int {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		panic(err)
	}
	defer ln.Close()
	return ln.Addr().(*net.TCPAddr).Port
}

func waitHTTP(ctx context.Context, url string, within time.Duration) error {
	deadline := time.Now().Add(within)
	for {
		res, err := http.Get(url)
		if err == nil {
			res.Body.Close()
			if res.StatusCode == http.StatusOK {
				return nil
			}
		}
		if time.Now().After(deadline) || ctx.Err() != nil {
			return errors.New("not ready in time")
		}
		time.Sleep(100 * time.Millisecond)
	}
}
