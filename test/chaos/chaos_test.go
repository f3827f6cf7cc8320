package chaos

import (
	"context"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"testing"
	"time"
)

// TestCrashes runs the crash test; its short form (20 s, one crash of
// each part) runs in CI. SUPPORTDESK_CHAOS_DURATION, _DB_CRASHES,
// _SERVER_KILLS, _NATS_KILLS and _CLIENTS make the long run (see
// test/chaos/run.sh).
func TestCrashes(t *testing.T) {
	for _, need := range []string{filepath.Join(postgresBin(), "initdb"), natsBinary()} {
		if _, err := os.Stat(need); err != nil {
			if os.Getenv("CI") == "true" {
				t.Fatalf("crash test needs %s", need)
			}
			t.Skipf("crash test skipped: %s is missing", need)
		}
	}
	dir := t.TempDir()
	bin := filepath.Join(dir, "supportdesk")
	if out, err := exec.Command("go", "build", "-o", bin, "supportdesk/cmd/supportdesk").CombinedOutput(); err != nil {
		t.Fatalf("build: %v: %s", err, out)
	}
	cfg := Config{
		Binary: bin, Dir: dir, Log: testWriter{t},
		Duration:        setting(t, "DURATION", 20*time.Second),
		Clients:         setting(t, "CLIENTS", 8),
		DatabaseCrashes: setting(t, "DB_CRASHES", 1),
		ServerKills:     setting(t, "SERVER_KILLS", 1),
		NATSKills:       setting(t, "NATS_KILLS", 1),
		Settle:          2 * time.Minute,
	}
	rep, err := Run(context.Background(), cfg)
	if err != nil {
		t.Fatal(err)
	}
	t.Log(rep)
	if !rep.OK() {
		t.Errorf("acknowledged requests lost or undelivered: missing %v, doubled %v, webhook %v, stream %v, pending %d",
			rep.Missing, rep.Doubled, rep.UndeliveredWebhook, rep.UndeliveredStream, rep.Pending)
	}
}

// setting reads SUPPORTDESK_CHAOS_<name>: a duration for DURATION, a
// count for the others.
func setting[T time.Duration | int](t *testing.T, name string, def T) T {
	v := os.Getenv("SUPPORTDESK_CHAOS_" + name)
	if v == "" {
		return def
	}
	var out T
	switch any(def).(type) {
	case time.Duration:
		d, err := time.ParseDuration(v)
		if err != nil {
			t.Fatalf("SUPPORTDESK_CHAOS_%s: %v", name, err)
		}
		out = T(d)
	default:
		n, err := strconv.Atoi(v)
		if err != nil {
			t.Fatalf("SUPPORTDESK_CHAOS_%s: %v", name, err)
		}
		out = T(n)
	}
	return out
}

type testWriter struct{ t *testing.T }

func (w testWriter) Write(p []byte) (int, error) {
	w.t.Log(string(p))
	return len(p), nil
}
