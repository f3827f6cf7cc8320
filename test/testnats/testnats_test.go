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
