package ratelimit

import (
	"testing"
	"time"
)

func TestFailuresThrottleTheAddressNotOthers(t *testing.T) {
	now := time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)
	f := NewFailures(3)
	f.now = func() time.Time { return now }
	for i := range 3 {
		if ok, _ := f.Check("10.0.0.1"); !ok {
			t.Fatalf("attempt %d refused within the budget", i+1)
		}
		f.Failed("10.0.0.1")
	}
	ok, wait := f.Check("10.0.0.1")
	if ok || wait <= 0 || wait > 20*time.Second {
		t.Fatalf("fourth attempt: ok=%v wait=%v, want refused for up to 20 s", ok, wait)
	}
	if ok, _ := f.Check("10.0.0.2"); !ok {
		t.Fatal("another address is throttled too")
	}
	// Checking does not spend the budget: only failures do.
	for range 10 {
		f.Check("10.0.0.3")
	}
	if ok, _ := f.Check("10.0.0.3"); !ok {
		t.Fatal("checks alone used up an address's budget")
	}
	now = now.Add(wait)
	if ok, _ := f.Check("10.0.0.1"); !ok {
		t.Fatalf("still refused after waiting %v", wait)
	}
}

func TestFailuresForgetIdleAddresses(t *testing.T) {
	now := time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)
	f := NewFailures(2)
	f.now = func() time.Time { return now }
	f.Failed("a")
	now = now.Add(2 * time.Minute)
	f.Failed("b")
	if _, kept := f.addrs["a"]; kept {
		t.Error("an address whose bucket refilled is still tracked")
	}
}
