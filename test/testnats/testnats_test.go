package testnats

import (
	"net"
	"strings"
	"testing"
	"time"
)

func TestServerStartsKillsAndRestarts(t *testing.T) {
	s := Start(t)
	addr := strings.TrimPrefix(s.URL, "nats://")
	if err := greet(addr); err != nil {
		t.Fatalf("started server does not greet: %v", err)
	}
	s.Kill()
	if c, err := net.DialTimeout("tcp", addr, time.Second); err == nil {
		c.Close()
		t.Fatal("killed server still accepts connections")
	}
	s.Restart()
	if err := greet(addr); err != nil {
		t.Fatalf("restarted server does not greet: %v", err)
	}
}

// TestNATSServerIsFound is the probe behind make test's note: it skips,
// saying why, exactly when the NATS suites would.
func TestNATSServerIsFound(t *testing.T) {
	if _, err := binary(); err != nil {
		unavailable(t, "%v", err)
	}
}
