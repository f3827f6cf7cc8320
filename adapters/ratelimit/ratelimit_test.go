package ratelimit

import (
	"context"
	"testing"
	"time"
)

func TestPerUserLimit(t *testing.T) {
	now := time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)
	p := New(30)
	ctx := context.Background()
	for i := 0; i < 30; i++ {
		if ok, _ := p.Allow(ctx, "ada", now); !ok {
			t.Fatalf("attempt %d refused, want 30 allowed", i+1)
		}
	}
	ok, wait := p.Allow(ctx, "ada", now)
	if ok || wait <= 0 || wait > 2*time.Second {
		t.Fatalf("31st attempt: ok %v, wait %v; want refused with about 2s", ok, wait)
	}
	// Another user has an allowance of their own.
	if ok, _ := p.Allow(ctx, "bob", now); !ok {
		t.Fatal("another user was limited")
	}
	// A refused attempt does not consume: after the wait, one more is allowed.
	now = now.Add(wait)
	if ok, _ := p.Allow(ctx, "ada", now); !ok {
		t.Fatal("attempt after Retry-After refused")
	}
	if ok, _ := p.Allow(ctx, "ada", now); ok {
		t.Fatal("second attempt right after was allowed")
	}
	// After a minute idle the whole allowance is back and idle buckets go.
	now = now.Add(2 * time.Minute)
	p.Allow(ctx, "carol", now)
	if _, kept := p.users["bob"]; kept {
		t.Fatal("an idle user's bucket was kept")
	}
}
