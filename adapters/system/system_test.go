package system

import (
	"regexp"
	"testing"
	"time"
)

func TestNewIDIsVersion4UUID(t *testing.T) {
	re := regexp.MustCompile(`^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$`)
	ids := NewIDs()
	seen := map[string]bool{}
	for i := 0; i < 1000; i++ {
		id := ids.NewID()
		if !re.MatchString(id) {
			t.Fatalf("%q is not a version 4 UUID", id)
		}
		if seen[id] {
			t.Fatalf("%q repeated", id)
		}
		seen[id] = true
	}
}

func TestClockIsUTCMicroseconds(t *testing.T) {
	now := Clock{}.Now()
	if now.Location() != time.UTC || now.Nanosecond()%1000 != 0 {
		t.Fatalf("Now() = %v, want UTC truncated to microseconds", now)
	}
}
